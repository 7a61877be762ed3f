use super::declare_rule;
use crate::diagnostic::{Finding, Label, Severity};
use crate::source::{SourceMap, Span};

declare_rule! {
    /// ## What it does
    /// Says when the catalog the linter checks against (its model matrix) is older than the
    /// policy allows: 180 days by default.
    ///
    /// ## Why is this bad?
    /// Models arrive and retire every few weeks, and regions gain deployment types. An old
    /// catalog misses retirements (silence where a finding was due) and calls new models
    /// unknown.
    ///
    /// ## Example
    /// A catalog dated 2026-01-15 on 2026-09-01.
    ///
    /// ## Use instead
    /// Upgrade aoai-lint, or refresh the facts from your subscription with
    /// `aoai-lint catalog import` and `--catalog`.
    ///
    /// ## Configuration
    /// `policy.catalog_max_age_days` (default 180), or the rule's own option:
    /// `rules: { AOAI004: { max_age_days: 365 } }`. "Today" is `--as-of` or the current date.
    ///
    /// ## When it stays silent
    /// While the catalog is younger than the limit.
    ///
    /// ## Sources
    /// The `as_of` date of `rules/models.yaml`.
    pub static STALE_CATALOG = {
        id: "AOAI004",
        name: "stale-catalog",
        severity: Some(Severity::Info),
        category: Meta,
        summary: "the catalog is older than the policy allows",
    };
}

/// The finding, when the catalog dated `as_of` is more than `max_age_days` old on `today`.
/// It points at the catalog itself: the problem is not in the scanned code.
pub fn check(sources: &SourceMap, as_of: &str, today: jiff::civil::Date, max_age_days: i64) -> Option<Finding> {
    let date: jiff::civil::Date = as_of.parse().ok()?;
    let age = i64::from((today - date).get_days());
    if age <= max_age_days {
        return None;
    }
    let text = format!("as_of: \"{as_of}\"");
    let file = sources.add_virtual("<catalog>", &text);
    Some(
        Finding::new(
            &STALE_CATALOG,
            format!("the catalog is dated {as_of}, {age} days ago (the policy allows {max_age_days})"),
            Label::new(Span::new(file, 8..8 + as_of.len()), "catalog date"),
        )
        .with_help("upgrade aoai-lint, or lay a fresh overlay over it: `aoai-lint catalog import` and `--catalog`"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_old_catalog_is_reported() {
        let sources = SourceMap::default();
        let day = |d: &str| d.parse::<jiff::civil::Date>().unwrap();
        assert!(check(&sources, "2026-08-28", day("2026-11-24"), 180).is_none());
        let finding = check(&sources, "2026-01-01", day("2026-11-24"), 180).unwrap();
        assert!(finding.message.contains("327 days"), "{}", finding.message);
        assert_eq!(
            sources.get(finding.primary.span.file).text[finding.primary.span.range()].to_string(),
            "2026-01-01"
        );
    }
}
