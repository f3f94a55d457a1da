#!/bin/sh
# Build the libFuzzer targets of tests/fuzz/ with clang under ASan+UBSan.
#
# usage: tests/fuzz/build.sh [OUTDIR]        (default: build-fuzz/ at the root)
#
# Compiles src/*.c except src/main.c with -fsanitize=fuzzer-no-link,
# address,undefined (UBSan findings abort, so libFuzzer reports them),
# then links each tests/fuzz/fuzz-*.c with -fsanitize=fuzzer.  Needs
# clang and its runtime (Debian: apt-get install -y clang
# libclang-rt-14-dev or the matching version), libpcap, jansson and
# uthash headers.  CC overrides the compiler.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${1:-$root/build-fuzz}
cc=${CC:-clang}
mkdir -p "$out/obj"

san='-fsanitize=address,undefined -fno-sanitize-recover=undefined'
# Same warnings and defines as meson.build; -g for readable stacks.
cflags="-std=c11 -g -O1 -fno-omit-frame-pointer -D_DEFAULT_SOURCE \
-DTCPSIGHT_VERSION=\"fuzz\" -Wall -Wextra -Wno-unused-parameter \
-I$root/include -I$root/src $(pkg-config --cflags libpcap jansson 2>/dev/null || true)"
# Link what meson.build links: every dependency('NAME') it names.
deps=$(sed -n "s/.*dependency('\([^']*\)'.*/\1/p" "$root/meson.build" | sort -u)
libs=
for d in $deps; do
	[ "$d" = threads ] && continue	# meson's name for -pthread
	libs="$libs $(pkg-config --libs "$d" 2>/dev/null || echo "-l${d#lib}")"
done
libs="$libs -lm -pthread"

objs=
for src in "$root"/src/*.c; do
	name=$(basename "$src" .c)
	[ "$name" = main ] && continue
	obj="$out/obj/$name.o"
	# Rebuild when the source or any header is newer than the object.
	if [ ! -f "$obj" ] || [ -n "$(find "$src" "$root/include" "$root/src" \
	    -name '*.h' -newer "$obj" -o -path "$src" -newer "$obj" | head -1)" ]; then
		# shellcheck disable=SC2086
		$cc $cflags $san -fsanitize=fuzzer-no-link -c "$src" -o "$obj"
	fi
	objs="$objs $obj"
done

for h in "$here"/fuzz-*.c; do
	name=$(basename "$h" .c)
	# shellcheck disable=SC2086
	$cc $cflags $san -fsanitize=fuzzer "$h" $objs $libs -o "$out/$name"
	echo "built $out/$name"
done
