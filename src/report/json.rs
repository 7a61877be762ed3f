use serde::Serialize;

use super::{Location, Summary};
use crate::diagnostic::Severity;

#[derive(Serialize)]
struct Report<'a> {
    version: &'static str,
    catalog_as_of: &'a str,
    diagnostics: Vec<Diagnostic<'a>>,
    summary: Summary,
    notes: Vec<NoteOut<'a>>,
}

#[derive(Serialize)]
struct NoteOut<'a> {
    message: &'a str,
    #[serde(flatten)]
    location: Location,
}

#[derive(Serialize)]
struct Diagnostic<'a> {
    rule: &'static str,
    name: &'static str,
    severity: Severity,
    message: &'a str,
    #[serde(flatten)]
    location: Location,
    resource: Option<&'a str>,
    help: Option<&'a str>,
    related: Vec<Related<'a>>,
}

#[derive(Serialize)]
struct Related<'a> {
    #[serde(flatten)]
    location: Location,
    message: &'a str,
}

pub fn render(input: &super::Report<'_>) -> String {
    let super::Report {
        findings,
        notes,
        sources,
        summary,
    } = *input;
    let report = Report {
        version: env!("CARGO_PKG_VERSION"),
        catalog_as_of: crate::catalog::embedded_as_of(),
        diagnostics: findings
            .iter()
            .map(|f| Diagnostic {
                rule: f.rule.id,
                name: f.rule.name,
                severity: f.severity,
                message: &f.message,
                location: Location::of(sources, f.primary.span),
                resource: f.resource.as_deref(),
                help: f.help.as_deref(),
                related: f
                    .related
                    .iter()
                    .map(|r| Related {
                        location: Location::of(sources, r.span),
                        message: &r.message,
                    })
                    .collect(),
            })
            .collect(),
        summary,
        notes: notes
            .iter()
            .map(|n| NoteOut {
                message: &n.message,
                location: Location::of(sources, n.span),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    text.push('\n');
    text
}
