#!/usr/bin/env bash
# CI: measure this checkout with the quick profile and compare it with the committed baseline that
# fits the runner's kernel. A regression counts only if a second run of the same code shows it too
# (compare --confirm): a burst of interference on a shared runner seldom hits the same row twice.
#
#   scripts/ci-bench.sh OUT_DIR
#
# Writes OUT_DIR/run1 (and run2 when confirming) and OUT_DIR/compare (compare.md, compare.json,
# compare.html, charts/*.png), and on every path, whichever step stopped it, OUT_DIR/exit-code and
# OUT_DIR/outcome.md (one line saying what happened, for the job summary).
#
# Exit code, guardbench's table (src/commands/exit-codes.ts):
#   0        no regression beyond the threshold
#   1        a regression that repeated in a second run
#   2        unusable input: no baseline for this kernel, a run compare cannot use, bad flags
#   3        internal error: guardbench failed, or a step ended in a way guardbench never exits
#            with (a crash, a kill); never a verdict about the kernel
#   130/143  interrupted by SIGINT/SIGTERM
# Only compare --confirm's 1 is a regression: a 1 from any other step is a failure, reported as 3.
set -uo pipefail
cd "$(dirname "$0")/.."
out="${1:?usage: scripts/ci-bench.sh OUT_DIR}"
mkdir -p "$out" || exit 2
gb() { node bin/guardbench.js "$@"; }

step="start"
recorded=""

# What a step's exit code means, given the step: prints "<exit code> <one line>".
judge() {
  local code="$1" step="$2"
  case "$code" in
    0) echo "0 no regression beyond the threshold" ;;
    1)
      if [ "$step" = "compare --confirm" ]; then echo "1 a regression that repeated in a second run (see compare.md)"
      else echo "3 internal error: '$step' exited 1, which guardbench never does there"; fi ;;
    2) echo "2 unusable input at '$step' (see the log): not a verdict about the kernel" ;;
    3) echo "3 internal error in guardbench at '$step' (see the log): not a verdict about the kernel" ;;
    130) echo "130 interrupted by SIGINT at '$step'" ;;
    143) echo "143 interrupted by SIGTERM at '$step'" ;;
    *) echo "3 internal error: '$step' ended with exit code $code (a crash or a kill): not a verdict about the kernel" ;;
  esac
}

# Record the outcome of `step` ending with `code`, once, and exit with the judged code.
finish() {
  local verdict final message
  verdict="$(judge "$1" "$step")"
  final="${verdict%% *}"
  message="${verdict#* }"
  if [ -z "$recorded" ]; then
    recorded=1
    echo "$final" > "$out/exit-code"
    echo "**guardbench: ${message}**" > "$out/outcome.md"
    echo "ci-bench: ${message} (exit ${final})" >&2
  fi
  exit "$final"
}
trap 'finish 130' INT
trap 'finish 143' TERM
# A path that never reached finish (the shell itself failing) still leaves its record.
trap '[ -n "$recorded" ] || finish 3' EXIT

step="run"
# Reports for the artifact without the PNG charts (compare draws its own): ~1.5 s less per run.
gb run --quick --out "$out/run1" --quiet --report md,html || finish $?

step="baseline pick"
base="$(gb baseline pick --profile quick)" || finish $?
echo "baseline: $base"

step="compare"
code=0
gb compare "$base" "$out/run1/run.json" --out "$out/compare" --quiet || code=$?
[ "$code" -eq 1 ] || finish "$code"

echo "regression reported; confirming with a second run"
step="second run"
gb run --quick --out "$out/run2" --quiet --report md,html || finish $?
step="compare --confirm"
code=0
gb compare "$base" "$out/run1/run.json" --confirm "$out/run2/run.json" --out "$out/compare" --quiet || code=$?
finish "$code"
