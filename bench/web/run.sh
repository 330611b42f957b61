#!/usr/bin/env bash
# Runs the web benchmark: file throughput through Parley's UI vs. a bare RTCDataChannel, and
# click-to-chat-open time. Needs a built parley-server (${BUILD_DIR:-build}) and web/dist.
# Knobs: BENCH_FILE_MIB (256), BENCH_RUNS (3), BENCH_WINDOWS (1), BENCH_VERIFY (after,while),
# BENCH_OPEN_ITER (20); see docs/BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 BUILD_DIR=${BUILD_DIR:-build} PARLEY_E2E_ID=bench
# The bench files live outside web/: let them resolve web's node_modules for the run only
# (a symlink is not matched by .gitignore's "node_modules/").
ln -sfn ../../web/node_modules bench/web/node_modules
trap 'rm -f "$PWD/bench/web/node_modules"' EXIT
[ -f web/dist/index.html ] || (cd web && npm run build --silent)
(cd web && npx playwright test -c ../bench/web/bench.config.ts)
