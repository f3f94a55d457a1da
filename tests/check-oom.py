#!/usr/bin/env python3
"""Out of memory at chosen places (tests/fault/fault-inject.c, preloaded):
tcpsight must not crash, must say so and exit 1, and what it did write
must be whole, valid JSON (one document, or whole NDJSON lines).

usage: check-oom.py TCPSIGHT FAULT_LIBRARY
Skipped (77) for sanitizer builds: their allocator does not mix with an
LD_PRELOAD realloc.
"""
import json
import os
import subprocess
import sys

CAPTURES = ['testdata/loss.pcap', 'testdata/zero-window.pcap']


def sanitized(path):
    blob = open(path, 'rb').read()
    return b'__asan_init' in blob or b'__ubsan_handle' in blob


def run(tcpsight, lib, env, args):
    e = dict(os.environ, LD_PRELOAD=lib, **env)
    e.pop('MALLOC_PERTURB_', None)
    return subprocess.run([tcpsight] + args, env=e, capture_output=True, timeout=60)


def main():
    tcpsight, lib = sys.argv[1], sys.argv[2]
    if sanitized(tcpsight):
        print('SKIP: sanitizer build (its allocator does not mix with LD_PRELOAD)')
        return 77
    problems = []
    checks = 0

    def check(what, r, fmt):
        nonlocal checks
        checks += 1
        if r.returncode < 0:
            problems.append('%s: killed by signal %d' % (what, -r.returncode))
            return
        if r.returncode not in (0, 1):
            problems.append('%s: exit %d' % (what, r.returncode))
        if r.returncode == 1 and b'tcpsight:' not in r.stderr:
            problems.append('%s: exit 1 without a message' % what)
        out = r.stdout.decode('utf-8', 'replace')
        try:
            if fmt == 'json' and out:
                json.loads(out)
            if fmt == 'ndjson':
                if out and not out.endswith('\n'):
                    raise ValueError('last line not ended')
                for line in out.splitlines():
                    json.loads(line)
        except ValueError as err:
            problems.append('%s: invalid output (%s): ...%r' % (what, err, out[-80:]))

    # Every doubling step of the writers' buffers, in both JSON formats,
    # failing only the first, second, ... such call (a different buffer
    # each time: the flow record, a flow's held events, the lines).
    for size in [2048 << i for i in range(8)]:
        for skip in range(4):
            for fmt in ('json', 'ndjson'):
                for caps in (CAPTURES, CAPTURES[:1]):
                    r = run(tcpsight, lib, {'FAULT_REALLOC_SIZE': str(size),
                                            'FAULT_REALLOC_SKIP': str(skip)},
                            ['-F', fmt, '--events'] + caps)
                    check('-F %s --events %s, realloc(%d) fails after %d'
                          % (fmt, ' '.join(caps), size, skip), r, fmt)
    # The --flow text view renders each connection into memory.
    r = run(tcpsight, lib, {'FAULT_OPEN_MEMSTREAM': '1'},
            ['-F', 'text', '--flow', '0', 'testdata/loss.pcap'])
    check('-F text --flow 0, open_memstream fails', r, 'text')
    # The fault library itself works: with it, a failure must show.
    r = run(tcpsight, lib, {'FAULT_OPEN_MEMSTREAM': '1'},
            ['-F', 'text', '--flow', '0', 'testdata/loss.pcap'])
    if r.returncode != 1:
        problems.append('open_memstream failure went unnoticed (exit %d)' % r.returncode)

    for p in problems:
        print(p)
    print('%d runs, %d problems' % (checks, len(problems)))
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
