#!/usr/bin/env bash
# Adds up every suite's results: xunit trx files and the "PASSED FAILED" .count files the C and Node
# suites write. Prints one line per suite and the plain total line CI reads.
set -uo pipefail
dir=${1:-build/test-results}
rc=${2:-0}  # the exit status of the test targets: a crash that no suite counted is still a failure
tp=0; tf=0; ts=0
shopt -s nullglob
for trx in "$dir"/*.trx; do
  line=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$line"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$line")
  total=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$line"); exe=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$line")
  name=$(grep -o 'storage="[^"]*"' "$trx" | head -1 | sed 's/.*\///; s/\.dll"//')
  s=$(( ${total:-0} - ${exe:-0} ))
  echo "suite ${name:-$(basename "$trx")}: ${p:-0} passed, ${f:-0} failed, $s skipped"
  tp=$((tp + ${p:-0})); tf=$((tf + ${f:-0})); ts=$((ts + s))
done
for c in "$dir"/*.count; do
  read -r p f s < "$c" || true
  echo "suite $(basename "$c" .count): ${p:-0} passed, ${f:-0} failed, ${s:-0} skipped"
  tp=$((tp + ${p:-0})); tf=$((tf + ${f:-0})); ts=$((ts + ${s:-0}))
done
if [ "$rc" -ne 0 ] && [ "$tf" -eq 0 ]; then
  echo "a test target failed (exit $rc) without a counted failing test: see the log above"
  tf=1
fi
echo "skipped (not counted below): $ts"
echo "$tp passed, $tf failed"
