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

/// A model's provisioned sizing: the fewest PTUs a deployment takes and the step above it,
/// for global and data zone types and for regional ones. A side can be unknown (an ARM
/// listing of a region that offers only one of them).
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PtuRule {
    pub model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global_datazone_min_ptu: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global_datazone_increment_ptu: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regional_min_ptu: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regional_increment_ptu: Option<u64>,
}

impl PtuRule {
    /// The minimum and the step for deployments of `scope`, when both are known.
    pub fn sizing(&self, scope: super::Scope) -> Option<(u64, u64)> {
        match scope {
            super::Scope::Regional => Some((self.regional_min_ptu?, self.regional_increment_ptu?)),
            super::Scope::Datazone | super::Scope::Global => {
                Some((self.global_datazone_min_ptu?, self.global_datazone_increment_ptu?))
            }
        }
    }

    /// `other`'s known sizes over these.
    pub fn update(&mut self, other: PtuRule) {
        let PtuRule {
            model: _,
            global_datazone_min_ptu,
            global_datazone_increment_ptu,
            regional_min_ptu,
            regional_increment_ptu,
        } = other;
        self.global_datazone_min_ptu = global_datazone_min_ptu.or(self.global_datazone_min_ptu);
        self.global_datazone_increment_ptu = global_datazone_increment_ptu.or(self.global_datazone_increment_ptu);
        self.regional_min_ptu = regional_min_ptu.or(self.regional_min_ptu);
        self.regional_increment_ptu = regional_increment_ptu.or(self.regional_increment_ptu);
    }
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
