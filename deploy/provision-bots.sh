#!/usr/bin/env bash
# Gives parley-bots its accounts: waits for parley-server's management socket, runs
# `parley-server bots add` for each of the five bots (idempotent: the account is kept, a fresh
# token is handed out) and writes the tokens as a KEY=VALUE file (mode 0600, replaced whole) that
# parley-bots reads with --bots-secret-env-file. Used by the compose file's provision-bots service
# and by parley-bots.service (ExecStartPre); see docs/DEPLOYMENT.md.
#
# Usage: provision-bots.sh --out FILE [--server BIN] [--socket PATH] [--avatars DIR] [--wait SECONDS]
#   --server   parley-server binary (default: parley-server on the PATH)
#   --socket   management socket (default: $PARLEY_MANAGEMENT_LISTEN, else /run/parley/management.sock)
#   --avatars  directory of <username>.png avatars (assets/bots in the repository); none by default
#   --wait     how long to wait for the socket (default 60 s)
set -euo pipefail
server=parley-server
socket=${PARLEY_MANAGEMENT_LISTEN:-/run/parley/management.sock}
avatars='' out='' wait=60
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2 ;;
    --server) server=$2 ;;
    --socket) socket=$2 ;;
    --avatars) avatars=$2 ;;
    --wait) wait=$2 ;;
    *) echo "provision-bots: unknown argument $1" >&2; exit 2 ;;
  esac
  shift 2
done
[ -n "$out" ] || { echo "provision-bots: --out FILE is required" >&2; exit 2; }

# Ready when the management API answers (the socket appears before the server listens on HTTP).
deadline=$((SECONDS + wait))
until [ -S "$socket" ] && "$server" bots --management-listen "$socket" list >/dev/null 2>&1; do
  if [ $SECONDS -ge "$deadline" ]; then
    echo "provision-bots: no management API at $socket after ${wait} s" >&2
    "$server" bots --management-listen "$socket" list >/dev/null || true  # its own message
    exit 1
  fi
  sleep 0.5
done

umask 077
tmp="$out.new.$$"
trap 'rm -f "$tmp"' EXIT
: > "$tmp"
# username, display name, token variable read by parley-bots (PROTOCOL.md §9.7)
while read -r username display var; do
  avatar=()
  [ -n "$avatars" ] && [ -f "$avatars/$username.png" ] && avatar=(--avatar-file "$avatars/$username.png")
  if ! token=$("$server" bots --management-listen "$socket" add "$username" --display-name "$display" "${avatar[@]}"); then
    echo "provision-bots: could not provision the bot account $username (see above)" >&2
    exit 1
  fi
  printf '%s=%s\n' "$var" "$token" >> "$tmp"
done <<'BOTS'
echo_bot EchoBot ECHOBOT_JWT_TOKEN
counter_bot CounterBot COUNTERBOT_JWT_TOKEN
clock_bot ClockBot CLOCKBOT_JWT_TOKEN
music_bot MusicBot MUSICBOT_JWT_TOKEN
chat_bot ChatBot CHATBOT_JWT_TOKEN
BOTS
mv -f "$tmp" "$out"
trap - EXIT
echo "provision-bots: 5 bot tokens written to $out"
