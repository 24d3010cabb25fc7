#!/usr/bin/env bash
# strata's schema check and ajv (the validator editors and CI tools use) must agree on every
# document: the example fleet, tests/schema/valid and tests/schema/invalid. Prints one line per
# disagreement and "N passed, N failed".
# Usage: tests/schema/agreement.sh path/to/strata
set -u
strata=${1:?usage: agreement.sh STRATA_BINARY}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ ! -d "$here/node_modules/ajv" ]; then
  echo "ajv is not installed: run 'npm ci --prefix tests/schema' (tests/setup-debian.sh does)" >&2
  exit 1
fi
mapfile -t files < <(find "$root/examples/fleet" "$here/valid" "$here/invalid" -name '*.yaml' | sort)
# One node process for every file (it prints "ok FILE" or "invalid FILE: …" for each): starting
# node and compiling the schemas once per file took most of this check's time.
declare -A ajv_valid
while IFS= read -r line; do
  case "$line" in
    "ok "*) ajv_valid["${line#ok }"]=0 ;;
    "invalid "*) rest=${line#invalid }; ajv_valid["${rest%%: *}"]=1 ;;
  esac
done < <(node "$here/ajv_check.mjs" "$root/schema/v1alpha1" "${files[@]}" 2>/dev/null)
passed=0
failed=0
for file in "${files[@]}"; do
  ajv=${ajv_valid[$file]:-missing}
  "$strata" validate --schema-only "$file" >/dev/null 2>&1
  ours=$?
  if [ "$ajv" = "$ours" ]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "disagree: $file (ajv exit $ajv, strata exit $ours)"
  fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
