use super::{Context, Rule, RuleMeta, declare_rule};
use crate::catalog::RegionLookup;
use crate::diagnostic::{Finding, Label, Severity};

declare_rule! {
    /// ## What it does
    /// Checks that a model version is offered, for the deployment's type, in the region of
    /// the account it is deployed to.
    ///
    /// ## Why is this bad?
    /// Availability differs by model, version, deployment type and region: `gpt-4o` as
    /// `Standard` is offered in a handful of regions, as `GlobalStandard` in many more. A
    /// deployment the region does not offer fails at apply time.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_cognitive_account" "openai" {
    ///   location = "westeurope"
    /// }
    /// resource "azurerm_cognitive_deployment" "chat" {
    ///   cognitive_account_id = azurerm_cognitive_account.openai.id
    ///   model { name = "gpt-4o", version = "2024-11-20", format = "OpenAI" }
    ///   sku { name = "Standard" }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// A deployment type offered there (`GlobalStandard` or `DataZoneStandard` for
    /// `westeurope`), or an account in a region that offers `Standard`.
    ///
    /// ## Configuration
    /// None.
    ///
    /// ## When it stays silent
    /// Unless the model, version, deployment type and the account's region are all known;
    /// when the model version is not in the catalog (AOAI301) or retired (AOAI302: the matrix
    /// drops retired versions); when the region is not in the catalog.
    ///
    /// ## Sources
    /// `rules/models.yaml`: the Azure OpenAI model matrix per deployment type.
    pub static MODEL_NOT_IN_REGION = {
        id: "AOAI303",
        name: "model-not-in-region",
        severity: Some(Severity::Error),
        category: Availability,
        summary: "model version not offered in that region for that deployment type",
    };
}

pub struct ModelNotInRegion;

impl Rule for ModelNotInRegion {
    fn meta(&self) -> &'static RuleMeta {
        &MODEL_NOT_IN_REGION
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for deployment in &cx.config.deployments {
            cx.note_unknown(
                out,
                &MODEL_NOT_IN_REGION,
                &deployment.sku_name,
                "the deployment type",
                &deployment.address,
            );
            let (Some(name), Some(version), Some(sku)) = (
                deployment.model_name.known(),
                deployment.model_version.known(),
                deployment.sku_name.known(),
            ) else {
                continue;
            };
            let Some(account) = cx.config.account(&deployment.account) else {
                continue;
            };
            cx.note_unknown(
                out,
                &MODEL_NOT_IN_REGION,
                &account.location,
                "the region of the account",
                &deployment.address,
            );
            let Some(region) = account.location.known() else {
                continue;
            };
            if !matches!(cx.catalog.region(region), RegionLookup::Known(_)) {
                continue;
            }
            let Some(model) = cx.catalog.model(name, version) else {
                continue;
            };
            if !model.in_matrix() || cx.catalog.deployment_type(sku).is_none() || model.offered(sku, region) {
                continue;
            }
            let elsewhere: Vec<&str> = model
                .availability
                .iter()
                .filter(|(_, regions)| regions.iter().any(|r| r == region))
                .map(|(t, _)| t.as_str())
                .collect();
            let help = if elsewhere.is_empty() {
                let regions = model.availability.get(sku).map(|r| r.join(", ")).unwrap_or_default();
                if regions.is_empty() {
                    [
                        "`",
                        name,
                        "` ",
                        version,
                        " is not offered as ",
                        sku,
                        " anywhere; choose another deployment type",
                    ]
                    .concat()
                } else {
                    [sku, " `", name, "` ", version, " is offered in: ", &regions].concat()
                }
            } else {
                ["in ", region, " this version is offered as: ", &elsewhere.join(", ")].concat()
            };
            let message = [
                "`",
                name,
                "` version `",
                version,
                "` is not offered as ",
                sku,
                " in ",
                region,
                " (catalog as of ",
                &cx.catalog.as_of,
                ")",
            ];
            out.push(
                Finding::new(
                    &MODEL_NOT_IN_REGION,
                    message.concat(),
                    Label::new(deployment.sku_name.span, ["not offered in ", region].concat()),
                )
                .with_resource(&deployment.address)
                .with_related(
                    std::iter::once(Label::new(
                        account.location.span,
                        [&account.address, " is in ", region].concat(),
                    ))
                    .chain(account.location.origin.labels()),
                )
                .with_help(help),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{Case, account, assert_cases, deployment};

    fn with(location: &str, version: &str, sku: &str) -> String {
        account("a", location) + &deployment("d", "a", "gpt-4o", Some(version), sku, Some(10))
    }

    #[test]
    fn cases() {
        assert_cases(
            "AOAI303",
            &[
                Case::new(
                    "standard not offered in westeurope",
                    &[("main.tf", &with("\"westeurope\"", "2024-08-06", "Standard"))],
                    &["main.tf:18:12"],
                ),
                Case::new(
                    "global offered there",
                    &[("main.tf", &with("\"westeurope\"", "2024-08-06", "GlobalStandard"))],
                    &[],
                ),
                Case::new(
                    "standard offered in eastus2",
                    &[("main.tf", &with("\"East US 2\"", "2024-08-06", "Standard"))],
                    &[],
                ),
                Case::new(
                    "region unknown",
                    &[(
                        "main.tf",
                        &(with("var.location", "2024-08-06", "Standard") + "variable \"location\" {}\n"),
                    )],
                    &[],
                ),
                Case::new(
                    "retired version is another rule's",
                    &[("main.tf", &with("\"westeurope\"", "2024-08-06-ev3", "Standard"))],
                    &[],
                ),
                Case::new(
                    "account unknown",
                    &[(
                        "main.tf",
                        &with("\"westeurope\"", "2024-08-06", "Standard")
                            .replace("azurerm_cognitive_account.a.id", "var.account_id"),
                    )],
                    &[],
                ),
            ],
        );
    }
}
