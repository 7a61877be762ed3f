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
    /// Deployment type → regions where the model may be offered: a source lists the model
    /// there by name only (no version), or in a table that mixes deployment types. Never
    /// reported as offered, and never reported as not offered either.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub unconfirmed_availability: BTreeMap<String, Vec<String>>,
    /// The matrix names the model but no source confirms a version: any version may be it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub version_unconfirmed: bool,
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
    /// Every date the newest source gives for this row when it gives more than one (the
    /// earliest is `retirement`): a disputed retirement is never reported as an error.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retirement_disputed: Vec<String>,
    /// `not_before`: the date is the earliest retirement, not a fixed one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retirement_qualifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    /// The tables the row comes from (`S1`, `docs@2026-12-01`), as the file's sources name
    /// them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source: Vec<String>,
}

/// A version as Azure compares it: without case (`1106-Preview` is `1106-preview`), and a
/// whole number with a zero fraction as the number (dall-e-3 is `3` in the model listing and
/// `3.0` in the portal and the docs).
pub fn version_key(version: &str) -> std::borrow::Cow<'_, str> {
    if let Some((whole, fraction)) = version.split_once('.')
        && !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && !fraction.is_empty()
        && fraction.bytes().all(|b| b == b'0')
    {
        return whole.into();
    }
    super::lower_case(version)
}

impl Model {
    /// Whether this is `version`, compared as Azure compares versions ([`version_key`]).
    pub fn has_version(&self, version: &str) -> bool {
        self.version
            .as_deref()
            .is_some_and(|v| version_key(v) == version_key(version))
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

    /// The other retirement dates the newest source gives for this row, when it disagrees
    /// with itself.
    pub fn disputed_retirements(&self) -> &[String] {
        self.lifecycle
            .as_ref()
            .map_or(&[], |l| l.retirement_disputed.as_slice())
    }

    /// The lifecycle stage as the retirement table writes it (`GA`, `Legacy`, ...).
    pub fn status(&self) -> Option<&str> {
        self.lifecycle.as_ref()?.status.as_deref()
    }

    pub fn replacement(&self) -> Option<&str> {
        self.lifecycle.as_ref()?.replacement.as_deref()
    }

    /// Whether the matrix lists any region for this version, confirmed or not (retired
    /// models have none).
    pub fn in_matrix(&self) -> bool {
        self.availability
            .values()
            .chain(self.unconfirmed_availability.values())
            .any(|regions| !regions.is_empty())
    }

    /// Whether any source lists this version in `region`, for any deployment type,
    /// confirmed or not: where its traffic could go.
    pub fn listed_in(&self, region: &str) -> bool {
        self.availability
            .values()
            .chain(self.unconfirmed_availability.values())
            .any(|regions| regions.iter().any(|r| r == region))
    }

    /// Whether a source lists the model in `region` for `deployment_type` without
    /// confirming it: neither offered nor refused.
    pub fn maybe_offered(&self, deployment_type: &str, region: &str) -> bool {
        self.unconfirmed_availability
            .get(deployment_type)
            .is_some_and(|regions| regions.iter().any(|r| r == region))
    }

    pub fn offered(&self, deployment_type: &str, region: &str) -> bool {
        self.availability
            .get(deployment_type)
            .is_some_and(|regions| regions.iter().any(|r| r == region))
    }
}

/// One of the models file's tables (lifecycle, availability of a family of deployment
/// types) with the date its facts were true.
#[derive(Debug, Deserialize)]
pub struct Table {
    pub as_of: String,
    /// The source the table was last read from, as the file's sources name it.
    #[serde(default)]
    pub source: Option<String>,
    /// The deployment types an availability table covers.
    #[serde(default)]
    pub types: Vec<String>,
}

#[derive(Debug, Deserialize)]
pub struct ModelsFile {
    pub tables: BTreeMap<String, Table>,
    pub models: Vec<Model>,
}

#[cfg(test)]
mod tests {
    use super::version_key;

    #[test]
    fn versions_compare_as_azure_writes_them() {
        assert_eq!(version_key("1106-Preview"), "1106-preview");
        assert_eq!(version_key("3.0"), "3");
        assert_eq!(version_key("3"), "3");
        assert_eq!(version_key("2024-08-06"), "2024-08-06");
        assert_eq!(version_key("1.5"), "1.5");
        assert_eq!(version_key(".0"), ".0");
        assert_eq!(version_key("0914"), "0914");
    }
}
