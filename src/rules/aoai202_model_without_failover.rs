use std::borrow::Cow;

use super::{Context, Rule, RuleMeta, declare_rule};
use crate::catalog::lower_case;
use crate::diagnostic::{Finding, Label, Severity};
use crate::facts::ConfigurationKind;

declare_rule! {
    /// ## What it does
    /// Flags a model deployed in one region only, in a configuration whose accounts span
    /// several regions.
    ///
    /// ## Why is this bad?
    /// The second region is there to take over; a model that exists in only one of them
    /// cannot fail over, so the application that calls it stops with that region anyway.
    ///
    /// ## Example
    /// Accounts in `eastus2` and `swedencentral`, with `gpt-4o` deployed on the `eastus2`
    /// account only.
    ///
    /// ## Use instead
    /// Deploy the model on an account in each region (a `for_each` over the accounts does it).
    ///
    /// ## Configuration
    /// None.
    ///
    /// ## When it stays silent
    /// For a reusable module on its own; when fewer than two regions are known; and when any
    /// deployment's model or region is unknown, or the configuration may hold accounts or
    /// deployments the linter cannot see, since the missing one could be the failover; when
    /// the catalog knows the model and no other region of the configuration offers it (in any
    /// deployment type): there is nowhere to fail over to.
    ///
    /// ## Sources
    /// Azure OpenAI business continuity guidance.
    pub static MODEL_WITHOUT_FAILOVER = {
        id: "AOAI202",
        name: "model-without-failover",
        severity: Some(Severity::Warning),
        category: Resiliency,
        summary: "a model deployed in only one region while the configuration has several",
    };
}

pub struct ModelWithoutFailover;

impl Rule for ModelWithoutFailover {
    fn meta(&self) -> &'static RuleMeta {
        &MODEL_WITHOUT_FAILOVER
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let config = cx.config;
        if config.kind != ConfigurationKind::Root
            || !config.unseen_accounts.is_empty()
            || !config.unseen_deployments.is_empty()
        {
            return;
        }
        let regions: Option<Vec<&str>> = config
            .accounts
            .iter()
            .map(|a| a.location.known().map(String::as_str))
            .collect();
        let Some(mut regions) = regions else {
            return;
        };
        regions.sort_unstable();
        regions.dedup();
        if regions.len() < 2 {
            return;
        }
        // (model in lower case, deployment, its region), grouped by model below; sorted
        // vectors rather than maps of sets, as this runs for every configuration.
        let mut by_model: Vec<(Cow<'_, str>, usize, &str)> = Vec::with_capacity(config.deployments.len());
        for (index, deployment) in config.deployments.iter().enumerate() {
            let region = config.account(&deployment.account).and_then(|a| a.location.known());
            let (Some(model), Some(region)) = (deployment.model_name.known(), region) else {
                // This one could be the failover of any model.
                return;
            };
            by_model.push((lower_case(model), index, region));
        }
        by_model.sort_unstable_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        for deployments in by_model.chunk_by(|a, b| a.0 == b.0) {
            let (_, first, region) = deployments[0];
            if deployments.iter().any(|(_, _, r)| *r != region) {
                continue;
            }
            let first = &config.deployments[first];
            let model = first.model_name.known().map_or("", String::as_str);
            let others: Vec<&str> = regions.iter().copied().filter(|r| *r != region).collect();
            // Where the catalog knows the model, only the regions that offer it (in any
            // deployment type) can take its traffic: none, and there is nowhere to fail over.
            let versions = cx.catalog.model_versions(model);
            let offered_in = |r: &str| versions.iter().any(|m| m.listed_in(r));
            let others: Vec<&str> = if versions.is_empty() {
                others
            } else {
                others.into_iter().filter(|r| offered_in(r)).collect()
            };
            if others.is_empty() {
                continue;
            }
            let message = format!(
                "`{model}` is deployed in {region} only, though the configuration also has accounts in {}",
                others.join(", ")
            );
            let help = format!(
                "deploy `{model}` on an account in {} too, so that traffic can fail over",
                others.join(" or ")
            );
            out.push(
                Finding::new(
                    &MODEL_WITHOUT_FAILOVER,
                    message,
                    Label::new(first.model_name.span, "only in one region"),
                )
                .with_resource(&first.address)
                .with_help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{Case, account, assert_cases, deployment};

    fn two_regions(second_model: &str) -> String {
        account("a", "\"eastus2\"")
            + &account("b", "\"swedencentral\"")
            + &deployment("d1", "a", "gpt-5.1", Some("2025-11-13"), "GlobalStandard", Some(10))
            + &deployment("d2", "b", second_model, Some("2025-11-13"), "GlobalStandard", Some(10))
    }

    #[test]
    fn cases() {
        assert_cases(
            "AOAI202",
            &[
                Case::new(
                    "a model in one region of two",
                    &[("main.tf", &two_regions("gpt-5.4"))],
                    &["main.tf:22:15", "main.tf:35:15"],
                ),
                Case::new("the same model in both", &[("main.tf", &two_regions("gpt-5.1"))], &[]),
                Case::new(
                    "a model the other region does not offer has nowhere to fail over to",
                    &[(
                        "main.tf",
                        &two_regions("gpt-5.1")
                            .replacen("\"gpt-5.1\"", "\"codex-mini\"", 1)
                            .replacen("\"2025-11-13\"", "\"2025-05-16\"", 1)
                            .replace("\"swedencentral\"", "\"uksouth\""),
                    )],
                    &["main.tf:35:15"],
                ),
                Case::new(
                    "an unknown model could be the failover",
                    &[("main.tf", &two_regions("gpt-5.4").replace("\"gpt-5.4\"", "var.m"))],
                    &[],
                ),
                Case::new(
                    "one region only is AOAI201's",
                    &[(
                        "main.tf",
                        &two_regions("gpt-5.4").replace("\"swedencentral\"", "\"eastus2\""),
                    )],
                    &[],
                ),
            ],
        );
    }
}
