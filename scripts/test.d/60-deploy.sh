#!/usr/bin/env bash
# The deployment files (Dockerfile, deploy/compose.yaml, deploy/systemd/*) checked without Docker:
# tests/deploy/check_deploy.py against ${BUILD_DIR:-build}. Skipped checks (no systemd-analyze,
# no coturn) are printed and counted neither way. Appends "60-deploy <passed> <failed>".
set -uo pipefail
cd "${PARLEY_ROOT:-$(dirname "$0")/../..}"
out=$(mktemp)
python3 tests/deploy/check_deploy.py . "${BUILD_DIR:-build}" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
# "deploy: 11 passed, 0 failed, 1 skipped"
line=$(grep -E '^deploy: [0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
passed=$(sed -nE 's/^deploy: ([0-9]+) passed.*/\1/p' <<<"$line")
failed=$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$line")
passed=${passed:-0}
failed=${failed:-1}
[ "$rc" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
echo "60-deploy $passed $failed" >> "${PARLEY_RESULTS:-/dev/null}"
rm -f "$out"
exit $rc
