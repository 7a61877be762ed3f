//! Default quotas and provisioned sizing (`rules/quotas.yaml`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct QuotaRow {
    pub model: String,
    pub deployment_type: String,
    /// Tokens per minute; none for models limited by requests only.
    #[serde(default)]
    pub tpm: Option<u64>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct QuotaTier {
    #[serde(default)]
    pub rows: Vec<QuotaRow>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PtuRule {
    pub model: String,
    pub global_datazone_min_ptu: u64,
    pub global_datazone_increment_ptu: u64,
    pub regional_min_ptu: u64,
    pub regional_increment_ptu: u64,
}

#[derive(Debug, Deserialize)]
pub struct Provisioned {
    /// The PTU sizing table's own date (the quota tiers have the file's).
    pub as_of: String,
    pub ptu_rules: Vec<PtuRule>,
}

#[derive(Debug, Deserialize)]
pub struct QuotasFile {
    pub as_of: String,
    /// `tier_1`, `tier_6`, ... plus keys that are not tiers (`tiers`, `notes`).
    pub quota_tiers: BTreeMap<String, TierOrOther>,
    pub provisioned: Provisioned,
}

/// `quota_tiers` mixes tier tables with descriptive keys; only tables have `rows`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum TierOrOther {
    Tier(QuotaTier),
    Other(serde::de::IgnoredAny),
}
