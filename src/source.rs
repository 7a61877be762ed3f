//! Source files kept for rendering, and the spans that point into them.
//!
//! Syntax trees are dropped module by module; only the text of each file survives the
//! pipeline so that a diagnostic can show the lines it points at.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Index of a file in the [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub file: FileId,
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(file: FileId, range: Range<usize>) -> Span {
        Span {
            file,
            start: saturate(range.start),
            end: saturate(range.end.max(range.start)),
        }
    }

    pub fn range(&self) -> Range<usize> {
        self.start as usize..self.end as usize
    }
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// One file's text with a line-start index (hcl-edit nodes carry byte offsets only).
#[derive(Debug)]
pub struct SourceFile {
    /// The path as it is shown to the user: relative to the working directory when possible.
    pub display_path: String,
    pub path: PathBuf,
    pub text: Arc<str>,
    line_starts: Vec<u32>,
    /// Its text is never shown (a variables file from outside the repository): findings
    /// point into it by position only.
    private: std::sync::atomic::AtomicBool,
}

/// A 1-based line and column, the column counted in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    /// Whether the text may be shown as a snippet.
    pub fn is_private(&self) -> bool {
        self.private.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn new(path: PathBuf, display_path: String, text: Arc<str>) -> SourceFile {
        // Counted first, so that the index of a monorepo's million lines is allocated once
        // at its size (collecting would double it as it grows, half of it unused).
        let mut line_starts = Vec::with_capacity(1 + memchr::memchr_iter(b'\n', text.as_bytes()).count());
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| saturate(i + 1)));
        SourceFile {
            display_path,
            path,
            text,
            line_starts,
            private: std::sync::atomic::AtomicBool::new(false),
        }
    }

    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line = self
            .line_starts
            .partition_point(|&start| start as usize <= offset)
            .saturating_sub(1);
        self.column_on(line, offset)
    }

    /// [`line_col`](Self::line_col) of both ends of `start..end`. Most spans end on the line
    /// they start on: the end's line is looked for from the start's, not searched for anew.
    pub fn line_cols(&self, start: usize, end: usize) -> (LineCol, LineCol) {
        let from = self.line_col(start);
        let end = end.min(self.text.len());
        let start = start.min(self.text.len());
        let next_lines = self.line_starts.get(from.line..).unwrap_or_default();
        let later = match next_lines.first() {
            Some(&next) if next as usize <= end => next_lines.partition_point(|&start| start as usize <= end),
            // On the start's line: only the span's own characters are counted on.
            _ if self.text.is_char_boundary(start) => match self.text.get(start..end) {
                Some(span) => {
                    let column = from.column + characters(span);
                    return (
                        from,
                        LineCol {
                            line: from.line,
                            column,
                        },
                    );
                }
                None => 0,
            },
            _ => 0,
        };
        (from, self.column_on(from.line - 1 + later, end))
    }

    /// The position of `offset` on the line with index `line` (which holds it): a column
    /// counts characters, or bytes where `offset` splits one.
    fn column_on(&self, line: usize, offset: usize) -> LineCol {
        let line_start = self.line_starts[line] as usize;
        let column = self
            .text
            .get(line_start..offset)
            .map_or(offset - line_start, characters)
            + 1;
        LineCol { line: line + 1, column }
    }

    /// The byte range of the line holding `offset`, without its line break.
    pub fn line_range(&self, offset: usize) -> Range<usize> {
        let line = self.line_col(offset).line - 1;
        let start = self.line_starts[line] as usize;
        let end = self
            .line_starts
            .get(line + 1)
            .map_or(self.text.len(), |&next| next as usize);
        let text = &self.text[start..end];
        let trimmed = text.trim_end_matches(['\n', '\r']);
        start..start + trimmed.len()
    }
}

/// How many characters `text` holds. A column is nearly always a few dozen ASCII bytes
/// from its line's start, and a report works out hundreds of thousands of them: a word-wide
/// ASCII check is cheaper than decoding them one by one.
fn characters(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.chars().count()
    }
}

