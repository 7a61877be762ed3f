//! What a team requires of its infrastructure. Defaults hold until a configuration file
//! sets them.

#[derive(Debug, Clone)]
pub struct Policy {
    pub residency: Option<Residency>,
    pub resiliency: Resiliency,
    pub lifecycle: Lifecycle,
    pub quota: Quota,
    /// Deployment types a team allows (`sku.name`); none: every type.
    pub allowed_deployment_types: Option<Vec<String>>,
    /// Models a team allows: `gpt-4o` (any version) or `gpt-4o@2024-11-20`; none: every model.
    pub allowed_models: Option<Vec<String>>,
    /// How old the catalog may be before AOAI004 says so.
    pub catalog_max_age_days: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            residency: None,
            resiliency: Resiliency::default(),
            lifecycle: Lifecycle::default(),
            quota: Quota::default(),
            allowed_deployment_types: None,
            allowed_models: None,
            // Half a year: models retire on a few months' notice.
            catalog_max_age_days: 60,
        }
    }
}

/// Where data may be processed and stored. Any field left out does not restrict.
#[derive(Debug, Clone, Default)]
pub struct Residency {
    /// `EU`, `US` or `APAC`: accounts in that data zone's regions, no `Global*` deployments.
    pub data_zone: Option<String>,
    pub allowed_regions: Option<Vec<String>>,
    pub allowed_geographies: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub struct Resiliency {
    /// Distinct regions every configuration's accounts must span.
    pub min_regions: usize,
    /// Whose regions count: each configuration's own, or those of every configuration of
    /// the run together.
    pub scope: ResiliencyScope,
}

impl Default for Resiliency {
    fn default() -> Self {
        // Two regions: the smallest number that survives a regional outage.
        Resiliency {
            min_regions: 2,
            scope: ResiliencyScope::Configuration,
        }
    }
}

/// Whose regions AOAI201 counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ResiliencyScope {
    /// A configuration (a root module and the modules it calls) must span the regions on its
    /// own: it fails over within itself.
    #[default]
    Configuration,
    /// The configurations of the run together: roots per region (`envs/prod-eastus2`,
    /// `envs/prod-swedencentral`) that fail over to each other.
    Repository,
}

#[derive(Debug, Clone)]
pub struct Lifecycle {
    /// Warn this many days before a model version retires.
    pub warn_days: i64,
}

impl Default for Lifecycle {
    fn default() -> Self {
        // A quarter: long enough to test and roll out a replacement model.
        Lifecycle { warn_days: 90 }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Quota {
    /// The quota tier to compare against (`1` ... `6`); none: the highest the catalog
    /// documents, so that a warning means "above what any default quota allows".
    pub tier: Option<String>,
}
