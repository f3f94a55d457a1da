#!/bin/sh
# Golden test: run tcpsight on one TESTLIST case and compare its standard
# output, standard error and exit status with the reviewed files in
# tests/golden/.  Run from the source root.
#
# usage: run-golden.sh TCPSIGHT NAME            compare one case
#        run-golden.sh TCPSIGHT NAME --update   rewrite its expected files
#        run-golden.sh TCPSIGHT --update-all    rewrite every case
# Expected files: golden/NAME.out (stdout), golden/NAME.err (stderr, only
# when non-empty); TESTLIST gives the expected exit status.
set -u
tcpsight=$1
name=${2:-}
update=${3:-}
here=$(dirname "$0")
export TZ=UTC LC_ALL=C

if [ "$name" = "--update-all" ]; then
	grep -v '^#' "$here/TESTLIST" | awk 'NF { print $1 }' | while read -r n; do
		"$0" "$tcpsight" "$n" --update || exit 1
	done
	exit 0
fi

line=$(awk -v n="$name" '$1 == n' "$here/TESTLIST")
if [ -z "$line" ]; then
	echo "no case '$name' in TESTLIST" >&2
	exit 1
fi
# Fields: name, expected exit status, then the arguments (split by the shell).
status_want=$(echo "$line" | awk '{ print $2 }')
args=$(echo "$line" | cut -f3- -d' ' | sed 's/^ *[^ ]* *//')
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT
# TCPSIGHT_WRAPPER runs tcpsight under a tool (CI: valgrind's memcheck,
# quiet, so a clean run adds nothing to standard error).
# shellcheck disable=SC2086
eval "${TCPSIGHT_WRAPPER:-} \"$tcpsight\" $args" >"$out" 2>"$err" </dev/null
status=$?

if [ "$update" = "--update" ]; then
	cp "$out" "$here/golden/$name.out"
	if [ -s "$err" ]; then cp "$err" "$here/golden/$name.err"; else rm -f "$here/golden/$name.err"; fi
	if [ "$status" != "$status_want" ]; then
		echo "$name: exit status $status, TESTLIST says $status_want: fix TESTLIST" >&2
		exit 1
	fi
	echo "updated $name"
	exit 0
fi

fail=0
if [ ! -f "$here/golden/$name.out" ]; then
	echo "$name: no expected output golden/$name.out (run with --update and review it)"
	exit 1
fi
if ! diff -u "$here/golden/$name.out" "$out"; then
	echo "$name: standard output differs from golden/$name.out"
	fail=1
fi
if [ -f "$here/golden/$name.err" ]; then
	if ! diff -u "$here/golden/$name.err" "$err"; then
		echo "$name: standard error differs from golden/$name.err"
		fail=1
	fi
elif [ -s "$err" ]; then
	echo "$name: unexpected standard error:"
	cat "$err"
	fail=1
fi
if [ "$status" != "$status_want" ]; then
	echo "$name: exit status $status, expected $status_want"
	fail=1
fi
[ $fail = 0 ] && echo "$name: ok"
exit $fail
