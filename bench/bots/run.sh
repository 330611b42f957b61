#!/usr/bin/env bash
# Bots benchmarks: C++ peer-to-peer data-channel throughput and connection setup, peers held by
# one parley-bots process (RSS and threads per peer), and browser-to-bot file throughput.
# Usage: bench/bots/run.sh            (BUILD_DIR defaults to build-bench-bots; PEERS=100,250,500)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${BUILD_DIR:-build-bench-bots}
PEERS=${PEERS:-100,250,500}
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD_DIR" -j2 --target parley-bench-bots parley-bots parley-server
ulimit -n "$(ulimit -Hn)" || true
out=$(mktemp -d /tmp/parley-bench-bots-XXXXXX)
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at start"

"$BUILD_DIR/parley-bench-bots" throughput --mib 300 --chunk 65536 2>/dev/null | tee "$out/tp64k.txt"
"$BUILD_DIR/parley-bench-bots" throughput --mib 300 --chunk 262144 2>/dev/null | tee "$out/tp256k.txt"
"$BUILD_DIR/parley-bench-bots" throughput --mib 300 --chunk 65536 --threads shared 2>/dev/null | tee "$out/tpshared.txt"
# libwebrtc alone (5 MiB receive window, kernel UDP buffer), for comparison with parley's defaults.
"$BUILD_DIR/parley-bench-bots" throughput --mib 300 --chunk 65536 --rwnd-kib 5120 --udp-rcvbuf-kib 0 2>/dev/null | tee "$out/tp64k-5mib.txt"
"$BUILD_DIR/parley-bench-bots" setup --runs 50 2>/dev/null | tee "$out/setup.txt"

# Peers held: a real server and an EchoBot-only parley-bots, then N client peers.
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BUILD_DIR/parley-server" --listen "127.0.0.1:$port" --web-root "$out" --env-file '' --log-level warn \
  --max-connections 100000 --rate-limit 100000 --rate-burst 100000 >"$out/server.log" 2>&1 &
server=$!
for _ in $(seq 50); do curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
"$BUILD_DIR/parley-bots" --ws-server "ws://127.0.0.1:$port/ws" --bots EchoBot --ice-server none --ice-loopback-only \
  --bots-secret-env-file '' --data-dir "$out/bots-data" >"$out/bots.log" 2>&1 &
bots=$!
trap 'kill $bots $server 2>/dev/null || true' EXIT
bot_id=""
for _ in $(seq 50); do
  bot_id=$(curl -fsS "http://127.0.0.1:$port/conns" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(next((k for k,v in d.items() if v["node_name"]=="EchoBot"),""))' || true)
  [ -n "$bot_id" ] && break; sleep 0.2
done
"$BUILD_DIR/parley-bench-bots" hold --ws "ws://127.0.0.1:$port/ws" --bot-pid "$bots" --bot-id "$bot_id" --steps "$PEERS" \
  2>/dev/null | tee "$out/hold.txt"
kill $bots $server 2>/dev/null || true

# Browser to bot: Chromium sends a file to EchoBot and gets it back (the e2e suite's page).
(cd tests/bots/e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
BUILD_DIR="$BUILD_DIR" node bench/bots/browser_file.mjs "${FILE_MIB:-50}" | tee "$out/browser.txt"
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at end; raw results in $out"
