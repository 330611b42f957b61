#!/usr/bin/env bash
# A fuzz campaign: every libFuzzer target for SECONDS each (default 600), starting from the corpus
# kept in tests/fuzz/corpus/<target>/; new inputs that add coverage are merged back into it
# (commit them), and crashes are kept in test-artifacts/fuzz-campaign/.
#
#   bench/fuzz.sh                    # 10 min per target
#   SECONDS_PER_TARGET=3600 TARGETS="jwt multipart" bench/fuzz.sh
#
# Prints one Markdown row per target (runs, new corpus files, crashes) for docs/BENCHMARKS.md.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
per=${SECONDS_PER_TARGET:-600}
targets=${TARGETS:-"envelope ws_frames chat_message msgpatch file_feedback multipart cookie jwt dotenv http_request"}
command -v clang++ >/dev/null || { echo "needs clang (apt-get install clang)" >&2; exit 1; }
cmake -S tests/fuzz -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null &&
  cmake --build build-fuzz -j "$(nproc)" >/dev/null || exit 1
out="test-artifacts/fuzz-campaign"
mkdir -p "$out"
echo "| target | seconds | runs | corpus before → after | crashes |"
echo "|---|---:|---:|---:|---:|"
crashes_total=0
for t in $targets; do
  corpus="tests/fuzz/corpus/$t"
  mkdir -p "$corpus"
  work=$(mktemp -d)
  cp "$corpus"/* "$work"/ 2>/dev/null
  before=$(ls "$corpus" | wc -l)
  # -fork keeps going after a crash, so one run reports every distinct crash it finds.
  build-fuzz/fuzz_$t -fork=1 -ignore_crashes=1 -max_total_time="$per" -artifact_prefix="$out/$t-" \
    -print_final_stats=1 "$work" >"$out/$t.log" 2>&1
  # Fork mode prints "#<inputs run>: cov: ... oom/timeout/crash: a/b/c ..." as it goes.
  runs=$(grep -oE '^#[0-9]+: cov' "$out/$t.log" | tail -1 | tr -dc '0-9')
  build-fuzz/fuzz_$t -merge=1 "$corpus" "$work" >>"$out/$t.log" 2>&1
  after=$(ls "$corpus" | wc -l)
  crashes=$(ls "$out" | grep -cE "^$t-(crash|leak|timeout|oom)-" || true)
  crashes_total=$((crashes_total + crashes))
  echo "| fuzz_$t | $per | ${runs:-0} | $before → $after | $crashes |"
  rm -rf "$work"
done
echo
echo "crashes: $crashes_total (inputs in $out/)"
[ "$crashes_total" -eq 0 ]
