#!/usr/bin/env bash
# Runs the built server and, when built, the bots. Used by run.sh; assumes scripts/build.sh ran.
# Flags go to parley-server. The bots get their accounts (echo_bot, counter_bot, clock_bot,
# music_bot, chat_bot, with display names and avatars) through the management socket on every
# start: `bots add` is idempotent and hands out a fresh token each time.
#
# Environment: BUILD_DIR (build), PARLEY_LISTEN (0.0.0.0:3001), PARLEY_DATA_DIR (./data),
# PARLEY_MANAGEMENT_LISTEN (./run/management.sock; the server and the `bots` commands both read it),
# PARLEY_BOTS_DATA_DIR (<data dir>/bots: the bots' DTLS certificates, which keep their safety numbers).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
LISTEN=${PARLEY_LISTEN:-0.0.0.0:3001}
PORT=${LISTEN##*:}
export PARLEY_MANAGEMENT_LISTEN=${PARLEY_MANAGEMENT_LISTEN:-$PWD/run/management.sock}
server="$BUILD_DIR/parley-server"

pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait; }
trap cleanup EXIT INT TERM

"$server" --listen "$LISTEN" --web-root web/dist "$@" &
server_pid=$!
pids+=($server_pid)

# Ready when it answers HTTP and its management socket exists (up to 10 s).
ready=
for _ in $(seq 50); do
  kill -0 "$server_pid" 2>/dev/null || { echo "serve: parley-server exited; see the messages above" >&2; exit 1; }
  if [ -S "$PARLEY_MANAGEMENT_LISTEN" ] && curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; then
    ready=1
    break
  fi
  sleep 0.2
done
[ -n "$ready" ] || { echo "serve: parley-server is not ready after 10 s (management socket $PARLEY_MANAGEMENT_LISTEN)" >&2; exit 1; }

if [ -x "$BUILD_DIR/parley-bots" ]; then
  # username, display name, token variable read by parley-bots (PROTOCOL.md §9.7)
  while read -r username display var; do
    if ! token=$("$server" bots add "$username" --display-name "$display" --avatar-file "assets/bots/$username.png"); then
      echo "serve: could not provision the bot account $username (see above)" >&2
      exit 1
    fi
    export "$var=$token"
  done <<'EOF'
echo_bot EchoBot ECHOBOT_JWT_TOKEN
counter_bot CounterBot COUNTERBOT_JWT_TOKEN
clock_bot ClockBot CLOCKBOT_JWT_TOKEN
music_bot MusicBot MUSICBOT_JWT_TOKEN
chat_bot ChatBot CHATBOT_JWT_TOKEN
EOF
  "$BUILD_DIR/parley-bots" --ws-server "ws://127.0.0.1:$PORT/ws" \
    --data-dir "${PARLEY_BOTS_DATA_DIR:-${PARLEY_DATA_DIR:-data}/bots}" &
  pids+=($!)
fi
echo "Parley is running on http://localhost:$PORT/ (Ctrl-C to stop)"
wait -n
