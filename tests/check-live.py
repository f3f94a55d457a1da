#!/usr/bin/env python3
"""Assertions on tcpsight's live NDJSON output, for tests/live-netns.sh.

Every subcommand prints one line per check, "ok DESCRIPTION" or
"FAIL DESCRIPTION: DETAIL", and exits 0; live-netns.sh counts the lines.
A crash (a traceback, exit status other than 0) counts as a failure there.

  check-live.py session OUT --bulk PORT:SIZE:JSON --zw PORT:SIZE:JSON
                --refused PORT --loss PORT:SIZE:JSON:NFT_DROPPED
      scenario 1: one capture session holding these four connections
      (PORT is the client port; JSON is gen-traffic.py's --json file)
  check-live.py compare LIVE OFFLINE
      scenario 2: the -w file re-read gives the live run's flows
  check-live.py count OUT N PORT
      scenario 3: -c N stopped after exactly N frames, PORT still open
  check-live.py open OUT PORT
      scenario 5: a signal mid-transfer: PORT reported open, summary last
  check-live.py stopped OUT [MIN_STATS]
      any stopped run: well-formed, summary last, at least MIN_STATS
      stats lines (default 1)
  check-live.py pcap-error EXPR
      print libpcap's own pcap_compile() message for EXPR (Ethernet),
      not a check: live-netns.sh looks for it in tcpsight's stderr
"""
import ctypes
import ctypes.util
import json
import sys

RETRANS_FLAGS = {'retransmission', 'fast_retransmission', 'spurious_retransmission'}


class Checker:
    def __init__(self, prefix):
        self.prefix = prefix

    def check(self, ok, desc, detail=''):
        desc = '%s: %s' % (self.prefix, desc)
        if ok:
            print('ok   %s' % desc)
        else:
            print('FAIL %s%s' % (desc, ': ' + detail if detail else ''))
        sys.stdout.flush()
        return ok

    def eq(self, got, want, desc):
        return self.check(got == want, desc, 'got %r, want %r' % (got, want))


def load(path, c, what='output'):
    """The NDJSON records of PATH; a check that every line parses."""
    recs, bad = [], []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            try:
                o = json.loads(line)
                if not isinstance(o, dict) or 'type' not in o:
                    raise ValueError('no "type"')
                recs.append(o)
            except ValueError as e:
                bad.append('line %d: %s: %r' % (n, e, line[:120]))
    c.check(not bad and recs, 'every %s line is a JSON record' % what,
            '; '.join(bad[:3]) if bad else 'no output at all')
    return recs


def of_type(recs, t):
    return [r for r in recs if r.get('type') == t]


def check_stopped(recs, c, min_stats=1, want_types=('event', 'flow', 'stats', 'summary')):
    """Shape of a run that ended: record types, summary last, stats."""
    types = {r.get('type') for r in recs}
    c.check(types <= set(want_types), 'only %s records' % '/'.join(want_types),
            'saw %s' % sorted(t for t in types if t not in want_types))
    sums = of_type(recs, 'summary')
    c.eq(len(sums), 1, 'exactly one summary line')
    c.check(bool(recs) and recs[-1].get('type') == 'summary', 'the summary is the last line',
            'last line is %r' % (recs[-1].get('type') if recs else None))
    stats = of_type(recs, 'stats')
    c.check(len(stats) >= min_stats, 'at least %d stats line(s)' % min_stats,
            'got %d' % len(stats))
    pk = [s.get('packets', -1) for s in stats]
    c.check(pk == sorted(pk), 'stats packet counts never decrease', repr(pk))
    if not sums:
        return None
    s = sums[-1]
    cap = s.get('capture', {})
    c.check(cap.get('live') is True and cap.get('interrupted') is True,
            'summary says live and interrupted',
            'live=%r interrupted=%r' % (cap.get('live'), cap.get('interrupted')))
    flows = of_type(recs, 'flow')
    c.eq(s.get('summary', {}).get('flows'), len(flows),
         'summary.flows equals the flow lines written')
    c.eq(cap.get('tcp_packets'),
         sum(f['c2s']['packets'] + f['s2c']['packets'] for f in flows),
         'summary tcp_packets equals the flows\' packets')
    if stats:
        c.eq(stats[-1].get('packets'), cap.get('packets'),
             'last stats line has the summary\'s packet count')
    return s


