use std::collections::BTreeSet;

use super::{Context, Rule, RuleMeta, declare_rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::facts::ConfigurationKind;

declare_rule! {
    /// ## What it does
    /// Notes a configuration with accounts in several regions and nothing that routes between
    /// them: no API Management backend, Front Door origin or Traffic Manager endpoint that
    /// refers to the accounts.
    ///
    /// ## Why is this bad?
    /// A second region helps only if something sends traffic there when the first one fails
    /// or runs out of capacity. Without a router every client must know both endpoints and
    /// switch by itself.
    ///
    /// ## Example
    /// Accounts in `eastus2` and `swedencentral` and no `azurerm_api_management_backend`.
    ///
    /// ## Use instead
    /// An API Management backend per account in a load-balanced pool (with a circuit breaker
    /// on 429 and 5xx), or Front Door origins for the accounts.
    ///
    /// ## Configuration
    /// None.
    ///
    /// ## When it stays silent
    /// For a reusable module on its own; when fewer than two regions are known; when a
    /// routing resource (an API Management backend, a Front Door origin, a Traffic Manager
    /// endpoint, an application gateway, in azurerm or as an `azapi_resource` of that ARM
    /// type) refers to an account or its target is unknown; when modules that
    /// were not followed may route; and when every deployed model is one the catalog offers in
    /// only one of the regions (there is nothing to fail over to).
    ///
    /// ## Sources
    /// Azure API Management and Azure OpenAI gateway guidance.
    pub static NO_FAILOVER_ROUTING = {
        id: "AOAI203",
        name: "no-failover-routing",
        severity: Some(Severity::Info),
        category: Resiliency,
        summary: "several regions but nothing routes between them",
    };
}

pub struct NoFailoverRouting;

impl Rule for NoFailoverRouting {
    fn meta(&self) -> &'static RuleMeta {
        &NO_FAILOVER_ROUTING
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let config = cx.config;
        if config.kind != ConfigurationKind::Root || !config.unseen_accounts.is_empty() {
            return;
        }
        let regions: BTreeSet<&String> = config.accounts.iter().filter_map(|a| a.location.known()).collect();
        if regions.len() < 2 {
            return;
        }
        if !any_model_can_fail_over(cx, &regions) {
            return;
        }
        let accounts: BTreeSet<&str> = config.accounts.iter().map(|a| &*a.address).collect();
        let routed = config.routes.iter().any(|r| {
            r.targets
                .as_ref()
                .is_none_or(|targets| targets.iter().any(|t| accounts.contains(t.as_str())))
        });
        if routed {
            return;
        }
        let first = &config.accounts[0];
        out.push(
            Finding::new(
                &NO_FAILOVER_ROUTING,
                format!(
                    "accounts in {} regions ({}) but nothing routes between them",
                    regions.len(),
                    regions.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
                ),
                Label::new(first.location.span, "one of the regions"),
            )
            .with_resource(&first.address)
            .with_help("put the accounts behind an API Management backend pool or Front Door origins, so that traffic moves when a region fails"),
        );
    }
}

/// Whether routing between the regions could move any deployed model's traffic: some
/// model is offered (in any deployment type) in two of them, or is unknown to the catalog, or
/// is not known at all, or nothing is deployed yet. When every model is offered in one of the
/// regions only, there is nothing to fail over to.
fn any_model_can_fail_over(cx: &Context<'_>, regions: &BTreeSet<&String>) -> bool {
    let models: Option<Vec<&String>> = cx.config.deployments.iter().map(|d| d.model_name.known()).collect();
    let Some(models) = models.filter(|m| !m.is_empty()) else {
        return true;
    };
    models.iter().any(|model| {
        let versions = cx.catalog.model_versions(model);
        let offering = regions
            .iter()
            .filter(|region| versions.iter().any(|m| m.listed_in(region)))
            .count();
        versions.is_empty() || offering >= 2
    })
}

#[cfg(test)]
mod tests {
    use crate::testing::{Case, account, assert_cases, deployment};

    const BACKEND: &str = "resource \"azurerm_api_management_backend\" \"b\" {\n  name = \"b\"\n  url = \"${azurerm_cognitive_account.a.endpoint}openai\"\n}\n";

    #[test]
    fn cases() {
        let two = account("a", "\"eastus2\"") + &account("b", "\"swedencentral\"");
        assert_cases(
            "AOAI203",
            &[
                Case::new("two regions, no router", &[("main.tf", &two)], &["main.tf:5:27"]),
                Case::new(
                    "an API Management backend written as an azapi resource",
                    &[(
                        "main.tf",
                        &(two.clone()
                            + "resource \"azapi_resource\" \"backend\" {\n  type = \"Microsoft.ApiManagement/service/backends@2024-06-01-preview\"\n  body = {\n    properties = {\n      url = \"${azurerm_cognitive_account.a.endpoint}openai\"\n    }\n  }\n}\n"),
                    )],
                    &[],
                ),
                Case::new(
                    "a model both regions offer could fail over",
                    &[(
                        "main.tf",
                        &(two.clone()
                            + &deployment("d", "a", "gpt-4o", Some("2024-11-20"), "GlobalStandard", Some(10))),
                    )],
                    &["main.tf:5:27"],
                ),
                Case::new(
                    "a model only one region offers has nowhere to go",
                    &[(
                        "main.tf",
                        &(account("a", "\"eastus2\"")
                            + &account("b", "\"uksouth\"")
                            + &deployment("d", "a", "codex-mini", Some("2025-05-16"), "GlobalStandard", Some(10))),
                    )],
                    &[],
                ),
                Case::new(
                    "an APIM backend to an account",
                    &[("main.tf", &(two.clone() + BACKEND))],
                    &[],
                ),
                Case::new(
                    "a backend elsewhere",
                    &[(
                        "main.tf",
                        &(two.clone()
                            + &BACKEND.replace("${azurerm_cognitive_account.a.endpoint}openai", "https://example.com")),
                    )],
                    &["main.tf:5:27"],
                ),
                Case::new("one region", &[("main.tf", &account("a", "\"eastus2\""))], &[]),
            ],
        );
    }
}
