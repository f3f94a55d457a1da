#!/bin/sh
# The HTML report (--html) in a real browser: headless Chromium opens the
# report of a few captures, and of a generated capture of 10,000
# connections, takes a screenshot and dumps the DOM after the page's
# script ran.  Checks: the screenshot is not blank (many colours, no
# single colour covering the page), no console error, the page's script
# finished (data-ready), the flows table is there with one row per
# connection of the JSON report, sorting by a column works ("#sort=4-":
# duration, longest first), the graphs of the worst flows are inline, and
# the page needs nothing from outside (no external URL, script, style or
# font).  Skipped (77) without Chromium.
#
# usage: browser-test.sh TCPSIGHT SRCROOT
set -u
tcpsight=$1
src=$2
here=$(dirname "$0")

browser=""
for b in chromium chromium-browser google-chrome; do
	if command -v "$b" >/dev/null 2>&1; then
		browser=$(command -v "$b")
		break
	fi
done
if [ -z "$browser" ]; then
	echo "chromium not installed: skipped"
	exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# One headless run; every run gets a fresh profile and a time limit.
chrome() {
	profile=$(mktemp -d "$tmp/profile.XXXXXX")
	timeout -k 10 180 "$browser" --headless --no-sandbox --disable-gpu \
	    --no-first-run --disable-background-networking \
	    --disable-component-update --disable-sync --disable-extensions \
	    --disable-dev-shm-usage --hide-scrollbars --user-data-dir="$profile" \
	    --enable-logging=stderr --v=0 "$@"
}

fail=0
python3 "$here/make-many-flows.py" "$tmp/many.pcap" 10000 || exit 1