def flows_by_port(recs):
    out = {}
    for f in of_type(recs, 'flow'):
        out.setdefault(f['client']['port'], []).append(f)
    return out


def tcp_info(path):
    with open(path) as f:
        return json.load(f)['tcp_info']


def one_flow(byport, port, c, name):
    fl = byport.get(port, [])
    c.eq(len(fl), 1, '%s (client port %d) is exactly one flow line' % (name, port))
    return fl[0] if len(fl) == 1 else None


def check_transfer(f, dirname, size, ti, c, name):
    """Payload of the data direction: what the application sent.

    payload_bytes counts retransmissions too, and even a loss-free veth
    sees some: a tail loss probe resends the last segment when the ACK is
    late (1048576 bytes came out as 1048800 once: 1048576 % 1448 = 224).
    So the exact truth is the sender's own count: payload_bytes = bytes
    sent + tcpi_bytes_retrans, and unique_bytes = bytes sent.
    """
    d = f[dirname]
    other = f['c2s' if dirname == 's2c' else 's2c']
    c.eq(d['payload_bytes'], size + ti['tcpi_bytes_retrans'],
         '%s %s payload_bytes = bytes sent + sender\'s tcpi_bytes_retrans (%d)'
         % (name, dirname, ti['tcpi_bytes_retrans']))
    c.eq(d['unique_bytes'], size, '%s %s unique_bytes = bytes sent' % (name, dirname))
    c.eq(d['retransmitted_segments'], ti['tcpi_total_retrans'],
         '%s %s retransmitted_segments = sender\'s tcpi_total_retrans' % (name, dirname))
    c.eq(other['payload_bytes'], 0, '%s: the other direction sent no data' % name)


