//! Text → syntax trees. Every failure here (unreadable, not UTF-8, syntax error) becomes an
//! AOAI002 finding that points at the place, and the run goes on with the other files.

pub mod hcl;
pub mod json;
pub mod native;
pub mod object_size;
pub mod syntax;

use std::path::Path;
use std::sync::Arc;

use crate::diagnostic::pipeline::UNREADABLE_FILE;
use crate::diagnostic::{Finding, Label};
use crate::source::{FileId, SourceMap, Span};

pub use syntax::Body;

/// Why a file was not linted: an AOAI002 finding (boxed: it travels on the error path).
pub type FileError = Box<Finding>;

/// A file lowered into a syntax tree.
#[derive(Debug)]
pub struct ParsedFile {
    pub file: FileId,
    pub body: Body,
    pub suppressions: Vec<syntax::Suppression>,
}

const BOM: &str = "\u{feff}";

/// A finding about a file that could not be read at all: it points at the file's start.
pub fn unreadable(sources: &SourceMap, path: &Path, reason: &str) -> Finding {
    let file = sources.add(path, Arc::from(""));
    Finding::new(
        &UNREADABLE_FILE,
        format!("{}: {reason}", crate::source::display_path(path)),
        Label::new(Span::new(file, 0..0), "not linted"),
    )
}

/// How much of a file the linter reads.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_file_size: u64,
}

impl Default for Limits {
    fn default() -> Self {
        // Real Terraform files are kilobytes; 10 MiB leaves room for generated ones while a
        // hostile multi-gigabyte file is refused before it is read.
        Limits {
            max_file_size: 10 * 1024 * 1024,
        }
    }
}

impl Limits {
    /// For files the user names on the command line (a plan, `--var-file`): no limit.
    pub const NONE: Limits = Limits {
        max_file_size: u64::MAX,
    };
}

/// Reads a file as UTF-8 text and registers it; invalid UTF-8 is reported at its offset. A
/// file over the size limit, or one that is not a regular file after all, is reported unread.
pub fn read(sources: &SourceMap, path: &Path, limits: Limits) -> Result<FileId, FileError> {
    let unread = |reason: String| Box::new(unreadable(sources, path, &reason));
    let bytes = read_bytes(path, limits.max_file_size).map_err(|err| match err {
        ReadError::Io(err) => unread(format!("cannot read: {err}")),
        ReadError::NotAFile => unread("not a regular file; not read".to_owned()),
        ReadError::TooLarge(size) => unread(format!(
            "file is {size} bytes, over the limit of {} bytes; not read (raise it with --max-file-size)",
            limits.max_file_size
        )),
    })?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(sources.add(path, Arc::from(text))),
        Err(err) => {
            let offset = err.utf8_error().valid_up_to();
            let lossy = String::from_utf8_lossy(err.as_bytes()).into_owned();
            let file = sources.add(path, Arc::from(lossy));
            Err(Box::new(
                Finding::new(
                    &UNREADABLE_FILE,
                    "file is not valid UTF-8; not linted",
                    Label::new(Span::new(file, offset..offset + 1), "invalid byte sequence here"),
                )
                .with_help("Terraform reads only UTF-8: re-save the file as UTF-8"),
            ))
        }
    }
}

enum ReadError {
    Io(std::io::Error),
    NotAFile,
    TooLarge(u64),
}

