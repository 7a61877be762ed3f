//! The model matrix and lifecycle (`rules/models.yaml`).

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Model {
    pub name: String,
    /// `None` where the source gives no version string (old retired models).
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<Lifecycle>,
    /// Deployment type → the regions an account can deploy it in.
    #[serde(default)]
    pub availability: BTreeMap<String, Vec<String>>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct Lifecycle {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deprecation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retirement: Option<String>,
    /// Where a deployment type retires on another date than the rest.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub retirement_by_type: BTreeMap<String, String>,
    /// `not_before`: the date is the earliest retirement, not a fixed one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retirement_qualifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
}

impl Model {
    /// Versions compare case-insensitively: `1106-Preview` is `1106-preview`.
    pub fn has_version(&self, version: &str) -> bool {
        self.version.as_deref().is_some_and(|v| v.eq_ignore_ascii_case(version))
    }

    /// The retirement date that applies to a deployment type (the type's own when it has one).
    pub fn retirement(&self, deployment_type: Option<&str>) -> Option<Date> {
        let lifecycle = self.lifecycle.as_ref()?;
        let by_type = deployment_type.and_then(|t| lifecycle.retirement_by_type.get(t));
        by_type.or(lifecycle.retirement.as_ref())?.parse().ok()
    }

    pub fn retirement_is_earliest(&self) -> bool {
        self.lifecycle
            .as_ref()
            .and_then(|l| l.retirement_qualifier.as_deref())
            .is_some_and(|q| q == "not_before")
    }

    pub fn replacement(&self) -> Option<&str> {
        self.lifecycle.as_ref()?.replacement.as_deref()
    }

    /// Whether the matrix lists any region for this version (retired models have none).
    pub fn in_matrix(&self) -> bool {
        self.availability.values().any(|regions| !regions.is_empty())
    }

    pub fn offered(&self, deployment_type: &str, region: &str) -> bool {
        self.availability
            .get(deployment_type)
            .is_some_and(|regions| regions.iter().any(|r| r == region))
    }
}

#[derive(Debug, Deserialize)]
pub struct ModelsFile {
    pub as_of: String,
    pub models: Vec<Model>,
}
