use super::{Context, Rule, RuleMeta, declare_rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::facts::Blocks;

declare_rule! {
    /// ## What it does
    /// Notes an OpenAI or AIServices account without an `identity` block.
    ///
    /// ## Why is this bad?
    /// Without a managed identity the account cannot reach other resources as itself:
    /// customer-managed keys in Key Vault, "on your data" search indexes and storage then need
    /// keys or connection strings instead of role assignments.
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
    /// resource "azurerm_cognitive_account" "openai" {
    ///   kind = "OpenAI"
    ///   identity {
    ///     type = "SystemAssigned"
    ///   }
    /// }
    /// ```
    ///
    /// ## Configuration
    /// None.
    ///
    /// ## Fix
    /// None: an identity is only useful with role assignments the linter cannot know.
    ///
    /// ## When it stays silent
    /// When an `identity` block is present, and when it is a `dynamic` block over an unknown
    /// collection.
    ///
    /// ## Sources
    /// azurerm `azurerm_cognitive_account`: the `identity` block.
    pub static MISSING_MANAGED_IDENTITY = {
        id: "AOAI505",
        name: "missing-managed-identity",
        severity: Some(Severity::Info),
        category: Security,
        summary: "account without a managed identity",
    };
}

pub struct MissingManagedIdentity;

impl Rule for MissingManagedIdentity {
    fn meta(&self) -> &'static RuleMeta {
        &MISSING_MANAGED_IDENTITY
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for account in &cx.config.accounts {
            if account.identity != Blocks::Known(Vec::new()) {
                continue;
            }
            out.push(
                Finding::new(
                    &MISSING_MANAGED_IDENTITY,
                    "the account has no managed identity",
                    Label::new(account.head, "no identity block"),
                )
                .with_resource(&account.address)
                .with_help(
                    "add `identity { type = \"SystemAssigned\" }` and grant it roles instead of handing out keys",
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{Case, account, assert_cases};

    #[test]
    fn cases() {
        let with = |extra: &str| account("a", "\"eastus2\"").replace("}\n", &format!("{extra}}}\n"));
        assert_cases(
            "AOAI505",
            &[
                Case::new("none", &[("main.tf", &with(""))], &["main.tf:1:1"]),
                Case::new(
                    "system assigned",
                    &[("main.tf", &with("  identity {\n    type = \"SystemAssigned\"\n  }\n"))],
                    &[],
                ),
                Case::new(
                    "unknown dynamic",
                    &[(
                        "main.tf",
                        &with(
                            "  dynamic \"identity\" {\n    for_each = var.ids\n    content {\n      type = \"UserAssigned\"\n    }\n  }\n",
                        ),
                    )],
                    &[],
                ),
            ],
        );
    }
}
