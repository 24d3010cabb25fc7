#!/usr/bin/env bash
# Builds strata and runs the whole test suite: unit, integration and end-to-end tests (real git
# repositories, the real strata binary), the ajv agreement check, the fuzz corpus replay and the
# benchmark smoke run. Usage: bash tests/run.sh [BUILD_DIR] (default build/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
cmake -S "$root" -B "$build" -G Ninja -DSTRATA_WERROR=ON >/dev/null
cmake --build "$build" -j2
ctest --test-dir "$build" --output-on-failure -j2