def cmd_session(args):
    import argparse
    p = argparse.ArgumentParser(prog='check-live.py session')
    p.add_argument('out')
    p.add_argument('--bulk', required=True)
    p.add_argument('--zw', required=True)
    p.add_argument('--refused', type=int, required=True)
    p.add_argument('--loss', required=True)
    a = p.parse_args(args)
    c = Checker('session')
    recs = load(a.out, c)
    summ = check_stopped(recs, c, 1)
    byport = flows_by_port(recs)
    events = of_type(recs, 'event')

    bport, bsize, bjson = a.bulk.split(':')
    zport, zsize, zjson = a.zw.split(':')
    lport, lsize, ljson, ldrop = a.loss.split(':')
    expected = {int(bport), int(zport), a.refused, int(lport)}
    c.eq(set(byport), expected, 'flow lines for exactly the four connections (client ports)')

    # closed connections: written once, finished, not "open"
    for port, f in ((p_, fl[0]) for p_, fl in byport.items() if len(fl) == 1):
        c.check(f['open'] is False and f['end_reason'] in ('fin', 'rst'),
                'port %d finished (open false, end_reason fin/rst)' % port,
                'open=%r end_reason=%r' % (f['open'], f['end_reason']))

    # 1 MB download, server -> client
    f = one_flow(byport, int(bport), c, 'bulk')
    if f:
        ti = tcp_info(bjson)
        c.eq(f['conn_state'], 'SF', 'bulk conn_state')
        check_transfer(f, 's2c', int(bsize), ti, c, 'bulk')

    # zero window: the client (receiver, capture side) advertises 0, the
    # server probes
    f = one_flow(byport, int(zport), c, 'zero-window')
    if f:
        ti = tcp_info(zjson)
        c.eq(f['conn_state'], 'SF', 'zero-window conn_state')
        check_transfer(f, 's2c', int(zsize), ti, c, 'zero-window')
        zev = [e for e in events if e.get('flow') == f['id']]
        zw = [e for e in zev if 'zero_window' in e['flags']]
        zwp = [e for e in zev if 'zero_window_probe' in e['flags']]
        c.check(zw and all(e['dir'] == 'c2s' and e['win'] == 0 for e in zw),
                'zero-window: zero_window events from the receiver (c2s, win 0)',
                '%d events: %r' % (len(zw), [(e['dir'], e['win']) for e in zw][:5]))
        c.check(zwp and all(e['dir'] == 's2c' for e in zwp),
                'zero-window: zero_window_probe events from the sender (s2c)',
                '%d events' % len(zwp))
        c.eq(len(zw), f['c2s']['flags']['zero_window'],
             'zero-window: zero_window events = the flow\'s c2s zero_window count')
        c.eq(len(zwp), f['s2c']['flags']['zero_window_probe'],
             'zero-window: zero_window_probe events = the flow\'s s2c count')

    # refused
    f = one_flow(byport, a.refused, c, 'refused')
    if f:
        c.eq(f['conn_state'], 'REJ', 'refused conn_state')
        c.eq((f['c2s']['syn'], f['s2c']['rst'], f['c2s']['payload_bytes'],
              f['s2c']['payload_bytes']), (1, 1, 0, 0),
             'refused: one SYN, one RST, no payload')

    # upload with random loss at B's input, captured at the sender (A)
    f = one_flow(byport, int(lport), c, 'lossy upload')
    if f:
        ti = tcp_info(ljson)
        c.eq(f['conn_state'], 'SF', 'lossy upload conn_state')
        c.check(int(ldrop) > 0, 'lossy upload: nft dropped packets', 'counter %s' % ldrop)
        check_transfer(f, 'c2s', int(lsize), ti, c, 'lossy upload')
        rev = [e for e in events if e.get('flow') == f['id'] and RETRANS_FLAGS & set(e['flags'])]
        c.check(len(rev) > 0, 'lossy upload: retransmission events present', 'none')
        c.check(all(e['dir'] == 'c2s' for e in rev),
                'lossy upload: every retransmission is the sender\'s (c2s)',
                repr(sorted({e['dir'] for e in rev})))
        c.eq(len(rev), ti['tcpi_total_retrans'],
             'lossy upload: retransmission events = sender\'s tcpi_total_retrans')

    # events name known flows; the summary agrees with the flow lines
    ids = {f['id'] for f in of_type(recs, 'flow')}
    c.check(all(e.get('flow') in ids for e in events), 'every event names a reported flow',
            repr(sorted({e.get('flow') for e in events} - ids)))
    if summ:
        by_state = summ.get('summary', {}).get('by_conn_state')
        c.eq(by_state, {'SF': 3, 'REJ': 1}, 'summary by_conn_state')
        c.eq(summ['capture'].get('kernel', {}).get('dropped'), 0, 'no kernel drops')
        nret = sum(f['c2s']['flags']['retransmission'] + f['s2c']['flags']['retransmission']
                   for f in of_type(recs, 'flow'))
        c.eq(summ['summary']['flags']['retransmission'], nret,
             'summary retransmission count = the flows\' sum')


FLOW_KEYS = ('client', 'server', 'conn_state', 'history', 'open', 'first_frame', 'last_frame')
DIR_KEYS = ('packets', 'data_segments', 'payload_bytes', 'unique_bytes',
            'retransmitted_segments', 'syn', 'fin', 'rst')


