#!/usr/bin/env bash
# What TLS costs parley-server: relay frames/s, latency and new connections per second over wss
# against plain ws, in one run. One server with TLS and one without (the same binary) run side by
# side; the rounds interleave ws and wss (alternating which goes first), so that whatever else the
# shared machine does hits both.
#
#   bench/signalling/tls.sh
#   ROUNDS=1 DURATION=3 WARMUP=1 PAIRS=100 bench/signalling/tls.sh   # a quick check of the pipeline
#
# Tunables (environment): ROUNDS (3), PHASES ("throughput latency handshake"), PAIRS (1000, relay phases: 2*PAIRS connections), THR_WINDOW (4),
# LAT_RATE (5000 frames/s, open loop), HS_DIALERS (16 connections in flight in the handshake phase),
# DURATION (10 s measured per phase), WARMUP (3 s), BUILD_DIR (build-bench), WS_PORT, WSS_PORT, NICE,
# PARLEY_SERVER (a parley-server binary to measure instead of the one built, e.g. an older build).
# Raw JSON and logs land in $BUILD_DIR/bench-signalling/tls-<date>/. Loopback only.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

BUILD_DIR="${BUILD_DIR:-$root/build-bench}"
ROUNDS="${ROUNDS:-3}"
PHASES="${PHASES:-throughput latency handshake}"
PAIRS="${PAIRS:-1000}"
THR_WINDOW="${THR_WINDOW:-4}"
LAT_RATE="${LAT_RATE:-5000}"
HS_DIALERS="${HS_DIALERS:-16}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-3}"
WS_PORT="${WS_PORT:-29111}"    # below the ephemeral range (32768-60999)
WSS_PORT="${WSS_PORT:-29112}"
log() { echo "[tls.sh $(date +%H:%M:%S)] $*" >&2; }

results="$BUILD_DIR/bench-signalling/tls-$(date +%Y%m%d-%H%M%S)"
mkdir -p "$results"
tmp=$(mktemp -d)
ws_pid="" wss_pid=""
cleanup() {
  for p in $ws_pid $wss_pid; do kill "$p" 2>/dev/null || true; done
  for p in $ws_pid $wss_pid; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "building parley-server and parley-loadgen in $BUILD_DIR (Release)"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPARLEY_BUILD_BOTS=OFF -DPARLEY_BUILD_TESTS=OFF >/dev/null
cmake --build "$BUILD_DIR" -j2 --target parley-server parley-loadgen
loadgen="$BUILD_DIR/parley-loadgen"
parley="${PARLEY_SERVER:-$BUILD_DIR/parley-server}"

scripts/dev-ca.sh -d "$tmp/ca" 127.0.0.1 localhost >/dev/null
ulimit -n "$(ulimit -Hn)"

{
  echo "date: $(date -Is)"
  echo "nproc: $(nproc)"
  echo "cpu: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)"
  echo "kernel: $(uname -r)"
  echo "openssl: $(openssl version)"
  echo "certificate: $(openssl x509 -in "$tmp/ca/server.pem" -noout -text | sed -n 's/^ *Public Key Algorithm: *//p' | head -1), P-256 (scripts/dev-ca.sh)"
  echo "parley-server: $(git log -1 --format='%h %s' | cut -c1-100)"
  echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$results/machine.txt" >&2

wait_port() {
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  log "no server on port $1"; return 1
}
for port in "$WS_PORT" "$WSS_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then log "port $port is in use (another run?)"; exit 1; fi
done
# As run.sh starts parley-server (each with its own data directory), the per-connection rate limit lifted for the closed loop (the
# latency phase's LAT_RATE / (2*PAIRS) frames/s per connection stays under the default anyway).
flags=(--ws-timeout 300s --max-connections 1000000 --env-file '' --log-level warn --rate-limit 1000000 --rate-burst 1000000)
${NICE:+nice -n "$NICE"} "$parley" --listen "127.0.0.1:$WS_PORT" --data-dir "$tmp/ws-data" "${flags[@]}" >"$results/ws-server.log" 2>&1 &
ws_pid=$!
${NICE:+nice -n "$NICE"} "$parley" --listen "127.0.0.1:$WSS_PORT" --data-dir "$tmp/wss-data" --tls-cert "$tmp/ca/server.pem" --tls-key "$tmp/ca/server.key" \
  "${flags[@]}" >"$results/wss-server.log" 2>&1 &
wss_pid=$!
wait_port "$WS_PORT"
wait_port "$WSS_PORT"

run_one() {  # $1 = ws | wss, $2 = phase, $3 = round
  local kind=$1 phase=$2 r=$3 url pid tls=() args=()
  if [ "$kind" = wss ]; then
    url="wss://127.0.0.1:$WSS_PORT/ws" pid=$wss_pid tls=(--tls-ca "$tmp/ca/ca.pem")
  else
    url="ws://127.0.0.1:$WS_PORT/ws" pid=$ws_pid
  fi
  case $phase in
    throughput) args=(--pairs "$PAIRS" --rate 0 --window "$THR_WINDOW") ;;
    latency) args=(--pairs "$PAIRS" --rate "$LAT_RATE") ;;
    handshake) args=(--concurrency "$HS_DIALERS") ;;
  esac
  log "round $r: $kind $phase"
  ${NICE:+nice -n "$NICE"} "$loadgen" --mode parley --url "$url" "${tls[@]}" --phase "$phase" --server-pid "$pid" \
    --duration "$DURATION" --warmup "$WARMUP" --label "$kind-$phase-$r" --json "$results/$kind-$phase-$r.json" "${args[@]}" \
    >/dev/null 2>"$results/$kind-$phase-$r.log" || log "loadgen failed ($kind $phase round $r, see $results/$kind-$phase-$r.log)"
  kill -0 "$pid" 2>/dev/null || { log "the $kind server died"; exit 1; }
  sleep 1  # the server closes the last run's connections
}

for r in $(seq 1 "$ROUNDS"); do
  if [ $((r % 2)) = 1 ]; then order="ws wss"; else order="wss ws"; fi
  for phase in $PHASES; do
    for kind in $order; do run_one "$kind" "$phase" "$r"; done
  done
done

echo "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$results/machine.txt" >&2
python3 "$here/tls_report.py" "$results" | tee "$results/report.md"
log "results in $results"
