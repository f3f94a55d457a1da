#!/bin/sh
# --threads 2 reads and decodes files on a second thread: the report must
# be byte for byte the one thread's (same standard output, standard error
# and exit status), on every bundled capture, on a generated one large
# enough for the reading ring to wrap many times, with -c stopping inside
# a file and across files, compressed, and on a file cut in the middle of
# a record.  Run from the source root.
# usage: check-threads.sh TCPSIGHT GENCAP
set -u
tcpsight=$1 gencap=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0 runs=0

# same NAME ARGS...: run with --threads 1 and 2, compare everything.
same() {
	name=$1; shift
	"$tcpsight" --threads 1 "$@" >"$work/1.out" 2>"$work/1.err" </dev/null
	rc1=$?
	"$tcpsight" --threads 2 "$@" >"$work/2.out" 2>"$work/2.err" </dev/null
	rc2=$?
	runs=$((runs + 1))
	if [ $rc1 != $rc2 ] || ! cmp -s "$work/1.out" "$work/2.out" ||
	    ! cmp -s "$work/1.err" "$work/2.err"; then
		echo "FAIL: $name: exit $rc1 vs $rc2"
		cmp "$work/1.out" "$work/2.out"
		diff "$work/1.err" "$work/2.err" | head -5
		fail=1
	fi
}

for f in $(find testdata -type f ! -name '*.json' ! -name '*.md' | sort); do
	same "$f ndjson" -F ndjson --events "$f"
	same "$f json" -F json --events "$f"
done
echo "bundled captures: $runs runs compared"

# 300,000 frames: the 65,536-frame ring wraps four times.
"$gencap" --flows 5000 --packets 300000 --seed 7 -o "$work/gen.pcap" \
    >/dev/null 2>&1 || { echo "cannot generate the capture"; exit 1; }
same "generated ndjson" -F ndjson --events "$work/gen.pcap"
same "generated json" -F json --events "$work/gen.pcap"
same "generated text" -F text "$work/gen.pcap"
same "-c inside the file" -F ndjson --events -c 100003 "$work/gen.pcap"
same "-c across files" -F ndjson --events -c 300050 "$work/gen.pcap" \
    testdata/loss.pcap
same "two files" -F json "$work/gen.pcap" testdata/loss.pcap "$work/gen.pcap"

# -c must stop at exactly that frame, with the run marked interrupted.
"$tcpsight" --threads 2 -F json -c 100003 "$work/gen.pcap" | python3 -c '
import json, sys
c = json.load(sys.stdin)["capture"]
sys.exit(not (c["packets"] == 100003 and c["interrupted"]))' ||
	{ echo "FAIL: -c 100003 with --threads 2"; fail=1; }

# Standard input is read in one thread whatever --threads says.
"$tcpsight" --threads 1 -F ndjson --events - <"$work/gen.pcap" >"$work/in1" 2>&1
"$tcpsight" --threads 2 -F ndjson --events - <"$work/gen.pcap" >"$work/in2" 2>&1
cmp -s "$work/in1" "$work/in2" || { echo "FAIL: standard input"; fail=1; }

# Compressed on disk: read ahead too.
gzip -c "$work/gen.pcap" >"$work/gen.pcap.gz"
same "generated gzip" -F ndjson --events "$work/gen.pcap.gz"

# Cut in the middle of a record, past the first wraps of the ring.
size=$(wc -c <"$work/gen.pcap")
head -c $((size * 7 / 10 + 5)) "$work/gen.pcap" >"$work/cut.pcap"
same "cut file" -F ndjson --events "$work/cut.pcap"
grep -q "damaged after frame" "$work/2.err" ||
	{ echo "FAIL: the cut file is not reported damaged"; fail=1; }

for bad in 0 3 two; do
	if "$tcpsight" --threads $bad testdata/loss.pcap >/dev/null 2>&1; then
		echo "FAIL: --threads $bad accepted"; fail=1
	fi
done

[ $fail = 0 ] && echo "ok: --threads 2 gives the same report in all $runs runs"
exit $fail
