use super::{Context, Rule, RuleMeta, declare_rule};
use crate::diagnostic::{Finding, Label, Severity};

declare_rule! {
    /// ## What it does
    /// Checks each deployment's type (`sku.name`) against `policy.allowed_deployment_types`.
    ///
    /// ## Why is this bad?
    /// Deployment types differ in where data is processed, how capacity is bought and what it
    /// costs: a team that buys provisioned throughput, or must not use batch, needs the rule
    /// enforced in review. No Azure Policy built-in restricts deployment types.
    ///
    /// ## Example
    /// With `allowed_deployment_types: [DataZoneStandard, DataZoneProvisionedManaged]`, a
    /// `GlobalStandard` deployment.
    ///
    /// ## Use instead
    /// One of the allowed types.
    ///
    /// ## Configuration
    /// `policy.allowed_deployment_types`: a list of `sku.name` values.
    ///
    /// ## Fix
    /// None: the allowed type to use depends on the model's availability and the quota in the
    /// region.
    ///
    /// ## When it stays silent
    /// When the list is not configured, and when the type is unknown.
    ///
    /// ## Sources
    /// `rules/deployment-types.yaml`.
    pub static DEPLOYMENT_TYPE_NOT_ALLOWED = {
        id: "AOAI105",
        name: "deployment-type-not-allowed",
        severity: Some(Severity::Error),
        category: Residency,
        summary: "deployment type outside policy.allowed_deployment_types",
    };
}

pub struct DeploymentTypeNotAllowed;

impl Rule for DeploymentTypeNotAllowed {
    fn meta(&self) -> &'static RuleMeta {
        &DEPLOYMENT_TYPE_NOT_ALLOWED
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(allowed) = &cx.policy.allowed_deployment_types else {
            return;
        };
        for deployment in &cx.config.deployments {
            cx.note_unknown(
                out,
                &DEPLOYMENT_TYPE_NOT_ALLOWED,
                &deployment.sku_name,
                "the deployment type",
                &deployment.address,
            );
            let Some(sku) = deployment.sku_name.known() else {
                continue;
            };
            if allowed.iter().any(|a| a == sku) {
                continue;
            }
            out.push(
                Finding::new(
                    &DEPLOYMENT_TYPE_NOT_ALLOWED,
                    format!("deployment type {sku} is not allowed by the policy"),
                    Label::new(deployment.sku_name.span, "not an allowed type"),
                )
                .with_resource(&deployment.address)
                .with_related(deployment.sku_name.origin.labels())
                .with_help(format!("allowed: {}", allowed.join(", "))),
            );
        }
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
            "AOAI105",
            &[Case::new(
                "no list, no finding",
                &[("main.tf", &with("GlobalBatch"))],
                &[],
            )],
        );
        assert_cases_with_config(
            "AOAI105",
            "policy:\n  allowed_deployment_types: [DataZoneStandard, DataZoneProvisionedManaged]\n",
            &[
                Case::new("not allowed", &[("main.tf", &with("GlobalBatch"))], &["main.tf:18:12"]),
                Case::new("allowed", &[("main.tf", &with("DataZoneStandard"))], &[]),
            ],
        );
    }
}
