#!/usr/bin/env bash
# Sets everything up, builds, and runs Parley: parley-server (with the web client) and the bots.
# Stop with Ctrl-C. Configuration: flags after "--" go to parley-server; see README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
exec scripts/serve.sh "$@"
