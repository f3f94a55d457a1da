#!/usr/bin/env python3
"""Diagnosis against the kernel: for every testdata/diagnosis/NAME.pcap,
the verdict tcpsight gives the data direction is the one the scenario
was built to produce, and its receiver-limited share of the busy time is
within 10 percentage points of the sender kernel's own
tcpi_rwnd_limited / tcpi_busy_time (NAME.kernel.json, read by the
sender just before close).  A capture without its handshake must still
get the verdict, with its window scale inferred equal to the real one.

usage: check-diagnosis.py TCPSIGHT DIR
"""
import json
import os
import subprocess
import sys

EXPECTED = {
    'slow-reader': 'receiver_limited',
    'slow-reader-midstream': 'receiver_limited',
    'fast-reader': 'healthy',
    'lossy': 'network_limited',
    'bursty-sender': 'sender_limited',
}
MAX_SHARE_ERROR = 0.10


def report(tcpsight, path):
    res = subprocess.run([tcpsight, '-F', 'json', path], capture_output=True, text=True)
    return json.loads(res.stdout)


def data_direction(doc, kernel):
    """The flow and direction whose sender the kernel numbers belong to."""
    addr, port = kernel['sender'].rsplit(':', 1)
    for fl in doc['flows']:
        for side, d in (('client', 'c2s'), ('server', 's2c')):
            if fl[side]['addr'] == addr and fl[side]['port'] == int(port):
                return fl, d
    return None, None


def main():
    tcpsight, folder = sys.argv[1], sys.argv[2]
    failed = checked = 0
    print('%-24s %-17s %-17s %8s %8s %6s' % ('capture', 'expected', 'tcpsight',
                                          'kernel', 'ours', 'scale'))
    for name, want in EXPECTED.items():
        path = os.path.join(folder, name + '.pcap')
        kpath = os.path.join(folder, name + '.kernel.json')
        if not os.path.exists(path):
            print('%-24s missing' % name)
            failed += 1
            continue
        kernel = json.load(open(kpath))
        ti = kernel['tcp_info']
        doc = report(tcpsight, path)
        fl, d = data_direction(doc, kernel)
        diag = fl['diagnosis'].get(d) if fl else None
        if diag is None:
            print('%-24s no diagnosis for the data direction' % name)
            failed += 1
            continue
        k_share = ti['tcpi_rwnd_limited'] / ti['tcpi_busy_time'] if ti['tcpi_busy_time'] else 0
        ours = diag['receiver_share_of_busy']
        ok = diag['verdict'] == want and abs(ours - k_share) <= MAX_SHARE_ERROR
        scale = diag['inferred_window_scale']
        if name.endswith('-midstream'):
            full = report(tcpsight, path.replace('-midstream', ''))
            ffl, fd = data_direction(full, kernel)
            other = 'c2s' if fd == 's2c' else 's2c'
            true_scale = ffl[other]['window_scale']
            ok = ok and diag['window_scale_inferred'] and scale == true_scale \
                and 'inferred' in diag['evidence']
        checked += 1
        failed += not ok
        print('%-24s %-17s %-17s %8.3f %8.3f %6s %s' % (
            name, want, diag['verdict'], k_share, ours,
            scale if scale is not None else '-', '' if ok else 'FAIL'))
        if not ok:
            print('    evidence: %s' % diag['evidence'])
    print('%d scenarios, %d failed' % (checked, failed))
    return 1 if failed or not checked else 0


if __name__ == '__main__':
    sys.exit(main())
