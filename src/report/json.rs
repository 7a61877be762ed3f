use serde::Serialize;

use super::Location;
use crate::diagnostic::{Finding, Severity};
use crate::source::SourceMap;

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
    location: Location<'a>,
}

#[derive(Serialize)]
struct NoteOut<'a> {
    message: &'a str,
    #[serde(flatten)]
    location: Location<'a>,
}

#[derive(Serialize)]
struct Diagnostic<'a> {
    rule: &'static str,
    name: &'static str,
    severity: Severity,
    message: &'a str,
    #[serde(flatten)]
    location: Location<'a>,
    resource: Option<&'a str>,
    /// Only for a finding in a module several configurations may call: the ones it was
    /// found through.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    configurations: Vec<&'a str>,
    help: Option<&'a str>,
    related: Vec<Related<'a>>,
    /// Only when the linter knows how to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    fix: Option<FixOut<'a>>,
}

#[derive(Serialize)]
struct FixOut<'a> {
    safety: crate::diagnostic::Safety,
    description: &'a str,
    edits: Vec<EditOut<'a>>,
}

#[derive(Serialize)]
struct EditOut<'a> {
    #[serde(flatten)]
    location: Location<'a>,
    replacement: &'a str,
}

#[derive(Serialize)]
struct Related<'a> {
    #[serde(flatten)]
    location: Location<'a>,
    message: &'a str,
}

pub fn render(input: &super::Report<'_>) -> String {
    let mut out = Vec::new();
    match write(input, &mut out) {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(e) => format!("{{\"error\": \"{e}\"}}\n"),
    }
}

/// `{version, catalog_as_of, catalog_tables, diagnostics, summary, notes, suppressed?}`
/// (`catalog_as_of` is the oldest table's date) exactly as
/// `serde_json::to_writer_pretty` would write it as one value (the tests compare the two byte
/// for byte); the elements of its arrays are rendered in parallel (a monorepo's report has hundreds of
/// thousands of diagnostics and rendering them alone was a tenth of the run).
pub fn write(input: &super::Report<'_>, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let super::Report {
        findings,
        suppressed,
        notes,
        sources,
        summary,
        catalog_tables,
    } = *input;
    out.write_all(b"{\n  \"version\": ")?;
    serde_json::to_writer(&mut *out, env!("CARGO_PKG_VERSION"))?;
    out.write_all(b",\n  \"catalog_as_of\": ")?;
    serde_json::to_writer(&mut *out, super::oldest(catalog_tables))?;
    out.write_all(b",\n  \"catalog_tables\": ")?;
    let mut rendered = Vec::new();
    nested(&mut rendered, catalog_tables, 1)?;
    out.write_all(&rendered)?;
    out.write_all(b",\n  \"diagnostics\": ")?;
    write_array(out, findings, |buf, f| nested(buf, &diagnostic(f, sources), 2))?;
    out.write_all(b",\n  \"summary\": ")?;
    let mut rendered = Vec::new();
    nested(&mut rendered, &summary, 1)?;
    out.write_all(&rendered)?;
    out.write_all(b",\n  \"notes\": ")?;
    write_array(out, notes, |buf, n| nested(buf, &note(n, sources), 2))?;
    if !suppressed.is_empty() {
        out.write_all(b",\n  \"suppressed\": ")?;
        write_array(out, suppressed, |buf, w| nested(buf, &waived(w, sources), 2))?;
    }
    out.write_all(b"\n}\n")
}

