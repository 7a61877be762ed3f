use super::{Context, Rule, declare_rule, fixes};
use crate::catalog::RegionLookup;
use crate::diagnostic::{Finding, Label, Safety};
use crate::facts::{Account, AccountResource};

declare_rule! {
    /// ## What it does
    /// Reports an account's `location` written as the region's display name (`"West
    /// Europe"`) or in mixed case (`"SwedenCentral"`) rather than as its ARM name
    /// (`"westeurope"`, `"swedencentral"`). Off by default.
    ///
    /// ## Why is this bad?
    /// Nothing breaks: azurerm normalises the location (lower case, spaces removed) before it
    /// compares or sends it. But the name ARM returns, `az` prints and Azure Policy's
    /// allowed-locations lists use is the ARM name, so a repository that writes both forms is
    /// harder to search, to review against a residency list, and to compare with what is
    /// deployed. Teams that want one form turn this on.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_cognitive_account" "openai" {
    ///   location = "Sweden Central"
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
    /// Turn it on in the configuration file's `rules` section.
    ///
    /// ## Fix
    /// Safe (`--fix`): the ARM name is written where the location is written (in the
    /// resource, a variable's default, a tfvars line, a local or a module call's argument).
    /// What is deployed does not change: azurerm sends the same name either way. Never where a variable or local the value passed
    /// through is also read elsewhere in its module: rewriting it would change those too.
    ///
    /// ## When it stays silent
    /// When the location is unknown, is not a region the catalog knows, or is not written as
    /// one plain string (built by an expression or a template, or read from a map, the form
    /// it was written in cannot be told); for `azapi_resource` accounts.
    ///
    /// ## Sources
    /// `rules/regions.yaml`: region and display names (Microsoft Learn, regions list), and
    /// azurerm's location normalisation (go-azure-helpers `location.Normalize`).
    pub static REGION_DISPLAY_NAME = {
        id: "AOAI106",
        name: "region-display-name",
        severity: None,
        category: Residency,
        summary: "a region written as its display name or in mixed case, not its ARM name; opt-in",
    };
}

pub struct RegionDisplayName;

impl Rule for RegionDisplayName {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &REGION_DISPLAY_NAME
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for account in &cx.config.accounts {
            if let Some(finding) = judge(cx, account) {
                out.push(finding);
            }
        }
    }
}

fn judge(cx: &Context<'_>, account: &Account) -> Option<Finding> {
    if account.resource == AccountResource::Azapi {
        return None;
    }
    let location = account.location.known()?;
    let RegionLookup::Known(region) = cx.catalog.region(location) else {
        return None;
    };
    let quoted = fixes::text_at(cx.sources, fixes::written_at(&account.location))?;
    // One plain string: quotes around text with no escape or template in it.
    let written = quoted
        .strip_prefix('"')?
        .strip_suffix('"')
        .filter(|w| !w.contains(['"', '\\', '$', '%']))?;
    // The text must be the whole value: where a value is built from parts, the innermost
    // place it came from may be only one of them.
    let normalised: String = written.chars().filter(|c| *c != ' ').collect::<String>().to_lowercase();
    if written == region.name || normalised != region.name {
        return None;
    }
    let message = format!("`{written}` is the region `{}`: write its ARM name", region.name);
    let fix = fixes::rewrite_where_written(
        cx,
        (&account.location, account.block),
        (quoted.to_owned(), format!("\"{}\"", region.name)),
        Safety::Safe,
        format!("write the region's ARM name `{}`", region.name),
    );
    Some(
        Finding::new(
            &REGION_DISPLAY_NAME,
            message,
            Label::new(account.location.span, "display name"),
        )
        .with_resource(&account.address)
        .with_related(account.location.origin.labels())
        .with_help(format!("`location = \"{}\"`", region.name))
        .with_fix(fix),
    )
}

#[cfg(test)]
mod tests {
    use crate::testing::{Case, account, assert_cases_enabled};

    #[test]
    fn off_by_default() {
        assert_eq!(super::REGION_DISPLAY_NAME.default_severity, None);
    }

    #[test]
    fn cases() {
        let default =
            |region: &str| format!("variable \"region\" {{\n  default = {region}\n}}\n") + &account("a", "var.region");
        assert_cases_enabled(
            &super::REGION_DISPLAY_NAME,
            &[
                Case::new(
                    "display name",
                    &[("main.tf", &account("a", "\"Sweden Central\""))],
                    &["main.tf:5:27"],
                ),
                Case::new(
                    "mixed case",
                    &[("main.tf", &account("a", "\"SwedenCentral\""))],
                    &["main.tf:5:27"],
                ),
                Case::new(
                    "through a default",
                    &[("main.tf", &default("\"West Europe\""))],
                    &["main.tf:8:27"],
                ),
                Case::new("the ARM name", &[("main.tf", &account("a", "\"swedencentral\""))], &[]),
                Case::new("not a region", &[("main.tf", &account("a", "\"Atlantis\""))], &[]),
                Case::new(
                    "a template: how it was written cannot be told",
                    &[(
                        "main.tf",
                        &default("\"Sweden\"").replace("var.region", "\"${var.region} Central\""),
                    )],
                    &[],
                ),
                Case::new("unknown", &[("main.tf", &account("a", "data.x.y.location"))], &[]),
            ],
        );
    }
}
