#!/bin/sh
# Set up a fresh Debian machine for tcpsight: install the build and test
# dependencies, configure with meson and build.  Safe to run again.
#
# usage: sh tools/bootstrap.sh [BUILDDIR [meson options...]]
set -eu
cd "$(dirname "$0")/.."
builddir=${1:-build}
[ $# -gt 0 ] && shift

packages="build-essential pkg-config meson ninja-build libpcap-dev
libjansson-dev uthash-dev zlib1g-dev libzstd-dev mandoc python3
python3-jsonschema tshark tcptrace tcpdump iproute2 nftables ethtool jq
zstd libxml2-utils chromium clang libclang-rt-14-dev valgrind iperf3"
missing=""
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	sudo=""
	[ "$(id -u)" -ne 0 ] && sudo=sudo
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq
	# shellcheck disable=SC2086
	$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

if [ -d "$builddir" ]; then
	meson setup --reconfigure "$builddir" "$@" >/dev/null
else
	meson setup "$builddir" "$@" >/dev/null
fi
ninja -C "$builddir" >/dev/null
