#!/usr/bin/env bash
# Slow reader and flood (issue 12, reliability suite): 100 clients relay in 50 pairs through one
# real parley-server on loopback (parley-loadgen's latency phase, open loop), in alternating quiet
# and loaded phases of one run; in a loaded phase parley-adversary adds a client that never reads
# (fed by --feeders relaying clients) and one that writes at line rate. Prints p50/p99/max of the
# 100 in each phase, p99(loaded)/p99(quiet), and what happened to the two bad clients.
#
#   bench/slow_reader/run.sh
#   ROUNDS=3 DURATION=30 bench/slow_reader/run.sh
#   ADV_FLAGS=--no-flood bench/slow_reader/run.sh      # the slow reader alone (or --no-slow)
#   CPUS=0 ADV_CPUS=1 bench/slow_reader/run.sh         # the adversary on a core of its own
#
# The server runs with its default limits; raw JSON, logs, /metrics and the machine description
# land in $BUILD_DIR/bench-slow-reader/<date>/. A benchmark: it passes or fails nothing.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
BUILD_DIR="${BUILD_DIR:-build}"
PORT="${PORT:-29121}"
ROUNDS="${ROUNDS:-2}"          # quiet, loaded, quiet, loaded, ...
PAIRS="${PAIRS:-50}"           # 2*PAIRS relaying clients
RATE="${RATE:-1000}"           # frames/s over all of them: 10/s each, half the default budget
DURATION="${DURATION:-20}"
WARMUP="${WARMUP:-3}"
FEEDERS="${FEEDERS:-64}"       # clients relaying to the slow reader, 19 frames/s each
ADV_FLAGS="${ADV_FLAGS:-}"
ADV_NICE="${ADV_NICE:-0}"
# CPU pinning (taskset lists, empty = none): e.g. CPUS=0 ADV_CPUS=1 gives the adversary a core of
# its own, as an attacker on another machine would have, so that its line-rate writing does not
# deschedule the load generator measuring the others.
CPUS="${CPUS:-}"               # the server and the load generator
ADV_CPUS="${ADV_CPUS:-}"       # the adversary
pin() { if [ -n "$1" ]; then echo taskset -c "$1"; fi; }

results="$BUILD_DIR/bench-slow-reader/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$results"
log() { echo "[slow_reader $(date +%H:%M:%S)] $*" >&2; }

# ---- build (the bench targets appear in an existing tree only after a configure) --------------
[ -f "$BUILD_DIR/build.ninja" ] || cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j2 --target parley-server parley-loadgen parley-adversary 2>/dev/null ||
  { cmake -S . -B "$BUILD_DIR" >/dev/null && cmake --build "$BUILD_DIR" -j2 --target parley-server parley-loadgen parley-adversary; }

{
  echo "date: $(date -Is)"
  echo "nproc: $(nproc)"
  echo "cpu: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)"
  echo "kernel: $(uname -r)"
  echo "memory: $(free -g | awk '/^Mem:/{print $2" GiB"}')"
  echo "tcp_wmem: $(sysctl -n net.ipv4.tcp_wmem | tr '\t' ' ')"
  echo "parley-server: $(git log -1 --format='%h %s')"
  echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$results/machine.txt" >&2

# ---- server -------------------------------------------------------------------------------------
data=$(mktemp -d)
server_pid="" adv_pid=""
cleanup() {
  [ -n "$adv_pid" ] && kill "$adv_pid" 2>/dev/null
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$data"
}
trap cleanup EXIT
server_cmd=("$BUILD_DIR/parley-server" --listen "127.0.0.1:$PORT" --env-file '' --log-level warn --metrics true
            --data-dir "$data/data" --management-listen '' --web-root /nonexistent)
echo "server: ${server_cmd[*]}" >>"$results/machine.txt"
echo "pinning: server and load generator '${CPUS:-none}', adversary '${ADV_CPUS:-none}'" >>"$results/machine.txt"
# shellcheck disable=SC2046
$(pin "$CPUS") "${server_cmd[@]}" >"$results/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done

rss() { awk '/^VmRSS/{print $2}' "/proc/$server_pid/status"; }
loadgen() {  # $1 = label
  # shellcheck disable=SC2046
  $(pin "$CPUS") "$BUILD_DIR/parley-loadgen" --mode parley --url "ws://127.0.0.1:$PORT/ws" --phase latency --pairs "$PAIRS" \
    --rate "$RATE" --duration "$DURATION" --warmup "$WARMUP" --server-pid "$server_pid" --label "$1" \
    --json "$results/$1.json" >/dev/null 2>"$results/$1.log"
}

for r in $(seq 1 "$ROUNDS"); do
  log "round $r: quiet (RSS $(rss) KiB)"
  loadgen "quiet$r"
  log "round $r: loaded (RSS $(rss) KiB)"
  # shellcheck disable=SC2086
  nice -n "$ADV_NICE" $(pin "$ADV_CPUS") "$BUILD_DIR/parley-adversary" --port "$PORT" --feeders "$FEEDERS" --json "$results/adversary$r.json" \
    $ADV_FLAGS >/dev/null 2>"$results/adversary$r.log" &
  adv_pid=$!
  sleep 1
  loadgen "loaded$r"
  echo "rss_kib_end_loaded$r: $(rss)" >>"$results/machine.txt"
  kill -TERM "$adv_pid"; wait "$adv_pid" || true; adv_pid=""
  sleep 7  # the flooder's last connection ends (close timeout 5 s) before the next quiet phase
done
echo "server rss_kib at end: $(rss), VmHWM $(awk '/^VmHWM/{print $2}' "/proc/$server_pid/status")" >>"$results/machine.txt"
echo "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)" >>"$results/machine.txt"
curl -s "http://127.0.0.1:$PORT/metrics" >"$results/metrics.txt"
python3 "$(dirname "$0")/report.py" "$results" | tee "$results/report.md"
log "results in $results"
