#!/usr/bin/env python3
"""Scaffolds a new rule, as Ruff's add_rule does: the rule's file with its doc sections and
a table of cases that fails until the rule is written, its line in the registry, and its
docs page.

usage: scripts/new-rule.py ID NAME CATEGORY SEVERITY "SUMMARY"
  ID        AOAI509 (the next free id of the category's hundred)
  NAME      kebab-case name, e.g. missing-network-rules
  CATEGORY  Residency | Resiliency | Availability | Quota | Security
  SEVERITY  error | warning | info | off (off by default)

Then: fill in the doc sections and `check`, replace the failing case with real ones (each
rule has cases that fire and cases that must stay silent), and run
`AOAI_LINT_WRITE_DOCS=1 cargo test --lib rule_pages` to write docs/rules/ID.md."""
import os, re, sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CATEGORIES = ["Residency", "Resiliency", "Availability", "Quota", "Security"]
SEVERITIES = {"error": "Some(crate::diagnostic::Severity::Error)", "warning": "Some(crate::diagnostic::Severity::Warning)",
              "info": "Some(crate::diagnostic::Severity::Info)", "off": "None"}

TEMPLATE = '''use super::{{Context, Rule, declare_rule}};
use crate::diagnostic::Finding;

declare_rule! {{
    /// ## What it does
    /// TODO: what the rule reports, in one or two sentences.
    ///
    /// ## Why is this bad?
    /// TODO: what goes wrong in Azure when this is deployed, with the source of the fact
    /// (a Microsoft Learn page and its date) when the rule rests on one.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_cognitive_account" "this" {{
    ///   # TODO: the smallest configuration the rule reports
    /// }}
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_cognitive_account" "this" {{
    ///   # TODO: the same configuration, fixed
    /// }}
    /// ```
    ///
    /// ## Configuration
    /// None.
    ///
    /// ## Fix
    /// None: TODO why not, or whether it is safe (`--fix`) or unsafe (`--unsafe-fixes`) and
    /// what it writes where (`rules::fixes`).
    ///
    /// ## When it stays silent
    /// When a value it needs is unknown (a variable without a default, a data source): an
    /// unknown value never produces a finding.
    pub static {static} = {{
        id: "{id}",
        name: "{name}",
        severity: {severity},
        category: {category},
        summary: "{summary}",
    }};
}}

pub struct {struct};

impl Rule for {struct} {{
    fn meta(&self) -> &'static crate::rules::RuleMeta {{
        &{static}
    }}

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {{
        for account in &cx.config.accounts {{
            // TODO: judge the account (or each of `cx.config.deployments`). Only a known
            // value (`field.known()`) may make a finding:
            // out.push(Finding::new(&{static}, format!("..."), Label::new(field.span, "..."))
            //     .with_resource(&account.address)
            //     .with_related(field.origin.labels()));
            let _ = (account, &out);
        }}
    }}
}}

#[cfg(test)]
mod tests {{
    use crate::testing::{{Case, assert_cases}};

    #[test]
    fn cases() {{
        // TODO: cases that fire (their `file:line:column`) and cases that must stay silent.
        // This one fails until the rule reports something.
        assert_cases(
            "{id}",
            &[Case::new(
                "TODO: the smallest configuration the rule reports",
                &[("main.tf", "resource \\"azurerm_cognitive_account\\" \\"a\\" {{\\n  kind = \\"OpenAI\\"\\n}}\\n")],
                &["main.tf:1:1"],
            )],
        );
    }}
}}
'''


def fail(message):
    print(f"new-rule: {message}", file=sys.stderr)
    sys.exit(2)


def main(argv):
    if len(argv) != 6:
        fail(__doc__)
    _, rule_id, name, category, severity, summary = argv
    if not re.fullmatch(r"AOAI[1-9]\d\d", rule_id):
        fail(f"{rule_id}: an id is AOAI followed by three digits")
    if not re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", name):
        fail(f"{name}: a name is kebab-case")
    if category not in CATEGORIES:
        fail(f"{category}: one of {', '.join(CATEGORIES)}")
    if severity not in SEVERITIES:
        fail(f"{severity}: one of {', '.join(SEVERITIES)}")
    module = f"{rule_id.lower()}_{name.replace('-', '_')}"
    rules_dir = os.path.join(ROOT, "src", "rules")
    registry_path = os.path.join(rules_dir, "mod.rs")
    registry = open(registry_path, encoding="utf-8").read()
    if re.search(rf'\bid: "{rule_id}"', "".join(open(os.path.join(d, f), encoding="utf-8").read()
                                              for d, _, fs in os.walk(os.path.join(ROOT, "src")) for f in fs if f.endswith(".rs"))):
        fail(f"{rule_id} exists: ids are never reused")
    struct = "".join(part.capitalize() for part in name.split("-"))
    static = name.replace("-", "_").upper()
    path = os.path.join(rules_dir, f"{module}.rs")
    with open(path, "w", encoding="utf-8") as out:
        out.write(TEMPLATE.format(id=rule_id, name=name, category=category, severity=SEVERITIES[severity],
                                  summary=summary.replace('"', '\\"'), struct=struct, static=static))
    # The module and the check, each in id order among the others.
    mods = re.findall(r"^mod (aoai\d{3}_\w+);$", registry, re.M)
    after = max((m for m in mods if m < module), default=None)
    line = f"mod {module};\n"
    registry = registry.replace(f"mod {after};\n", f"mod {after};\n{line}", 1) if after else line + registry
    checks = re.findall(r"^    &(aoai\d{3}_\w+)::\w+,$", registry, re.M)
    after = max((c for c in checks if c < module), default=None)
    entry = f"    &{module}::{struct},\n"
    anchor = re.search(rf"^    &{after}::\w+,\n", registry, re.M) if after else re.search(r"^pub static CHECKS: .*\n", registry, re.M)
    registry = registry[: anchor.end()] + entry + registry[anchor.end():]
    open(registry_path, "w", encoding="utf-8").write(registry)
    print(f"wrote src/rules/{module}.rs and registered {struct} in src/rules/mod.rs")
    print("next: fill in the TODOs, then `AOAI_LINT_WRITE_DOCS=1 cargo test --lib rule_pages` for docs/rules/"
          f"{rule_id}.md, and `cargo test` (the scaffold's case fails until the rule reports it)")


if __name__ == "__main__":
    main(sys.argv)
