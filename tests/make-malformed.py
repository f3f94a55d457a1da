#!/usr/bin/env python3
"""Write the hand-made damaged captures of testdata/malformed/.

Each is built from scratch here (no third-party bytes), so the file's
bytes are explained by this script.  Run from the source root:
    python3 tests/make-malformed.py

It also writes testdata/regress/: the reproducers of bugs found by the
adversarial tests (tests/check-malformed.py --regress checks them).
"""
import os
import struct

OUT = 'testdata/malformed'
REGRESS = 'testdata/regress'


def pcap_header(linktype=1, snaplen=65535, magic=0xa1b2c3d4):
    return struct.pack('<IHHiIII', magic, 2, 4, 0, 0, snaplen, linktype)


def record(ts, data, wire_len=None):
    wire_len = len(data) if wire_len is None else wire_len
    return struct.pack('<IIII', ts, 0, len(data), wire_len) + data


def checksum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('!%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def tcp_frame(src, dst, sport, dport, seq, ack, flags, payload=b'', opts=b''):
    """Ethernet + IPv4 + TCP frame with correct lengths and checksums."""
    doff = (20 + len(opts)) // 4
    tcp = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, doff << 4, flags,
                      65535, 0, 0) + opts + payload
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0,
                     bytes(src), bytes(dst))
    ip = ip[:10] + struct.pack('!H', checksum(ip)) + ip[12:]
    eth = b'\x02\0\0\0\0\x02' + b'\x02\0\0\0\0\x01' + b'\x08\x00'
    return eth + ip + tcp


def handshake_frames():
    a, b = (10, 99, 0, 1), (10, 99, 0, 2)
    return [
        tcp_frame(a, b, 40000, 80, 1000, 0, 0x02, opts=b'\x02\x04\x05\xb4'),
        tcp_frame(b, a, 80, 40000, 5000, 1001, 0x12, opts=b'\x02\x04\x05\xb4'),
        tcp_frame(a, b, 40000, 80, 1001, 5001, 0x10),
        tcp_frame(a, b, 40000, 80, 1001, 5001, 0x18, payload=b'hello world\n'),
        tcp_frame(b, a, 80, 40000, 5001, 1013, 0x10),
    ]


def good_pcap():
    data = pcap_header()
    for i, f in enumerate(handshake_frames()):
        data += record(1700000000 + i, f)
    return data


# ---- Adversarial captures (issue 7): each hides bad frames among the
# good packets of one connection, so tests/check-malformed.py can check
# both the skip reason of the bad ones and the results of the good ones.

A, B = (10, 99, 0, 1), (10, 99, 0, 2)
A6 = bytes.fromhex('20010db8000000000000000000000001')
B6 = bytes.fromhex('20010db8000000000000000000000002')
ETH_HDR = b'\x02\0\0\0\0\x02' + b'\x02\0\0\0\0\x01'


def rec(t, data, wire_len=None, caplen=None):
    """A record at time t (float seconds); caplen/wire_len may lie."""
    sec = int(t)
    usec = int(round((t - sec) * 1e6))
    wire_len = len(data) if wire_len is None else wire_len
    caplen = len(data) if caplen is None else caplen
    return struct.pack('<IIII', sec, usec, caplen, wire_len) + data


def pcap(frames, t0=1700000000.0, step=0.001, linktype=1, snaplen=65535):
    """A pcap of frames (bytes, or (bytes, wire_len, caplen)) step s apart."""
    out = pcap_header(linktype=linktype, snaplen=snaplen)
    for i, f in enumerate(frames):
        if isinstance(f, tuple):
            out += rec(t0 + i * step, f[0], f[1], f[2])
        else:
            out += rec(t0 + i * step, f)
    return out


def patch(frame, off, data):
    return frame[:off] + data + frame[off + len(data):]


def ip4(src, dst, payload, proto=6, ihl=5, total=None, version=4, opts=b''):
    """An IPv4 header (+ options) and payload; total/ihl/version may lie."""
    total = 20 + len(opts) + len(payload) if total is None else total
    h = struct.pack('!BBHHHBBH4s4s', version << 4 | ihl, 0, total, 1, 0, 64,
                    proto, 0, bytes(src), bytes(dst)) + opts
    h = h[:10] + struct.pack('!H', checksum(h[:20])) + h[12:]
    return h + payload


