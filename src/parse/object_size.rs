//! A bound on the size of one object literal, checked before hcl-edit parses a file.
//!
//! hcl-edit checks every key of an object literal against all the keys before it (its
//! objects are vectors), so parsing one object of n entries takes time in n²: 32,000 entries
//! (a 1 MB file) took 6 s, and a 10 MB file made of one object would take about ten minutes.
//! A pull request can contain such a file. Block bodies and lists parse in linear time and
//! are not limited.
//!
//! The scan is a small lexer of its own, not the parser (the parser is what cannot be run):
//! it knows strings, comments and heredocs well enough that braces inside them are not
//! counted, and it tells an object's `{` from a block's by what comes before it (an object
//! follows `=`, `:`, `,`, an operator or an opening bracket; a block follows its type or its
//! last label). A string that it misreads ends at the end of its line, as in HCL.

/// The most entries one object literal may have, counted as the newlines and commas directly
/// inside it (about half a second of parsing at most).
pub const MAX_OBJECT_ENTRIES: usize = 10_000;

/// The byte offset of the first `{` of an object literal with more than `limit` entries.
pub fn oversized_object(text: &str, limit: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    // Entries are separated by newlines or commas: most files have too few of them to need
    // the scan at all, and most are too short to hold that many (a file read long before it
    // is parsed is no longer in the cache: counting would fetch it from memory).
    if bytes.len() <= limit || memchr::memchr2_iter(b'\n', b',', bytes).count() <= limit {
        return None;
    }
    struct Open {
        at: usize,
        object: bool,
        separators: usize,
    }
    let mut open: Vec<Open> = Vec::new();
    // The last byte that was not white space, outside strings and comments.
    let mut previous = b'\n';
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        let next = bytes.get(i + 1).copied();
        match byte {
            b'#' => {
                i = line_end(bytes, i);
                continue;
            }
            b'/' if next == Some(b'/') => {
                i = line_end(bytes, i);
                continue;
            }
            b'/' if next == Some(b'*') => {
                i = memchr::memmem::find(&bytes[i + 2..], b"*/").map_or(bytes.len(), |at| i + 2 + at + 2);
                continue;
            }
            b'"' => {
                i = string_end(bytes, i + 1);
                previous = b'"';
                continue;
            }
            b'<' if next == Some(b'<') => {
                if let Some(end) = heredoc_end(bytes, i + 2) {
                    i = end;
                    previous = b'"';
                    continue;
                }
            }
            b'{' => open.push(Open {
                at: i,
                object: !(previous.is_ascii_alphanumeric() || matches!(previous, b'_' | b'-' | b'"')),
                separators: 0,
            }),
            b'[' | b'(' => open.push(Open {
                at: i,
                object: false,
                separators: 0,
            }),
            b'}' | b']' | b')' => {
                open.pop();
            }
            b'\n' | b',' => {
                if let Some(top) = open.last_mut().filter(|top| top.object) {
                    top.separators += 1;
                    if top.separators > limit {
                        return Some(top.at);
                    }
                }
            }
            _ => {}
        }
        if !byte.is_ascii_whitespace() {
            previous = byte;
        }
        i += 1;
    }
    None
}

/// Where the line holding `at` ends (its newline, which the caller still reads).
fn line_end(bytes: &[u8], at: usize) -> usize {
    memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |n| at + n)
}

/// Just after the quote that closes a string starting at `at`, or at the end of its line.
fn string_end(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'"' => return at + 1,
            b'\n' => return at,
            _ => at += 1,
        }
    }
    bytes.len()
}

/// Just after the closing marker of a heredoc whose `<<` ends at `at`; `None` when what
/// follows is not a heredoc opening (`<<EOT` or `<<-EOT` and the end of the line).
fn heredoc_end(bytes: &[u8], at: usize) -> Option<usize> {
    let start = at + usize::from(bytes.get(at) == Some(&b'-'));
    let length = bytes[start..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
        .count();
    let marker = &bytes[start..start + length];
    let mut line = start + length;
    let rest_of_line = &bytes[line..line_end(bytes, line)];
    if marker.is_empty() || !rest_of_line.trim_ascii().is_empty() {
        return None;
    }
    while line < bytes.len() {
        let end = line_end(bytes, line);
        if bytes[line..end].trim_ascii() == marker {
            return Some(end);
        }
        line = end + 1;
    }
    Some(bytes.len())
}

#[cfg(test)]
mod tests {
    use super::oversized_object;

    fn object(entries: usize, entry: &str) -> String {
        format!("  m = {{\n{}  }}\n", entry.repeat(entries))
    }

    #[test]
    fn cases() {
        let many_lines = "    k = 1\n";
        for (name, text, expected) in [
            (
                "a small object",
                format!("locals {{\n{}}}\n", object(2, many_lines)),
                None,
            ),
            // Its opening line's newline counts too.
            (
                "an object at the limit",
                format!("locals {{\n{}}}\n", object(3, many_lines)),
                None,
            ),
            (
                "an object past the limit",
                format!("locals {{\n{}}}\n", object(4, many_lines)),
                Some(15),
            ),
            (
                "entries on one line",
                "x = { a = 1, b = 2, c = 3, d = 4, e = 5, f = 6 }\n".to_owned(),
                Some(4),
            ),
            (
                "a block body is not an object",
                format!("locals {{\n{}}}\n", many_lines.repeat(9)),
                None,
            ),
            (
                "a labelled block body is not an object",
                format!("resource \"a\" \"b\" {{\n{}}}\n", many_lines.repeat(9)),
                None,
            ),
            (
                "nested values count once",
                "x = {\n  a = [\n1,\n2,\n3,\n4,\n5\n]\n}\n".to_owned(),
                None,
            ),
            ("an object in a list", "x = [{\n\n\n\n\n\n}]\n".to_owned(), Some(5)),
            (
                "an object as an argument",
                "x = merge({\n\n\n\n\n\n}, {})\n".to_owned(),
                Some(10),
            ),
            (
                "braces and commas in strings and comments",
                "x = \"{,,,,,,}\" # {,,,,,\ny = 1 // {,,,,,\n/* {\n,,,,,, */\n".to_owned(),
                None,
            ),
            (
                "a string with an escaped quote",
                "x = \"\\\"{\"\ny = {}\n,,,,,,\n".to_owned(),
                None,
            ),
            (
                "a heredoc's braces",
                "x = <<-EOT\n{\n\n\n\n\n\n  EOT\ny = 1\n".to_owned(),
                None,
            ),
            (
                "an object with heredoc values",
                "x = {\n a = <<EOT\n}\nEOT\n b = 1\n c = 1\n d = 1\n e = 1\n}\n".to_owned(),
                Some(4),
            ),
        ] {
            assert_eq!(oversized_object(&text, 4), expected, "{name}:\n{text}");
        }
    }

    proptest::proptest! {
        /// Any text, however broken, is scanned to an answer (the limit is small here so
        /// that the scan runs; in a lint it runs only on files with 10,000 separators).
        #[test]
        fn any_text_is_scanned_without_a_panic(text in "[{}\\[\\]()\"\\\\#/*<\\-EOT=,a \n]{0,200}", limit in 0usize..4) {
            if let Some(at) = oversized_object(&text, limit) {
                proptest::prop_assert_eq!(text.as_bytes()[at], b'{');
            }
        }
    }

    #[test]
    fn a_file_with_few_separators_is_not_scanned() {
        // Unbalanced and unterminated: the count alone answers.
        assert_eq!(oversized_object("x = {\n\"a\n/*", 4), None);
    }
}
