//! Trailing comments lined up again after an edit, as `terraform fmt` lines them up: the
//! comments that end consecutive lines of code start in one column, one space after the
//! longest line's code. A fix that makes a value longer or shorter moves that column.

use std::ops::Range;

/// `text` with the chains of trailing comments that include a line starting at one of
/// `touched` (byte offsets into `text`) lined up again.
pub fn realign(text: &str, touched: &[usize]) -> String {
    let lines = lines(text);
    let cells = cells(text, &lines);
    let touched_line = |range: &Range<usize>| touched.iter().any(|&t| range.contains(&t) || t == range.end);
    let mut edits: Vec<(Range<usize>, String)> = Vec::new();
    let mut start = 0;
    while start < lines.len() {
        if cells[start].is_none() {
            start += 1;
            continue;
        }
        let end = (start..lines.len())
            .find(|&l| cells[l].is_none())
            .unwrap_or(lines.len());
        if (start..end).any(|l| touched_line(&lines[l])) {
            let column = |l: usize, at: usize| text[lines[l].start..at].chars().count();
            let widest = (start..end)
                .filter_map(|l| cells[l].map(|(code_end, _)| column(l, code_end)))
                .max()
                .unwrap_or(0);
            for (l, cell) in cells.iter().enumerate().take(end).skip(start) {
                if let Some((code_end, comment)) = *cell {
                    let wanted = " ".repeat(widest - column(l, code_end) + 1);
                    if text[code_end..comment] != wanted {
                        edits.push((code_end..comment, wanted));
                    }
                }
            }
        }
        start = end;
    }
    let mut out = text.to_owned();
    for (range, spaces) in edits.into_iter().rev() {
        out.replace_range(range, &spaces);
    }
    out
}

/// Each line's byte range, without its line ending.
fn lines(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (n, _) in text.match_indices('\n') {
        let end = if text[..n].ends_with('\r') { n - 1 } else { n };
        out.push(start..end);
        start = n + 1;
    }
    out.push(start..text.len());
    out
}

/// For each line with code and then a comment: where the code ends and the comment starts.
/// Lines inside a heredoc or a block comment have none.
fn cells(text: &str, lines: &[Range<usize>]) -> Vec<Option<(usize, usize)>> {
    let mut out = Vec::with_capacity(lines.len());
    let mut heredoc: Option<String> = None;
    let mut in_block_comment = false;
    for range in lines {
        let line = &text[range.clone()];
        if let Some(marker) = &heredoc {
            if line.trim() == marker {
                heredoc = None;
            }
            out.push(None);
            continue;
        }
        if in_block_comment {
            in_block_comment = !line.contains("*/");
            out.push(None);
            continue;
        }
        let scan = scan(line);
        heredoc = scan.heredoc;
        in_block_comment = scan.opens_block_comment;
        out.push(scan.comment.and_then(|at| {
            let code = line[..at].trim_end();
            (!code.trim_start().is_empty()).then(|| (range.start + code.len(), range.start + at))
        }));
    }
    out
}

struct Scan {
    /// Where a comment starts, outside strings.
    comment: Option<usize>,
    /// A heredoc this line opens, by its closing marker.
    heredoc: Option<String>,
    opens_block_comment: bool,
}

/// One line read as HCL tokens just far enough to tell strings and interpolations from a
/// comment.
fn scan(line: &str) -> Scan {
    // Nesting of strings and `${...}` interpolations: true for a string.
    let mut stack: Vec<bool> = Vec::new();
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let in_string = stack.last() == Some(&true);
        match (bytes[i], bytes.get(i + 1)) {
            (b'\\', _) if in_string => i += 1,
            (b'"', _) if in_string => {
                stack.pop();
            }
            (b'$' | b'%', Some(b'{')) if in_string => {
                stack.push(false);
                i += 1;
            }
            (b'"', _) => stack.push(true),
            (b'}', _) if stack.last() == Some(&false) => {
                stack.pop();
            }
            (b'#', _) | (b'/', Some(b'/')) if stack.is_empty() => {
                return Scan {
                    comment: Some(i),
                    heredoc: None,
                    opens_block_comment: false,
                };
            }
            (b'/', Some(b'*')) if stack.is_empty() => {
                let closes = line[i + 2..].contains("*/");
                return Scan {
                    comment: Some(i),
                    heredoc: None,
                    opens_block_comment: !closes,
                };
            }
            (b'<', Some(b'<')) if stack.is_empty() => {
                let marker: String = line[i + 2..]
                    .trim_start_matches('-')
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if !marker.is_empty() {
                    return Scan {
                        comment: None,
                        heredoc: Some(marker),
                        opens_block_comment: false,
                    };
                }
            }
            _ => {}
        }
        i += 1;
    }
    Scan {
        comment: None,
        heredoc: None,
        opens_block_comment: false,
    }
}

#[cfg(test)]
mod tests {
    use super::realign;

    #[test]
    fn a_chain_of_trailing_comments_lines_up_again() {
        let at = |text: &str, line: usize| text.split_inclusive('\n').take(line).map(str::len).sum::<usize>();
        let cases: &[(&str, &str, usize, &str)] = &[
            (
                "a longer value moves the column",
                "a = { p = 100 } # one\nb = { p = 120 } # two\n",
                0,
                "a = { p = 100 } # one\nb = { p = 120 } # two\n",
            ),
            (
                "the chain takes the widest line",
                "a = { p = 1000 } # one\nb = { p = 120 } # two\n",
                0,
                "a = { p = 1000 } # one\nb = { p = 120 }  # two\n",
            ),
            (
                "a line without a comment ends the chain",
                "a = 1000 # one\nb = 2\nc = 3    # three\n",
                0,
                "a = 1000 # one\nb = 2\nc = 3    # three\n",
            ),
            (
                "a shorter value, and a `#` inside a string is not a comment",
                "a = \"#\" # one\nbb = \"x\"   # two\n",
                1,
                "a = \"#\"  # one\nbb = \"x\" # two\n",
            ),
            (
                "chains no edit touches stay as they are",
                "a = 1    # one\n\nb = 22 # two\nc = 3 # three\n",
                0,
                "a = 1 # one\n\nb = 22 # two\nc = 3 # three\n",
            ),
            (
                "heredoc lines are not code",
                "a = <<EOF\nx # not a comment\nEOF\nb = 1  # one\n",
                3,
                "a = <<EOF\nx # not a comment\nEOF\nb = 1 # one\n",
            ),
            (
                "CRLF",
                "a = 100 # one\r\nb = 1 # two\r\n",
                1,
                "a = 100 # one\r\nb = 1   # two\r\n",
            ),
        ];
        for (what, text, line, want) in cases {
            assert_eq!(realign(text, &[at(text, *line)]), *want, "{what}");
        }
    }
}