# NAME, then the captures.
check() {
	name=$1
	shift
	html="$tmp/$name.html"
	if ! "$tcpsight" -F json --html "$html" "$@" >"$tmp/$name.json" \
	    2>"$tmp/$name.stderr"; then
		echo "FAIL $name: tcpsight exit $?: $(cat "$tmp/$name.stderr")"
		fail=1
		return
	fi
	chrome --window-size=1400,1000 --screenshot="$tmp/$name.png" \
	    "file://$html" >"$tmp/$name.shot.out" 2>"$tmp/$name.shot.err"
	rc=$?
	if [ $rc -ne 0 ] || [ ! -s "$tmp/$name.png" ]; then
		echo "FAIL $name: no screenshot (exit $rc)"
		tail -5 "$tmp/$name.shot.err"
		fail=1
		return
	fi
	chrome --window-size=1400,1000 --dump-dom "file://$html#sort=4-" \
	    >"$tmp/$name.dom" 2>"$tmp/$name.dom.err"
	rc=$?
	if [ $rc -ne 0 ] || [ ! -s "$tmp/$name.dom" ]; then
		echo "FAIL $name: no DOM (exit $rc)"
		tail -5 "$tmp/$name.dom.err"
		fail=1
		return
	fi
	if ! python3 - "$name" "$tmp" <<'PY'
import json
import re
import struct
import sys
import zlib

name, tmp = sys.argv[1], sys.argv[2]
base = '%s/%s' % (tmp, name)
problems = []


def png_pixels(path):
    """(width, height, list of pixel tuples) of an 8-bit RGB(A) PNG."""
    try:
        from PIL import Image
        im = Image.open(path).convert('RGB')
        return im.size[0], im.size[1], list(im.getdata())
    except ImportError:
        pass
    data = open(path, 'rb').read()
    assert data[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    pos, idat = 8, b''
    while pos < len(data):
        length, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b'IHDR':
            w, h, depth, ctype = struct.unpack('>IIBB', body[:10])
        elif kind == b'IDAT':
            idat += body
        pos += 12 + length
    assert depth == 8 and ctype in (2, 6), 'PNG type %d/%d' % (depth, ctype)
    bpp = 3 if ctype == 2 else 4
    raw, stride = zlib.decompress(idat), w * bpp
    prev, pixels, i = bytearray(stride), [], 0
    for _ in range(h):
        f, row = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = row[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if f == 1:
                row[x] = (row[x] + a) & 255
            elif f == 2:
                row[x] = (row[x] + b) & 255
            elif f == 3:
                row[x] = (row[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[x] = (row[x] + (a if pa <= pb and pa <= pc else
                                    b if pb <= pc else c)) & 255
        pixels.extend(tuple(row[x:x + 3]) for x in range(0, stride, bpp))
        prev = row
    return w, h, pixels


w, h, pixels = png_pixels(base + '.png')
counts = {}
for p in pixels:
    counts[p] = counts.get(p, 0) + 1
top = max(counts.values()) / float(len(pixels))
if len(counts) < 20 or top > 0.97:
    problems.append('screenshot looks blank: %d colours, the commonest on %.0f%%'
                    % (len(counts), top * 100))

for log in ('.shot.err', '.dom.err'):
    for line in open(base + log, errors='replace'):
        if 'CONSOLE' in line or 'Uncaught' in line:
            problems.append('console: ' + line.strip()[:300])

doc = json.load(open(base + '.json'))
flows = doc['flows']
dom = open(base + '.dom', errors='replace').read()
if 'data-ready="yes"' not in dom:
    problems.append("the page's script did not finish")
m = re.search(r'<table[^>]*id="flow-table".*?<tbody>(.*?)</tbody>', dom, re.S)
if not m:
    problems.append('no flows table in the DOM')
else:
    rows = re.findall(r'<tr[^>]*>(.*?)</tr>', m.group(1), re.S)
    if len(rows) != len(flows):
        problems.append('%d table rows for %d flows' % (len(rows), len(flows)))
    durations = []
    for r in rows:
        cells = re.findall(r'<td\b([^>]*)>', r)
        if len(cells) < 10:
            problems.append('a row with %d cells' % len(cells))
            break
        v = re.search(r'data-v="([^"]*)"', cells[4])
        durations.append(float(v.group(1)) if v else float('nan'))
    if durations != sorted(durations, reverse=True):
        problems.append('#sort=4- did not sort by duration, longest first')
    if 'aria-sort="descending"' not in dom:
        problems.append('no sorted column marked')

html = open(base + '.html', errors='replace').read()
graphed = [f for f in flows if any(
    f[d]['payload_bytes'] > 0 and d in f.get('diagnosis', {}) for d in ('c2s', 's2c'))]
want = min(len(graphed), 20)
articles = len(re.findall(r'<article class="flow"', html))
if articles != want:
    problems.append('%d flows graphed, expected %d' % (articles, want))
if want and html.count('<svg') < 2 * want:
    problems.append('%d inline graphs for %d flows' % (html.count('<svg'), want))
for bad in (r'<link\b', r'<img\b', r'<iframe\b', r'<script[^>]*\bsrc=',
            r'@import', r'url\((?!#)', r'(?:src|href)="(?!#)[a-z]+:',
            r'fetch\(', r'XMLHttpRequest'):
    if re.search(bad, html):
        problems.append('external resource or fetch: %s' % bad)

for p in problems:
    print('FAIL %s: %s' % (name, p))
print('%s: %d flows, %d graphed, screenshot %dx%d with %d colours%s'
      % (name, len(flows), articles, w, h, len(counts),
         '' if problems else ': ok'))
sys.exit(1 if problems else 0)
PY
	then
		fail=1
	fi
}

check slow-reader "$src/testdata/diagnosis/slow-reader.pcap"
check three "$src/testdata/diagnosis/slow-reader.pcap" "$src/testdata/loss.pcap" \
    "$src/testdata/zero-window.pcap"
check diagnosis "$src"/testdata/diagnosis/*.pcap
check many "$tmp/many.pcap"
if [ -n "${KEEP_SCREENSHOTS:-}" ]; then
	mkdir -p "$KEEP_SCREENSHOTS" && cp "$tmp"/*.png "$tmp"/*.html "$KEEP_SCREENSHOTS"/
fi
exit $fail
