//! What every stage produces for the user: findings about the infrastructure and
//! diagnostics about the run, in one shape so that reporting, sorting and exit codes treat
//! them alike.

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;
use thin_vec::ThinVec;

use crate::source::Span;

pub mod pipeline;
mod rule_meta;

pub(crate) use rule_meta::declare_rule;
pub use rule_meta::{Category, RuleMeta};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    /// As the reports and the configuration write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A sentence shown to the user: borrowed when the rule's wording is fixed, owned when it
/// names values. A large run makes hundreds of thousands of findings, most of whose labels
/// and help texts are fixed: they are not copied into an allocation each.
pub type Text = Cow<'static, str>;

/// A value quoted in a message (between backticks) longer than this is shown by its start
/// and its length: scanned code decides how long a value is, and a report must stay readable.
const QUOTED_AT_MOST: usize = 120;

/// The longest message or help text, in bytes, once quoted values are shortened.
const TEXT_AT_MOST: usize = 2_000;

/// `text` with long quoted values shortened and the whole cut to [`TEXT_AT_MOST`].
fn bounded(text: Text) -> Text {
    if text.len() <= QUOTED_AT_MOST {
        return text;
    }
    let parts: Vec<&str> = text.split('`').collect();
    let long_quote = parts.iter().skip(1).step_by(2).any(|p| p.len() > QUOTED_AT_MOST);
    if !long_quote && text.len() <= TEXT_AT_MOST {
        return text;
    }
    let mut out = String::with_capacity(TEXT_AT_MOST);
    let mut after_quote = String::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push('`');
            out.push_str(&std::mem::take(&mut after_quote));
        }
        if i % 2 == 1 && part.len() > QUOTED_AT_MOST {
            out.push_str(&part[..part.floor_char_boundary(QUOTED_AT_MOST / 2)]);
            out.push('…');
            after_quote = format!(" ({} bytes)", part.len());
        } else {
            out.push_str(part);
        }
    }
    out.push_str(&after_quote);
    if out.len() > TEXT_AT_MOST {
        let whole = out.len();
        out.truncate(out.floor_char_boundary(TEXT_AT_MOST));
        out.push_str(&format!("… (cut at {TEXT_AT_MOST} of {whole} bytes)"));
    }
    Cow::Owned(out)
}

/// How many sentences [`interned`] keeps: past this, new sentences are left to their
/// findings, so that runs whose every message differs keep no more than a few megabytes.
const INTERNED_AT_MOST: usize = 1 << 16;

/// The kept sentences, in shards picked by length, so that threads making findings at once
/// rarely wait for each other.
const INTERNED_SHARDS: usize = 16;

/// `text` as a copy shared by every finding that says the same. A monorepo's messages and
/// help texts repeat from configuration to configuration (on the 10,000-module benchmark,
/// 163,482 findings say 2,371 distinct messages): the process keeps each sentence once, for
/// as long as it runs (and every later run of the library reuses them), and the report
/// escapes each one once per rendering thread rather than once a finding.
fn interned(text: Text) -> Text {
    let text = bounded(text);
    type Kept = std::sync::Mutex<hashbrown::HashSet<&'static str>>;
    static KEPT: std::sync::LazyLock<[Kept; INTERNED_SHARDS]> = std::sync::LazyLock::new(Default::default);
    let Cow::Owned(text) = text else {
        return text;
    };
    let Ok(mut kept) = KEPT[text.len() % INTERNED_SHARDS].lock() else {
        return Cow::Owned(text);
    };
    if let Some(&known) = kept.get(text.as_str()) {
        return Cow::Borrowed(known);
    }
    if kept.len() >= INTERNED_AT_MOST / INTERNED_SHARDS {
        return Cow::Owned(text);
    }
    let text: &'static str = Box::leak(text.into_boxed_str());
    kept.insert(text);
    Cow::Borrowed(text)
}