/// A pretty array of the report's top level, its elements rendered in parallel by `render`
/// (as if two levels deep): a monorepo's report has a hundred thousand diagnostics or more,
/// and rendering them on one core was a quarter of the run.
fn write_array<'a, T: Sync>(
    out: &mut dyn std::io::Write,
    items: &'a [T],
    render: impl Fn(&mut Vec<u8>, &'a T) -> std::io::Result<()> + Sync,
) -> std::io::Result<()> {
    use rayon::prelude::*;
    if items.is_empty() {
        return out.write_all(b"[]");
    }
    // Rendered a batch at a time, so that a large report is never all in memory at once,
    // and the next batch is rendered while this one is written.
    // (Tests use small batches, so that their reports cross the boundaries.)
    const CHUNK: usize = if cfg!(test) { 16 } else { 256 };
    const BATCH: usize = CHUNK * if cfg!(test) { 4 } else { 16 };
    let render_batch = |b: usize, batch: &'a [T]| {
        batch
            .par_chunks(CHUNK)
            .enumerate()
            .map(|(i, chunk)| {
                let mut buf = Vec::new();
                for (j, item) in chunk.iter().enumerate() {
                    let first = b == 0 && i == 0 && j == 0;
                    buf.extend_from_slice(if first { b"\n    " } else { b",\n    " });
                    render(&mut buf, item)?;
                }
                Ok(buf)
            })
            .collect::<std::io::Result<Vec<Vec<u8>>>>()
    };
    out.write_all(b"[")?;
    let mut batches = items.chunks(BATCH).enumerate();
    let mut ready = batches.next().map(|(b, batch)| render_batch(b, batch)).transpose()?;
    while let Some(chunks) = ready.take() {
        let next = batches.next();
        let mut rendered = None;
        // The writer stays on this thread (it need not be `Send`); the pool renders.
        let written = rayon::in_place_scope(|scope| {
            if let Some((b, batch)) = next {
                let (rendered, render_batch) = (&mut rendered, &render_batch);
                scope.spawn(move |_| *rendered = Some(render_batch(b, batch)));
            }
            chunks.into_iter().try_for_each(|chunk| out.write_all(&chunk))
        });
        written?;
        ready = rendered.transpose()?;
    }
    out.write_all(b"\n  ]")
}

/// Renders `value` in serde_json's pretty layout as if it sat `level` levels deep.
fn nested(out: &mut Vec<u8>, value: &impl Serialize, level: usize) -> std::io::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(
        out,
        Nested {
            level,
            has_value: false,
        },
    );
    value.serialize(&mut serializer)?;
    Ok(())
}

/// serde_json's `PrettyFormatter` (two spaces a level) starting at a given depth: an element
/// rendered on its own comes out exactly as it would inside the whole report.
struct Nested {
    level: usize,
    has_value: bool,
}

impl Nested {
    fn indent<W: ?Sized + std::io::Write>(&self, out: &mut W) -> std::io::Result<()> {
        for _ in 0..self.level {
            out.write_all(b"  ")?;
        }
        Ok(())
    }

    fn open<W: ?Sized + std::io::Write>(&mut self, out: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        out.write_all(bracket)
    }

    fn close<W: ?Sized + std::io::Write>(&mut self, out: &mut W, bracket: &[u8]) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            out.write_all(b"\n")?;
            self.indent(out)?;
        }
        out.write_all(bracket)
    }

    fn item<W: ?Sized + std::io::Write>(&self, out: &mut W, first: bool) -> std::io::Result<()> {
        out.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(out)
    }
}

