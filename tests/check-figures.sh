#!/bin/sh
# The README's graphs (man/figures/) are tcpsight's own output: remake
# them from the bundled capture and compare byte for byte.  Run from the
# source root.  usage: check-figures.sh TCPSIGHT
set -u
tcpsight=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$tcpsight" -q -F json -o /dev/null --plot "$dir" testdata/diagnosis/slow-reader.pcap || {
	echo "tcpsight --plot failed"; exit 1; }
fail=0
for pair in "flow-0-s2c-window.svg slow-reader-window.svg" "flow-0-s2c-tsg.svg slow-reader-tsg.svg"; do
	set -- $pair
	if ! cmp -s "$dir/$1" "man/figures/$2"; then
		echo "man/figures/$2 differs from what tcpsight draws now ($1):"
		echo "  remake: build/tcpsight -F json -o /dev/null --plot DIR testdata/diagnosis/slow-reader.pcap; cp DIR/$1 man/figures/$2"
		fail=1
	fi
done
[ $fail = 0 ] && echo "figures: ok"
exit $fail
