use super::{Context, Rule, RuleMeta, declare_rule};
use crate::diagnostic::{Finding, Label, Severity, Texts};
use crate::facts::{AccountResource, AccountSetting, Blocks, Known};

declare_rule! {
    /// ## What it does
    /// Flags an OpenAI or AIServices account reachable from the internet: public network
    /// access on (the provider's default) with no `network_acls` that deny by default and no
    /// private endpoint to the account. On an `azapi_resource` account the same is read from
    /// `properties.publicNetworkAccess` and `properties.networkAcls.defaultAction`, and an
    /// azapi `Microsoft.Network/privateEndpoints` resource counts as a private endpoint.
    ///
    /// ## Why is this bad?
    /// Anyone who holds a key or a token can call the account from anywhere. Network rules or
    /// a private endpoint limit who can reach it at all, which matters most when keys leak.
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
    ///   kind                          = "OpenAI"
    ///   public_network_access_enabled = false
    /// }
    /// ```
    /// or `network_acls { default_action = "Deny" ... }`, or an `azurerm_private_endpoint`.
    ///
    /// ## Configuration
    /// None.
    ///
    /// ## Fix
    /// None: closing the network needs a private endpoint or network rules with addresses only
    /// the team knows.
    ///
    /// ## When it stays silent
    /// When public access is off or unknown; when `network_acls` deny by default, or their
    /// number or default action is unknown; when a private endpoint points at the account, or
    /// a private endpoint's target cannot be resolved.
    ///
    /// ## Sources
    /// azurerm: `public_network_access_enabled` defaults to `true` (`public_network_access =
    /// "Enabled"` on `azurerm_ai_services`).
    pub static PUBLIC_NETWORK_ACCESS = {
        id: "AOAI501",
        name: "public-network-access",
        severity: Some(Severity::Warning),
        category: Security,
        summary: "public network access on without network ACLs or a private endpoint",
    };
}

pub struct PublicNetworkAccess;

/// By account resource type.
static NO_ACLS: Texts<3> = Texts::new();
static ACLS_ALLOW: Texts<3> = Texts::new();
static HELP: Texts<3> = Texts::new();

