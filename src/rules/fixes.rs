//! The edits the rules' fixes are made of: a value rewritten where it is written, and an
//! attribute written into a block the way `terraform fmt` would leave it.

use std::ops::Range;

use hcl_edit::Span as _;
use hcl_edit::structure::Structure;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use super::Context;
use crate::diagnostic::{Edit, Fix, Safety};
use crate::eval::value::Via;
use crate::facts::Field;
use crate::source::{FileId, SourceMap, Span};

/// What fixes learn of the files, asked once per instance and kept for one configuration:
/// ten thousand instances of one block read their module, and lay out their block, once.
#[derive(Debug, Default)]
pub struct Memo {
    /// By the module's folder and the question.
    counts: Mutex<HashMap<(PathBuf, String), usize>>,
    /// By block and attribute.
    insertions: Mutex<HashMap<(Span, String), Laid>>,
}

/// How an attribute is written into a block, or `None` when it is not.
type Laid = Option<Vec<Edit>>;

impl Memo {
    /// `count()` for `question` about the module of `file`, worked out once.
    pub fn count(&self, sources: &SourceMap, file: FileId, question: String, count: impl FnOnce() -> usize) -> usize {
        let folder = sources.get(file).path.parent().map(PathBuf::from).unwrap_or_default();
        let key = (folder, question);
        if let Some(&known) = lock(&self.counts).get(&key) {
            return known;
        }
        let counted = count();
        lock(&self.counts).insert(key, counted);
        counted
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A fix of one edit: `replacement` where `field`'s value is written ([`written_place`]),
/// when the text there is still `expected` (it is not applied otherwise). `home` is the
/// resource block the field belongs to.
pub fn rewrite_where_written<T>(
    cx: &Context<'_>,
    (field, home): (&Field<T>, Option<Span>),
    (expected, replacement): (String, String),
    safety: Safety,
    description: String,
) -> Option<Fix> {
    Some(Fix {
        safety,
        description: description.into(),
        edits: vec![rewrite(cx, (field, home), expected, replacement)?],
    })
}

/// The edit that writes `replacement` where `field`'s value is written ([`written_place`]).
pub fn rewrite<T>(
    cx: &Context<'_>,
    (field, home): (&Field<T>, Option<Span>),
    expected: String,
    replacement: String,
) -> Option<Edit> {
    Some(Edit {
        span: written_place(cx, field, home)?,
        expected,
        replacement,
    })
}

/// Where `field`'s value is written, when a fix may rewrite it there: the innermost place it
/// came from (a variable's default, a tfvars line, a local, a module call's argument, an entry
/// of a map; else the attribute itself), and only when nothing else reads it there:
/// - every variable and local it passed through is read once in its module (a read that
///   picks another entry of the same object does not count);
/// - an entry of a literal object or map is inside the definition the value was last read
///   through, or inside the resource block `home` (a `for` expression or a function in
///   between could have read it from elsewhere, which is not known);
/// - it did not come from a module's output or another resource's attribute;
/// - no step of its way was dropped.
fn written_place<T>(cx: &Context<'_>, field: &Field<T>, home: Option<Span>) -> Option<Span> {
    let sources = cx.sources;
    if field.origin.is_full() {
        return None;
    }
    let steps: Vec<_> = field.origin.steps().collect();
    // What holds the next entry: the resource block, then each definition read through.
    let mut holder = home;
    for (i, (label, via)) in steps.iter().enumerate() {
        let name = match via {
            None => continue,
            Some(Via::Output | Via::Attribute) => return None,
            Some(Via::Entry) if holder.is_some_and(|h| contains(h, label.span)) => continue,
            Some(Via::Entry) => return None,
            Some(Via::Variable { name, declared }) => (format!("var.{name}"), declared),
            Some(Via::Local { name, declared }) => (format!("local.{name}"), declared),
        };
        // A read that picks another entry of the definition reads something else; only a
        // direct entry tells which (a step between may have been lost in a conversion).
        let entry = match steps.get(i + 1) {
            Some((next, Some(Via::Entry))) if direct_entry(sources, label.span, next.span) => {
                entry_key(sources, next.span)
            }
            _ => None,
        };
        if reads(cx, name.1.file, &name.0, entry.as_deref()) != 1 {
            return None;
        }
        holder = Some(label.span);
    }
    Some(written_at(field))
}

fn contains(outer: Span, inner: Span) -> bool {
    outer.file == inner.file && outer.start <= inner.start && inner.end <= outer.end
}

/// Whether `entry` is written directly in the object literal `holder` is (not in an object
/// inside it): the braces and brackets between them balance.
fn direct_entry(sources: &SourceMap, holder: Span, entry: Span) -> bool {
    let text = &sources.get(holder.file).text;
    let Some(between) = text.get(holder.start as usize..entry.start as usize) else {
        return false;
    };
    let Some(inside) = between.trim_start().strip_prefix('{') else {
        return false;
    };
    let (mut depth, mut in_string, mut escaped) = (0i64, false, false);
    for c in inside.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '{' | '[' if !in_string => depth += 1,
            '}' | ']' if !in_string => depth -= 1,
            _ => {}
        }
    }
    depth == 0 && !in_string
}

