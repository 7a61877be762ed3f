use super::{Context, Rule, RuleMeta, declare_rule};
use crate::catalog::{RegionLookup, Scope};
use crate::diagnostic::{Finding, Label, Severity};

declare_rule! {
    /// ## What it does
    /// Flags a `DataZone*` deployment on an account whose region is in no data zone, or in
    /// another data zone than the policy's.
    ///
    /// ## Why is this bad?
    /// A data zone deployment processes data anywhere in the account region's data zone: in
    /// the US zone for an account in `eastus2`, in the EU zone for one in `swedencentral`. If
    /// that is not the zone the policy names, data leaves it; a region in no zone (`uksouth`,
    /// `japaneast`) cannot host the type at all.
    ///
    /// ## Example
    /// With `policy.residency.data_zone: EU`, a `DataZoneStandard` deployment on an account in
    /// `eastus2`.
    ///
    /// ## Use instead
    /// An account in an EU data zone region (`swedencentral`, `francecentral`, ...), or a
    /// regional deployment type.
    ///
    /// ## Configuration
    /// Any `policy.residency` setting turns it on; `policy.residency.data_zone` names the zone.
    ///
    /// ## Fix
    /// None: moving the account or changing the type is a choice of region and quota.
    ///
    /// ## When it stays silent
    /// Without a residency policy; when the type, the account or its region is unknown, or the
    /// catalog does not describe the region.
    ///
    /// ## Sources
    /// `rules/regions.yaml` (data zone membership) and `rules/deployment-types.yaml`.
    pub static DATA_ZONE_MISMATCH = {
        id: "AOAI103",
        name: "data-zone-mismatch",
        severity: Some(Severity::Error),
        category: Residency,
        summary: "DataZone type where the account's region is in no zone or another zone",
    };
}

pub struct DataZoneMismatch;

impl Rule for DataZoneMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &DATA_ZONE_MISMATCH
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(residency) = &cx.policy.residency else { return };
        for deployment in &cx.config.deployments {
            cx.note_unknown(
                out,
                &DATA_ZONE_MISMATCH,
                &deployment.sku_name,
                "the deployment type",
                &deployment.address,
            );
            let Some(sku) = deployment.sku_name.known() else {
                continue;
            };
            if cx.catalog.deployment_type(sku).map(|t| t.scope) != Some(Scope::Datazone) {
                continue;
            }
            let Some(account) = cx.config.account(&deployment.account) else {
                continue;
            };
            let Some(name) = account.location.known() else { continue };
            let RegionLookup::Known(region) = cx.catalog.region(name) else {
                continue;
            };
            let message = match (&region.data_zone, &residency.data_zone) {
                (None, _) => format!("{name} is in no data zone, so {sku} cannot keep processing inside one"),
                (Some(zone), Some(required)) if zone != required => {
                    format!(
                        "{sku} on an account in {name} processes data in the {zone} data zone, not the {required} zone the policy requires"
                    )
                }
                _ => continue,
            };
            out.push(
                Finding::new(
                    &DATA_ZONE_MISMATCH,
                    message,
                    Label::new(deployment.sku_name.span, "data zone type"),
                )
                .with_resource(&deployment.address)
                .with_related(
                    std::iter::once(Label::new(
                        account.location.span,
                        format!("{} is in {name}", account.address),
                    ))
                    .chain(account.location.origin.labels()),
                )
                .with_help("deploy on an account in a region of the required data zone, or use a regional type"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{Case, account_with_deployment, assert_cases, assert_cases_with_config};

    fn with(location: &str) -> String {
        account_with_deployment(location, "gpt-5.1", Some("2025-11-13"), "DataZoneStandard")
    }

    #[test]
    fn cases() {
        assert_cases(
            "AOAI103",
            &[Case::new(
                "no policy, no finding",
                &[("main.tf", &with("\"eastus2\""))],
                &[],
            )],
        );
        assert_cases_with_config(
            "AOAI103",
            "policy:\n  residency:\n    data_zone: EU\n",
            &[
                Case::new(
                    "US zone under an EU policy",
                    &[("main.tf", &with("\"eastus2\""))],
                    &["main.tf:18:12"],
                ),
                Case::new("EU zone", &[("main.tf", &with("\"francecentral\""))], &[]),
                Case::new("no zone", &[("main.tf", &with("\"japaneast\""))], &["main.tf:18:12"]),
                Case::new("unknown region", &[("main.tf", &with("data.x.y.location"))], &[]),
            ],
        );
    }
}
