//! `--fix`, `--unsafe-fixes` and `--diff`: the findings' fixes applied to the scanned files.
//!
//! A fix is a list of span edits, each naming the text it replaces. It is applied only when
//! every edit still finds that text, in a file inside the scanned paths (never under
//! `.terraform` or `.terragrunt-cache`) that has not changed since it was read, and when it
//! overlaps no other fix; otherwise the file keeps its text and the finding stays. Edits
//! touch only the characters they replace: comments, blank lines, line endings and a byte
//! order mark stay as they are.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::diagnostic::{Edit, Finding, Fix, Safety};
use crate::source::{FileId, SourceMap};

mod comments;

/// The files a set of fixes changes: each file's path, its text as read, and as fixed.
#[derive(Debug, Default)]
pub struct Changes {
    pub files: Vec<Changed>,
    /// Fixes that could not be applied, and why (said on stderr).
    pub refused: Vec<String>,
}

#[derive(Debug)]
pub struct Changed {
    pub path: PathBuf,
    pub shown: String,
    pub before: String,
    pub after: String,
}

/// What applying the fixes of `findings` would change: safe ones, and unsafe ones when
/// `unsafe_too`; only in files inside `scanned`.
pub fn plan<'f>(
    findings: impl Iterator<Item = &'f Finding>,
    sources: &SourceMap,
    unsafe_too: bool,
    scanned: &[PathBuf],
) -> Changes {
    let roots = crate::discover::scanned_folders(scanned);
    let mut changes = Changes::default();
    let fixes: Vec<&Fix> = findings
        .filter_map(|f| f.fix.as_deref())
        .filter(|fix| fix.safety == Safety::Safe || unsafe_too)
        .collect();
    // A place two fixes would write differently (instances of one `for_each` that disagree
    // on a value written once): neither is applied.
    let mut wanted: BTreeMap<(FileId, u32, u32), &str> = BTreeMap::new();
    let mut disputed = std::collections::BTreeSet::new();
    for edit in fixes.iter().flat_map(|f| f.edits.iter()) {
        let key = (edit.span.file, edit.span.start, edit.span.end);
        match wanted.insert(key, &edit.replacement) {
            Some(before) if before != edit.replacement => {
                disputed.insert(key);
            }
            _ => {}
        }
    }
    // Per file, the edits taken so far, in the order found.
    let mut taken: BTreeMap<FileId, Vec<Edit>> = BTreeMap::new();
    for fix in fixes {
        let disagrees = fix
            .edits
            .iter()
            .any(|e| disputed.contains(&(e.span.file, e.span.start, e.span.end)));
        if disagrees {
            changes.refused.push(format!(
                "{}: the instances that share this value want different fixes; not changed",
                fix.description
            ));
            continue;
        }
        match check(fix, sources, &roots, &taken) {
            Ok(()) => {
                for edit in &fix.edits {
                    let edits = taken.entry(edit.span.file).or_default();
                    if !edits.contains(edit) {
                        edits.push(edit.clone());
                    }
                }
            }
            Err(why) => changes.refused.push(format!("{}: {why}", fix.description)),
        }
    }
    for (file, mut edits) in taken {
        let source = sources.get(file);
        let before = source.text.to_string();
        // From the end, so that earlier spans stay where they are.
        edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
        let mut after = before.clone();
        for edit in &edits {
            after.replace_range(edit.span.range(), &edit.replacement);
        }
        // Where each edit lands in the fixed text: after the edits before it.
        let touched: Vec<usize> = edits
            .iter()
            .map(|e| {
                let shift: isize = edits
                    .iter()
                    .filter(|o| o.span.end <= e.span.start && !std::ptr::eq(*o, e))
                    .map(|o| o.replacement.len() as isize - o.expected.len() as isize)
                    .sum();
                (e.span.start as isize + shift) as usize
            })
            .collect();
        let after = comments::realign(&after, &touched);
        if after != before {
            changes.files.push(Changed {
                path: source.path.clone(),
                shown: source.display_path.clone(),
                before,
                after,
            });
        }
    }
    changes.files.sort_by(|a, b| a.shown.cmp(&b.shown));
    changes
}

