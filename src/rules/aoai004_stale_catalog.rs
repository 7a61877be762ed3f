use super::declare_rule;
use crate::catalog::TableRef;
use crate::diagnostic::{Finding, Label, Severity};
use crate::source::{SourceMap, Span};

declare_rule! {
    /// ## What it does
    /// Says when the oldest table of the catalog the linter checks against is older than the
    /// policy allows: 60 days by default. Each table (lifecycle, availability per family of
    /// deployment types, regions, quotas, PTU sizing, provider schema) keeps its own date;
    /// `aoai-lint --version` lists them.
    ///
    /// ## Why is this bad?
    /// Models arrive and retire every few weeks, and regions gain deployment types. An old
    /// catalog misses retirements (silence where a finding was due) and calls new models
    /// unknown.
    ///
    /// ## Example
    /// A catalog whose quota tiers are dated 2026-05-15, on 2026-09-01.
    ///
    /// ## Use instead
    /// Upgrade aoai-lint, or refresh the facts from your subscription with
    /// `aoai-lint catalog import` and `--catalog`.
    ///
    /// ## Configuration
    /// `policy.catalog_max_age_days` (default 60: Azure retires or moves a model version
    /// every few weeks), or the rule's own option:
    /// `rules: { AOAI004: { max_age_days: 365 } }`. "Today" is `--as-of` or the current date.
    ///
    /// ## Fix
    /// None: the catalog is refreshed by upgrading or with `aoai-lint catalog import`, not in
    /// the scanned files.
    ///
    /// ## When it stays silent
    /// While every table is younger than the limit.
    ///
    /// ## Sources
    /// The `as_of` date of each table in `rules/*.yaml`.
    pub static STALE_CATALOG = {
        id: "AOAI004",
        name: "stale-catalog",
        severity: Some(Severity::Info),
        category: Meta,
        summary: "the catalog is older than the policy allows",
    };
}

/// The finding, when the catalog's `oldest` table is more than `max_age_days` old on
/// `today`. It points at the catalog itself: the problem is not in the scanned code.
pub fn check(
    sources: &SourceMap,
    oldest: TableRef<'_>,
    today: jiff::civil::Date,
    max_age_days: i64,
) -> Option<Finding> {
    let date: jiff::civil::Date = oldest.as_of.parse().ok()?;
    let age = i64::from((today - date).get_days());
    if age <= max_age_days {
        return None;
    }
    let prefix = format!("{}: as_of: \"", oldest.name);
    let file = sources.add_virtual("<catalog>", &format!("{prefix}{}\"", oldest.as_of));
    let span = Span::new(file, prefix.len()..prefix.len() + oldest.as_of.len());
    Some(
        Finding::new(
            &STALE_CATALOG,
            format!(
                "the catalog's oldest table ({}) is dated {}, {age} days ago (the policy allows {max_age_days})",
                oldest.name, oldest.as_of
            ),
            Label::new(span, "table date"),
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
        let table = |as_of| TableRef {
            name: "quota-tiers",
            as_of,
        };
        assert!(check(&sources, table("2026-09-28"), day("2026-11-24"), 60).is_none());
        let finding = check(&sources, table("2026-01-01"), day("2026-11-24"), 180).unwrap();
        assert!(finding.message.contains("(quota-tiers)"), "{}", finding.message);
        assert!(finding.message.contains("327 days"), "{}", finding.message);
        assert_eq!(
            sources.get(finding.primary.span.file).text[finding.primary.span.range()].to_string(),
            "2026-01-01"
        );
    }
}
