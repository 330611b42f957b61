#!/usr/bin/env bash
# NAT traversal end to end (issue 13, item 4): network namespaces, two homes behind their own NATs,
# coturn and parley-server in a public one; a Chromium in one home chats with EchoBot in the other
# and sends it a file through the relay; against a second server without TURN the chat says the
# peer cannot be reached and suggests TURN. Needs root (CI runs as root); fails, not skips, without.
# Appends "45-nat <passed> <failed>". The work is in scripts/nat/run.sh (runnable by hand).
exec bash "${PARLEY_ROOT:-$(dirname "$0")/../..}/scripts/nat/run.sh"
