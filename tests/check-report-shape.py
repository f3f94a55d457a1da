#!/usr/bin/env python3
"""Report shape: the JSON document and NDJSON lines carry the names that
scripts depend on (issue 2's list), with the right types, for every
capture in the directories given, and both formats agree.

usage: check-report-shape.py TCPSIGHT DIR...
"""
import json
import os
import subprocess
import sys

FLOW_KEYS = {
    'id': int, 'client': dict, 'server': dict, 'state': dict,
    'conn_state': str, 'history': str, 'end_reason': str,
    'first_frame': int, 'last_frame': int, 'c2s': dict, 's2c': dict,
    'partial': bool, 'duration': (int, float),
}
DIR_KEYS = {
    'packets': int, 'bytes': int, 'payload_bytes': int, 'syn': int,
    'fin': int, 'rst': int, 'isn': (int, type(None)),
    'mss': (int, type(None)), 'window_scale': (int, type(None)),
    'sack_permitted': bool, 'window_min': (int, type(None)),
    'window_max': (int, type(None)),
}
STATES = {'CLOSED', 'LISTEN', 'SYN_SENT', 'SYN_RCVD', 'ESTABLISHED',
          'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSING', 'TIME_WAIT', 'CLOSE_WAIT',
          'LAST_ACK'}
CONN_STATES = {'S0', 'S1', 'SF', 'REJ', 'S2', 'S3', 'RSTO', 'RSTR', 'RSTOS0',
               'RSTRH', 'SH', 'SHR', 'OTH'}
END_REASONS = {'fin', 'rst', 'idle_timeout', 'evicted', 'end_of_input',
               'port_reuse'}

errors = []


def check(cond, what):
    if not cond:
        errors.append(what)


def check_types(obj, spec, where):
    for k, t in spec.items():
        check(k in obj, '%s: missing %s' % (where, k))
        if k in obj:
            check(isinstance(obj[k], t) and not (t is int and isinstance(obj[k], bool)),
                  '%s: %s has type %s' % (where, k, type(obj[k]).__name__))


def check_flow(fl, where):
    check_types(fl, FLOW_KEYS, where)
    for side in ('client', 'server'):
        ep = fl.get(side, {})
        check(isinstance(ep.get('addr'), str) and isinstance(ep.get('port'), int),
              '%s: %s endpoint' % (where, side))
    check(fl['state'].get('client') in STATES and fl['state'].get('server') in STATES,
          '%s: state %s' % (where, fl['state']))
    check(fl['conn_state'] in CONN_STATES, '%s: conn_state %s' % (where, fl['conn_state']))
    check(fl['end_reason'] in END_REASONS, '%s: end_reason %s' % (where, fl['end_reason']))
    check(fl['first_frame'] <= fl['last_frame'], '%s: frame order' % where)
    for d in ('c2s', 's2c'):
        check_types(fl[d], DIR_KEYS, '%s.%s' % (where, d))
        w = fl[d]
        if w.get('window_min') is not None:
            check(w['window_min'] <= w['window_max'], '%s.%s: window min > max' % (where, d))
        check(w['payload_bytes'] <= w['bytes'], '%s.%s: payload > wire bytes' % (where, d))


def main():
    tcpsight, dirs = sys.argv[1], sys.argv[2:]
    n = 0
    for d in dirs:
        for name in sorted(os.listdir(d)):
            if not name.endswith(('.pcap', '.pcapng')):
                continue
            path = os.path.join(d, name)
            doc = subprocess.run([tcpsight, '-F', 'json', path], capture_output=True, text=True)
            if doc.returncode not in (0, 2):
                continue	# unreadable inputs are the bad-input tests' business
            nd = subprocess.run([tcpsight, '-F', 'ndjson', path], capture_output=True, text=True)
            n += 1
            report = json.loads(doc.stdout)
            for k in ('tool', 'capture', 'flows', 'summary'):
                check(k in report, '%s: top-level %s missing' % (name, k))
            cap = report['capture']
            for k in ('files', 'link_types', 'packets', 'tcp_packets', 'skipped',
                      'first_time', 'last_time', 'truncated'):
                check(k in cap, '%s: capture.%s missing' % (name, k))
            check(cap['packets'] == cap['tcp_packets'] + sum(cap['skipped'].values()),
                  '%s: packets != tcp_packets + skipped' % name)
            ids = [fl['id'] for fl in report['flows']]
            check(ids == list(range(len(ids))), '%s: flow ids not 0..n-1 in order' % name)
            seg = 0
            for fl in report['flows']:
                check_flow(fl, '%s flow %d' % (name, fl['id']))
                seg += fl['c2s']['packets'] + fl['s2c']['packets']
            check(seg == cap['tcp_packets'], '%s: flow packets %d != tcp_packets %d'
                  % (name, seg, cap['tcp_packets']))
            check(report['summary']['flows'] == len(ids), '%s: summary.flows' % name)
            lines = [json.loads(l) for l in nd.stdout.splitlines()]
            check(lines and lines[-1].get('type') == 'summary', '%s: ndjson summary last' % name)
            nd_flows = sorted((l for l in lines if l.get('type') == 'flow'), key=lambda l: l['id'])
            for l in nd_flows:
                del l['type']
            check(nd_flows == report['flows'], '%s: ndjson flows differ from the document' % name)
    for e in errors[:50]:
        print(e)
    print('%d captures checked, %d problems' % (n, len(errors)))
    return 1 if errors or n == 0 else 0


if __name__ == '__main__':
    sys.exit(main())