/// Why `fix` may not be applied, if it may not.
fn check(fix: &Fix, sources: &SourceMap, roots: &[PathBuf], taken: &BTreeMap<FileId, Vec<Edit>>) -> Result<(), String> {
    for edit in &fix.edits {
        let source = sources.get(edit.span.file);
        let path = &source.path;
        let inside = path
            .canonicalize()
            .is_ok_and(|p| roots.iter().any(|r| p.starts_with(r)));
        if !inside {
            return Err(format!(
                "{} is outside the scanned paths; not changed",
                source.display_path
            ));
        }
        if path
            .components()
            .any(|c| c.as_os_str() == ".terraform" || c.as_os_str() == ".terragrunt-cache")
        {
            return Err(format!(
                "{} was downloaded, not written by you; not changed",
                source.display_path
            ));
        }
        if source.text.get(edit.span.range()) != Some(edit.expected.as_str()) {
            return Err(format!(
                "{} does not hold what the fix replaces; not changed",
                source.display_path
            ));
        }
        // Read once per file: a file some fix was already taken for was found unchanged.
        let verified = taken.contains_key(&edit.span.file);
        if !verified && std::fs::read(path).ok().as_deref() != Some(source.text.as_bytes()) {
            return Err(format!(
                "{} changed since it was read; not changed",
                source.display_path
            ));
        }
        let overlaps = taken.get(&edit.span.file).is_some_and(|edits| {
            edits
                .iter()
                .any(|e| e != edit && e.span.start < edit.span.end && edit.span.start < e.span.end)
        });
        if overlaps {
            return Err(format!(
                "another fix changes the same text in {}; not changed",
                source.display_path
            ));
        }
    }
    Ok(())
}

/// Writes the fixed files.
pub fn write(changes: &Changes) -> std::io::Result<()> {
    for changed in &changes.files {
        std::fs::write(&changed.path, &changed.after)?;
    }
    Ok(())
}

