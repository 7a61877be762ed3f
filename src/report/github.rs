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

pub fn render(findings: &[&Finding], sources: &SourceMap) -> String {
    let mut out = String::new();
    for finding in findings {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped() {
        assert_eq!(escape_data("50% of\nit"), "50%25 of%0Ait");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
