use super::versions::Version;
use super::{Context, Rule, RuleMeta, declare_rule};
use crate::diagnostic::{Edit, Finding, Fix, Label, Safety, Severity};
use crate::facts::{Deployment, DeploymentResource};

declare_rule! {
    /// ## What it does
    /// Checks a deployment's `sku.name` against the deployment types azurerm accepts, and the
    /// block it is written in against the provider version the configuration requires: the
    /// 3.x `scale` block was removed in azurerm 4.0, and the `sku` block arrived with it.
    /// An `azapi_resource` deployment talks to ARM directly: its `sku.name` is checked against
    /// every deployment type (including those azurerm refuses), and provider versions do not
    /// matter.
    ///
    /// ## Why is this bad?
    /// `terraform validate` or the apply fails: an unknown `sku.name` (`GlobalStandrd`,
    /// `DeveloperTier`, which azurerm does not accept), or a block the required provider
    /// version does not have.
    ///
    /// ## Example
    /// ```hcl
    /// terraform {
    ///   required_providers {
    ///     azurerm = { source = "hashicorp/azurerm", version = "~> 4.0" }
    ///   }
    /// }
    /// resource "azurerm_cognitive_deployment" "chat" {
    ///   scale { type = "Standard" }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_cognitive_deployment" "chat" {
    ///   sku { name = "Standard" }
    /// }
    /// ```
    ///
    /// ## Configuration
    /// None.
    ///
    /// ## Fix
    /// Safe (`--fix`): a 3.x `scale` block on azurerm 4.x is renamed `sku`, and its `type`
    /// becomes `name`; the values, comments and alignment stay.
    ///
    /// ## When it stays silent
    /// When the SKU name is unknown; the block check when no `azurerm` version constraint is
    /// found in the root module or when the constraint allows both 3.x and 4.x.
    ///
    /// ## Sources
    /// `rules/provider-schema.yaml`: azurerm's `sku.name` validation and the `scale` block's
    /// removal in 4.0.
    pub static INVALID_DEPLOYMENT_SKU = {
        id: "AOAI304",
        name: "invalid-deployment-sku",
        severity: Some(Severity::Error),
        category: Availability,
        summary: "deployment sku.name invalid, or a block the required azurerm version lacks",
    };
}

pub struct InvalidDeploymentSku;

const FOUR: Version = Version(4, 0, 0);

/// The 3.x `scale` block under its 4.x names: what is deployed does not change, and `type`
/// and `name` are as long, so `terraform fmt`'s alignment holds.
fn scale_to_sku(block: crate::source::Span, name: crate::source::Span) -> Fix {
    Fix {
        safety: Safety::Safe,
        description: "rename the `scale` block to `sku` and its `type` to `name`".into(),
        edits: vec![
            Edit {
                span: block,
                expected: "scale".into(),
                replacement: "sku".into(),
            },
            Edit {
                span: name,
                expected: "type".into(),
                replacement: "name".into(),
            },
        ],
    }
}

impl Rule for InvalidDeploymentSku {
    fn meta(&self) -> &'static RuleMeta {
        &INVALID_DEPLOYMENT_SKU
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let required = super::versions::azurerm(cx.config);
        let range = required.and_then(|(_, range)| range);
        let constraint = required.map_or("", |(constraint, _)| constraint);
        let names = &cx.catalog.provider.deployment_sku_names;
        for deployment in &cx.config.deployments {
            let span = deployment.sku_name.span;
            if deployment.uses_scale_block && range.is_some_and(|r| r.at_least(FOUR)) {
                let mut finding = Finding::new(
                    &INVALID_DEPLOYMENT_SKU,
                    format!("the `scale` block was removed in azurerm 4.0, and this configuration requires azurerm {constraint}"),
                    Label::new(span, "3.x `scale` block"),
                )
                .with_resource(&deployment.address)
                .with_help("write `sku { name = ..., capacity = ... }` instead: `scale.type` becomes `sku.name`");
                if let Some((block, name)) = deployment.scale_block {
                    finding = finding.with_fix(scale_to_sku(block, name));
                }
                out.push(finding);
                continue;
            }
            if deployment.resource == DeploymentResource::CognitiveDeployment
                && !deployment.uses_scale_block
                && !deployment.sku_name.is_absent()
                && range.is_some_and(|r| r.entirely_below(FOUR))
            {
                out.push(
                    Finding::new(
                        &INVALID_DEPLOYMENT_SKU,
                        format!("the `sku` block arrived in azurerm 4.0, and this configuration requires azurerm {constraint}"),
                        Label::new(span, "4.x `sku` block"),
                    )
                    .with_resource(&deployment.address)
                    .with_help("use `scale { type = ..., capacity = ... }` on azurerm 3.x, or move to azurerm 4"),
                );
                continue;
            }
            // The 3.x `scale.type` was free-form; only `sku.name` is validated.
            if deployment.uses_scale_block {
                continue;
            }
            cx.note_unknown(
                out,
                &INVALID_DEPLOYMENT_SKU,
                &deployment.sku_name,
                "the deployment type",
                &deployment.address,
            );
            let Some(name) = deployment.sku_name.known() else {
                continue;
            };
            if deployment.resource == DeploymentResource::Azapi {
                // ARM takes every deployment type, including those azurerm refuses.
                if !cx
                    .catalog
                    .deployment_types
                    .iter()
                    .any(|t| t.name.eq_ignore_ascii_case(name))
                {
                    out.push(unknown_to_arm(cx, deployment, name));
                }
                continue;
            }
            if names.contains_key(name) {
                continue;
            }
            let refused = cx.catalog.provider.deployment_sku_refused.contains(name);
            let message = if refused {
                format!("azurerm does not accept the deployment type `{name}`")
            } else {
                format!("`{name}` is not a deployment type azurerm accepts")
            };
            let nearest: Vec<&str> = {
                let mut candidates: Vec<&str> = names.keys().map(String::as_str).collect();
                candidates.sort_by(|a, b| strsim::jaro_winkler(name, b).total_cmp(&strsim::jaro_winkler(name, a)));
                candidates.into_iter().take(1).collect()
            };
            let help = if refused {
                format!("use one of: {}", names.keys().cloned().collect::<Vec<_>>().join(", "))
            } else {
                format!(
                    "did you mean `{}`? Valid: {}",
                    nearest.join(""),
                    names.keys().cloned().collect::<Vec<_>>().join(", ")
                )
            };
            out.push(
                Finding::new(&INVALID_DEPLOYMENT_SKU, message, Label::new(span, "invalid sku.name"))
                    .with_resource(&deployment.address)
                    .with_related(deployment.sku_name.origin.labels())
                    .with_help(help),
            );
        }
    }
}

