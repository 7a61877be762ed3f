use serde::Serialize;

use super::Location;
use crate::diagnostic::{Finding, Severity};
use crate::source::{FileId, SourceMap};

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
    help: Option<&'a str>,
    related: Vec<Related<'a>>,
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
    write_array(
        out,
        findings,
        |buf, quoted: &mut Quoted, f| {
            write_diagnostic(buf, quoted, f, sources);
            Ok(())
        },
        |f| prefetch_diagnostic(f, sources),
    )?;
    out.write_all(b",\n  \"summary\": ")?;
    let mut rendered = Vec::new();
    nested(&mut rendered, &summary, 1)?;
    out.write_all(&rendered)?;
    out.write_all(b",\n  \"notes\": ")?;
    write_array(out, notes, |buf, (), n| nested(buf, &note(n, sources), 2), |_| {})?;
    if !suppressed.is_empty() {
        out.write_all(b",\n  \"suppressed\": ")?;
        write_array(
            out,
            suppressed,
            |buf, (), w| nested(buf, &waived(w, sources), 2),
            |_| {},
        )?;
    }
    out.write_all(b"\n}\n")
}

/// How many elements ahead of the one being rendered `prefetch` is called: far enough that
/// the memory has arrived when its element's turn comes (4, 8 and 16 measured alike; a
/// 10,000-module report renders in 28 ms instead of 38 ms).
const PREFETCH_AHEAD: usize = 8;