def tcp(sport, dport, seq, ack, flags, payload=b'', opts=b'', doff=None,
        window=65535):
    doff = (20 + len(opts)) // 4 if doff is None else doff
    return struct.pack('!HHIIBBHHH', sport, dport, seq & 0xffffffff,
                       ack & 0xffffffff, doff << 4, flags, window, 0, 0) + opts + payload


def eth(payload, ethertype=0x0800, tags=0):
    return ETH_HDR + b'\x81\x00\x00\x01' * tags + struct.pack('!H', ethertype) + payload


def ext_chain(kinds, last):
    """IPv6 extension headers of the given kinds, 8 bytes each, then last."""
    out = b''
    for i, k in enumerate(kinds):
        nxt = kinds[i + 1] if i + 1 < len(kinds) else last
        if k == 44:	# fragment header: offset 0, M clear (atomic)
            out += struct.pack('!BBHI', nxt, 0, 0, 0x1234)
        else:		# hop-by-hop / destination options: one PadN
            out += struct.pack('!BB', nxt, 0) + b'\x01\x04\0\0\0\0'
    return out


def ip6(src, dst, payload, nh=6, plen=None):
    plen = len(payload) if plen is None else plen
    return struct.pack('!IHBB16s16s', 0x60000000, plen, nh, 64, src, dst) + payload


def flow_a(extra_mid=(), data=b'hello world\n'):
    """Connection A: handshake, extra_mid, 12 bytes of data, its ACK."""
    syn = eth(ip4(A, B, tcp(40000, 80, 1000, 0, 0x02, opts=b'\x02\x04\x05\xb4')))
    synack = eth(ip4(B, A, tcp(80, 40000, 5000, 1001, 0x12, opts=b'\x02\x04\x05\xb4')))
    ack = eth(ip4(A, B, tcp(40000, 80, 1001, 5001, 0x10)))
    d = eth(ip4(A, B, tcp(40000, 80, 1001, 5001, 0x18, payload=data)))
    dack = eth(ip4(B, A, tcp(80, 40000, 5001, 1001 + len(data), 0x10)))
    return [syn, synack, ack] + list(extra_mid) + [d, dack]


def a_data(seq, payload, **kw):
    """A client data segment of connection A as an Ethernet frame."""
    return eth(ip4(A, B, tcp(40000, 80, seq, 5001, 0x18, payload=payload), **kw))


def tcp_bad_offset():
    good = a_data(1001, b'hello world\n')
    tcp_at = 14 + 20
    return pcap(flow_a([
        patch(good, tcp_at + 12, b'\x40'),	# data offset 4 words: 16 bytes
        patch(good, tcp_at + 12, b'\x00'),	# data offset 0
        patch(good, tcp_at + 12, b'\xf0'),	# 60 bytes, the IP payload is 32
        # IP total length 30: a 10-byte segment cannot hold the header.
        eth(ip4(A, B, tcp(40000, 80, 1001, 5001, 0x18), total=30)),
    ]))


def ip_header_lies():
    seg = tcp(40000, 80, 1001, 5001, 0x18, payload=b'hello world\n')
    frames = flow_a([
        eth(ip4(A, B, seg, ihl=15)),		# IHL 60 > total length 52
        eth(ip4(A, B, seg, ihl=3)),		# IHL below 5
        eth(ip4(A, B, seg, ihl=6, total=22, opts=b'\x01' * 4)),	# total < IHL
        eth(ip4(A, B, seg, version=5)),		# EtherType IPv4, version 5
    ])
    # Total length larger than the frame: the 8 bytes on the wire count.
    big = eth(ip4(A, B, tcp(40000, 80, 1013, 5001, 0x18, payload=b'12345678'),
                  total=1500))
    # Total length smaller than the frame: the rest is padding (4 bytes count).
    small = eth(ip4(A, B, tcp(40000, 80, 1021, 5001, 0x18, payload=b'abcdWXYZ'),
                    total=20 + 20 + 4))
    last_ack = eth(ip4(B, A, tcp(80, 40000, 5001, 1025, 0x10)))
    return pcap(frames + [big, small, last_ack])


