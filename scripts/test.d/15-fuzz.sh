#!/usr/bin/env bash
# libFuzzer: every parser a peer or client can reach (tests/fuzz/CMakeLists.txt lists them),
# 20 s each from the kept corpus (a bounded run in CI; bench/fuzz.sh runs long campaigns).
# A target passes when libFuzzer finds no crash, leak or failed invariant in its time budget.
set -uo pipefail
cd "${PARLEY_ROOT:-$(dirname "$0")/../..}"
seconds=${PARLEY_FUZZ_SECONDS:-20}
cmake -S tests/fuzz -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
  cmake --build build-fuzz -j "$(nproc)" || { echo "fuzz 0 1" >> "${PARLEY_RESULTS:-/dev/null}"; exit 1; }
passed=0; failed=0
for target in envelope ws_frames chat_message msgpatch file_feedback multipart cookie jwt dotenv http_request; do
  work=$(mktemp -d)
  cp tests/fuzz/corpus/$target/* "$work"/
  if build-fuzz/fuzz_$target -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix=test-artifacts/fuzz-$target- \
       "$work" > "test-artifacts/fuzz-$target.log" 2>&1; then
    echo "fuzz_$target: OK, $(grep -E 'stat::number_of_executed_units' test-artifacts/fuzz-$target.log | awk '{print $2}') inputs in ${seconds}s"
    passed=$((passed + 1))
  else
    echo "fuzz_$target: FAILED (see test-artifacts/fuzz-$target.log)"; tail -30 "test-artifacts/fuzz-$target.log"
    failed=$((failed + 1))
  fi
  rm -rf "$work"
done
echo "fuzz: $passed passed, $failed failed"
echo "fuzz $passed $failed" >> "${PARLEY_RESULTS:-/dev/null}"
[ "$failed" -eq 0 ]
