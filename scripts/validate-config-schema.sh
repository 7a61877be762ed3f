#!/usr/bin/env bash
# Validates with check-jsonschema (from PyPI) what `aoai-lint config init` writes against the
# schema it writes beside it, and every configuration file in fixtures/ against the
# published schema: editors use the schema, so it must accept what the linter accepts.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/check-jsonschema-venv
if [ ! -x "$venv/bin/check-jsonschema" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet check-jsonschema
fi
cargo build --locked --quiet
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
./target/debug/aoai-lint config init "$scratch" >/dev/null
"$venv/bin/check-jsonschema" --schemafile "$scratch/.aoai-lint.schema.json" "$scratch/.aoai-lint.yaml"
"$venv/bin/check-jsonschema" --schemafile schema/aoai-lint.schema.json schema/starter.aoai-lint.yaml fixtures/*/.aoai-lint.yaml
# And refuse what the linter refuses: a rule that does not exist.
printf 'rules:\n  AOAI999: off\n' > "$scratch/typo.aoai-lint.yaml"
if "$venv/bin/check-jsonschema" --schemafile schema/aoai-lint.schema.json "$scratch/typo.aoai-lint.yaml" > /dev/null 2>&1; then
  echo "the schema accepts an unknown rule id" >&2
  exit 1
fi
printf 'rules:\n  single-region: off\n  AOAI502: warning\n' > "$scratch/names.aoai-lint.yaml"
"$venv/bin/check-jsonschema" --schemafile schema/aoai-lint.schema.json "$scratch/names.aoai-lint.yaml"
