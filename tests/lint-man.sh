#!/bin/sh
# The man page passes mandoc's linter with no warning.
command -v mandoc >/dev/null || { echo "SKIP: mandoc is not installed"; exit 77; }
out=$(mandoc -T lint -W warning "$1" 2>&1)
[ -z "$out" ] && { echo "mandoc -T lint: clean"; exit 0; }
echo "$out"
exit 1