def cmd_compare(args):
    live_path, off_path = args
    c = Checker('-w re-read')
    live = load(live_path, c, 'live output')
    off = load(off_path, c, 're-read output')
    lf = {f['id']: f for f in of_type(live, 'flow')}
    of = {f['id']: f for f in of_type(off, 'flow')}
    c.check(len(lf) > 0, 'the live run reported flows', 'none')
    c.eq(sorted(of), sorted(lf), 'same flow ids')
    diffs = []
    for i in sorted(set(lf) & set(of)):
        a, b = lf[i], of[i]
        for k in FLOW_KEYS:
            if a.get(k) != b.get(k):
                diffs.append('flow %d %s: live %r, file %r' % (i, k, a.get(k), b.get(k)))
        for d in ('c2s', 's2c'):
            for k in DIR_KEYS:
                if a[d].get(k) != b[d].get(k):
                    diffs.append('flow %d %s.%s: live %r, file %r'
                                 % (i, d, k, a[d].get(k), b[d].get(k)))
    c.check(not diffs, 'same endpoints, states, per-direction packets and payload bytes',
            '; '.join(diffs[:6]))
    ls = of_type(live, 'summary')
    os_ = of_type(off, 'summary')
    if ls and os_:
        c.eq(os_[-1]['capture']['packets'], ls[-1]['capture']['packets'],
             'the file holds every frame the live run read')


def cmd_count(args):
    out, n, port = args[0], int(args[1]), int(args[2])
    c = Checker('-c %d' % n)
    recs = load(out, c)
    s = check_stopped(recs, c, 1)
    if s:
        c.eq(s['capture']['packets'], n, 'summary capture.packets')
    f = one_flow(flows_by_port(recs), port, c, 'the running transfer')
    if f:
        c.check(f['open'] is True and f['end_reason'] == 'end_of_input',
                'the running transfer is reported open, end_of_input',
                'open=%r end_reason=%r' % (f['open'], f['end_reason']))


def cmd_open(args):
    out, port = args[0], int(args[1])
    c = Checker('stop mid-transfer')
    recs = load(out, c)
    check_stopped(recs, c, 1)
    f = one_flow(flows_by_port(recs), port, c, 'the running transfer')
    if f:
        c.check(f['open'] is True and f['end_reason'] == 'end_of_input',
                'the running transfer is reported open, end_of_input',
                'open=%r end_reason=%r' % (f['open'], f['end_reason']))
        c.check(f['s2c']['payload_bytes'] > 0, 'the open flow carried data so far',
                'payload %r' % f['s2c']['payload_bytes'])
        c.check(f['s2c']['fin'] == 0 and f['c2s']['fin'] == 0,
                'no FIN yet (stopped mid-transfer)',
                'fin c2s %d s2c %d' % (f['c2s']['fin'], f['s2c']['fin']))


def cmd_stopped(args):
    out = args[0]
    min_stats = int(args[1]) if len(args) > 1 else 1
    c = Checker(args[2] if len(args) > 2 else 'stopped run')
    check_stopped(load(out, c), c, min_stats)


def cmd_pcap_error(args):
    lib = ctypes.CDLL(ctypes.util.find_library('pcap') or 'libpcap.so')
    lib.pcap_open_dead.restype = ctypes.c_void_p
    lib.pcap_open_dead.argtypes = [ctypes.c_int, ctypes.c_int]
    lib.pcap_compile.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p,
                                 ctypes.c_int, ctypes.c_uint32]
    lib.pcap_geterr.restype = ctypes.c_char_p
    lib.pcap_geterr.argtypes = [ctypes.c_void_p]
    p = lib.pcap_open_dead(1, 256)          # DLT_EN10MB
    prog = ctypes.create_string_buffer(64)  # struct bpf_program
    if lib.pcap_compile(p, prog, args[0].encode(), 1, 0xffffffff) == 0:
        sys.exit('pcap-error: %r compiles' % args[0])
    print(lib.pcap_geterr(p).decode())


def main():
    cmds = {'session': cmd_session, 'compare': cmd_compare, 'count': cmd_count,
            'open': cmd_open, 'stopped': cmd_stopped, 'pcap-error': cmd_pcap_error}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.exit(__doc__)
    cmds[sys.argv[1]](sys.argv[2:])


if __name__ == '__main__':
    main()