/// Sentences that depend only on a small closed set of choices (a resource type, a setting
/// that is absent or written): each is made the first time it is needed and then borrowed
/// by every finding, rather than formatted into an allocation of its own for each of the
/// hundreds of thousands of findings of a large run.
pub struct Texts<const N: usize>([std::sync::OnceLock<String>; N]);

impl<const N: usize> Texts<N> {
    pub const fn new() -> Texts<N> {
        Texts([const { std::sync::OnceLock::new() }; N])
    }

    /// The text of `choice` (below `N`), made by `make` the first time it is asked for.
    pub fn get(&'static self, choice: usize, make: impl FnOnce() -> String) -> &'static str {
        self.0[choice].get_or_init(make)
    }
}

impl<const N: usize> Default for Texts<N> {
    fn default() -> Texts<N> {
        Texts::new()
    }
}

/// A resource instance address (`module.chat.azurerm_cognitive_account.this["a"]`), made
/// once per instance and shared by the facts and every finding about it.
pub type Address = std::sync::Arc<str>;

/// A span with the sentence that explains it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Label {
    pub span: Span,
    pub message: Text,
}

impl Label {
    pub fn new(span: Span, message: impl Into<Text>) -> Label {
        Label {
            span,
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: &'static RuleMeta,
    pub severity: Severity,
    pub message: Text,
    /// Where the finding points; the label text is what is shown under the underline.
    pub primary: Label,
    /// Where the value came from: a tfvars entry, a variable default, a local, a module input.
    /// (Thin vectors: a pointer each, where most findings have neither these nor call sites,
    /// and a large run keeps hundreds of thousands of findings until the report.)
    pub related: ThinVec<Label>,
    /// The resource instance address (`module.chat.azurerm_cognitive_account.this["a"]`).
    pub resource: Option<Address>,
    pub help: Option<Text>,
    /// The `module` blocks that created the resource, outermost first: an ignore comment on
    /// one of them covers the finding.
    pub call_sites: ThinVec<Span>,
    /// The configurations (their folders, as shown) that made the finding, when it points
    /// into a module outside their folders: a module several roots call is linted through
    /// each, and the finding names every root it was found through.
    pub configurations: ThinVec<Address>,
    /// How to fix it, when the linter knows (`--fix`, `--unsafe-fixes`, `--diff`).
    pub fix: Option<Box<Fix>>,
}

/// A fix: edits of the scanned files, each checked against the text it replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub safety: Safety,
    /// What it does, for the report.
    pub description: Text,
    pub edits: Vec<Edit>,
}

/// Whether a fix keeps what is deployed (`--fix` applies it) or changes it, or its cost, so
/// that a reviewer must read it (`--unsafe-fixes`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Safety {
    Safe,
    Unsafe,
}

/// `span`'s text, which must still be `expected`, becomes `replacement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub expected: String,
    pub replacement: String,
}

impl Finding {
    pub fn new(rule: &'static RuleMeta, message: impl Into<Text>, primary: Label) -> Finding {
        Finding {
            rule,
            severity: rule.default_severity.unwrap_or(Severity::Info),
            message: interned(message.into()),
            primary,
            related: ThinVec::new(),
            resource: None,
            help: None,
            call_sites: ThinVec::new(),
            configurations: ThinVec::new(),
            fix: None,
        }
    }

    /// Another report of this finding (another instance of the block, or another
    /// configuration reaching the same module) joins it: its fix stays only when the other
    /// would fix it the same way, since one of them may want no change at all.
    pub fn join_fix(&mut self, other: &Finding) {
        if self.fix != other.fix {
            self.fix = None;
        }
    }

    /// With `fix`, when there is one.
    pub fn with_fix(mut self, fix: impl Into<Option<Fix>>) -> Finding {
        self.fix = fix.into().map(Box::new);
        self
    }

    pub fn with_help(mut self, help: impl Into<Text>) -> Finding {
        self.help = Some(interned(help.into()));
        self
    }

    pub fn with_resource(mut self, address: &Address) -> Finding {
        self.resource = Some(Address::clone(address));
        self
    }