/// An azapi deployment's `sku.name` that is no deployment type at all.
fn unknown_to_arm(cx: &Context<'_>, deployment: &Deployment, name: &str) -> Finding {
    let types: Vec<&str> = cx.catalog.deployment_types.iter().map(|t| t.name.as_str()).collect();
    let nearest = types
        .iter()
        .max_by(|a, b| strsim::jaro_winkler(name, a).total_cmp(&strsim::jaro_winkler(name, b)))
        .copied()
        .unwrap_or_default();
    Finding::new(
        &INVALID_DEPLOYMENT_SKU,
        format!("`{name}` is not an Azure OpenAI deployment type"),
        Label::new(deployment.sku_name.span, "invalid sku.name"),
    )
    .with_resource(&deployment.address)
    .with_related(deployment.sku_name.origin.labels())
    .with_help(format!("did you mean `{nearest}`? Valid: {}", types.join(", ")))
}

#[cfg(test)]
mod tests {
    use crate::testing::{Case, account, assert_cases, deployment};

    fn with(sku: &str) -> String {
        account("a", "\"eastus2\"") + &deployment("d", "a", "gpt-5.1", Some("2025-11-13"), sku, Some(10))
    }

    fn pinned(constraint: &str, body: &str) -> String {
        format!(
            "terraform {{\n  required_providers {{\n    azurerm = {{\n      source  = \"hashicorp/azurerm\"\n      version = \"{constraint}\"\n    }}\n  }}\n}}\n{body}"
        )
    }

    fn azapi_deployment(sku: &str) -> String {
        format!(
            "resource \"azapi_resource\" \"d\" {{\n  type = \"Microsoft.CognitiveServices/accounts/deployments@2024-10-01\"\n  body = {{\n    sku = {{ name = \"{sku}\", capacity = 1 }}\n  }}\n}}\n"
        )
    }

    #[test]
    fn cases() {
        let scale = with("Standard").replace("  sku {\n    name = \"Standard\"", "  scale {\n    type = \"Standard\"");
        assert_cases(
            "AOAI304",
            &[
                Case::new("misspelt", &[("main.tf", &with("GlobalStandrd"))], &["main.tf:18:12"]),
                Case::new(
                    "refused by azurerm",
                    &[("main.tf", &with("DeveloperTier"))],
                    &["main.tf:18:12"],
                ),
                Case::new("valid", &[("main.tf", &with("DataZoneProvisionedManaged"))], &[]),
                Case::new(
                    "scale block on 4.x",
                    &[("main.tf", &pinned("~> 4.0", &scale))],
                    &["main.tf:26:12"],
                ),
                Case::new("scale block on 3.x", &[("main.tf", &pinned("~> 3.100", &scale))], &[]),
                Case::new("scale block without a constraint", &[("main.tf", &scale)], &[]),
                Case::new(
                    "sku block on 3.x",
                    &[("main.tf", &pinned("~> 3.117.0", &with("Standard")))],
                    &["main.tf:26:12"],
                ),
                Case::new(
                    "sku block on either",
                    &[("main.tf", &pinned(">= 3.0, < 5.0", &with("Standard")))],
                    &[],
                ),
                Case::new(
                    "azapi: misspelt",
                    &[("main.tf", &pinned("~> 3.117.0", &azapi_deployment("GlobalStandrd")))],
                    &["main.tf:12:20"],
                ),
                Case::new(
                    "azapi: a type azurerm refuses, on an old azurerm",
                    &[("main.tf", &pinned("~> 3.117.0", &azapi_deployment("DeveloperTier")))],
                    &[],
                ),
            ],
        );
    }
}
