#!/usr/bin/env python3
"""The pictures (--plot): on the small captures, every SVG is valid XML
(xml.etree, and xmllint --noout when installed) and has the structure the
report promises: one time-sequence and one window graph per flow and
direction that carried data, and nothing else; as many retransmission
marks (class "retrans") as the direction's retransmitted data segments
(the report's retransmitted_segments on the named captures, capped at the
series' mark limit); zero-window shading iff the diagnosis counted
zero-window episodes; a title naming both endpoints, the direction and
the verdict; both axis labels and tick labels; a legend.  Then --flow and
--plot-top choose the right flows, bad options fail, and the report on
standard output is the same with --plot or --html as without.  Every
capture in the directory is also drawn, for validity.

usage: check-svg.py TCPSIGHT TESTDATA-DIR
"""
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SVG = '{http://www.w3.org/2000/svg}'
MARK_LIMIT = 1024       # SERIES_MAX_MARKS
# Captures whose marks must equal the report's retransmitted_segments
# (every retransmission in them carries data).
NAMED = ['loss.pcap', 'zero-window.pcap', 'diagnosis/slow-reader.pcap']

failures = []


def fail(msg):
    failures.append(msg)
    print('FAIL', msg)


def run(args, check=True):
    res = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if check and res.returncode not in (0, 2):
        fail('%s: exit %d: %s' % (' '.join(args), res.returncode, res.stderr.strip()))
    return res


def classes(el):
    return el.get('class', '').split()


def count_class(root, name):
    return sum(1 for el in root.iter() if name in classes(el))


def text_of(el):
    return ''.join(el.itertext())


def endpoint(ep):
    return ('[%s]:%d' if ':' in ep['addr'] else '%s:%d') % (ep['addr'], ep['port'])


def check_svg(path, flow, dname, kind, xmllint, exact_retx):
    """Structure of one graph file."""
    name = os.path.basename(path)
    if xmllint:
        res = subprocess.run([xmllint, '--noout', path], capture_output=True,
                             text=True, timeout=60)
        if res.returncode != 0:
            fail('%s: xmllint: %s' % (name, res.stderr.strip()))
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as e:
        fail('%s: not XML: %s' % (name, e))
        return
    if root.tag != SVG + 'svg':
        fail('%s: root is %s' % (name, root.tag))
        return
    for attr in ('width', 'height', 'viewBox'):
        if not root.get(attr):
            fail('%s: no %s' % (name, attr))
    if 'graph-' + kind not in classes(root):
        fail('%s: root class %r lacks %s' % (name, root.get('class'), kind))

    titles = [el for el in root.iter(SVG + 'text') if 'title' in classes(el)]
    if len(titles) != 1:
        fail('%s: %d title elements' % (name, len(titles)))
    else:
        t = text_of(titles[0])
        diag = flow['diagnosis'][dname]
        for want in (endpoint(flow['client']), endpoint(flow['server']), dname,
                     diag['verdict'], 'flow %d' % flow['id']):
            if want not in t:
                fail('%s: title %r lacks %r' % (name, t, want))

    labels = {c: [el for el in root.iter(SVG + 'text')
                  if 'axis-label' in classes(el) and c in classes(el)]
              for c in ('x', 'y')}
    for c, els in labels.items():
        if len(els) != 1 or not text_of(els[0]).strip():
            fail('%s: %s axis label missing' % (name, c))
    if labels['x'] and not re.search(r'\((s|ms)\)', text_of(labels['x'][0])):
        fail('%s: time axis without unit: %r' % (name, text_of(labels['x'][0])))
    for c in ('x', 'y'):
        groups = [g for g in root.iter(SVG + 'g')
                  if 'axis' in classes(g) and c in classes(g)]
        ticks = [text_of(t) for g in groups for t in g.iter(SVG + 'text')]
        if len(ticks) < 2:
            fail('%s: %s axis has %d tick labels' % (name, c, len(ticks)))
        if c == 'y' and not any(re.search(r'\d (B|KB|MB)$', t) for t in ticks):
            fail('%s: byte axis without units: %r' % (name, ticks))
    legend = [g for g in root.iter(SVG + 'g') if 'legend' in classes(g)]
    if len(legend) != 1 or len(list(legend[0].iter(SVG + 'text'))) < 2:
        fail('%s: no legend' % name)

    diag = flow['diagnosis'][dname]
    zw = count_class(root, 'zero-window')
    if (zw > 0) != (diag['zero_window_count'] > 0):
        fail('%s: %d zero-window shadings, zero_window_count %d'
             % (name, zw, diag['zero_window_count']))
    if kind == 'tsg':
        marks = count_class(root, 'retrans')
        series = diag['series']
        want = len(series['retransmissions'])
        if marks != want:
            fail('%s: %d retransmission marks, series has %d' % (name, marks, want))
        if exact_retx:
            retx = min(flow[dname]['retransmitted_segments'], MARK_LIMIT)
            if marks != retx:
                fail('%s: %d retransmission marks, report says %d'
                     % (name, marks, retx))
        if count_class(root, 'data') != 1 or count_class(root, 'ack') != 1 \
                or count_class(root, 'right-edge') != 1:
            fail('%s: data, ACK or right-edge path missing' % name)
    else:
        if count_class(root, 'window') != 1 or count_class(root, 'inflight') != 1:
            fail('%s: window or in-flight path missing' % name)


def expected_files(doc):
    """{file name: (flow, dir)} for every direction with data."""
    out = {}
    for fl in doc['flows']:
        for d in ('c2s', 's2c'):
            if fl[d]['payload_bytes'] > 0 and d in fl.get('diagnosis', {}):
                for kind in ('tsg', 'window'):
                    out['flow-%d-%s-%s.svg' % (fl['id'], d, kind)] = (fl, d, kind)
    return out