/// The changes as a unified diff, file by file.
pub fn diff(changes: &Changes) -> String {
    let mut out = String::new();
    for changed in &changes.files {
        let diff = similar::TextDiff::from_lines(&changed.before, &changed.after);
        // A file outside the working directory is shown by its absolute path: `a/tmp/x.tf`.
        let shown = changed.shown.trim_start_matches('/');
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{shown}"), &format!("b/{shown}"))
                .to_string(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::lint::{Options, run};

    /// A file written between the run that read it and the fix: the fix is refused and the
    /// file keeps what was written last.
    #[test]
    fn a_file_changed_since_it_was_read_is_not_written() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let main = root.join("main.tf");
        let text = "resource \"azurerm_cognitive_account\" \"a\" {\n  name               = \"a\"\n  kind               = \"OpenAI\"\n  sku_name           = \"S0\"\n  location           = \"swedencentrl\"\n  local_auth_enabled = false\n}\n";
        std::fs::write(&main, text).unwrap();
        let options = Options {
            paths: vec![root.clone()],
            ..Options::default()
        };
        let outcome = run(&options).unwrap();
        assert!(outcome.findings.iter().any(|f| f.fix.is_some()));
        let edited = text.replace("\"a\"\n", "\"b\"\n");
        std::fs::write(&main, &edited).unwrap();
        let changes = super::plan(outcome.findings.iter(), &outcome.sources, true, &options.paths);
        assert!(changes.files.is_empty());
        let shown = main.display();
        assert_eq!(
            changes.refused,
            [format!(
                "write the region `swedencentral`: {shown} changed since it was read; not changed"
            )]
        );
        super::write(&changes).unwrap();
        assert_eq!(std::fs::read_to_string(&main).unwrap(), edited);
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use crate::lint::{Options, run};

    const REGIONS: &[&str] = &[
        "swedencentrl",
        "francecentrall",
        "westeurop",
        "eastus3",
        "swedencentral",
        "Sweden Central",
    ];
    const MODELS: &[(&str, &str)] = &[
        ("gtp-4o", "2024-11-20"),
        ("gpt-4o", "2024-11-20"),
        ("text-embeding-3-large", "1"),
        ("gpt-4", "0125-preview"),
    ];
    /// How a value reaches the attribute: as written, a variable's default, a local, an
    /// entry of a `for_each` map.
    const WAYS: &[&str] = &["literal", "default", "local", "for_each"];
    const SKUS: &[(&str, Option<u32>)] = &[
        ("GlobalStandard", Some(10)),
        ("GlobalStandard", None),
        ("ProvisionedManaged", Some(40)),
        ("ProvisionedManaged", Some(75)),
    ];
    const UPGRADES: &[Option<&str>] = &[None, Some("OnceNewDefaultVersionAvailable"), Some("NoAutoUpgrade")];

    /// One generated configuration: which values it holds, and how they are written.
    #[derive(Debug, Clone)]
    struct Generated {
        region: &'static str,
        model: (&'static str, &'static str),
        keys: Option<bool>,
        scale: bool,
        way: &'static str,
        sku: (&'static str, Option<u32>),
        upgrade: Option<&'static str>,
    }

    fn configuration(g: &Generated) -> String {
        let region = g.region;
        let (location, mut extra) = match g.way {
            "default" => (
                "var.region".to_owned(),
                format!("variable \"region\" {{\n  default = \"{region}\"\n}}\n"),
            ),
            "local" | "for_each" => (
                "local.region".to_owned(),
                format!("locals {{\n  region = \"{region}\"\n}}\n"),
            ),
            _ => (format!("\"{region}\""), String::new()),
        };
        let keys = g
            .keys
            .map(|k| format!("  local_auth_enabled = {k}\n"))
            .unwrap_or_default();
        let (model, version) = g.model;
        let (sku, capacity) = g.sku;
        let (block, kind) = if g.scale { ("scale", "type") } else { ("sku", "name") };
        // Through a `for_each` map, the deployment's values are its entry's.
        let (for_each, model, capacity) = match (g.way, capacity) {
            ("for_each", Some(c)) => {
                extra.push_str(&format!(
                    "locals {{\n  deployments = {{\n    d = {{ model = \"{model}\", ptus = {c} }}\n  }}\n}}\n"
                ));
                (
                    "  for_each               = local.deployments\n",
                    "each.value.model".to_owned(),
                    Some("each.value.ptus".to_owned()),
                )
            }
            _ => ("", format!("\"{model}\""), capacity.map(|c| c.to_string())),
        };
        let capacity = capacity.map(|c| format!("    capacity = {c}\n")).unwrap_or_default();
        let upgrade = g
            .upgrade
            .map(|u| format!("  version_upgrade_option = \"{u}\"\n"))
            .unwrap_or_default();
        format!(
            "terraform {{\n  required_providers {{\n    azurerm = {{\n      source  = \"hashicorp/azurerm\"\n      version = \"~> 4.0\"\n    }}\n  }}\n}}\n{extra}\
             resource \"azurerm_cognitive_account\" \"a\" {{\n  name     = \"a\"\n  kind     = \"OpenAI\"\n  sku_name = \"S0\"\n  location = {location}\n{keys}}}\n\
             resource \"azurerm_cognitive_deployment\" \"d\" {{\n{for_each}  name                 = \"d\"\n  cognitive_account_id = azurerm_cognitive_account.a.id\n{upgrade}  model {{\n    format  = \"OpenAI\"\n    name    = {model}\n    version = \"{version}\"\n  }}\n  {block} {{\n    {kind}     = \"{sku}\"\n{capacity}  }}\n}}\n"
        )
    }

    fn generated() -> impl Strategy<Value = Generated> {
        (
            proptest::sample::select(REGIONS),
            proptest::sample::select(MODELS),
            proptest::option::of(any::<bool>()),
            any::<bool>(),
            proptest::sample::select(WAYS),
            proptest::sample::select(SKUS),
            proptest::sample::select(UPGRADES),
        )
            .prop_map(|(region, model, keys, scale, way, sku, upgrade)| Generated {
                region,
                model,
                keys,
                scale,
                way,
                sku,
                upgrade,
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// Whatever the fixes, the file still parses, the findings they fixed are gone, and
        /// fixing again changes nothing.
        #[test]
        fn fixes_leave_a_file_that_parses_without_the_fixed_findings(g in generated()) {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().canonicalize().unwrap();
            std::fs::write(root.join("main.tf"), configuration(&g)).unwrap();
            let mut options = Options {
                paths: vec![root.clone()],
                today: "2026-12-03".parse().ok(),
                ..Options::default()
            };
            options.rules.set(crate::rules::find("AOAI106").unwrap(), Some(crate::diagnostic::Severity::Info));
            let first = run(&options).unwrap();
            let fixed: Vec<&'static str> = first.findings.iter().filter(|f| f.fix.is_some()).map(|f| f.rule.id).collect();
            // What must be fixable in any case: keys left on, a capacity left out.
            prop_assert_eq!(g.keys != Some(false), fixed.contains(&"AOAI502"));
            prop_assert_eq!(g.sku.1.is_none(), fixed.contains(&"AOAI403"));
            let done = crate::lint::fixing::fix(&options, true, &options.paths).unwrap();
            prop_assert!(done.refused.is_empty(), "{:?}", done.refused);
            let second = run(&options).unwrap();
            prop_assert!(second.findings.iter().all(|f| f.rule.id != "AOAI002"), "the fixed file parses");
            for rule in &fixed {
                prop_assert!(
                    second.findings.iter().all(|f| f.rule.id != *rule || f.fix.is_none()),
                    "{rule} is fixed"
                );
            }
            let again = super::plan(second.findings.iter(), &second.sources, true, &options.paths);
            prop_assert!(again.files.is_empty(), "a second fix changes nothing");
        }
    }
}
