#!/usr/bin/env bash
# Regenerate testdata/diagnosis/: captures for "what limits this transfer".
#
# Each scenario is one bulk transfer between real Linux stacks in fresh
# network namespaces (TSO/GSO/GRO/tx-csum off on every veth, static
# neighbours, IPv4 only), on one of two paths:
#
#   direct   A 10.77.0.1 (a0) --veth-- (b0) 10.77.0.2 B
#   routed   A 10.78.1.1 (a1) --veth-- (r0) 10.78.1.254 R 10.78.2.254 (r1)
#                                                  --veth-- (b1) 10.78.2.1 B
#            R forwards (ip_forward=1); A and B route the other side's
#            /24 via R.
#
# A is the client, B the server.  The capture is taken with tcpdump -s 128
# on the SENDER's veth (in A or B), so every transmission by the sender is
# in it, and the sender's struct tcp_info (busy_time, rwnd_limited,
# sndbuf_limited, total_retrans, bytes_sent, ...) is saved beside it as
# NAME.kernel.json: the kernel's own account of what limited the sender.
# tests/gen-traffic.py (mode "transfer") drives both ends and reads TCP_INFO
# after all data and the sender's FIN were acked, just before close().
#
# A network bottleneck goes on the routed path: a tbf on R's veth toward
# the receiver, after the capture point.  The capture then sees what a
# passive observer near a real sender sees: the data queues in the
# network, the sender keeps a flight of segments out and is clocked by the
# ACKs.  (A tbf on the sender's own veth sits before the capture point:
# the capture sees tbf's output, with almost nothing in flight on the
# wire, and cannot tell that from an application with nothing to send.)
#
#   slow-reader            direct; server -> client 512 KiB; the client set
#                          SO_RCVBUF 128 KiB before connect() and reads
#                          16 KiB every 100 ms; no rate limit
#   fast-reader            routed; server -> client 512 KiB; the client
#                          (SO_RCVBUF 2 MiB) reads as fast as it can; tbf
#                          4 Mbit/s on R's veth toward the client (r0)
#   lossy                  routed; client -> server 512 KiB; fast reader;
#                          tbf 4 Mbit/s on R's veth toward the server (r1);
#                          nft drops 4% of the data segments at the
#                          server's input hook
#   bursty-sender          direct; server -> client 768 KiB written as
#                          64 KiB bursts with 100-200 ms pauses; fast
#                          reader; tbf 20 Mbit/s on the server's own veth
#                          (the application is the limit either way)
#   slow-reader-midstream  slow-reader.pcap without its first 8 records
#                          (SYN, SYN/ACK, ACK and the first data segments)
#
# Every tbf has a queue that never overflows (the script fails a run if
# tbf dropped anything): the only losses are nft's, at the receiver.
#
# Usage: sudo tests/gen-diagnosis.sh      (exit 77 = skipped, not root)
# Output: testdata/diagnosis/*.pcap, *.kernel.json (overwritten each run)
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
    echo "gen-diagnosis: skipped, must run as root" >&2
    exit 77
fi
for tool in ip tc tcpdump ethtool nft python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "gen-diagnosis: skipped, $tool not installed" >&2
        exit 77
    fi
