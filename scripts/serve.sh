#!/usr/bin/env bash
# Runs the built server and, when built, the bots. Used by run.sh; assumes scripts/build.sh ran.
set -euo pipefail
cd "$(dirname "$0")/.."
LISTEN=${PARLEY_LISTEN:-0.0.0.0:3001}
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait; }
trap cleanup EXIT INT TERM

build/parley-server --listen "$LISTEN" --web-root web/dist "$@" &
pids+=($!)
if [ -x build/parley-bots ]; then
  for _ in $(seq 50); do curl -fsS "http://127.0.0.1:${LISTEN##*:}/healthz" >/dev/null 2>&1 && break; sleep 0.2; done
  build/parley-bots --ws-server "ws://127.0.0.1:${LISTEN##*:}/ws" &
  pids+=($!)
fi
echo "Parley is running on http://localhost:${LISTEN##*:}/ (Ctrl-C to stop)"
wait -n
