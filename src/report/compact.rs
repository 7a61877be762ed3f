use std::fmt::Write;

use super::Location;
use crate::diagnostic::Finding;
use crate::source::SourceMap;

pub fn render(findings: &[Finding], sources: &SourceMap) -> String {
    let mut out = String::new();
    for finding in findings {
        let at = Location::of(sources, finding.primary.span);
        let resource = finding
            .resource
            .as_deref()
            .map(|r| format!("{r}: "))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{}:{}:{}: {}[{}] {resource}{}",
            at.file, at.line, at.column, finding.severity, finding.rule.id, finding.message
        );
    }
    out
}
