use std::collections::{BTreeMap, BTreeSet};

use super::{Context, Rule, RuleMeta, declare_rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::facts::{ConfigurationKind, Deployment};

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
    /// deployments the linter cannot see, since the missing one could be the failover.
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
        let regions: Option<BTreeSet<&String>> = config.accounts.iter().map(|a| a.location.known()).collect();
        let Some(regions) = regions.filter(|r| r.len() >= 2) else {
            return;
        };
        let mut by_model: BTreeMap<String, Vec<(&Deployment, &String)>> = BTreeMap::new();
        for deployment in &config.deployments {
            let region = config.account(&deployment.account).and_then(|a| a.location.known());
            let (Some(model), Some(region)) = (deployment.model_name.known(), region) else {
                // This one could be the failover of any model.
                return;
            };
            by_model
                .entry(model.to_ascii_lowercase())
                .or_default()
                .push((deployment, region));
        }
        for deployments in by_model.values() {
            let deployed_in: BTreeSet<&String> = deployments.iter().map(|(_, r)| *r).collect();
            if deployed_in.len() != 1 {
                continue;
            }
            let (first, region) = deployments[0];
            let model = first.model_name.known().map_or("", String::as_str);
            let others: Vec<&str> = regions.iter().filter(|r| **r != region).map(|r| r.as_str()).collect();
            let message = [
                "`",
                model,
                "` is deployed in ",
                region,
                " only, though the configuration also has accounts in ",
                &others.join(", "),
            ];
            let help = [
                "deploy `",
                model,
                "` on an account in ",
                &others.join(" or "),
                " too, so that traffic can fail over",
            ];
            out.push(
                Finding::new(
                    &MODEL_WITHOUT_FAILOVER,
                    message.concat(),
                    Label::new(first.model_name.span, "only in one region"),
                )
                .with_resource(&first.address)
                .with_help(help.concat()),
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