def ipv6_flow(extra_mid):
    """Connection over IPv6, port 443, with frames in the middle."""
    def f(src, dst, sp, dp, seq, ack, flags, payload=b'', opts=b''):
        return eth(ip6(src, dst, tcp(sp, dp, seq, ack, flags, payload=payload,
                                     opts=opts)), 0x86dd)
    return [
        f(A6, B6, 40001, 443, 7000, 0, 0x02, opts=b'\x02\x04\x05\xa0'),
        f(B6, A6, 443, 40001, 9000, 7001, 0x12, opts=b'\x02\x04\x05\xa0'),
        f(A6, B6, 40001, 443, 7001, 9001, 0x10),
        f(A6, B6, 40001, 443, 7001, 9001, 0x18, payload=b'hello world\n'),
    ] + list(extra_mid) + [
        f(B6, A6, 443, 40001, 9001, 7023, 0x10),
    ]


def ipv6_ext_chains():
    seg = tcp(40001, 443, 7013, 9001, 0x18, payload=b'0123456789')
    bad = tcp(40001, 443, 7013, 9001, 0x18, payload=b'BADBADBADB')

    def chained(kinds, s, plen=None):
        chain = ext_chain(kinds, 6)
        return eth(ip6(A6, B6, chain + s, nh=kinds[0], plen=plen), 0x86dd)
    sixteen = chained([0] + [60] * 15, seg)	# exactly the cap: decoded
    seventeen = chained([0] + [60] * 16, bad)
    loop = chained([60] * 64, bad)		# dest-opts naming dest-opts, 64 times
    frag_loop = chained([44] * 20, bad)		# atomic fragment headers, 20 times
    # A hop-by-hop header claiming (255 + 1) * 8 bytes: past the packet.
    past = eth(ip6(A6, B6, b'\x06\xff' + b'\x01\x04\0\0\0\0' + bad, nh=0), 0x86dd)
    # Payload length 8, but the chain's second header lies beyond it.
    short = eth(ip6(A6, B6, ext_chain([0, 60], 6) + bad, nh=0, plen=8), 0x86dd)
    # The chain cut by snaplen: 16 of its 40 + 24 + 30 bytes captured.
    full = chained([0, 60, 60], bad)
    cut = (full[:14 + 40 + 16], len(full), 14 + 40 + 16)
    return pcap(ipv6_flow([seventeen, loop, frag_loop, past, short, cut, sixteen]))


def tcp_options_len01():
    mss = b'\x02\x04\x05\xb4'
    syn = eth(ip4(A, B, tcp(40000, 80, 1000, 0, 0x02,
                            opts=mss + b'\x03\x00\x07\x01')))	# WS of length 0
    synack = eth(ip4(B, A, tcp(80, 40000, 5000, 1001, 0x12,
                               opts=b'\x05\x01' + mss + b'\x01\x01')))	# length 1 first
    ack = eth(ip4(A, B, tcp(40000, 80, 1001, 5001, 0x10,
                            opts=b'\x01\x01\x08\x00')))		# TS of length 0
    d = eth(ip4(A, B, tcp(40000, 80, 1001, 5001, 0x18, payload=b'hello world\n',
                          opts=b'\x01\x01\x01\x02')))		# no length byte
    dack = eth(ip4(B, A, tcp(80, 40000, 5001, 1013, 0x10,
                             opts=b'\x08\x28' + b'\0' * 10)))	# past the header
    # Forty bytes of length-1 options: every one malformed.
    probe = eth(ip4(A, B, tcp(40000, 80, 1013, 5001, 0x10,
                              opts=b'\x1e\x01' * 20)))
    return pcap([syn, synack, ack, d, dack, probe])


def vlan_stack():
    seg = ip4(A, B, tcp(40000, 80, 1013, 5001, 0x18, payload=b'VLAN'))
    eight = eth(seg, tags=8)			# the cap: decoded
    nine = eth(ip4(A, B, tcp(40000, 80, 1013, 5001, 0x18, payload=b'NINE')), tags=9)
    # As many 802.1Q tags as fit in a 65535-byte frame, then IPv4 + TCP.
    ntags = (65535 - 14 - 40) // 4
    huge = eth(ip4(A, B, tcp(40000, 80, 1013, 5001, 0x10)), tags=ntags)
    huge += b'\0' * (65535 - len(huge))
    frames = flow_a([nine, huge])
    frames.insert(len(frames) - 1, eight)
    frames[-1] = eth(ip4(B, A, tcp(80, 40000, 5001, 1017, 0x10)))
    return pcap(frames, snaplen=262144)


