use super::{Context, Rule, RuleMeta, declare_rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::facts::ConfigurationKind;

declare_rule! {
    /// ## What it does
    /// Notes an OpenAI or AIServices account that no `azurerm_monitor_diagnostic_setting`
    /// sends logs from.
    ///
    /// ## Why is this bad?
    /// Without diagnostic settings the account's audit and request logs are not kept: there is
    /// nothing to investigate abuse, a leaked key or content-filter events with.
    ///
    /// ## Example
    /// An account with no diagnostic setting whose `target_resource_id` is its id.
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_monitor_diagnostic_setting" "openai" {
    ///   name                       = "openai"
    ///   target_resource_id         = azurerm_cognitive_account.openai.id
    ///   log_analytics_workspace_id = azurerm_log_analytics_workspace.main.id
    ///   enabled_log {
    ///     category_group = "audit"
    ///   }
    /// }
    /// ```
    ///
    /// ## Configuration
    /// None.
    ///
    /// ## Fix
    /// None: a diagnostic setting needs a destination (a Log Analytics workspace, storage) the
    /// linter cannot know.
    ///
    /// ## When it stays silent
    /// When a diagnostic setting targets the account, or a diagnostic setting's target cannot
    /// be resolved (it might be this account); for a reusable module linted on its own (no
    /// provider block, required variables), whose caller adds the setting. Settings made
    /// outside Terraform, such as by
    /// Azure Policy, cannot be seen: turn the rule off where a policy deploys them.
    ///
    /// ## Sources
    /// azurerm `azurerm_monitor_diagnostic_setting`.
    pub static MISSING_DIAGNOSTIC_SETTINGS = {
        id: "AOAI508",
        name: "missing-diagnostic-settings",
        severity: Some(Severity::Info),
        category: Security,
        summary: "no diagnostic setting sends the account's logs anywhere",
    };
}

pub struct MissingDiagnosticSettings;

impl Rule for MissingDiagnosticSettings {
    fn meta(&self) -> &'static RuleMeta {
        &MISSING_DIAGNOSTIC_SETTINGS
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        // A reusable module's caller adds the diagnostic setting (with the account id the
        // module outputs); a root that calls the module is checked with it.
        if cx.config.kind == ConfigurationKind::ReusableModule {
            return;
        }
        let settings = cx.config.attached_accounts("azurerm_monitor_diagnostic_setting");
        for account in &cx.config.accounts {
            if settings
                .as_ref()
                .is_none_or(|attached| attached.contains(&*account.address))
            {
                continue;
            }
            out.push(
                Finding::new(
                    &MISSING_DIAGNOSTIC_SETTINGS,
                    "no diagnostic setting keeps the account's logs",
                    Label::new(account.head, "no diagnostic setting"),
                )
                .with_resource(&account.address)
                .with_help(
                    "add an `azurerm_monitor_diagnostic_setting` with `target_resource_id` set to the account's id",
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{Case, account, assert_cases};

    const SETTING: &str = "resource \"azurerm_monitor_diagnostic_setting\" \"d\" {\n  name = \"d\"\n  target_resource_id = azurerm_cognitive_account.a.id\n}\n";

    #[test]
    fn cases() {
        let base = account("a", "\"eastus2\"");
        assert_cases(
            "AOAI508",
            &[
                Case::new("none", &[("main.tf", &base)], &["main.tf:1:1"]),
                Case::new("targeted", &[("main.tf", &(base.clone() + SETTING))], &[]),
                Case::new(
                    "another target",
                    &[(
                        "main.tf",
                        &(base.clone()
                            + &SETTING.replace("azurerm_cognitive_account.a.id", "azurerm_key_vault.k.id")
                            + "resource \"azurerm_key_vault\" \"k\" {}\n"),
                    )],
                    &["main.tf:1:1"],
                ),
                Case::new(
                    "a reusable module on its own leaves it to its caller",
                    &[("main.tf", &(base.clone() + "variable \"name\" {}\n"))],
                    &[],
                ),
                Case::new(
                    "unknown target",
                    &[(
                        "main.tf",
                        &(base.clone() + &SETTING.replace("azurerm_cognitive_account.a.id", "var.id")),
                    )],
                    &[],
                ),
            ],
        );
    }
}
