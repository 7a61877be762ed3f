#!/usr/bin/env bash
# Tests the rule scaffold (scripts/new-rule.py) on a scratch copy of the committed tree:
# the new rule compiles and is registered, its docs page is written by the documented
# command, its scaffolded case fails until the rule is written, and an id in use is refused.
set -euo pipefail
cd "$(dirname "$0")/.."
repo_dir=$(pwd)
scratch=$(mktemp -d)
cleanup() {
  git -C "$repo_dir" worktree remove --force "$scratch/tree" >/dev/null 2>&1 || true
  rm -rf "$scratch"
}
trap cleanup EXIT
git worktree add --quiet --detach "$scratch/tree" HEAD
# The scaffold under test is this checkout's, which may be newer than HEAD.
cp scripts/new-rule.py "$scratch/tree/scripts/new-rule.py"
cd "$scratch/tree"
# The checkout's own target folder: its dependencies are built already (the scratch
# crate, at another path, gets its own artifacts).
export CARGO_TARGET_DIR="$repo_dir/target"
python3 scripts/new-rule.py AOAI599 scaffold-check Security warning "a rule made by the scaffold" > /dev/null
grep -q "mod aoai599_scaffold_check;" src/rules/mod.rs || { echo "the rule's module is not registered" >&2; exit 1; }
grep -q "&aoai599_scaffold_check::ScaffoldCheck," src/rules/mod.rs || { echo "the rule's check is not registered" >&2; exit 1; }
AOAI_LINT_WRITE_DOCS=1 cargo test --locked --quiet --lib rule_pages > /dev/null 2>&1
grep -q "^# AOAI599" docs/rules/AOAI599.md || { echo "no docs page was written" >&2; exit 1; }
if cargo test --locked --quiet --lib aoai599 > "$scratch/log" 2>&1; then
  echo "the scaffolded case passes before the rule is written" >&2; exit 1
fi
grep -q 'expected \["main.tf:1:1"\], found \[\]' "$scratch/log" || { cat "$scratch/log"; echo "the scaffold did not compile or failed for another reason" >&2; exit 1; }
if python3 scripts/new-rule.py AOAI599 again Security warning "x" 2> /dev/null; then
  echo "an id in use was accepted" >&2; exit 1
fi
echo "new-rule: scaffolds a rule that compiles, is registered and documented, and fails its case until written"
