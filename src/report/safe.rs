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

/// A JSON document (json, sarif, gitlab) with the runner's `##[` written as `#\u0023[`: the
/// same string to every JSON reader, no command to a runner reading the log it is printed
/// to. (`::` cannot start a line: JSON escapes line breaks inside strings.)
pub fn json_for_runner(text: &str) -> Cow<'_, str> {
    if text.contains("##[") {
        Cow::Owned(text.replace("##[", "#\\u0023["))
    } else {
        Cow::Borrowed(text)
    }
}

/// [`json_for_runner`] for a JSON document written piece by piece: a `##[` split between two
/// writes is caught too. Call `finish` at the end.
pub struct JsonForRunner<'w> {
    out: &'w mut dyn std::io::Write,
    /// The end of the last write, while it may be the start of `##[` (`#` or `##`).
    held: usize,
}

impl<'w> JsonForRunner<'w> {
    pub fn new(out: &'w mut dyn std::io::Write) -> JsonForRunner<'w> {
        JsonForRunner { out, held: 0 }
    }

    pub fn finish(mut self) -> std::io::Result<()> {
        let held = std::mem::take(&mut self.held);
        self.out.write_all(&b"##"[..held])?;
        self.out.flush()
    }
}

impl JsonForRunner<'_> {
    /// Writes `bytes` with every `##[` replaced, holding back a trailing `#` or `##`: the
    /// next write may complete `##[`.
    fn scan(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let hold = bytes.iter().rev().take(2).take_while(|&&b| b == b'#').count();
        let ready = &bytes[..bytes.len() - hold];
        let mut start = 0;
        for at in memchr::memmem::find_iter(ready, b"##[") {
            self.out.write_all(&ready[start..at])?;
            self.out.write_all(REPLACED)?;
            start = at + 3;
        }
        self.out.write_all(&ready[start..])?;
        self.held = hold;
        Ok(())
    }
}

impl std::io::Write for JsonForRunner<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.held == 0 {
            self.scan(buf)?;
        } else {
            // Rare (a write ended in `#`): the held bytes are scanned again with this one.
            let mut joined = b"##"[..self.held].to_vec();
            joined.extend_from_slice(buf);
            self.scan(&joined)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// `##[` as a JSON string writes it without the marker.
const REPLACED: &[u8] = b"#\\u0023[";

/// An XML document (checkstyle, junit) with `##[` written as `#&#35;[` and a line's leading
/// `::` as `&#58;:`: the same text to every XML reader, no command to a runner. Line breaks
/// inside text are XML's own, so a message can start a line.
pub fn xml_for_runner(text: &str) -> Cow<'_, str> {
    let starts_command = text.lines().any(|l| l.trim_start().starts_with("::"));
    if !text.contains("##[") && !starts_command {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start().len();
        let (lead, rest) = line.split_at(indent);
        out.push_str(lead);
        match rest.strip_prefix("::") {
            Some(after) => {
                out.push_str("&#58;:");
                out.push_str(&after.replace("##[", "#&#35;["));
            }
            None => out.push_str(&rest.replace("##[", "#&#35;[")),
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
    fn machine_formats_keep_their_values_and_lose_the_commands() {
        let json = r###"{"m": "##[warning]pwned"}"###;
        let safe = json_for_runner(json);
        assert!(!safe.contains("##["));
        let parsed: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(parsed["m"], "##[warning]pwned");
        let xml = "<a m=\"##[x]\">line\n  ::warning::pwned</a>";
        assert_eq!(
            xml_for_runner(xml),
            "<a m=\"#&#35;[x]\">line\n  &#58;:warning::pwned</a>"
        );
    }

    #[test]
    fn a_command_split_between_writes_is_caught() {
        use std::io::Write;
        let mut out = Vec::new();
        let mut safe = JsonForRunner::new(&mut out);
        for piece in ["{\"m\": \"a#", "#", "[warning]x ##", "[y] #", "#", "#", "[z] #\"}"] {
            safe.write_all(piece.as_bytes()).unwrap();
        }
        safe.finish().unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text, r#"{"m": "a#\u0023[warning]x #\u0023[y] ##\u0023[z] #"}"#);
    }

    #[test]
    fn ordinary_text_is_borrowed() {
        let text = "main.tf:3:1: warning[AOAI201] azurerm_cognitive_account.a: one region\n";
        assert!(matches!(for_terminal(text, false), Cow::Borrowed(_)));
    }
}
