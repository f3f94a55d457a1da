#!/usr/bin/env bash
# Regenerate the captures in testdata/ made by real Linux TCP stacks.
#
# Two network namespaces joined by veth pairs (offloads off), traffic from
# tests/gen-traffic.py (plain sockets), captured with tcpdump on the veth in
# namespace A.  Only addresses inside the namespaces are used (10.77.0.0/16,
# fd77::/64).  See testdata/SOURCES.md for what each file shows.
#
# Usage: sudo tests/gen-captures.sh        (exit 77 = skipped, not root)
#        TCPS_FACTS=1 tests/gen-captures.sh  (also print tshark counts)
# Output: testdata/*.pcap, testdata/*.kernel.json (overwritten each run)
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
    echo "gen-captures: skipped, must run as root" >&2
    exit 77
fi
for tool in ip tc tcpdump ethtool nft python3; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "gen-captures: skipped, $tool not installed" >&2
        exit 77
    fi
done

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(dirname "$HERE")/testdata
GEN=$HERE/gen-traffic.py
NA=tcps-a-$$            # capture side ("client" unless noted)
NB=tcps-b-$$
WORK=$(mktemp -d /tmp/tcps-gen.XXXXXX)
TCPDUMP_PID=
START=$SECONDS

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
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf 'gen-captures: %s\n' "$*" >&2; }
inb() { ip netns exec "$NB" "$@"; }
traffic() { python3 "$GEN" "$@" --cns "$NA" --sns "$NB"; }

# ---- namespaces ------------------------------------------------------------

ip netns add "$NA"
ip netns add "$NB"
for ns in "$NA" "$NB"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip -n "$ns" link set lo up
done

# pair NAME_A NAME_B ADDR_A ADDR_B [ethtool features...]
pair() {
    local a=$1 b=$2 addra=$3 addrb=$4 ns dev addr peer peeraddr mac
    shift 4
    ip link add "$a" netns "$NA" type veth peer name "$b" netns "$NB"
    for ns in "$NA" "$NB"; do
        if [ "$ns" = "$NA" ]; then dev=$a addr=$addra peer=$b peeraddr=$addrb
        else dev=$b addr=$addrb peer=$a peeraddr=$addra; fi
        ip netns exec "$ns" ethtool -K "$dev" tso off gso off gro off tx off "$@" >/dev/null
        if [[ $addr == *:* ]]; then
            ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=0" \
                "net.ipv6.conf.$dev.accept_dad=0" "net.ipv6.conf.$dev.router_solicitations=0"
            ip -n "$ns" addr add "$addr/64" dev "$dev" nodad
        else
            ip -n "$ns" addr add "$addr/24" dev "$dev"
        fi
        ip -n "$ns" link set "$dev" up
    done
    # static neighbours: no ARP/ND in the captures
    for ns in "$NA" "$NB"; do
        if [ "$ns" = "$NA" ]; then dev=$a peer=$b peeraddr=$addrb pns=$NB
        else dev=$b peer=$a peeraddr=$addra pns=$NA; fi
        mac=$(ip netns exec "$pns" cat "/sys/class/net/$peer/address")
        ip -n "$ns" neigh replace "$peeraddr" lladdr "$mac" dev "$dev" nud permanent
    done
}

pair a0  b0  10.77.0.1 10.77.0.2                # plain Ethernet/IPv4
pair a6  b6  fd77::1   fd77::2                  # IPv6
pair aq  bq  10.77.1.1 10.77.1.2 txvlan off     # 802.1Q 100
pair aqq bqq 10.77.2.1 10.77.2.2 txvlan off     # 802.1ad 200 + 802.1Q 100

# This kernel may lack 8021q (no "type vlan" links), so VLAN tags are pushed
# on egress and popped on ingress by tiny tc BPF programs
# (bpf_skb_vlan_push/pop), the same thing tc's "vlan" action does.  Both
# stacks send untagged IP; the wire between them carries the tags.  The
# programs are pinned on a bpffs mounted in a private mount namespace, so
# nothing is left behind.
# shellcheck disable=SC2016  # expanded by the inner bash
unshare -m bash -euc '
    mkdir -p "$1/bpffs"; mount -t bpf bpf "$1/bpffs"
    python3 "$2" load-vlan-bpf "$1/bpffs"
    for side in "$3 aq push_q100" "$4 bq push_q100" "$3 aqq push_ad200_q100" "$4 bqq push_ad200_q100"; do
        set -- "$1" "$2" "$3" "$4" $side
        ip netns exec "$5" tc qdisc add dev "$6" clsact
        ip netns exec "$5" tc filter add dev "$6" egress bpf direct-action object-pinned "$1/bpffs/$7"
        ip netns exec "$5" tc filter add dev "$6" ingress bpf direct-action object-pinned "$1/bpffs/pop"
    done
