#!/usr/bin/env bash
# C++ unit and conformance tests through CTest (GoogleTest cases are registered one by one).
set -uo pipefail
cd "${PARLEY_ROOT:-$(dirname "$0")/../..}"
out=$(mktemp)
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j 2 --timeout 600 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
# "100% tests passed, 0 tests failed out of 57"
line=$(grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' "$out" | tail -1)
total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
failed=$(sed -E 's/.* ([0-9]+) tests? failed.*/\1/' <<<"$line")
[ -n "$line" ] || { total=0; failed=1; }
echo "ctest $((total - failed)) $failed" >> "${PARLEY_RESULTS:-/dev/null}"
rm -f "$out"
exit $rc
