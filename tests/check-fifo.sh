#!/bin/sh
# A plain capture read from a FIFO (or a shell's <(...)) cannot seek
# back over its magic bytes: it must still give the same report as the
# file, minus the file name.  Run from the source root.
# usage: check-fifo.sh TCPSIGHT
set -u
tcpsight=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
for f in testdata/loss.pcap testdata/compressed/loss.pcap.gz; do
	mkfifo "$dir/fifo"
	cat "$f" > "$dir/fifo" &
	"$tcpsight" -F json "$dir/fifo" > "$dir/fifo.json" 2> "$dir/err"
	rc=$?
	wait
	"$tcpsight" -F json "$f" > "$dir/file.json"
	# Everything but the file name must match.
	if [ $rc != 0 ] || ! python3 -c '
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for d in (a, b):
    d["capture"]["files"] = []
sys.exit(a != b)' "$dir/fifo.json" "$dir/file.json"; then
		echo "$f through a FIFO: exit $rc, report differs from the file's"
		cat "$dir/err"
		fail=1
	else
		echo "$f through a FIFO: same report"
	fi
	rm -f "$dir/fifo"
done
exit $fail