/// A pretty array of the report's top level, its elements rendered in parallel by `render`
/// (as if two levels deep) with a state of its own for each run of elements, `prefetch`
/// asking for each element's memory ahead of its turn.
fn write_array<'a, T: Sync, S: Default>(
    out: &mut dyn std::io::Write,
    items: &'a [T],
    render: impl Fn(&mut Vec<u8>, &mut S, &'a T) -> std::io::Result<()> + Sync,
    prefetch: impl Fn(&'a T) + Sync,
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
                // About what a diagnostic takes, so that the buffer rarely grows.
                let mut buf = Vec::with_capacity(chunk.len() * 768);
                let mut state = S::default();
                chunk.iter().take(PREFETCH_AHEAD).for_each(&prefetch);
                for (j, item) in chunk.iter().enumerate() {
                    if let Some(later) = chunk.get(j + PREFETCH_AHEAD) {
                        prefetch(later);
                    }
                    let first = b == 0 && i == 0 && j == 0;
                    buf.extend_from_slice(if first { b"\n    " } else { b",\n    " });
                    render(&mut buf, &mut state, item)?;
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

/// What comes before a value after the first: a comma, a line break, the indentation of a
/// diagnostic's fields (or of a related label's) and the quoted key, as one constant (a
/// large report writes millions of them).
macro_rules! key {
    ($name:literal) => {
        concat!(",\n      \"", $name, "\": ").as_bytes()
    };
    (related $name:literal) => {
        concat!(",\n          \"", $name, "\": ").as_bytes()
    };
}

/// `line`, `column`, `end_line` and `end_column` of a location, each after its key (of a
/// diagnostic, or with `related` of a related label).
macro_rules! line_and_columns {
    ($out:expr, $at:expr $(, $related:ident)?) => {{
        let (out, at): (&mut Vec<u8>, &Location<'_>) = ($out, $at);
        out.extend_from_slice(key!($($related)? "line"));
        number(out, at.line);
        out.extend_from_slice(key!($($related)? "column"));
        number(out, at.column);
        out.extend_from_slice(key!($($related)? "end_line"));
        number(out, at.end_line);
        out.extend_from_slice(key!($($related)? "end_column"));
        number(out, at.end_column);
    }};
}

/// `nested(out, &diagnostic(f, sources), 2)` written directly: the diagnostics are most of
/// a large report, and serde's general path (a map for the flattened location, a formatter
/// call for every token) was most of the time spent writing them. The tests compare the two.
fn write_diagnostic(out: &mut Vec<u8>, quoted: &mut Quoted, f: &Finding, sources: &SourceMap) {
    out.extend_from_slice(b"{\n      \"rule\": ");
    plain_string(out, f.rule.id);
    out.extend_from_slice(key!("name"));
    plain_string(out, f.rule.name);
    out.extend_from_slice(key!("severity"));
    plain_string(out, f.severity.as_str());
    out.extend_from_slice(key!("message"));
    sentence(out, &f.message);
    let at = Location::of(sources, f.primary.span);
    out.extend_from_slice(key!("file"));
    out.extend_from_slice(quoted.path.of(f.primary.span.file, at.file));
    line_and_columns!(out, &at);
    out.extend_from_slice(key!("resource"));
    match &f.resource {
        Some(resource) => out.extend_from_slice(quoted.resource.of(resource.as_ptr() as usize, resource)),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(key!("help"));
    match &f.help {
        Some(help) => sentence(out, help),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(key!("related"));
    if f.related.is_empty() {
        out.extend_from_slice(b"[]");
    } else {
        for (i, related) in f.related.iter().enumerate() {
            out.extend_from_slice(if i == 0 { b"[\n        {" } else { b",\n        {" });
            let at = Location::of(sources, related.span);
            out.extend_from_slice(b"\n          \"file\": ");
            string(out, at.file);
            line_and_columns!(out, &at, related);
            out.extend_from_slice(key!(related "message"));
            string(out, &related.message);
            out.extend_from_slice(b"\n        }");
        }
        out.extend_from_slice(b"\n      ]");
    }
    out.extend_from_slice(b"\n    }");
}

/// Strings a run of diagnostics repeats, quoted: the file path and the resource address last
/// written (a report's diagnostics come file by file, and several checks report on one
/// resource side by side: each is escaped once for the findings that share it), and fixed
/// sentences (`FIXED`).
#[derive(Default)]
struct Quoted {
    path: LastQuoted<FileId>,
    /// Keyed by the address of the shared text: the run's findings hold it, so no other
    /// text can take that address while the run is rendered.
    resource: LastQuoted<usize>,
}

/// A string quoted, and what names it.
struct LastQuoted<K> {
    key: Option<K>,
    quoted: Vec<u8>,
}

impl<K> Default for LastQuoted<K> {
    fn default() -> Self {
        LastQuoted {
            key: None,
            quoted: Vec::new(),
        }
    }
}

impl<K: PartialEq> LastQuoted<K> {
    /// `text`, named by `key`, quoted: escaped again only when `key` differs from the last.
    fn of(&mut self, key: K, text: &str) -> &[u8] {
        if self.key.as_ref() != Some(&key) {
            self.quoted.clear();
            string(&mut self.quoted, text);
            self.key = Some(key);
        }
        &self.quoted
    }
}

/// The most fixed sentences one thread keeps quoted; past it the thread starts afresh. A
/// process interns at most `INTERNED_AT_MOST` sentences, and most runs have a few thousand;
/// tests keep few, so that their reports start afresh.
const FIXED_AT_MOST: usize = if cfg!(test) { 4 } else { 1 << 17 };

/// Quoted sentences by the address and length of their `&'static str`.
type QuotedByAddress = hashbrown::HashMap<(usize, usize), Box<[u8]>>;

thread_local! {
    /// Fixed sentences (most help texts, most messages) by address, quoted: each escaped once
    /// by each rendering thread rather than once for every run of diagnostics that says it
    /// (on 10,000 modules, a run of 256 diagnostics held some 170 sentences to escape anew).
    /// A `&'static str` never moves nor changes: its address and length name it for as long
    /// as the process runs.
    static FIXED: std::cell::RefCell<QuotedByAddress> = Default::default();
}

/// A finding's sentence, quoted: a fixed one as `FIXED` keeps it.
fn sentence(out: &mut Vec<u8>, text: &crate::diagnostic::Text) {
    match text {
        std::borrow::Cow::Borrowed(fixed) => FIXED.with_borrow_mut(|quoted| {
            if quoted.len() >= FIXED_AT_MOST {
                quoted.clear();
            }
            let key = (fixed.as_ptr() as usize, fixed.len());
            let quoted = quoted.entry(key).or_insert_with(|| {
                let mut quoted = Vec::new();
                string(&mut quoted, fixed);
                quoted.into_boxed_slice()
            });
            out.extend_from_slice(quoted);
        }),
        std::borrow::Cow::Owned(text) => string(out, text),
    }
}

/// What `write_diagnostic` will read, asked for ahead of time.
fn prefetch_diagnostic(f: &Finding, sources: &SourceMap) {
    crate::cache::prefetch(&*f.message);
    if let Some(resource) = &f.resource {
        crate::cache::prefetch(&**resource);
    }
    let file = sources.get(f.primary.span.file);
    crate::cache::prefetch(file.display_path.as_str());
    file.prefetch_line_col(f.primary.span.start as usize);
}

/// `n` in decimal. Lines and columns are nearly always below a thousand: those digits are
/// written as a fixed number of bytes, not copied from a formatting buffer.
fn number(out: &mut Vec<u8>, n: usize) {
    let digit = |d: usize| b'0' + (d % 10) as u8;
    match n {
        0..10 => out.push(digit(n)),
        10..100 => out.extend_from_slice(&[digit(n / 10), digit(n)]),
        100..1000 => out.extend_from_slice(&[digit(n / 100), digit(n / 10), digit(n)]),
        _ => out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes()),
    }
}

/// A JSON string as serde_json escapes it. Runs that need no escape (nearly all of every
/// string) are found sixteen bytes at a time and copied whole; help texts quote names, so
/// an escape is common and must not send the whole string down a slow path.
fn string(out: &mut Vec<u8>, value: &str) {
    let bytes = value.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    while let Some(at) = next_escape(bytes, start) {
        out.extend_from_slice(&bytes[start..at]);
        escape(out, bytes[at]);
        start = at + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// A string known to need no escape (rule ids and names, severities), quoted.
fn plain_string(out: &mut Vec<u8>, value: &'static str) {
    debug_assert!(next_escape(value.as_bytes(), 0).is_none(), "{value:?} needs escaping");
    out.push(b'"');
    out.extend_from_slice(value.as_bytes());
    out.push(b'"');
}

#[cfg(not(target_arch = "x86_64"))]
fn needs_escape(b: u8) -> bool {
    (b < 0x20) | (b == b'"') | (b == b'\\')
}

/// Bytes looked at together: a fixed-size block with no early exit compiles to a few vector
/// compares and a mask.
const LANES: usize = 16;

/// Bit `i` is set when byte `i` of `block` needs an escape: three compares of all sixteen
/// bytes at once and their mask.
#[cfg(target_arch = "x86_64")]
fn escapes(block: &[u8; LANES]) -> u32 {
    use std::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_loadu_si128, _mm_max_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };
    // SAFETY: SSE2, which these need, is part of every x86-64 processor; the load reads the
    // sixteen bytes of `block` (unaligned loads are allowed).
    unsafe {
        let bytes = _mm_loadu_si128(block.as_ptr().cast());
        let is = |b: u8| _mm_cmpeq_epi8(bytes, _mm_set1_epi8(b as i8));
        // Below 0x20 exactly when the larger of the byte and 0x1f is 0x1f.
        let control = _mm_cmpeq_epi8(_mm_max_epu8(bytes, _mm_set1_epi8(0x1f)), _mm_set1_epi8(0x1f));
        _mm_movemask_epi8(_mm_or_si128(_mm_or_si128(is(b'"'), is(b'\\')), control)) as u32
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn escapes(block: &[u8; LANES]) -> u32 {
    block
        .iter()
        .enumerate()
        .fold(0, |mask, (i, &b)| mask | u32::from(needs_escape(b)) << i)
}

/// The first byte at or after `from` that JSON must escape.
fn next_escape(bytes: &[u8], from: usize) -> Option<usize> {
    let first = |mask: u32, at: usize| (mask != 0).then(|| at + mask.trailing_zeros() as usize);
    let mut at = from;
    while let Some(block) = bytes.get(at..at + LANES) {
        let mask = escapes(block.try_into().expect("a block is LANES long"));
        if mask != 0 {
            return first(mask, at);
        }
        at += LANES;
    }
    if at >= bytes.len() {
        return None;
    }
    // Fewer bytes than a block are left: the string's last block answers for them (the
    // bytes it shares with those already seen are masked out), or a copy padded with spaces.
    match bytes.len().checked_sub(LANES) {
        Some(start) => {
            let block = bytes[start..].try_into().expect("a block is LANES long");
            first(escapes(block) >> (at - start), at)
        }
        None => {
            let mut block = [b' '; LANES];
            block[..bytes.len() - at].copy_from_slice(&bytes[at..]);
            first(escapes(&block), at)
        }
    }
}

/// serde_json's escape of one byte: the short forms it has, `\u00XX` for other controls.
fn escape(out: &mut Vec<u8>, byte: u8) {
    let short = match byte {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        0x0c => b'f',
        b'\n' => b'n',
        b'\r' => b'r',
        b'\t' => b't',
        _ => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(byte >> 4) as usize],
                HEX[(byte & 0xf) as usize],
            ]);
            return;
        }
    };
    out.extend_from_slice(&[b'\\', short]);
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

    #[test]
    fn numbers_are_written_in_decimal() {
        for n in [0, 7, 9, 10, 42, 99, 100, 512, 999, 1000, 65_536, usize::MAX] {
            let mut out = Vec::new();
            number(&mut out, n);
            assert_eq!(String::from_utf8(out).unwrap(), n.to_string());
        }
    }

    #[test]
    fn rule_ids_names_and_severities_need_no_escape() {
        let severities = [Severity::Info, Severity::Warning, Severity::Error].map(Severity::as_str);
        let names = crate::rules::all().iter().flat_map(|r| [r.id, r.name]);
        for text in names.chain(severities) {
            assert_eq!(next_escape(text.as_bytes(), 0), None, "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn strings_are_escaped_as_serde_json_escapes_them(
            // Quotes, backslashes, control characters and multi-byte text at every offset of
            // a sixteen-byte block, or any text at all.
            value in "[a-z \"\\\\é€\\x00-\\x1f\\x7f]{0,70}|(?s).{0,70}"
        ) {
            let mut out = Vec::new();
            string(&mut out, &value);
            proptest::prop_assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&value).unwrap());
        }
    }
}
