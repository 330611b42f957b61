#!/usr/bin/env bash
# Sets everything up, builds, and runs every test suite in scripts/test.d/ in name order.
# Each suite prints its runner's own summary and appends "<suite> <passed> <failed>" to
# $PARLEY_RESULTS. The last line is the total over all suites.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
scripts/build.sh || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

export PARLEY_RESULTS=$(mktemp)
export PARLEY_ROOT=$PWD
mkdir -p test-artifacts
status=0
for suite in scripts/test.d/*.sh; do
  name=$(basename "$suite" .sh)
  echo "=== suite: $name"
  lines_before=$(wc -l < "$PARLEY_RESULTS")
  if ! bash "$suite"; then status=1; fi
  # A suite that crashed before reporting its counts still counts as one failure.
  if [ "$(wc -l < "$PARLEY_RESULTS")" -eq "$lines_before" ]; then
    echo "$name 0 1" >> "$PARLEY_RESULTS"; status=1
  fi
done
echo "=== summary"
awk '{printf "%-14s %6d passed %4d failed\n", $1, $2, $3; p += $2; f += $3} END {printf "%d passed, %d failed\n", p, f}' "$PARLEY_RESULTS" | tee test-artifacts/summary.txt
failed=$(awk '{f += $3} END {print f + 0}' "$PARLEY_RESULTS")
passed=$(awk '{p += $2} END {print p + 0}' "$PARLEY_RESULTS")
rm -f "$PARLEY_RESULTS"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ] && [ $status -eq 0 ]
