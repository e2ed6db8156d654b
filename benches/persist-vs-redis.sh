#!/bin/sh
# SAVE and loading of 1M small keys, ferrous against redis-server 7.0.15, side
# by side on the same data; then the longest pause a PING client sees during
# a BGSAVE, and the memory it costs.
#
#   benches/persist-vs-redis.sh [FERROUS_BIN] [KEYS]
#
# Each server runs in its own temp dir with `save ""`; the keys are
# `key:N` -> `value:N` (N < KEYS), loaded with redis-cli --pipe. SAVE time is
# measured around the command; load time is the "DB loaded from disk" line
# both servers log at startup. Needs redis-server, redis-cli and python3.
set -eu
BIN=${1:-./target/release/ferrous}
KEYS=${2:-1000000}
RPORT=${RPORT:-7391}
FPORT=${FPORT:-7392}
WORK=$(mktemp -d /tmp/persist-bench.XXXXXX)
[ -n "${KEEP:-}" ] || trap 'redis-cli -p $RPORT shutdown nosave >/dev/null 2>&1 || true; redis-cli -p $FPORT shutdown nosave >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/r" "$WORK/f"

start() { # name port cmd...
  name=$1; port=$2; shift 2
  "$@" --port "$port" --save "" --dir "$WORK/$name" --logfile "$WORK/$name/log" >/dev/null 2>&1 &
  # PING answers -LOADING until the file is loaded
  for _ in $(seq 600); do redis-cli -p "$port" ping 2>/dev/null | grep -q PONG && return 0; sleep 0.1; done
  echo "$name did not start" >&2; exit 1
}

python3 -c "
import sys
n=int(sys.argv[1]); w=sys.stdout.buffer
for i in range(n):
    k=b'key:%d'%i; v=b'value:%d'%i
    w.write(b'*3\r\n\$3\r\nSET\r\n\$%d\r\n%s\r\n\$%d\r\n%s\r\n'%(len(k),k,len(v),v))
" "$KEYS" > "$WORK/load.resp"

start r "$RPORT" redis-server
start f "$FPORT" "$BIN"
for p in $RPORT $FPORT; do redis-cli -p $p --pipe < "$WORK/load.resp" >/dev/null; done

now() { python3 -c 'import time; print(time.time())'; }
save_time() { # port
  t0=$(now); redis-cli -p "$1" save >/dev/null; t1=$(now)
  python3 -c "print(round($t1-$t0,3))"
}
# interleaved: redis, ferrous, redis, ferrous; the second of each is kept
save_time $RPORT >/dev/null; save_time $FPORT >/dev/null
rs=$(save_time $RPORT); fs=$(save_time $FPORT)
echo "SAVE of $KEYS keys: redis-server ${rs}s, ferrous ${fs}s, ratio $(python3 -c "print(round($fs/$rs,2))")"
ls -l "$WORK/r/dump.rdb" "$WORK/f/dump.rdb" | awk '{print "  file", $9, $5, "bytes"}'

# the longest PING round trip while a BGSAVE runs, and the memory it costs
pause() { # port pid
  python3 - "$1" "$2" <<'EOF'
import socket, sys, time
port, pid = int(sys.argv[1]), sys.argv[2]
def rss(p):
    try:
        with open('/proc/%s/statm' % p) as f: return int(f.read().split()[1]) * 4096
    except OSError: return 0
def kids(p):
    try:
        with open('/proc/%s/task/%s/children' % (p, p)) as f: return f.read().split()
    except OSError: return []
s = socket.create_connection(('127.0.0.1', port)); s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
def q(cmd):
    s.sendall(cmd); return s.recv(65536)
base = rss(pid); peak = 0; worst = 0.0
t = time.time(); q(b'BGSAVE\r\n'); worst = time.time() - t
end = time.time() + 60
while time.time() < end:
    t = time.time(); q(b'PING\r\n'); worst = max(worst, time.time() - t)
    peak = max(peak, rss(pid) + sum(rss(k) for k in kids(pid)) - base)
    info = q(b'INFO persistence\r\n')
    while b'aof_enabled' not in info: info += s.recv(65536)
    if b'rdb_bgsave_in_progress:0' in info: break
print('%.1f ms %.0f MB' % (worst * 1000, peak / 1e6))
EOF
}
RPID=$(redis-cli -p $RPORT info server | tr -d '\r' | sed -n 's/^process_id://p')
FPID=$(redis-cli -p $FPORT info server | tr -d '\r' | sed -n 's/^process_id://p')
echo "BGSAVE, longest PING and extra memory (RSS, child included): redis-server $(pause $RPORT $RPID), ferrous $(pause $FPORT $FPID)"
echo "  redis-server fork: $(redis-cli -p $RPORT info stats | tr -d '\r' | grep latest_fork_usec)"
grep -h "snapshot of" "$WORK/f/log" | tail -1 | sed 's/^/  ferrous: /'

redis-cli -p $RPORT shutdown nosave >/dev/null 2>&1 || true
redis-cli -p $FPORT shutdown nosave >/dev/null 2>&1 || true
sleep 0.5
# loading: each server started on its own file; interleaved, second kept
for round in 1 2; do
  start r "$RPORT" redis-server; redis-cli -p $RPORT shutdown nosave >/dev/null 2>&1 || true
  start f "$FPORT" "$BIN"; redis-cli -p $FPORT shutdown nosave >/dev/null 2>&1 || true
  sleep 0.3
done
rl=$(grep -h "DB loaded from disk" "$WORK/r/log" | tail -1 | sed 's/.*disk: \([0-9.]*\) seconds.*/\1/')
fl=$(grep -h "DB loaded from disk" "$WORK/f/log" | tail -1 | sed 's/.*disk: \([0-9.]*\) seconds.*/\1/')
echo "load of $KEYS keys: redis-server ${rl}s, ferrous ${fl}s, ratio $(python3 -c "print(round($fl/$rl,2))")"
