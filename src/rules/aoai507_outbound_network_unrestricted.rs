use super::{Context, Rule, RuleMeta, declare_rule};
use crate::diagnostic::{Finding, Label, Severity, Texts};
use crate::facts::{AccountSetting, Known};

declare_rule! {
    /// ## What it does
    /// Notes an OpenAI or AIServices account whose outbound access is not restricted to an
    /// FQDN allow-list (`outbound_network_access_restricted` unset or `false`).
    ///
    /// ## Why is this bad?
    /// Features such as "on your data" and tools make the account call other endpoints. An
    /// allow-list keeps a prompt or a misconfiguration from sending data anywhere else.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_cognitive_account" "openai" {
    ///   kind = "AIServices"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_cognitive_account" "openai" {
    ///   kind                               = "AIServices"
    ///   outbound_network_access_restricted = true
    ///   fqdns                              = ["contoso-search.search.windows.net"]
    /// }
    /// ```
    ///
    /// ## Configuration
    /// None.
    ///
    /// ## Fix
    /// None: the hosts to allow are the team's to list.
    ///
    /// ## When it stays silent
    /// When outbound access is restricted or the value is unknown. Both account kinds are
    /// checked (Checkov's equivalent misses AIServices).
    ///
    /// ## Sources
    /// azurerm: `outbound_network_access_restricted` defaults to `false`.
    pub static OUTBOUND_NETWORK_UNRESTRICTED = {
        id: "AOAI507",
        name: "outbound-network-unrestricted",
        severity: Some(Severity::Info),
        category: Security,
        summary: "outbound access not restricted to an FQDN allow-list",
    };
}

pub struct OutboundNetworkUnrestricted;

/// By account resource type.
static NOT_SET: Texts<3> = Texts::new();
static HELP: Texts<3> = Texts::new();

impl Rule for OutboundNetworkUnrestricted {
    fn meta(&self) -> &'static RuleMeta {
        &OUTBOUND_NETWORK_UNRESTRICTED
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for account in &cx.config.accounts {
            let field = &account.outbound_network_access_restricted;
            cx.note_unknown(
                out,
                &OUTBOUND_NETWORK_UNRESTRICTED,
                field,
                "whether outbound access is restricted",
                &account.address,
            );
            let resource = account.resource;
            let label = match field.value {
                Known::Absent => NOT_SET.get(resource as usize, || {
                    format!(
                        "{} not set (false)",
                        resource.attribute(AccountSetting::OutboundRestricted)
                    )
                }),
                Known::Value(false) => "outbound access unrestricted",
                Known::Value(true) | Known::Unknown => continue,
            };
            out.push(
                Finding::new(
                    &OUTBOUND_NETWORK_UNRESTRICTED,
                    "the account may call any endpoint: outbound access is not restricted",
                    Label::new(field.span, label),
                )
                .with_resource(&account.address)
                .with_help(HELP.get(resource as usize, || {
                    format!(
                        "set `{}` and list the allowed hosts in `{}`",
                        resource.written(AccountSetting::OutboundRestricted, true),
                        resource.attribute(AccountSetting::Fqdns)
                    )
                })),
            );
        }
    }
}
