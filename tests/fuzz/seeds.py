#!/usr/bin/env python3
"""Seed corpora for the libFuzzer targets of tests/fuzz/.

usage: seeds.py OUTDIR DIR...

Reads every .pcap, .pcapng (and .gz of either) file in the DIRs with a
small pure-Python reader and writes:
  OUTDIR/pipeline/  whole capture files up to PIPELINE_MAX bytes;
  OUTDIR/decode/    one seed per distinct frame, in fuzz-decode's layout:
                    a byte picking the link type, a wire-length byte
                    (0: wire = caplen, or the frame's own cut), the frame;
  OUTDIR/options/   the distinct TCP option lists found in the frames.
"""
import gzip
import hashlib
import os
import struct
import sys

PIPELINE_MAX = 65536
MAX_FRAMES_PER_FILE = 100
MAX_DECODE_SEEDS = 8000

# Same order as linktypes[] in fuzz-decode.c.
LINKTYPES = [0, 1, 9, 101, 50, 108, 113, 228, 229, 239, 276, 12, 14,
             147, 105, 127, -1, 65535]


def read_frames(data):
    """Yield (linktype, caplen_bytes, wire_len) from a pcap or pcapng image."""
    if len(data) < 24:
        return
    magic = data[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
        e = '<'
    elif magic in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        e = '>'
    elif magic == b'\x0a\x0d\x0d\x0a':
        yield from read_pcapng(data)
        return
    else:
        return
    lt = struct.unpack(e + 'I', data[20:24])[0] & 0x0fffffff
    pos = 24
    while pos + 16 <= len(data):
        _, _, incl, orig = struct.unpack(e + 'IIII', data[pos:pos + 16])
        pos += 16
        if incl > len(data) - pos:
            return
        yield lt, data[pos:pos + incl], orig
        pos += incl


def read_pcapng(data):
    pos, e, ifaces = 0, '<', []
    while pos + 12 <= len(data):
        btype = struct.unpack(e + 'I', data[pos:pos + 4])[0]
        if btype == 0x0a0d0d0a:
            bom = data[pos + 8:pos + 12]
            e = '<' if bom == b'\x4d\x3c\x2b\x1a' else '>'
            ifaces = []
        blen = struct.unpack(e + 'I', data[pos + 4:pos + 8])[0]
        if blen < 12 or pos + blen > len(data):
            return
        body = data[pos + 8:pos + blen - 4]
        if btype == 1 and len(body) >= 2:
            ifaces.append(struct.unpack(e + 'H', body[:2])[0])
        elif btype == 6 and len(body) >= 20:
            iface, _, _, incl, orig = struct.unpack(e + 'IIIII', body[:20])
            if iface < len(ifaces):
                yield ifaces[iface], body[20:20 + incl], orig
        elif btype == 3 and len(body) >= 4 and ifaces:
            orig = struct.unpack(e + 'I', body[:4])[0]
            yield ifaces[0], body[4:4 + orig], orig
        pos += blen


def ip_payload_tcp_options(lt, f):
    """TCP option bytes of a plain IPv4/IPv6 TCP frame, or None."""
    off, etype = 0, None
    if lt == 1:
        off, etype = 14, f[12:14]
        while etype in (b'\x81\x00', b'\x88\xa8') and len(f) >= off + 4:
            etype, off = f[off + 2:off + 4], off + 4
    elif lt == 113:
        off, etype = 16, f[14:16]
    elif lt == 276:
        off, etype = 20, f[0:2]
    elif lt in (0, 108):
        off = 4
    elif lt in (101, 12, 14, 228, 229):
        off = 0
    else:
        return None
    if len(f) < off + 1:
        return None
    ver = f[off] >> 4
    if ver == 4 and len(f) >= off + 20 and f[off + 9] == 6:
        t = off + (f[off] & 15) * 4
    elif ver == 6 and len(f) >= off + 40 and f[off + 6] == 6:
        t = off + 40
    else:
        return None
    if len(f) < t + 20:
        return None
    hl = (f[t + 12] >> 4) * 4
    if hl <= 20 or len(f) < t + hl:
        return None
    return f[t + 20:t + hl]


def main():
    out, dirs = sys.argv[1], sys.argv[2:]
    for sub in ('pipeline', 'decode', 'options'):
        os.makedirs(os.path.join(out, sub), exist_ok=True)
    seen = set()
    counts = {'pipeline': 0, 'decode': 0, 'options': 0}

    def put(sub, blob):
        h = hashlib.sha1(sub.encode() + blob).hexdigest()
        if h in seen:
            return
        seen.add(h)
        with open(os.path.join(out, sub, h), 'wb') as fh:
            fh.write(blob)
        counts[sub] += 1

    for d in dirs:
        if not os.path.isdir(d):
            continue
        for root, _, names in sorted(os.walk(d)):
            for name in sorted(names):
                if not name.endswith(('.pcap', '.pcapng', '.pcap.gz', '.pcapng.gz')):
                    continue
                with open(os.path.join(root, name), 'rb') as fh:
                    data = fh.read()
                if name.endswith('.gz'):
                    # Whole, as tcpsight reads gzip'd captures itself.
                    if len(data) <= PIPELINE_MAX:
                        put('pipeline', data)
                    try:
                        data = gzip.decompress(data)
                    except (OSError, EOFError):
                        continue
                if len(data) <= PIPELINE_MAX:
                    put('pipeline', data)
                for i, (lt, frame, orig) in enumerate(read_frames(data)):
                    if i >= MAX_FRAMES_PER_FILE or counts['decode'] >= MAX_DECODE_SEEDS:
                        break
                    sel = LINKTYPES.index(lt) if lt in LINKTYPES else LINKTYPES.index(147)
                    cut = max(0, orig - len(frame))
                    wbyte = min(127, (cut + 63) // 64)
                    put('decode', bytes([sel, wbyte]) + frame)
                    opts = ip_payload_tcp_options(lt, frame)
                    if opts:
                        put('options', opts)
    print('seeds: %d pipeline, %d decode, %d options' %
          (counts['pipeline'], counts['decode'], counts['options']))


if __name__ == '__main__':
    main()
