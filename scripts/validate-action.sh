#!/usr/bin/env bash
# Validates action.yml with check-jsonschema (from PyPI) against the GitHub Action metadata
# schema it ships (SchemaStore's `github-action`): the runner refuses a file that is not
# YAML, and the metadata schema catches misnamed keys the runner would ignore.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/check-jsonschema-venv
if [ ! -x "$venv/bin/check-jsonschema" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet check-jsonschema
fi
"$venv/bin/check-jsonschema" --builtin-schema vendor.github-actions action.yml