done

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(dirname "$HERE")/testdata/diagnosis
GEN=$HERE/gen-traffic.py
NA=tcpdg-a-$$           # client side: 10.77.0.1 (a0), 10.78.1.1 (a1)
NB=tcpdg-b-$$           # server side: 10.77.0.2 (b0), 10.78.2.1 (b1)
NR=tcpdg-r-$$           # router: 10.78.1.254 (r0), 10.78.2.254 (r1)
WORK=$(mktemp -d /tmp/tcps-diag.XXXXXX)
TCPDUMP_PID=
START=$SECONDS
MIDSTREAM_DROP=8        # records cut from the front of slow-reader.pcap
MAX_FILE=409600         # bytes, per capture
MAX_DIR=1572864         # bytes, whole folder
# tbf queue limits (bytes), large enough that tbf never drops (checked
# after each run).  The router's queue holds the part of the sender's
# flight that the 4 Mbit/s link has not sent yet: about 200 KB at the peak
# (BBR's startup against a 2 MiB window).  768 KB is more than all the
# frames a 512 KiB transfer sends, retransmissions included, so tbf cannot
# overflow whatever the sender does.
TBF_LIMIT_SENDER=2mb
TBF_LIMIT_ROUTER=768kb

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    local rc=$?
    set +e
    if [ -n "$TCPDUMP_PID" ]; then
        kill -INT "$TCPDUMP_PID" 2>/dev/null
        wait "$TCPDUMP_PID" 2>/dev/null
    fi
    ip netns del "$NA" 2>/dev/null
    ip netns del "$NB" 2>/dev/null
    ip netns del "$NR" 2>/dev/null
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

log() { printf 'gen-diagnosis: %s\n' "$*" >&2; }

# ---- namespaces ---------------------------------------------------------------

ip netns add "$NA"
ip netns add "$NB"
ip netns add "$NR"
for ns in "$NA" "$NB" "$NR"; do
    # no IPv6; no tcp_metrics cache, so one transfer does not seed the next
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
        net.ipv4.tcp_no_metrics_save=1
    ip -n "$ns" link set lo up
done
ip netns exec "$NR" sysctl -qw net.ipv4.ip_forward=1
ip link add a0 netns "$NA" type veth peer name b0 netns "$NB"     # direct
ip link add a1 netns "$NA" type veth peer name r0 netns "$NR"     # routed
ip link add b1 netns "$NB" type veth peer name r1 netns "$NR"

# ifup NS DEV ADDR PEER_NS PEER_DEV PEER_ADDR: offloads off, address/24,
# up, and a static neighbour entry for the peer's address
ifup() {
    ip netns exec "$1" ethtool -K "$2" tso off gso off gro off tx off >/dev/null
    ip -n "$1" addr add "$3/24" dev "$2"
    ip -n "$1" link set "$2" up
    mac=$(ip netns exec "$4" cat "/sys/class/net/$5/address")
    ip -n "$1" neigh replace "$6" lladdr "$mac" dev "$2" nud permanent
}
ifup "$NA" a0 10.77.0.1 "$NB" b0 10.77.0.2
ifup "$NB" b0 10.77.0.2 "$NA" a0 10.77.0.1
ifup "$NA" a1 10.78.1.1 "$NR" r0 10.78.1.254
ifup "$NR" r0 10.78.1.254 "$NA" a1 10.78.1.1
ifup "$NB" b1 10.78.2.1 "$NR" r1 10.78.2.254
ifup "$NR" r1 10.78.2.254 "$NB" b1 10.78.2.1
ip -n "$NA" route add 10.78.2.0/24 via 10.78.1.254 dev a1
ip -n "$NB" route add 10.78.1.0/24 via 10.78.2.254 dev b1
sleep 0.1

# ---- one scenario ---------------------------------------------------------------

