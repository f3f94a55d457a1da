#!/usr/bin/env bash
# Compare tcpsight's retransmission counts with the sending kernel's own.
#
# The sender's struct tcp_info is the truth: tcpi_total_retrans counts every
# segment the kernel retransmitted and tcpi_bytes_retrans their payload
# bytes.  When the capture is taken on the sender's side of the link and the
# losses happen after the capture point (here: nft drops at the receiver's
# input hook), every retransmission is in the capture, so tcpsight's
# retransmitted_segments / retransmitted_bytes in the sender's direction
# must equal them exactly.
#
#  1. the committed captures testdata/loss.pcap and testdata/zero-window.pcap
#     against their testdata/*.kernel.json;
#  2. live: two fresh network namespaces joined by a veth pair (offloads
#     off), a tbf rate limit of 30 Mbit/s on the sender's veth, random drops
#     of data segments at the receiver's input hook, a 1 MB transfer per
#     scenario, tcpdump -s 128 on the sender's veth, TCP_INFO read by
#     tests/gen-traffic.py after everything was acked.  Scenarios: uploads
#     with 2, 5 and 10 % drop, a download with 5 % (the sender is the
#     server, so s2c is checked), and an upload with 2 % data drop plus
#     30 % of the pure ACKs dropped at the sender's input hook (after the
#     capture point: the capture has ACKs the sender never saw, which can
#     make a retransmission spurious).
#  The table also compares tcpi_bytes_sent with tcpsight's payload_bytes.
#
# Usage: sudo tests/kernel-truth.sh build/tcpsight
#        KT_KEEP=DIR ...   keep the live captures and kernel json in DIR
# Exit: 0 all equal, 1 a mismatch (or a broken run), 77 skipped.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 TCPSIGHT" >&2
    exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "kernel-truth: skipped, must run as root" >&2
    exit 77
fi
for tool in ip tc tcpdump ethtool nft python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "kernel-truth: skipped, $tool not installed" >&2
        exit 77
    fi
done
TCPSIGHT=$(realpath "$1")
if [ ! -x "$TCPSIGHT" ]; then
    echo "kernel-truth: $1 is not executable" >&2
    exit 2
fi

HERE=$(cd "$(dirname "$0")" && pwd)
DATA=$(dirname "$HERE")/testdata
GEN=$HERE/gen-traffic.py
NA=tcpkt-a-$$           # client side, 10.77.0.1
NB=tcpkt-b-$$           # server side, 10.77.0.2
WORK=$(mktemp -d /tmp/tcps-kt.XXXXXX)
TCPDUMP_PID=
START=$SECONDS
FAIL=0

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
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP PIPE

log() { printf 'kernel-truth: %s\n' "$*" >&2; }

# compare LABEL PCAP KERNEL_JSON NFT_DROPS [LABEL PCAP KERNEL_JSON NFT_DROPS...]
# Prints the table (one row per capture; NFT_DROPS "-" = take
# nft_dropped_packets from the json); returns 1 when tcpsight and the kernel
# disagree anywhere.  One python process for all rows: starting one costs
# up to 2 s on a loaded machine.
compare() {
    python3 - "$TCPSIGHT" "$@" <<'EOF'
import json, subprocess, sys
tcpsight, args = sys.argv[1], sys.argv[2:]
fmt = '%-30s %8s %8s %9s %9s %10s %10s %8s'
print(fmt % ('scenario', 'k.retr', 'ts.retr', 'k.rbytes', 'ts.rbytes', 'k.sent', 'ts.sent', 'drops'))
print(fmt % ('', 'total_re', 'retr_seg', 'bytes_re', 'retr_byt', 'bytes_sent', 'payload', 'nft'))
bad = 0
for i in range(0, len(args), 4):
    label, pcap, kjson, drops = args[i:i + 4]
    k = json.load(open(kjson))
    ti = k['tcp_info']
    if drops == '-':
        drops = str(k.get('nft_dropped_packets', 'n/a'))
    addr, port = k['sender'].rsplit(':', 1)
    port = int(port)
    doc = json.loads(subprocess.run([tcpsight, '-F', 'json', pcap], check=True,
                                    capture_output=True, text=True).stdout)
    hits = []
    for f in doc['flows']:
        for end, dirn in (('client', 'c2s'), ('server', 's2c')):
            if f[end]['addr'] == addr and f[end]['port'] == port:
                hits.append(f[dirn])
    if len(hits) != 1:
        print('%-30s sender %s matches %d flow directions' % (label, k['sender'], len(hits)))
        bad = 1
        continue
    d = hits[0]
    rows = [('retransmitted_segments', ti['tcpi_total_retrans'], d['retransmitted_segments']),
            ('retransmitted_bytes', ti['tcpi_bytes_retrans'], d['retransmitted_bytes']),
            ('payload_bytes', ti['tcpi_bytes_sent'], d['payload_bytes'])]
    ok = all(kv == tv for _, kv, tv in rows)
    print((fmt + '  %s') % (label, rows[0][1], rows[0][2], rows[1][1], rows[1][2],
                            rows[2][1], rows[2][2], drops, 'ok' if ok else 'MISMATCH'))
    if not ok:
        bad = 1
        for name, kv, tv in rows:
            if kv != tv:
                print('    %s: kernel %d, tcpsight %d (%s)' % (name, kv, tv, k['sender']))
        fl = d['flags']
        print('    tcpsight flags: retransmission %d fast %d spurious %d out_of_order %d'
              % (fl['retransmission'], fl['fast_retransmission'],
                 fl['spurious_retransmission'], fl['out_of_order']))
sys.stdout.flush()
sys.exit(bad)
EOF
}

