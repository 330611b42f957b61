#!/usr/bin/env bash
# Web client end-to-end tests (Playwright + Debian's Chromium) through a real parley-server from
# ${BUILD_DIR:-build}. Screenshots go to test-artifacts/screenshots/. Appends "web-e2e <passed> <failed>".
# The login test starts its own parley-server with GitHub pointed at a local stand-in; the
# parleyBots tests need ${BUILD_DIR}/parley-bots and are skipped (not counted) without it.
set -uo pipefail
cd "${PARLEY_ROOT:-$(dirname "$0")/../..}"
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
export BUILD_DIR=${BUILD_DIR:-build}
mkdir -p test-artifacts
json=test-artifacts/playwright-results.json
rm -f "$json"
# Always rebuild: a stale web/dist would test yesterday's client (a few seconds).
(cd web && npm run build --silent) || { echo "web build failed"; echo "40-web-e2e 0 1" >> "${PARLEY_RESULTS:-/dev/null}"; exit 1; }
(cd web && npx playwright test)
rc=$?
if [ -f "$json" ]; then
  read -r passed failed < <(node -e '
    const r = require(process.argv[1]); const s = r.stats || {};
    console.log(s.expected || 0, (s.unexpected || 0) + (s.flaky || 0) + ((r.errors || []).length))' "$PWD/$json")
else
  passed=0; failed=1
fi
[ "$rc" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
echo "web-e2e summary: $passed passed, $failed failed"
echo "40-web-e2e $passed $failed" >> "${PARLEY_RESULTS:-/dev/null}"
exit $rc
