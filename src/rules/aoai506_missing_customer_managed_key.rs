use super::{Context, Rule, RuleMeta, declare_rule};
use crate::diagnostic::{Finding, Label};
use crate::facts::{AccountResource, Blocks};

declare_rule! {
    /// ## What it does
    /// Notes an OpenAI or AIServices account whose data is encrypted with Microsoft-managed
    /// keys: no `customer_managed_key` block and no
    /// `azurerm_cognitive_account_customer_managed_key` resource for it. Off by default.
    ///
    /// ## Why is this bad?
    /// Some regulations require that the organisation holds, rotates and can revoke the key
    /// that encrypts stored data (fine-tuning files, batch inputs, assistants' files).
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_cognitive_account" "openai" {
    ///   kind = "OpenAI"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_cognitive_account_customer_managed_key" "openai" {
    ///   cognitive_account_id = azurerm_cognitive_account.openai.id
    ///   key_vault_key_id     = azurerm_key_vault_key.openai.id
    /// }
    /// ```
    ///
    /// ## Configuration
    /// Turn it on in the configuration file's `rules` section.
    ///
    /// ## Fix
    /// None: a key needs a Key Vault and access policies the linter cannot write.
    ///
    /// ## When it stays silent
    /// When either form of customer-managed key is present, when the inline block comes from
    /// an unknown `dynamic`, and when a customer-managed key resource's account cannot be
    /// resolved.
    ///
    /// ## Sources
    /// azurerm: `customer_managed_key` block and `azurerm_cognitive_account_customer_managed_key`.
    pub static MISSING_CUSTOMER_MANAGED_KEY = {
        id: "AOAI506",
        name: "missing-customer-managed-key",
        severity: None::<crate::diagnostic::Severity>,
        category: Security,
        summary: "no customer-managed key (inline block or the separate resource); opt-in",
    };
}

pub struct MissingCustomerManagedKey;

impl Rule for MissingCustomerManagedKey {
    fn meta(&self) -> &'static RuleMeta {
        &MISSING_CUSTOMER_MANAGED_KEY
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let keys = cx
            .config
            .attached_accounts("azurerm_cognitive_account_customer_managed_key");
        for account in &cx.config.accounts {
            if account.customer_managed_key != Blocks::Known(Vec::new()) {
                continue;
            }
            if keys
                .as_ref()
                .is_none_or(|attached| attached.contains(&*account.address))
            {
                continue;
            }
            out.push(
                Finding::new(
                    &MISSING_CUSTOMER_MANAGED_KEY,
                    "the account's data is encrypted with Microsoft-managed keys",
                    Label::new(account.head, "no customer-managed key"),
                )
                .with_resource(&account.address)
                .with_help(match account.resource {
                    AccountResource::Azapi => "set `properties.encryption` with `keySource = \"Microsoft.KeyVault\"` and a Key Vault key (or add `azurerm_cognitive_account_customer_managed_key`)",
                    _ => "add `azurerm_cognitive_account_customer_managed_key` (or a `customer_managed_key` block) with a Key Vault key",
                }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{Case, account, assert_cases, assert_cases_enabled};

    const KEY: &str = "resource \"azurerm_cognitive_account_customer_managed_key\" \"k\" {\n  cognitive_account_id = azurerm_cognitive_account.a.id\n  key_vault_key_id = \"x\"\n}\n";

    #[test]
    fn cases() {
        let base = account("a", "\"eastus2\"");
        assert_cases("AOAI506", &[Case::new("off by default", &[("main.tf", &base)], &[])]);
        assert_cases_enabled(
            &super::MISSING_CUSTOMER_MANAGED_KEY,
            &[
                Case::new("none", &[("main.tf", &base)], &["main.tf:1:1"]),
                Case::new("separate resource", &[("main.tf", &(base.clone() + KEY))], &[]),
                Case::new(
                    "inline block",
                    &[(
                        "main.tf",
                        &base.replace(
                            "}\n",
                            "  customer_managed_key {\n    key_vault_key_id = \"x\"\n  }\n}\n",
                        ),
                    )],
                    &[],
                ),
                Case::new(
                    "unknown account",
                    &[(
                        "main.tf",
                        &(base.clone() + &KEY.replace("azurerm_cognitive_account.a.id", "var.id")),
                    )],
                    &[],
                ),
            ],
        );
    }
}
