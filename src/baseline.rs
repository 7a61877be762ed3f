//! Baselines: record today's findings, then report only new ones, so a team can adopt the
//! linter on an old repository and fix the backlog at its own pace.
//!
//! A finding is matched by rule, resource address and a fingerprint of the file and the
//! text it points at, never by line number: edits above it do not make it new.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Finding, Findings};
use crate::report::sarif::fingerprint;
use crate::source::SourceMap;

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    findings: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    rule: String,
    #[serde(default)]
    resource: Option<String>,
    fingerprint: String,
    /// For the reader: where it was and what it said when recorded.
    file: String,
    message: String,
}

fn entry(finding: &Finding, sources: &SourceMap) -> Entry {
    Entry {
        rule: finding.rule.id.to_owned(),
        resource: finding.resource.as_deref().map(str::to_owned),
        fingerprint: fingerprint(finding, sources),
        file: sources.get(finding.primary.span.file).display_path.clone(),
        message: finding.message.to_string(),
    }
}

/// Records `findings` at `path`; `redact` takes out of the messages what must never be
/// written (the values of `TF_VAR_*` secrets: the file is committed).
pub fn write(
    path: &Path,
    findings: &Findings,
    sources: &SourceMap,
    redact: impl Fn(&str) -> String,
) -> Result<usize, String> {
    let mut entries: Vec<Entry> = findings
        .iter()
        .map(|f| {
            let mut e = entry(f, sources);
            e.message = redact(&e.message);
            e
        })
        .collect();
    entries.sort();
    let count = entries.len();
    let text = serde_json::to_string_pretty(&File {
        version: 1,
        findings: entries,
    })
    .map_err(|e| e.to_string())?;
    std::fs::write(path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(count)
}

/// A baseline larger than this is refused (a hundred thousand findings take about 20 MiB).
const MAX_BASELINE_SIZE: u64 = 256 << 20;

/// Drops the findings the baseline records (each entry absorbs one finding); returns how
/// many were dropped.
pub fn filter(path: &Path, findings: &mut Findings, sources: &SourceMap) -> Result<usize, String> {
    let text = crate::supplied::read(path, crate::supplied::Chosen::ByUser, MAX_BASELINE_SIZE)?;
    let file: File = serde_json::from_str(&text).map_err(|e| format!("{}: not a baseline: {e}", path.display()))?;
    if file.version != 1 {
        return Err(format!(
            "{}: baseline version {} is not supported",
            path.display(),
            file.version
        ));
    }
    let mut known: BTreeMap<(String, Option<String>, String), usize> = BTreeMap::new();
    for e in file.findings {
        *known.entry((e.rule, e.resource, e.fingerprint)).or_default() += 1;
    }
    let before = findings.len();
    findings.retain(|f| {
        let e = entry(f, sources);
        match known.get_mut(&(e.rule, e.resource, e.fingerprint)) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        }
    });
    Ok(before - findings.len())
}
