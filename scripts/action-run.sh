#!/usr/bin/env bash
# The GitHub Action's lint step. Inputs arrive as environment variables only, so that a
# crafted input cannot inject shell code (no ${{ inputs.x }} inside a script).
set -euo pipefail
read -r -a paths <<< "${AOAI_LINT_PATHS:-.}"
common=()
if [ -n "${AOAI_LINT_CONFIG:-}" ]; then
  common+=(--config "$AOAI_LINT_CONFIG")
fi
sarif_file=""
if [ "${AOAI_LINT_SARIF:-true}" = "true" ]; then
  sarif_file="${AOAI_LINT_SARIF_FILE:-aoai-lint.sarif}"
  # The SARIF report never fails the step; the annotated run below decides.
  aoai-lint "${common[@]}" --format sarif --fail-on never "${paths[@]}" > "$sarif_file"
fi
if [ -n "${GITHUB_OUTPUT:-}" ]; then
  echo "sarif-file=$sarif_file" >> "$GITHUB_OUTPUT"
fi
aoai-lint "${common[@]}" --format "${AOAI_LINT_FORMAT:-github}" --fail-on "${AOAI_LINT_FAIL_ON:-warning}" "${paths[@]}"
