//! Text from the scanned code made safe to print where a terminal or a CI runner reads it.
//!
//! A pull request chooses what a resource label, a module source or a string value holds,
//! and the linter echoes those in messages, notes and source snippets. A terminal obeys
//! escape sequences in it (a window title, a cleared screen, a clipboard write), and the
//! GitHub runner obeys `##[command]` anywhere in a log line and `::command::` at the start of
//! one (`##[stop-commands]` switches off every annotation of the run). This filter is
//! applied to whole outputs (human, compact, notes), so that no path around it exists.

use std::borrow::Cow;

/// Word joiner: invisible, and enough to break the runner's `##[` and `::` markers.
const BREAK: char = '\u{2060}';

/// `text` with control characters shown as visible symbols (but line breaks and tabs, and
/// the colour codes the report itself writes when `colour` is on), `##[` broken, and a line
/// that starts with `::` made not to. Borrowed when nothing needed changing (nearly always).
pub fn for_terminal(text: &str, colour: bool) -> Cow<'_, str> {
    if !needs_care(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut at_line_start = true;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if at_line_start && c != ' ' && c != '\t' {
            if text[i..].starts_with("::") {
                out.push(BREAK);
            }
            at_line_start = false;
        }
        match c {
            '\n' => {
                out.push('\n');
                at_line_start = true;
            }
            '\t' => out.push('\t'),
            '\u{1b}' if colour && is_colour_code(&text[i..]) => {
                // `ESC [ digits ; ... m`: copied whole.
                let len = text[i..].find('m').map_or(1, |m| m + 1);
                out.push_str(&text[i..i + len]);
                for _ in 1..len {
                    chars.next();
                }
            }
            c if c.is_control() => out.push(picture(c)),
            '#' if text[i..].starts_with("##[") => {
                out.push_str("##");
                out.push(BREAK);
                chars.next();
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

fn needs_care(text: &str) -> bool {
    text.contains("##[") || text.contains("::") || text.chars().any(|c| c.is_control() && c != '\n' && c != '\t')
}

/// `ESC [` followed by digits and semicolons and an `m`: a colour, nothing else.
fn is_colour_code(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("\u{1b}[") else {
        return false;
    };
    let end = rest.find(|c: char| !(c.is_ascii_digit() || c == ';'));
    end.is_some_and(|e| rest[e..].starts_with('m') && e <= 32)
}

/// The Unicode picture of a C0 control (`␛` for ESC), or `�` for others.
fn picture(c: char) -> char {
    match c as u32 {
        n @ 0..=0x1f => char::from_u32(0x2400 + n).unwrap_or('\u{fffd}'),
        0x7f => '\u{2421}',
        _ => '\u{fffd}',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_shown_not_obeyed() {
        let title = "\u{1b}]0;pwned\u{7}";
        assert_eq!(for_terminal(title, false), "␛]0;pwned␇");
        assert_eq!(for_terminal("\u{1b}[2J", true), "␛[2J", "only colours pass");
        assert_eq!(
            for_terminal("\u{1b}[1;31mred\u{1b}[0m", true),
            "\u{1b}[1;31mred\u{1b}[0m"
        );
        assert_eq!(for_terminal("\u{1b}[1;31mred", false), "␛[1;31mred");
        assert_eq!(for_terminal("a\rb\u{0}c", false), "a␍b␀c");
    }

    #[test]
    fn runner_commands_are_broken() {
        let stop = for_terminal("note: source ##[stop-commands]zzz", false);
        assert!(!stop.contains("##[") && stop.contains("stop-commands"), "{stop}");
        let line = for_terminal("x\n  ::warning::owned\n", false);
        assert!(line.lines().all(|l| !l.trim_start().starts_with("::")), "{line}");
        assert_eq!(
            for_terminal("a::b and x = y", false),
            "a::b and x = y",
            "only at a line start"
        );
    }

    #[test]
    fn ordinary_text_is_borrowed() {
        let text = "main.tf:3:1: warning[AOAI201] azurerm_cognitive_account.a: one region\n";
        assert!(matches!(for_terminal(text, false), Cow::Borrowed(_)));
    }
}