' vlan-setup "$WORK" "$GEN" "$NA" "$NB"

sleep 0.2

# ---- capture helpers -------------------------------------------------------

# cap_start FILE IFACE SNAPLEN [tcpdump args / filter...]
cap_start() {
    local file=$1 ifc=$2 snap=$3 i
    shift 3
    rm -f "$WORK/$file" "$WORK/$file.err"
    # not through a shell function: $! must be tcpdump itself (ip netns exec
    # execs it), since a background subshell would ignore SIGINT
    ip netns exec "$NA" tcpdump -i "$ifc" -s "$snap" -U --immediate-mode -Z root -n \
        -w "$WORK/$file" "$@" 2>"$WORK/$file.err" &
    TCPDUMP_PID=$!
    for i in $(seq 200); do
        if grep -q 'listening on' "$WORK/$file.err"; then
            return 0
        fi
        if ! kill -0 "$TCPDUMP_PID" 2>/dev/null; then break; fi
        sleep 0.02
    done
    cat "$WORK/$file.err" >&2
    log "tcpdump did not start for $file"
    return 1
}

cap_stop() {
    sleep 0.2                       # settle: last packets reach the ring
    kill -INT "$TCPDUMP_PID"
    wait "$TCPDUMP_PID" || true
    TCPDUMP_PID=
    grep -E 'captured|dropped by kernel' "$WORK/$1.err" | tr '\n' ' ' | sed "s/^/  $1: /" >&2
    echo >&2
}

jget() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["tcp_info"][sys.argv[2]])' "$@"; }

# ---- scenarios --------------------------------------------------------------

log "1 handshake"
cap_start handshake.pcap a0 262144
traffic handshake --cport 40001 --sport 5001
cap_stop handshake.pcap

log "2 bulk (100 KiB server->client)"
cap_start bulk.pcap a0 262144
traffic bulk --cport 40002 --sport 5002 --size 102400
cap_stop bulk.pcap

log "3 rst-abort"
cap_start rst-abort.pcap a0 262144
traffic rst-abort --cport 40003 --sport 5003
cap_stop rst-abort.pcap

log "4 refused"
cap_start refused.pcap a0 262144
traffic refused --cport 40004 --sport 5004
cap_stop refused.pcap

log "5 simultaneous-close"
# The FINs cross only when both shutdown() calls overlap within microseconds,
# so one capture holds up to 30 tries (client ports 40100..40129) and the
# first connection whose FINs crossed is cut out of it with a port filter.
crossed=
tries=30
[ "${TCPS_SIMCLOSE_FORCE_NFT:-0}" = 1 ] && tries=0   # to test the fallback
if [ "$tries" -gt 0 ]; then
    cap_start simclose-all.pcap a0 262144
    traffic simclose --cport 40100 --sport 5005 --attempts $tries
    cap_stop simclose-all.pcap
    for i in $(seq 0 $((tries - 1))); do
        tcpdump -r "$WORK/simclose-all.pcap" -w "$WORK/simultaneous-close.pcap" \
            "tcp port $((40100 + i))" 2>/dev/null
        if python3 "$GEN" check-simclose "$WORK/simultaneous-close.pcap" >&2; then
            crossed="timing, try $((i + 1)) of $tries (client port $((40100 + i)))"
            break
        fi
    done
fi
if [ -z "$crossed" ]; then
    # Fallback: B's stack never sees A's first FIN (dropped at B's ingress,
    # after the capture point), so B's FIN is sent while A's is unacked.
    log "  timing did not cross the FINs; using the nft drop-first-FIN fallback"
    inb nft -f - <<'EOF'
table inet tcps_fin {
    chain in {
        type filter hook input priority 0; policy accept;
        ip saddr 10.77.0.1 tcp dport 5005 tcp flags & fin == fin limit rate 1/minute burst 1 packets counter drop
    }
}
EOF
    cap_start simultaneous-close.pcap a0 262144
    traffic simclose --cport 40099 --sport 5005
    cap_stop simultaneous-close.pcap
    inb nft delete table inet tcps_fin
    python3 "$GEN" check-simclose "$WORK/simultaneous-close.pcap" >&2
    crossed="nft fallback: first FIN from 10.77.0.1 dropped at B's input hook"
fi
log "  simultaneous-close: $crossed"
echo "$crossed" >"$WORK/simultaneous-close.method"

log "6 ipv6"
cap_start ipv6.pcap a6 262144 tcp
traffic handshake --caddr fd77::1 --saddr fd77::2 --cport 40006 --sport 5006
cap_stop ipv6.pcap

