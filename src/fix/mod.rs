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
        out.push_str(
            &diff
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{}", changed.shown), &format!("b/{}", changed.shown))
                .to_string(),
        );
    }
    out
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
    ];
    const MODELS: &[&str] = &["gtp-4o", "gpt-4o", "text-embeding-3-large"];
    /// How a value reaches the attribute: as written, a variable's default, a local.
    const WAYS: &[&str] = &["literal", "default", "local"];

    fn configuration(region: &str, model: &str, keys: Option<bool>, scale: bool, way: &str) -> String {
        let (location, extra) = match way {
            "default" => (
                "var.region".to_owned(),
                format!("variable \"region\" {{\n  default = \"{region}\"\n}}\n"),
            ),
            "local" => (
                "local.region".to_owned(),
                format!("locals {{\n  region = \"{region}\"\n}}\n"),
            ),
            _ => (format!("\"{region}\""), String::new()),
        };
        let keys = keys
            .map(|k| format!("  local_auth_enabled = {k}\n"))
            .unwrap_or_default();
        let (block, kind) = if scale { ("scale", "type") } else { ("sku", "name") };
        format!(
            "terraform {{\n  required_providers {{\n    azurerm = {{\n      source  = \"hashicorp/azurerm\"\n      version = \"~> 4.0\"\n    }}\n  }}\n}}\n{extra}\
             resource \"azurerm_cognitive_account\" \"a\" {{\n  name     = \"a\"\n  kind     = \"OpenAI\"\n  sku_name = \"S0\"\n  location = {location}\n{keys}}}\n\
             resource \"azurerm_cognitive_deployment\" \"d\" {{\n  name                 = \"d\"\n  cognitive_account_id = azurerm_cognitive_account.a.id\n  model {{\n    format  = \"OpenAI\"\n    name    = \"{model}\"\n    version = \"2024-11-20\"\n  }}\n  {block} {{\n    {kind}     = \"GlobalStandard\"\n    capacity = 10\n  }}\n}}\n"
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// Whatever the fixes, the file still parses, the findings they fixed are gone, and
        /// fixing again changes nothing.
        #[test]
        fn fixes_leave_a_file_that_parses_without_the_fixed_findings(
            region in proptest::sample::select(REGIONS),
            model in proptest::sample::select(MODELS),
            keys in proptest::option::of(any::<bool>()),
            scale in any::<bool>(),
            way in proptest::sample::select(WAYS),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let root = dir.path().canonicalize().unwrap();
            std::fs::write(root.join("main.tf"), configuration(region, model, keys, scale, way)).unwrap();
            let options = Options { paths: vec![root.clone()], ..Options::default() };
            let first = run(&options).unwrap();
            let fixed: Vec<&'static str> = first.findings.iter().filter(|f| f.fix.is_some()).map(|f| f.rule.id).collect();
            let changes = super::plan(first.findings.iter(), &first.sources, true, &options.paths);
            prop_assert!(changes.refused.is_empty(), "{:?}", changes.refused);
            super::write(&changes).unwrap();
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
