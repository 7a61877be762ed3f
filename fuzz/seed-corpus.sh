#!/usr/bin/env bash
# Builds the seed corpora from the fixtures: for `lint_bytes` each file, prefixed with the byte
# that makes the target read it as that kind of file (0 .tf, 1 .tf.json, 2 .tfvars, 3 plan,
# 4 .tfvars.json); for `parse_native` the HCL files as they are. The corpora are derived, so
# they are not committed.
set -euo pipefail
cd "$(dirname "$0")"
out=corpus/lint_bytes
mkdir -p "$out"
seed() {
  local kind=$1 file=$2
  local name
  name=$(sha1sum "$file" | cut -c1-16)
  { printf "\\x$(printf %02x "$kind")"; cat "$file"; } > "$out/$kind-$name"
}
find ../fixtures -type f -name '*.tf' ! -path '*/hostile/*' | while read -r f; do seed 0 "$f"; done
find ../fixtures -type f -name '*.tf.json' | while read -r f; do seed 1 "$f"; done
find ../fixtures -type f -name '*.tfvars' | while read -r f; do seed 2 "$f"; done
find ../fixtures -type f -name 'plan.json' | while read -r f; do seed 3 "$f"; done
find ../fixtures -type f -name '*.tfvars.json' | while read -r f; do seed 4 "$f"; done
echo "$(ls "$out" | wc -l) seeds in $out"
# parse_native reads the text as it is.
native=corpus/parse_native
mkdir -p "$native"
find ../fixtures -type f \( -name '*.tf' -o -name '*.tfvars' \) | while read -r f; do
  cp "$f" "$native/$(sha1sum "$f" | cut -c1-16)"
done
echo "$(ls "$native" | wc -l) seeds in $native"