# ---- 1. committed captures ------------------------------------------------

echo "== committed captures (testdata/*.kernel.json)"
# the diagnosis captures (tests/gen-diagnosis.sh) too, when present; not
# slow-reader-midstream, whose first records were cut away
rows=()
for name in loss zero-window diagnosis/slow-reader diagnosis/fast-reader \
            diagnosis/lossy diagnosis/bursty-sender; do
    [ -f "$DATA/$name.kernel.json" ] || continue
    rows+=("$name.pcap" "$DATA/$name.pcap" "$DATA/$name.kernel.json" -)
done
compare "${rows[@]}" || FAIL=1

# ---- 2. live ----------------------------------------------------------------

ip netns add "$NA"
ip netns add "$NB"
ip link add a0 netns "$NA" type veth peer name b0 netns "$NB"
for side in "$NA a0 10.77.0.1 $NB b0 10.77.0.2" "$NB b0 10.77.0.2 $NA a0 10.77.0.1"; do
    # shellcheck disable=SC2086
    set -- $side
    # no IPv6; no tcp_metrics cache, so one transfer does not seed the next
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 \
        net.ipv4.tcp_no_metrics_save=1
    ip -n "$1" link set lo up
    ip netns exec "$1" ethtool -K "$2" tso off gso off gro off tx off >/dev/null
    ip -n "$1" addr add "$3/24" dev "$2"
    ip -n "$1" link set "$2" up
    mac=$(ip netns exec "$4" cat "/sys/class/net/$5/address")
    ip -n "$1" neigh replace "$6" lladdr "$mac" dev "$2" nud permanent
done
sleep 0.1

