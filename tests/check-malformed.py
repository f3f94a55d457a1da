#!/usr/bin/env python3
"""Hostile input: the adversarial captures of testdata/malformed/ and the
output-integrity cases (issue 7).

usage: check-malformed.py TCPSIGHT MALFORMED_DIR            adversarial captures
       check-malformed.py TCPSIGHT --million                1,000,000 copies of a packet
       check-malformed.py TCPSIGHT --output MALFORMED_DIR   /dev/full, closed pipe
       check-malformed.py TCPSIGHT --syn-flood N MAX_FLOWS BOUND_MB SECONDS
                                                            N SYNs, peak RSS bound
       check-malformed.py TCPSIGHT --regress REGRESS_DIR MALFORMED_DIR
                                                            bugs found (testdata/regress/)

Each capture (made by tests/make-malformed.py) hides bad frames among the
good packets of one connection.  For each one tcpsight runs with
-F ndjson --events, and again as a JSON document and as text (with
--series): never killed by a signal, never past the timeout, the exit
status expected (0, or 2 when the input ends damaged), every frame
accounted for (packets = tcp_packets + skipped, flow packets =
tcp_packets), the bad frames counted under the right skip reason and
nothing else skipped, and the connection around them with the right
counts, state and events.

Under a sanitizer build (ASan/UBSan, valgrind-like slowdowns) the time
limits are multiplied by SLOW (10).
"""
import json
import os
import resource
import signal
import struct
import subprocess
import sys
import tempfile
import time

failures = []
notes = []


def fail(case, what):
    failures.append('%s: %s' % (case, what))


def sanitized(tcpsight):
    """Whether the binary is built with ASan/UBSan (slower, more memory)."""
    try:
        with open(tcpsight, 'rb') as f:
            blob = f.read()
    except OSError:
        return False
    return b'__asan_init' in blob or b'__ubsan_handle' in blob


SLOW = 1


def run(case, args, timeout=20, **kw):
    """Run tcpsight; a timeout or a signal is a failure (returns None)."""
    try:
        kw.setdefault('stdout', subprocess.PIPE)
        r = subprocess.run(args, stderr=subprocess.PIPE, timeout=timeout * SLOW, **kw)
    except subprocess.TimeoutExpired:
        fail(case, 'no answer within %d s: %s' % (timeout * SLOW, ' '.join(args)))
        return None
    if r.returncode < 0:
        fail(case, 'killed by signal %d: %s' % (-r.returncode, ' '.join(args)))
        return None
    return r


def ndjson(case, tcpsight, path, extra=()):
    """Run -F ndjson --events; returns (result, summary, flows, events)."""
    r = run(case, [tcpsight, '-F', 'ndjson', '--events', *extra, path])
    if r is None:
        return None, None, [], []
    summary, flows, events = None, [], []
    text = r.stdout.decode()
    if text and not text.endswith('\n'):
        fail(case, 'NDJSON output ends with a partial line')
    for line in text.splitlines():
        try:
            o = json.loads(line)
        except ValueError:
            fail(case, 'not a JSON line: %r' % line[:100])
            continue
        if o.get('type') == 'summary':
            summary = o
        elif o.get('type') == 'flow':
            flows.append(o)
        elif o.get('type') == 'event':
            events.append(o)
    if summary is None:
        fail(case, 'no summary line (exit %d, stderr %r)' % (r.returncode, r.stderr[:200]))
    flows.sort(key=lambda f: f['id'])
    return r, summary, flows, events


def get(obj, path):
    for k in path.split('.'):
        obj = obj[k]
    return obj


