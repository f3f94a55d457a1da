#!/bin/sh
# The progress line: on a terminal (a pseudo-terminal made by script(1))
# it appears on standard error; in a pipe, or with -q, it does not.
# usage: check-progress.sh TCPSIGHT GENCAP
set -u
tcpsight=$1 gencap=$2
command -v script >/dev/null || { echo "SKIP: script(1) is not installed"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Big enough to take more than a few progress intervals to read.
"$gencap" --flows 20000 --packets 2000000 --seed 3 -o "$work/big.pcap" >/dev/null 2>&1 ||
	{ echo "cannot generate the capture"; exit 1; }
fail=0

script -qc "'$tcpsight' -F ndjson -o /dev/null '$work/big.pcap'" "$work/tty" >/dev/null
if tr '\r' '\n' <"$work/tty" | grep -aq '% of file 1/1'; then
	echo "ok: progress line on a terminal"
else
	echo "FAIL: no progress line on a terminal"; fail=1
fi
script -qc "'$tcpsight' -q -F ndjson -o /dev/null '$work/big.pcap'" "$work/tty-q" >/dev/null
if tr '\r' '\n' <"$work/tty-q" | grep -aq '% of file'; then
	echo "FAIL: -q still shows a progress line"; fail=1
else
	echo "ok: -q shows none"
fi
"$tcpsight" -F ndjson -o /dev/null "$work/big.pcap" 2>"$work/err"
if [ -s "$work/err" ]; then
	echo "FAIL: standard error in a pipe:"; head -3 "$work/err"; fail=1
else
	echo "ok: nothing on standard error in a pipe"
fi
exit $fail