def check_capture(tcpsight, path, tmp, xmllint, exact):
    """Draw every flow of one capture and check each file."""
    outdir = os.path.join(tmp, 'plot-' + os.path.basename(path))
    res = run([tcpsight, '-F', 'json', '--series', '--plot', outdir, path],
              check=False)
    if res.returncode not in (0, 2):
        return 0        # not a capture tcpsight can read: no report either
    doc = json.loads(res.stdout)
    want = expected_files(doc)
    got = set(os.listdir(outdir))
    if got != set(want):
        fail('%s: files %s, expected %s' % (path, sorted(got), sorted(want)))
    for fname in sorted(got & set(want)):
        fl, d, kind = want[fname]
        check_svg(os.path.join(outdir, fname), fl, d, kind, xmllint, exact)
    return len(got)


def same_report(tcpsight, path, tmp):
    """The report on stdout does not change with the pictures."""
    for fmt in ('json', 'text', 'ndjson'):
        base = run([tcpsight, '-F', fmt, path]).stdout
        pict = run([tcpsight, '-F', fmt, '--plot', os.path.join(tmp, 'same'),
                    '--html', os.path.join(tmp, 'same.html'), path]).stdout
        if base != pict:
            fail('%s: -F %s report differs with --plot/--html' % (path, fmt))
        if fmt == 'json':
            want = set(expected_files(json.loads(base)))
            got = set(os.listdir(os.path.join(tmp, 'same')))
            if got != want:
                fail('%s: --plot with --html wrote %s, expected %s'
                     % (path, sorted(got), sorted(want)))
        shutil.rmtree(os.path.join(tmp, 'same'), ignore_errors=True)
    base = run([tcpsight, '-F', 'json', '--series', path]).stdout
    pict = run([tcpsight, '-F', 'json', '--series', '--plot',
                os.path.join(tmp, 'same2'), path]).stdout
    if base != pict:
        fail('%s: --series report differs with --plot' % path)


def check_selection(tcpsight, testdata, tmp):
    """--flow by id and by endpoints, --plot-top, and bad options."""
    caps = [os.path.join(testdata, n) for n in NAMED]
    doc = json.loads(run([tcpsight, '-F', 'json'] + caps).stdout)
    stall = {}
    for fl in doc['flows']:
        s = 0
        for d, dg in fl.get('diagnosis', {}).items():
            sh = dg['shares']
            s += (sh['receiver_limited'] + dg['loss_recovery_share']) * dg['transfer_seconds']
        stall[fl['id']] = s
    worst = max(stall, key=lambda i: (stall[i], -i))

    def ids(outdir):
        if not os.path.isdir(outdir):
            return []
        return sorted({int(f.split('-')[1]) for f in os.listdir(outdir)})

    out = os.path.join(tmp, 'top1')
    run([tcpsight, '--plot', out, '--plot-top', '1'] + caps)
    if ids(out) != [worst]:
        fail('--plot-top 1 drew flows %s, the most stalled is %d' % (ids(out), worst))
    out = os.path.join(tmp, 'top2', 'nested')
    run([tcpsight, '--plot', out, '--plot-top', '2'] + caps)
    best2 = sorted(sorted(stall, key=lambda i: (-stall[i], i))[:2])
    if ids(out) != best2:
        fail('--plot-top 2 drew flows %s, expected %s' % (ids(out), best2))
    fl = doc['flows'][1]
    out = os.path.join(tmp, 'one')
    run([tcpsight, '--plot', out, '--flow', str(fl['id'])] + caps)
    if ids(out) != [fl['id']]:
        fail('--flow %d drew flows %s' % (fl['id'], ids(out)))
    spec = '%s-%s' % (endpoint(fl['server']), endpoint(fl['client']))
    out = os.path.join(tmp, 'byaddr')
    run([tcpsight, '--plot', out, '--flow', spec] + caps)
    if ids(out) != [fl['id']]:
        fail('--flow %s drew flows %s' % (spec, ids(out)))

    for bad in (['--flow', 'x'], ['--plot-top', '3'],
                ['--plot', os.path.join(tmp, 'x'), '--plot-top', '0'],
                ['--plot', os.path.join(tmp, 'x'), '--flow', '1.2.3.4:5'],
                ['--plot', os.path.join(caps[0], 'sub')]):
        res = run([tcpsight] + bad + [caps[0]], check=False)
        if res.returncode != 1 or not res.stderr.strip():
            fail('%s: exit %d, stderr %r (expected 1 and a message)'
                 % (' '.join(bad), res.returncode, res.stderr))


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 1
    tcpsight, testdata = sys.argv[1], sys.argv[2]
    xmllint = shutil.which('xmllint')
    if not xmllint:
        print('note: xmllint not installed; checking with xml.etree only')
    with tempfile.TemporaryDirectory() as tmp:
        files = 0
        for n in NAMED:
            files += check_capture(tcpsight, os.path.join(testdata, n), tmp,
                                   xmllint, True)
            same_report(tcpsight, os.path.join(testdata, n), tmp)
        if files < 6:
            fail('only %d graphs from the named captures' % files)
        others = sorted(set(glob.glob(os.path.join(testdata, '*.pcap*')) +
                            glob.glob(os.path.join(testdata, '*', '*.pcap*'))) -
                        {os.path.join(testdata, n) for n in NAMED})
        for path in others:
            files += check_capture(tcpsight, path, tmp, xmllint, False)
        check_selection(tcpsight, testdata, tmp)
    print('%d graphs checked, %d failures' % (files, len(failures)))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
