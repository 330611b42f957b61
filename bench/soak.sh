#!/usr/bin/env bash
# The long churn soak of the reliability suite: tests/conformance/churn_soak_test.cpp for an hour
# (CI runs it for 60 s). 2,000 clients connect, register, relay and drop in a loop against a real
# parley-server; it fails if RSS with a full pool ends more than 10 % above its level after
# warm-up (a third of the run), or if descriptors leak. Prints the RSS of every cycle.
#
#   bench/soak.sh            # 1 h
#   SECONDS_TOTAL=600 bench/soak.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
cmake --build "$build" -j2 --target parley_conformance_tests parley-server >/dev/null
PARLEY_SOAK_TRACE=1 PARLEY_SOAK_SECONDS="${SECONDS_TOTAL:-3600}" \
  "$build/tests/parley_conformance_tests" --gtest_filter='Soak.*'
