use super::{Context, Rule, RuleMeta, declare_rule};
use crate::diagnostic::{Finding, Label, Severity, Texts};
use crate::facts::{AccountSetting, Known};

declare_rule! {
    /// ## What it does
    /// Flags an OpenAI or AIServices account without `custom_subdomain_name`
    /// (`properties.customSubDomainName` on an `azapi_resource` account).
    ///
    /// ## Why is this bad?
    /// Without a custom subdomain the account is reached through a shared regional endpoint:
    /// Microsoft Entra ID authentication and private endpoints both need the account's own
    /// subdomain, and it cannot be added later without recreating the account.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_cognitive_account" "openai" {
    ///   name = "contoso-openai"
    ///   kind = "OpenAI"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_cognitive_account" "openai" {
    ///   name                  = "contoso-openai"
    ///   kind                  = "OpenAI"
    ///   custom_subdomain_name = "contoso-openai"
    /// }
    /// ```
    ///
    /// ## Configuration
    /// None.
    ///
    /// ## Fix
    /// None: the name must be unique across Azure, and adding one re-creates an existing
    /// account.
    ///
    /// ## When it stays silent
    /// When `custom_subdomain_name` is set, even to a value the linter cannot resolve.
    ///
    /// ## Sources
    /// Azure AI services documentation: custom subdomain names are required for Microsoft
    /// Entra ID authentication and for private endpoints.
    pub static MISSING_CUSTOM_SUBDOMAIN = {
        id: "AOAI503",
        name: "missing-custom-subdomain",
        severity: Some(Severity::Warning),
        category: Security,
        summary: "account has no custom subdomain (needed by Entra ID and private endpoints)",
    };
}

pub struct MissingCustomSubdomain;

/// By account resource type.
static NOT_SET: Texts<3> = Texts::new();
static EMPTY: Texts<3> = Texts::new();
static HELP: Texts<3> = Texts::new();

impl Rule for MissingCustomSubdomain {
    fn meta(&self) -> &'static RuleMeta {
        &MISSING_CUSTOM_SUBDOMAIN
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for account in &cx.config.accounts {
            let field = &account.custom_subdomain_name;
            cx.note_unknown(
                out,
                &MISSING_CUSTOM_SUBDOMAIN,
                field,
                "the custom subdomain",
                &account.address,
            );
            let resource = account.resource;
            let attribute = resource.attribute(AccountSetting::CustomSubdomain);
            let label = match &field.value {
                Known::Absent => NOT_SET.get(resource as usize, || format!("{attribute} not set")),
                Known::Value(name) if name.trim().is_empty() => {
                    EMPTY.get(resource as usize, || format!("empty {attribute}"))
                }
                Known::Value(_) | Known::Unknown => continue,
            };
            out.push(
                Finding::new(
                    &MISSING_CUSTOM_SUBDOMAIN,
                    "account has no custom subdomain: Entra ID authentication and private endpoints need one",
                    Label::new(field.span, label),
                )
                .with_resource(&account.address)
                .with_related(field.origin.labels())
                .with_help(HELP.get(resource as usize, || {
                    format!("set `{attribute}` to a globally unique name (often the account name); changing it later recreates the account")
                })),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{Case, assert_cases};

    fn account(extra: &str) -> String {
        format!(
            "resource \"azurerm_cognitive_account\" \"a\" {{\n  name     = \"a\"\n  kind     = \"AIServices\"\n  location = \"eastus\"\n  sku_name = \"S0\"\n{extra}}}\n"
        )
    }

    #[test]
    fn cases() {
        assert_cases(
            "AOAI503",
            &[
                Case::new("missing", &[("main.tf", &account(""))], &["main.tf:1:1"]),
                Case::new(
                    "set",
                    &[("main.tf", &account("  custom_subdomain_name = \"a\"\n"))],
                    &[],
                ),
                Case::new(
                    "empty",
                    &[("main.tf", &account("  custom_subdomain_name = \"\"\n"))],
                    &["main.tf:6:27"],
                ),
                Case::new(
                    "unknown",
                    &[("main.tf", &account("  custom_subdomain_name = random_id.x.hex\n"))],
                    &[],
                ),
                Case::new(
                    "set from a local",
                    &[(
                        "main.tf",
                        &format!(
                            "locals {{\n  name = \"oai\"\n}}\n{}",
                            account("  custom_subdomain_name = \"${local.name}-sub\"\n")
                        ),
                    )],
                    &[],
                ),
            ],
        );
    }
}
