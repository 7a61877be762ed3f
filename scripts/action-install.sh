#!/usr/bin/env bash
# The GitHub Action's install step: reuse a cached binary, else build one with cargo.
# Inputs arrive as environment variables only (never interpolated into the script).
set -euo pipefail
if command -v aoai-lint >/dev/null 2>&1; then
  echo "aoai-lint $(aoai-lint --version) is installed"
  exit 0
fi
if [ -n "${AOAI_LINT_VERSION:-}" ]; then
  cargo install --locked --git "$AOAI_LINT_REPOSITORY" --tag "$AOAI_LINT_VERSION" aoai-lint
else
  cargo install --locked --path "$GITHUB_ACTION_PATH"
fi
