use super::{Context, Rule, RuleMeta, declare_rule};
use crate::catalog::Scope;
use crate::diagnostic::{Finding, Label, Severity};

declare_rule! {
    /// ## What it does
    /// Notes a `Standard` (regional) deployment of a model that the same region also offers
    /// as `DataZoneStandard` or `GlobalStandard`, when the residency policy allows that type.
    ///
    /// ## Why is this bad?
    /// Quota is not capacity: a regional deployment draws on one region's capacity, and
    /// requests fail with 429 when it is busy even below quota. Data zone and global types
    /// draw on a larger pool and are more likely to have capacity.
    ///
    /// ## Example
    /// ```hcl
    /// sku {
    ///   name = "Standard"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// sku {
    ///   name = "DataZoneStandard" # processing stays in the data zone
    /// }
    /// ```
    ///
    /// ## Configuration
    /// Follows `policy.residency` and `policy.allowed_deployment_types`: a type they forbid is
    /// never suggested.
    ///
    /// ## Fix
    /// None: whether to spread the capacity or raise the quota is the team's choice.
    ///
    /// ## When it stays silent
    /// Unless model, version, type and region are known; when neither larger type is offered
    /// there or allowed.
    ///
    /// ## Sources
    /// `rules/models.yaml` and `rules/deployment-types.yaml`.
    pub static REGIONAL_CAPACITY_RISK = {
        id: "AOAI204",
        name: "regional-capacity-risk",
        severity: Some(Severity::Info),
        category: Resiliency,
        summary: "Standard deployment where a DataZone or Global type is offered and allowed",
    };
}

pub struct RegionalCapacityRisk;

impl Rule for RegionalCapacityRisk {
    fn meta(&self) -> &'static RuleMeta {
        &REGIONAL_CAPACITY_RISK
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for deployment in &cx.config.deployments {
            if deployment.sku_name.known().map(String::as_str) != Some("Standard") {
                continue;
            }
            let (Some(name), Some(version)) = (deployment.model_name.known(), deployment.model_version.known()) else {
                continue;
            };
            let Some(region) = cx.config.account(&deployment.account).and_then(|a| a.location.known()) else {
                continue;
            };
            let Some(model) = cx.catalog.model(name, version) else {
                continue;
            };
            let better: Vec<&str> = ["DataZoneStandard", "GlobalStandard"]
                .into_iter()
                .filter(|t| model.offered(t, region))
                .filter(|t| super::policy_allows_type(cx, t, region))
                .collect();
            if better.is_empty() {
                continue;
            }
            let scope = |t: &str| match cx.catalog.deployment_type(t).map(|d| d.scope) {
                Some(Scope::Datazone) => "the data zone's",
                _ => "the global",
            };
            out.push(
                Finding::new(
                    &REGIONAL_CAPACITY_RISK,
                    format!(
                        "regional `{name}` in {region} depends on one region's capacity; {} {} offered there",
                        better.join(" and "),
                        if better.len() == 1 { "is" } else { "are" }
                    ),
                    Label::new(deployment.sku_name.span, "regional deployment"),
                )
                .with_resource(&deployment.address)
                .with_help(format!(
                    "{} draws on {} capacity pool and is allowed by the policy",
                    better[0],
                    scope(better[0])
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{Case, account, assert_cases, deployment};

    fn with(location: &str, sku: &str) -> String {
        account("a", location) + &deployment("d", "a", "gpt-4o", Some("2024-08-06"), sku, Some(10))
    }

    #[test]
    fn cases() {
        assert_cases(
            "AOAI204",
            &[
                Case::new(
                    "standard where more is offered",
                    &[("main.tf", &with("\"eastus2\"", "Standard"))],
                    &["main.tf:18:12"],
                ),
                Case::new(
                    "already global",
                    &[("main.tf", &with("\"eastus2\"", "GlobalStandard"))],
                    &[],
                ),
                Case::new(
                    "region unknown",
                    &[("main.tf", &(with("var.l", "Standard") + "variable \"l\" {}\n"))],
                    &[],
                ),
            ],
        );
    }
}
