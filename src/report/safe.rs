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

/// What a run must never print: the values of the `TF_VAR_*` environment variables, which CI
/// systems set from secrets for `terraform plan`. A pull request that writes
/// `location = upper(var.client_secret)` would otherwise have the secret in every format
/// (SARIF is never masked by CI). Each value is looked for as given, in upper and lower case
/// (what `upper()`/`lower()` make of it), and as JSON and XML write it; found, it becomes
/// `***`. Short values (under four characters) are not secrets worth the noise.
#[derive(Debug, Default)]
pub struct Redactor {
    needles: Vec<String>,
}

/// The marker a redacted value is shown as.
pub const REDACTED: &str = "***";

impl Redactor {
    pub fn new<'v>(values: impl IntoIterator<Item = &'v str>) -> Redactor {
        let mut needles: Vec<String> = Vec::new();
        for value in values.into_iter().filter(|v| v.chars().count() >= 4) {
            for variant in [value.to_owned(), value.to_uppercase(), value.to_lowercase()] {
                let json = serde_json::to_string(&variant).unwrap_or_default();
                let json = json.trim_matches('"').to_owned();
                let xml = variant
                    .replace('&', "&amp;")
                    .replace('<', "&lt;")
                    .replace('>', "&gt;")
                    .replace('"', "&quot;")
                    .replace('\'', "&apos;");
                needles.extend([variant, json, xml]);
            }
        }
        // Longest first, so that a value inside another is not left half shown.
        needles.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        needles.dedup();
        Redactor { needles }
    }

    /// From this process's `TF_VAR_*` environment variables.
    pub fn from_environment() -> Redactor {
        let values: Vec<String> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .filter(|(k, _)| k.starts_with("TF_VAR_"))
            .map(|(_, v)| v)
            .collect();
        Redactor::new(values.iter().map(String::as_str))
    }

    pub fn is_empty(&self) -> bool {
        self.needles.is_empty()
    }

    pub fn redact<'t>(&self, text: &'t str) -> Cow<'t, str> {
        let mut out = Cow::Borrowed(text);
        for needle in &self.needles {
            if out.contains(needle.as_str()) {
                out = Cow::Owned(out.replace(needle.as_str(), REDACTED));
            }
        }
        out
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
    fn environment_values_are_never_shown_in_any_case_or_escape() {
        let redactor = Redactor::new(["s3cr\"et-Value", "ab"]);
        for shown in [
            "`s3cr\"et-Value` is not",
            "`S3CR\"ET-VALUE`",
            "s3cr\\\"et-value",
            "s3cr&quot;et-Value",
        ] {
            let redacted = redactor.redact(shown);
            assert!(redacted.contains(REDACTED), "{shown} -> {redacted}");
            assert!(!redacted.to_lowercase().contains("et-value"), "{shown} -> {redacted}");
        }
        assert_eq!(redactor.redact("ab is too short to hide"), "ab is too short to hide");
        assert!(Redactor::new(Vec::<&str>::new()).is_empty());
    }

    #[test]
    fn ordinary_text_is_borrowed() {
        let text = "main.tf:3:1: warning[AOAI201] azurerm_cognitive_account.a: one region\n";
        assert!(matches!(for_terminal(text, false), Cow::Borrowed(_)));
    }
}