log "7 vlan (802.1Q 100) and qinq (802.1ad 200 + 802.1Q 100)"
cap_start vlan.pcap aq 262144
traffic handshake --caddr 10.77.1.1 --saddr 10.77.1.2 --cport 40007 --sport 5007
cap_stop vlan.pcap
cap_start qinq.pcap aqq 262144
traffic handshake --caddr 10.77.2.1 --saddr 10.77.2.2 --cport 40008 --sport 5008
cap_stop qinq.pcap

log "8 sll2 / sll (-i any)"
cap_start sll2.pcap any 262144 -y LINUX_SLL2 tcp
traffic handshake --cport 40009 --sport 5009
cap_stop sll2.pcap
cap_start sll.pcap any 262144 -y LINUX_SLL tcp
traffic handshake --cport 40010 --sport 5010
cap_stop sll.pcap

log "9 snaplen96 (50 KiB bulk, -s 96)"
cap_start snaplen96.pcap a0 96
traffic bulk --cport 40011 --sport 5011 --size 51200
cap_stop snaplen96.pcap

log "10 truncated (cut copy of bulk.pcap) / truncated-hdr (cut copy of handshake.pcap)"
python3 "$GEN" cut-data "$WORK/bulk.pcap" "$WORK/truncated.pcap" >&2
python3 "$GEN" cut-hdr "$WORK/handshake.pcap" "$WORK/truncated-hdr.pcap" >&2

log "11 zero-window (300 KiB to a 4 KiB SO_RCVBUF receiver, -s 128)"
cap_start zero-window.pcap a0 128
traffic zero-window --cport 40012 --sport 5012 --size 307200 \
    --json "$WORK/zero-window.kernel.json"
cap_stop zero-window.pcap

log "12 loss (200 KiB client->server upload, 3% random drop of data at B's input)"
for attempt in 1 2 3; do
    inb nft -f - <<'EOF'
table inet tcps_loss {
    chain in {
        type filter hook input priority 0; policy accept;
        ip saddr 10.77.0.1 tcp dport 5013 ip length > 200 numgen random mod 100 < 3 counter drop
    }
}
EOF
    cap_start loss.pcap a0 128
    traffic upload --cport $((40020 + attempt)) --sport 5013 --size 204800 \
        --json "$WORK/loss.kernel.json" \
        --loss-note "nft in receiver netns: hook input, tcp dport 5013, ip length > 200, numgen random mod 100 < 3 drop; capture on sender veth"
    cap_stop loss.pcap
    dropped=$(inb nft list table inet tcps_loss | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
    inb nft delete table inet tcps_loss
    python3 - "$WORK/loss.kernel.json" "$dropped" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
d['nft_dropped_packets'] = int(sys.argv[2])
json.dump(d, open(sys.argv[1], 'w'), indent=2)
open(sys.argv[1], 'a').write('\n')
EOF
    retr=$(jget "$WORK/loss.kernel.json" tcpi_total_retrans)
    log "  nft dropped $dropped, tcpi_total_retrans $retr"
    if [ "$dropped" -gt 0 ] && [ "$retr" -gt 0 ]; then break; fi
done

# ---- install ----------------------------------------------------------------

mkdir -p "$OUT"
for f in handshake bulk rst-abort refused simultaneous-close ipv6 vlan qinq \
         sll2 sll snaplen96 truncated truncated-hdr zero-window loss; do
    cp "$WORK/$f.pcap" "$OUT/$f.pcap"
done
cp "$WORK/zero-window.kernel.json" "$WORK/loss.kernel.json" "$OUT/"
log "simultaneous-close made by: $(cat "$WORK/simultaneous-close.method")"

# TCPS_FACTS=1: print the tshark counts used in testdata/SOURCES.md
if [ "${TCPS_FACTS:-0}" = 1 ] && command -v tshark >/dev/null 2>&1; then
    log "tshark facts (packets streams retrans dupack zerowin zwprobe keepalive):"
    for f in handshake bulk rst-abort refused simultaneous-close ipv6 vlan qinq \
             sll2 sll snaplen96 truncated truncated-hdr zero-window loss; do
        tshark -r "$OUT/$f.pcap" -T fields -e frame.number -e tcp.stream \
            -e tcp.analysis.retransmission -e tcp.analysis.duplicate_ack \
            -e tcp.analysis.zero_window -e tcp.analysis.zero_window_probe \
            -e tcp.analysis.keep_alive -E occurrence=f 2>/dev/null |
        awk -F'\t' -v f="$f" '
            { n++; if ($2 != "") s[$2] = 1
              for (i = 3; i <= 7; i++) if ($i != "") c[i]++ }
            END { k = 0; for (x in s) k++
                  printf "  %-22s %5d %3d %4d %4d %4d %4d %4d\n", f, n, k,
                         c[3], c[4], c[5], c[6], c[7] }' >&2 || true
    done
fi
log "done in $((SECONDS - START)) s"
