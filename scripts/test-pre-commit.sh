#!/usr/bin/env bash
# Runs the real pre-commit (from PyPI) with this repository's `aoai-lint-system` hook on a
# scratch repository: a commit with findings is blocked, a clean one passes. (The `rust`
# hook builds this repository with cargo and is the same command once built.)
set -euo pipefail
cd "$(dirname "$0")/.."
repo_dir=$(pwd)
venv=target/pre-commit-venv
if [ ! -x "$venv/bin/pre-commit" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet pre-commit
fi
cargo build --locked --quiet
export PATH="$repo_dir/target/debug:$PATH"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cd "$scratch"
git init --quiet
git config user.email ci@example.com
git config user.name ci
cp "$repo_dir/fixtures/seed/main.tf" main.tf
git add main.tf
if "$repo_dir/$venv/bin/pre-commit" try-repo "$repo_dir" aoai-lint-system --files main.tf > "$scratch/log" 2>&1; then
  cat "$scratch/log"; echo "pre-commit passed a file with findings" >&2; exit 1
fi
grep -q "AOAI201" "$scratch/log" || { cat "$scratch/log"; echo "the hook did not report the findings" >&2; exit 1; }
cp "$repo_dir/fixtures/clean/main.tf" main.tf
git add main.tf
"$repo_dir/$venv/bin/pre-commit" try-repo "$repo_dir" aoai-lint-system --files main.tf > "$scratch/log" 2>&1 || { cat "$scratch/log"; echo "pre-commit blocked a clean file" >&2; exit 1; }
# A committed file named like an option is a path: the hook must not read it as
# `--write-baseline` (which would record the findings and pass).
cp "$repo_dir/fixtures/seed/main.tf" -- "--write-baseline=x.tf"
git add -- "--write-baseline=x.tf"
if "$repo_dir/$venv/bin/pre-commit" try-repo "$repo_dir" aoai-lint-system --all-files > "$scratch/log" 2>&1; then
  cat "$scratch/log"; echo "pre-commit passed a file named like an option" >&2; exit 1
fi
grep -q "AOAI201" "$scratch/log" || { cat "$scratch/log"; echo "the hook read a file name as an option" >&2; exit 1; }
[ ! -e x.tf ] || { echo "the hook wrote a baseline named by a file" >&2; exit 1; }
# The --fix hook changes a file it can fix: pre-commit stops the commit and says so.
git rm --quiet --cached -- "--write-baseline=x.tf" && rm -f -- "--write-baseline=x.tf"
cp "$repo_dir/fixtures/fix/aoai304-scale-block/main.tf" main.tf
git add main.tf
if "$repo_dir/$venv/bin/pre-commit" try-repo "$repo_dir" aoai-lint-fix-system --files main.tf > "$scratch/log" 2>&1; then
  cat "$scratch/log"; echo "pre-commit passed a file its --fix hook changed" >&2; exit 1
fi
grep -q "files were modified by this hook" "$scratch/log" || { cat "$scratch/log"; echo "the --fix hook did not change the file" >&2; exit 1; }
grep -q "^  sku {" main.tf || { cat main.tf; echo "the --fix hook did not write the fix" >&2; exit 1; }
echo "pre-commit: blocks findings, passes clean files, reads file names as paths, --fix stops the commit after fixing"
