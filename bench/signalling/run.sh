#!/usr/bin/env bash
# Signalling benchmark: parley-server against PeerServer (npm "peer"), side by side, same workloads.
#
#   bench/signalling/run.sh                 # full run (idle connections, relay throughput, latency)
#   QUICK=1 bench/signalling/run.sh         # small numbers, a smoke test of the whole pipeline
#   PHASES="latency" bench/signalling/run.sh
#
# Tunables (environment): IDLE_CONNS (6000 registered), BARE_CONNS (50000, capped by the descriptor limit),
# PAIRS (relay pairs), THR_WINDOW, PARLEY_THR_FLAGS (throughput phase only),
# LAT_RATE (open-loop frames/s for the latency phase), DURATION, WARMUP, HOLD, KEEPALIVE,
# BUILD_DIR (build-bench), PARLEY_PORT, PEER_PORT, SERVERS ("parley peerjs"), PARLEY_EXTRA_FLAGS,
# QUIET_PCT / QUIET_WAIT (wait for a quiet machine), NICE (e.g. -5: run servers and loadgen at that niceness),
# PARLEY_BASE_REV (a git revision: also builds that revision's parley-server and measures it as
# `parley-base` in the same run, for before/after comparisons; SERVERS then defaults to
# "parley-base parley peerjs").
#
# Loopback only. Every server this script starts is stopped when it exits.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"

BUILD_DIR="${BUILD_DIR:-$root/build-bench}"
PARLEY_PORT="${PARLEY_PORT:-29101}"   # below the ephemeral range (32768-60999)
PEER_PORT="${PEER_PORT:-29102}"
PARLEY_BASE_REV="${PARLEY_BASE_REV:-}"
if [ -n "$PARLEY_BASE_REV" ]; then SERVERS="${SERVERS:-parley-base parley peerjs}"; else SERVERS="${SERVERS:-parley peerjs}"; fi
PHASES="${PHASES:-idle idle_bare throughput latency}"
if [ "${QUICK:-0}" = 1 ]; then
  : "${IDLE_CONNS:=2000}" "${BARE_CONNS:=3000}" "${PAIRS:=250}" "${LAT_RATE:=5000}" "${DURATION:=5}" "${WARMUP:=2}" "${HOLD:=3}"
fi
# Registered idle connections: parley broadcasts `online` to every registered client on each
# register, so this phase costs N(N+1)/2 frames (6,000: 18 M frames, about 10 minutes here).
IDLE_CONNS="${IDLE_CONNS:-6000}"
PAIRS="${PAIRS:-1000}"          # relay phases: 2*PAIRS connections
LAT_RATE="${LAT_RATE:-20000}"   # latency phase: offered frames/s, open loop
THR_WINDOW="${THR_WINDOW:-4}"   # throughput phase: frames in flight per sending connection
DURATION="${DURATION:-20}"
WARMUP="${WARMUP:-5}"
HOLD="${HOLD:-15}"
KEEPALIVE="${KEEPALIVE:-30}"    # seconds between keepalives per idle connection (both servers)
RAMP_TIMEOUT="${RAMP_TIMEOUT:-1800}"
RAMP_CONCURRENCY="${RAMP_CONCURRENCY:-16}"
PARLEY_THR_FLAGS="${PARLEY_THR_FLAGS:---rate-limit 1000000 --rate-burst 1000000}"
PARLEY_EXTRA_FLAGS="${PARLEY_EXTRA_FLAGS:-}"

results="$BUILD_DIR/bench-signalling/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$results"
log() { echo "[run.sh $(date +%H:%M:%S)] $*" >&2; }

# ---- dependencies -------------------------------------------------------------------------------
need_apt=()
for p in build-essential cmake ninja-build pkg-config libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev \
         libcli11-dev $(sed 's/#.*//' scripts/deps/server.apt 2>/dev/null | tr -s ' \t' '\n' | sed '/^$/d'); do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || need_apt+=("$p")
done
command -v node >/dev/null || need_apt+=(nodejs npm)
command -v python3 >/dev/null || need_apt+=(python3)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "installing ${need_apt[*]}"
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_apt[@]}"
fi
if [ ! -d "$here/peerserver/node_modules/peer" ]; then
  log "installing PeerServer (npm ci in bench/signalling/peerserver)"
  (cd "$here/peerserver" && npm ci --no-audit --no-fund --loglevel=error)
fi

