#!/usr/bin/env bash
# Instructions per relayed frame, counted by callgrind: repeatable on a shared, noisy machine
# where frames/s and CPU time swing by ±25 % between back-to-back runs.
#
#   bench/signalling/instructions.sh [SERVER_BINARY ...]
#
# Default binaries: build-bench/parley-server and every build-bench/base-*/build/parley-server
# (build them with run.sh, PARLEY_BASE_REV=<rev> for a base). For each binary the same open-loop
# relay (PAIRS pairs at RATE frames/s, seeded pairing) runs twice under callgrind, for SHORT and
# LONG measured seconds; the difference of the two totals divided by the extra frames is the
# cost of one relayed frame, and what is left is the fixed cost (start, ramp, registers, stop).
# User-space instructions only: the kernel's TCP work is not counted.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
PAIRS="${PAIRS:-100}" RATE="${RATE:-1000}" SHORT="${SHORT:-10}" LONG="${LONG:-20}" WARMUP="${WARMUP:-2}"
PORT="${PORT:-29111}"
command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 1; }
loadgen="$root/build-bench/parley-loadgen"
[ -x "$loadgen" ] || { echo "no $loadgen: run bench/signalling/run.sh once (QUICK=1 is enough)" >&2; exit 1; }
if [ $# -eq 0 ]; then set -- "$root/build-bench/parley-server" "$root"/build-bench/base-*/build/parley-server; fi
work=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill -9 "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

total_instructions() {  # $1 = binary, $2 = measured seconds
  local out="$work/cg.out"
  valgrind --tool=callgrind --callgrind-out-file="$out" "$1" --listen "127.0.0.1:$PORT" --ws-timeout 300s \
    --max-connections 100000 --env-file '' --log-level warn --data-dir "$work/data-$RANDOM" --management-listen '' \
    >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 300); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.2; done
  "$loadgen" --mode parley --url "ws://127.0.0.1:$PORT/ws" --phase latency --pairs "$PAIRS" --rate "$RATE" \
    --duration "$2" --warmup "$WARMUP" --seed 7 --json "$work/lg.json" >/dev/null 2>"$work/lg.log"
  kill -TERM "$server_pid"; wait "$server_pid" || true; server_pid=""
  python3 -c "import json,sys; d=json.load(open('$work/lg.json')); sys.exit(0 if d.get('lost_in_window',0)==0 else 1)" ||
    echo "warning: frames were lost in the $2 s run of $1" >&2
  sed -n 's/^summary: //p' "$out"
}

echo "| server | instructions, ${SHORT} s | instructions, ${LONG} s | per relayed frame | fixed (start, ramp, stop) |"
echo "|---|---:|---:|---:|---:|"
for bin in "$@"; do
  a=$(total_instructions "$bin" "$SHORT")
  b=$(total_instructions "$bin" "$LONG")
  python3 - "$bin" "$a" "$b" <<PY
import sys
name, a, b = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
frames = ($LONG - $SHORT) * $RATE
per = (b - a) / frames
print(f"| {name.replace('$root/', '')} | {a:,} | {b:,} | {per:,.0f} | {a - per * ($SHORT + $WARMUP) * $RATE:,.0f} |")
PY
done
