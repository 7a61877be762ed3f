use super::{Context, Rule, RuleMeta, declare_rule};
use crate::catalog::Scope;
use crate::diagnostic::{Finding, Label, Severity};

declare_rule! {
    /// ## What it does
    /// Flags a `Global*` deployment (`GlobalStandard`, `GlobalProvisionedManaged`,
    /// `GlobalBatch`) while a residency policy is set.
    ///
    /// ## Why is this bad?
    /// A global deployment may process prompts and completions in any Azure region where the
    /// model is deployed, whatever the account's region. Data at rest stays in the account's
    /// geography, but processing does not: that breaks a residency commitment.
    ///
    /// ## Example
    /// With `policy.residency.data_zone: EU`:
    /// ```hcl
    /// sku {
    ///   name = "GlobalStandard"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// sku {
    ///   name = "DataZoneStandard"
    /// }
    /// ```
    ///
    /// ## Configuration
    /// Any `policy.residency` setting turns it on.
    ///
    /// ## Fix
    /// None: the data zone or regional type to use depends on the model's availability and the
    /// quota in the region.
    ///
    /// ## When it stays silent
    /// Without a residency policy, and when the deployment type is unknown.
    ///
    /// ## Sources
    /// `rules/deployment-types.yaml`: where each deployment type processes data.
    pub static GLOBAL_DEPLOYMENT_RESIDENCY = {
        id: "AOAI102",
        name: "global-deployment-residency",
        severity: Some(Severity::Error),
        category: Residency,
        summary: "Global deployment type while the policy requires a geography or data zone",
    };
}

pub struct GlobalDeploymentResidency;

impl Rule for GlobalDeploymentResidency {
    fn meta(&self) -> &'static RuleMeta {
        &GLOBAL_DEPLOYMENT_RESIDENCY
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(residency) = &cx.policy.residency else { return };
        for deployment in &cx.config.deployments {
            cx.note_unknown(
                out,
                &GLOBAL_DEPLOYMENT_RESIDENCY,
                &deployment.sku_name,
                "the deployment type",
                &deployment.address,
            );
            let Some(sku) = deployment.sku_name.known() else {
                continue;
            };
            if cx.catalog.deployment_type(sku).map(|t| t.scope) != Some(Scope::Global) {
                continue;
            }
            let instead = match &residency.data_zone {
                Some(_) => format!(
                    "use the data zone type (`{}`) or a regional one",
                    sku.replacen("Global", "DataZone", 1)
                ),
                None => format!("use the regional type (`{}`)", regional(sku)),
            };
            out.push(
                Finding::new(
                    &GLOBAL_DEPLOYMENT_RESIDENCY,
                    format!("{sku} may process data in any Azure region, which the residency policy does not allow"),
                    Label::new(deployment.sku_name.span, "global processing"),
                )
                .with_resource(&deployment.address)
                .with_related(deployment.sku_name.origin.labels())
                .with_help(instead),
            );
        }
    }
}

fn regional(global: &str) -> &'static str {
    match global {
        "GlobalProvisionedManaged" => "ProvisionedManaged",
        _ => "Standard",
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{Case, account_with_deployment, assert_cases, assert_cases_with_config};

    fn with(sku: &str) -> String {
        account_with_deployment("\"swedencentral\"", "gpt-5.1", Some("2025-11-13"), sku)
    }

    #[test]
    fn cases() {
        assert_cases(
            "AOAI102",
            &[Case::new(
                "no policy, no finding",
                &[("main.tf", &with("GlobalStandard"))],
                &[],
            )],
        );
        assert_cases_with_config(
            "AOAI102",
            "policy:\n  residency:\n    data_zone: EU\n",
            &[
                Case::new("global", &[("main.tf", &with("GlobalStandard"))], &["main.tf:18:12"]),
                Case::new(
                    "global provisioned",
                    &[("main.tf", &with("GlobalProvisionedManaged"))],
                    &["main.tf:18:12"],
                ),
                Case::new("data zone", &[("main.tf", &with("DataZoneStandard"))], &[]),
                Case::new(
                    "unknown type",
                    &[(
                        "main.tf",
                        &with("GlobalStandard").replace("\"GlobalStandard\"", "var.sku"),
                    )],
                    &[],
                ),
            ],
        );
    }
}