def snaplen_zero():
    """A header with snaplen 0; records with caplen 0 and caplen > len."""
    f = flow_a()
    frames = f[:3] + [
        (b'', len(f[3]), 0),		# nothing captured of a 66-byte frame
        (b'', 0, 0),			# an empty record
        (f[3], len(f[3]) - 20, len(f[3])),	# caplen 66 > len 46: trust the bytes
    ] + f[4:]
    return pcap(frames, snaplen=0)


def time_warp():
    """Time going backwards inside a connection, and a jump of 14 years.

    The jump stays below 2^31 seconds (2038): see testdata/regress/ for
    timestamps past it.
    """
    f = flow_a()
    zw = eth(ip4(B, A, tcp(80, 40000, 5001, 1013, 0x10, window=0)))
    reopen = eth(ip4(B, A, tcp(80, 40000, 5001, 1013, 0x10)))
    more = a_data(1013, b'12345678')
    more_ack = eth(ip4(B, A, tcp(80, 40000, 5001, 1021, 0x10)))
    t0 = 1700000000.0
    year = 365.25 * 86400
    recs = [
        (t0 + 10.0, f[0]),		# SYN
        (t0 + 9.0, f[1]),		# SYN/ACK, one second before the SYN
        (t0 + 10.5, f[2]),		# ACK
        (t0 + 11.0, f[3]),		# 12 bytes of data
        (t0 + 11.5, zw),		# acknowledged; the server's window closes
        (t0 + 11.3, reopen),		# ... and reopens 0.2 s earlier
        (t0 + 14 * year, more),		# 8 more bytes, 14 years later
        (t0 + 12.0, more_ack),		# their ACK, back in 2023
    ]
    return pcap_header() + b''.join(rec(t, d) for t, d in recs)


def nested_tunnels():
    inner = tcp(40000, 80, 1013, 5001, 0x18, payload=b'TUNL')
    # Three IP in IP levels around the segment: 4 IP headers, the cap.
    ok = ip4(A, B, inner)
    for _ in range(3):
        ok = ip4((192, 0, 2, 1), (192, 0, 2, 2), ok, proto=4)
    # A thousand levels: refused, without a thousand-deep recursion.
    deep = ip4(A, B, inner)
    for _ in range(1000):
        deep = ip4((192, 0, 2, 1), (192, 0, 2, 2), deep, proto=4, total=0)
    # GRE in IP, 500 times.
    gre = ip4(A, B, inner)
    for _ in range(500):
        gre = ip4((192, 0, 2, 1), (192, 0, 2, 2), b'\0\0\x08\x00' + gre,
                  proto=47, total=0)
    # 1000 MPLS labels, none with bottom of stack.
    mpls = eth(b'\0\0\0\x40' * 1000 + ip4(A, B, inner), 0x8847)
    frames = flow_a([eth(deep), eth(gre), mpls])
    frames.insert(len(frames) - 1, eth(ok))
    frames[-1] = eth(ip4(B, A, tcp(80, 40000, 5001, 1017, 0x10)))
    return pcap(frames, snaplen=262144)


def bad_caplen():
    """The fourth record claims a 2 GB caplen: libpcap stops there."""
    f = flow_a()
    return pcap(f[:3]) + struct.pack('<IIII', 1700000001, 0, 0x7fffffff, 66) + f[3]


def pcapng_block(btype, body):
    pad = b'\0' * (-len(body) % 4)
    n = 12 + len(body) + len(pad)
    return struct.pack('<II', btype, n) + body + pad + struct.pack('<I', n)


def pcapng_shb():
    return pcapng_block(0x0a0d0d0a, struct.pack('<IHHq', 0x1a2b3c4d, 1, 0, -1))


def pcapng_idb(linktype, snaplen=65535):
    return pcapng_block(1, struct.pack('<HHI', linktype, 0, snaplen))


def pcapng_epb(iface, t, data):
    us = int(round(t * 1e6))
    return pcapng_block(6, struct.pack('<IIIII', iface, us >> 32, us & 0xffffffff,
                                       len(data), len(data)) + data)


