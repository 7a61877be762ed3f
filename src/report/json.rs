use serde::Serialize;

use super::{Location, Summary};
use crate::diagnostic::{Finding, Severity};
use crate::source::SourceMap;

#[derive(Serialize)]
struct Report<'a> {
    version: &'static str,
    catalog_as_of: &'a str,
    diagnostics: Vec<Diagnostic<'a>>,
    summary: Summary,
    notes: Vec<NoteOut<'a>>,
    /// Only with `--show-suppressed`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressed: Vec<Waived<'a>>,
}

#[derive(Serialize)]
struct Waived<'a> {
    #[serde(flatten)]
    diagnostic: Diagnostic<'a>,
    suppression: Waiver<'a>,
}

#[derive(Serialize)]
struct Waiver<'a> {
    reason: Option<&'a str>,
    until: Option<&'a str>,
    #[serde(flatten)]
    location: Location,
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
    let mut out = Vec::new();
    match write(input, &mut out) {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(e) => format!("{{\"error\": \"{e}\"}}\n"),
    }
}

pub fn write(input: &super::Report<'_>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let super::Report {
        findings,
        suppressed,
        notes,
        sources,
        summary,
    } = *input;
    let report = Report {
        version: env!("CARGO_PKG_VERSION"),
        catalog_as_of: crate::catalog::embedded_as_of(),
        diagnostics: findings.iter().map(|f| diagnostic(f, sources)).collect(),
        summary,
        notes: notes
            .iter()
            .map(|n| NoteOut {
                message: &n.message,
                location: Location::of(sources, n.span),
            })
            .collect(),
        suppressed: suppressed
            .iter()
            .map(|(f, s)| Waived {
                diagnostic: diagnostic(f, sources),
                suppression: Waiver {
                    reason: s.reason.as_deref(),
                    until: s.until.as_deref(),
                    location: Location::of(sources, s.comment),
                },
            })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &report)?;
    out.write_all(b"\n")
}

fn diagnostic<'a>(f: &'a Finding, sources: &SourceMap) -> Diagnostic<'a> {
    Diagnostic {
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
    }
}
