#!/usr/bin/env bash
# Live-capture tests: tcpsight -i on a veth in a private network namespace.
#
# Two namespaces A and B (names carry $$) joined by a veth pair, offloads
# off, static neighbours, IPv6 off (so every frame is TCP), addresses
# 10.88.0.1 (A) and 10.88.0.2 (B).  Traffic comes from tests/gen-traffic.py
# (called, never changed); tcpsight runs inside A on vethA:
#   1. one session with --events: a 1 MB download, a zero-window transfer,
#      a refused connection, a 512 KiB upload with 5 % random loss (nft at
#      B's input, so the capture sees every retransmission); SIGINT
#   2. the session's -w file re-read with tcpsight -F ndjson FILE
#   3. -c 100, 4a. --duration 2 and 5. SIGTERM, all three at once during a
#      rate-limited (tbf) 5 MB download
#   4b. --duration 2 (and --stats-interval 0.5) during a steady trickle
#      of small segments that never leaves the link idle for 100 ms
#   6. the effective user while capturing: nobody by default, -Z daemon
#   7. errors: no such interface, a bad BPF expression
# Checks are counted; check-live.py does the ones on the NDJSON output.
#
# Usage: tests/live-netns.sh TCPSIGHT     (as root)
#        LIVE_KEEP=DIR tests/live-netns.sh TCPSIGHT   keep the outputs in DIR
# Exit: 0 all checks passed, 1 a check failed, 77 skipped (not root, or a
# tool is missing).
# RC_*, T0_*, T1_*, PID_* are set by name (printf -v, read) in ts_start and
# ts_wait; the single-quoted eval arguments are expanded by expect on purpose.
# shellcheck disable=SC2154,SC2016
set -u

