#!/usr/bin/env bash
# Builds the wheel with the real maturin (PyPI), installs it into a fresh virtual
# environment, and runs the installed aoai-lint on the bundled example: findings are
# expected (exit 1), and `--version` must be this crate's.
set -euo pipefail
cd "$(dirname "$0")/.."
tools=target/maturin-venv
if [ ! -x "$tools/bin/maturin" ]; then
  python3 -m venv "$tools"
  "$tools/bin/pip" install --quiet 'maturin>=1.5,<2'
fi
wheels=$(mktemp -d)
venv=$(mktemp -d)
trap 'rm -rf "$wheels" "$venv"' EXIT
# The dev profile keeps CI quick; release archives and published wheels use `dist`.
"$tools/bin/maturin" build --quiet --locked --profile dev --out "$wheels" 2>&1 | tail -n 3
wheel=$(ls "$wheels"/aoai_lint-*.whl)
echo "built $(basename "$wheel")"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet "$wheel"
version=$("$venv/bin/aoai-lint" -V)
expected=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
case "$version" in
  "aoai-lint $expected "*) ;;
  *) echo "the installed aoai-lint says $version, not $expected" >&2; exit 1 ;;
esac
status=0
"$venv/bin/aoai-lint" --format compact fixtures/seed > "$wheels/report" 2>&1 || status=$?
if [ "$status" -ne 1 ] || ! grep -q "AOAI201" "$wheels/report"; then
  cat "$wheels/report"; echo "the installed aoai-lint did not lint the example (exit $status)" >&2; exit 1
fi
echo "wheel: built, installed into a fresh virtual environment, lints the example ($version)"
