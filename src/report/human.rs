//! miette's graphical report, one diagnostic per finding.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode};

use crate::diagnostic::{Finding, Label, Severity};
use crate::source::{SourceFile, SourceMap};

#[derive(Debug, Clone, Copy)]
pub struct HumanStyle {
    pub color: bool,
    /// Columns to wrap at.
    pub width: usize,
}

/// Lines longer than this are not shown as snippets: miette's renderer cannot place a label
/// past column 65,535 (it panics), and a minified line is unreadable anyway.
const MAX_SNIPPET_LINE: usize = 2_000;

pub fn render(findings: &[&Finding], sources: &SourceMap, style: HumanStyle) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .with_show_related_as_nested(true);
    let mut out = String::new();
    for finding in findings {
        let diagnostic = Rendered::new(finding, sources);
        if handler.render_report(&mut out, &diagnostic).is_err() {
            // Formatting into a String only fails inside miette; fall back to one line.
            out.push_str(&diagnostic.plain());
        }
        out.push('\n');
    }
    out
}

/// One finding (or one of its related places) as miette wants it.
struct Rendered {
    code: Option<String>,
    message: String,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<NamedSource<Arc<str>>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Rendered>,
}

fn snippet_fits(file: &SourceFile, label: &Label) -> bool {
    !file.text.is_empty() && !file.is_private() && file.line_range(label.span.start as usize).len() <= MAX_SNIPPET_LINE
}

fn location(file: &SourceFile, label: &Label) -> String {
    let at = file.line_col(label.span.start as usize);
    format!("{}:{}:{}", file.display_path, at.line, at.column)
}

impl Rendered {
    fn new(finding: &Finding, sources: &SourceMap) -> Rendered {
        let file = sources.get(finding.primary.span.file);
        let mut message = match &finding.resource {
            Some(resource) => format!("{resource}: {}", finding.message),
            None => finding.message.to_string(),
        };
        match finding.configurations.as_slice() {
            [] => {}
            [one] => message = format!("{message}\nin the configuration {one}"),
            many => message = format!("{message}\nin the configurations {}", many.join(", ")),
        }
        let mut labels = Vec::new();
        let mut related = Vec::new();
        let source = if snippet_fits(file, &finding.primary) {
            labels.push(LabeledSpan::new_primary_with_span(
                Some(finding.primary.message.to_string()),
                finding.primary.span.range(),
            ));
            Some(NamedSource::new(&file.display_path, Arc::clone(&file.text)))
        } else {
            message = format!("{message}\n  at {}", location(file, &finding.primary));
            None
        };
        for label in &finding.related {
            let other = sources.get(label.span.file);
            if source.is_some() && label.span.file == finding.primary.span.file && snippet_fits(other, label) {
                labels.push(LabeledSpan::new_with_span(
                    Some(label.message.to_string()),
                    label.span.range(),
                ));
            } else {
                related.push(Rendered::related(label, other));
            }
        }
        Rendered {
            code: Some(format!("{}({})", finding.rule.id, finding.rule.name)),
            message,
            severity: match finding.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Info => miette::Severity::Advice,
            },
            help: finding.help.as_deref().map(str::to_owned),
            source,
            labels,
            related,
        }
    }

    fn related(label: &Label, file: &SourceFile) -> Rendered {
        let fits = snippet_fits(file, label);
        Rendered {
            code: None,
            message: if fits {
                label.message.to_string()
            } else {
                format!("{} at {}", label.message, location(file, label))
            },
            severity: miette::Severity::Advice,
            help: None,
            source: fits.then(|| NamedSource::new(&file.display_path, Arc::clone(&file.text))),
            labels: if fits {
                vec![LabeledSpan::new_with_span(None, label.span.range())]
            } else {
                Vec::new()
            },
            related: Vec::new(),
        }
    }

    fn plain(&self) -> String {
        format!("{}: {}\n", self.code.as_deref().unwrap_or("note"), self.message)
    }
}

impl fmt::Debug for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered {}

impl Diagnostic for Rendered {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code.as_ref().map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)))
        }
    }
}
