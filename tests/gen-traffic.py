#!/usr/bin/env python3
"""Traffic and pcap helper for tests/gen-captures.sh.

Traffic modes run real Linux TCP stacks: one process opens its sockets in
two network namespaces (setns(2) before socket(2); a socket stays in the
namespace it was created in) and drives both ends with plain blocking
sockets.  Pcap modes cut files and check the FIN ordering of a capture.

  gen-traffic.py handshake|bulk|rst-abort|refused|simclose|zero-window|upload
                 --cns NS --sns NS --caddr IP --saddr IP --cport N --sport N
                 [--size BYTES] [--json FILE]
  gen-traffic.py transfer --dir up|down [--size BYTES] [--json FILE]
                 [--name NAME] [--note TEXT] [--rcvbuf BYTES]
                 [--read-chunk BYTES] [--read-pause S]
                 [--burst BYTES --burst-pause MIN,MAX]
                 (one bulk transfer for tests/kernel-truth.sh and
                  tests/gen-diagnosis.sh: up = client sends, down = server
                  sends; the receiver's SO_RCVBUF is set before
                  listen/connect; the sender's TCP_INFO is read after all
                  data and its FIN were acked, just before close())
  gen-traffic.py load-vlan-bpf DIR        (pin tc programs that push/pop tags)
  gen-traffic.py cut-data IN OUT          (cut a file inside a packet's data)
  gen-traffic.py cut-hdr IN OUT           (cut a file inside a record header)
  gen-traffic.py check-simclose FILE      (exit 0 if the FINs crossed;
                                           FILE holds one connection)
  gen-traffic.py drop-first IN OUT N      (copy a pcap without its first N
                                           records)
"""
import argparse
import ctypes
import json
import os
import platform
import random
import socket
import struct
import sys
import threading
import time

libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNET = 0x40000000


def setns(name):
    fd = os.open('/run/netns/' + name, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, 'setns(%s): %s' % (name, os.strerror(err)))
    finally:
        os.close(fd)


def family(addr):
    return socket.AF_INET6 if ':' in addr else socket.AF_INET