def pcapng_unknown_block():
    f = flow_a()
    t = 1700000000.0
    return (pcapng_shb() + pcapng_idb(1) +
            b''.join(pcapng_epb(0, t + i, d) for i, d in enumerate(f[:3])) +
            pcapng_block(0x0badb10c, b'not a block anyone knows' * 3) +
            pcapng_block(0x40000bad, b'\0\0\x7f\xffcustom, not copyable') +
            b''.join(pcapng_epb(0, t + 3 + i, d) for i, d in enumerate(f[3:])))


def pcapng_mixed_linktypes():
    """Interface 0 Ethernet, interface 1 raw IP (declared mid-file)."""
    f = flow_a()
    raw = ip4(A, B, tcp(40000, 80, 1001, 5001, 0x18, payload=b'hello world\n'))
    t = 1700000000.0
    return (pcapng_shb() + pcapng_idb(1) +
            b''.join(pcapng_epb(0, t + i, d) for i, d in enumerate(f[:3])) +
            pcapng_idb(101) + pcapng_epb(1, t + 3, raw) +
            pcapng_epb(0, t + 4, f[4]))


def seq_wrap():
    """ISNs just below 2^32: both sequence spaces wrap mid-transfer.

    The client sends ten 1000-byte segments from 2^32 - 4000, the server
    acknowledges every second one and sends 48 bytes of its own across
    its wrap; segment 8 (after the wrap) is sent again 300 ms later: the
    one retransmission.  Then FIN, FIN, ACK.
    """
    c_isn, s_isn = 0xffffffff - 4000, 0xffffffff - 20
    out, t = [], [0.0]

    def add(src, dst, sp, dp, seq, ack, flags, payload=b'', dt=0.001, opts=b''):
        t[0] += dt
        out.append((t[0], eth(ip4(src, dst, tcp(sp, dp, seq, ack, flags,
                                                 payload=payload, opts=opts)))))

    mss = b'\x02\x04\x05\xb4'
    add(A, B, 40002, 8080, c_isn, 0, 0x02, opts=mss)
    add(B, A, 8080, 40002, s_isn, c_isn + 1, 0x12, opts=mss)
    add(A, B, 40002, 8080, c_isn + 1, s_isn + 1, 0x10)
    cseq, sseq = c_isn + 1, s_isn + 1
    for i in range(10):
        add(A, B, 40002, 8080, cseq + 1000 * i, sseq, 0x18, b'x' * 1000)
        if i == 7:
            add(A, B, 40002, 8080, cseq + 1000 * i, sseq, 0x18, b'x' * 1000, dt=0.3)
        if i % 2 == 1:
            add(B, A, 8080, 40002, sseq, cseq + 1000 * (i + 1), 0x18, b'y' * 16)
            sseq += 16
    cseq += 10000
    add(A, B, 40002, 8080, cseq, sseq, 0x11)
    add(B, A, 8080, 40002, sseq, cseq + 1, 0x11)
    add(A, B, 40002, 8080, cseq + 1, sseq + 1, 0x10)
    return pcap_header() + b''.join(rec(1700000000.0 + dt, d) for dt, d in out)


def port_reuse(count=2000):
    """One 4-tuple, count connections (SYN, SYN/ACK, ACK), a new ISN each."""
    frames = []
    for i in range(count):
        c, s = (1000 + i * 100003) & 0xffffffff, (7000 + i * 77777) & 0xffffffff
        frames += [
            ip4(A, B, tcp(40000, 80, c, 0, 0x02)),
            ip4(B, A, tcp(80, 40000, s, c + 1, 0x12)),
            ip4(A, B, tcp(40000, 80, c + 1, s + 1, 0x10)),
        ]
    return pcap(frames, step=0.0001, linktype=101)


def adversarial():
    good5 = b''.join(rec(1700000000 + i, f) for i, f in enumerate(handshake_frames()))
    return {
        'tcp-bad-offset.pcap': tcp_bad_offset(),
        'ip-header-lies.pcap': ip_header_lies(),
        'ipv6-ext-chains.pcap': ipv6_ext_chains(),
        'tcp-options-len01.pcap': tcp_options_len01(),
        'vlan-stack.pcap': vlan_stack(),
        'snaplen-zero.pcap': snaplen_zero(),
        'time-warp.pcap': time_warp(),
        'nested-tunnels.pcap': nested_tunnels(),
        'bad-caplen.pcap': bad_caplen(),
        'snaplen-2gb.pcap': pcap_header(snaplen=0x80000000) + good5,
        'snaplen-4gb.pcap': pcap_header(snaplen=0xffffffff) + good5,
        'pcapng-unknown-block.pcapng': pcapng_unknown_block(),
        'pcapng-mixed-linktypes.pcapng': pcapng_mixed_linktypes(),
        'seq-wrap.pcap': seq_wrap(),
        'port-reuse.pcap': port_reuse(),
    }


