//! Values that must never be shown, taken out of the findings that quote them.
//!
//! A value from outside the repository (`TF_VAR_*`, `--var`, a variables file elsewhere) or
//! of a `sensitive` variable is checked like any other, but a finding that quotes it, or
//! anything computed from it (`upper(var.client_secret)`), says `(value of var.NAME, not
//! shown)` instead, in every format. The evaluator marks such values and every value
//! computed from them; the facts record the texts they hold ([`Hidden`]); here those texts
//! are replaced wherever a whole word of a finding's text is one of them.

use std::borrow::Cow;

use aho_corasick::AhoCorasick;

use crate::diagnostic::{Finding, Text};
use crate::eval::Hidden;

/// `findings` with every hidden text in their messages, help and labels replaced.
pub fn hide(findings: &mut [Finding], hidden: &[Hidden]) {
    if hidden.is_empty() {
        return;
    }
    // One automaton for every text: a configuration may hold thousands (one per instance).
    let Ok(texts) = AhoCorasick::new(hidden.iter().map(|h| h.text.as_str())) else {
        return;
    };
    for finding in findings {
        replace_in(&mut finding.message, &texts, hidden);
        if let Some(help) = &mut finding.help {
            replace_in(help, &texts, hidden);
        }
        for label in std::iter::once(&mut finding.primary).chain(finding.related.iter_mut()) {
            replace_in(&mut label.message, &texts, hidden);
        }
    }
}

fn replace_in(text: &mut Text, texts: &AhoCorasick, hidden: &[Hidden]) {
    if let Some(replaced) = replace_words(text, texts, hidden) {
        *text = Cow::Owned(replaced);
    }
}

/// `text` with every whole-word occurrence of a hidden text replaced, or None when there is
/// none. A word ends where a letter, digit, `-`, `_` or `.` does not follow: `10` is not
/// hidden inside `100`, nor `eastus` inside `eastus2`.
fn replace_words(text: &str, texts: &AhoCorasick, hidden: &[Hidden]) -> Option<String> {
    let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    // Every whole-word match, then the longest of those starting first, without overlaps:
    // a text inside another is not left half shown.
    let mut found: Vec<(usize, usize, usize)> = texts
        .find_overlapping_iter(text)
        .map(|m| (m.start(), m.end(), m.pattern().as_usize()))
        .filter(|&(at, end, _)| !is_word(text[..at].chars().next_back()) && !is_word(text[end..].chars().next()))
        .collect();
    if found.is_empty() {
        return None;
    }
    found.sort_by_key(|&(at, end, _)| (at, std::cmp::Reverse(end)));
    let mut out = String::new();
    let mut rest = 0;
    for (at, end, pattern) in found {
        if at < rest {
            continue;
        }
        out.push_str(&text[rest..at]);
        out.push_str(&format!("(value of {}, not shown)", hidden[pattern].variable));
        rest = end;
    }
    out.push_str(&text[rest..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_words_are_replaced_and_parts_of_words_are_not() {
        let hidden = |pairs: &[(&str, &str)]| -> Vec<Hidden> {
            pairs
                .iter()
                .map(|(text, variable)| Hidden {
                    text: (*text).to_owned(),
                    variable: std::sync::Arc::new((*variable).to_owned()),
                })
                .collect()
        };
        let replace = |text: &str, pairs: &[(&str, &str)]| {
            let hidden = hidden(pairs);
            let texts = AhoCorasick::new(hidden.iter().map(|h| h.text.as_str())).unwrap();
            replace_words(text, &texts, &hidden)
        };
        assert_eq!(
            replace(
                "`s3cret` is not a region; did you mean `s3cret2`?",
                &[("s3cret", "var.k")]
            )
            .as_deref(),
            Some("`(value of var.k, not shown)` is not a region; did you mean `s3cret2`?")
        );
        assert_eq!(
            replace("capacity 100 of 10", &[("10", "var.c")]).as_deref(),
            Some("capacity 100 of (value of var.c, not shown)")
        );
        // The longer of two texts that start together wins; a text at the very start counts.
        assert_eq!(
            replace("a b c", &[("a", "var.x"), ("a b", "var.y")]).as_deref(),
            Some("(value of var.y, not shown) c")
        );
        assert_eq!(replace("nothing here", &[("s3cret", "var.k")]), None);
    }
}
