//! Facts about the azurerm provider's schema (`rules/provider-schema.yaml`).

use std::collections::BTreeMap;

use serde::Deserialize;

/// An attribute's accepted values and the provider version each arrived in.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Values {
    #[serde(default)]
    pub values: Vec<String>,
    #[serde(default)]
    pub value_added: BTreeMap<String, String>,
    #[serde(default)]
    pub not_accepted: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct ProviderFile {
    pub as_of: String,
    pub resources: Resources,
}

#[derive(Debug, Deserialize)]
pub struct Resources {
    pub azurerm_cognitive_account: AccountSchema,
    pub azurerm_cognitive_deployment: DeploymentSchema,
    pub azurerm_ai_services: AiServicesSchema,
}

#[derive(Debug, Deserialize)]
pub struct AccountSchema {
    pub attributes: AccountAttributes,
}

#[derive(Debug, Deserialize)]
pub struct AccountAttributes {
    pub kind: Values,
    pub sku_name: AccountSku,
    pub dynamic_throttling_enabled: ForbiddenForKinds,
}

#[derive(Debug, Deserialize)]
pub struct AccountSku {
    #[serde(flatten)]
    pub values: Values,
    /// The one SKU Azure documents for OpenAI accounts.
    pub openai_documented: String,
}

#[derive(Debug, Deserialize)]
pub struct ForbiddenForKinds {
    #[serde(default)]
    pub forbidden_when_kind: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct DeploymentSchema {
    pub attributes: DeploymentAttributes,
}

#[derive(Debug, Deserialize)]
pub struct DeploymentAttributes {
    pub sku: SkuBlock,
    pub version_upgrade_option: Since,
}

/// An attribute the provider added after its first version.
#[derive(Debug, Deserialize)]
pub struct Since {
    pub since: String,
}

#[derive(Debug, Deserialize)]
pub struct SkuBlock {
    pub fields: SkuFields,
}

#[derive(Debug, Deserialize)]
pub struct SkuFields {
    pub name: Values,
}

#[derive(Debug, Deserialize)]
pub struct AiServicesSchema {
    pub attributes: AiServicesAttributes,
}

#[derive(Debug, Deserialize)]
pub struct AiServicesAttributes {
    pub sku_name: Values,
}
