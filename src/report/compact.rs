use super::Location;
use crate::diagnostic::Finding;
use crate::source::SourceMap;

pub fn render(findings: &[&Finding], sources: &SourceMap) -> String {
    findings.iter().map(|f| line(f, sources) + "\n").collect()
}

/// `file:line:col: severity[RULE] resource: message`, and `[configurations DIR, ...]` for a
/// finding in a module several configurations may call.
pub fn line(finding: &Finding, sources: &SourceMap) -> String {
    let at = Location::of(sources, finding.primary.span);
    let resource = finding
        .resource
        .as_deref()
        .map(|r| format!("{r}: "))
        .unwrap_or_default();
    let configuration = match finding.configurations.as_slice() {
        [] => String::new(),
        [one] => format!(" [configuration {one}]"),
        many => format!(" [configurations {}]", many.join(", ")),
    };
    format!(
        "{}:{}:{}: {}[{}] {resource}{}{configuration}",
        at.file, at.line, at.column, finding.severity, finding.rule.id, finding.message
    )
}
