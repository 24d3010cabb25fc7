#!/usr/bin/env bash
# The long fuzzing run, outside CI: tests/fuzz/run-all.sh [SECONDS] builds every libFuzzer target
# (clang, AddressSanitizer + UBSan, in build-asan) and runs each for SECONDS (default 600), one
# after the other, then merges what it found into its kept corpus tests/fuzz/corpus/<target>
# (-merge=1 takes only inputs that add coverage). A target that crashes leaves the input under
# build-asan/fuzz-work/<target>/artifacts/; the others still run, and the script fails at the end.
set -euo pipefail
seconds=${1:-600}
cd "$(dirname "$0")/../.."
targets=(validate cloud_event kafka_records webhook agent_state sim_state)

CC=clang CXX=clang++ cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS_DEBUG="-O0 -gline-tables-only" \
  -DSTRATA_WERROR=ON -DSTRATA_SANITIZE=ON -DSTRATA_FUZZ=ON >/dev/null
cmake --build build-asan -j2 --target "${targets[@]/%/_fuzz}"

# sim_state writes a state file for every input: a RAM disk makes it several times faster.
if [[ -w /dev/shm ]]; then export TMPDIR=/dev/shm; fi
failed=()
for target in "${targets[@]}"; do
  fuzzer=build-asan/tests/fuzz/${target}_fuzz
  work=build-asan/fuzz-work/$target
  mkdir -p "$work/new" "$work/artifacts"
  dict=(-dict=tests/fuzz/json.dict)
  if [[ $target == validate ]]; then dict=(); fi
  echo "== $target for $seconds s $(date -u +%T)"
  if ! nice -n 19 "$fuzzer" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
      -rss_limit_mb=2048 "${dict[@]}" -artifact_prefix="$work/artifacts/" \
      "$work/new" "tests/fuzz/corpus/$target" 2>&1 | tail -n 5; then
    failed+=("$target")
  fi
  "$fuzzer" -merge=1 -max_len=65536 -timeout=10 "tests/fuzz/corpus/$target" "$work/new" 2>&1 |
    grep -E '^MERGE-OUTER: [0-9]+ new files' || true
done
if ((${#failed[@]} > 0)); then
  echo "== crashed: ${failed[*]} (inputs under build-asan/fuzz-work/<target>/artifacts/)"
  exit 1
fi
echo "== no crash in ${#targets[@]} targets"
