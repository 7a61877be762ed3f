//! report: rendering only. Severity and order are decided before a report is written.

mod compact;
mod github;
mod gitlab;
mod human;
mod json;
pub mod safe;
pub mod sarif;
mod xml;

use serde::Serialize;

use crate::diagnostic::{Finding, Severity};
use crate::eval::Note;
use crate::parse::syntax::Suppression;
use crate::source::{SourceMap, Span};

pub use human::HumanStyle;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Diagnostics with source snippets.
    Human,
    /// One line per finding: `file:line:col: severity[RULE] message`.
    Compact,
    /// The JSON contract: `{version, diagnostics, summary}` (and `notes`).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the pull request).
    Github,
    /// Checkstyle XML (Jenkins warnings-ng, reviewdog, many CI dashboards).
    Checkstyle,
    /// JUnit XML: one failing test case per finding (GitLab, Azure Pipelines, Jenkins).
    Junit,
    /// GitLab Code Quality (Code Climate JSON): findings in the merge-request widget.
    Gitlab,
}

/// A span as lines and columns (1-based; `end_column` is the column after the last
/// character, as in SARIF).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location<'a> {
    pub file: &'a str,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

impl Location<'_> {
    pub fn of(sources: &SourceMap, span: Span) -> Location<'_> {
        let file = sources.get(span.file);
        let (start, end) = file.line_cols(span.start as usize, span.end as usize);
        Location {
            file: &file.display_path,
            line: start.line,
            column: start.column,
            end_line: end.line,
            end_column: end.column,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Terraform files read.
    pub files: usize,
    /// Configurations evaluated (roots and the shared modules nobody calls).
    pub configurations: usize,
}

impl Summary {
    pub fn new<'f>(findings: impl IntoIterator<Item = &'f Finding>, files: usize) -> Summary {
        Summary::of_counts(severity_counts(findings), files)
    }

    /// [`Summary::new`] of a run's findings, over its `configurations`.
    pub fn of(findings: &crate::diagnostic::Findings, files: usize, configurations: usize) -> Summary {
        Summary {
            configurations,
            ..Summary::new(findings.iter(), files)
        }
    }

    /// From how many findings have each severity, indexed by severity.
    fn of_counts(counts: [usize; 3], files: usize) -> Summary {
        let count = |s: Severity| counts[s as usize];
        Summary {
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            files,
            configurations: 0,
        }
    }

    /// The line printed on stderr after human output.
    pub fn line(&self) -> String {
        let total = self.errors + self.warnings + self.infos;
        let mut files = plural(self.files, "file");
        // Said when it tells something: a tree of several roots.
        if self.configurations > 1 {
            files = format!("{files} ({})", plural(self.configurations, "configuration"));
        }
        if total == 0 {
            return format!("No problems found in {files}.");
        }
        format!(
            "Found {} ({}, {}, {}) in {files}.",
            plural(total, "problem"),
            plural(self.errors, "error"),
            plural(self.warnings, "warning"),
            plural(self.infos, "info"),
        )
    }
}

/// How many of `findings` have each severity, indexed by severity.
fn severity_counts<'f>(findings: impl IntoIterator<Item = &'f Finding>) -> [usize; 3] {
    let mut counts = [0; 3];
    for finding in findings {
        counts[finding.severity as usize] += 1;
    }
    counts
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 || word == "info" {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// What a run has to say, for any format.
pub struct Report<'a> {
    pub findings: &'a [&'a Finding],
    /// Findings ignore comments waived, with the comment (`--show-suppressed`; empty
    /// otherwise).
    pub suppressed: &'a [(Finding, Suppression)],
    /// Things worth knowing that are not findings: modules not followed, for instance.
    pub notes: &'a [Note],
    pub sources: &'a SourceMap,
    pub summary: Summary,
    /// The dates of the catalog's tables the findings rest on.
    pub catalog_tables: &'a crate::catalog::Tables,
}

/// The date of the oldest of `tables`: what the catalog as a whole is as fresh as.
pub fn oldest(tables: &crate::catalog::Tables) -> &str {
    tables.values().min().map_or("unknown", String::as_str)
}

