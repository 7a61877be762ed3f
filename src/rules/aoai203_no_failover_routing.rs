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
    /// routing resource refers to an account or its target is unknown; and when modules that
    /// were not followed may route.
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

#[cfg(test)]
mod tests {
    use crate::testing::{Case, account, assert_cases};

    const BACKEND: &str = "resource \"azurerm_api_management_backend\" \"b\" {\n  name = \"b\"\n  url = \"${azurerm_cognitive_account.a.endpoint}openai\"\n}\n";

    #[test]
    fn cases() {
        let two = account("a", "\"eastus2\"") + &account("b", "\"swedencentral\"");
        assert_cases(
            "AOAI203",
            &[
                Case::new("two regions, no router", &[("main.tf", &two)], &["main.tf:5:27"]),
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
