#!/usr/bin/env bash
# The GitHub Action's lint step. Inputs arrive as environment variables only, so that a
# crafted input cannot inject shell code (no ${{ inputs.x }} inside a script).
set -euo pipefail
# Paths are separated by spaces or newlines (a multi-line `paths:` input).
read -r -d '' -a paths <<< "${AOAI_LINT_PATHS:-.}" || true
[ ${#paths[@]} -gt 0 ] || paths=(.)
common=()
if [ -n "${AOAI_LINT_CONFIG:-}" ]; then
  common+=(--config "$AOAI_LINT_CONFIG")
fi
sarif_file=""
if [ "${AOAI_LINT_SARIF:-true}" = "true" ]; then
  # Under the runner's temporary folder by default: nothing the checkout holds is there.
  sarif_file="${AOAI_LINT_SARIF_FILE:-${RUNNER_TEMP:-.}/aoai-lint.sarif}"
  # A committed symbolic link in a chosen place would make this step overwrite the file it
  # points at.
  if [ -L "$sarif_file" ]; then
    echo "::error::$sarif_file is a symbolic link; refusing to write the SARIF report through it" >&2
    exit 2
  fi
  # The SARIF report never fails the step; the annotated run below decides.
  aoai-lint "${common[@]}" --format sarif --fail-on never "${paths[@]}" > "$sarif_file"
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "sarif-file=$sarif_file" >> "$GITHUB_OUTPUT"
fi
aoai-lint "${common[@]}" --format "${AOAI_LINT_FORMAT:-github}" --fail-on "${AOAI_LINT_FAIL_ON:-warning}" "${paths[@]}"