# scenario NAME DIR PATH RATE DROP_PCT CPORT SPORT NOTE -- gen-traffic options...
# DIR up: the client (A) sends; down: the server (B) sends.  PATH direct:
# A--B, and RATE (unless "-") is a tbf on the sender's own veth, before the
# capture point; PATH routed: A--R--B, and RATE is a tbf on R's veth toward
# the receiver, after the capture point.  DROP_PCT > 0: nft drops that
# share of the data segments at the receiver's input hook (after the
# capture point).  The capture is always on the sender's veth.
scenario() {
    local name=$1 dir=$2 path=$3 rate=$4 pct=$5 cport=$6 sport=$7 note=$8
    local caddr saddr sns sdev srcaddr rns dstaddr qns qdev limit where
    local drops=n/a capdrops tbfdrops=0 tbfstats setup
    shift 9
    if [ "$path" = direct ]; then
        caddr=10.77.0.1 saddr=10.77.0.2 limit=$TBF_LIMIT_SENDER
        setup="path: direct veth pair, client $caddr -- server $saddr"
        if [ "$dir" = up ]; then sdev=a0; else sdev=b0; fi
        qdev=$sdev where="on the sender's own veth (before the capture point)"
    else
        caddr=10.78.1.1 saddr=10.78.2.1 limit=$TBF_LIMIT_ROUTER
        setup="path: client $caddr (veth) -- router 10.78.1.254/10.78.2.254, ip_forward=1 (veth) -- server $saddr"
        if [ "$dir" = up ]; then sdev=a1 qdev=r1; else sdev=b1 qdev=r0; fi
        where="on the router's veth toward the receiver (after the capture point)"
    fi
    if [ "$dir" = up ]; then
        sns=$NA srcaddr=$caddr rns=$NB dstaddr=$saddr
    else
        sns=$NB srcaddr=$saddr rns=$NA dstaddr=$caddr
    fi
    if [ "$path" = direct ]; then qns=$sns; else qns=$NR; fi
    setup="$setup; capture: tcpdump -s 128 on the sender's veth ($srcaddr)"
    if [ "$rate" != - ]; then
        # a queue that never overflows: drops happen only where nft says
        ip netns exec "$qns" tc qdisc replace dev "$qdev" root tbf rate "$rate" burst 16kb limit "$limit"
        setup="$setup; tc qdisc tbf rate $rate burst 16kb limit $limit $where"
    fi
    if [ "$pct" != 0 ]; then
        ip netns exec "$rns" nft -f - <<EOF
table inet tcps_diag {
    chain in {
        type filter hook input priority 0; policy accept;
        ip saddr $srcaddr ip daddr $dstaddr tcp sport { $cport, $sport } ip length > 200 numgen random mod 100 < $pct counter drop
    }
}
EOF
        setup="$setup; nft in the receiver's netns: hook input, data segments (ip length > 200) from the sender, numgen random mod 100 < $pct drop"
    fi
    rm -f "$WORK/$name.pcap" "$WORK/$name.err"
    ip netns exec "$sns" tcpdump -i "$sdev" -s 128 -B 16384 -U --immediate-mode -Z root -n \
        -w "$WORK/$name.pcap" tcp 2>"$WORK/$name.err" &
    TCPDUMP_PID=$!
    for _ in $(seq 200); do
        grep -q 'listening on' "$WORK/$name.err" && break
        kill -0 "$TCPDUMP_PID" 2>/dev/null || break
        sleep 0.02
    done
    grep -q 'listening on' "$WORK/$name.err" || { cat "$WORK/$name.err" >&2; log "tcpdump did not start"; return 1; }
    python3 "$GEN" transfer --dir "$dir" --cns "$NA" --sns "$NB" --caddr "$caddr" --saddr "$saddr" \
        --cport "$cport" --sport "$sport" \
        --name "$name" --json "$WORK/$name.kernel.json" --note "$note; $setup" "$@"
    sleep 0.2
    kill -INT "$TCPDUMP_PID"
    wait "$TCPDUMP_PID" || true
    TCPDUMP_PID=
    capdrops=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$WORK/$name.err")
    if [ "$pct" != 0 ]; then
        drops=$(ip netns exec "$rns" nft list table inet tcps_diag | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
        ip netns exec "$rns" nft delete table inet tcps_diag
    fi
    if [ "$rate" != - ]; then
        tbfstats=$(ip netns exec "$qns" tc -s qdisc show dev "$qdev")
        tbfdrops=$(printf '%s\n' "$tbfstats" | sed -n 's/.*dropped \([0-9]*\).*/\1/p' | head -1)
        log "  tbf on $qdev: $(printf '%s\n' "$tbfstats" | sed -n 's/^ *\(Sent .*\)/\1/p' | head -1)"
        ip netns exec "$qns" tc qdisc del dev "$qdev" root
    fi
    if [ "${capdrops:-0}" != 0 ] || [ "${tbfdrops:-0}" != 0 ]; then
        log "$name: tcpdump dropped ${capdrops:-?}, tbf dropped ${tbfdrops:-?}"
        return 1
    fi
    python3 - "$WORK/$name.kernel.json" "$drops" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
if sys.argv[2] != 'n/a':
    d['nft_dropped_packets'] = int(sys.argv[2])
json.dump(d, open(sys.argv[1], 'w'), indent=2)
open(sys.argv[1], 'a').write('\n')
EOF
}

# check NAME EXPR: EXPR (python, over the tcp_info fields without "tcpi_",
# plus elapsed) must hold, else the scenario is run again
check() {
    python3 - "$WORK/$1.kernel.json" "$2" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
t = {k[5:] if k.startswith('tcpi_') else k: v for k, v in d['tcp_info'].items()}
t['elapsed'] = t.pop('sender_elapsed_s')
ok = eval(sys.argv[2], {}, t)
print('gen-diagnosis:   busy %d us, rwnd_limited %d, sndbuf_limited %d, total_retrans %d, '
      'elapsed %.3f s%s' % (t['busy_time'], t['rwnd_limited'], t['sndbuf_limited'],
                            t['total_retrans'], t['elapsed'],
                            '' if ok else ': not as intended (%s)' % sys.argv[2]),
      file=sys.stderr)
sys.exit(0 if ok else 1)
EOF
}

# run NAME CHECK ARGS...: up to 3 tries until CHECK holds
run() {
    local name=$1 cond=$2 try
    shift 2
    for try in 1 2 3; do
        log "$name (try $try)"
        if scenario "$name" "$@" && check "$name" "$cond"; then
            return 0
        fi
    done
    log "$name: no good run in 3 tries"
    return 1
}

SIZE=524288
# The fast readers get a 2 MiB SO_RCVBUF.  With Linux's default receive
# autotuning (and the tbf then on the sender's own veth) the kernel
# reported rwnd_limited at 0-34 % of busy_time in about half of the runs:
# BBR's startup cwnd outgrew the receiver's initial ~64 KB window before
# autotuning caught up.  A large buffer takes the receiver out of the
# picture (rwnd_limited 0 in every run).
FAST_RCVBUF=2097152

# The slow reader reads 16 KiB every 100 ms.  The kernel's chrono
# accounting (tcpi_busy_time, tcpi_rwnd_limited) counts in jiffies (4 ms at
# HZ=250), so every switch between busy and rwnd-limited may misplace up
# to a jiffy: a reader that wakes every 20 ms made the kernel's own share
# wrong by up to 20 points.  Ten switches a second keep that error small.
# A 128 KiB SO_RCVBUF makes the receiver offer a window scale (2^2 or so),
# which the midstream copy below then hides.
run slow-reader 'rwnd_limited > 0.5 * busy_time' \
    down direct - 0 42001 5201 \
    "slow reader: the receiver's SO_RCVBUF 131072 was set before connect(); it reads 16384 bytes every 100 ms" \
    -- --size $SIZE --rcvbuf 131072 --read-chunk 16384 --read-pause 0.1

# fast-reader and lossy: the bottleneck is a 4 Mbit/s link in the network
# (tbf on the router, after the capture point), so the data queues there
# and the capture shows a sender with a flight out, clocked by the ACKs.
run fast-reader 'rwnd_limited < 0.05 * busy_time and total_retrans == 0' \
    down routed 4mbit 0 42002 5202 \
    "fast reader: the receiver set SO_RCVBUF 2 MiB before accept and reads 64 KiB per recv() without pause; the router's link toward the receiver is rate-limited" \
    -- --size $SIZE --rcvbuf $FAST_RCVBUF

run lossy 'total_retrans > 0' \
    up routed 4mbit 4 42003 5203 \
    "lossy: fast reader (SO_RCVBUF 2 MiB), the router's link toward the receiver is rate-limited, 4% random drop of data segments at the receiver" \
    -- --size $SIZE --rcvbuf $FAST_RCVBUF

# bursty-sender: the application is the limit; its tbf stays on the
# sender's own veth (direct path).
run bursty-sender 'busy_time < 0.5 * elapsed * 1e6 and total_retrans == 0' \
    down direct 20mbit 0 42004 5204 \
    "bursty sender (application-limited): 64 KiB writes with 100-200 ms pauses; fast reader (SO_RCVBUF 2 MiB); rate-limited sender" \
    -- --size 786432 --burst 65536 --burst-pause 0.1,0.2 --seed 7 --rcvbuf $FAST_RCVBUF

log "slow-reader-midstream (slow-reader.pcap without its first $MIDSTREAM_DROP records)"
python3 "$GEN" drop-first "$WORK/slow-reader.pcap" "$WORK/slow-reader-midstream.pcap" "$MIDSTREAM_DROP" >&2
python3 - "$WORK/slow-reader.kernel.json" "$WORK/slow-reader-midstream.kernel.json" "$MIDSTREAM_DROP" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d['scenario'] = 'slow-reader-midstream'
d['derived_from'] = ('slow-reader.pcap without its first %s records (handshake and first data); '
                     'tcp_info is that of the whole connection' % sys.argv[3])
json.dump(d, open(sys.argv[2], 'w'), indent=2)
open(sys.argv[2], 'a').write('\n')
EOF

# ---- install and report ----------------------------------------------------------

NAMES=(slow-reader fast-reader lossy bursty-sender slow-reader-midstream)
total=0
for f in "${NAMES[@]}"; do
    sz=$(stat -c %s "$WORK/$f.pcap")
    total=$((total + sz + $(stat -c %s "$WORK/$f.kernel.json")))
    if [ "$sz" -gt "$MAX_FILE" ]; then
        log "$f.pcap is $sz bytes (> $MAX_FILE)"
        exit 1
    fi
done
if [ "$total" -gt "$MAX_DIR" ]; then
    log "the folder would be $total bytes (> $MAX_DIR)"
    exit 1
fi
mkdir -p "$OUT"
for f in "${NAMES[@]}"; do
    cp "$WORK/$f.pcap" "$WORK/$f.kernel.json" "$OUT/"
done

python3 - "$OUT" "${NAMES[@]}" <<'EOF'
import json, os, sys
out = sys.argv[1]
print('%-27s %7s %8s %9s %9s %9s %6s %6s %5s %s' % (
    'capture', 'bytes', 'elapsed', 'busy_us', 'rwnd_us', 'sndbuf_us',
    'rwnd%', 'sndb%', 'retr', 'nft'))
print('%-27s %7s %8s %9s %9s %9s %6s %6s %5s' % ('', '', 's', 'time', 'limited', 'limited',
                                                'of bus', 'of bus', 'total'))
for n in sys.argv[2:]:
    d = json.load(open(os.path.join(out, n + '.kernel.json')))
    t = d['tcp_info']
    sz = os.path.getsize(os.path.join(out, n + '.pcap'))
    busy = t['tcpi_busy_time']
    print('%-27s %7d %8.3f %9d %9d %9d %5.1f%% %5.1f%% %5d %s' % (
        n + '.pcap', sz, t['sender_elapsed_s'], busy, t['tcpi_rwnd_limited'],
        t['tcpi_sndbuf_limited'], 100.0 * t['tcpi_rwnd_limited'] / busy if busy else 0,
        100.0 * t['tcpi_sndbuf_limited'] / busy if busy else 0, t['tcpi_total_retrans'],
        d.get('nft_dropped_packets', '-')))
EOF
log "wrote $OUT ($total bytes) in $((SECONDS - START)) s"