def check_capture(case, tcpsight, path, status, packets, tcp, skipped,
                  flows=(), nflows=None, events=None, stderr=(), truncated=None):
    """The common checks; returns (summary, flows, events) for more."""
    r, summ, fl, ev = ndjson(case, tcpsight, path)
    if r is None or summ is None:
        return None, [], []
    if r.returncode != status:
        fail(case, 'exit %d, expected %d (stderr %r)' % (r.returncode, status, r.stderr[:300]))
    cap = summ['capture']
    if cap['packets'] != packets:
        fail(case, 'capture.packets %d, expected %d' % (cap['packets'], packets))
    if cap['tcp_packets'] != tcp:
        fail(case, 'capture.tcp_packets %d, expected %d' % (cap['tcp_packets'], tcp))
    got_skips = {k: v for k, v in cap['skipped'].items() if v}
    if got_skips != skipped:
        fail(case, 'capture.skipped %s, expected %s' % (got_skips, skipped))
    if cap['packets'] != cap['tcp_packets'] + sum(cap['skipped'].values()):
        fail(case, 'packets != tcp_packets + skipped')
    seg = sum(f['c2s']['packets'] + f['s2c']['packets'] for f in fl)
    if seg != cap['tcp_packets']:
        fail(case, 'flows hold %d packets, tcp_packets is %d' % (seg, cap['tcp_packets']))
    if [f['id'] for f in fl] != list(range(len(fl))):
        fail(case, 'flow ids are not 0..n-1')
    if nflows is None:
        nflows = len(flows)
    if len(fl) != nflows:
        fail(case, '%d flows, expected %d' % (len(fl), nflows))
    if truncated is not None and cap['truncated'] != truncated:
        fail(case, 'capture.truncated %s, expected %s' % (cap['truncated'], truncated))
    err = r.stderr.decode(errors='replace')
    for words in stderr:
        if words not in err:
            fail(case, 'stderr lacks %r: %r' % (words, err[:300]))
    if status == 0 and err:
        fail(case, 'unexpected stderr %r' % err[:300])
    for i, want in enumerate(flows):
        if i >= len(fl):
            break
        for k, v in want.items():
            try:
                got = get(fl[i], k)
            except (KeyError, TypeError):
                fail(case, 'flow %d: no %s' % (i, k))
                continue
            if got != v:
                fail(case, 'flow %d: %s is %r, expected %r' % (i, k, got, v))
    if events is not None:
        got_ev = [(e['frame'], sorted(e['flags'])) for e in ev]
        if got_ev != events:
            fail(case, 'events %s, expected %s' % (got_ev[:10], events[:10]))
    # The other sinks on the same input: same status, a parsable document.
    doc = run(case, [tcpsight, '-F', 'json', '--events', '--series', path])
    if doc is not None:
        if doc.returncode != status:
            fail(case, '-F json exit %d, expected %d' % (doc.returncode, status))
        try:
            d = json.loads(doc.stdout)
            if len(d['flows']) != len(fl):
                fail(case, 'the JSON document has %d flows, NDJSON %d' % (len(d['flows']), len(fl)))
        except ValueError:
            fail(case, '-F json output does not parse')
    txt = run(case, [tcpsight, '-F', 'text', path])
    if txt is not None and txt.returncode != status:
        fail(case, '-F text exit %d, expected %d' % (txt.returncode, status))
    return summ, fl, ev


# A's connection (tests/make-malformed.py flow_a): SYN, SYN/ACK, ACK from
# the handshake, 12 bytes of client data and their ACK.
A_FLOW = {'client.addr': '10.99.0.1', 'client.port': 40000,
          'server.addr': '10.99.0.2', 'server.port': 80,
          'c2s.syn': 1, 's2c.syn': 1, 'c2s.isn': 1000, 's2c.isn': 5000}


def a_flow(c2s, c2s_bytes, s2c, **more):
    d = dict(A_FLOW)
    d.update({'c2s.packets': c2s, 'c2s.payload_bytes': c2s_bytes,
              's2c.packets': s2c, 's2c.payload_bytes': 0})
    d.update(more)
    return d


