#!/usr/bin/env bash
# Times the full lint of a generated monorepo and reports files/s and MB/s.
#
#   benches/run.sh [MODULES...]      default: 100 1000
#
# Builds the release binary, generates each corpus once under target/bench-corpus/, runs the
# linter three times per corpus and keeps the fastest wall time; peak memory comes from
# GNU time when it is installed. Prints one Markdown table row per corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100 1000)

cargo build --release --quiet
bin=target/release/aoai-lint
corpora=target/bench-corpus
mkdir -p "$corpora"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo
echo "| modules | files | MB | wall (s) | files/s | MB/s | peak RSS (MB) | findings |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
  dir="$corpora/$n"
  [ -d "$dir" ] || python3 benches/gen_corpus.py "$dir" "$n" 42 >/dev/null
  files=$(find "$dir" -name '*.tf' -o -name '*.tfvars' | wc -l)
  bytes=$(find "$dir" \( -name '*.tf' -o -name '*.tfvars' \) -printf '%s\n' | awk '{s+=$1} END {print s}')
  best_ns=""
  for _ in 1 2 3; do
    start=$(date +%s%N)
    "$bin" --format json --fail-on never "$dir" > "$corpora/out-$n.json"
    elapsed=$(( $(date +%s%N) - start ))
    if [ -z "$best_ns" ] || [ "$elapsed" -lt "$best_ns" ]; then best_ns=$elapsed; fi
  done
  best=$(awk -v ns="$best_ns" 'BEGIN { printf "%.4f", ns / 1e9 }')
  rss="n/a"
  if [ -x /usr/bin/time ]; then
    rss=$(/usr/bin/time -f '%M' "$bin" --format json --fail-on never "$dir" 2>&1 >/dev/null | tail -1 | awk '{printf "%.0f", $1/1024}')
  fi
  findings=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['diagnostics']))" "$corpora/out-$n.json")
  awk -v n="$n" -v f="$files" -v b="$bytes" -v t="$best" -v r="$rss" -v k="$findings" \
    'BEGIN { printf "| %d | %d | %.1f | %.3f | %.0f | %.1f | %s | %d |\n", n, f, b/1e6, t, f/t, b/1e6/t, r, k }'
done
