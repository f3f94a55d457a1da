#!/bin/sh
# Packing idle connections (--pack-idle) must not change the report: with
# every connection idle for a second packed, and unpacked at its next
# segment, the output must be byte for byte the one of --pack-idle 0,
# apart from the table's own counters (records allocated, packing
# counters).  On every bundled capture and on a generated one where
# thousands of connections are packed and hundreds unpacked; with
# evictions and timeouts ending packed connections.  Run from the
# source root.
# usage: check-pack.sh TCPSIGHT GENCAP
set -u
tcpsight=$1 gencap=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0 runs=0

# The table's counters, which packing changes by design.
strip() {
	sed -E 's/"(records_allocated|peak_unpacked|peak_packed|peak_packed_bytes|packs|unpacks)": ?[0-9]+,?//g' "$1"
}

# same NAME ARGS...: run with --pack-idle 0 and 1, compare.
same() {
	name=$1; shift
	"$tcpsight" --pack-idle 0 "$@" >"$work/0.out" 2>"$work/0.err" </dev/null
	rc0=$?
	"$tcpsight" --pack-idle 1 "$@" >"$work/1.out" 2>"$work/1.err" </dev/null
	rc1=$?
	runs=$((runs + 1))
	strip "$work/0.out" >"$work/0.cmp"
	strip "$work/1.out" >"$work/1.cmp"
	if [ $rc0 != $rc1 ] || ! cmp -s "$work/0.cmp" "$work/1.cmp" ||
	    ! cmp -s "$work/0.err" "$work/1.err"; then
		echo "FAIL: $name: exit $rc0 vs $rc1"
		diff "$work/0.cmp" "$work/1.cmp" | head -5
		diff "$work/0.err" "$work/1.err" | head -5
		fail=1
	fi
}

# counter NAME FILE: a flow_table counter of an NDJSON report's summary.
counter() {
	tail -n 1 "$2" | python3 -c '
import json, sys
print(json.load(sys.stdin)["summary"]["flow_table"][sys.argv[1]])' "$1"
}

for f in $(find testdata -type f ! -name '*.json' ! -name '*.md' | sort); do
	same "$f ndjson" -F ndjson --events "$f"
done
echo "bundled captures: $runs runs compared"

# 5,000 connections over 36 s of capture time.
"$gencap" --flows 5000 --packets 300000 --seed 7 -o "$work/gen.pcap" \
    >/dev/null 2>&1 || { echo "cannot generate the capture"; exit 1; }
same "generated ndjson" -F ndjson --events "$work/gen.pcap"
same "generated json" -F json --events --series "$work/gen.pcap"
same "generated text" -F text "$work/gen.pcap"
same "generated, 300 at most" -F ndjson --events --max-flows 300 "$work/gen.pcap"
same "generated, short timeouts" -F ndjson --events --timeout-closed 3 \
    --timeout-established 4 --timeout-opening 4 "$work/gen.pcap"
same "generated, flow detail" -F text --flow 1234 "$work/gen.pcap"

# The comparison means something only if packing happened.
"$tcpsight" --pack-idle 1 -F ndjson "$work/gen.pcap" >"$work/p.out"
packs=$(counter packs "$work/p.out") unpacks=$(counter unpacks "$work/p.out")
echo "generated capture: $packs packs, $unpacks unpacks with --pack-idle 1"
if [ "$packs" -lt 1000 ] || [ "$unpacks" -lt 100 ]; then
	echo "FAIL: too little packing to compare"
	fail=1
fi
"$tcpsight" --pack-idle 1 -F ndjson --max-flows 300 "$work/gen.pcap" >"$work/p.out"
[ "$(counter evicted "$work/p.out")" -gt 0 ] || { echo "FAIL: no eviction"; fail=1; }
"$tcpsight" --pack-idle 0 -F ndjson "$work/gen.pcap" >"$work/p.out"
[ "$(counter packs "$work/p.out")" = 0 ] || { echo "FAIL: --pack-idle 0 packed"; fail=1; }

# A bad value is refused.
if "$tcpsight" --pack-idle x testdata/loss.pcap >/dev/null 2>&1; then
	echo "FAIL: --pack-idle x accepted"
	fail=1
fi
echo "$runs runs compared"
exit $fail
