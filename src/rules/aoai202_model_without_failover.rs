use std::borrow::Cow;

use super::{Context, Rule, RuleMeta, declare_rule};
use crate::catalog::Catalog;
use crate::catalog::lower_case;
use crate::diagnostic::{Finding, Label, Severity};
use crate::facts::{Configuration, ConfigurationKind};
use crate::policy::ResiliencyScope;

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
    /// `policy.resiliency.scope: repository` judges the deployments and regions of every
    /// root of the run together (one root per region that fail over to each other): a model
    /// deployed by one root only, where another root has an account in a region that offers
    /// it, is reported once for the run, naming the root of each other region; and nothing is
    /// said when any root has an unknown region or model.
    ///
    /// ## Fix
    /// None: a deployment in another region is new infrastructure with its own quota.
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
        // Across the run's configurations, the run judges them together (`across`).
        if cx.policy.resiliency.scope == ResiliencyScope::Repository {
            return;
        }
        if let Some(failover) = Failover::of(cx.config) {
            out.extend(judge(&[&failover], cx.catalog, false));
        }
    }
}

/// What AOAI202 needs of one configuration: its accounts' regions and its deployments'
/// models and regions, all known (an unknown one could be the failover of any model).
pub struct Failover {
    /// Where each region comes from: the configuration's folder, as shown.
    regions: Vec<(String, String)>,
    deployments: Vec<Deployed>,
}

struct Deployed {
    model: String,
    region: String,
    span: crate::source::Span,
    address: crate::diagnostic::Address,
}

impl Failover {
    /// `None` when something is unknown or unseen (then nothing may be said), or when the
    /// configuration is no root (it is judged through its callers).
    pub fn of(config: &Configuration) -> Option<Failover> {
        if config.kind != ConfigurationKind::Root
            || !config.unseen_accounts.is_empty()
            || !config.unseen_deployments.is_empty()
        {
            return None;
        }
        let dir = crate::source::display_path(&config.dir);
        let regions = config
            .accounts
            .iter()
            .map(|a| a.location.known().map(|r| (r.clone(), dir.clone())))
            .collect::<Option<Vec<_>>>()?;
        let deployments = config
            .deployments
            .iter()
            .map(|d| {
                let region = config.account(&d.account).and_then(|a| a.location.known())?;
                Some(Deployed {
                    model: d.model_name.known()?.clone(),
                    region: region.clone(),
                    span: d.model_name.span,
                    address: crate::diagnostic::Address::clone(&d.address),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(Failover { regions, deployments })
    }
}

/// What one configuration brings to AOAI202 across configurations.
pub enum Across {
    /// Not a root: judged through the roots that call it.
    Skipped,
    /// Something is unknown or unseen: nothing may be said of the run.
    Unknown,
    Known(Failover),
}

impl Across {
    pub fn of(config: &Configuration) -> Across {
        if config.kind != ConfigurationKind::Root {
            return Across::Skipped;
        }
        Failover::of(config).map_or(Across::Unknown, Across::Known)
    }
}

/// AOAI202 over every root of a run together (`policy.resiliency.scope: repository`):
/// nothing when any of them has something unknown.
pub fn across(configurations: &[Across], catalog: &Catalog) -> Vec<Finding> {
    let mut all = Vec::new();
    for configuration in configurations {
        match configuration {
            Across::Skipped => {}
            Across::Unknown => return Vec::new(),
            Across::Known(failover) => all.push(failover),
        }
    }
    judge(&all, catalog, true)
}

/// Each model deployed in one region only, where the accounts span others that offer it;
/// `across` names the configuration of each other region.
fn judge(failovers: &[&Failover], catalog: &Catalog, across: bool) -> Vec<Finding> {
    let mut regions: Vec<&str> = failovers
        .iter()
        .flat_map(|f| f.regions.iter().map(|(r, _)| r.as_str()))
        .collect();
    regions.sort_unstable();
    regions.dedup();
    if regions.len() < 2 {
        return Vec::new();
    }
    // (model in lower case, deployment), grouped by model below; sorted vectors rather than
    // maps of sets, as this runs for every configuration.
    let mut by_model: Vec<(Cow<'_, str>, &Deployed)> = failovers
        .iter()
        .flat_map(|f| f.deployments.iter())
        .map(|d| (lower_case(&d.model), d))
        .collect();
    by_model.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = Vec::new();
    for deployments in by_model.chunk_by(|a, b| a.0 == b.0) {
        let first = deployments[0].1;
        if deployments.iter().any(|(_, d)| d.region != first.region) {
            continue;
        }
        let model = first.model.as_str();
        // Where the catalog knows the model, only the regions that offer it (in any
        // deployment type) can take its traffic: none, and there is nowhere to fail over.
        let versions = catalog.model_versions(model);
        let offered_in = |r: &str| versions.is_empty() || versions.iter().any(|m| m.listed_in(r));
        let others: Vec<&str> = regions
            .iter()
            .copied()
            .filter(|r| *r != first.region && offered_in(r))
            .collect();
        if others.is_empty() {
            continue;
        }
        let message = if across {
            let held: Vec<String> = others
                .iter()
                .map(|r| {
                    let dirs: Vec<&str> = failovers
                        .iter()
                        .flat_map(|f| f.regions.iter())
                        .filter(|(region, _)| region == r)
                        .map(|(_, dir)| dir.as_str())
                        .collect();
                    format!("{r} ({})", dirs.join(", "))
                })
                .collect();
            format!(
                "`{model}` is deployed in {} only, though the run's configurations also have accounts in {}",
                first.region,
                held.join(", ")
            )
        } else {
            format!(
                "`{model}` is deployed in {} only, though the configuration also has accounts in {}",
                first.region,
                others.join(", ")
            )
        };
        let help = format!(
            "deploy `{model}` on an account in {} too, so that traffic can fail over",
            others.join(" or ")
        );
        out.push(
            Finding::new(
                &MODEL_WITHOUT_FAILOVER,
                message,
                Label::new(first.span, "only in one region"),
            )
            .with_resource(&first.address)
            .with_help(help),
        );
    }
    out
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