def adversarial(tcpsight, mdir):
    p = lambda name: os.path.join(mdir, name)

    # Data offset 4 and 0, 15 words in a 32-byte segment, a 10-byte segment.
    check_capture('tcp-bad-offset', tcpsight, p('tcp-bad-offset.pcap'), 0, 9, 5,
                  {'bad_tcp_offset': 4},
                  [a_flow(3, 12, 2, history='ShADa', conn_state='S1')], events=[])

    # IHL 60 > total length, IHL 3, total < IHL, version 5: bad_ip_header.
    # Total length 1500 on a frame with 8 bytes of payload: 8 count;
    # total length 44 on a frame with 8: 4 count, the rest is padding.
    # The final ACK (1025) then acknowledges exactly what was counted:
    # no lost segment, no ACK of unseen data.
    check_capture('ip-header-lies', tcpsight, p('ip-header-lies.pcap'), 0, 12, 8,
                  {'bad_ip_header': 4},
                  [a_flow(5, 24, 3, **{'c2s.unique_bytes': 24})], events=[])

    # 16 extension headers (the cap) decoded; 17, a 64-header loop, 20
    # fragment headers, a header past the packet, a chain past the
    # payload length refused; a chain cut by snaplen is truncated.
    check_capture('ipv6-ext-chains', tcpsight, p('ipv6-ext-chains.pcap'), 0, 12, 6,
                  {'bad_ipv6_ext': 5, 'truncated_header': 1},
                  [{'ip_version': 6, 'client.addr': '2001:db8::1', 'client.port': 40001,
                    'server.addr': '2001:db8::2', 'server.port': 443,
                    'c2s.packets': 4, 'c2s.payload_bytes': 22, 's2c.packets': 2,
                    'c2s.mss': 1440, 's2c.mss': 1440}], events=[])

    # Options of length 0 and 1, a missing length byte, a length past the
    # header: the segment is still analysed, the options before the fault
    # kept (the client's MSS), the ones after it not (the server's).
    # Frame 6 is a pure ACK repeating frame 3's: a duplicate ACK.
    check_capture('tcp-options-len01', tcpsight, p('tcp-options-len01.pcap'), 0, 6, 6, {},
                  [a_flow(4, 12, 2, **{'c2s.mss': 1460, 's2c.mss': None,
                                        'c2s.timestamps': False})],
                  events=[(6, ['duplicate_ack'])])

    # 8 VLAN tags (the cap) decoded, 9 refused, and 16370 tags in a
    # 65535-byte frame refused without walking them.
    check_capture('vlan-stack', tcpsight, p('vlan-stack.pcap'), 0, 8, 6,
                  {'too_many_vlan_tags': 2}, [a_flow(4, 16, 2)], events=[])

    # Snaplen 0 in the file header; a record with caplen 0 of a 66-byte
    # frame and an empty record: truncated_link; caplen 66 > len 46: the
    # captured bytes are trusted (12 bytes of data).
    check_capture('snaplen-zero', tcpsight, p('snaplen-zero.pcap'), 0, 7, 5,
                  {'truncated_link': 2}, [a_flow(3, 12, 2)], events=[])

    # Time going backwards (the SYN/ACK a second before the SYN, a window
    # reopening before it closed) and a 14-year jump.  The span and the
    # duration run from the earliest to the latest timestamp (the SYN/ACK
    # at t0 + 9, the jump); nothing negative, nothing wrapped.
    t0, year = 1700000000.0, 365.25 * 86400
    summ, fl, ev = check_capture(
        'time-warp', tcpsight, p('time-warp.pcap'), 0, 8, 8, {},
        [a_flow(4, 20, 4, handshake_rtt=None, duration=14 * year - 9,
                **{'c2s.rtt.min': 0.5, 's2c.zero_window.episodes': 1,
                   's2c.zero_window.seconds': 0.0})],
        events=[(5, ['zero_window']), (6, ['window_update'])])
    if summ:
        cap = summ['capture']
        if (cap['first_time'], cap['last_time']) != (t0 + 9, t0 + 14 * year):
            fail('time-warp', 'span %s..%s' % (cap['first_time'], cap['last_time']))

    # IP in IP to the cap (4 IP headers) decoded with the inner addresses;
    # 1000 levels of IP in IP and 500 of GRE refused (bad_ip_header); 1000
    # MPLS labels without bottom of stack refused (too_many_vlan_tags).
    check_capture('nested-tunnels', tcpsight, p('nested-tunnels.pcap'), 0, 9, 6,
                  {'bad_ip_header': 2, 'too_many_vlan_tags': 1},
                  [a_flow(4, 16, 2)], events=[])

    # The fourth record claims caplen 0x7fffffff: libpcap stops there;
    # tcpsight reports the three frames before, says so, exits 2.
    check_capture('bad-caplen', tcpsight, p('bad-caplen.pcap'), 2, 3, 3, {},
                  [a_flow(2, 0, 1)], truncated=True,
                  stderr=['damaged after frame 3', 'invalid packet capture length'])

    # A file header claiming a 2 GB and a 4 GB snaplen.
    for name in ('snaplen-2gb', 'snaplen-4gb'):
        check_capture(name, tcpsight, p(name + '.pcap'), 0, 5, 5, {},
                      [a_flow(3, 12, 2, conn_state='S1')], events=[])

    # pcapng: an unknown block type and a custom block between packets.
    check_capture('pcapng-unknown-block', tcpsight, p('pcapng-unknown-block.pcapng'),
                  0, 5, 5, {}, [a_flow(3, 12, 2)], events=[])

    # pcapng with a second interface of another link type after three
    # packets: libpcap 1.10 stops there; tcpsight says so and exits 2
    # with the three packets it read.
    check_capture('pcapng-mixed-linktypes', tcpsight, p('pcapng-mixed-linktypes.pcapng'),
                  2, 3, 3, {}, [a_flow(2, 0, 1)], truncated=True,
                  stderr=['damaged after frame 3', 'different from the type of the first'])

    # Both sequence spaces wrap around 2^32 mid-transfer: no spurious
    # flags; the one real retransmission (frame 15, after the wrap) is
    # found; FIN both ways.
    check_capture('seq-wrap', tcpsight, p('seq-wrap.pcap'), 0, 22, 22, {},
                  [{'conn_state': 'SF', 'end_reason': 'fin', 'c2s.packets': 15,
                    's2c.packets': 7, 'c2s.payload_bytes': 11000,
                    'c2s.unique_bytes': 10000, 's2c.payload_bytes': 80,
                    'c2s.retransmitted_segments': 1, 'c2s.isn': 0xffffffff - 4000,
                    's2c.isn': 0xffffffff - 20, 'c2s.flags.lost_segment': 0,
                    's2c.flags.ack_lost_segment': 0, 'c2s.out_of_order_segments': 0}],
                  events=[(15, ['retransmission'])])

    # One 4-tuple, 2000 connections with a new ISN each: one flow each,
    # ids in order, every SYN after the first flagged reused_ports, each
    # earlier connection ended by the next (port_reuse).
    n = 2000
    summ, fl, ev = check_capture(
        'port-reuse', tcpsight, p('port-reuse.pcap'), 0, 3 * n, 3 * n, {},
        nflows=n, events=[(3 * i + 1, ['reused_ports']) for i in range(1, n)])
    bad = [f['id'] for f in fl if
           f['first_frame'] != 3 * f['id'] + 1 or f['c2s']['packets'] != 2 or
           f['s2c']['packets'] != 1 or f['conn_state'] != 'S1' or
           f['end_reason'] != ('end_of_input' if f['id'] == n - 1 else 'port_reuse') or
           f['c2s']['isn'] != (1000 + f['id'] * 100003) & 0xffffffff]
    if bad:
        fail('port-reuse', 'flows %s differ from one connection per reuse' % bad[:10])
    if summ and summ['summary']['flags']['reused_ports'] != n - 1:
        fail('port-reuse', 'summary reused_ports %d' % summ['summary']['flags']['reused_ports'])


