use std::collections::{BTreeMap, BTreeSet};

use super::{Context, Rule, RuleMeta, declare_rule};
use crate::catalog::Catalog;
use crate::diagnostic::{Address, Finding, Label, Severity};
use crate::facts::{Configuration, ConfigurationKind};
use crate::policy::ResiliencyScope;
use crate::source::Span;

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
    /// `policy.resiliency.scope: repository` judges the roots of the run together (one root
    /// per region): accounts in several regions across the roots and no router anywhere in
    /// the run is one finding for the run, naming the root of each region. A router in any
    /// root silences it, since one root reads another's accounts through data sources or
    /// remote state, which the linter does not follow; so does any root that may hold
    /// accounts the linter cannot see.
    ///
    /// ## Fix
    /// None: the router, and how it balances, is the team's design.
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
        // Across the run's configurations, the run judges them together (`across`).
        if cx.policy.resiliency.scope == ResiliencyScope::Repository
            || config.kind != ConfigurationKind::Root
            || !config.unseen_accounts.is_empty()
        {
            return;
        }
        let regions: BTreeSet<&String> = config.accounts.iter().filter_map(|a| a.location.known()).collect();
        if regions.len() < 2 {
            return;
        }
        let models: Option<Vec<&String>> = config.deployments.iter().map(|d| d.model_name.known()).collect();
        if !any_model_can_fail_over(cx.catalog, models, &regions) {
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
/// Whether some model the configuration deploys is offered in two of `regions` (or the
/// catalog does not know it, or a model is unknown, or nothing is deployed yet).
fn any_model_can_fail_over(catalog: &Catalog, models: Option<Vec<&String>>, regions: &BTreeSet<&String>) -> bool {
    let Some(models) = models.filter(|m| !m.is_empty()) else {
        return true;
    };
    models.iter().any(|model| {
        let versions = catalog.model_versions(model);
        let offering = regions
            .iter()
            .filter(|region| versions.iter().any(|m| m.listed_in(region)))
            .count();
        versions.is_empty() || offering >= 2
    })
}

/// What one configuration brings to AOAI203 across configurations
/// (`policy.resiliency.scope: repository`).
pub enum Across {
    /// Not a root: judged through the roots that call it.
    Skipped,
    /// It may hold accounts the linter cannot see: nothing may be said of the run.
    Unknown,
    Known(Routing),
}

pub struct Routing {
    /// Its folder, as shown, and the known regions of its accounts.
    dir: String,
    regions: BTreeSet<String>,
    /// The models it deploys, `None` when one is unknown.
    models: Option<Vec<String>>,
    /// It has a router (API Management backend, Front Door origin, Traffic Manager
    /// endpoint): one in another root refers to the accounts through data sources or remote
    /// state, which the linter cannot follow, so any router anywhere may be the one.
    routes: bool,
    first: Option<(Span, Address)>,
}

impl Across {
    pub fn of(config: &Configuration) -> Across {
        if config.kind != ConfigurationKind::Root {
            return Across::Skipped;
        }
        if !config.unseen_accounts.is_empty() {
            return Across::Unknown;
        }
        Across::Known(Routing {
            dir: crate::source::display_path(&config.dir),
            regions: config
                .accounts
                .iter()
                .filter_map(|a| a.location.known().cloned())
                .collect(),
            models: config
                .deployments
                .iter()
                .map(|d| d.model_name.known().cloned())
                .collect(),
            routes: !config.routes.is_empty(),
            first: config
                .accounts
                .first()
                .map(|a| (a.location.span, Address::clone(&a.address))),
        })
    }
}

/// AOAI203 over every root of the run together: accounts in several regions across the
/// roots, and no router anywhere in the run.
pub fn across(configurations: &[Across], catalog: &Catalog) -> Vec<Finding> {
    let mut known = Vec::new();
    for configuration in configurations {
        match configuration {
            Across::Skipped => {}
            Across::Unknown => return Vec::new(),
            Across::Known(routing) => known.push(routing),
        }
    }
    if known.iter().any(|r| r.routes) {
        return Vec::new();
    }
    let mut held: BTreeMap<&String, Vec<&str>> = BTreeMap::new();
    for routing in &known {
        for region in &routing.regions {
            held.entry(region).or_default().push(&routing.dir);
        }
    }
    let regions: BTreeSet<&String> = held.keys().copied().collect();
    if regions.len() < 2 {
        return Vec::new();
    }
    let models: Option<Vec<&String>> = known
        .iter()
        .map(|r| r.models.as_ref().map(|m| m.iter().collect::<Vec<_>>()))
        .collect::<Option<Vec<_>>>()
        .map(|all| all.into_iter().flatten().collect());
    if !any_model_can_fail_over(catalog, models, &regions) {
        return Vec::new();
    }
    let Some((span, address)) = known.iter().find_map(|r| r.first.clone()) else {
        return Vec::new();
    };
    let listed: Vec<String> = held
        .iter()
        .map(|(region, dirs)| format!("{region} ({})", dirs.join(", ")))
        .collect();
    vec![
        Finding::new(
            &NO_FAILOVER_ROUTING,
            format!(
                "the run's configurations have accounts in {} regions ({}) but nothing in the run routes between them",
                regions.len(),
                listed.join(", ")
            ),
            Label::new(span, "one of the regions"),
        )
        .with_resource(&address)
        .with_help("put the accounts behind an API Management backend pool or Front Door origins, so that traffic moves when a region fails"),
    ]
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