/// The key an entry of a literal object is written under: `keys` for `keys = true`.
fn entry_key(sources: &SourceMap, entry: Span) -> Option<String> {
    let text = &sources.get(entry.file).text;
    let line_start = text[..entry.start as usize].rfind('\n').map_or(0, |n| n + 1);
    let before = text[line_start..entry.start as usize].trim_end();
    let before = before.strip_suffix(['=', ':'])?.trim_end();
    let key = before.trim_end_matches('"');
    let start = key
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .map_or(0, |i| i + 1);
    Some(key[start..].to_owned()).filter(|k| !k.is_empty())
}

/// For each place, what every item written there wants, when they all want the same (else
/// `None`): instances, module calls and configurations that share one written value are
/// fixed together or not at all. Worked out once for all items, not once per item.
pub fn agreed<K: std::hash::Hash + Eq, V: PartialEq>(
    wants: impl IntoIterator<Item = (K, Option<V>)>,
) -> std::collections::HashMap<K, Option<V>> {
    let mut out = std::collections::HashMap::new();
    for (place, want) in wants {
        match out.entry(place) {
            std::collections::hash_map::Entry::Vacant(new) => {
                new.insert(want);
            }
            std::collections::hash_map::Entry::Occupied(mut seen) => {
                if *seen.get() != want {
                    seen.insert(None);
                }
            }
        }
    }
    out
}

/// Whether rewriting where `field` is written would also rename the deployment (named after
/// its model, say through `name = each.value.model`): clients call it by that name.
pub fn renames(deployment: &crate::facts::Deployment, field: &Field<String>) -> bool {
    !deployment.name.is_absent() && written_at(&deployment.name) == written_at(field)
}

/// The innermost place `field`'s value came from, whoever else reads it: what tells two
/// instances that share one written value.
pub fn written_at<T>(field: &Field<T>) -> Span {
    field.origin.steps().last().map_or(field.span, |(label, _)| label.span)
}

/// How often `name` (`var.x`, `local.y`) is read in the module of
/// `file`: the Terraform files of its folder. With `entry`, a read that picks another entry
/// (`var.x.other`, `var.x["other"]`) does not count. Comments count too, which only ever
/// makes a fix less likely.
fn reads(cx: &Context<'_>, file: FileId, name: &str, entry: Option<&str>) -> usize {
    let question = format!("reads of {name}, picking {entry:?}");
    cx.memo.count(cx.sources, file, question, || {
        count_reads(cx.sources, file, name, entry)
    })
}

fn count_reads(sources: &SourceMap, file: FileId, name: &str, entry: Option<&str>) -> usize {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'-';
    let picks_another = |rest: &str| {
        let Some(entry) = entry else {
            return false;
        };
        let picked = match rest.strip_prefix('.') {
            Some(attr) => attr
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
                .next(),
            None => rest.strip_prefix("[\"").and_then(|key| key.split('"').next()),
        };
        picked.is_some_and(|picked| !picked.is_empty() && picked != entry)
    };
    module_texts(sources, file)
        .into_iter()
        .map(|source| {
            let text = source.as_bytes();
            source
                .match_indices(name)
                .filter(|(at, _)| {
                    let before = at.checked_sub(1).map(|i| text[i]);
                    let after = text.get(at + name.len()).copied();
                    !before.is_some_and(|b| word(b) || b == b'.')
                        && !after.is_some_and(word)
                        && !picks_another(&source[at + name.len()..])
                })
                .count()
        })
        .sum()
}

