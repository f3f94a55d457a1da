#!/bin/sh
# The JSON document keeps finished flows in a temporary file; without a
# writable /tmp, or when /tmp fills up halfway, it must keep them in
# memory and write the same document.  Needs root (a private mount
# namespace with a read-only, then a full, /tmp): exit 77 otherwise.
# Run from the source root.  usage: check-doc-no-tmp.sh TCPSIGHT
set -u
tcpsight=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
	echo "SKIP: needs root and unshare(1) for a read-only /tmp"
	exit 77
fi
out=$(mktemp -d /var/tmp/tcpsight-notmp.XXXXXX)
trap 'rm -rf "$out"' EXIT
set -- testdata/loss.pcap testdata/zero-window.pcap testdata/rst-abort.pcap
"$tcpsight" -F json --events "$@" > "$out/normal.json"
if ! unshare -m sh -c 'mount -t tmpfs -o ro none /tmp && ! touch /tmp/x 2>/dev/null &&
    "$0" -F json --events "$@"' "$tcpsight" "$@" > "$out/notmp.json" 2> "$out/err"; then
	if grep -q "mount" "$out/err"; then
		echo "SKIP: cannot mount a read-only /tmp here: $(cat "$out/err")"
		exit 77
	fi
	echo "tcpsight failed without a writable /tmp:"; cat "$out/err"; exit 1
fi
if ! cmp -s "$out/normal.json" "$out/notmp.json"; then
	echo "the document differs without a writable /tmp:"
	diff "$out/normal.json" "$out/notmp.json" | head -20
	exit 1
fi
echo "document without a writable /tmp: identical ($(wc -c < "$out/normal.json") bytes)"

# A /tmp that fills up after the first megabytes of flows: 3000 short
# connections make ~20 MB of document text; a 4 MB /tmp takes some of it.
python3 tests/make-many-flows.py "$out/many.pcap" 3000
"$tcpsight" -F json "$out/many.pcap" > "$out/many-normal.json"
if ! unshare -m sh -c 'mount -t tmpfs -o size=4m none /tmp &&
    "$0" -F json "$1"' "$tcpsight" "$out/many.pcap" > "$out/many-full.json" 2> "$out/err"; then
	echo "tcpsight failed when /tmp filled up:"; cat "$out/err"; exit 1
fi
if ! cmp -s "$out/many-normal.json" "$out/many-full.json"; then
	echo "the document differs when /tmp fills up:"
	cmp "$out/many-normal.json" "$out/many-full.json"
	exit 1
fi
echo "document when /tmp fills up: identical ($(wc -c < "$out/many-normal.json") bytes)"
