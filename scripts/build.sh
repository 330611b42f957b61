#!/usr/bin/env bash
# Builds the C++ binaries into build/ (Release, ccache) and the web client into web/dist.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
export CCACHE_DIR=${CCACHE_DIR:-$PWD/.cache/ccache}
jobs=$(nproc)
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=Release ${PARLEY_CMAKE_ARGS:-}
cmake --build "$BUILD_DIR" -j "$jobs"
if [ -f web/package.json ]; then
  (cd web && npm run build --silent)
fi
