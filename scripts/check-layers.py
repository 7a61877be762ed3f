#!/usr/bin/env python3
"""Checks that imports between the top-level modules of src/ run one way: down the pipeline
discover -> parse -> evaluate -> facts -> rules -> report, never back up. Every module has a
layer below; a module may use its own layer and the ones below it. Test code is exempt (a
test may build inputs with any stage). Prints each import that goes up, and exits 1 if any.

How it reads imports: every `crate::NAME` path in a module's files (outside `#[cfg(test)]`
modules), which covers `use crate::x::...` and paths written inline."""
import os, re, sys

# Lowest first; modules on one line form one layer.
LAYERS = [
    ["source", "supplied"],
    ["diagnostic"],
    ["discover"],
    ["parse", "plan"],
    ["eval"],
    ["facts"],
    ["catalog", "policy"],
    ["rules"],
    ["suppress"],
    ["report", "baseline", "progress", "fix"],
    ["lint"],
    ["config", "cli", "testing"],
]
LAYER = {name: i for i, layer in enumerate(LAYERS) for name in layer}


def without_tests(text):
    """The text before the first `#[cfg(test)]` module (tests sit at the end of a file)."""
    m = re.search(r"#\[cfg\(test\)\]\s*(pub\s+)?mod\s+\w+", text)
    return text[: m.start()] if m else text


def main():
    root = os.path.join(os.path.dirname(__file__), "..", "src")
    problems = []
    for dirpath, _, files in os.walk(root):
        for f in files:
            if not f.endswith(".rs"):
                continue
            path = os.path.join(dirpath, f)
            top = os.path.relpath(path, root).split(os.sep)[0].removesuffix(".rs")
            if top in ("main", "lib"):
                continue
            if top not in LAYER:
                problems.append(f"{path}: module `{top}` has no layer in scripts/check-layers.py")
                continue
            text = without_tests(open(path, encoding="utf-8").read())
            for used in sorted(set(re.findall(r"crate::([a-z_]+)", text))):
                if used not in LAYER:
                    continue
                if LAYER[used] > LAYER[top]:
                    problems.append(f"{os.path.relpath(path)}: `{top}` uses `{used}`, a later stage")
    for p in problems:
        print(p)
    print(f"layers: {len(problems)} import(s) against the pipeline's direction")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