/// The Terraform files of `file`'s module (its folder), as read.
pub fn module_texts(sources: &SourceMap, file: FileId) -> Vec<&str> {
    let Some(folder) = sources.get(file).path.parent() else {
        return Vec::new();
    };
    let is_terraform = |path: &std::path::Path| {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        [".tf", ".tf.json", ".tofu", ".tofu.json"]
            .iter()
            .any(|ext| name.ends_with(ext))
    };
    sources
        .in_folder(folder)
        .into_iter()
        .map(|id| sources.get(id))
        .filter(|source| is_terraform(&source.path))
        .map(|source| &*source.text)
        .collect()
}

/// How a resource instance is referred to in its module: `azurerm_cognitive_account.this`
/// for `module.m.azurerm_cognitive_account.this["a"]`.
pub fn reference(address: &str) -> Option<&str> {
    let bare = match address.strip_suffix(']') {
        Some(_) => &address[..address.rfind('[')?],
        None => address,
    };
    let name_at = bare.rfind('.')?;
    let type_at = bare[..name_at].rfind('.').map_or(0, |i| i + 1);
    Some(&bare[type_at..])
}

/// The text at `span`.
pub fn text_at(sources: &SourceMap, span: Span) -> Option<&str> {
    sources.get(span.file).text.get(span.range())
}

/// A fix that writes `key = value` into the block whose whole text (keyword to closing
/// brace) is `block`, on a line of its own after `after`'s first attribute found (else after
/// the last one-line attribute before a nested block), with the `=` signs of the neighbouring lines
/// aligned as `terraform fmt` aligns them. `None` when the block already writes `key`, is
/// written on one line, or lines up with a trailing comment (whose alignment `terraform fmt`
/// would also move): the finding then has no fix rather than one that leaves work behind.
pub fn insert_attribute(
    cx: &Context<'_>,
    block: Span,
    (key, value): (&str, &str),
    after: &[&str],
    safety: Safety,
    description: String,
) -> Option<Fix> {
    let lay_out = || {
        let text = &cx.sources.get(block.file).text;
        let edits = insertion(text, block.range(), key, value, after)?;
        let edit = |(range, expected, replacement)| Edit {
            span: Span::new(block.file, range),
            expected,
            replacement,
        };
        Some(edits.into_iter().map(edit).collect::<Vec<_>>())
    };
    let memo_key = (block, format!("{key} = {value}"));
    let known = lock(&cx.memo.insertions).get(&memo_key).cloned();
    let edits = match known {
        Some(edits) => edits,
        None => {
            let edits = lay_out();
            lock(&cx.memo.insertions).insert(memo_key, edits.clone());
            edits
        }
    }?;
    Some(Fix {
        safety,
        description: description.into(),
        edits,
    })
}

/// One line of a block as `terraform fmt` sees it when it aligns `=` signs.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Line {
    /// One attribute alone on the line: where its name ends and its `=` is.
    Assign { key_end: usize, equals: usize },
    /// One attribute followed by a comment.
    Commented,
    /// Anything else (blank, a comment, a block's brace, part of a longer value): it ends a
    /// run of aligned lines.
    Other,
}

type RawEdit = (Range<usize>, String, String);

/// A block's lines as `terraform fmt` aligns them, and its attributes in order.
struct Layout<'t> {
    /// Where each line the block touches starts.
    lines: Vec<usize>,
    kinds: Vec<Line>,
    /// Each attribute's name and whole text.
    attributes: Vec<(&'t str, Range<usize>)>,
    /// Where the first nested block starts.
    first_block: Option<usize>,
}

