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
    /// ## Fix
    /// None: another region or deployment type is a choice of residency and quota.
    ///
    /// ## When it stays silent
    /// Unless the model, version, deployment type and the account's region are all known;
    /// when the model version is not in the catalog (AOAI301) or retired (AOAI302: the matrix
    /// drops retired versions); when the region is not in the catalog; when a source lists
    /// the model in that region without confirming the version or the deployment type (a
    /// matrix that mixes types, or a listing by model name only): such a cell is neither
    /// offered nor refused.
    ///
    /// ## Sources
    /// `rules/models.yaml`: the Azure OpenAI model matrix per deployment type (its
    /// `availability-standard`, `-provisioned` and `-batch` tables; the finding names the
    /// table's date).
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
            if !model.in_matrix()
                || cx.catalog.deployment_type(sku).is_none()
                || model.offered(sku, region)
                || model.maybe_offered(sku, region)
            {
                continue;
            }
            let elsewhere: Vec<&str> = model
                .availability
                .iter()
                .filter(|(_, regions)| regions.iter().any(|r| r == region))
                .map(|(t, _)| t.as_str())
                .collect();
            let help = if elsewhere.is_empty() {
                match model.availability.get(sku).filter(|r| !r.is_empty()) {
                    Some(regions) => format!("{sku} `{name}` {version} is offered in: {}", regions.join(", ")),
                    None => {
                        format!("`{name}` {version} is not offered as {sku} anywhere; choose another deployment type")
                    }
                }
            } else {
                format!("in {region} this version is offered as: {}", elsewhere.join(", "))
            };
            let message = format!(
                "`{name}` version `{version}` is not offered as {sku} in {region} ({})",
                cx.catalog.availability_table(Some(sku))
            );
            out.push(
                Finding::new(
                    &MODEL_NOT_IN_REGION,
                    message,
                    Label::new(deployment.sku_name.span, format!("not offered in {region}")),
                )
                .with_resource(&deployment.address)
                .with_related(
                    std::iter::once(Label::new(
                        account.location.span,
                        format!("{} is in {region}", account.address),
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
                    "a new model where the newest matrix lists it, type not confirmed",
                    &[(
                        "main.tf",
                        &(account("a", "\"swedencentral\"")
                            + &deployment("d", "a", "gpt-6-sol", Some("2026-09-22"), "GlobalStandard", Some(10))),
                    )],
                    &[],
                ),
                Case::new(
                    "a region that joined after the typed table",
                    &[(
                        "main.tf",
                        &(account("a", "\"northeurope\"")
                            + &deployment("d", "a", "gpt-5.5", Some("2026-04-24"), "GlobalStandard", Some(10))),
                    )],
                    &[],
                ),
                Case::new(
                    "a new model outside every region its matrix lists",
                    &[(
                        "main.tf",
                        &(account("a", "\"uksouth\"")
                            + &deployment("d", "a", "gpt-6-sol", Some("2026-09-22"), "GlobalBatch", Some(10))),
                    )],
                    &["main.tf:18:12"],
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