/// Writes the report in `format` to `out`. JSON is serialized straight into it: a report of
/// a large monorepo is a hundred megabytes, and need not exist as a string too.
pub fn write(
    format: Format,
    report: &Report<'_>,
    style: HumanStyle,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => {
            let mut safe = safe::JsonForRunner::new(out);
            json::write(report, &mut safe)?;
            safe.finish()
        }
        // What people and CI logs read: no escape sequence or runner command from the
        // scanned code gets through (machine formats escape in their own syntax).
        Format::Human | Format::Compact => {
            let text = render(format, report, style);
            out.write_all(safe::for_terminal(&text, style.color).as_bytes())
        }
        // Printed to a CI log too: the same values, but no runner command in any line.
        Format::Sarif | Format::Gitlab => {
            out.write_all(safe::json_for_runner(&render(format, report, style)).as_bytes())
        }
        Format::Checkstyle | Format::Junit => {
            out.write_all(safe::xml_for_runner(&render(format, report, style)).as_bytes())
        }
        Format::Github => out.write_all(render(format, report, style).as_bytes()),
    }
}

/// The Markdown summary a GitHub Actions step shows on the run's page.
pub fn github_step_summary(report: &Report<'_>) -> String {
    github::step_summary(report.findings, report.sources, &report.summary)
}

/// The report in `format` as text.
pub fn render(format: Format, report: &Report<'_>, style: HumanStyle) -> String {
    let Report {
        findings,
        suppressed,
        sources,
        summary,
        catalog_tables,
        ..
    } = *report;
    match format {
        Format::Human => human::render(findings, sources, style) + &waivers(suppressed, sources),
        Format::Compact => compact::render(findings, sources) + &waivers(suppressed, sources),
        Format::Json => json::render(report),
        Format::Sarif => sarif::render(findings, suppressed, sources, catalog_tables),
        Format::Github => github::render(findings, sources),
        Format::Checkstyle => xml::checkstyle(findings, sources),
        Format::Junit => xml::junit(findings, sources, summary),
        Format::Gitlab => gitlab::render(findings, sources),
    }
}

/// Where a waiver was written and why, for audits: `main.tf:3:1 "reason" until 2027-03-31`.
pub fn waiver(suppression: &Suppression, sources: &SourceMap) -> String {
    let at = Location::of(sources, suppression.comment);
    let reason = suppression
        .reason
        .as_deref()
        .map_or_else(|| "no reason given".to_owned(), |r| format!("\"{r}\""));
    let until = suppression
        .until
        .as_deref()
        .map(|d| format!(" until {d}"))
        .unwrap_or_default();
    format!("{}:{}:{} {reason}{until}", at.file, at.line, at.column)
}

/// The waived findings, one line each, after the report (`--show-suppressed`).
fn waivers(suppressed: &[(Finding, Suppression)], sources: &SourceMap) -> String {
    use std::fmt::Write;
    if suppressed.is_empty() {
        return String::new();
    }
    let mut out = format!("Suppressed ({}):\n", suppressed.len());
    for (finding, suppression) in suppressed {
        let _ = writeln!(
            out,
            "  {}\n    waived by {}",
            compact::line(finding, sources),
            waiver(suppression, sources)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::Summary;
    use crate::diagnostic::{Finding, Findings, Label, Severity};
    use crate::rules::meta::UNUSED_SUPPRESSION;
    use crate::source::{FileId, Span};

    #[test]
    fn findings_counted_on_every_core_are_counted_as_on_one() {
        let severities = [Severity::Error, Severity::Warning, Severity::Info];
        let finding = |severity| Finding {
            severity,
            ..Finding::new(&UNUSED_SUPPRESSION, "x", Label::new(Span::new(FileId(0), 0..1), "here"))
        };
        let runs: Vec<Vec<Finding>> = (0..200)
            .map(|i| (0..i % 7).map(|j| finding(severities[(i + j) % 3])).collect())
            .collect();
        let all: Vec<Finding> = runs.iter().flatten().cloned().collect();
        let counted = Summary::of(&Findings::from_runs(runs), 9, 2);
        assert_eq!(
            counted,
            Summary {
                configurations: 2,
                ..Summary::new(&all, 9)
            }
        );
        assert!(
            counted.line().ends_with("in 9 files (2 configurations)."),
            "{}",
            counted.line()
        );
        assert!(counted.errors > 0 && counted.warnings > 0 && counted.infos > 0);
    }
}
