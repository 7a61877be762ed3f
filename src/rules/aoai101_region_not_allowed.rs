use super::{Context, Rule, RuleMeta, declare_rule};
use crate::catalog::RegionLookup;
use crate::diagnostic::{Finding, Label, Severity};

declare_rule! {
    /// ## What it does
    /// Checks each account's region against the residency policy: its data zone
    /// (`data_zone: EU`), an allow-list of regions, or an allow-list of geographies.
    ///
    /// ## Why is this bad?
    /// Prompts, completions and stored data (fine-tuning files, batch inputs) live in the
    /// account's region. An account outside the regions a team may use breaks its data
    /// residency commitments the moment it is created.
    ///
    /// ## Example
    /// With `policy.residency.data_zone: EU`:
    /// ```hcl
    /// resource "azurerm_cognitive_account" "openai" {
    ///   location = "eastus2"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_cognitive_account" "openai" {
    ///   location = "swedencentral"
    /// }
    /// ```
    ///
    /// ## Configuration
    /// `policy.residency.data_zone` (`EU`, `US` or `APAC`), `policy.residency.allowed_regions`,
    /// `policy.residency.allowed_geographies`. Every one that is set must hold.
    ///
    /// ## Fix
    /// None: which allowed region to move to is the team's choice, and a new location
    /// re-creates the account.
    ///
    /// ## When it stays silent
    /// Without a residency policy; when the location is unknown or not a region (AOAI104);
    /// for a zone or geography check, when the catalog does not describe the region.
    ///
    /// ## Sources
    /// `rules/regions.yaml`: geographies and data zone membership.
    pub static REGION_NOT_ALLOWED = {
        id: "AOAI101",
        name: "region-not-allowed",
        severity: Some(Severity::Error),
        category: Residency,
        summary: "account location outside the policy's allowed regions, geographies or data zone",
    };
}

pub struct RegionNotAllowed;

impl Rule for RegionNotAllowed {
    fn meta(&self) -> &'static RuleMeta {
        &REGION_NOT_ALLOWED
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(residency) = &cx.policy.residency else { return };
        for account in &cx.config.accounts {
            cx.note_unknown(
                out,
                &REGION_NOT_ALLOWED,
                &account.location,
                "the account's location",
                &account.address,
            );
            let Some(name) = account.location.known() else { continue };
            let lookup = cx.catalog.region(name);
            if lookup == RegionLookup::NotARegion {
                continue;
            }
            let mut problems = Vec::new();
            if let Some(allowed) = &residency.allowed_regions
                && !allowed.contains(name)
            {
                problems.push(format!(
                    "{name} is not among the allowed regions ({})",
                    allowed.join(", ")
                ));
            }
            if let RegionLookup::Known(region) = lookup {
                if let Some(zone) = &residency.data_zone
                    && region.data_zone.as_ref() != Some(zone)
                {
                    let actual = region
                        .data_zone
                        .as_deref()
                        .map_or("no data zone".to_owned(), |z| format!("the {z} data zone"));
                    problems.push(format!(
                        "{name} is in {actual}, not the {zone} data zone the policy requires"
                    ));
                }
                if let Some(geographies) = &residency.allowed_geographies
                    && !geographies.iter().any(|g| g.eq_ignore_ascii_case(&region.geography))
                {
                    problems.push(format!(
                        "{name} is in the {} geography, not in {}",
                        region.geography,
                        geographies.join(", ")
                    ));
                }
            }
            if problems.is_empty() {
                continue;
            }
            out.push(
                Finding::new(
                    &REGION_NOT_ALLOWED,
                    problems.join("; "),
                    Label::new(account.location.span, "region not allowed"),
                )
                .with_resource(&account.address)
                .with_related(account.location.origin.labels())
                .with_help("move the account to a region the residency policy allows"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{Case, account, assert_cases, assert_cases_with_config};

    const EU: &str = "policy:\n  residency:\n    data_zone: EU\n";

    #[test]
    fn cases() {
        let us = account("a", "\"eastus2\"");
        let eu = account("a", "\"Sweden Central\"");
        assert_cases(
            "AOAI101",
            &[Case::new("no policy, no finding", &[("main.tf", &us)], &[])],
        );
        assert_cases_with_config(
            "AOAI101",
            EU,
            &[
                Case::new("US account under an EU policy", &[("main.tf", &us)], &["main.tf:5:27"]),
                Case::new("EU account", &[("main.tf", &eu)], &[]),
                Case::new(
                    "UK is in no data zone",
                    &[("main.tf", &account("a", "\"uksouth\""))],
                    &["main.tf:5:27"],
                ),
                Case::new(
                    "unknown location",
                    &[("main.tf", &account("a", "data.x.y.location"))],
                    &[],
                ),
                Case::new(
                    "a typo is AOAI104's",
                    &[("main.tf", &account("a", "\"westeurop\""))],
                    &[],
                ),
            ],
        );
        assert_cases_with_config(
            "AOAI101",
            "policy:\n  residency:\n    allowed_regions: [swedencentral]\n    allowed_geographies: [Sweden]\n",
            &[
                Case::new("allowed", &[("main.tf", &eu)], &[]),
                Case::new(
                    "not in the lists",
                    &[("main.tf", &account("a", "\"francecentral\""))],
                    &["main.tf:5:27"],
                ),
            ],
        );
    }
}
