#!/usr/bin/env python3
"""Pin tcpsight's answer on every documented divergence from tshark.

Reads tests/analysis-cases.tsv; for each row runs tcpsight --events on
the capture and checks the frame's flags and evidence.  When tshark is
installed it also checks that tshark still says what the row records, so
the list stays a true account of the divergences.

usage: check-cases.py TCPSIGHT CASES.tsv
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile


def ours(tcpsight, path):
    res = subprocess.run([tcpsight, '-F', 'ndjson', '--events', path],
                         capture_output=True, text=True)
    ev = {}
    for line in res.stdout.splitlines():
        o = json.loads(line)
        if o.get('type') == 'event':
            ev[o['frame']] = o
    return ev


def theirs(path, frame, env):
    res = subprocess.run(['tshark', '-r', path, '-2', '-Y', 'frame.number == %d' % frame,
                          '-T', 'fields', '-e', 'tcp.analysis.flags',
                          '-e', 'tcp.analysis.retransmission', '-e', 'tcp.analysis.out_of_order',
                          '-e', 'tcp.analysis.keep_alive', '-e', 'tcp.analysis.zero_window',
                          '-e', 'tcp.analysis.zero_window_probe', '-e', 'tcp.analysis.lost_segment',
                          '-e', 'tcp.analysis.ack_lost_segment', '-e', 'tcp.analysis.reused_ports',
                          '-E', 'occurrence=f', '-E', 'separator=\t'],
                         capture_output=True, text=True, env=env)
    names = ['retransmission', 'out_of_order', 'keep_alive', 'zero_window',
             'zero_window_probe', 'lost_segment', 'ack_lost_segment', 'reused_ports']
    cols = (res.stdout.strip('\n').split('\t') + [''] * 9)[1:9]
    return {n for n, v in zip(names, cols) if v}


def main():
    tcpsight, cases = sys.argv[1], sys.argv[2]
    have_tshark = shutil.which('tshark') is not None
    env = dict(os.environ, WIRESHARK_CONFIG_DIR=tempfile.mkdtemp())
    cache, failed, n = {}, 0, 0
    with open(cases) as f:
        rows = [l.rstrip('\n').split('\t') for l in f if l.strip() and not l.startswith('#')]
    for case, path, frame, want, evidence, tshark_says in rows:
        n += 1
        frame = int(frame)
        if path not in cache:
            cache[path] = ours(tcpsight, path)
        ev = cache[path].get(frame, {})
        got = set(ev.get('flags', []))
        want_set = set() if want == '-' else set(want.split(','))
        ok = got == want_set and ev.get('evidence', '-') == evidence
        note = ''
        if have_tshark:
            t = theirs(path, frame, env)
            t_want = set(tshark_says.split(','))
            # Only the flags this script asks tshark for are compared.
            if not t_want <= t:
                ok = False
                note = ' (tshark now says %s: the case may be stale)' % sorted(t)
        print('%-4s %-24s %s frame %d: tcpsight %s evidence %s%s' % (
            'ok' if ok else 'FAIL', case, path, frame, sorted(got),
            ev.get('evidence', '-'), note))
        failed += not ok
    if not have_tshark:
        print('(tshark not installed: tshark\'s side of each case was not checked)')
    print('%d cases, %d failed' % (n, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