# ---- Reproducers of bugs (testdata/regress/) ----

def pcap_time_2038():
    """Connection A across 2^31 seconds (2038-01-19 03:14:08 UTC).

    The pcap format stores seconds as an unsigned 32-bit number (good to
    2106); libpcap 1.10 hands them over as a signed 32-bit value, so from
    2^31 on tv_sec is negative, and tcpsight's (uint64_t) conversion
    turns 2038 into the year 2492.
    """
    f = flow_a()
    t = [2147483646.5, 2147483647.5, 2147483648.5, 2147483649.0, 2147483650.0]
    return pcap_header() + b''.join(rec(ts, d) for ts, d in zip(t, f))


def zero_window_backwards():
    """The receiver's window closes at t and reopens at t - 0.2 s.

    Time going backwards by a few hundred ms is common in captures merged
    from several interfaces or taken across a clock step.
    """
    f = flow_a()
    zw = eth(ip4(B, A, tcp(80, 40000, 5001, 1013, 0x10, window=0)))
    reopen = eth(ip4(B, A, tcp(80, 40000, 5001, 1013, 0x10)))
    t0 = 1700000000.0
    recs = [(t0, f[0]), (t0 + 0.1, f[1]), (t0 + 0.2, f[2]), (t0 + 0.3, f[3]),
            (t0 + 0.5, zw), (t0 + 0.3, reopen)]
    return pcap_header() + b''.join(rec(t, d) for t, d in recs)


def clock_jump_one_packet():
    """One packet of another connection stamped 14 years ahead, in the middle
    of connection A.  Packet-time expiry takes the outlier for the present:
    A is ended by idle timeout and its last two packets become a second,
    mid-stream connection (tshark keeps one stream).
    """
    f = flow_a()
    other = eth(ip4((10, 99, 0, 7), B, tcp(41000, 80, 1, 0, 0x02)))
    t0 = 1700000000.0
    recs = [(t0, f[0]), (t0 + 0.1, f[1]), (t0 + 0.2, f[2]),
            (t0 + 14 * 365.25 * 86400, other), (t0 + 0.3, f[3]), (t0 + 0.4, f[4])]
    return pcap_header() + b''.join(rec(t, d) for t, d in recs)


def regress():
    return {
        'pcap-time-2038.pcap': pcap_time_2038(),
        'zero-window-backwards.pcap': zero_window_backwards(),
        'clock-jump-one-packet.pcap': clock_jump_one_packet(),
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    good = good_pcap()
    files = {
        # A valid five-packet capture the others are cut from.
        'good.pcap': good,
        # Nothing at all.
        'empty.pcap': b'',
        # Plain text, not a capture.
        'text.pcap': b'this is not a capture file\n' * 4,
        # Cut inside the 24-byte file header.
        'cut-file-header.pcap': good[:13],
        # Cut inside the third record's 16-byte header.
        'cut-record-header.pcap': None,
        # Cut inside the fourth packet's data.
        'cut-packet.pcap': None,
        # A link type tcpsight does not decode (147 = LINKTYPE_USER0).
        'unknown-linktype.pcap': pcap_header(linktype=147) +
            b''.join(record(1700000000 + i, f) for i, f in enumerate(handshake_frames())),
    }
    # Offsets of each record in the good file.
    offs, pos = [], 24
    while pos < len(good):
        offs.append(pos)
        caplen = struct.unpack('<I', good[pos + 8:pos + 12])[0]
        pos += 16 + caplen
    files['cut-record-header.pcap'] = good[:offs[2] + 7]
    files['cut-packet.pcap'] = good[:offs[3] + 16 + 30]
    files.update(adversarial())
    for name, data in files.items():
        with open(os.path.join(OUT, name), 'wb') as f:
            f.write(data)
    os.makedirs(REGRESS, exist_ok=True)
    for name, data in regress().items():
        with open(os.path.join(REGRESS, name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