if [ $# -ne 1 ]; then
    echo "usage: $0 TCPSIGHT" >&2
    exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "live-netns: skipped, must run as root" >&2
    exit 77
fi
for tool in ip tc nft ethtool python3 getent; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "live-netns: skipped, $tool not installed" >&2
        exit 77
    fi
done
TCPSIGHT=$(realpath "$1")
if [ ! -x "$TCPSIGHT" ]; then
    echo "live-netns: $1 is not an executable" >&2
    exit 2
fi
HERE=$(cd "$(dirname "$0")" && pwd)
GEN=$HERE/gen-traffic.py
CHECK=$HERE/check-live.py
for f in "$GEN" "$CHECK"; do
    if [ ! -r "$f" ]; then
        echo "live-netns: skipped, $f missing" >&2
        exit 77
    fi
done
# The interpreter itself: a version-manager shim costs a second per call.
PY=$(python3 -c 'import sys; print(sys.executable)')
if ! "$PY" -c 'import ctypes.util, sys; sys.exit(ctypes.util.find_library("pcap") is None)'; then
    echo "live-netns: skipped, python3 cannot find libpcap (for the BPF message check)" >&2
    exit 77
fi
if ! getent passwd nobody >/dev/null; then
    echo "live-netns: skipped, no user nobody" >&2
    exit 77
fi

NA=tsl-a-$$
NB=tsl-b-$$
WORK=$(mktemp -d /tmp/tcps-live.XXXXXX)
chmod 755 "$WORK"
ZUSER=daemon         # -Z target; a temporary user if daemon does not exist
ZUSER_MADE=
START=$SECONDS
CHECKS=0
FAILED=0

cleanup() {
    local rc=$? pid f
    set +e
    trap - EXIT INT TERM
    # tcpsight processes whose watcher has not seen them exit, then our
    # own background jobs still running (never pids already reaped)
    for f in "$WORK"/*.pid; do
        [ -e "$f" ] || continue
        [ -e "${f%.pid}.exit" ] || kill -KILL "$(cat "$f")" 2>/dev/null
    done
    for pid in $(jobs -pr); do
        kill -TERM "$pid" 2>/dev/null
    done
    wait 2>/dev/null
    ip netns del "$NA" 2>/dev/null
    ip netns del "$NB" 2>/dev/null
    [ -n "$ZUSER_MADE" ] && userdel "$ZUSER" 2>/dev/null
    if [ -n "${LIVE_KEEP:-}" ]; then
        mkdir -p "$LIVE_KEEP" && cp -a "$WORK"/. "$LIVE_KEEP"/
    fi
    rm -rf "$WORK"
    exit $rc
}
trap cleanup EXIT
trap 'echo "live-netns: interrupted" >&2; exit 130' INT TERM

log() { printf '== %s\n' "$*"; }
pass() { CHECKS=$((CHECKS + 1)); printf 'ok   %s\n' "$*"; }
fail() { CHECKS=$((CHECKS + 1)); FAILED=$((FAILED + 1)); printf 'FAIL %s\n' "$*"; }
# expect DESCRIPTION COMMAND...: one check, passed when COMMAND succeeds
expect() {
    local desc=$1
    shift
    if "$@"; then pass "$desc"; else fail "$desc"; fi
}
# pycheck ARGS...: run check-live.py and count its ok/FAIL lines
pycheck() {
    local out rc line
    out=$("$PY" "$CHECK" "$@" 2>&1)
    rc=$?
    while IFS= read -r line; do
        case $line in
        'ok   '*) CHECKS=$((CHECKS + 1)); printf '%s\n' "$line" ;;
        'FAIL '*) CHECKS=$((CHECKS + 1)); FAILED=$((FAILED + 1)); printf '%s\n' "$line" ;;
        *) printf '     %s\n' "$line" ;;
        esac
    done <<<"$out"
    if [ $rc -ne 0 ]; then
        fail "check-live.py $1 ran to its end (exit status $rc)"
    fi
}
fatal() {
    fail "$*"
    echo "$CHECKS checks, $FAILED failed"
    exit 1
}

ina() { ip netns exec "$NA" "$@"; }
inb() { ip netns exec "$NB" "$@"; }
now() { date +%s.%N; }
# float comparisons: fle A B (A <= B)
fle() { "$PY" -c 'import sys; sys.exit(not float(sys.argv[1]) <= float(sys.argv[2]))' "$1" "$2"; }

# traffic NAME MODE ARGS...: gen-traffic.py in the background, output in
# $WORK/NAME.traffic; sets TPID
traffic_bg() {
    local name=$1
    shift
    "$PY" "$GEN" "$@" --cns "$NA" --sns "$NB" --caddr 10.88.0.1 --saddr 10.88.0.2 \
        >"$WORK/$name.traffic" 2>&1 &
    TPID=$!
}
# traffic NAME MODE ARGS...: the same in the foreground; fails the check
# "NAME traffic ran" when gen-traffic.py fails
traffic() {
    local name=$1
    shift
    if "$PY" "$GEN" "$@" --cns "$NA" --sns "$NB" --caddr 10.88.0.1 --saddr 10.88.0.2 \
        >"$WORK/$name.traffic" 2>&1; then
        pass "$name traffic ran"
    else
        fail "$name traffic ran: $(tail -3 "$WORK/$name.traffic" | tr '\n' ' ')"
    fi
}

# ts_start NAME ARGS...: tcpsight in A on vethA in the background (stdout
# $WORK/NAME.out, stderr $WORK/NAME.err); waits for its "listening on"
# line.  A watcher subshell starts it, waits for it and writes
# "STATUS EXIT-TIME" to $WORK/NAME.exit the moment it ends, so the exit
# time does not depend on when this script looks.  Sets PID_NAME (tcpsight
# itself: ip netns exec execs it) and T0_NAME (wall time before the start).
ts_start() {
    local name=$1 pid='' _
    shift
    rm -f "$WORK/$name.pid" "$WORK/$name.exit"
    printf -v "T0_$name" '%s' "$(now)"
    (
        ip netns exec "$NA" "$TCPSIGHT" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
        echo $! >"$WORK/$name.pid"
        wait $!
        rc=$?
        echo "$rc $(now)" >"$WORK/$name.exit.tmp"
        mv "$WORK/$name.exit.tmp" "$WORK/$name.exit"
    ) 2>/dev/null &
    for _ in $(seq 250); do
        [ -z "$pid" ] && [ -s "$WORK/$name.pid" ] && pid=$(cat "$WORK/$name.pid")
        if [ -n "$pid" ] && grep -q '^tcpsight: listening on vethA' "$WORK/$name.err"; then
            printf -v "PID_$name" '%s' "$pid"
            return 0
        fi
        [ -e "$WORK/$name.exit" ] && break
        sleep 0.02
    done
    printf -v "PID_$name" '%s' "$pid"
    fail "$name: tcpsight started and printed 'listening on vethA': $(head -c 300 "$WORK/$name.err")"
    ts_kill "$name"
    return 1
}
# ts_running NAME: tcpsight NAME has not exited
ts_running() { [ -n "$(get PID "$1")" ] && [ ! -e "$WORK/$1.exit" ]; }
# ts_kill NAME: SIGKILL tcpsight NAME if it still runs, and reap it
ts_kill() {
    local _
    ts_running "$1" && kill -KILL "$(get PID "$1")" 2>/dev/null
    for _ in $(seq 100); do
        [ -e "$WORK/$1.exit" ] && break
        sleep 0.02
    done
}
# ts_wait NAME SECONDS: wait for tcpsight NAME to exit by itself; SIGKILL
# after SECONDS.  Sets RC_NAME (137 after the kill) and T1_NAME (exit time).
ts_wait() {
    local name=$1 limit=$2 end
    end=$(( $(date +%s%N) + ${limit%.*} * 1000000000 ))
    while ts_running "$name" && [ "$(date +%s%N)" -lt "$end" ]; do
        sleep 0.02
    done
    ts_kill "$name"
    if [ -e "$WORK/$name.exit" ]; then
        read -r "RC_$name" "T1_$name" <"$WORK/$name.exit"
    else
        printf -v "RC_$name" '%s' "lost"
        printf -v "T1_$name" '%s' "$(now)"
    fi
}
# ts_stop NAME SIGNAL: send SIGNAL, then ts_wait (10 s)
ts_stop() {
    ts_running "$1" && kill -"$2" "$(get PID "$1")" 2>/dev/null
    ts_wait "$1" 10
}
# the value of VAR_NAME
get() { eval echo "\$$1_$2"; }
elapsed() { "$PY" -c 'import sys; print("%.2f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$1" "$2"; }

# ---- namespaces --------------------------------------------------------------

log "setup: namespaces $NA, $NB"
ip netns add "$NA" || fatal "ip netns add $NA"
ip netns add "$NB" || fatal "ip netns add $NB"
for ns in "$NA" "$NB"; do
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1 >/dev/null || fatal "sysctl in $ns"
    ip -n "$ns" link set lo up
done
ip link add vethA netns "$NA" type veth peer name vethB netns "$NB" || fatal "veth pair"
ina ethtool -K vethA tso off gso off gro off tx off >/dev/null 2>&1 || fatal "ethtool -K vethA"
inb ethtool -K vethB tso off gso off gro off tx off >/dev/null 2>&1 || fatal "ethtool -K vethB"
ip -n "$NA" addr add 10.88.0.1/24 dev vethA
ip -n "$NB" addr add 10.88.0.2/24 dev vethB
ip -n "$NA" link set vethA up
ip -n "$NB" link set vethB up
# static neighbours: no ARP frames in the captures
ip -n "$NA" neigh replace 10.88.0.2 dev vethA nud permanent \
    lladdr "$(inb cat /sys/class/net/vethB/address)" || fatal "neighbour in A"
ip -n "$NB" neigh replace 10.88.0.1 dev vethB nud permanent \
    lladdr "$(ina cat /sys/class/net/vethA/address)" || fatal "neighbour in B"

# ---- 1. one session: bulk, zero window, refused, loss; SIGINT ----------------

log "1. session: 1 MB download, zero window, refused, 5 % loss upload (--events, -w)"
if ts_start s1 -i vethA --events --timeout-closed 1 --stats-interval 1 -w "$WORK/s1.pcap"; then
    traffic bulk transfer --dir down --size 1048576 --cport 42001 --sport 7001 \
        --json "$WORK/bulk.json"
    traffic zero-window zero-window --size 307200 --cport 42002 --sport 7002 \
        --json "$WORK/zw.json"
    traffic refused refused --cport 42003 --sport 7003
    # random loss of data segments after the capture point (B's input)
    inb nft -f - <<'EOF'
table inet tsl_loss {
    chain in {
        type filter hook input priority 0; policy accept;
        ip saddr 10.88.0.1 tcp dport 7004 ip length > 200 numgen random mod 100 < 5 counter drop
    }
}
EOF
    traffic loss upload --size 524288 --cport 42004 --sport 7004 --json "$WORK/loss.json"
    drops=$(inb nft list table inet tsl_loss | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
    inb nft delete table inet tsl_loss
    # closed connections are written after --timeout-closed 1 s of linger:
    # all four must come out while the capture still runs
    for _ in $(seq 100); do
        [ "$(grep -c '"type":"flow"' "$WORK/s1.out")" -ge 4 ] && break
        sleep 0.05
    done
    expect "session: the four closed connections written before the stop (linger 1 s)" \
        test "$(grep -c '"type":"flow"' "$WORK/s1.out")" -eq 4
    ts_stop s1 INT
    expect "session: SIGINT: exit status 0 (got $RC_s1)" test "$RC_s1" -eq 0
    expect "session: stderr is only the listening line" \
        test "$(cat "$WORK/s1.err")" = "tcpsight: listening on vethA, snapshot length 256"
    pycheck session "$WORK/s1.out" --bulk "42001:1048576:$WORK/bulk.json" \
        --zw "42002:307200:$WORK/zw.json" --refused 42003 \
        --loss "42004:524288:$WORK/loss.json:${drops:-0}"

    # ---- 2. the -w file ------------------------------------------------------
    log "2. -w: the saved file re-read"
    "$TCPSIGHT" -F ndjson "$WORK/s1.pcap" >"$WORK/s2.out" 2>"$WORK/s2.err"
    rc=$?
    expect "-w re-read: tcpsight -F ndjson FILE exit status 0 (got $rc)" test $rc -eq 0
    pycheck compare "$WORK/s1.out" "$WORK/s2.out"
fi

# ---- 3, 4a, 5: -c 100, --duration 2, SIGTERM during a 5 MB download ----------

log "3/4a/5. -c 100, --duration 2, SIGTERM, during a tbf-limited 5 MB download"
inb tc qdisc add dev vethB root tbf rate 12mbit burst 16kb latency 100ms ||
    fail "tc tbf on vethB"
ok=1
ts_start count -i vethA -c 100 --stats-interval 1 || ok=0
ts_start dur -i vethA --duration 2 --stats-interval 1 || ok=0
ts_start term -i vethA --stats-interval 1 || ok=0
if [ $ok = 1 ]; then
    T_big=$(now)
    traffic_bg big transfer --dir down --size 5242880 --cport 42010 --sport 7010
    BIG=$TPID
    # -c 100: stops by itself within a fraction of a second
    ts_wait count 10
    kill -0 "$BIG" 2>/dev/null && big_alive=yes || big_alive=no
    expect "-c 100: exit status 0 (got $RC_count)" test "$RC_count" -eq 0
    d=$(elapsed "$T_big" "$T1_count")
    expect "-c 100: stopped by itself within 3 s of the transfer's start (took $d s)" \
        fle "$d" 3
    [ "$big_alive" = yes ] || fail "-c 100: the transfer was still running when it stopped"
    pycheck count "$WORK/count.out" 100 42010
    # SIGTERM one second into the transfer
    sleep 1
    kill -0 "$BIG" 2>/dev/null && big_alive=yes || big_alive=no
    ts_stop term TERM
    expect "SIGTERM: exit status 0 (got $RC_term)" test "$RC_term" -eq 0
    expect "SIGTERM: the transfer was still running when signalled" test "$big_alive" = yes
    pycheck open "$WORK/term.out" 42010
    # --duration 2
    ts_wait dur 10
    d=$(elapsed "$T0_dur" "$T1_dur")
    expect "--duration 2 (busy link): exit status 0 (got $RC_dur)" test "$RC_dur" -eq 0
    expect "--duration 2 (busy link): wall time $d s in [1.8, 3.5]" \
        eval 'fle 1.8 "$d" && fle "$d" 3.5'
    pycheck stopped "$WORK/dur.out" 1 "--duration 2 (busy link)"
    wait "$BIG"
    rc=$?
    expect "5 MB transfer completed (gen-traffic exit $rc)" test $rc -eq 0
fi
inb tc qdisc del dev vethB root 2>/dev/null

# ---- 4b. --duration 2 and stats under a steady trickle -------------------------

log "4b. --duration 2 --stats-interval 0.5 during a steady trickle (~45 frames/s)"
# 500-byte writes every 40-50 ms for about 4.5 s: the link is never idle
# for 100 ms, but far fewer than 1024 frames go by.
traffic_bg trickle transfer --dir up --size 50000 --burst 500 --burst-pause 0.04,0.05 \
    --cport 42020 --sport 7020
TRICKLE=$TPID
sleep 0.3
if ts_start trickle -i vethA --duration 2 --stats-interval 0.5; then
    ts_wait trickle 8
    d=$(elapsed "$T0_trickle" "$T1_trickle")
    kill -0 "$TRICKLE" 2>/dev/null && t_alive=yes || t_alive=no
    expect "--duration 2 (steady trickle): exit status 0 (got $RC_trickle)" \
        test "$RC_trickle" -eq 0
    expect "--duration 2 (steady trickle): wall time $d s in [1.8, 3.5] (trickle still running at the stop: $t_alive)" \
        eval 'fle 1.8 "$d" && fle "$d" 3.5'
    n=$(grep -c '"type":"stats"' "$WORK/trickle.out")
    # periodic records at 0.5, 1.0, 1.5 s (2.0 races the deadline), plus the final one
    expect "--stats-interval 0.5 (steady trickle): at least 4 stats lines in a 2 s run (got $n)" \
        test "$n" -ge 4
    pycheck stopped "$WORK/trickle.out" 1 "--duration 2 (steady trickle)"
fi
wait "$TRICKLE"
rc=$?
expect "trickle transfer completed (gen-traffic exit $rc)" test $rc -eq 0

# ---- 6. privileges -----------------------------------------------------------

log "6. privileges"
if ! getent passwd "$ZUSER" >/dev/null; then
    ZUSER=tsl$$
    if useradd -r -M -s /usr/sbin/nologin "$ZUSER"; then
        ZUSER_MADE=1
    else
        fail "useradd $ZUSER"
    fi
fi
# ids NAME: "uid uid uid uid / gid gid gid gid" of tcpsight NAME, once it
# dropped root ("listening on" is printed just before the switch)
ids() {
    local pid st _
    pid=$(get PID "$1")
    for _ in $(seq 100); do
        st=$(awk '/^Uid:/ { u = $2" "$3" "$4" "$5 } /^Gid:/ { g = $2" "$3" "$4" "$5 }
                  END { print u" / "g }' "/proc/$pid/status" 2>/dev/null)
        case $st in "0 0 0 0 / "*|"") sleep 0.02 ;; *) break ;; esac
    done
    echo "$st"
}
for who in nobody "$ZUSER"; do
    u=$(id -u "$who") g=$(id -g "$who")
    if [ "$who" = nobody ]; then
        ts_start priv -i vethA || continue
        what="started as root without -Z"
    else
        ts_start priv -i vethA -Z "$who" || continue
        what="-Z $who"
    fi
    expect "$what: the process is tcpsight" \
        test "$(cat "/proc/$PID_priv/comm" 2>/dev/null)" = tcpsight
    st=$(ids priv)
    expect "$what: real/effective/saved/fs uid and gid are $who's ($u/$g): $st" \
        test "$st" = "$u $u $u $u / $g $g $g $g"
    caps=$(awk '/^CapEff:/ { print $2 }' "/proc/$PID_priv/status")
    expect "$what: no effective capabilities (CapEff $caps)" \
        test "$caps" = 0000000000000000
    ts_stop priv TERM
    expect "$what: SIGTERM: exit status 0 (got $RC_priv)" test "$RC_priv" -eq 0
    pycheck stopped "$WORK/priv.out" 1 "$what"
done

# ---- 7. errors ---------------------------------------------------------------

log "7. errors"
ina "$TCPSIGHT" -i nosuchif0 >"$WORK/e1.out" 2>"$WORK/e1.err"
rc=$?
expect "-i nosuchif0: exit status 1 (got $rc)" test $rc -eq 1
expect "-i nosuchif0: the message names the interface: $(head -c 200 "$WORK/e1.err")" \
    grep -q nosuchif0 "$WORK/e1.err"
expect "-i nosuchif0: nothing on standard output" test ! -s "$WORK/e1.out"
for expr in "tcp port" "host 10.88.0.300" "tcp and (port 80"; do
    want=$("$PY" "$CHECK" pcap-error "$expr")
    # shellcheck disable=SC2086  # the words are the expression, as a user types it
    ina "$TCPSIGHT" -i vethA $expr >"$WORK/e2.out" 2>"$WORK/e2.err"
    rc=$?
    msg=$(cat "$WORK/e2.err")
    expect "bad BPF '$expr': exit status 1 (got $rc)" test $rc -eq 1
    expect "bad BPF '$expr': stderr has the expression and libpcap's '$want': $msg" \
        eval 'grep -qF -- "$expr" "$WORK/e2.err" && [ -n "$want" ] && grep -qF -- "$want" "$WORK/e2.err"'
    expect "bad BPF '$expr': nothing on standard output, no 'listening'" \
        eval '[ ! -s "$WORK/e2.out" ] && ! grep -q listening "$WORK/e2.err"'
done

log "done in $((SECONDS - START)) s"
echo "$CHECKS checks, $FAILED failed"
[ "$FAILED" -eq 0 ]