impl Layout<'_> {
    fn line_of(&self, offset: usize) -> usize {
        self.lines.partition_point(|&start| start <= offset) - 1
    }

    /// The attribute the new line goes after: the first of `after` written, else the last
    /// one-line attribute before a nested block (where `terraform fmt` users keep their
    /// arguments), else the last before a nested block, else the last.
    fn anchor(&self, text: &str, after: &[&str]) -> Option<&Range<usize>> {
        let before_blocks = |r: &Range<usize>| self.first_block.is_none_or(|b| r.start < b);
        let one_line = |r: &Range<usize>| !text[r.clone()].contains('\n');
        let attributes = &self.attributes;
        after
            .iter()
            .find_map(|name| attributes.iter().find(|(k, _)| k == name))
            .or_else(|| attributes.iter().rfind(|(_, r)| before_blocks(r) && one_line(r)))
            .or_else(|| attributes.iter().rfind(|(_, r)| before_blocks(r)))
            .or(attributes.last())
            .map(|(_, r)| r)
    }
}

/// Reads how the block at `block` is laid out; `None` when it is not one block.
fn layout<'t>(text: &str, block: &Range<usize>, parsed: &'t hcl_edit::structure::Body) -> Option<Layout<'t>> {
    let shift = block.start;
    let lines = line_starts(text, block.clone());
    let mut layout = Layout {
        kinds: vec![Line::Other; lines.len()],
        lines,
        attributes: Vec::new(),
        first_block: None,
    };
    for structure in parsed.iter() {
        let range = structure.span()?;
        let range = range.start + shift..range.end + shift;
        let Structure::Attribute(attr) = structure else {
            layout.first_block.get_or_insert(range.start);
            continue;
        };
        let key_end = attr.key.span()?.end + shift;
        layout.attributes.push((attr.key.as_str(), range.clone()));
        let line = layout.line_of(range.start);
        let line_start = layout.lines[line];
        let line_end = layout.lines.get(line + 1).copied().unwrap_or(block.end);
        if line != layout.line_of(range.end) || !text[line_start..range.start].trim().is_empty() {
            continue;
        }
        layout.kinds[line] = if !text[range.end..line_end].trim().is_empty() {
            Line::Commented
        } else {
            let equals = key_end + text[key_end..range.end].find('=')?;
            Line::Assign { key_end, equals }
        };
    }
    Some(layout)
}

/// The edits [`insert_attribute`] makes, as byte ranges of `text`.
fn insertion(text: &str, block: Range<usize>, key: &str, value: &str, after: &[&str]) -> Option<Vec<RawEdit>> {
    let src = text.get(block.clone())?;
    let parsed = hcl_edit::parser::parse_body(src).ok()?;
    let mut structures = parsed.iter();
    let (Some(Structure::Block(parsed)), None) = (structures.next(), structures.next()) else {
        return None;
    };
    if !src.contains('\n') || parsed.body.get_attribute(key).is_some() {
        return None;
    }
    let layout = layout(text, &block, &parsed.body)?;
    let lines = &layout.lines;
    // The new line goes after the anchor's last line, indented as the anchor is; with no
    // attribute at all, after the opening line, two spaces in.
    let (at_line, indent) = match layout.anchor(text, after) {
        Some(range) => {
            let line = layout.line_of(range.start);
            (layout.line_of(range.end) + 1, text[lines[line]..range.start].to_owned())
        }
        None => {
            let indent: String = text[lines[0]..].chars().take_while(|c| *c == ' ').collect();
            (1, indent + "  ")
        }
    };
    let at = *lines.get(at_line)?;
    let newline = if text[..at].ends_with("\r\n") { "\r\n" } else { "\n" };
    // The run of aligned lines the new one joins.
    let kinds = &layout.kinds;
    let up = (0..at_line)
        .rev()
        .take_while(|&l| kinds[l] != Line::Other)
        .last()
        .unwrap_or(at_line);
    let down = (at_line..kinds.len())
        .take_while(|&l| kinds[l] != Line::Other)
        .last()
        .map_or(at_line, |l| l + 1);
    let run = &kinds[up..down];
    if run.contains(&Line::Commented) {
        return None;
    }
    let column = |offset: usize, line: usize| text[lines[line]..offset].chars().count();
    let widths = run.iter().zip(up..).filter_map(|(kind, line)| match kind {
        Line::Assign { key_end, .. } => Some(column(*key_end, line)),
        _ => None,
    });
    let widest = widths.chain([indent.chars().count() + key.chars().count()]).max()?;
    let mut edits = Vec::new();
    for (kind, line) in run.iter().zip(up..) {
        let Line::Assign { key_end, equals } = *kind else {
            continue;
        };
        let gap = &text[key_end..equals];
        if !gap.chars().all(|c| c == ' ' || c == '\t') {
            return None;
        }
        let wanted = " ".repeat(widest - column(key_end, line) + 1);
        if gap != wanted {
            edits.push((key_end..equals, gap.to_owned(), wanted));
        }
    }
    let pad = " ".repeat(widest - indent.chars().count() - key.chars().count() + 1);
    edits.push((at..at, String::new(), format!("{indent}{key}{pad}= {value}{newline}")));
    Some(edits)
}