    /// Adds the places a value came from; one at the primary label's own span says nothing
    /// the primary label does not.
    pub fn with_related(mut self, related: impl IntoIterator<Item = Label>) -> Finding {
        let primary = self.primary.span;
        self.related.extend(related.into_iter().filter(|l| l.span != primary));
        self
    }
}

/// A run's findings in report order, held as the sorted runs they were laid down in: joining
/// a large monorepo's runs into one vector copied every finding into tens of megabytes of
/// fresh memory, only for a report to read each once.
#[derive(Debug, Clone, Default)]
pub struct Findings {
    runs: Vec<Vec<Finding>>,
}

impl Findings {
    /// The findings of `runs`, one run after another.
    pub fn from_runs(mut runs: Vec<Vec<Finding>>) -> Findings {
        runs.retain(|run| !run.is_empty());
        Findings { runs }
    }

    pub fn len(&self) -> usize {
        self.runs.iter().map(Vec::len).sum()
    }

    /// The runs the findings are kept in, in order, for work spread over the cores.
    pub fn runs(&self) -> &[Vec<Finding>] {
        &self.runs
    }

    pub fn is_empty(&self) -> bool {
        self.runs.is_empty()
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Finding> + Clone {
        self.runs.iter().flatten()
    }

    /// Every finding by reference, in order: what the reports read.
    pub fn ordered(&self) -> Vec<&Finding> {
        let mut out = Vec::with_capacity(self.len());
        out.extend(self.iter());
        out
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&Finding) -> bool) {
        for run in &mut self.runs {
            run.retain(&mut keep);
        }
        self.runs.retain(|run| !run.is_empty());
    }
}

impl From<Vec<Finding>> for Findings {
    fn from(findings: Vec<Finding>) -> Findings {
        Findings::from_runs(vec![findings])
    }
}

impl<'a> IntoIterator for &'a Findings {
    type Item = &'a Finding;
    type IntoIter = std::iter::Flatten<std::slice::Iter<'a, Vec<Finding>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.runs.iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::{bounded, interned};

    #[test]
    fn long_quoted_values_are_shown_by_their_start_and_length() {
        let long = "é".repeat(100);
        let text = bounded(Cow::Owned(format!("`{long}` is not a region; `eastus` is")));
        assert_eq!(
            text,
            format!("`{}…` (200 bytes) is not a region; `eastus` is", "é".repeat(30))
        );
        let short = "`eastus` is a region";
        assert_eq!(bounded(Cow::Borrowed(short)), short);
        let unquoted = bounded(Cow::Owned("x".repeat(5_000)));
        assert!(unquoted.ends_with("… (cut at 2000 of 5000 bytes)"), "{unquoted}");
        assert!(unquoted.len() < 2_100);
    }

    #[test]
    fn equal_sentences_share_one_copy_and_fixed_ones_stay_as_they_are() {
        let first = interned(Cow::Owned(["the model ", "gpt-4o", " is retired"].concat()));
        let second = interned(Cow::Owned("the model gpt-4o is retired".to_owned()));
        let (Cow::Borrowed(first), Cow::Borrowed(second)) = (first, second) else {
            panic!("a made sentence is kept");
        };
        assert_eq!(first, "the model gpt-4o is retired");
        assert!(std::ptr::eq(first, second));
        let fixed = "a fixed sentence";
        assert!(matches!(interned(Cow::Borrowed(fixed)), Cow::Borrowed(s) if std::ptr::eq(s, fixed)));
    }

    #[test]
    fn a_bounded_number_of_sentences_is_kept() {
        // One length, so one shard: other tests' sentences have other lengths.
        let per_shard = super::INTERNED_AT_MOST / super::INTERNED_SHARDS;
        let sentence = |i: usize| format!("bounded {i:0>40}");
        for i in 0..per_shard {
            interned(Cow::Owned(sentence(i)));
        }
        assert!(matches!(interned(Cow::Owned(sentence(per_shard))), Cow::Owned(_)));
        assert!(matches!(interned(Cow::Owned(sentence(7))), Cow::Borrowed(_)));
    }
}
