//! Values that must never be shown, taken out of the findings that quote them.
//!
//! A value from outside the repository (`TF_VAR_*`, `--var`, a variables file elsewhere) or
//! of a `sensitive` variable is checked like any other, but a finding that quotes it, or
//! anything computed from it (`upper(var.client_secret)`), says `(value of var.NAME, not
//! shown)` instead, in every format. The evaluator marks such values and every value
//! computed from them; the facts record the texts they hold ([`Hidden`]); here those texts
//! are replaced wherever a whole word of a finding's text is one of them.

use std::borrow::Cow;

use crate::diagnostic::{Finding, Text};
use crate::eval::Hidden;

/// `findings` with every hidden text in their messages, help and labels replaced.
pub fn hide(findings: &mut [Finding], hidden: &[Hidden]) {
    if hidden.is_empty() {
        return;
    }
    // Longest first, so that a text inside another is not left half shown.
    let mut hidden: Vec<&Hidden> = hidden.iter().collect();
    hidden.sort_by(|a, b| b.text.len().cmp(&a.text.len()).then(a.text.cmp(&b.text)));
    for finding in findings {
        replace_in(&mut finding.message, &hidden);
        if let Some(help) = &mut finding.help {
            replace_in(help, &hidden);
        }
        for label in std::iter::once(&mut finding.primary).chain(finding.related.iter_mut()) {
            replace_in(&mut label.message, &hidden);
        }
    }
}

fn replace_in(text: &mut Text, hidden: &[&Hidden]) {
    let mut out: Option<String> = None;
    for entry in hidden {
        let current = out.as_deref().unwrap_or(text);
        if let Some(replaced) = replace_words(current, &entry.text, &entry.variable) {
            out = Some(replaced);
        }
    }
    if let Some(out) = out {
        *text = Cow::Owned(out);
    }
}

/// `text` with every whole-word occurrence of `secret` replaced, or None when there is none.
/// A word ends where a letter, digit, `-`, `_` or `.` does not follow: `10` is not hidden
/// inside `100`, nor `eastus` inside `eastus2`.
fn replace_words(text: &str, secret: &str, variable: &str) -> Option<String> {
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    let mut out = String::new();
    let mut rest = 0;
    let mut found = false;
    for (at, _) in text.match_indices(secret) {
        if at < rest {
            continue;
        }
        let end = at + secret.len();
        if is_word(text[..at].chars().next_back()) || is_word(text[end..].chars().next()) {
            continue;
        }
        out.push_str(&text[rest..at]);
        out.push_str(&format!("(value of {variable}, not shown)"));
        rest = end;
        found = true;
    }
    if !found {
        return None;
    }
    out.push_str(&text[rest..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_are_replaced_and_parts_of_words_are_not() {
        let replaced = replace_words("`s3cret` is not a region; did you mean `s3cret2`?", "s3cret", "var.k");
        assert_eq!(
            replaced.as_deref(),
            Some("`(value of var.k, not shown)` is not a region; did you mean `s3cret2`?")
        );
        assert_eq!(
            replace_words("capacity 100 of 10", "10", "var.c").as_deref(),
            Some("capacity 100 of (value of var.c, not shown)")
        );
        assert_eq!(replace_words("nothing here", "s3cret", "var.k"), None);
    }
}
