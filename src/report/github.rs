//! GitHub Actions workflow commands: each finding becomes an annotation on the pull request.

use super::Location;
use crate::diagnostic::{Finding, Severity};
use crate::source::SourceMap;

/// Workflow commands end a value at `%`, a line break, and in properties `:` and `,`; the
/// runner also obeys `##[` anywhere in a line, and a terminal escape sequences.
fn escape_data(text: &str) -> String {
    let escaped = text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    super::safe::for_terminal(&escaped, false).into_owned()
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The annotations, most severe first: GitHub shows ten of each level per step, and the
/// errors must not be the ones left out.
pub fn render(findings: &[&Finding], sources: &SourceMap) -> String {
    let mut out = String::new();
    for finding in by_severity(findings) {
        let command = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let at = Location::of(sources, finding.primary.span);
        let title = format!("{} {}", finding.rule.id, finding.rule.name);
        let mut message = match &finding.resource {
            Some(resource) => format!("{resource}: {}", finding.message),
            None => finding.message.to_string(),
        };
        if let Some(help) = &finding.help {
            message = format!("{message}\nhelp: {help}");
        }
        out.push_str(&format!(
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            escape_property(at.file),
            at.line,
            at.column,
            at.end_line,
            at.end_column,
            escape_property(&title),
            escape_data(&message)
        ));
    }
    out
}

fn by_severity<'f>(findings: &[&'f Finding]) -> Vec<&'f Finding> {
    let mut sorted = findings.to_vec();
    // Stable: report order within a level.
    sorted.sort_by_key(|f| std::cmp::Reverse(f.severity));
    sorted
}

/// Rows of the step summary at most; the counts above the table cover every finding.
const SUMMARY_ROWS: usize = 100;

/// The Markdown table `$GITHUB_STEP_SUMMARY` shows on the run's page: the counts, then the
/// findings most severe first. Text from the scanned code cannot break out of its cell:
/// `|`, `<`, `>` and line breaks are escaped, and control characters shown.
pub fn step_summary(findings: &[&Finding], sources: &SourceMap, summary: &super::Summary) -> String {
    let mut out = format!("### aoai-lint\n\n{}\n\n", summary.line());
    if findings.is_empty() {
        return out;
    }
    out.push_str("| severity | rule | where | finding |\n|---|---|---|---|\n");
    for finding in by_severity(findings).into_iter().take(SUMMARY_ROWS) {
        let at = Location::of(sources, finding.primary.span);
        let message = match &finding.resource {
            Some(resource) => format!("{resource}: {}", finding.message),
            None => finding.message.to_string(),
        };
        out.push_str(&format!(
            "| {} | {} {} | {} | {} |\n",
            finding.severity,
            finding.rule.id,
            finding.rule.name,
            cell(&format!("{}:{}", at.file, at.line)),
            cell(&message)
        ));
    }
    if findings.len() > SUMMARY_ROWS {
        out.push_str(&format!(
            "\n{} more findings are in the log and the SARIF report.\n",
            findings.len() - SUMMARY_ROWS
        ));
    }
    out
}

fn cell(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('|', "\\|")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace(['\r', '\n'], " ");
    super::safe::for_terminal(&escaped, false).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_cells_hold_their_text() {
        assert_eq!(cell("a|b<script>\nc"), "a\\|b&lt;script&gt; c");
    }

    #[test]
    fn values_are_escaped() {
        assert_eq!(escape_data("50% of\nit"), "50%25 of%0Ait");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
