#!/usr/bin/env bash
# CI: measure this checkout with the quick profile and compare it with the committed baseline that
# fits the runner's kernel. A regression counts only if a second run of the same code shows it too
# (compare --confirm): a burst of interference on a shared runner seldom hits the same row twice.
#
#   scripts/ci-bench.sh OUT_DIR
#
# Writes OUT_DIR/run1 (and run2 when confirming) and OUT_DIR/compare (compare.md, compare.json,
# compare.html, charts/*.png). Exit code: compare's (0 fine, 1 regression, 2 unusable input).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:?usage: scripts/ci-bench.sh OUT_DIR}"
mkdir -p "$out"
gb() { node bin/guardbench.js "$@"; }

gb run --quick --out "$out/run1" --quiet
base="$(gb baseline pick --profile quick)"
echo "baseline: $base"

code=0
gb compare "$base" "$out/run1/run.json" --out "$out/compare" --quiet || code=$?
if [ "$code" -eq 1 ]; then
  echo "regression reported; confirming with a second run"
  gb run --quick --out "$out/run2" --quiet
  code=0
  gb compare "$base" "$out/run1/run.json" --confirm "$out/run2/run.json" --out "$out/compare" --quiet || code=$?
fi
echo "$code" > "$out/compare/exit-code"
exit "$code"
