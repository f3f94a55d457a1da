#!/usr/bin/env python3
"""Oracle test: tcpsight's connections against tshark's tcp.stream.

For every capture given (files or directories), both tools are run and
compared per connection: the set of flow ids (tcpsight's id is meant to
equal tshark's tcp.stream) and, per direction, packets and payload bytes
(tshark's tcp.len).  A capture listed in the known-differences file must
differ (else the entry is stale and the test fails); any other capture
must agree exactly.  Exit 77 when tshark is not installed.

usage: oracle-flows.py TCPSIGHT KNOWN.tsv PATH...
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

CAPTURE_SUFFIXES = ('.pcap', '.pcapng', '.pcap.gz', '.pcapng.gz', '.cap')


def captures(paths):
    for p in paths:
        if os.path.isdir(p):
            for name in sorted(os.listdir(p)):
                if name.endswith(CAPTURE_SUFFIXES):
                    yield os.path.join(p, name)
        else:
            yield p


def tshark_flows(path, env):
    """{stream: {(addr, port): [packets, payload]}} from tshark."""
    # The last (innermost) IP header, as tcpsight reports tunnels.
    cmd = ['tshark', '-r', path, '-Y', 'tcp', '-T', 'fields',
           '-E', 'separator=\t', '-E', 'occurrence=l',
           '-e', 'tcp.stream', '-e', 'ip.src', '-e', 'ipv6.src',
           '-e', 'tcp.srcport', '-e', 'tcp.len']
    res = subprocess.run(cmd, capture_output=True, text=True, env=env)
    flows = {}
    for line in res.stdout.splitlines():
        f = line.split('\t')
        if len(f) < 5 or f[0] == '':
            continue
        stream = int(f[0])
        addr = f[1] or f[2]
        key = (addr, int(f[3]))
        d = flows.setdefault(stream, {}).setdefault(key, [0, 0])
        d[0] += 1
        d[1] += int(f[4] or 0)
    return flows


def tcpsight_flows(tcpsight, path):
    if path.endswith('.gz'):
        # tcpsight reads compressed captures from a pipe: zcat x.gz | tcpsight -
        zc = subprocess.Popen(['zcat', path], stdout=subprocess.PIPE)
        res = subprocess.run([tcpsight, '-F', 'json', '-'], stdin=zc.stdout,
                             capture_output=True, text=True)
        zc.wait()
    else:
        res = subprocess.run([tcpsight, '-F', 'json', path],
                             capture_output=True, text=True)
    if res.returncode == 1:
        # Both tools refusing a file that is not a readable capture is agreement.
        return {}, None
    if res.returncode != 2 and res.returncode != 0:
        return None, 'exit %d: %s' % (res.returncode, res.stderr.strip())
    doc = json.loads(res.stdout)
    flows = {}
    for fl in doc['flows']:
        c = (fl['client']['addr'], fl['client']['port'])
        s = (fl['server']['addr'], fl['server']['port'])
        dirs = {}
        # A connection to itself (same address and port both ways) has one
        # key in tshark's view: add its two directions together.
        for key, d in ((c, fl['c2s']), (s, fl['s2c'])):
            acc = dirs.setdefault(key, [0, 0])
            acc[0] += d['packets']
            acc[1] += d['payload_bytes']
        flows[fl['id']] = dirs
        # Drop directions that sent nothing, as tshark never lists them.
        flows[fl['id']] = {k: v for k, v in flows[fl['id']].items() if v[0]}
    return flows, None


def compare(ours, theirs):
    """A short description of the first differences, or None."""
    diffs = []
    only_ours = sorted(set(ours) - set(theirs))
    only_theirs = sorted(set(theirs) - set(ours))
    if only_ours:
        diffs.append('ids only in tcpsight: %s' % only_ours[:5])
    if only_theirs:
        diffs.append('ids only in tshark: %s' % only_theirs[:5])
    for i in sorted(set(ours) & set(theirs)):
        if ours[i] != theirs[i]:
            diffs.append('flow %d: tcpsight %s tshark %s' % (i, ours[i], theirs[i]))
        if len(diffs) >= 4:
            break
    return '; '.join(diffs) if diffs else None


def load_known(path):
    known = {}
    with open(path) as f:
        for line in f:
            line = line.rstrip('\n')
            if not line or line.startswith('#'):
                continue
            name, reason = line.split('\t', 1)
            known[name] = reason
    return known


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        return 1
    if shutil.which('tshark') is None:
        print('SKIP: tshark is not installed (apt-get install tshark)')
        return 77
    tcpsight, known_path, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
    known = load_known(known_path)
    env = dict(os.environ, WIRESHARK_CONFIG_DIR=tempfile.mkdtemp())
    failures = 0
    checked = 0
    for path in captures(paths):
        name = os.path.basename(path)
        ours, err = tcpsight_flows(tcpsight, path)
        theirs = tshark_flows(path, env)
        diff = err or compare(ours, theirs)
        checked += 1
        if name in known:
            if diff:
                print('KNOWN  %-48s %s (%s)' % (name, known[name], diff[:160]))
            else:
                failures += 1
                print('STALE  %-48s agrees now; remove it from %s' % (name, known_path))
        elif diff:
            failures += 1
            print('FAIL   %-48s %s' % (name, diff))
        else:
            print('OK     %-48s %d flows' % (name, len(ours)))
    print('%d captures compared, %d failed' % (checked, failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
