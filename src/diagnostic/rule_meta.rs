//! What every rule declares about itself, below the findings that point at it: the stages
//! before the rules (parse, evaluate, suppress) raise findings of their own rules, so the
//! declarations cannot live above them.

use super::Severity;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Meta,
    Residency,
    Resiliency,
    Availability,
    Quota,
    Security,
}

/// What every rule declares about itself.
#[derive(Debug)]
pub struct RuleMeta {
    /// `AOAI201`: a public contract, never reused or renumbered.
    pub id: &'static str,
    /// `single-region`: kebab-case, accepted wherever an id is.
    pub name: &'static str,
    /// `None`: off unless turned on.
    pub default_severity: Option<Severity>,
    pub category: Category,
    /// One line for `aoai-lint rules`.
    pub summary: &'static str,
    /// The rule's documentation (Markdown), from its doc comment.
    pub doc: &'static str,
}

impl RuleMeta {
    /// The documentation with the one space rustdoc keeps after `///` removed.
    pub fn documentation(&self) -> String {
        self.doc
            .lines()
            .map(|line| line.strip_prefix(' ').unwrap_or(line))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Declares a rule's metadata; its doc comment becomes [`RuleMeta::doc`].
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        pub static $NAME:ident = {
            id: $id:literal,
            name: $name:literal,
            severity: $severity:expr,
            category: $category:ident,
            summary: $summary:literal $(,)?
        };
    ) => {
        $(#[doc = $doc])+
        pub static $NAME: $crate::diagnostic::RuleMeta = $crate::diagnostic::RuleMeta {
            id: $id,
            name: $name,
            default_severity: $severity,
            category: $crate::diagnostic::Category::$category,
            summary: $summary,
            doc: concat!($($doc, "\n"),+),
        };
    };
}
pub(crate) use declare_rule;
