#!/bin/sh
# Run every command of the man page's EXAMPLES section: the lines that
# begin with "$ " inside literal displays.  Each must exit 0 (or 2 where
# the example says the input is damaged) and print something.  "tcpsight"
# at the start of a command, or after a pipe, is the binary under test.
set -u
tcpsight=$1 page=$2
bindir=$(mktemp -d)
trap 'rm -rf "$bindir"' EXIT
ln -s "$(realpath "$tcpsight")" "$bindir/tcpsight"
PATH="$bindir:$PATH"
export PATH TZ=UTC

cmds=$(awk '/^\.Sh EXAMPLES/ { ex = 1; next } /^\.Sh / { ex = 0 }
	ex && /^\.Bd -literal/ { lit = 1; next } /^\.Ed/ { lit = 0 }
	ex && lit && /^\$ / { sub(/^\$ /, ""); gsub(/\\e/, "\\"); print }' "$page")
[ -n "$cmds" ] || { echo "no examples found in $page"; exit 1; }
fail=0 n=0
echo "$cmds" | {
	while IFS= read -r cmd; do
		n=$((n + 1))
		out=$(bash -o pipefail -c "$cmd" 2>&1)
		rc=$?
		if [ $rc -ne 0 ] || [ -z "$out" ]; then
			echo "FAIL (exit $rc): $cmd"
			echo "$out" | head -5
			fail=1
		else
			echo "ok: $cmd"
		fi
	done
	echo "$n examples run"
	exit $fail
}