# ---- build --------------------------------------------------------------------------------------
log "building parley-server and parley-loadgen in $BUILD_DIR (Release)"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPARLEY_BUILD_BOTS=OFF -DPARLEY_BUILD_TESTS=OFF >/dev/null
targets=(parley-loadgen)
case " $SERVERS " in *" parley "*) targets+=(parley-server) ;; esac
cmake --build "$BUILD_DIR" -j2 --target "${targets[@]}"
loadgen="$BUILD_DIR/parley-loadgen"
parley="$BUILD_DIR/parley-server"
parley_base=""
if [ -n "$PARLEY_BASE_REV" ]; then
  # The base revision's own tree and build directory, kept between runs (ccache makes rebuilds cheap).
  base_sha=$(git rev-parse --short "$PARLEY_BASE_REV^{commit}")
  base_src="$BUILD_DIR/base-$base_sha/src"
  if [ ! -d "$base_src" ]; then
    mkdir -p "$base_src"
    git archive "$base_sha" | tar -x -C "$base_src"
  fi
  log "building parley-server of $base_sha in $BUILD_DIR/base-$base_sha/build (Release)"
  cmake -S "$base_src" -B "$BUILD_DIR/base-$base_sha/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DPARLEY_BUILD_BOTS=OFF \
    -DPARLEY_BUILD_TESTS=OFF >/dev/null
  cmake --build "$BUILD_DIR/base-$base_sha/build" -j2 --target parley-server
  parley_base="$BUILD_DIR/base-$base_sha/build/parley-server"
fi

# ---- limits -------------------------------------------------------------------------------------
# Every process needs one descriptor per connection. Raise the soft limit to the hard one, and the
# hard one if we are allowed to (needs CAP_SYS_RESOURCE; fs.nr_open is the kernel's ceiling).
nr_open=$(cat /proc/sys/fs/nr_open)
ulimit -Hn 200000 2>/dev/null || ulimit -Hn "$nr_open" 2>/dev/null || true
ulimit -n "$(ulimit -Hn)"
nofile=$(ulimit -n)
# Ephemeral ports: the load generator binds its clients to 127.0.0.1, 127.0.0.2, ... (one address
# per 20,000 connections, IP_BIND_ADDRESS_NO_PORT), each with the full ephemeral range, so the
# system-wide net.ipv4.ip_local_port_range is left alone (widening it makes other programs' fixed
# ports, this script's servers included, collide with ephemeral ones in TIME_WAIT).
max_conns=$((nofile - 100))
BARE_CONNS="${BARE_CONNS:-50000}"   # unregistered: up to the descriptor limit
if [ "$IDLE_CONNS" -gt "$max_conns" ]; then
  log "RLIMIT_NOFILE hard limit is $nofile here (raising it is not permitted): idle phase capped at $max_conns connections, not $IDLE_CONNS"
  IDLE_CONNS=$max_conns
fi
[ "$BARE_CONNS" -gt "$max_conns" ] && BARE_CONNS=$max_conns

