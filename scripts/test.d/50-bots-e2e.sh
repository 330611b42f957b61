#!/usr/bin/env bash
# parley-bots end to end in Debian's Chromium (playwright-core, node --test) through the real
# parley-server and parley-bots from ${BUILD_DIR:-build}. Appends "50-bots-e2e <passed> <failed>".
set -uo pipefail
cd "${PARLEY_ROOT:-$(dirname "$0")/../..}"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export BUILD_DIR=${BUILD_DIR:-build}
out=$(mktemp)
if [ ! -x "$BUILD_DIR/parley-bots" ] || [ ! -x "$BUILD_DIR/parley-server" ]; then
  echo "bots-e2e: $BUILD_DIR/parley-bots or parley-server missing"
  echo "50-bots-e2e 0 1" >> "${PARLEY_RESULTS:-/dev/null}"
  exit 1
fi
(cd tests/bots/e2e && npm ci --no-audit --no-fund --loglevel=error && npm test) 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
passed=$(sed -nE 's/^ℹ pass ([0-9]+)$/\1/p' "$out" | tail -1)
failed=$(sed -nE 's/^ℹ fail ([0-9]+)$/\1/p' "$out" | tail -1)
passed=${passed:-0}
failed=${failed:-1}
[ "$rc" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
echo "bots-e2e summary: $passed passed, $failed failed"
echo "50-bots-e2e $passed $failed" >> "${PARLEY_RESULTS:-/dev/null}"
rm -f "$out"
exit $rc
