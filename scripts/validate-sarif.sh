#!/usr/bin/env bash
# Validates the SARIF output of every fixture with Microsoft's SARIF validator (npm
# @microsoft/sarif-multitool). The validator exits 0 even on invalid input, so its own
# SARIF report is read: any result of level "error" fails this script.
set -euo pipefail
cd "$(dirname "$0")/.."
tool_dir=target/sarif-multitool
if [ ! -x "$tool_dir/node_modules/.bin/sarif-multitool" ]; then
  mkdir -p "$tool_dir"
  (cd "$tool_dir" && npm install --no-audit --no-fund --silent @microsoft/sarif-multitool@5 >/dev/null)
  # npm may skip the package's postinstall (chmod of the native binary).
  chmod u+x "$tool_dir"/node_modules/@microsoft/sarif-multitool-*/Sarif.Multitool 2>/dev/null || true
fi
cargo build --locked --quiet
out=target/sarif-check
rm -rf "$out" && mkdir -p "$out"
status=0
for fixture in fixtures/*/; do
  name=$(basename "$fixture")
  # --show-suppressed adds results with `suppressions`; plan mode reads the fixture's plan.
  extra=(--show-suppressed)
  [ -f "$fixture/plan.json" ] && extra+=(--plan "$fixture/plan.json")
  ./target/debug/aoai-lint --format sarif --fail-on never --as-of 2026-11-24 "${extra[@]}" "$fixture" > "$out/$name.sarif" 2>/dev/null
  "$tool_dir/node_modules/.bin/sarif-multitool" validate "$out/$name.sarif" -o "$out/$name.validation.sarif" >/dev/null 2>&1 || true
  errors=$(python3 - "$out/$name.validation.sarif" <<'PY'
import json, sys
report = json.load(open(sys.argv[1], encoding="utf-8-sig"))
bad = [r for run in report.get("runs", []) for r in run.get("results", []) if r.get("level") == "error"]
for r in bad:
    print(r.get("ruleId"), r.get("message", {}))
PY
)
  if [ -n "$errors" ]; then
    echo "invalid SARIF for $fixture:"; echo "$errors"; status=1
  fi
done
[ "$status" -eq 0 ] && echo "SARIF valid for every fixture"
exit "$status"
