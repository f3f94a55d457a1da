#!/usr/bin/env python3
"""--flow: the text detail of a connection agrees with its JSON flow object.

usage: check-flow-detail.py TCPSIGHT TESTDATA

For every connection of a few captures, run `tcpsight -F text --flow ID`
and `--flow ADDR:PORT-ADDR:PORT`, read the "label: value" lines back and
compare them with the same connection in `tcpsight -F json` (no --flow):
endpoints, conn_state, history, end reason, frames; per direction the
packets, bytes, payload bytes, retransmitted segments and bytes, SYN/FIN/
RST, zero-window episodes; per diagnosed direction the verdict, the
zero-window episode count and the episodes listed.  Also: `-F json --flow`
writes exactly that flow object, unchanged, with the summary of the whole
run; NDJSON likewise; a --flow that matches nothing exits 3 with a message.
"""
import json
import os
import re
import subprocess
import sys

FAILURES = []

# Capture sets read as one run each.
CAPTURES = [
    ['diagnosis/slow-reader.pcap'],
    ['diagnosis/lossy.pcap'],
    ['diagnosis/slow-reader-midstream.pcap'],
    ['loss.pcap', 'zero-window.pcap'],
    ['pcpp-raw_ip.pcap'],
    ['ipv6.pcap'],
    ['zeek-missing-syn.pcap'],
]


def fail(msg):
    FAILURES.append(msg)
    print('FAIL: ' + msg)


def run(args, status=0):
    res = subprocess.run(args, capture_output=True, text=True,
                         env=dict(os.environ, TZ='UTC', LC_ALL='C'))
    if res.returncode != status:
        fail('%s: exit %d (expected %d): %s' % (' '.join(args), res.returncode,
                                               status, res.stderr.strip()))
    return res


def endpoint(ep):
    if ':' in ep['addr']:
        return '[%s]:%d' % (ep['addr'], ep['port'])
    return '%s:%d' % (ep['addr'], ep['port'])


def parse_detail(text):
    """Connections of a detail view: {id: {'conn': {...}, 'c2s': {...},
    's2c': {...}, 'diag c2s': {...}, 'diag s2c': {...}}}, each section a dict
    of label to value; a diagnosis also gets 'episodes', its table rows."""
    conns = {}
    cur = sect = None
    for line in text.split('\n'):
        m = re.match(r'^connection (\d+): (\S+) -> (\S+)$', line)
        if m:
            cur = conns.setdefault(int(m.group(1)), {})
            sect = cur.setdefault('conn', {})
            sect['_title'] = (m.group(2), m.group(3))
            continue
        if cur is None:
            continue
        m = re.match(r'^  (c2s|s2c): sent by the (client|server)$', line)
        if m:
            sect = cur.setdefault(m.group(1), {})
            continue
        m = re.match(r'^  diagnosis of (c2s|s2c): data sent by the', line)
        if m:
            sect = cur.setdefault('diag ' + m.group(1), {'episodes': []})
            continue
        m = re.match(r'^ {2,4}([a-z][a-z0-9 /_-]*): +(.*)$', line)
        if m:
            sect[m.group(1)] = m.group(2)
            continue
        m = re.match(r'^ +\+\S+ \S+ +\S+ \S+ +(\d+) ', line)
        if m and 'episodes' in sect:
            sect['episodes'].append(int(m.group(1)))
    return conns


def byte_count(value, what):
    """The exact byte count of "12.3 KB (12345 B)" or "512 B"."""
    m = re.search(r'\((\d+) B\)', value) or re.match(r'^(\d+) B\b', value)
    if not m:
        fail('%s: no byte count in %r' % (what, value))
        return None
    return int(m.group(1))


def first_int(value):
    m = re.match(r'^(\d+)', value)
    return int(m.group(1)) if m else None


def expect(what, got, want):
    if got != want:
        fail('%s: text says %r, JSON %r' % (what, got, want))


