#!/usr/bin/env bash
# Times the full lint of a generated monorepo and reports files/s and MB/s.
#
#   benches/run.sh [--checkov] [MODULES...]      default: 100 1000
#   benches/run.sh --wide [ACCOUNTS...]          one configuration (benches/gen_wide.py)
#
# Builds the shipped binary (the `dist` profile), generates each corpus once under target/bench-corpus/, times
# parsing alone (`--parse-only`, the floor the full lint is compared with) and the full lint
# with JSON output written to a new file, alternating, nine rounds (BENCH_ROUNDS), fastest kept
# (and the median of each round's full/parse ratio); peak memory comes from
# GNU time when it is installed. With --checkov, Checkov (PyPI, installed into
# target/checkov-venv) lints the same corpus once (`checkov -d DIR --framework terraform`)
# and the ratio is printed. Prints one Markdown table row per corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
checkov=""
wide=""
if [ "${1:-}" = "--checkov" ]; then
  checkov=yes
  shift
elif [ "${1:-}" = "--wide" ]; then
  wide=yes
  shift
fi
sizes=("$@")
rounds=${BENCH_ROUNDS:-9}
[ ${#sizes[@]} -gt 0 ] || sizes=(100 1000)
if [ -n "$checkov" ]; then
  venv=target/checkov-venv
  [ -x "$venv/bin/checkov" ] || { python3 -m venv "$venv" && "$venv/bin/pip" install --quiet 'checkov==3.*'; }
  echo "checkov: $("$venv/bin/checkov" --version)"
fi

cargo build --profile dist --quiet
bin=target/dist/aoai-lint
corpora=target/bench-corpus
mkdir -p "$corpora"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo
what=modules
[ -z "$wide" ] || what="accounts (one configuration)"
echo "| $what | files | MB | parse only (s) | full lint (s) | full/parse | full/parse, median of rounds | files/s | MB/s | peak RSS (MB) | RSS/corpus | findings | checkov (s) | checkov/aoai-lint |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in "${sizes[@]}"; do
  if [ -n "$wide" ]; then
    dir="$corpora/wide-$n"
    [ -d "$dir" ] || python3 benches/gen_wide.py "$dir" "$n"
  else
    dir="$corpora/$n"
    [ -d "$dir" ] || python3 benches/gen_corpus.py "$dir" "$n" 42 >/dev/null
  fi
  files=$(find "$dir" -name '*.tf' -o -name '*.tfvars' | wc -l)
  bytes=$(find "$dir" \( -name '*.tf' -o -name '*.tfvars' \) -printf '%s\n' | awk '{s+=$1} END {print s}')
  # Parsing alone and the full lint alternate, fastest of each kept: on a
  # shared machine the load drifts, and alternating exposes both to the same drift.
  # Each round's own ratio is kept too: a pair of runs seconds apart sees the same load, so
  # the median of the rounds' ratios is steadier than the ratio of two fastest runs.
  parse_ns="" full_ns="" ratios=()
  for _ in $(seq "$rounds"); do
    start=$(date +%s%N)
    "$bin" --parse-only "$dir" > /dev/null
    round_parse=$(( $(date +%s%N) - start ))
    if [ -z "$parse_ns" ] || [ "$round_parse" -lt "$parse_ns" ]; then parse_ns=$round_parse; fi
    # The last round's report is removed before the clock starts: the shell truncating a
    # 100 MB file, and ext4 flushing a file rewritten after a truncation when it is closed,
    # are work of the file system for the previous run (40 ms of a 10,000-module round).
    rm -f "$corpora/out-$(basename "$dir").json"
    start=$(date +%s%N)
    "$bin" --format json --fail-on never "$dir" > "$corpora/out-$(basename "$dir").json"
    elapsed=$(( $(date +%s%N) - start ))
    if [ -z "$full_ns" ] || [ "$elapsed" -lt "$full_ns" ]; then full_ns=$elapsed; fi
    ratios+=("$(awk -v f="$elapsed" -v p="$round_parse" 'BEGIN { printf "%.4f", f / p }')")
  done
  median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ r[NR] = $1 } END { printf "%.2f", (NR % 2) ? r[(NR + 1) / 2] : (r[NR / 2] + r[NR / 2 + 1]) / 2 }')
  parse=$(awk -v ns="$parse_ns" 'BEGIN { printf "%.4f", ns / 1e9 }')
  best=$(awk -v ns="$full_ns" 'BEGIN { printf "%.4f", ns / 1e9 }')
  rss="n/a"
  if [ -x /usr/bin/time ]; then
    rss=$(/usr/bin/time -f '%M' "$bin" --format json --fail-on never "$dir" 2>&1 >/dev/null | tail -1 | awk '{printf "%.0f", $1/1024}')
  fi
  findings=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['diagnostics']))" "$corpora/out-$(basename "$dir").json")
  ck="-"
  if [ -n "$checkov" ]; then
    start=$(date +%s%N)
    "$venv/bin/checkov" -d "$dir" --framework terraform --quiet --compact -o json > "$corpora/checkov-$(basename "$dir").json" 2>/dev/null || true
    ck=$(awk -v ns="$(( $(date +%s%N) - start ))" 'BEGIN { printf "%.2f", ns / 1e9 }')
  fi
  awk -v n="$n" -v f="$files" -v b="$bytes" -v p="$parse" -v t="$best" -v m="$median" -v r="$rss" -v k="$findings" -v c="$ck" \
    'BEGIN {
      ratio = (c == "-") ? "-" : sprintf("%.0fx", c / t);
      mem = (r == "n/a") ? "n/a" : sprintf("%.1fx", r / (b / 1048576));
      printf "| %d | %d | %.1f | %.3f | %.3f | %.2f | %s | %.0f | %.1f | %s | %s | %d | %s | %s |\n", n, f, b/1e6, p, t, t/p, m, f/t, b/1e6/t, r, mem, k, c, ratio
    }'
done
