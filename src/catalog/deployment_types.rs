//! Deployment types (`rules/deployment-types.yaml`): the `sku.name` of a deployment.

use serde::Deserialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    /// Processed in the account's region.
    Regional,
    /// Processed anywhere inside the account region's data zone.
    Datazone,
    /// Processed in any Azure region.
    Global,
}

#[derive(Debug, Clone, Deserialize)]
pub struct DeploymentType {
    pub name: String,
    pub scope: Scope,
    pub provisioned: bool,
    pub batch: bool,
    /// The azurerm version whose `sku.name` validation first accepts it; none: never.
    #[serde(default)]
    pub azurerm_sku_name_since: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct DeploymentTypesFile {
    pub as_of: String,
    pub deployment_types: Vec<DeploymentType>,
}