def check_conn(where, fl, det):
    conn = det.get('conn', {})
    expect(where + ' title', conn.get('_title'),
           (endpoint(fl['client']), endpoint(fl['server'])))
    expect(where + ' client', conn.get('client'), endpoint(fl['client']))
    expect(where + ' server', conn.get('server'), endpoint(fl['server']))
    expect(where + ' ip version', conn.get('ip version'), str(fl['ip_version']))
    expect(where + ' conn_state', conn.get('conn_state', '').split(' ')[0],
           fl['conn_state'])
    expect(where + ' history', conn.get('history'), fl['history'])
    expect(where + ' end reason', conn.get('end reason'), fl['end_reason'])
    expect(where + ' state', conn.get('state', '').split(' (')[0],
           'client %s, server %s' % (fl['state']['client'], fl['state']['server']))
    expect(where + ' first frame', first_int(conn.get('first segment', '')
                                             .replace('frame ', '')),
           fl['first_frame'])
    expect(where + ' last frame', first_int(conn.get('last segment', '')
                                            .replace('frame ', '')),
           fl['last_frame'])
    for d in ('c2s', 's2c'):
        j, t = fl[d], det.get(d)
        w = '%s %s' % (where, d)
        if t is None:
            fail(w + ': no section')
            continue
        expect(w + ' packets', first_int(t.get('packets', '')), j['packets'])
        expect(w + ' data segments', first_int(t.get('data segments', '')),
               j['data_segments'])
        expect(w + ' bytes', byte_count(t.get('bytes', ''), w + ' bytes'), j['bytes'])
        expect(w + ' payload bytes', byte_count(t.get('payload bytes', ''), w),
               j['payload_bytes'])
        expect(w + ' unique bytes', byte_count(t.get('unique bytes', ''), w),
               j['unique_bytes'])
        expect(w + ' syn/fin/rst', t.get('syn / fin / rst'),
               '%d / %d / %d' % (j['syn'], j['fin'], j['rst']))
        retx = t.get('retransmitted', '')
        expect(w + ' retransmitted segments', first_int(retx),
               j['retransmitted_segments'])
        expect(w + ' retransmitted bytes',
               byte_count(retx.split(', ', 1)[-1], w), j['retransmitted_bytes'])
        expect(w + ' out of order', first_int(t.get('out of order', '')),
               j['out_of_order_segments'])
        expect(w + ' max bytes in flight',
               byte_count(t.get('max bytes in flight', ''), w),
               j['max_bytes_in_flight'])
        expect(w + ' zero-window episodes', first_int(t.get('zero window', '')),
               j['zero_window']['episodes'])
        expect(w + ' isn', first_int(t.get('isn', '')), j['isn'])
        flags = {k: v for k, v in j['flags'].items() if v}
        expect(w + ' flags', t.get('flags'),
               ', '.join('%s %d' % kv for kv in flags.items()) or 'none')
        rtt = t.get('rtt from acks', '')
        n = re.search(r'\((\d+) samples?\)', rtt)
        expect(w + ' rtt samples', int(n.group(1)) if n else None,
               j['rtt']['count'] if j['rtt'] else None)
    for d in ('c2s', 's2c'):
        j, t = fl['diagnosis'].get(d), det.get('diag ' + d)
        w = '%s diagnosis %s' % (where, d)
        if (j is None) != (t is None):
            fail('%s: in the %s only' % (w, 'JSON' if t is None else 'text'))
            continue
        if j is None:
            continue
        expect(w + ' verdict', t.get('verdict', '').split(' ')[0], j['verdict'])
        expect(w + ' confidence', t.get('verdict', '').split('confidence ')[-1],
               '%.2f)' % j['confidence'])
        expect(w + ' evidence', t.get('evidence'), j['evidence'])
        zw = t.get('zero-window episodes', '')
        expect(w + ' zero-window count', 0 if zw == 'none' else first_int(zw),
               j['zero_window_count'])
        eps = sorted(j['zero_window_episodes'], key=lambda e: e['start'])
        expect(w + ' episode probes', t['episodes'], [e['probes'] for e in eps])


def check_set(tcpsight, paths):
    name = ' '.join(os.path.basename(p) for p in paths)
    doc = json.loads(run([tcpsight, '-F', 'json'] + paths).stdout)
    if not doc['flows']:
        fail(name + ': no flows to check')
    by_pair = {}
    for fl in doc['flows']:
        key = frozenset((endpoint(fl['client']), endpoint(fl['server'])))
        by_pair.setdefault(key, []).append(fl['id'])
    for fl in doc['flows']:
        where = '%s flow %d' % (name, fl['id'])
        text = run([tcpsight, '-F', 'text', '--flow', str(fl['id'])] + paths).stdout
        det = parse_detail(text)
        expect(where + ' connections shown', sorted(det), [fl['id']])
        if fl['id'] in det:
            check_conn(where, fl, det[fl['id']])
        # By endpoints, server first: every connection on that pair.
        spec = '%s-%s' % (endpoint(fl['server']), endpoint(fl['client']))
        text = run([tcpsight, '-F', 'text', '--flow', spec] + paths).stdout
        ids = by_pair[frozenset((endpoint(fl['client']), endpoint(fl['server'])))]
        expect('%s --flow %s connections shown' % (name, spec),
               sorted(parse_detail(text)), sorted(ids))
        # JSON and NDJSON: that flow object, unchanged; the whole summary.
        one = json.loads(run([tcpsight, '-F', 'json', '--flow', str(fl['id'])]
                             + paths).stdout)
        expect(where + ' JSON flows', one['flows'], [fl])
        expect(where + ' JSON summary', one['summary'], doc['summary'])
        expect(where + ' JSON capture', one['capture'], doc['capture'])
        lines = [json.loads(x) for x in run(
            [tcpsight, '-F', 'ndjson', '--flow', str(fl['id'])] + paths).stdout.split('\n') if x]
        flows = [x for x in lines if x['type'] == 'flow']
        expect(where + ' NDJSON flow ids', [x['id'] for x in flows], [fl['id']])
        expect(where + ' NDJSON summary', lines[-1].get('summary'), doc['summary'])
    # Nothing matches: the report without a flow, a message, exit 3.
    missing = str(max(f['id'] for f in doc['flows']) + 100) if doc['flows'] else '0'
    for fmt in ('text', 'json', 'ndjson'):
        res = run([tcpsight, '-F', fmt, '--flow', missing] + paths, status=3)
        want = 'tcpsight: no connection matches --flow %s\n' % missing
        expect('%s -F %s no match: stderr' % (name, fmt), res.stderr, want)
        if fmt == 'text' and 'connection ' in res.stdout.split('\n', 2)[-1]:
            fail('%s: no match, but a connection was shown' % name)
        if fmt == 'json':
            expect(name + ' no match: JSON flows', json.loads(res.stdout)['flows'], [])


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 1
    tcpsight, testdata = sys.argv[1], sys.argv[2]
    for paths in CAPTURES:
        check_set(tcpsight, [os.path.join(testdata, p) for p in paths])
    if FAILURES:
        print('%d failures' % len(FAILURES))
        return 1
    print('ok: %d capture sets' % len(CAPTURES))
    return 0


if __name__ == '__main__':
    sys.exit(main())
