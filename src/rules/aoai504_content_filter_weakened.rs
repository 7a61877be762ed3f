use super::{Context, Rule, RuleMeta, declare_rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::facts::{Blocks, Known};

declare_rule! {
    /// ## What it does
    /// Flags a content filter of an `azurerm_cognitive_account_rai_policy` that is turned
    /// off (`filter_enabled = false`), only annotates (`block_enabled = false`), or blocks
    /// only the most severe content (`severity_threshold = "High"`).
    ///
    /// ## Why is this bad?
    /// The default filters block harmful content at medium severity. Weakening one is
    /// sometimes approved (Microsoft reviews requests to turn filters off), and a reviewer
    /// should see that it happens in this pull request.
    ///
    /// ## Example
    /// ```hcl
    /// content_filter {
    ///   name               = "Violence"
    ///   filter_enabled     = true
    ///   block_enabled      = true
    ///   severity_threshold = "High"
    ///   source             = "Prompt"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// `severity_threshold = "Medium"` (the default) or `"Low"`, with filtering and blocking on.
    ///
    /// ## Configuration
    /// None.
    ///
    /// ## Fix
    /// None: a content filter's thresholds are a policy decision.
    ///
    /// ## When it stays silent
    /// When the values are unknown, and when the filters come from a `dynamic` block over an
    /// unknown collection.
    ///
    /// ## Sources
    /// azurerm `azurerm_cognitive_account_rai_policy`; Azure OpenAI content filtering
    /// documentation (severity levels and configurability).
    pub static CONTENT_FILTER_WEAKENED = {
        id: "AOAI504",
        name: "content-filter-weakened",
        severity: Some(Severity::Warning),
        category: Security,
        summary: "RAI policy that turns filters off or sets them to the highest threshold",
    };
}

pub struct ContentFilterWeakened;

impl Rule for ContentFilterWeakened {
    fn meta(&self) -> &'static RuleMeta {
        &CONTENT_FILTER_WEAKENED
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for policy in &cx.config.rai_policies {
            let Blocks::Known(filters) = &policy.content_filters else {
                continue;
            };
            for filter in filters {
                let name = filter
                    .name
                    .known()
                    .cloned()
                    .unwrap_or_else(|| "a content filter".into());
                let source = filter.source.known().map(|s| format!(" on {s}")).unwrap_or_default();
                let (span, message) = if filter.filter_enabled.value == Known::Value(false) {
                    (
                        filter.filter_enabled.span,
                        format!("`{name}`{source} is not filtered at all"),
                    )
                } else if filter.block_enabled.value == Known::Value(false) {
                    (
                        filter.block_enabled.span,
                        format!("`{name}`{source} is detected but not blocked"),
                    )
                } else if filter
                    .severity_threshold
                    .known()
                    .is_some_and(|t| t.eq_ignore_ascii_case("High"))
                {
                    (
                        filter.severity_threshold.span,
                        format!("`{name}`{source} blocks only high-severity content"),
                    )
                } else {
                    continue;
                };
                out.push(
                    Finding::new(&CONTENT_FILTER_WEAKENED, message, Label::new(span, "weakened here"))
                        .with_resource(&policy.address)
                        .with_help("keep filtering and blocking on at the `Medium` threshold unless an approved exception says otherwise"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{Case, assert_cases};

    fn policy(filter: &str, enabled: &str, block: &str, threshold: &str) -> String {
        format!(
            "resource \"azurerm_cognitive_account_rai_policy\" \"p\" {{\n  name = \"p\"\n  cognitive_account_id = \"x\"\n  base_policy_name = \"Microsoft.Default\"\n  content_filter {{\n    name = \"{filter}\"\n    filter_enabled = {enabled}\n    block_enabled = {block}\n    severity_threshold = \"{threshold}\"\n    source = \"Prompt\"\n  }}\n}}\n"
        )
    }

    #[test]
    fn cases() {
        assert_cases(
            "AOAI504",
            &[
                Case::new(
                    "filter off",
                    &[("main.tf", &policy("Hate", "false", "true", "Medium"))],
                    &["main.tf:7:22"],
                ),
                Case::new(
                    "annotate only",
                    &[("main.tf", &policy("Hate", "true", "false", "Medium"))],
                    &["main.tf:8:21"],
                ),
                Case::new(
                    "high threshold",
                    &[("main.tf", &policy("Violence", "true", "true", "High"))],
                    &["main.tf:9:26"],
                ),
                Case::new(
                    "default strength",
                    &[("main.tf", &policy("Violence", "true", "true", "Medium"))],
                    &[],
                ),
                Case::new(
                    "unknown",
                    &[("main.tf", &policy("Hate", "var.on", "var.on", "Low"))],
                    &[],
                ),
            ],
        );
    }
}
