#!/usr/bin/env python3
"""Write a pcap of N short TCP connections, for the HTML report's
scaling test: a handshake, a request, a few segments of reply (every
seventh connection with a retransmission, every eleventh with a
zero-window pause), FINs.  Deterministic.

usage: make-many-flows.py OUT.pcap N
"""
import struct
import sys


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def frame(src, dst, sport, dport, seq, ack, flags, payload=b'', win=65535):
    tcp = struct.pack('!HHIIBBHHH', sport, dport, seq, ack, 5 << 4, flags,
                      win, 0, 0) + payload
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 0, 0, 64, 6, 0,
                     src, dst)
    ip = ip[:10] + struct.pack('!H', csum(ip)) + ip[12:]
    return b'\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00' + ip + tcp


def main():
    out_path, n = sys.argv[1], int(sys.argv[2])
    t = 1700000000.0
    with open(out_path, 'wb') as out:
        out.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i in range(n):
            c = bytes([10, 1, (i >> 8) & 255, i & 255])
            s = bytes([10, 2, 0, 1])
            cp, sp = 20000 + i % 40000, 80
            a, b = 1000 + i, 700000 + 3 * i
            segs = [(c, s, cp, sp, a, 0, 0x02, b'', 0.0002),
                    (s, c, sp, cp, b, a + 1, 0x12, b'', 0.0002),
                    (c, s, cp, sp, a + 1, b + 1, 0x10, b'', 0.0001),
                    (c, s, cp, sp, a + 1, b + 1, 0x18, b'GET / HTTP/1.1\r\n\r\n', 0.0003)]
            a += 1 + 18
            seq = b + 1
            for k in range(6):
                segs.append((s, c, sp, cp, seq, a, 0x10, b'y' * 200, 0.0001))
                seq += 200
                if i % 11 == 0 and k == 2:
                    segs.append((c, s, cp, sp, a, seq, 0x10, b'', 0.0001, 0))
                    segs.append((c, s, cp, sp, a, seq, 0x10, b'', 0.05))
                elif k % 2:
                    segs.append((c, s, cp, sp, a, seq, 0x10, b'', 0.0001))
            if i % 7 == 0:
                segs.append((s, c, sp, cp, seq - 200, a, 0x10, b'y' * 200, 0.01))
            segs += [(s, c, sp, cp, seq, a, 0x11, b'', 0.0001),
                     (c, s, cp, sp, a, seq + 1, 0x11, b'', 0.0001),
                     (s, c, sp, cp, seq + 1, a + 1, 0x10, b'', 0.0001)]
            for seg in segs:
                src, dst, spt, dpt, sq, ak, fl, pl, gap = seg[:9]
                win = seg[9] if len(seg) > 9 else 65535
                data = frame(src, dst, spt, dpt, sq, ak, fl, pl, win)
                t += gap
                us = int(round(t * 1e6))
                out.write(struct.pack('<IIII', us // 1000000, us % 1000000,
                                      len(data), len(data)) + data)
            t += 0.0005
    return 0


if __name__ == '__main__':
    sys.exit(main())