/// Where each line of `text` that `range` touches starts.
fn line_starts(text: &str, range: Range<usize>) -> Vec<usize> {
    let first = text[..range.start].rfind('\n').map_or(0, |n| n + 1);
    let mut starts = vec![first];
    starts.extend(
        text[range.start..range.end]
            .match_indices('\n')
            .map(|(n, _)| range.start + n + 1),
    );
    starts
}

#[cfg(test)]
mod tests {
    use super::insertion;

    /// `text` with `key = value` inserted into its first block, as the edits leave it.
    fn inserted(text: &str, key: &str, value: &str, after: &[&str]) -> Option<String> {
        let start = text.find(|c: char| c.is_ascii_alphabetic())?;
        let end = text.rfind('}')? + 1;
        let mut edits = insertion(text, start..end, key, value, after)?;
        edits.sort_by_key(|(range, _, _)| std::cmp::Reverse(range.start));
        let mut out = text.to_owned();
        for (range, expected, replacement) in edits {
            assert_eq!(&out[range.clone()], expected);
            out.replace_range(range, &replacement);
        }
        Some(out)
    }

    #[test]
    fn an_attribute_joins_its_neighbours_alignment() {
        let cases: &[(&str, &str, &[&str], Option<&str>)] = &[
            (
                "the run widens",
                "sku {\n  name = \"Standard\"\n}\n",
                &["name"],
                Some("sku {\n  name     = \"Standard\"\n  capacity = 1\n}\n"),
            ),
            (
                "the new key is the narrower",
                "resource \"a\" \"b\" {\n  cognitive_account_id = x\n}\n",
                &[],
                Some("resource \"a\" \"b\" {\n  cognitive_account_id = x\n  capacity             = 1\n}\n"),
            ),
            (
                "a blank line ends the run",
                "r {\n  name = 1\n\n  longer_name = 2\n  model {\n  }\n}\n",
                &[],
                Some("r {\n  name = 1\n\n  longer_name = 2\n  capacity    = 1\n  model {\n  }\n}\n"),
            ),
            (
                "lines below join the run",
                "r {\n  name = 1\n  b    = 2\n}\n",
                &["name"],
                Some("r {\n  name     = 1\n  capacity = 1\n  b        = 2\n}\n"),
            ),
            (
                "after the one-line attributes, not a multi-line value",
                "r {\n  name = 1\n\n  tags = {\n    a = 1\n  }\n}\n",
                &[],
                Some("r {\n  name     = 1\n  capacity = 1\n\n  tags = {\n    a = 1\n  }\n}\n"),
            ),
            (
                "after a multi-line value, a run of its own",
                "r {\n  tags = {\n    a = 1\n  }\n}\n",
                &[],
                Some("r {\n  tags = {\n    a = 1\n  }\n  capacity = 1\n}\n"),
            ),
            (
                "an empty block",
                "  sku {\n  }\n",
                &[],
                Some("  sku {\n    capacity = 1\n  }\n"),
            ),
            (
                "CRLF stays",
                "sku {\r\n  name = \"S\"\r\n}\r\n",
                &[],
                Some("sku {\r\n  name     = \"S\"\r\n  capacity = 1\r\n}\r\n"),
            ),
            ("already written", "sku {\n  capacity = 2\n}\n", &[], None),
            ("one line", "sku { name = \"S\" }\n", &[], None),
            (
                "a trailing comment in the run",
                "sku {\n  name = \"S\" # why\n}\n",
                &[],
                None,
            ),
        ];
        for (what, text, after, want) in cases {
            assert_eq!(inserted(text, "capacity", "1", after).as_deref(), *want, "{what}");
        }
    }
}
