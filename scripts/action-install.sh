#!/usr/bin/env bash
# The GitHub Action's install step: download the release binary for this runner at the
# action's own version (or the `version` input), check its SHA-256, and put it on PATH.
# Only where no release binary exists (an unreleased commit, a platform without one) is it
# built with cargo. A checksum that does not match fails the step: it is never a reason to
# fall back.
#
# Inputs arrive as environment variables only (never interpolated into the script):
#   AOAI_LINT_VERSION       version to install (0.2.0 or v0.2.0); empty: the action's own
#   AOAI_LINT_REPOSITORY    https://github.com/OWNER/REPO of the action
#   AOAI_LINT_RELEASES      base URL of the releases (default: $AOAI_LINT_REPOSITORY/releases/download)
#   AOAI_LINT_INSTALL_DIR   where the binary goes (default: $HOME/.aoai-lint/bin)
#   GITHUB_ACTION_PATH, RUNNER_OS, RUNNER_ARCH, GITHUB_PATH (set by the runner)
set -euo pipefail

install_dir="${AOAI_LINT_INSTALL_DIR:-$HOME/.aoai-lint/bin}"
exe=aoai-lint
[ "${RUNNER_OS:-}" != "Windows" ] || exe=aoai-lint.exe

on_path() {
  if [ -n "${GITHUB_PATH:-}" ]; then
    echo "$install_dir" >> "$GITHUB_PATH"
  fi
}

if [ -x "$install_dir/$exe" ]; then
  echo "aoai-lint is installed (cached): $("$install_dir/$exe" -V)"
  on_path
  exit 0
fi

version="${AOAI_LINT_VERSION:-}"
if [ -z "$version" ]; then
  version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$GITHUB_ACTION_PATH/Cargo.toml" | head -n 1)
fi
version="${version#v}"

case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
  Linux/X64) target=x86_64-unknown-linux-musl ;;
  Linux/ARM64) target=aarch64-unknown-linux-musl ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
  Windows/X64) target=x86_64-pc-windows-msvc ;;
  *) target="" ;;
esac

build_with_cargo() {
  echo "No release binary of aoai-lint $version for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}: building it with cargo"
  if [ -n "${AOAI_LINT_VERSION:-}" ]; then
    cargo install --locked --root "$install_dir/.." --git "$AOAI_LINT_REPOSITORY" --tag "v$version" aoai-lint
  else
    cargo install --locked --root "$install_dir/.." --path "$GITHUB_ACTION_PATH"
  fi
  on_path
}

if [ -z "$target" ]; then
  build_with_cargo
  exit 0
fi

archive="aoai-lint-$target.tar.gz"
[ "${RUNNER_OS:-}" != "Windows" ] || archive="aoai-lint-$target.zip"
base="${AOAI_LINT_RELEASES:-$AOAI_LINT_REPOSITORY/releases/download}/v$version"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A missing asset (HTTP 404) means no binary was released for this version: build it.
status=$(curl --silent --show-error --location --retry 3 --output "$work/$archive" --write-out '%{http_code}' "$base/$archive") || status=000
if [ "$status" = "404" ]; then
  build_with_cargo
  exit 0
fi
if [ "$status" != "200" ]; then
  echo "::error::downloading $base/$archive failed (HTTP $status)" >&2
  exit 1
fi
curl --silent --show-error --location --retry 3 --fail --output "$work/$archive.sha256" "$base/$archive.sha256"

expected=$(cut -d ' ' -f 1 < "$work/$archive.sha256")
if command -v sha256sum > /dev/null 2>&1; then
  actual=$(sha256sum "$work/$archive" | cut -d ' ' -f 1)
else
  actual=$(shasum -a 256 "$work/$archive" | cut -d ' ' -f 1)
fi
if [ -z "$expected" ] || [ "$expected" != "$actual" ]; then
  echo "::error::$archive: SHA-256 $actual does not match the published $expected; not installed" >&2
  exit 1
fi

mkdir -p "$install_dir"
case "$archive" in
  *.zip) unzip -o -q "$work/$archive" -d "$install_dir" ;;
  *) tar -xzf "$work/$archive" -C "$install_dir" "$exe" ;;
esac
chmod +x "$install_dir/$exe"
echo "Installed $("$install_dir/$exe" -V) for $target, SHA-256 $actual"
on_path