impl serde_json::ser::Formatter for Nested {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.open(out, b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.close(out, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(&mut self, out: &mut W, first: bool) -> std::io::Result<()> {
        self.item(out, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _out: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.open(out, b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        self.close(out, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(&mut self, out: &mut W, first: bool) -> std::io::Result<()> {
        self.item(out, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, out: &mut W) -> std::io::Result<()> {
        out.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _out: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

fn note<'a>(n: &'a crate::eval::Note, sources: &'a SourceMap) -> NoteOut<'a> {
    NoteOut {
        message: &n.message,
        location: Location::of(sources, n.span),
    }
}

fn waived<'a>((f, s): &'a (Finding, crate::parse::syntax::Suppression), sources: &'a SourceMap) -> Waived<'a> {
    Waived {
        diagnostic: diagnostic(f, sources),
        suppression: Waiver {
            reason: s.reason.as_deref(),
            until: s.until.as_deref(),
            location: Location::of(sources, s.comment),
        },
    }
}

fn diagnostic<'a>(f: &'a Finding, sources: &'a SourceMap) -> Diagnostic<'a> {
    Diagnostic {
        rule: f.rule.id,
        name: f.rule.name,
        severity: f.severity,
        message: &f.message,
        location: Location::of(sources, f.primary.span),
        resource: f.resource.as_deref(),
        configurations: f.configurations.iter().map(|c| &**c).collect(),
        help: f.help.as_deref(),
        related: f
            .related
            .iter()
            .map(|r| Related {
                location: Location::of(sources, r.span),
                message: &r.message,
            })
            .collect(),
        fix: f.fix.as_deref().map(|fix| FixOut {
            safety: fix.safety,
            description: &fix.description,
            edits: fix
                .edits
                .iter()
                .map(|e| EditOut {
                    location: Location::of(sources, e.span),
                    replacement: &e.replacement,
                })
                .collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Label;
    use crate::eval::Note;
    use crate::parse::syntax::Suppression;
    use crate::report::Summary;
    use crate::source::Span;
    use std::sync::Arc;

    /// The report's shape as one value: what [`write`] renders piece by piece.
    #[derive(Serialize)]
    struct Report<'a> {
        version: &'static str,
        catalog_as_of: &'a str,
        catalog_tables: &'a crate::catalog::Tables,
        diagnostics: Vec<Diagnostic<'a>>,
        summary: Summary,
        notes: Vec<NoteOut<'a>>,
        /// Only with `--show-suppressed`.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        suppressed: Vec<Waived<'a>>,
    }

    /// What `write` must equal: serde's rendering of the whole report at once.
    fn whole(input: &super::super::Report<'_>) -> String {
        let sources = input.sources;
        let report = Report {
            version: env!("CARGO_PKG_VERSION"),
            catalog_as_of: super::super::oldest(input.catalog_tables),
            catalog_tables: input.catalog_tables,
            diagnostics: input.findings.iter().map(|f| diagnostic(f, sources)).collect(),
            summary: input.summary,
            notes: input.notes.iter().map(|n| note(n, sources)).collect(),
            suppressed: input.suppressed.iter().map(|w| waived(w, sources)).collect(),
        };
        serde_json::to_string_pretty(&report).unwrap() + "\n"
    }

    #[test]
    fn pieces_rendered_in_parallel_equal_the_whole_report() {
        let sources = SourceMap::default();
        let file = sources.add_virtual("dir/main.tf", "line one\n  \"quoted\" é\r\nthird\n");
        let rule = crate::rules::find("AOAI201").unwrap();
        let shared: crate::diagnostic::Address = "module.m[\"k\"].azurerm_cognitive_deployment.d[\"x\"]".into();
        // More findings than one rendering chunk, with escapes, line breaks and non-ASCII
        // text in every string the report carries.
        let findings: Vec<Finding> = (0..600u32)
            .map(|i| {
                let mut finding = Finding::new(
                    rule,
                    format!("finding {i}: \"quoted\"\nsecond line\tand é"),
                    Label::new(Span::new(file, (i % 20) as usize..20), "here"),
                )
                .with_help("help\\with a backslash");
                if i % 3 == 0 {
                    finding.related.push(Label::new(Span::new(file, 0..4), "from\nhere"));
                    finding.resource = Some(format!("azurerm_cognitive_account.a[\"{i}\"]").into());
                } else if i % 6 < 3 {
                    // Findings side by side on one resource share its address.
                    finding.resource = Some(Arc::clone(&shared));
                }
                finding
            })
            .collect();
        let notes = [Note {
            span: Span::new(file, 9..15),
            message: "a module \"x\" not followed".to_owned(),
        }];
        let suppression = Suppression {
            rules: vec!["AOAI201".to_owned()],
            reason: Some("one region \"by design\"".to_owned()),
            until: None,
            comment: Span::new(file, 0..8),
            target: Span::new(file, 0..30),
        };
        let suppressed = [(findings[0].clone(), suppression)];
        let summary = super::super::Summary::new(&findings, 1);
        let findings: Vec<&Finding> = findings.iter().collect();
        for (findings, notes, suppressed) in [
            (&findings[..], &notes[..], &suppressed[..]),
            (&findings[..1], &[][..], &[][..]),
            (&[][..], &[][..], &[][..]),
        ] {
            let input = super::super::Report {
                findings,
                suppressed,
                notes,
                sources: &sources,
                summary,
                catalog_tables: &crate::catalog::Catalog::embedded().tables,
            };
            assert_eq!(render(&input), whole(&input));
        }
    }
}