# live NAME DIR DROP_PCT SIZE RATE CPORT SPORT [ACK_DROP_PCT]
# DIR up: the client (A) sends; down: the server (B) sends.  tbf on the
# sender's veth, nft drop at the receiver's input, capture on the sender's
# veth.  ACK_DROP_PCT also drops pure ACKs at the sender's input hook.
live() {
    local name=$1 dir=$2 pct=$3 size=$4 rate=$5 cport=$6 sport=$7 apct=${8:-0}
    local sns sdev saddr rns raddr drops tbfdrops capdrops
    if [ "$dir" = up ]; then
        sns=$NA sdev=a0 saddr=10.77.0.1 rns=$NB raddr=10.77.0.2
    else
        sns=$NB sdev=b0 saddr=10.77.0.2 rns=$NA raddr=10.77.0.1
    fi
    # a queue that never overflows: a tbf drop happens before the capture
    # point (see the note at the end)
    ip netns exec "$sns" tc qdisc replace dev "$sdev" root tbf rate "$rate" burst 32kb limit 4mb
    ip netns exec "$rns" nft -f - <<EOF
table inet tcps_kt {
    chain in {
        type filter hook input priority 0; policy accept;
        ip saddr $saddr ip daddr $raddr tcp sport { $cport, $sport } ip length > 200 numgen random mod 100 < $pct counter drop
    }
}
EOF
    if [ "$apct" != 0 ]; then
        ip netns exec "$sns" nft -f - <<EOF
table inet tcps_kt {
    chain in {
        type filter hook input priority 0; policy accept;
        ip saddr $raddr ip daddr $saddr tcp dport { $cport, $sport } ip length < 100 tcp flags & (syn|fin|rst) == 0 numgen random mod 100 < $apct counter drop
    }
}
EOF
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
    python3 "$GEN" transfer --dir "$dir" --size "$size" --cns "$NA" --sns "$NB" \
        --cport "$cport" --sport "$sport" --name "$name" --json "$WORK/$name.kernel.json" \
        --note "tbf rate $rate on the sender's veth; nft at the receiver's input: data segments (ip length > 200) dropped with numgen random mod 100 < $pct; capture: tcpdump -s 128 on the sender's veth"
    sleep 0.2
    kill -INT "$TCPDUMP_PID"
    wait "$TCPDUMP_PID" || true
    TCPDUMP_PID=
    drops=$(ip netns exec "$rns" nft list table inet tcps_kt | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
    ip netns exec "$rns" nft delete table inet tcps_kt
    if [ "$apct" != 0 ]; then
        drops="$drops+$(ip netns exec "$sns" nft list table inet tcps_kt | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')a"
        ip netns exec "$sns" nft delete table inet tcps_kt
    fi
    tbfdrops=$(ip netns exec "$sns" tc -s qdisc show dev "$sdev" | sed -n 's/.*dropped \([0-9]*\).*/\1/p' | head -1)
    ip netns exec "$sns" tc qdisc del dev "$sdev" root
    capdrops=$(sed -n 's/^\([0-9]*\) packets dropped by kernel.*/\1/p' "$WORK/$name.err")
    if [ "${tbfdrops:-0}" != 0 ] || [ "${capdrops:-0}" != 0 ]; then
        log "$name: tbf dropped ${tbfdrops:-?}, tcpdump dropped ${capdrops:-?}: the capture is not complete"
        FAIL=1
    fi
    if [ -n "${KT_KEEP:-}" ]; then
        mkdir -p "$KT_KEEP"
        cp "$WORK/$name.pcap" "$WORK/$name.kernel.json" "$KT_KEEP/"
    fi
    rows+=("$name" "$WORK/$name.pcap" "$WORK/$name.kernel.json" "$drops")
}

echo
echo "== live (1 MB per transfer, tbf 30mbit on the sender's veth, capture -s 128 on the sender's veth)"
rows=()
live up-2pct   up    2 1048576 30mbit 41001 5101
live up-5pct   up    5 1048576 30mbit 41002 5102
live up-10pct  up   10 1048576 30mbit 41003 5103
live down-5pct down  5 1048576 30mbit 41004 5104
live up-2pct-ack30 up  2 1048576 30mbit 41005 5105 30
compare "${rows[@]}" || FAIL=1

# Why equality is exact here, and when it would not be.  The kernel adds to
# total_retrans / bytes_retrans in __tcp_retransmit_skb() just before it
# hands the segment to tcp_transmit_skb(), once per segment (GSO is off, so
# tcp_skb_pcount() is 1), SYN, FIN and tail-loss probes included; it adds
# to bytes_sent in __tcp_transmit_skb() before the qdisc.  Drops at the
# receiver's input hook are after the capture point, so every first
# transmission and every retransmission is on the sender's wire exactly
# once.  Only a drop between the TCP stack and the capture point breaks
# that: the sender's tbf qdisc (made too large to overflow; the script
# fails if it dropped) or tcpdump itself (checked too).  A qdisc drop of a
# retransmission is counted by the kernel but never on the wire (tcpsight
# one short); a qdisc drop of new data is sent again as new data, so
# bytes_sent counts it twice while the wire has it once.
echo
if [ "$FAIL" = 0 ]; then
    log "all equal (tcpsight == kernel) in $((SECONDS - START)) s"
else
    log "MISMATCH (see above), $((SECONDS - START)) s"
fi
exit "$FAIL"
