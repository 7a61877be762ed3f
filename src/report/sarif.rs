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
        properties: rule_properties(meta),
    }
}

/// The rule's tags, and for security rules the `security-severity` GitHub code scanning
/// reads to rank alerts (7.0 and above is High, 4.0 to 6.9 Medium, below Low), from the
/// rule's default severity.
fn rule_properties(meta: &RuleMeta) -> Value {
    let category = serde_json::to_value(meta.category).unwrap_or(Value::Null);
    if meta.category != rules::Category::Security {
        return json!({ "tags": [category] });
    }
    let score = match meta.default_severity {
        Some(Severity::Error) => "8.0",
        Some(Severity::Warning) => "6.0",
        Some(Severity::Info) | None => "3.0",
    };
    json!({ "tags": [category], "security-severity": score })
}

/// GitHub code scanning rejects a run with more results than this, whole.
pub const MAX_UPLOADED_RESULTS: usize = 25_000;

/// At most [`MAX_UPLOADED_RESULTS`] results, the most severe first kept (errors, then
/// warnings, then notes, each in report order), and how many were left out.
fn within_upload_limit(results: Vec<Value>) -> (Vec<Value>, usize) {
    if results.len() <= MAX_UPLOADED_RESULTS {
        return (results, 0);
    }
    let rank = |r: &Value| match r["level"].as_str() {
        Some("error") => 0,
        Some("warning") => 1,
        _ => 2,
    };
    let mut order: Vec<usize> = (0..results.len()).collect();
    order.sort_by_key(|&i| (rank(&results[i]), i));
    let mut keep: Vec<usize> = order[..MAX_UPLOADED_RESULTS].to_vec();
    keep.sort_unstable();
    let left_out = results.len() - keep.len();
    let mut results: Vec<Option<Value>> = results.into_iter().map(Some).collect();
    let kept = keep.into_iter().filter_map(|i| results[i].take()).collect();
    (kept, left_out)
}

/// The run's invocation: successful, with a warning when results were left out.
fn invocation(left_out: usize) -> Value {
    let mut invocation = json!({ "executionSuccessful": true });
    if left_out > 0 {
        invocation["toolExecutionNotifications"] = json!([{
            "level": "warning",
            "message": { "text": format!(
                "{left_out} results were left out (the least severe first): code scanning accepts at most {MAX_UPLOADED_RESULTS} a run; the other formats have them all"
            ) },
        }]);
    }
    invocation
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
    let (results, left_out) = within_upload_limit(results);
    let mut properties = json!({
        "catalogAsOf": super::oldest(catalog_tables),
        "catalogTables": catalog_tables,
    });
    if left_out > 0 {
        properties["resultsLeftOut"] = json!(left_out);
    }
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
            "invocations": [invocation(left_out)],
            "properties": properties,
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
    if let Some(fix) = &f.fix {
        // One artifact change per edit: each edit's place, and what it writes there.
        let changes: Option<Vec<Value>> = fix
            .edits
            .iter()
            .map(|edit| {
                let place = physical(sources, edit.span)?;
                Some(json!({
                    "artifactLocation": place["artifactLocation"],
                    "replacements": [{
                        "deletedRegion": place["region"],
                        "insertedContent": { "text": edit.replacement },
                    }],
                }))
            })
            .collect();
        if let Some(changes) = changes {
            result["fixes"] = json!([{
                "description": { "text": fix.description },
                "artifactChanges": changes,
            }]);
        }
    }
    if !f.configurations.is_empty() {
        let configurations: Vec<&str> = f.configurations.iter().map(|c| &**c).collect();
        result["properties"] = json!({ "configurations": configurations });
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

#[cfg(test)]
mod limit_tests {
    use super::*;

    #[test]
    fn over_the_upload_limit_the_least_severe_results_are_left_out() {
        let result = |level: &str, i: usize| json!({ "level": level, "i": i });
        let mut results: Vec<Value> = (0..MAX_UPLOADED_RESULTS).map(|i| result("note", i)).collect();
        results.push(result("error", MAX_UPLOADED_RESULTS));
        results.push(result("warning", MAX_UPLOADED_RESULTS + 1));
        let (kept, left_out) = within_upload_limit(results);
        assert_eq!((kept.len(), left_out), (MAX_UPLOADED_RESULTS, 2));
        assert!(kept.iter().any(|r| r["level"] == "error") && kept.iter().any(|r| r["level"] == "warning"));
        let order: Vec<u64> = kept.iter().map(|r| r["i"].as_u64().unwrap()).collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "report order is kept");
        assert_eq!(
            invocation(left_out)["toolExecutionNotifications"][0]["level"],
            "warning"
        );
        assert_eq!(within_upload_limit(vec![result("note", 0)]).1, 0);
    }
}
