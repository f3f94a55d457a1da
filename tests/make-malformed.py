#!/usr/bin/env python3
"""Write the hand-made damaged captures of testdata/malformed/.

Each is built from scratch here (no third-party bytes), so the file's
bytes are explained by this script.  Run from the source root:
    python3 tests/make-malformed.py
"""
import os
import struct

OUT = 'testdata/malformed'


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
    for name, data in files.items():
        with open(os.path.join(OUT, name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    main()
