#!/usr/bin/env bash
# NAT traversal, proven (issue 13, item 4): builds network namespaces
#
#   home1 10.1.0.2/24 -- 10.1.0.1 r1 192.0.2.2/30 ------ 192.0.2.1    \
#                                                                      pub (coturn, parley-server)
#   home2 10.2.0.2/24 -- 10.2.0.1 r2 198.51.100.2/30 --- 198.51.100.1 /
#
# r1 and r2 forward and masquerade (nftables); pub does not forward, so the homes cannot reach each
# other, not even through public addresses: only coturn's relay joins them. Debian's Chromium runs
# in home1 (driven by Playwright through a wrapper, web/e2e/nat/), EchoBot (parley-bots) in home2.
# A second parley-server (and EchoBot) without TURN shows what the chat says when there is no relay;
# a third one with one-minute TURN credentials shows that an ICE restart renews expired ones.
# Every interface the processes see is one this script made; nothing listens on or sends to the
# host's own interfaces. Every process and namespace is removed on exit, failure or signal.
# Needs root, ip (iproute2), nft (nftables), turnserver (coturn), chromium, openssl, node, and
# ${BUILD_DIR:-build}/parley-server and parley-bots. Appends "45-nat <passed> <failed>" to
# $PARLEY_RESULTS; without root or network namespaces it fails (1 failed) and says why.
# PARLEY_NAT_SKIP_WEB_BUILD=1 uses web/dist as it is; for debugging, PARLEY_NAT_BOTS_ARGS=--debug
# (libwebrtc's log) and PARLEY_NAT_TURN_ARGS=-V (coturn's) go into test-artifacts/nat/*.log.
set -uo pipefail
cd "${PARLEY_ROOT:-$(dirname "$0")/../..}"
ROOT=$PWD
SUITE=45-nat
RESULTS=${PARLEY_RESULTS:-/dev/null}
BUILD_DIR=${BUILD_DIR:-build}
reported=0
report() { echo "$SUITE $1 $2" >> "$RESULTS"; reported=1; }
fail() { echo "$SUITE: $*" >&2; [ "$reported" = 1 ] || report 0 1; exit 1; }

[ "$(id -u)" -eq 0 ] || fail "needs root (it makes network namespaces, veth pairs and nftables NAT); CI runs as root"
for tool in ip nft turnserver chromium openssl node; do
  command -v "$tool" >/dev/null || fail "'$tool' not found (scripts/deps/*.apt: iproute2, nftables, coturn, chromium, openssl)"
done
SERVER=$ROOT/$BUILD_DIR/parley-server
BOTS=${PARLEY_BOTS:-$ROOT/$BUILD_DIR/parley-bots}
[ -x "$SERVER" ] || fail "no parley-server at $SERVER"
[ -x "$BOTS" ] || fail "no parley-bots at $BOTS"