impl Rule for PublicNetworkAccess {
    fn meta(&self) -> &'static RuleMeta {
        &PUBLIC_NETWORK_ACCESS
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let endpoints = cx.config.attached_accounts("azurerm_private_endpoint");
        for account in &cx.config.accounts {
            let access = &account.public_network_access_enabled;
            cx.note_unknown(
                out,
                &PUBLIC_NETWORK_ACCESS,
                access,
                "whether public access is on",
                &account.address,
            );
            if !matches!(access.value, Known::Absent | Known::Value(true)) {
                continue;
            }
            let Blocks::Known(acls) = &account.network_acls else {
                continue;
            };
            let restricted = acls.iter().map(|a| a.default_action.known().map(|d| d == "Deny"));
            if restricted.clone().any(|r| r != Some(false)) {
                // Denies by default, or the default action is unknown.
                continue;
            }
            if endpoints
                .as_ref()
                .is_none_or(|attached| attached.contains(&*account.address))
            {
                continue;
            }
            let label = if access.is_absent() {
                "public access is on by default"
            } else {
                "public access on"
            };
            let resource = account.resource;
            let acls_name = match resource {
                AccountResource::Azapi => "networkAcls",
                _ => "network_acls",
            };
            let message = if acls.is_empty() {
                NO_ACLS.get(resource as usize, || {
                    format!("the account is reachable from any network: public access on, no {acls_name}, no private endpoint")
                })
            } else {
                ACLS_ALLOW.get(resource as usize, || {
                    format!("the account is reachable from any network: public access on, {acls_name} allow by default, no private endpoint")
                })
            };
            out.push(
                Finding::new(&PUBLIC_NETWORK_ACCESS, message, Label::new(access.span, label))
                    .with_resource(&account.address)
                    .with_related(access.origin.labels())
                    .with_help(HELP.get(resource as usize, || {
                        format!(
                            "set `{}` and add a private endpoint, or add `{}` with the networks that need access",
                            resource.written(AccountSetting::PublicNetworkAccess, false),
                            resource.deny_by_default()
                        )
                    })),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{Case, account, assert_cases, azapi_account};

    fn with(extra: &str) -> String {
        account("a", "\"eastus2\"").replace("}\n", &format!("{extra}}}\n"))
    }

    const ENDPOINT: &str = "resource \"azurerm_private_endpoint\" \"pe\" {\n  name = \"pe\"\n  private_service_connection {\n    name = \"c\"\n    private_connection_resource_id = azurerm_cognitive_account.a.id\n  }\n}\n";

    #[test]
    fn cases() {
        assert_cases(
            "AOAI501",
            &[
                Case::new("default is public", &[("main.tf", &with(""))], &["main.tf:1:1"]),
                Case::new(
                    "explicitly public",
                    &[("main.tf", &with("  public_network_access_enabled = true\n"))],
                    &["main.tf:8:35"],
                ),
                Case::new(
                    "off",
                    &[("main.tf", &with("  public_network_access_enabled = false\n"))],
                    &[],
                ),
                Case::new(
                    "deny by default",
                    &[(
                        "main.tf",
                        &with("  network_acls {\n    default_action = \"Deny\"\n  }\n"),
                    )],
                    &[],
                ),
                Case::new(
                    "allow by default",
                    &[(
                        "main.tf",
                        &with("  network_acls {\n    default_action = \"Allow\"\n  }\n"),
                    )],
                    &["main.tf:1:1"],
                ),
                Case::new("private endpoint", &[("main.tf", &(with("") + ENDPOINT))], &[]),
                Case::new(
                    "a module that is not followed is given the account",
                    &[(
                        "main.tf",
                        &(with("")
                            + "module \"pe\" {\n  source = \"Azure/avm-res-network-privateendpoint/azurerm\"\n  target = azurerm_cognitive_account.a.id\n}\n"),
                    )],
                    &[],
                ),
                Case::new(
                    "a module that is not followed is not given the account",
                    &[(
                        "main.tf",
                        &(with("")
                            + "module \"naming\" {\n  source = \"Azure/naming/azurerm\"\n  suffix = [\"x\"]\n}\n"),
                    )],
                    &["main.tf:1:1"],
                ),
                Case::new(
                    "azapi: default is public",
                    &[("main.tf", &azapi_account(""))],
                    &["main.tf:1:1"],
                ),
                Case::new(
                    "azapi: explicitly public",
                    &[("main.tf", &azapi_account("      publicNetworkAccess = \"Enabled\"\n"))],
                    &["main.tf:9:29"],
                ),
                Case::new(
                    "azapi: off",
                    &[("main.tf", &azapi_account("      publicNetworkAccess = \"Disabled\"\n"))],
                    &[],
                ),
                Case::new(
                    "azapi: deny by default",
                    &[(
                        "main.tf",
                        &azapi_account("      networkAcls = { defaultAction = \"Deny\" }\n"),
                    )],
                    &[],
                ),
                Case::new(
                    "azapi: private endpoint through azapi",
                    &[(
                        "main.tf",
                        &(azapi_account("")
                            + "resource \"azapi_resource\" \"pe\" {\n  type = \"Microsoft.Network/privateEndpoints@2024-05-01\"\n  body = {\n    properties = {\n      privateLinkServiceConnections = [{\n        name = \"c\"\n        properties = { privateLinkServiceId = azapi_resource.a.id, groupIds = [\"account\"] }\n      }]\n    }\n  }\n}\n"),
                    )],
                    &[],
                ),
                Case::new(
                    "azapi: a resource whose type is unknown may be a private endpoint",
                    &[(
                        "main.tf",
                        &(azapi_account("") + "resource \"azapi_resource\" \"x\" {\n  type = var.type\n}\n"),
                    )],
                    &[],
                ),
                Case::new(
                    "private endpoint to something else",
                    &[(
                        "main.tf",
                        &(with("")
                            + &ENDPOINT.replace("azurerm_cognitive_account.a.id", "azurerm_storage_account.s.id")
                            + "resource \"azurerm_storage_account\" \"s\" {}\n"),
                    )],
                    &["main.tf:1:1"],
                ),
                Case::new(
                    "private endpoint of unknown target",
                    &[(
                        "main.tf",
                        &(with("") + &ENDPOINT.replace("azurerm_cognitive_account.a.id", "var.target")),
                    )],
                    &[],
                ),
                Case::new(
                    "unknown acls",
                    &[(
                        "main.tf",
                        &with(
                            "  dynamic \"network_acls\" {\n    for_each = var.acls\n    content {\n      default_action = \"Deny\"\n    }\n  }\n",
                        ),
                    )],
                    &[],
                ),
            ],
        );
    }
}
