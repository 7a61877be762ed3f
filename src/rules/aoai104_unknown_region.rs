use super::{Context, Rule, RuleMeta, declare_rule};
use crate::catalog::RegionLookup;
use crate::diagnostic::{Finding, Label, Safety, Severity};

declare_rule! {
    /// ## What it does
    /// Checks that an account's `location` is an Azure region name.
    ///
    /// ## Why is this bad?
    /// A misspelt region (`westeurop`, `eastus3`) fails only at apply time, after review,
    /// and a region that does not exist cannot be judged by any residency or availability
    /// rule. azurerm normalises display names (`"West Europe"` is `westeurope`), so those
    /// are accepted.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_cognitive_account" "openai" {
    ///   kind     = "OpenAI"
    ///   location = "westeurop"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_cognitive_account" "openai" {
    ///   kind     = "OpenAI"
    ///   location = "westeurope"
    /// }
    /// ```
    ///
    /// ## Configuration
    /// None. A team can add regions the catalog lacks with its own catalog file.
    ///
    /// ## Fix
    /// Unsafe (`--fix --unsafe-fixes`), when exactly one region name is near: the name is
    /// written where the value is written (a variable's default, a tfvars line, a local),
    /// not in the resource. It moves the account, so a reviewer must read it. Never where a variable or local the value passed
    /// through is also read elsewhere in its module: rewriting it would change those too.
    ///
    /// ## When it stays silent
    /// When the location is unknown (a data source, a computed attribute), when it names a
    /// sovereign-cloud region (Azure Government, Azure China: outside the catalog), and when
    /// it names a region the sources mention without describing (such as `swedensouth`).
    ///
    /// ## Sources
    /// `rules/regions.yaml`: region names and display names from the Azure reliability
    /// documentation's region list.
    pub static UNKNOWN_REGION = {
        id: "AOAI104",
        name: "unknown-region",
        severity: Some(Severity::Error),
        category: Residency,
        summary: "account location is not an Azure region name",
    };
}

pub struct UnknownRegion;

impl Rule for UnknownRegion {
    fn meta(&self) -> &'static RuleMeta {
        &UNKNOWN_REGION
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for account in &cx.config.accounts {
            cx.note_unknown(
                out,
                &UNKNOWN_REGION,
                &account.location,
                "the account's location",
                &account.address,
            );
            let Some(location) = account.location.known() else {
                continue;
            };
            if cx.catalog.region(location) != RegionLookup::NotARegion {
                continue;
            }
            let suggestions = cx.catalog.nearest_regions(location);
            let help = match suggestions.as_slice() {
                [] => "use a region name such as `eastus2` or `swedencentral` (`az account list-locations -o table` lists them)".to_owned(),
                names => format!("did you mean {}?", names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" or ")),
            };
            let mut finding = Finding::new(
                &UNKNOWN_REGION,
                format!("`{location}` is not an Azure region ({})", cx.catalog.table("regions")),
                Label::new(account.location.span, "unknown region"),
            )
            .with_resource(&account.address)
            .with_related(account.location.origin.labels())
            .with_help(help);
            // One near name: where the value is written (the innermost place it came from),
            // it becomes that name. It moves the account, so a reviewer must read it.
            if let [only] = suggestions.as_slice() {
                finding = finding.with_fix(super::fixes::rewrite_where_written(
                    cx,
                    (&account.location, account.block),
                    (format!("\"{location}\""), format!("\"{only}\"")),
                    Safety::Unsafe,
                    format!("write the region `{only}`"),
                ));
            }
            out.push(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{Case, assert_cases};

    const ACCOUNT: &str = r#"
resource "azurerm_cognitive_account" "a" {
  name     = "a"
  kind     = "OpenAI"
  sku_name = "S0"
  location = LOCATION
}
"#;

    fn account(location: &str) -> String {
        ACCOUNT.replace("LOCATION", location)
    }

    #[test]
    fn cases() {
        assert_cases(
            "AOAI104",
            &[
                Case::new(
                    "misspelt name",
                    &[("main.tf", &account("\"westeurop\""))],
                    &["main.tf:6:14"],
                ),
                Case::new("valid name", &[("main.tf", &account("\"swedencentral\""))], &[]),
                Case::new(
                    "display name is normalised by azurerm",
                    &[("main.tf", &account("\"West Europe\""))],
                    &[],
                ),
                Case::new(
                    "sovereign cloud is out of scope",
                    &[("main.tf", &account("\"usgovvirginia\""))],
                    &[],
                ),
                Case::new(
                    "data source stays unknown",
                    &[("main.tf", &account("data.azurerm_resource_group.rg.location"))],
                    &[],
                ),
                Case::new(
                    "value from a variable default",
                    &[(
                        "main.tf",
                        &format!(
                            "variable \"loc\" {{\n  default = \"eastus3\"\n}}\n{}",
                            account("var.loc")
                        ),
                    )],
                    &["main.tf:9:14"],
                ),
                Case::new(
                    "other kinds are ignored",
                    &[("main.tf", &account("\"nowhere\"").replace("OpenAI", "Face"))],
                    &[],
                ),
            ],
        );
    }
}