/// Every file the run read, shared by all stages. Files are added from every worker thread
/// and looked up hundreds of thousands of times on a large run (each finding's position): an
/// append-only vector whose reads take no lock, and whose elements never move.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: boxcar::Vec<SourceFile>,
    index: std::sync::Mutex<Index>,
}

/// The files read, by folder (for what must read a module's files together: whether a fix's
/// variable is read elsewhere) and by path (to give a file read twice one id).
#[derive(Debug, Default)]
struct Index {
    by_folder: HashMap<PathBuf, Vec<FileId>>,
    by_path: HashMap<PathBuf, Vec<FileId>>,
}

impl SourceMap {
    /// The file's id: the one it already has when it was read before with the same text (a
    /// module outside the scanned folders, read by each configuration that calls it), so
    /// that its findings and fixes are one.
    pub fn add(&self, path: &Path, text: Arc<str>) -> FileId {
        let mut index = self.index.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let same_path = index.by_path.entry(path.to_path_buf()).or_default();
        if let Some(&id) = same_path.iter().find(|&&id| self.get(id).text == text) {
            return id;
        }
        let file = SourceFile::new(path.to_path_buf(), display_path(path), text);
        let id = FileId(saturate(self.files.push(file)));
        same_path.push(id);
        let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
        index.by_folder.entry(folder).or_default().push(id);
        id
    }

    /// The files read from `folder` so far.
    pub fn in_folder(&self, folder: &Path) -> Vec<FileId> {
        let index = self.index.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        index.by_folder.get(folder).cloned().unwrap_or_default()
    }

    /// Text that comes from no file (a `--var` argument), shown under `name`.
    pub fn add_virtual(&self, name: &str, text: &str) -> FileId {
        let file = SourceFile::new(PathBuf::from(name), name.to_owned(), Arc::from(text));
        FileId(saturate(self.files.push(file)))
    }

    /// The file's text is never to be shown (see [`SourceFile::is_private`]).
    pub fn keep_private(&self, id: FileId) {
        self.get(id).private.store(true, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }
}

/// Paths in reports are relative to the working directory (the JSON contract), with `/`
/// separators so that output is the same on every platform.
pub fn display_path(path: &Path) -> String {
    // Read once: nothing in the linter changes the working directory, and every file asks.
    static CWD: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    let cwd = CWD.get_or_init(|| std::env::current_dir().ok());
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.as_ref().map_or(path.to_path_buf(), |cwd| cwd.join(path))
    };
    let Some(relative) = cwd.as_ref().and_then(|cwd| absolute.strip_prefix(cwd).ok()) else {
        // Outside the working directory: the absolute path says where.
        return path.to_string_lossy().replace('\\', "/");
    };
    let text = relative
        .components()
        .filter(|c| !matches!(c, std::path::Component::CurDir))
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/");
    if text.is_empty() { ".".into() } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_ends_of_a_span_are_placed_as_one_at_a_time() {
        let text = "ab\n\u{e9}x = 1\r\n\nlast";
        let file = SourceFile::new("a.tf".into(), "a.tf".into(), text.into());
        for start in 0..=text.len() + 2 {
            for end in start..=text.len() + 2 {
                assert_eq!(
                    file.line_cols(start, end),
                    (file.line_col(start), file.line_col(end)),
                    "{start}..{end}"
                );
            }
        }
    }

    #[test]
    fn line_col_counts_characters_from_one() {
        let file = SourceFile::new("a.tf".into(), "a.tf".into(), "ab\n\u{e9}x = 1\n".into());
        assert_eq!(file.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(file.line_col(3), LineCol { line: 2, column: 1 });
        // 'x' follows a two-byte character: byte 5, character column 2.
        assert_eq!(file.line_col(5), LineCol { line: 2, column: 2 });
        assert_eq!(file.line_range(4), 3..10);
    }

    #[test]
    fn line_range_drops_crlf() {
        let file = SourceFile::new("a.tf".into(), "a.tf".into(), "ab\r\ncd".into());
        assert_eq!(file.line_range(0), 0..2);
        assert_eq!(file.line_range(5), 4..6);
    }
}