P=pnat$$
NS_H1=$P-home1 NS_R1=$P-r1 NS_H2=$P-home2 NS_R2=$P-r2 NS_PUB=$P-pub NS_SINK=$P-sink
ALL_NS="$NS_H1 $NS_R1 $NS_H2 $NS_R2 $NS_PUB $NS_SINK"
TMP=$(mktemp -d /tmp/parley-nat.XXXXXX)
ART=$ROOT/test-artifacts/nat
PIDS=()
made=()

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  set +e  # a set-up step may have failed under set -e: clean up everything regardless
  # A step that stopped the script (set -e) still counts as one failure.
  [ "$reported" = 1 ] || { echo "$SUITE: set-up failed (exit $rc)" >&2; report 0 1; }
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  # Anything else still running inside our namespaces (Chromium's helpers, say), by id.
  local ns pids
  for ns in "${made[@]}"; do
    pids=$(ip netns pids "$ns" 2>/dev/null)
    [ -n "$pids" ] && kill $pids 2>/dev/null
  done
  sleep 0.3
  for ns in "${made[@]}"; do
    pids=$(ip netns pids "$ns" 2>/dev/null)
    [ -n "$pids" ] && kill -9 $pids 2>/dev/null
  done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
  # Deleting a namespace removes its veth ends and nftables tables with it.
  for ns in "${made[@]}"; do ip netns del "$ns" 2>/dev/null; done
  mkdir -p "$ART" && cp "$TMP"/*.log "$ART"/ 2>/dev/null
  rm -rf "$TMP"
  local left
  left=$(ip netns list 2>/dev/null | grep -c "^$P-")
  [ "$left" -eq 0 ] || echo "$SUITE: WARNING: $left namespaces of $P left behind" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$ART" && rm -f "$ART"/*.log
ip netns add "$NS_PUB" 2>"$TMP/netns.err" || fail "cannot make network namespaces ($(cat "$TMP/netns.err")); needs root with CAP_SYS_ADMIN and CAP_NET_ADMIN"
made+=("$NS_PUB")
for ns in $NS_H1 $NS_R1 $NS_H2 $NS_R2 $NS_SINK; do ip netns add "$ns" || fail "ip netns add $ns failed"; made+=("$ns"); done

set -e
for ns in $ALL_NS; do
  ip -n "$ns" link set lo up
  ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=0
  # No IPv6 anywhere: the only addresses are the ones below.
  ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
# veth pairs are made inside the namespaces: the host's own namespace never sees them.
ip -n "$NS_H1" link add lan type veth peer name lan netns "$NS_R1"
ip -n "$NS_R1" link add wan type veth peer name up1 netns "$NS_PUB"
ip -n "$NS_H2" link add lan type veth peer name lan netns "$NS_R2"
ip -n "$NS_R2" link add wan type veth peer name up2 netns "$NS_PUB"
ip -n "$NS_PUB" link add inet type veth peer name inet netns "$NS_SINK"

ip -n "$NS_H1" addr add 10.1.0.2/24 dev lan
ip -n "$NS_R1" addr add 10.1.0.1/24 dev lan
ip -n "$NS_R1" addr add 192.0.2.2/30 dev wan
ip -n "$NS_PUB" addr add 192.0.2.1/30 dev up1
ip -n "$NS_H2" addr add 10.2.0.2/24 dev lan
ip -n "$NS_R2" addr add 10.2.0.1/24 dev lan
ip -n "$NS_R2" addr add 198.51.100.2/30 dev wan
ip -n "$NS_PUB" addr add 198.51.100.1/30 dev up2
ip -n "$NS_PUB" addr add 203.0.113.1/30 dev inet
ip -n "$NS_SINK" addr add 203.0.113.2/30 dev inet
for l in "$NS_H1 lan" "$NS_R1 lan" "$NS_R1 wan" "$NS_PUB up1" "$NS_H2 lan" "$NS_R2 lan" "$NS_R2 wan" "$NS_PUB up2" "$NS_PUB inet" "$NS_SINK inet"; do
  set -- $l; ip -n "$1" link set "$2" up
done
ip -n "$NS_H1" route add default via 10.1.0.1
ip -n "$NS_R1" route add default via 192.0.2.1
ip -n "$NS_H2" route add default via 10.2.0.1
ip -n "$NS_R2" route add default via 198.51.100.1
# pub does not forward. Its default route leads to 'sink', the rest of the Internet, which
# silently drops everything (as the Internet drops private addresses): with no route at all, coturn's
# sends to the homes' private candidates fail at once (ENETUNREACH) and coturn gives up the relay.
ip -n "$NS_PUB" route add default via 203.0.113.2
ip netns exec "$NS_SINK" nft -f - <<'NFT'
table ip parleysink {
  chain swallow {
    type filter hook prerouting priority raw; policy drop;
  }
}
NFT

for r in "$NS_R1" "$NS_R2"; do
  ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1
  # A home router: masquerade out of wan; from wan only replies to what the home started.
  ip netns exec "$r" nft -f - <<'NFT'
table ip parleynat {
  chain nat_out { type nat hook postrouting priority srcnat; policy accept; oifname "wan" masquerade; }
  chain home_forward {
    type filter hook forward priority filter; policy drop;
    iifname "lan" oifname "wan" udp dport 3478 counter accept
    iifname "lan" oifname "wan" counter accept
    iifname "wan" oifname "lan" udp sport 3478 ct state established,related counter accept
    iifname "wan" oifname "lan" ct state established,related counter accept
    counter drop
  }
  chain router_input {
    type filter hook input priority filter; policy accept;
    iifname "wan" ct state established,related accept
    iifname "wan" drop
  }
}
NFT
done
set +e

# The topology is what it claims. A TCP connect to a closed port answers "refused" when the
# address is reachable; nothing at all (or "no route") when it is not.
probe() { # probe NS HOST PORT -> prints open, refused or unreachable
  local err
  err=$(ip netns exec "$1" timeout 2 bash -c "exec 3<>/dev/tcp/$2/$3" 2>&1) && { echo open; return; }
  case $err in *refused*) echo refused ;; *) echo unreachable ;; esac
}
[ "$(probe "$NS_H1" 192.0.2.1 9)" = refused ] || fail "home1 cannot reach pub"
[ "$(probe "$NS_H2" 198.51.100.1 9)" = refused ] || fail "home2 cannot reach pub"
[ "$(probe "$NS_H1" 10.2.0.2 9)" = unreachable ] || fail "home1 reaches home2 directly: the NATs do not separate them"
[ "$(probe "$NS_H2" 10.1.0.2 9)" = unreachable ] || fail "home2 reaches home1 directly: the NATs do not separate them"
[ "$(ip netns exec "$NS_PUB" sysctl -n net.ipv4.ip_forward)" = 0 ] || fail "pub forwards"

SECRET=$(openssl rand -hex 24)
printf '%s\n' "$SECRET" > "$TMP/turn-secret"
chmod 600 "$TMP/turn-secret"
# coturn on both public addresses; relay addresses in pub. No TLS/DTLS, no CLI, no multicast.
ip netns exec "$NS_PUB" turnserver -n --listening-ip=192.0.2.1 --listening-ip=198.51.100.1 --relay-ip=192.0.2.1 \
  --listening-port=3478 --min-port=49152 --max-port=49400 --fingerprint --use-auth-secret \
  --static-auth-secret="$SECRET" --realm=parley.nat --no-tls --no-dtls --no-cli --no-multicast-peers \
  --simple-log ${PARLEY_NAT_TURN_ARGS:-} --log-file="$TMP/turn.log" --no-stdout-log --pidfile="$TMP/turn.pid" >"$TMP/turn-stdout.log" 2>&1 &
PIDS+=($!)

PORT=3001
mkdir -p "$TMP/server"
( cd "$TMP/server" && exec ip netns exec "$NS_PUB" "$SERVER" --env-file '' --listen "0.0.0.0:$PORT" \
    --web-root "$ROOT/web/dist" --ice-server stun:192.0.2.1:3478 --data-dir "$TMP/server/data" \
    --management-listen "$TMP/server/management.sock" --turn-secret-file "$TMP/turn-secret" \
    --turn-url turn:192.0.2.1:3478 --turn-ttl 10m ) >"$TMP/server.log" 2>&1 &
PIDS+=($!)

# A second parley-server without TURN (item 4b): the same homes, the same NATs, no relay.
mkdir -p "$TMP/server-noturn"
( cd "$TMP/server-noturn" && exec ip netns exec "$NS_PUB" "$SERVER" --env-file '' --listen "0.0.0.0:3002" \
    --web-root "$ROOT/web/dist" --ice-server stun:192.0.2.1:3478 --data-dir "$TMP/server-noturn/data" \
    --management-listen "$TMP/server-noturn/management.sock" ) >"$TMP/server-noturn.log" 2>&1 &
PIDS+=($!)

# A third parley-server whose TURN credentials last one minute (item 4c): its EchoBot has no relay
# of its own, so the chat rides on the page's allocation, which an ICE restart must renew.
mkdir -p "$TMP/server-ttl"
( cd "$TMP/server-ttl" && exec ip netns exec "$NS_PUB" "$SERVER" --env-file '' --listen "0.0.0.0:3003" \
    --web-root "$ROOT/web/dist" --ice-server stun:192.0.2.1:3478 --data-dir "$TMP/server-ttl/data" \
    --management-listen "$TMP/server-ttl/management.sock" --turn-secret-file "$TMP/turn-secret" \
    --turn-url turn:192.0.2.1:3478 --turn-ttl 1m ) >"$TMP/server-ttl.log" 2>&1 &
PIDS+=($!)

if [ "${PARLEY_NAT_SKIP_WEB_BUILD:-0}" != 1 ]; then
  # A stale web/dist would test yesterday's client (a few seconds).
  (cd web && npm run build --silent) >"$TMP/web-build.log" 2>&1 || { cat "$TMP/web-build.log"; fail "web build failed"; }
fi
[ -f web/dist/index.html ] || fail "web/dist is missing: cd web && npm run build"

up=0
for _ in $(seq 100); do
  ip netns exec "$NS_H1" node -e 'fetch(process.argv[1]).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))' "http://192.0.2.1:$PORT/healthz" && { up=1; break; }
  sleep 0.1
done
[ "$up" = 1 ] || { cat "$TMP/server.log"; fail "parley-server in pub did not answer from home1"; }
ip netns exec "$NS_H1" node -e 'const n=require("net");const s=n.connect(3478,"192.0.2.1",()=>process.exit(0));s.on("error",()=>process.exit(1))' \
  || { cat "$TMP/turn.log" "$TMP/turn-stdout.log" 2>/dev/null; fail "coturn in pub does not answer on 192.0.2.1:3478"; }

# coturn relays between two allocations made from behind the NATs (turnutils_uclient -y: client
# to client through the relay), before any browser is involved.
turn_cred() { # turn_cred NAME [OFFSET_S] -> "user password" in coturn's REST scheme, valid for an hour
  local u
  u="$(( $(date +%s) + 3600 + ${2:-0} )):$1"
  echo "$u $(printf '%s' "$u" | openssl dgst -sha1 -hmac "$SECRET" -binary | base64)"
}
read -r U C < <(turn_cred probe)
ip netns exec "$NS_H1" timeout 15 turnutils_uclient -y -n 3 -m 1 -u "$U" -w "$C" -p 3478 192.0.2.1 >"$TMP/uclient1.log" 2>&1
grep -q "Total lost packets 0 " "$TMP/uclient1.log" || { tail -5 "$TMP/uclient1.log"; fail "coturn does not relay between allocations made from home1"; }
ip netns exec "$NS_H2" timeout 15 turnutils_uclient -y -n 3 -m 1 -u "$U" -w "$C" -p 3478 198.51.100.1 >"$TMP/uclient2.log" 2>&1
grep -q "Total lost packets 0 " "$TMP/uclient2.log" || { tail -5 "$TMP/uclient2.log"; fail "coturn does not relay between allocations made from home2"; }

# The premise of item 4c: coturn refuses a credential whose expiry has passed.
read -r U C < <(turn_cred expired -3605)
ip netns exec "$NS_H1" timeout 15 turnutils_uclient -y -n 1 -m 1 -u "$U" -w "$C" -p 3478 192.0.2.1 >"$TMP/uclient-expired.log" 2>&1
grep -q "Cannot complete Allocation" "$TMP/uclient-expired.log" && grep -q "Cannot find credentials of user <$U>" "$TMP/turn.log" \
  || { tail -5 "$TMP/uclient-expired.log"; fail "coturn accepted an expired credential: item 4c would prove nothing"; }

# EchoBot in home2, static credentials in coturn's REST scheme (the bot has no token to fetch them).
read -r TURN_USER TURN_PASS < <(turn_cred echobot)
mkdir -p "$TMP/bots"
( cd "$TMP/bots" && exec ip netns exec "$NS_H2" "$BOTS" --ws-server "ws://198.51.100.1:$PORT/ws" --bots EchoBot \
    --bots-secret-env-file '' --ice-server "turn:198.51.100.1:3478?transport=udp" --ice-username "$TURN_USER" \
    --ice-credential "$TURN_PASS" --data-dir "$TMP/bots/data" ${PARLEY_NAT_BOTS_ARGS:-} ) >"$TMP/bots.log" 2>&1 &
PIDS+=($!)

# ... and EchoBot on the server without TURN, with no relay of its own either.
mkdir -p "$TMP/bots-noturn"
( cd "$TMP/bots-noturn" && exec ip netns exec "$NS_H2" "$BOTS" --ws-server "ws://198.51.100.1:3002/ws" --bots EchoBot \
    --bots-secret-env-file '' --ice-server stun:198.51.100.1:3478 --data-dir "$TMP/bots-noturn/data" ) >"$TMP/bots-noturn.log" 2>&1 &
PIDS+=($!)

# ... and EchoBot on the one-minute server, STUN only.
mkdir -p "$TMP/bots-ttl"
( cd "$TMP/bots-ttl" && exec ip netns exec "$NS_H2" "$BOTS" --ws-server "ws://198.51.100.1:3003/ws" --bots EchoBot \
    --bots-secret-env-file '' --ice-server stun:198.51.100.1:3478 --data-dir "$TMP/bots-ttl/data" ) >"$TMP/bots-ttl.log" 2>&1 &
PIDS+=($!)

# Playwright runs on the host and talks to Chromium over a pipe; Chromium itself lives in home1.
cat > "$TMP/chromium-home1" <<WRAP
#!/bin/sh
exec ip netns exec $NS_H1 /usr/bin/chromium "\$@"
WRAP
chmod 755 "$TMP/chromium-home1"

json=$ROOT/test-artifacts/playwright-nat-results.json
rm -f "$json"
(cd web && PARLEY_NAT_URL="http://192.0.2.1:$PORT/" PARLEY_NAT_NO_TURN_URL="http://192.0.2.1:3002/" PARLEY_NAT_CHROMIUM="$TMP/chromium-home1" \
   PARLEY_NAT_SHORT_TTL_URL="http://192.0.2.1:3003/" PARLEY_NAT_ROUTER1="$NS_R1" PARLEY_NAT_TURN_LOG="$TMP/turn.log" \
   PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 timeout 700 npx playwright test -c playwright.nat.config.ts)
rc=$?
if [ -f "$json" ]; then
  read -r passed failed skipped < <(node -e '
    const r = require(process.argv[1]); const s = r.stats || {};
    console.log(s.expected || 0, (s.unexpected || 0) + (s.flaky || 0) + ((r.errors || []).length), s.skipped || 0)' "$json")
else
  passed=0; failed=1; skipped=0
fi
[ "$rc" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
# Skipped here means the environment did not reach the spec: that is a failure, not a pass.
[ "$skipped" -gt 0 ] && failed=$((failed + skipped))
[ "$passed" -eq 0 ] && [ "$failed" -eq 0 ] && failed=1
if [ "$failed" -ne 0 ]; then
  for r in "$NS_R1" "$NS_R2"; do echo "--- $r"; ip netns exec "$r" nft list ruleset; done
  echo "--- coturn log (tail)"; tail -n 30 "$TMP/turn.log" 2>/dev/null
  echo "--- parley-bots log (tail)"; tail -n 30 "$TMP/bots.log"
fi
echo "nat summary: $passed passed, $failed failed"
report "$passed" "$failed"
[ "$failed" -eq 0 ]