def listener(a, rcvbuf=None):
    setns(a.sns)
    s = socket.socket(family(a.saddr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind((a.saddr, a.sport))
    s.listen(4)
    return s


def client(a, rcvbuf=None):
    setns(a.cns)
    c = socket.socket(family(a.caddr), socket.SOCK_STREAM)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if rcvbuf:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    c.bind((a.caddr, a.cport))
    return c


def recv_exact(s, n):
    buf = b''
    while len(buf) < n:
        d = s.recv(n - len(buf))
        if not d:
            break
        buf += d
    return buf


def drain(s, chunk=65536, pause=0.0):
    total = 0
    while True:
        d = s.recv(chunk)
        if not d:
            return total
        total += len(d)
        if pause:
            time.sleep(pause)


def payload(n):
    pat = b'tcpsight-bulk-data-0123456789abcdefghijklmnopqrstuvwxyz\n'
    return (pat * (n // len(pat) + 1))[:n]


# Offsets in the Linux struct tcp_info (include/uapi/linux/tcp.h), checked
# with offsetof() against /usr/include/linux/tcp.h.
TCP_INFO_FIELDS = [
    # name, offset, struct format
    ('tcpi_state', 0, 'B'),
    ('tcpi_snd_mss', 16, 'I'),
    ('tcpi_rcv_mss', 20, 'I'),
    ('tcpi_unacked', 24, 'I'),
    ('tcpi_lost', 32, 'I'),
    ('tcpi_retrans', 36, 'I'),
    ('tcpi_rtt', 68, 'I'),
    ('tcpi_snd_cwnd', 80, 'I'),
    ('tcpi_total_retrans', 100, 'I'),
    ('tcpi_bytes_acked', 120, 'Q'),
    ('tcpi_bytes_received', 128, 'Q'),
    ('tcpi_segs_out', 136, 'I'),
    ('tcpi_segs_in', 140, 'I'),
    ('tcpi_data_segs_out', 156, 'I'),
    ('tcpi_busy_time', 168, 'Q'),
    ('tcpi_rwnd_limited', 176, 'Q'),
    ('tcpi_sndbuf_limited', 184, 'Q'),
    ('tcpi_bytes_sent', 200, 'Q'),
    ('tcpi_bytes_retrans', 208, 'Q'),
    ('tcpi_dsack_dups', 216, 'I'),
    ('tcpi_snd_wnd', 228, 'I'),
]


def tcp_info(s):
    raw = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
    out = {'tcp_info_len': len(raw)}
    for name, off, fmt in TCP_INFO_FIELDS:
        if off + struct.calcsize(fmt) <= len(raw):
            out[name] = struct.unpack_from('<' + fmt, raw, off)[0]
    try:
        cc = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, 16)
        out['congestion_control'] = cc.split(b'\0')[0].decode()
    except OSError:
        pass
    return out


def client_sends(a):
    return a.mode == 'upload' or (a.mode == 'transfer' and a.dir == 'up')


def tcp_wscale(s):
    """(snd_wscale, rcv_wscale): the 4-bit fields in byte 6 of tcp_info."""
    raw = s.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 8)
    return raw[6] & 15, raw[6] >> 4


def write_json(path, info, a, extra):
    doc = {
        'scenario': a.name or a.mode,
        'kernel': platform.release(),
        'socket': 'sender',
        'sender': '%s:%d' % ((a.caddr, a.cport) if client_sends(a) else (a.saddr, a.sport)),
        'read_when': 'after the receiver read everything and closed (EOF seen by sender), just before close()',
        'offsets': {n: o for n, o, _ in TCP_INFO_FIELDS},
    }
    doc.update(extra)
    doc['tcp_info'] = info
    with open(path, 'w') as f:
        json.dump(doc, f, indent=2, sort_keys=False)
        f.write('\n')


def run_threads(*fns):
    errs = []

    def wrap(fn):
        def inner():
            try:
                fn()
            except BaseException as e:  # report errors of both sides
                errs.append(e)
        return inner
    ts = [threading.Thread(target=wrap(f)) for f in fns]
    for t in ts:
        t.start()
    for t in ts:
        t.join(30)
    if errs:
        raise errs[0]


# ---- scenarios ---------------------------------------------------------

def sc_handshake(a):
    ls = listener(a)
    c = client(a)

    def server():
        conn, _ = ls.accept()
        req = recv_exact(conn, 10)
        assert req == b'GET tcps\r\n', req
        conn.sendall(b'OK tcps!\r\n')
        assert conn.recv(1) == b''      # client's FIN
        conn.close()                    # our FIN
    def cli():
        c.connect((a.saddr, a.sport))
        c.sendall(b'GET tcps\r\n')
        assert recv_exact(c, 10) == b'OK tcps!\r\n'
        time.sleep(0.05)                # let the delayed ACK go out first
        c.close()                       # client closes first
    run_threads(server, cli)
    time.sleep(0.1)


def sc_bulk(a):
    ls = listener(a)
    c = client(a)
    n = a.size

    def server():
        conn, _ = ls.accept()
        req = recv_exact(conn, 10)
        assert req == b'GET bulk\r\n'
        conn.sendall(payload(n))
        conn.shutdown(socket.SHUT_WR)
        assert conn.recv(1) == b''
        conn.close()
    def cli():
        c.connect((a.saddr, a.sport))
        c.sendall(b'GET bulk\r\n')
        got = drain(c)
        assert got == n, got
        c.close()
    run_threads(server, cli)
    time.sleep(0.1)


def sc_rst_abort(a):
    ls = listener(a)
    c = client(a)
    done = threading.Event()

    def server():
        conn, _ = ls.accept()
        recv_exact(conn, 100)
        conn.sendall(payload(1000))
        try:
            d = conn.recv(1)
            assert d == b'', d
        except ConnectionResetError:
            pass
        done.set()
        conn.close()
    def cli():
        c.connect((a.saddr, a.sport))
        c.sendall(payload(100))
        assert len(recv_exact(c, 1000)) == 1000
        time.sleep(0.1)                 # all data acked, connection idle
        c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
        c.close()                       # abortive close: RST
    run_threads(server, cli)
    time.sleep(0.1)


def sc_refused(a):
    c = client(a)
    try:
        c.connect((a.saddr, a.sport))
    except ConnectionRefusedError:
        pass
    else:
        sys.exit('refused: connect unexpectedly succeeded')
    c.close()
    time.sleep(0.05)


def sc_simclose(a):
    # --attempts connections from client ports cport, cport+1, ...; the
    # caller keeps the first one whose FINs crossed (check-simclose).
    # The server side runs in a forked process pinned to CPU 1, the client
    # side in this process pinned to CPU 0.  For each connection both spin
    # until the same instant (sent over a pipe) and then call
    # shutdown(SHUT_WR); the FINs cross when each FIN leaves before the
    # peer's FIN is processed (the peer socket is still busy in its own
    # shutdown call and queues the incoming FIN to its backlog).
    ls = listener(a)
    rfd, wfd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(wfd)
        code = 0
        try:
            try:
                os.sched_setaffinity(0, {1})
            except OSError:
                pass
            r = os.fdopen(rfd, 'rb')
            for _ in range(a.attempts):
                conn, _ = ls.accept()
                assert recv_exact(conn, 10) == b'hello srv\n'
                conn.sendall(b'hello cli\n')
                deadline = struct.unpack('d', r.read(8))[0]
                while time.monotonic() < deadline:
                    pass
                conn.shutdown(socket.SHUT_WR)
                drain(conn)
                conn.close()
        except BaseException as e:
            print('simclose server:', repr(e), file=sys.stderr)
            code = 1
        os._exit(code)
    os.close(rfd)
    ls.close()
    try:
        os.sched_setaffinity(0, {0})
    except OSError:
        pass
    cport = a.cport
    for i in range(a.attempts):
        a.cport = cport + i
        c = client(a)
        c.connect((a.saddr, a.sport))
        c.sendall(b'hello srv\n')
        assert recv_exact(c, 10) == b'hello cli\n'
        time.sleep(0.1)                 # delayed ACKs are out, both idle
        deadline = time.monotonic() + 0.01
        os.write(wfd, struct.pack('d', deadline))
        while time.monotonic() < deadline:
            pass
        c.shutdown(socket.SHUT_WR)
        drain(c)
        c.close()
        time.sleep(0.02)
    a.cport = cport
    os.close(wfd)
    _, st = os.waitpid(pid, 0)
    if st != 0:
        sys.exit('simclose: server process failed')
    time.sleep(0.1)


def sc_zero_window(a):
    # sender: server (sns); receiver: client (cns) with a small SO_RCVBUF
    # whose application sleeps before reading.
    ls = listener(a)
    c = client(a, rcvbuf=4096)
    n = a.size
    info = {}

    def server():
        conn, _ = ls.accept()
        t0 = time.monotonic()
        conn.sendall(payload(n))
        conn.shutdown(socket.SHUT_WR)
        assert conn.recv(1) == b''      # receiver read everything, closed
        info.update(tcp_info(conn))
        info['sender_elapsed_s'] = round(time.monotonic() - t0, 3)
        conn.close()
    def cli():
        c.connect((a.saddr, a.sport))
        time.sleep(1.0)                 # window fills, stays at zero
        got = drain(c, chunk=8192, pause=0.002)
        assert got == n, got
        c.shutdown(socket.SHUT_WR)
        c.close()
    run_threads(server, cli)
    if a.json:
        write_json(a.json, info, a, {
            'bytes': n, 'receiver_so_rcvbuf_requested': 4096,
            'receiver_app': 'sleeps 1 s, then reads 8 KB chunks with 2 ms pauses'})
    time.sleep(0.1)


def sc_upload(a):
    # sender: client (cns) uploads --size bytes; receiver: server (sns).
    ls = listener(a)
    c = client(a)
    n = a.size
    info = {}

    def server():
        conn, _ = ls.accept()
        got = drain(conn)
        assert got == n, got
        conn.shutdown(socket.SHUT_WR)
        conn.close()
    def cli():
        c.connect((a.saddr, a.sport))
        t0 = time.monotonic()
        c.sendall(payload(n))
        c.shutdown(socket.SHUT_WR)
        assert c.recv(1) == b''         # receiver read all data and closed
        info.update(tcp_info(c))
        info['sender_elapsed_s'] = round(time.monotonic() - t0, 3)
        c.close()
    run_threads(server, cli)
    if a.json:
        write_json(a.json, info, a, {'bytes': n, 'loss': a.loss_note})
    time.sleep(0.1)


def sc_transfer(a):
    # One bulk transfer.  --dir up: the client (cns) sends to the server
    # (sns); --dir down: the server sends.  The receiver's SO_RCVBUF
    # (--rcvbuf) is set before listen()/connect(), so it also limits the
    # window scale the receiver offers in its SYN or SYN/ACK.  The receiver
    # reads --read-chunk bytes per recv() and sleeps --read-pause after
    # each; the sender writes everything at once or in --burst pieces with
    # a pause drawn from --burst-pause MIN,MAX after each.  When all data is
    # sent the sender shuts down its side and waits for the receiver's FIN
    # (the receiver read everything and closed), which also acks the
    # sender's FIN: nothing is in flight, the kernel's chrono counters
    # (busy_time, rwnd_limited, sndbuf_limited) are final, and TCP_INFO is
    # read just before close().
    up = a.dir == 'up'
    ls = listener(a, rcvbuf=a.rcvbuf if up else None)
    c = client(a, rcvbuf=None if up else a.rcvbuf)
    n = a.size
    data = payload(n)
    info = {}
    extra = {}
    rng = random.Random(a.seed)
    if a.burst:
        lo, hi = (float(x) for x in a.burst_pause.split(','))

    def send_side(s):
        t0 = time.monotonic()
        if a.burst:
            off = 0
            while off < n:
                s.sendall(data[off:off + a.burst])
                off += a.burst
                if off < n:
                    time.sleep(rng.uniform(lo, hi))
        else:
            s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        assert s.recv(1) == b''         # receiver read all data and closed
        info.update(tcp_info(s))
        info['sender_elapsed_s'] = round(time.monotonic() - t0, 3)
        snd, rcv = tcp_wscale(s)
        extra['sender_wscale'] = rcv    # the scale the sender offered
        extra['receiver_wscale'] = snd  # the scale the receiver offered
        s.close()

    def recv_side(s):
        extra['receiver_so_rcvbuf'] = s.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)
        got = drain(s, chunk=a.read_chunk, pause=a.read_pause)
        assert got == n, got
        s.shutdown(socket.SHUT_WR)
        s.close()

    def server():
        conn, _ = ls.accept()
        (recv_side if up else send_side)(conn)
    def cli():
        c.connect((a.saddr, a.sport))
        (send_side if up else recv_side)(c)
    run_threads(server, cli)
    ls.close()
    if a.json:
        desc = {'bytes': n, 'direction': 'client->server' if up else 'server->client'}
        if a.rcvbuf:
            desc['receiver_so_rcvbuf_requested'] = a.rcvbuf
        desc['receiver_app'] = ('recv(%d) in a loop%s' % (
            a.read_chunk, ', sleeping %g s after each' % a.read_pause if a.read_pause else ''))
        desc['sender_app'] = ('sendall(%d bytes)' % n if not a.burst else
                              'sendall(%d) bursts, sleeping U(%g, %g) s between (seed %d)'
                              % (a.burst, lo, hi, a.seed))
        if a.note:
            desc['setup'] = a.note
        desc.update(extra)
        write_json(a.json, info, a, desc)
    time.sleep(0.1)


def drop_first(src, dst, n):
    data = open(src, 'rb').read()
    _, recs = pcap_records(data)
    if len(recs) <= n:
        sys.exit('drop-first: %s has only %d records' % (src, len(recs)))
    off = recs[n][0]
    open(dst, 'wb').write(data[:24] + data[off:])
    print('%s: dropped the first %d of %d records' % (dst, n, len(recs)))


# ---- tc BPF programs for VLAN tagging (kernel has no 8021q) -------------

def bpf_insn(code, dst=0, src=0, off=0, imm=0):
    return struct.pack('<BBhi', code, (src << 4) | dst, off, imm)


def bpf_prog(tags):
    """tags: list of (be16 proto, vid) to push, innermost first; None = pop 2."""
    p = bpf_insn(0xbf, 6, 1)                                  # r6 = skb
    if tags is None:
        for _ in range(2):
            p += bpf_insn(0xbf, 1, 6) + bpf_insn(0x85, imm=19)  # skb_vlan_pop
    else:
        for proto, vid in tags:
            p += (bpf_insn(0xbf, 1, 6) + bpf_insn(0xb7, 2, imm=proto) +
                  bpf_insn(0xb7, 3, imm=vid) + bpf_insn(0x85, imm=18))  # skb_vlan_push
    p += bpf_insn(0xb7, 0, imm=0) + bpf_insn(0x95)            # TC_ACT_OK
    return p


def bpf_load_pin(code, path):
    SYS_bpf = 321 if platform.machine() == 'x86_64' else 280
    buf = ctypes.create_string_buffer(code)
    lic = ctypes.create_string_buffer(b'GPL')
    log = ctypes.create_string_buffer(65536)
    attr = struct.pack('<IIQQIIQII16s', 3, len(code) // 8, ctypes.addressof(buf),
                       ctypes.addressof(lic), 1, len(log), ctypes.addressof(log),
                       0, 0, b'tcps_vlan')
    attr = ctypes.create_string_buffer(attr + b'\0' * (128 - len(attr)))
    fd = libc.syscall(SYS_bpf, 5, attr, 128)                  # BPF_PROG_LOAD
    if fd < 0:
        sys.exit('BPF_PROG_LOAD: %s\n%s' % (os.strerror(ctypes.get_errno()), log.value.decode()))
    p = ctypes.create_string_buffer(path.encode())
    attr = ctypes.create_string_buffer(struct.pack('<QII', ctypes.addressof(p), fd, 0) + b'\0' * 48)
    if libc.syscall(SYS_bpf, 6, attr, 64) < 0:                # BPF_OBJ_PIN
        sys.exit('BPF_OBJ_PIN: %s' % os.strerror(ctypes.get_errno()))
    os.close(fd)


def load_vlan_bpf(d):
    Q, AD = 0x0081, 0xa888          # htons(0x8100), htons(0x88a8)
    bpf_load_pin(bpf_prog([(Q, 100)]), d + '/push_q100')
    bpf_load_pin(bpf_prog([(Q, 100), (AD, 200)]), d + '/push_ad200_q100')
    bpf_load_pin(bpf_prog(None), d + '/pop')


# ---- pcap helpers -------------------------------------------------------

def pcap_records(data):
    magic = data[:4]
    if magic in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1'):
        e = '<'
    elif magic in (b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d'):
        e = '>'
    else:
        sys.exit('not a pcap file')
    linktype = struct.unpack_from(e + 'I', data, 20)[0]
    off = 24
    recs = []
    while off + 16 <= len(data):
        ts, tf, incl, orig = struct.unpack_from(e + 'IIII', data, off)
        if off + 16 + incl > len(data):
            break
        recs.append((off, incl, orig, data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return linktype, recs


def cut_data(src, dst):
    data = open(src, 'rb').read()
    _, recs = pcap_records(data)
    # the first full-sized data packet after the middle of the file
    for off, incl, orig, pkt in recs:
        if off > len(data) // 2 and incl >= 1000:
            cut = off + 16 + incl // 2
            break
    else:
        off, incl = recs[-1][0], recs[-1][1]
        cut = off + 16 + incl // 2
    open(dst, 'wb').write(data[:cut])
    print('cut %s at byte %d: record at %d (caplen %d) keeps %d of %d data bytes'
          % (src, cut, off, incl, cut - off - 16, incl))


def cut_hdr(src, dst):
    data = open(src, 'rb').read()
    _, recs = pcap_records(data)
    off = recs[-1][0]
    cut = off + 8
    open(dst, 'wb').write(data[:cut])
    print('cut %s at byte %d: last record header at %d keeps 8 of 16 bytes' % (src, cut, off))


def tcp_segments(path):
    """Yield (index, src, sport, flags, seq, ack, paylen) for Ethernet/IPv4 TCP."""
    data = open(path, 'rb').read()
    linktype, recs = pcap_records(data)
    assert linktype == 1
    for i, (off, incl, orig, pkt) in enumerate(recs):
        if struct.unpack_from('>H', pkt, 12)[0] != 0x0800:
            continue
        ip = pkt[14:]
        ihl = (ip[0] & 15) * 4
        if ip[9] != 6:
            continue
        tot = struct.unpack_from('>H', ip, 2)[0]
        tcp = ip[ihl:]
        sport, dport, seq, ack = struct.unpack_from('>HHII', tcp, 0)
        doff = (tcp[12] >> 4) * 4
        flags = tcp[13]
        yield i, (ip[12:16], sport), flags, seq, ack, tot - ihl - doff


def check_simclose(path):
    fins = {}
    first_fin_ack = None
    for i, src, flags, seq, ack, plen in tcp_segments(path):
        for fsrc, (fi, fseq) in fins.items():
            if fsrc != src and flags & 0x10 and (ack - fseq - 1) % 2**32 < 2**31:
                if first_fin_ack is None:
                    first_fin_ack = i
        if flags & 0x01 and src not in fins:
            fins[src] = (i, seq + plen)
    ok = len(fins) == 2 and (first_fin_ack is None or
                             max(fi for fi, _ in fins.values()) < first_fin_ack)
    print('FIN frames %s, first frame acking a FIN %s: %s'
          % (sorted(fi + 1 for fi, _ in fins.values()),
             None if first_fin_ack is None else first_fin_ack + 1,
             'crossed' if ok else 'not crossed'))
    return 0 if ok else 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument('mode')
    p.add_argument('args', nargs='*')
    p.add_argument('--cns', default='tcps-a')
    p.add_argument('--sns', default='tcps-b')
    p.add_argument('--caddr', default='10.77.0.1')
    p.add_argument('--saddr', default='10.77.0.2')
    p.add_argument('--cport', type=int, default=40000)
    p.add_argument('--sport', type=int, default=5000)
    p.add_argument('--size', type=int, default=100 * 1024)
    p.add_argument('--json')
    p.add_argument('--attempts', type=int, default=1)
    p.add_argument('--loss-note', default='')
    # transfer mode
    p.add_argument('--dir', choices=('up', 'down'), default='up')
    p.add_argument('--name')
    p.add_argument('--note', default='')
    p.add_argument('--rcvbuf', type=int)
    p.add_argument('--read-chunk', type=int, default=65536)
    p.add_argument('--read-pause', type=float, default=0.0)
    p.add_argument('--burst', type=int)
    p.add_argument('--burst-pause', default='0.1,0.2')
    p.add_argument('--seed', type=int, default=1)
    a = p.parse_args()
    modes = {
        'handshake': sc_handshake, 'bulk': sc_bulk, 'rst-abort': sc_rst_abort,
        'refused': sc_refused, 'simclose': sc_simclose,
        'zero-window': sc_zero_window, 'upload': sc_upload,
        'transfer': sc_transfer,
    }
    if a.mode in modes:
        modes[a.mode](a)
    elif a.mode == 'load-vlan-bpf':
        load_vlan_bpf(a.args[0])
    elif a.mode == 'cut-data':
        cut_data(a.args[0], a.args[1])
    elif a.mode == 'cut-hdr':
        cut_hdr(a.args[0], a.args[1])
    elif a.mode == 'drop-first':
        drop_first(a.args[0], a.args[1], int(a.args[2]))
    elif a.mode == 'check-simclose':
        sys.exit(check_simclose(a.args[0]))
    else:
        sys.exit('unknown mode ' + a.mode)


if __name__ == '__main__':
    main()
