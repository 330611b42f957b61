#!/usr/bin/env bash
# Web client unit tests (Vitest): protocol codecs against tests/fixtures, msgpatch TLV, feedback
# words, perfect negotiation, conversation rules. Appends "web-unit <passed> <failed>".
set -uo pipefail
cd "${PARLEY_ROOT:-$(dirname "$0")/../..}"
mkdir -p test-artifacts
json=test-artifacts/vitest-results.json
rm -f "$json"
(cd web && npx vitest run --reporter=default --reporter=json --outputFile="../$json")
rc=$?
if [ -f "$json" ]; then
  read -r passed failed < <(node -e 'const r=require(process.argv[1]);console.log(r.numPassedTests, r.numFailedTests + (r.numRuntimeErrorTestSuites||0))' "$PWD/$json")
else
  passed=0; failed=1
fi
[ "$rc" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
echo "web-unit summary: $passed passed, $failed failed"
echo "30-web-unit $passed $failed" >> "${PARLEY_RESULTS:-/dev/null}"
exit $rc
