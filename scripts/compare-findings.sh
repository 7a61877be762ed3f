#!/usr/bin/env bash
# Compares two builds' reports byte for byte: every fixture and every generated benchmark
# corpus present under target/bench-corpus, in JSON and SARIF (fixed --as-of), and the
# human report of the fixtures. For refactors that must not change a finding.
#
#   scripts/compare-findings.sh OLD_BINARY NEW_BINARY
set -euo pipefail
cd "$(dirname "$0")/.."
old=$1 new=$2
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
differ=0
compare() { # name, args...
  local name=$1; shift
  "$old" "$@" > "$scratch/old" 2> "$scratch/old.err" || true
  "$new" "$@" > "$scratch/new" 2> "$scratch/new.err" || true
  if ! cmp -s "$scratch/old" "$scratch/new" || ! cmp -s "$scratch/old.err" "$scratch/new.err"; then
    echo "differs: $name"
    diff <(cat "$scratch/old" "$scratch/old.err") <(cat "$scratch/new" "$scratch/new.err") | head -n 20 || true
    differ=1
  fi
}
count=0
for dir in fixtures/*/ target/bench-corpus/*/; do
  [ -d "$dir" ] || continue
  for format in json sarif; do
    compare "$dir ($format)" --as-of 2026-12-03 --format "$format" "$dir"
  done
  case "$dir" in fixtures/*) compare "$dir (human)" --as-of 2026-12-03 --no-color "$dir" ;; esac
  count=$((count + 1))
done
if [ "$differ" -ne 0 ]; then
  echo "compare-findings: the two builds' reports differ" >&2
  exit 1
fi
echo "compare-findings: $count trees, identical reports"
