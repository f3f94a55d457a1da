#!/bin/sh
# Packing in a live capture (-i lo, 127.0.0.1 only): three connections
# send, stay idle for 6 s (packed: --pack-idle 1), then send again
# (unpacked) and close.
#   1. NDJSON: packing and unpacking happened, and every flow record is
#      byte for byte the one of the -w file re-read with --pack-idle 0.
#   2. The terminal view (-F text on a pseudo-terminal, script(1)): the
#      screens drawn while the connections are idle, hence packed, still
#      list all three, unchanged from one screen to the next.
# usage: check-live-pack.sh TCPSIGHT      (as root; 77 = skipped)
set -u
tcpsight=$1
if [ "$(id -u)" -ne 0 ]; then
	echo "skipped: live capture needs root"
	exit 77
fi
for tool in python3 script; do
	command -v "$tool" >/dev/null 2>&1 ||
		{ echo "skipped: $tool not installed"; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

# A free port on 127.0.0.1 for this run's connections.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# traffic: a server on $port reading everything; three clients send
# 100, 200 and 300 kB, wait 6 s, send 1000 bytes more each, and close.
traffic() {
	python3 - "$port" <<'EOF'
import socket, sys, threading, time
port = int(sys.argv[1])
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', port))
srv.listen(8)
def drain(c):
    while c.recv(65536):
        pass
    c.close()
def serve():
    for _ in range(3):
        c, _ = srv.accept()
        threading.Thread(target=drain, args=(c,), daemon=True).start()
threading.Thread(target=serve, daemon=True).start()
clients = []
for i in range(3):
    c = socket.create_connection(('127.0.0.1', port))
    c.sendall(b'x' * (100000 * (i + 1)))
    clients.append(c)
time.sleep(6)
for c in clients:
    c.sendall(b'y' * 1000)
time.sleep(0.3)
for c in clients:
    c.close()
time.sleep(0.5)
EOF
}

# wait_listening FILE: until tcpsight says it is capturing (10 s at most).
wait_listening() {
	i=0
	while ! grep -q 'listening on' "$1" 2>/dev/null && [ $i -lt 500 ]; do
		sleep 0.02
		i=$((i + 1))
	done
}

# ---- 1. NDJSON and the -w file ----
"$tcpsight" -i lo -f "tcp port $port" --pack-idle 1 --duration 10 -F ndjson \
    -w "$work/live.pcap" >"$work/live.ndjson" 2>"$work/live.err" &
pid=$!
wait_listening "$work/live.err"
traffic || { echo "FAIL: the traffic did not run"; fail=1; }
wait $pid || { echo "FAIL: live run: exit $?: $(head -c 300 "$work/live.err")"; fail=1; }
"$tcpsight" --pack-idle 0 -F ndjson "$work/live.pcap" >"$work/file.ndjson" ||
	{ echo "FAIL: re-reading the -w file"; fail=1; }
python3 - "$work/live.ndjson" "$work/file.ndjson" <<'EOF' || fail=1
import json, sys
live = [l for l in open(sys.argv[1]) if l.strip()]
off = [l for l in open(sys.argv[2]) if l.strip()]
lflows = [l for l in live if json.loads(l)['type'] == 'flow']
oflows = [l for l in off if json.loads(l)['type'] == 'flow']
ft = json.loads(live[-1])['summary']['flow_table']
bad = 0
def check(ok, what):
    global bad
    print(('ok   ' if ok else 'FAIL ') + what)
    bad |= not ok
check(len(lflows) == 3, 'three connections reported live (%d)' % len(lflows))
check(ft['packs'] >= 3 and ft['unpacks'] >= 3,
      'packed and unpacked live (packs %d, unpacks %d)' % (ft['packs'], ft['unpacks']))
check(lflows == oflows, 'flow records equal to the -w file re-read with --pack-idle 0')
sys.exit(bad)
EOF

# ---- 2. the terminal view ----
script -qfc "$tcpsight -i lo -f 'tcp port $port' --pack-idle 1 --duration 10 -F text" \
    /dev/null >"$work/screen.txt" 2>&1 &
pid=$!
wait_listening "$work/screen.txt"	# -f: script writes what it reads at once
traffic || { echo "FAIL: the traffic did not run"; fail=1; }
wait $pid
python3 - "$work/screen.txt" "$port" <<'EOF' || fail=1
import sys
text = open(sys.argv[1], errors='replace').read()
port = ':' + sys.argv[2]
# The rows of this run's connections on each live screen.
screens = [[l.strip() for l in s.splitlines() if port in l]
           for s in text.split('\x1b[H\x1b[2J') if 'open connections' in s]
# Idle: all three listed, exactly as on the screen before.  After 1 s
# idle they are packed, so a 6 s pause gives ~4 such screens of packed
# connections; a view that lost packed ones would show at most ~1.
idle = sum(1 for a, b in zip(screens, screens[1:]) if len(b) == 3 and a == b)
ok = idle >= 3
print(('ok   ' if ok else 'FAIL ') +
      'the live view lists the three idle (packed) connections: %d unchanged '
      'screens of %d' % (idle, len(screens)))
if not ok:
    print(screens)
sys.exit(not ok)
EOF
exit $fail