def million_file(path, n=1000000):
    """n copies of one 66-byte client data segment, same timestamp."""
    def csum(b):
        s = sum(struct.unpack('!10H', b))
        s = (s & 0xffff) + (s >> 16)
        return ~((s & 0xffff) + (s >> 16)) & 0xffff
    tcp = struct.pack('!HHIIBBHHH', 40000, 80, 1001, 5001, 0x50, 0x18, 65535, 0, 0) + \
        b'hello world\n'
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0,
                     bytes([10, 99, 0, 1]), bytes([10, 99, 0, 2]))
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    frame = b'\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00' + ip + tcp
    rec = struct.pack('<IIII', 1700000000, 0, len(frame), len(frame)) + frame
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        chunk = rec * 10000
        for _ in range(n // 10000):
            f.write(chunk)


def million(tcpsight):
    """The same packet a million times: a few seconds, 1e6 packets, one flow."""
    case = 'million'
    with tempfile.TemporaryDirectory(prefix='tcpsight-million-') as tmp:
        path = os.path.join(tmp, 'million.pcap')
        million_file(path)
        t = time.monotonic()
        r = run(case, [tcpsight, '-F', 'ndjson', path], timeout=10)
        took = time.monotonic() - t
        if r is None:
            return
        notes.append('million: %.2f s for 1,000,000 packets' % took)
        if r.returncode != 0:
            fail(case, 'exit %d: %r' % (r.returncode, r.stderr[:200]))
        lines = [json.loads(l) for l in r.stdout.decode().splitlines()]
        fl = [l for l in lines if l['type'] == 'flow']
        cap = lines[-1]['capture']
        if cap['packets'] != 1000000 or cap['tcp_packets'] != 1000000:
            fail(case, 'packets %d, tcp_packets %d' % (cap['packets'], cap['tcp_packets']))
        if len(fl) != 1 or fl[0]['c2s']['packets'] != 1000000:
            fail(case, '%d flows, expected one with 1,000,000 packets' % len(fl))
        elif fl[0]['c2s']['retransmitted_segments'] != 999999:
            fail(case, 'retransmitted %d, expected 999,999' % fl[0]['c2s']['retransmitted_segments'])
        # The JSON document keeps at most --max-events events per flow and
        # counts the rest.
        r = run(case, [tcpsight, '-F', 'json', '--events', '--max-events', '1000', path],
                timeout=10)
        if r is not None:
            f0 = json.loads(r.stdout)['flows'][0]
            if len(f0.get('events', [])) != 1000 or f0.get('events_dropped') != 998999:
                fail(case, 'document events %d, dropped %s; expected 1000 and 998999'
                     % (len(f0.get('events', [])), f0.get('events_dropped')))
        # The output-integrity cases need a big streaming output: --events
        # writes a line per packet.
        output_big(tcpsight, path)


def output_big(tcpsight, path):
    """A closed pipe (| head -1) and a full disk on a run writing 1e6 lines."""
    case = 'closed-pipe'
    t = time.monotonic()
    p = subprocess.Popen([tcpsight, '-F', 'ndjson', '--events', path],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    head = subprocess.run(['head', '-1'], stdin=p.stdout, capture_output=True)
    p.stdout.close()
    try:
        err = p.communicate(timeout=10 * SLOW)[1].decode(errors='replace')
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        fail(case, 'still running %d s after head -1 exited' % (10 * SLOW))
        return
    took = time.monotonic() - t
    notes.append('closed pipe: exit %d after %.2f s' % (p.returncode, took))
    if p.returncode != 1:
        fail(case, 'exit %d, expected 1 (stderr %r)' % (p.returncode, err[:200]))
    if 'Broken pipe' not in err:
        fail(case, 'stderr does not say the pipe was closed: %r' % err[:200])
    line = head.stdout.decode()
    if not line.endswith('\n'):
        fail(case, 'head -1 got a partial line %r' % line[:100])
    else:
        try:
            if json.loads(line).get('type') != 'event':
                fail(case, 'head -1 got %r, expected the first event' % line[:100])
        except ValueError:
            fail(case, 'head -1 got a line that is not JSON: %r' % line[:100])
    # A pipe that fills up (tcpsight blocked in write) and whose reader
    # then goes away mid-stream: tcpsight stops promptly with status 1.
    p = subprocess.Popen([tcpsight, '-F', 'ndjson', '--events', path],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(0.3)		# let the pipe fill; tcpsight blocks in write
    got = b''
    while len(got) < 200000:
        chunk = p.stdout.read(65536)
        if not chunk:
            break
        got += chunk
    p.stdout.close()
    try:
        p.communicate(timeout=10 * SLOW)
    except subprocess.TimeoutExpired:
        p.kill()
        p.communicate()
        fail('full-pipe', 'still running after its reader closed the pipe')
    if p.returncode != 1:
        fail('full-pipe', 'exit %d after the reader closed the pipe, expected 1' % p.returncode)

    case = 'dev-full'
    for args in (['-F', 'ndjson', '--events', path], ['-F', 'json', path],
                 ['-F', 'text', path]):
        t = time.monotonic()
        with open('/dev/full', 'wb') as full:
            r = run(case, [tcpsight] + args, timeout=10, stdout=full)
        if r is None:
            continue
        err = r.stderr.decode(errors='replace')
        if r.returncode != 1 or 'No space left on device' not in err:
            fail(case, '%s: exit %d, stderr %r' % (' '.join(args[:2]), r.returncode, err[:200]))
        notes.append('/dev/full %s: exit %d after %.2f s, %r' % (
            ' '.join(args[:2]), r.returncode, time.monotonic() - t, err.strip()))
    r = run(case, [tcpsight, '-F', 'ndjson', '-o', '/dev/full', path], timeout=10)
    if r is not None and (r.returncode != 1 or 'No space left on device' not in
                          r.stderr.decode(errors='replace')):
        fail(case, '-o /dev/full: exit %d, stderr %r' % (r.returncode, r.stderr[:200]))


def output_small(tcpsight, mdir):
    """/dev/full and a closed pipe on small captures (the report written at the end)."""
    path = os.path.join(mdir, 'port-reuse.pcap')
    for fmt in ('ndjson', 'json', 'text'):
        with open('/dev/full', 'wb') as full:
            r = run('dev-full-small', [tcpsight, '-F', fmt, path], timeout=10, stdout=full)
        if r is not None and (r.returncode != 1 or
                              b'No space left on device' not in r.stderr):
            fail('dev-full-small', '-F %s: exit %d, stderr %r' % (fmt, r.returncode, r.stderr))
    p = subprocess.Popen([tcpsight, '-F', 'ndjson', path], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
    head = subprocess.run(['head', '-1'], stdin=p.stdout, capture_output=True)
    p.stdout.close()
    err = p.communicate(timeout=10 * SLOW)[1]
    if p.returncode != 1 or b'Broken pipe' not in err:
        fail('closed-pipe-small', 'exit %d, stderr %r' % (p.returncode, err))
    try:
        if json.loads(head.stdout).get('type') != 'flow':
            fail('closed-pipe-small', 'head -1 got %r' % head.stdout[:100])
    except ValueError:
        fail('closed-pipe-small', 'head -1 got a partial line %r' % head.stdout[-100:])


# ---- Resource bound: a SYN flood under --max-flows ----

def syn_flood_stream(n, per=50000):
    """A pcap of n SYNs from n distinct (address, port) pairs, in chunks.

    50,000 source ports per source address 10.1.x.y, all to 10.200.0.1:80,
    10 ms of capture time per 50,000 (the whole flood fits in well under
    the 120 s opening timeout, so every flow beyond the cap is evicted,
    none times out).  Ethernet + IPv4 + TCP, 54 bytes a frame.
    """
    t0 = 1700000000
    eth = b'\x02\0\0\0\0\x02\x02\0\0\0\0\x01\x08\x00'
    ip_pre = struct.pack('!BBHHHBBH', 0x45, 0, 40, 1, 0, 64, 6, 0)
    dst = bytes([10, 200, 0, 1])
    rest = struct.pack('!HIIBBHHH', 80, 12345, 0, 0x50, 0x02, 65535, 0, 0)
    sports = [struct.pack('!H', 1024 + i) for i in range(per)]
    yield struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)
    b = 0
    while n > 0:
        k = min(per, n)
        src = bytes([10, 1 + (b >> 8), b & 255, 1])
        head = struct.pack('<IIII', t0 + b // 100, (b % 100) * 10000, 54, 54) + \
            eth + ip_pre + src + dst
        yield b''.join([head + sp + rest for sp in sports[:k]])
        n -= k
        b += 1


def syn_flood(tcpsight, n, max_flows, bound_mb, time_limit):
    """n distinct SYNs on standard input, --max-flows max_flows: peak RSS
    under bound_mb, evictions n - max_flows, within time_limit seconds.

    The capture is streamed into tcpsight's standard input (350 MB for
    5,000,000 SYNs never touches the disk).  The NDJSON goes to a pipe
    whose reader keeps only the last line (the summary): the same work
    for tcpsight as -o /dev/null, with the summary still readable.  Peak
    RSS is the child's ru_maxrss from wait4().
    """
    import threading
    case = 'syn-flood'
    if SLOW != 1:
        print('syn-flood: skipped under a sanitizer build (RSS and time bounds '
              'are for the plain build)')
        sys.exit(77)
    # Without meson's MALLOC_PERTURB_: it makes glibc fill every block on
    # malloc and free, which is a correctness aid that costs this
    # allocation-heavy run (a JSON object per flow) a third of its time.
    env = {k: v for k, v in os.environ.items() if k != 'MALLOC_PERTURB_'}
    p = subprocess.Popen([tcpsight, '--max-flows', str(max_flows), '-F', 'ndjson', '-'],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, env=env)
    state = {'tail': b'', 'lines': 0, 'err': b''}

    def feed():
        try:
            for chunk in syn_flood_stream(n):
                p.stdin.write(chunk)
        except BrokenPipeError:
            pass
        finally:
            try:
                p.stdin.close()
            except BrokenPipeError:
                pass

    def drain():
        while True:
            chunk = p.stdout.read(1 << 20)
            if not chunk:
                break
            state['lines'] += chunk.count(b'\n')
            state['tail'] = (state['tail'] + chunk)[-65536:]

    def drain_err():
        state['err'] = p.stderr.read()

    threads = [threading.Thread(target=f, daemon=True) for f in (feed, drain, drain_err)]
    t = time.monotonic()
    for th in threads:
        th.start()
    deadline = t + time_limit * 4	# wall clock, for a loaded machine
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid != 0:
            break
        if time.monotonic() > deadline:
            p.kill()
            pid, status, ru = os.wait4(p.pid, 0)
            fail(case, 'killed after %.0f s' % (time.monotonic() - t))
            return
        time.sleep(0.05)
    took = time.monotonic() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    for th in threads:
        th.join(timeout=10)
    rss_mb = ru.ru_maxrss / 1024.0
    cpu = ru.ru_utime + ru.ru_stime
    notes.append('syn-flood: %d SYNs, --max-flows %d: %.1f s CPU (%.1f s wall), '
                 'peak RSS %.1f MB (bound %d MB), %d NDJSON lines' % (
                     n, max_flows, cpu, took, rss_mb, bound_mb, state['lines']))
    if p.returncode != 0:
        fail(case, 'exit %d, stderr %r' % (p.returncode, state['err'][:300]))
        return
    last = state['tail'].rstrip(b'\n').rsplit(b'\n', 1)[-1]
    try:
        summ = json.loads(last)
    except ValueError:
        fail(case, 'no summary line: %r' % last[-200:])
        return
    ft = summ['summary']['flow_table']
    cap = summ['capture']
    if cap['packets'] != n or cap['tcp_packets'] != n:
        fail(case, 'packets %d, tcp_packets %d, expected %d' % (cap['packets'], cap['tcp_packets'], n))
    if ft['evicted'] != n - max_flows:
        fail(case, 'evicted %d, expected %d' % (ft['evicted'], n - max_flows))
    if ft['peak_active'] != max_flows or ft['records_allocated'] > max_flows:
        fail(case, 'peak_active %d, records_allocated %d, cap %d' % (
            ft['peak_active'], ft['records_allocated'], max_flows))
    if summ['summary']['flows'] != n or state['lines'] != n + 1:
        fail(case, 'flows %d, lines %d, expected %d' % (summ['summary']['flows'], state['lines'], n))
    if SLOW == 1 and rss_mb > bound_mb:
        fail(case, 'peak RSS %.1f MB over the bound of %d MB' % (rss_mb, bound_mb))
    # CPU time, not wall time: a loaded machine (parallel tests) must not
    # fail the test; a hang is caught by the deadline above.
    if SLOW == 1 and cpu > time_limit:
        fail(case, '%.1f s of CPU, over the limit of %d s' % (cpu, time_limit))


# ---- Bugs found (testdata/regress/): these fail until fixed. ----

def regress(tcpsight, rdir, mdir):
    # pcap seconds are unsigned 32-bit: 2038-01-19 and later are not 2492.
    case = 'pcap-time-2038'
    r, summ, fl, ev = ndjson(case, tcpsight, os.path.join(rdir, 'pcap-time-2038.pcap'))
    if summ:
        cap = summ['capture']
        if (cap['first_time'], cap['last_time']) != (2147483646.5, 2147483650.0):
            fail(case, 'span %r..%r, expected 2147483646.5..2147483650.0 (as tshark)'
                 % (cap['first_time'], cap['last_time']))
        if fl and fl[0]['duration'] != 3.5:
            fail(case, 'duration %r, expected 3.5' % fl[0]['duration'])

    # A zero-window episode closed by a segment stamped before it opened
    # lasts 0 s, not 2^64 ns.
    case = 'zero-window-backwards'
    r = run(case, [tcpsight, '-F', 'json', os.path.join(rdir, 'zero-window-backwards.pcap')])
    if r is not None:
        f0 = json.loads(r.stdout)['flows'][0]
        eps = f0['diagnosis']['c2s']['zero_window_episodes']
        for e in eps:
            if not 0 <= e['seconds'] <= f0['duration']:
                fail(case, 'episode of %r s in a %r s connection' % (e['seconds'], f0['duration']))
        if len(eps) != 1:
            fail(case, '%d episodes, expected 1' % len(eps))

    # One packet stamped years ahead must not end the other connections:
    # connection A stays one flow of 5 packets (as tshark's one stream).
    case = 'clock-jump-one-packet'
    r, summ, fl, ev = ndjson(case, tcpsight, os.path.join(rdir, 'clock-jump-one-packet.pcap'))
    if summ:
        a = [f for f in fl if f['client']['addr'] == '10.99.0.1']
        if len(fl) != 2 or len(a) != 1:
            fail(case, '%d flows, %d of them connection A (%s); expected 2 and 1' % (
                len(fl), len(a), ', '.join('%s %s' % (f['conn_state'], f['end_reason'])
                                           for f in a)))
        elif a[0]['c2s']['packets'] + a[0]['s2c']['packets'] != 5 or \
                a[0]['end_reason'] != 'end_of_input':
            fail(case, 'connection A: %d packets, end %s' % (
                a[0]['c2s']['packets'] + a[0]['s2c']['packets'], a[0]['end_reason']))

    # A JSON document with no connection at all (found by fuzz-pipeline
    # while the document sink was rewritten: qsort of an empty list).
    case = 'document-no-flows'
    r = run(case, [tcpsight, '-F', 'json', os.path.join(rdir, 'document-no-flows.pcap')])
    if r is not None:
        doc = json.loads(r.stdout)
        if doc['flows'] != [] or doc['capture']['skipped']['truncated_header'] != 1:
            fail(case, 'flows %r, skipped %r' % (doc['flows'], doc['capture']['skipped']))

    # NDJSON cut by a full disk ends with a whole line.  RLIMIT_FSIZE
    # makes the write fail (EFBIG) like ENOSPC does, at a chosen size.
    case = 'ndjson-half-line'
    path = os.path.join(mdir, 'port-reuse.pcap')
    for limit in (10000, 65536 + 100):
        with tempfile.NamedTemporaryFile(prefix='tcpsight-fsize-') as out:
            def lim(limit=limit):
                signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
                resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
            try:
                r = subprocess.run([tcpsight, '-F', 'ndjson', path], stdout=out,
                                   stderr=subprocess.PIPE, preexec_fn=lim,
                                   timeout=20 * SLOW)
            except subprocess.TimeoutExpired:
                fail(case, 'no answer')
                continue
            data = open(out.name, 'rb').read()
        if r.returncode != 1 or b'File too large' not in r.stderr:
            fail(case, 'limit %d: exit %d, stderr %r' % (limit, r.returncode, r.stderr))
        if data and not data.endswith(b'\n'):
            fail(case, 'output cut at %d bytes ends with a half line: ...%r'
                 % (len(data), data[-60:]))

    # The same when appending (>>) to a file that already holds lines:
    # the cut-back must not reach into them (it once truncated from the
    # offset before the first write, which is 0 with O_APPEND).
    case = 'ndjson-append-cut'
    old = b''.join(b'{"old":%d}\n' % i for i in range(1000))
    with tempfile.NamedTemporaryFile(prefix='tcpsight-append-') as out:
        out.write(old)
        out.flush()
        def lim():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (16384, 16384))
        with open(out.name, 'ab') as app:
            try:
                r = subprocess.run([tcpsight, '-F', 'ndjson', '--events', path],
                                   stdout=app, stderr=subprocess.PIPE,
                                   preexec_fn=lim, timeout=20 * SLOW)
            except subprocess.TimeoutExpired:
                fail(case, 'no answer')
                r = None
        data = open(out.name, 'rb').read()
    if r is not None and r.returncode != 1:
        fail(case, 'exit %d, stderr %r' % (r.returncode, r.stderr))
    if not data.startswith(old):
        fail(case, 'the lines already in the file were cut: %d bytes left of %d'
             % (len(data), len(old)))
    elif not data.endswith(b'\n') or len(data) == len(old):
        fail(case, 'appended output is empty or ends with a half line: ...%r'
             % data[-60:])


def main():
    global SLOW
    if len(sys.argv) < 3:
        print(__doc__)
        return 64
    tcpsight = sys.argv[1]
    if sanitized(tcpsight):
        SLOW = 10
    mode = sys.argv[2]
    if mode == '--million':
        million(tcpsight)
    elif mode == '--output':
        output_small(tcpsight, sys.argv[3])
    elif mode == '--syn-flood':
        syn_flood(tcpsight, int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]),
                  int(sys.argv[6]))
    elif mode == '--regress':
        regress(tcpsight, sys.argv[3], sys.argv[4])
    else:
        adversarial(tcpsight, mode)
    for n in notes:
        print(n)
    for f in failures:
        print('FAIL', f)
    print('%d problems' % len(failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