# ---- machine ------------------------------------------------------------------------------------
{
  echo "date: $(date -Is)"
  echo "nproc: $(nproc)"
  echo "cpu: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)"
  echo "kernel: $(uname -r)"
  echo "memory: $(free -g | awk '/^Mem:/{print $2" GiB"}')"
  echo "RLIMIT_NOFILE: $nofile (fs.nr_open $nr_open)"
  echo "ip_local_port_range: $(cat /proc/sys/net/ipv4/ip_local_port_range | tr '\t' ' ')"
  echo "somaxconn: $(cat /proc/sys/net/core/somaxconn)"
  echo "node: $(node --version), peer: $(node -p 'require("'"$here"'/peerserver/node_modules/peer/package.json").version')"
  echo "parley-server: $(git log -1 --format='%h %s' 2>/dev/null)"
  [ -n "$parley_base" ] && echo "parley-base: $(git log -1 --format='%h %s' "$base_sha" 2>/dev/null)"
  echo "loadavg at start: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$results/machine.txt" >&2

# ---- servers ------------------------------------------------------------------------------------
server_pid=""
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
trap stop_server EXIT
trap 'stop_server; exit 130' INT TERM

wait_port() {
  for _ in $(seq 1 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  log "server did not open port $1"; return 1
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

is_parley() { [ "$1" = parley ] || [ "$1" = parley-base ]; }

start_server() {  # $1 = parley | parley-base | peerjs, $2 = extra parley-server flags
  stop_server
  local port=$PEER_PORT bin=$parley
  is_parley "$1" && port=$PARLEY_PORT
  [ "$1" = parley-base ] && bin=$parley_base
  if port_busy "$port"; then log "port $port is already in use (another run?): stop it or set PARLEY_PORT/PEER_PORT"; exit 1; fi
  if is_parley "$1"; then
    # shellcheck disable=SC2086
    ${NICE:+nice -n "$NICE"} "$bin" --listen "127.0.0.1:$PARLEY_PORT" --ws-timeout 300s --max-connections 1000000 \
      --env-file '' --log-level warn $PARLEY_EXTRA_FLAGS ${2:-} >"$results/$1-server.log" 2>&1 &
    server_pid=$!
    wait_port "$PARLEY_PORT"
  else
    ${NICE:+nice -n "$NICE"} node "$here/peerserver/server.js" "$PEER_PORT" 127.0.0.1 >"$results/peerserver.log" 2>&1 &
    server_pid=$!
    wait_port "$PEER_PORT"
  fi
  sleep 1
  kill -0 "$server_pid" 2>/dev/null || { log "the $1 server exited at start-up"; exit 1; }
}

url_for() { if is_parley "$1"; then echo "ws://127.0.0.1:$PARLEY_PORT/ws"; else echo "ws://127.0.0.1:$PEER_PORT/"; fi; }

# The machine is shared with other agents' builds: before each measurement wait (up to
# QUIET_WAIT seconds) until the rest of the machine uses less than QUIET_PCT % of one core.
QUIET_WAIT="${QUIET_WAIT:-180}"
QUIET_PCT="${QUIET_PCT:-40}"
busy_pct() {  # % of one core used by the whole machine over 2 s
  local a b
  a=($(head -1 /proc/stat)); sleep 2; b=($(head -1 /proc/stat))
  local busy=$(( (b[1]+b[2]+b[3]+b[6]+b[7]+b[8]) - (a[1]+a[2]+a[3]+a[6]+a[7]+a[8]) ))
  echo $(( busy * 100 / (2 * $(getconf CLK_TCK)) ))
}
wait_quiet() {
  local start=$SECONDS pct
  while :; do
    pct=$(busy_pct)
    if [ "$pct" -lt "$QUIET_PCT" ]; then echo "$pct"; return; fi
    if [ $((SECONDS - start)) -ge "$QUIET_WAIT" ]; then log "machine still busy (${pct}% of a core used by others), measuring anyway"; echo "$pct"; return; fi
    sleep 3
  done
}

run_phase() {  # $1 = server, $2 = phase, $3 = extra parley-server flags, rest = loadgen flags
  local srv=$1 phase=$2 sflags=$3; shift 3
  local quiet
  quiet=$(wait_quiet)
  echo "$srv-$phase: other processes used ${quiet}% of a core just before" >>"$results/machine.txt"
  start_server "$srv" "$sflags"
  log "$srv / $phase: $loadgen --mode ${srv%-base} --url $(url_for "$srv") --phase $phase $*"
  local mode=$srv
  is_parley "$srv" && mode=parley
  ${NICE:+nice -n "$NICE"} "$loadgen" --mode "$mode" --url "$(url_for "$srv")" --phase "${phase%%_*}" --server-pid "$server_pid" \
    --keepalive "$KEEPALIVE" --label "$srv-$phase" --json "$results/$srv-$phase.json" "$@" \
    2> >(tee "$results/$srv-$phase.log" | grep -E 'ramp: [0-9]+ registered|relay:|warning|stopping' >&2) >/dev/null || log "loadgen failed ($srv $phase)"
  stop_server
}

for phase in $PHASES; do
  for srv in $SERVERS; do
    case $phase in
      # Registered idle connections (parley: each register broadcasts `online` to all, O(N^2) frames).
      # Few registrations in flight and a long per-connection timeout: the server's one thread is
      # busy broadcasting, so upgrades and register replies wait behind the storm.
      idle) run_phase "$srv" idle "" --connections "$IDLE_CONNS" --hold "$HOLD" --ramp-timeout "$RAMP_TIMEOUT" \
              --concurrency "$RAMP_CONCURRENCY" --handshake-timeout 600 ;;
      # As many connections as the descriptor limit allows, without parley's register (and so
      # without its O(N^2) `online` broadcasts). A PeerServer client is registered by its upgrade,
      # so for PeerServer this is the idle phase again at BARE_CONNS.
      idle_bare)
        if is_parley "$srv"; then bare_flag=--no-register; else bare_flag=; fi
        run_phase "$srv" idle_bare "" $bare_flag --connections "$BARE_CONNS" --hold "$HOLD" \
          --concurrency "$RAMP_CONCURRENCY" --handshake-timeout 600 ;;
      # Closed loop, as fast as the server relays. parley-server's per-connection rate limit
      # (20 frames/s by default) is lifted here: the phase measures relaying, not the policy.
      throughput) run_phase "$srv" throughput "$PARLEY_THR_FLAGS" --pairs "$PAIRS" --rate 0 --window "$THR_WINDOW" \
                    --duration "$DURATION" --warmup "$WARMUP" ${THR_EXTRA:-} ;;
      # Open loop at a fixed rate, default server settings (LAT_RATE / (2*PAIRS) frames/s per
      # connection stays under parley's 20/s default rate limit).
      latency) run_phase "$srv" latency "" --pairs "$PAIRS" --rate "$LAT_RATE" --duration "$DURATION" --warmup "$WARMUP" ;;
    esac
  done
done

echo "loadavg at end: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$results/machine.txt" >&2
python3 "$here/report.py" "$results" | tee "$results/report.md"
log "results in $results"
