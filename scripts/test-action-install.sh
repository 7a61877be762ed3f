#!/usr/bin/env bash
# Tests the Action's install step (scripts/action-install.sh) against a fake release served
# from 127.0.0.1: the right checksum installs and puts the binary on PATH, a wrong one fails
# the step and installs nothing, a version without a release binary (HTTP 404) and a
# platform without one build with cargo (a stand-in cargo records the call), and a cached
# binary is used as it is.
set -euo pipefail
cd "$(dirname "$0")/.."
repo_dir=$(pwd)
scratch=$(mktemp -d)
server_pid=""
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  rm -rf "$scratch"
}
trap cleanup EXIT

target=x86_64-unknown-linux-musl
archive="aoai-lint-$target.tar.gz"
# The release: a stand-in binary that prints its version, packed as the release workflow packs.
make_release() { # version, content of the .sha256 file (empty: the right one)
  local dir="$scratch/releases/v$1"
  mkdir -p "$dir" "$scratch/pack"
  printf '#!/bin/sh\necho "aoai-lint %s (released)"\n' "$1" > "$scratch/pack/aoai-lint"
  chmod +x "$scratch/pack/aoai-lint"
  tar -C "$scratch/pack" -czf "$dir/$archive" aoai-lint
  if [ -n "${2:-}" ]; then
    echo "$2  $archive" > "$dir/$archive.sha256"
  else
    (cd "$dir" && sha256sum "$archive" > "$archive.sha256")
  fi
}
make_release 0.1.0
make_release 0.0.9 "0000000000000000000000000000000000000000000000000000000000000000"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m http.server --bind 127.0.0.1 --directory "$scratch/releases" "$port" > "$scratch/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 50); do
  curl --silent --output /dev/null "http://127.0.0.1:$port/" && break
  sleep 0.1
done

# A cargo that records how it was called instead of building.
mkdir -p "$scratch/fakebin"
printf '#!/bin/sh\necho "$@" > "%s/cargo-called"\n' "$scratch" > "$scratch/fakebin/cargo"
chmod +x "$scratch/fakebin/cargo"

install() { # name, version, os, arch
  local home="$scratch/$1"
  mkdir -p "$home"
  : > "$home/path"
  rm -f "$scratch/cargo-called"
  env PATH="$scratch/fakebin:$PATH" HOME="$home" GITHUB_PATH="$home/path" \
    GITHUB_ACTION_PATH="$repo_dir" AOAI_LINT_REPOSITORY="https://github.com/example/aoai-lint" \
    AOAI_LINT_RELEASES="http://127.0.0.1:$port" AOAI_LINT_VERSION="$2" RUNNER_OS="$3" RUNNER_ARCH="$4" \
    bash "$repo_dir/scripts/action-install.sh" > "$home/log" 2>&1
}
fail() { echo "action-install: $*" >&2; exit 1; }

install right v0.1.0 Linux X64 || { cat "$scratch/right/log"; fail "the right checksum did not install"; }
[ "$("$scratch/right/.aoai-lint/bin/aoai-lint")" = "aoai-lint 0.1.0 (released)" ] || fail "the installed binary is not the released one"
grep -qx "$scratch/right/.aoai-lint/bin" "$scratch/right/path" || fail "the binary was not put on PATH"
[ ! -e "$scratch/cargo-called" ] || fail "cargo ran although a release binary exists"

if install wrong 0.0.9 Linux X64; then cat "$scratch/wrong/log"; fail "a wrong checksum did not fail the step"; fi
grep -q "does not match the published" "$scratch/wrong/log" || { cat "$scratch/wrong/log"; fail "the failure does not say why"; }
[ ! -e "$scratch/wrong/.aoai-lint/bin/aoai-lint" ] || fail "a binary with a wrong checksum was installed"
[ ! -e "$scratch/cargo-called" ] || fail "a wrong checksum fell back to cargo"

install unreleased 0.0.1 Linux X64 || { cat "$scratch/unreleased/log"; fail "a version without a release binary did not build"; }
grep -q -- "install --locked --root $scratch/unreleased/.aoai-lint/bin/.. --git https://github.com/example/aoai-lint --tag v0.0.1 aoai-lint" "$scratch/cargo-called" \
  || { cat "$scratch/cargo-called"; fail "the fallback did not build the requested tag"; }

install platform 0.1.0 Windows ARM64 || { cat "$scratch/platform/log"; fail "a platform without a binary did not build"; }
[ -e "$scratch/cargo-called" ] || fail "a platform without a binary did not fall back to cargo"

# The cache restored the binary: nothing is downloaded or built.
kill "$server_pid"; server_pid=""
install right 0.1.0 Linux X64 || { cat "$scratch/right/log"; fail "a cached binary was not used"; }
grep -q "is installed (cached)" "$scratch/right/log" || fail "the cached binary was not reported"
echo "action install: release binary verified and installed, wrong checksum refused, cargo only without a release binary"