/// The file's bytes, its size checked on the open file before anything is read. A regular
/// file is read up to the size it had when opened and no further: the read that would
/// confirm its end was a system call per file.
fn read_bytes(path: &Path, max_size: u64) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let mut open = std::fs::OpenOptions::new();
    open.read(true);
    // Opening a named pipe would wait for a writer: a pull request could hang the run with
    // one swapped in for a file after the walk. Without blocking, the check below refuses it.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut open, libc::O_NONBLOCK);
    let file = open.open(path).map_err(ReadError::Io)?;
    let metadata = file.metadata().map_err(ReadError::Io)?;
    if !metadata.is_file() {
        return Err(ReadError::NotAFile);
    }
    let size = metadata.len();
    if size > max_size {
        return Err(ReadError::TooLarge(size));
    }
    // A size of 0 may be a file whose size the file system does not know (procfs, some
    // FUSE mounts): read it to its end, never past the limit. Otherwise `take` ends the
    // read at the size without asking the system again.
    let expected = if size == 0 { max_size.saturating_add(1) } else { size };
    let mut bytes = Vec::new();
    // A plan or variables file named on the command line has no limit: one too large for
    // memory is an error, not an abort.
    bytes
        .try_reserve_exact(usize::try_from(size).unwrap_or(usize::MAX))
        .map_err(|_| ReadError::Io(std::io::Error::from(std::io::ErrorKind::OutOfMemory)))?;
    file.take(expected).read_to_end(&mut bytes).map_err(ReadError::Io)?;
    if bytes.len() as u64 > max_size {
        return Err(ReadError::TooLarge(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Parses a registered file as HCL native syntax.
pub fn parse_hcl(sources: &SourceMap, file: FileId) -> Result<ParsedFile, FileError> {
    let source = sources.get(file);
    // hcl-edit fails at 1:1 on a byte order mark; parse after it and shift spans back.
    let (shift, text) = match source.text.strip_prefix(BOM) {
        Some(rest) => (BOM.len(), rest),
        None => (0, &*source.text),
    };
    if let Some(at) = object_size::oversized_object(text, object_size::MAX_OBJECT_ENTRIES) {
        let at = shift + at;
        return Err(Box::new(
            Finding::new(
                &UNREADABLE_FILE,
                format!(
                    "an object with more than {} entries: too large to parse in reasonable time; not linted",
                    object_size::MAX_OBJECT_ENTRIES
                ),
                Label::new(Span::new(file, at..at + 1), "this object"),
            )
            .with_help("split it into smaller maps (merge() joins them), or exclude the file in the configuration"),
        ));
    }
    // Most files are read by the native parser; hcl-edit reads the rest, and says what is
    // wrong with a file that does not parse.
    let parsed = match native::parse(text, file, shift) {
        Some(parsed) => Ok(parsed),
        None => hcl_edit_lowered(text, file, shift).or_else(|err| {
            // Terraform reads an object constructor with a key written twice (the last value
            // wins), which hcl-edit refuses: the native parser reads it when it can.
            let keep = native::DuplicateKeys::Keep;
            match err.message().contains("redefined object key") {
                true => native::parse_with(text, file, shift, keep).ok_or(err),
                false => Err(err),
            }
        }),
    };
    match parsed {
        Ok((body, mut suppressions)) => {
            suppressions.extend(file_wide_suppressions(file, &source.text));
            Ok(ParsedFile {
                file,
                body,
                suppressions,
            })
        }
        Err(err) => {
            let offset = shift + err.location().offset();
            let end = (offset + 1).min(source.text.len()).max(offset);
            Err(Box::new(
                Finding::new(
                    &UNREADABLE_FILE,
                    format!("syntax error: {}", first_line(err.message())),
                    Label::new(Span::new(file, offset..end), "the parser stopped here"),
                )
                .with_help("this file was not linted; `terraform fmt` or `terraform validate` shows the same error"),
            ))
        }
    }
}

/// hcl-edit's tree of the text, lowered, with the ignore comments in front of its blocks and
/// attributes: the reference the native parser is held to.
pub fn hcl_edit_lowered(
    text: &str,
    file: FileId,
    shift: usize,
) -> Result<(Body, Vec<syntax::Suppression>), hcl_edit::parser::Error> {
    let body = hcl_edit::parser::parse_body(text)?;
    let lowering = hcl::Lowering::new(file, shift);
    let lowered = lowering.body(&body);
    Ok((lowered, lowering.into_suppressions()))
}

/// `aoai-lint-ignore-file:` comments anywhere in the file. Read line by line: a heredoc
/// line that looks like such a comment would count too.
fn file_wide_suppressions(file: FileId, text: &str) -> Vec<syntax::Suppression> {
    let mut out = Vec::new();
    // Almost no file has one: one search of the text spares looking at every line.
    if !text.contains("aoai-lint-ignore-file") {
        return out;
    }
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some((at, len, suppression)) = hcl::parse_comment(line, "aoai-lint-ignore-file:") {
            out.push(syntax::Suppression {
                comment: Span::new(file, offset + at..offset + at + len),
                target: Span::new(file, 0..text.len()),
                ..suppression
            });
        }
        offset += line.len();
    }
    out
}

fn first_line(message: &str) -> &str {
    message.lines().next().unwrap_or(message).trim()
}

/// Parses a registered file in Terraform's JSON syntax (`.tf.json`).
pub fn parse_tf_json(sources: &SourceMap, file: FileId) -> Result<ParsedFile, FileError> {
    let source = sources.get(file);
    let (shift, text) = match source.text.strip_prefix(BOM) {
        Some(rest) => (BOM.len(), rest),
        None => (0, &*source.text),
    };
    let fail = |err: json::JsonError| json_error(file, shift, &source.text, err);
    let document = json::read(text).map_err(fail)?;
    let mut lowering = json::JsonLowering::new(file, text, shift);
    let body = lowering.file(&document).map_err(fail)?;
    Ok(ParsedFile {
        file,
        body,
        suppressions: lowering.suppressions,
    })
}

/// A `.tfvars.json` file: one object whose members are literal values (no templates).
pub fn parse_tfvars_json(sources: &SourceMap, file: FileId) -> Result<Vec<(String, syntax::Expr)>, FileError> {
    let source = sources.get(file);
    let (shift, text) = match source.text.strip_prefix(BOM) {
        Some(rest) => (BOM.len(), rest),
        None => (0, &*source.text),
    };
    let fail = |err: json::JsonError| json_error(file, shift, &source.text, err);
    let document = json::read(text).map_err(fail)?;
    let lowering = json::JsonLowering::new(file, text, shift);
    lowering.literal_members(&document).map_err(fail)
}

fn json_error(file: FileId, shift: usize, text: &str, err: json::JsonError) -> FileError {
    let offset = (err.offset + shift).min(text.len());
    let end = text[offset..].chars().next().map_or(offset, |c| offset + c.len_utf8());
    Box::new(
        Finding::new(
            &UNREADABLE_FILE,
            err.message,
            Label::new(Span::new(file, offset..end), "the parser stopped here"),
        )
        .with_help("this file was not linted"),
    )
}

/// Whether `path` is in Terraform's JSON syntax (`main.tf.json`, `terraform.tfvars.json`).
pub fn is_json(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "json")
}

/// Parses a registered file by its kind: Terraform JSON or native syntax.
pub fn parse_file(sources: &SourceMap, file: FileId, path: &Path) -> Result<ParsedFile, FileError> {
    if is_json(path) {
        parse_tf_json(sources, file)
    } else {
        parse_hcl(sources, file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use syntax::ExprKind;

    fn parse_text(text: &str) -> (SourceMap, Result<ParsedFile, FileError>) {
        let sources = SourceMap::default();
        let file = sources.add(Path::new("t.tf"), Arc::from(text));
        let parsed = parse_hcl(&sources, file);
        (sources, parsed)
    }

    #[test]
    fn keeps_spans_on_attributes_and_blocks() {
        let text = "resource \"a\" \"b\" {\n  location = \"eastus\"\n}\n";
        let (_, parsed) = parse_text(text);
        let body = parsed.unwrap().body;
        let block = &body.blocks[0];
        assert_eq!(block.labels, ["a", "b"]);
        assert_eq!(&text[block.head.range()], "resource \"a\" \"b\"");
        let attr = block.body.attribute("location").unwrap();
        assert_eq!(&text[attr.value.span.range()], "\"eastus\"");
        assert!(matches!(&attr.value.kind, ExprKind::String(s) if s == "eastus"));
    }

    #[test]
    fn an_object_key_written_twice_is_read_as_terraform_reads_it() {
        let text = "locals {\n  tags = {\n    env = \"dev\"\n    env = \"prod\"\n  }\n}\n";
        let (_, parsed) = parse_text(text);
        let body = parsed.expect("Terraform reads it: the last value wins").body;
        let tags = &body.blocks[0].body.attribute("tags").unwrap().value;
        assert!(matches!(&tags.kind, ExprKind::Object(entries) if entries.len() == 2));
        // An argument written twice in a block is an error for Terraform too.
        let (_, twice) = parse_text("resource \"a\" \"b\" {\n  x = 1\n  x = 2\n}\n");
        assert!(twice.is_err());
    }

    #[test]
    fn a_bom_is_skipped_and_spans_still_match_the_file() {
        let text = "\u{feff}a = \"x\"\n";
        let (_, parsed) = parse_text(text);
        let attr = &parsed.unwrap().body.attributes[0];
        assert_eq!(&text[attr.value.span.range()], "\"x\"");
    }

    #[test]
    fn syntax_errors_point_at_the_place() {
        let (sources, parsed) = parse_text("resource \"a\" \"b\" {\n  x = \n");
        let finding = parsed.unwrap_err();
        assert_eq!(finding.rule.id, "AOAI002");
        let file = sources.get(finding.primary.span.file);
        assert!(file.line_col(finding.primary.span.start as usize).line >= 2);
    }

    #[test]
    fn deep_nesting_is_a_parse_error_not_a_crash() {
        let text = format!("a = {}1{}\n", "(".repeat(100_000), ")".repeat(100_000));
        let (_, parsed) = parse_text(&text);
        assert!(parsed.is_err());
    }

    #[test]
    fn a_file_that_cannot_be_read_is_reported() {
        let sources = SourceMap::default();
        let finding = read(&sources, Path::new("/nonexistent/dir/main.tf"), Limits::default()).unwrap_err();
        assert_eq!(finding.rule.id, "AOAI002");
        assert!(finding.message.contains("cannot read"), "{}", finding.message);
    }

    #[test]
    fn invalid_utf8_is_reported_at_its_offset() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("bad.tf");
        std::fs::write(&path, b"a = \"\xff\"\n").unwrap();
        let sources = SourceMap::default();
        let finding = read(&sources, &path, Limits::default()).unwrap_err();
        assert_eq!(finding.primary.span.start, 5);
    }

    #[test]
    fn a_file_over_the_limit_is_reported_unread_and_one_at_it_is_read() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("big.tf");
        std::fs::write(&path, "#".repeat(100)).unwrap();
        let sources = SourceMap::default();
        let finding = read(&sources, &path, Limits { max_file_size: 99 }).unwrap_err();
        assert!(
            finding.message.contains("100 bytes, over the limit of 99"),
            "{}",
            finding.message
        );
        assert_eq!(
            &*sources.get(finding.primary.span.file).text,
            "",
            "nothing of it is kept"
        );
        let file = read(&sources, &path, Limits { max_file_size: 100 }).unwrap();
        assert_eq!(sources.get(file).text.len(), 100);
    }

    #[cfg(unix)]
    #[test]
    fn a_named_pipe_is_reported_without_waiting_for_a_writer() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("pipe.tf");
        let name = std::ffi::CString::new(path.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: `name` is a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
        let sources = SourceMap::default();
        let finding = read(&sources, &path, Limits::default()).unwrap_err();
        assert!(finding.message.contains("not a regular file"), "{}", finding.message);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_file_that_reports_no_size_is_read_to_its_end_within_the_limit() {
        // procfs files say they are empty and are not.
        let sources = SourceMap::default();
        let file = read(&sources, Path::new("/proc/self/status"), Limits::default()).unwrap();
        assert!(sources.get(file).text.contains("Name:"));
        let finding = read(&sources, Path::new("/proc/self/status"), Limits { max_file_size: 10 }).unwrap_err();
        assert!(finding.message.contains("over the limit of 10"), "{}", finding.message);
    }
}
