use super::{Context, Rule, RuleMeta, declare_rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::facts::{AccountResource, AccountSetting};

declare_rule! {
    /// ## What it does
    /// Checks an OpenAI or AIServices account's `sku_name` and the arguments azurerm rejects
    /// for these kinds: an OpenAI account takes `S0` only, an account takes a SKU from
    /// azurerm's list, and `dynamic_throttling_enabled = true` is rejected for OpenAI and
    /// AIServices accounts.
    ///
    /// ## Why is this bad?
    /// The apply fails: Azure refuses an OpenAI account on `F0` or `S1`, and azurerm refuses
    /// `dynamic_throttling_enabled` on these kinds (since 4.47).
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_cognitive_account" "openai" {
    ///   kind     = "OpenAI"
    ///   sku_name = "F0"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_cognitive_account" "openai" {
    ///   kind     = "OpenAI"
    ///   sku_name = "S0"
    /// }
    /// ```
    ///
    /// ## Configuration
    /// None.
    ///
    /// ## Fix
    /// None: the account's SKU is a pricing choice.
    ///
    /// ## When it stays silent
    /// When `sku_name` is unknown, and for every kind other than OpenAI and AIServices;
    /// `dynamic_throttling_enabled` only when it is known to be `true` (azurerm reads an unset
    /// argument as `false`, and accepts `false`).
    ///
    /// ## Sources
    /// `rules/provider-schema.yaml`: azurerm's `sku_name` values, the SKU Azure documents for
    /// OpenAI, and `dynamic_throttling_enabled`'s kinds.
    pub static INVALID_ACCOUNT_SKU = {
        id: "AOAI305",
        name: "invalid-account-sku",
        severity: Some(Severity::Error),
        category: Availability,
        summary: "account kind / sku_name combination or argument Azure rejects",
    };
}

pub struct InvalidAccountSku;

impl Rule for InvalidAccountSku {
    fn meta(&self) -> &'static RuleMeta {
        &INVALID_ACCOUNT_SKU
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let provider = &cx.catalog.provider;
        for account in &cx.config.accounts {
            cx.note_unknown(
                out,
                &INVALID_ACCOUNT_SKU,
                &account.sku_name,
                "the account SKU",
                &account.address,
            );
            if let Some(sku) = account.sku_name.known() {
                let attribute = account.resource.attribute(AccountSetting::Sku);
                // ARM itself takes more SKU names than azurerm lists: only the OpenAI rule
                // holds for azapi accounts.
                let valid = match account.resource {
                    AccountResource::AiServices => Some(&provider.ai_services_sku_names),
                    AccountResource::CognitiveAccount => Some(&provider.account_sku_names),
                    AccountResource::Azapi => None,
                };
                let problem = if account.kind == "OpenAI" && *sku != provider.openai_account_sku {
                    Some(format!(
                        "an OpenAI account takes {attribute} `{}`, not `{sku}`",
                        provider.openai_account_sku
                    ))
                } else if valid.is_some_and(|valid| !valid.contains(sku)) {
                    Some(format!(
                        "`{sku}` is not a {attribute} {} accepts",
                        account.resource.type_name()
                    ))
                } else {
                    None
                };
                if let Some(message) = problem {
                    out.push(
                        Finding::new(
                            &INVALID_ACCOUNT_SKU,
                            message,
                            Label::new(account.sku_name.span, format!("invalid {attribute}")),
                        )
                        .with_resource(&account.address)
                        .with_related(account.sku_name.origin.labels())
                        .with_help(format!("use {attribute} = \"{}\"", provider.openai_account_sku)),
                    );
                }
            }
            let throttling = &account.dynamic_throttling_enabled;
            if account.resource != AccountResource::Azapi
                && throttling.known() == Some(&true)
                && provider.dynamic_throttling_forbidden_kinds.contains(&account.kind)
            {
                out.push(
                    Finding::new(
                        &INVALID_ACCOUNT_SKU,
                        format!("azurerm rejects `dynamic_throttling_enabled = true` on {} accounts", account.kind),
                        Label::new(throttling.span, "not allowed for this kind"),
                    )
                    .with_resource(&account.address)
                    .with_help("remove `dynamic_throttling_enabled` or set it to false: azurerm refuses `true` for OpenAI and AIServices accounts since 4.47"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{Case, account, assert_cases};

    #[test]
    fn cases() {
        let with_sku = |sku: &str| account("a", "\"eastus2\"").replace("\"S0\"", sku);
        let ai_services = "resource \"azurerm_ai_services\" \"a\" {\n  name     = \"a\"\n  location = \"eastus\"\n  sku_name = \"S1\"\n}\n";
        assert_cases(
            "AOAI305",
            &[
                Case::new("OpenAI on F0", &[("main.tf", &with_sku("\"F0\""))], &["main.tf:4:27"]),
                Case::new("OpenAI on S0", &[("main.tf", &with_sku("\"S0\""))], &[]),
                Case::new(
                    "not a sku at all",
                    &[(
                        "main.tf",
                        &with_sku("\"S0\"")
                            .replace("OpenAI", "AIServices")
                            .replace("\"S0\"", "\"Z9\""),
                    )],
                    &["main.tf:4:27"],
                ),
                Case::new("AIServices on S1 is valid", &[("main.tf", ai_services)], &[]),
                Case::new("unknown sku", &[("main.tf", &with_sku("var.sku"))], &[]),
                Case::new(
                    "dynamic throttling on OpenAI",
                    &[(
                        "main.tf",
                        &account("a", "\"eastus2\"").replace("}\n", "  dynamic_throttling_enabled = true\n}\n"),
                    )],
                    &["main.tf:8:32"],
                ),
                Case::new(
                    "dynamic throttling off is accepted",
                    &[(
                        "main.tf",
                        &account("a", "\"eastus2\"").replace("}\n", "  dynamic_throttling_enabled = false\n}\n"),
                    )],
                    &[],
                ),
                Case::new(
                    "dynamic throttling unknown stays silent",
                    &[(
                        "main.tf",
                        &(account("a", "\"eastus2\"").replace("}\n", "  dynamic_throttling_enabled = var.t\n}\n")
                            + "variable \"t\" {}\n"),
                    )],
                    &[],
                ),
                Case::new(
                    "other kinds are not judged",
                    &[("main.tf", &with_sku("\"F0\"").replace("OpenAI", "TextAnalytics"))],
                    &[],
                ),
            ],
        );
    }
}
