//! Checkstyle and JUnit XML, for CI systems that read one of those (Jenkins, GitLab, Azure
//! Pipelines). quick-xml writes and escapes; the text is first made legal XML 1.0, which
//! has no escape for most control characters (a hostile value could carry one).

use std::collections::BTreeMap;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

use super::{Location, Summary};
use crate::diagnostic::{Finding, Severity};
use crate::source::SourceMap;

/// Characters XML 1.0 cannot carry become U+FFFD.
fn legal(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => '\u{fffd}',
            c => c,
        })
        .collect()
}

/// An XML document with its declaration, the root element written by `root`.
fn document(root: impl FnOnce(&mut Writer<Vec<u8>>) -> std::io::Result<()>) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    let written = writer
        .write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
        .and_then(|()| root(&mut writer));
    debug_assert!(written.is_ok(), "writing to memory does not fail");
    let mut text = String::from_utf8(writer.into_inner()).unwrap_or_default();
    text.push('\n');
    text
}

fn message(finding: &Finding) -> String {
    let resource = finding
        .resource
        .as_deref()
        .map(|r| format!("{r}: "))
        .unwrap_or_default();
    legal(&format!("{resource}{}", finding.message))
}

/// `<checkstyle>` with one `<file>` per file and one `<error>` per finding.
pub fn checkstyle(findings: &[&Finding], sources: &SourceMap) -> String {
    let mut by_file: BTreeMap<&str, Vec<(&Finding, Location)>> = BTreeMap::new();
    for finding in findings {
        let at = Location::of(sources, finding.primary.span);
        by_file.entry(at.file).or_default().push((finding, at));
    }
    document(|writer| {
        writer
            .create_element("checkstyle")
            .with_attribute(("version", "4.3"))
            .write_inner_content(|w| {
                for (file, entries) in &by_file {
                    w.create_element("file")
                        .with_attribute(("name", legal(file).as_str()))
                        .write_inner_content(|w| {
                            for (finding, at) in entries {
                                let severity = match finding.severity {
                                    Severity::Error => "error",
                                    Severity::Warning => "warning",
                                    Severity::Info => "info",
                                };
                                w.create_element("error")
                                    .with_attribute(("line", at.line.to_string().as_str()))
                                    .with_attribute(("column", at.column.to_string().as_str()))
                                    .with_attribute(("severity", severity))
                                    .with_attribute(("message", message(finding).as_str()))
                                    .with_attribute(("source", format!("aoai-lint.{}", finding.rule.id).as_str()))
                                    .write_empty()?;
                            }
                            Ok(())
                        })?;
                }
                Ok(())
            })?;
        Ok(())
    })
}

/// `<testsuites>` with one failing `<testcase>` per finding, or one passing case when there
/// is none (so that the CI shows the check ran).
pub fn junit(findings: &[&Finding], sources: &SourceMap, summary: Summary) -> String {
    let failures = findings.len().to_string();
    let tests = findings.len().max(1).to_string();
    document(|writer| {
        writer
            .create_element("testsuites")
            .with_attribute(("name", "aoai-lint"))
            .with_attribute(("tests", tests.as_str()))
            .with_attribute(("failures", failures.as_str()))
            .write_inner_content(|w| {
                w.create_element("testsuite")
                    .with_attribute(("name", "aoai-lint"))
                    .with_attribute(("tests", tests.as_str()))
                    .with_attribute(("failures", failures.as_str()))
                    .with_attribute(("errors", "0"))
                    .write_inner_content(|w| {
                        if findings.is_empty() {
                            let name = format!("no problems found ({} Terraform files)", summary.files);
                            w.create_element("testcase")
                                .with_attribute(("name", name.as_str()))
                                .with_attribute(("classname", "aoai-lint"))
                                .write_empty()?;
                        }
                        for finding in findings {
                            let at = Location::of(sources, finding.primary.span);
                            let place = legal(&format!("{}:{}:{}", at.file, at.line, at.column));
                            let name = format!("{} {place}", finding.rule.id);
                            let details = legal(&format!(
                                "{place}: {} {}\n{}{}",
                                finding.severity,
                                finding.rule.id,
                                message(finding),
                                finding
                                    .help
                                    .as_deref()
                                    .map(|h| format!("\nhelp: {h}"))
                                    .unwrap_or_default()
                            ));
                            w.create_element("testcase")
                                .with_attribute(("name", name.as_str()))
                                .with_attribute(("classname", legal(at.file).as_str()))
                                .write_inner_content(|w| {
                                    w.create_element("failure")
                                        .with_attribute(("message", message(finding).as_str()))
                                        .with_attribute(("type", finding.rule.id))
                                        .write_text_content(BytesText::new(&details))?;
                                    Ok(())
                                })?;
                        }
                        Ok(())
                    })?;
                Ok(())
            })?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_become_replacement_characters() {
        assert_eq!(legal("a\u{1}b\tc\u{ffff}"), "a\u{fffd}b\tc\u{fffd}");
    }
}
