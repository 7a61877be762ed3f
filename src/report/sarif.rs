//! SARIF 2.1.0 for GitHub code scanning. Small serde structs, as the peers do: the
//! `serde-sarif` crate does not compile without `serde/derive` in the depending crate's
//! features, and only a handful of SARIF's objects are needed.

use serde::Serialize;
use serde_json::{Value, json};

use super::Location;
use crate::diagnostic::{Finding, Severity};
use crate::parse::syntax::Suppression;
use crate::rules::{self, RuleMeta};
use crate::source::{SourceMap, Span};

const SRCROOT: &str = "%SRCROOT%";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// FNV-1a: a stable, specified 64-bit hash for fingerprints (std's hasher may change between
/// Rust releases, and fingerprints must survive upgrades). Five lines need no dependency.
fn fnv1a(text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// A fingerprint that survives lines moving: the rule, the file, the resource and the text
/// the finding points at, not its line number.
pub fn fingerprint(finding: &Finding, sources: &SourceMap) -> String {
    let file = sources.get(finding.primary.span.file);
    let pointed = file.text.get(finding.primary.span.range()).unwrap_or_default();
    fnv1a(&format!(
        "{}\u{1f}{}\u{1f}{}\u{1f}{}",
        finding.rule.id,
        file.display_path,
        finding.resource.as_deref().unwrap_or_default(),
        pointed.split_whitespace().collect::<Vec<_>>().join(" ")
    ))
}

/// A file on disk is located relative to the working directory; text that came from no
/// file (`--var`, the environment, the catalog) has no physical location.
fn physical(sources: &SourceMap, span: Span) -> Option<Value> {
    let file = sources.get(span.file);
    if !file.path.is_file() {
        return None;
    }
    let at = Location::of(sources, span);
    let artifact = if at.file.starts_with('/') {
        json!({ "uri": format!("file://{}", encode(at.file)) })
    } else {
        json!({ "uri": encode(at.file), "uriBaseId": SRCROOT })
    };
    Some(json!({
        "artifactLocation": artifact,
        "region": {
            "startLine": at.line,
            "startColumn": at.column,
            "endLine": at.end_line,
            "endColumn": at.end_column.max(if at.end_line == at.line { at.column + 1 } else { 1 }),
        }
    }))
}

/// Percent-encodes what a URI path may not hold.
fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule<'a> {
    id: &'a str,
    name: &'a str,
    short_description: Value,
    full_description: Value,
    help: Value,
    default_configuration: Value,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    properties: Value,
}

fn rule(meta: &RuleMeta) -> Rule<'_> {
    let doc = meta.documentation();
    let what = doc
        .split("## Why is this bad?")
        .next()
        .unwrap_or_default()
        .replace("## What it does", "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    Rule {
        id: meta.id,
        name: meta.name,
        short_description: json!({ "text": meta.summary }),
        full_description: json!({ "text": what }),
        help: json!({ "text": format!("{} ({}): {}", meta.id, meta.name, meta.summary), "markdown": doc }),
        default_configuration: match meta.default_severity {
            Some(severity) => json!({ "level": level(severity) }),
            None => json!({ "enabled": false }),
        },
        help_uri: rules::help_uri(meta),
        properties: json!({ "tags": [serde_json::to_value(meta.category).unwrap_or(Value::Null)] }),
    }
}

/// Waived findings (`--show-suppressed`) are results with an in-source suppression, which
/// code scanning shows as dismissed rather than open.
pub fn render(
    findings: &[&Finding],
    suppressed: &[(Finding, Suppression)],
    sources: &SourceMap,
    catalog_tables: &crate::catalog::Tables,
) -> String {
    let all = rules::all();
    let cwd = std::env::current_dir()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let waived = suppressed.iter().map(|(f, s)| {
        let mut result = result(f, sources, all);
        let mut suppression = json!({ "kind": "inSource", "status": "accepted" });
        if let Some(reason) = &s.reason {
            suppression["justification"] = json!(reason);
        }
        if let Some(location) = physical(sources, s.comment) {
            suppression["location"] = json!({ "physicalLocation": location });
        }
        result["suppressions"] = json!([suppression]);
        result
    });
    let results: Vec<Value> = findings.iter().map(|f| result(f, sources, all)).chain(waived).collect();
    let report = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "aoai-lint",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": all.iter().map(|r| rule(r)).collect::<Vec<_>>(),
                }
            },
            "automationDetails": { "id": "aoai-lint/" },
            "originalUriBaseIds": { SRCROOT: { "uri": format!("file://{}/", encode(&cwd)) } },
            "results": results,
            "properties": {
                "catalogAsOf": super::oldest(catalog_tables),
                "catalogTables": catalog_tables,
            },
        }]
    });
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}

fn result(f: &Finding, sources: &SourceMap, all: &[&'static RuleMeta]) -> Value {
    let mut location = json!({});
    if let Some(physical) = physical(sources, f.primary.span) {
        location["physicalLocation"] = physical;
    }
    if let Some(resource) = &f.resource {
        location["logicalLocations"] = json!([{ "fullyQualifiedName": &**resource, "kind": "resource" }]);
    }
    if location.as_object().is_some_and(|o| o.is_empty()) {
        location["logicalLocations"] = json!([{ "fullyQualifiedName": "aoai-lint", "kind": "module" }]);
    }
    let related: Vec<Value> = f
        .related
        .iter()
        .filter_map(|label| physical(sources, label.span).map(|p| (label, p)))
        .enumerate()
        .map(|(i, (label, p))| json!({ "id": i + 1, "message": { "text": label.message }, "physicalLocation": p }))
        .collect();
    let mut message = f.message.clone();
    if let Some(help) = &f.help {
        message = format!("{message}. {help}").into();
    }
    let mut result = json!({
        "ruleId": f.rule.id,
        "ruleIndex": all.iter().position(|r| r.id == f.rule.id).unwrap_or(0),
        "level": level(f.severity),
        "message": { "text": message },
        "locations": [location],
        "partialFingerprints": { "aoaiLintFingerprint/v1": fingerprint(f, sources) },
    });
    if !related.is_empty() {
        result["relatedLocations"] = Value::Array(related);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_and_uris_encoded() {
        assert_eq!(fnv1a(""), "cbf29ce484222325");
        assert_eq!(fnv1a("a"), "af63dc4c8601ec8c");
        assert_eq!(encode("infra/my module/main.tf"), "infra/my%20module/main.tf");
    }
}
