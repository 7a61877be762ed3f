//! GitLab Code Quality: the Code Climate JSON array GitLab's merge-request widget reads
//! (`artifacts: reports: codequality:`). Each finding is an issue with a description, the
//! rule as `check_name`, a fingerprint unique within the report, a severity and a location.

use std::collections::HashMap;

use serde::Serialize;

use super::Location;
use crate::diagnostic::{Finding, Severity};
use crate::source::SourceMap;

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'static str,
    fingerprint: String,
    severity: &'static str,
    location: IssueLocation<'a>,
}

#[derive(Serialize)]
struct IssueLocation<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: usize,
    end: usize,
}

/// Code Climate's scale has five steps; errors and warnings map as ESLint's GitLab formatter
/// maps them, so that a team's widgets read alike.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "major",
        Severity::Warning => "minor",
        Severity::Info => "info",
    }
}

pub fn render(findings: &[&Finding], sources: &SourceMap) -> String {
    // The same fingerprint twice (two instances of one resource) would be one issue to
    // GitLab: the later ones are told apart by their order.
    let mut seen: HashMap<String, usize> = HashMap::new();
    let issues: Vec<Issue> = findings
        .iter()
        .map(|finding| {
            let at = Location::of(sources, finding.primary.span);
            let mut fingerprint = super::sarif::fingerprint(finding, sources);
            let count = seen.entry(fingerprint.clone()).or_default();
            if *count > 0 {
                fingerprint = format!("{fingerprint}-{count}");
            }
            *count += 1;
            let description = match &finding.resource {
                Some(resource) => format!("{} {resource}: {}", finding.rule.id, finding.message),
                None => format!("{} {}", finding.rule.id, finding.message),
            };
            Issue {
                description,
                check_name: finding.rule.id,
                fingerprint,
                severity: severity(finding.severity),
                location: IssueLocation {
                    path: at.file,
                    lines: Lines {
                        begin: at.line,
                        end: at.end_line,
                    },
                },
            }
        })
        .collect();
    serde_json::to_string_pretty(&issues).unwrap_or_else(|_| "[]".to_owned()) + "\n"
}
