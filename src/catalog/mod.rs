//! catalog: Azure facts as data. The YAML files under `rules/` (each with its sources and
//! `as_of` date) are embedded in the binary, so the linter works offline.

pub mod deployment_types;
pub mod import;
pub mod models;
pub mod provider;
pub mod quotas;
pub mod refresh;
pub mod show;

use std::collections::BTreeMap;
use std::sync::OnceLock;

// The catalog's own names are the keys (no input from a scan is ever inserted), so a fast
// hash without flooding resistance is safe; the rules look a region and a model up for every
// account and deployment.
use hashbrown::HashMap;

use serde::Deserialize;

pub use deployment_types::{DeploymentType, Scope};
pub use models::Model;
pub use quotas::{PtuRule, QuotaRow};

/// The catalog's files as text: embedded ones, or a test's own.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    pub regions: &'a str,
    pub models: &'a str,
    pub deployment_types: &'a str,
    pub quotas: &'a str,
    pub provider: &'a str,
}

/// The catalog's YAML files as written under `rules/`: the source of truth.
pub const EMBEDDED: Sources<'static> = Sources {
    regions: include_str!("../../rules/regions.yaml"),
    models: include_str!("../../rules/models.yaml"),
    deployment_types: include_str!("../../rules/deployment-types.yaml"),
    quotas: include_str!("../../rules/quotas.yaml"),
    provider: include_str!("../../rules/provider-schema.yaml"),
};

/// The same files as JSON, converted by `build.rs`: what every run reads (a ninth of the
/// time the YAML takes to parse).
const EMBEDDED_JSON: Sources<'static> = Sources {
    regions: include_str!(concat!(env!("OUT_DIR"), "/regions.json")),
    models: include_str!(concat!(env!("OUT_DIR"), "/models.json")),
    deployment_types: include_str!(concat!(env!("OUT_DIR"), "/deployment-types.json")),
    quotas: include_str!(concat!(env!("OUT_DIR"), "/quotas.json")),
    provider: include_str!(concat!(env!("OUT_DIR"), "/provider-schema.json")),
};

/// How a catalog's files are written.
#[derive(Debug, Clone, Copy)]
enum Format {
    Yaml,
    Json,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct Region {
    pub name: String,
    pub display_name: String,
    pub geography: String,
    #[serde(default)]
    pub paired_region: Option<String>,
    /// `US`, `EU`, or none.
    #[serde(default)]
    pub data_zone: Option<String>,
    /// Whether the region hosts Azure OpenAI deployments at all.
    #[serde(default)]
    pub openai: bool,
    #[serde(default)]
    pub openai_deployment_types: Vec<String>,
    /// `restricted` or `coming_soon` where access is limited.
    #[serde(default)]
    pub access: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RegionsFile {
    as_of: String,
    regions: Vec<Region>,
}

/// A team's own catalog file: facts the embedded catalog lacks or that differ for the team
/// (a quota increase, a model that arrived after the catalog's date).
#[derive(Debug, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Overlay {
    /// When the facts were true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of: Option<String>,
    /// Where they come from (free text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<Region>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub models: Vec<Model>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub quota_tiers: BTreeMap<String, quotas::QuotaTier>,
    /// PTU sizing per model; the sizes given replace the catalog's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ptu_rules: Vec<PtuRule>,
}

impl Overlay {
    pub fn parse(text: &str) -> Result<Overlay, String> {
        serde_saphyr::from_str(text).map_err(|e| e.to_string())
    }
}

/// What the provider schema says, reduced to what the rules check.
#[derive(Debug, Default)]
pub struct ProviderFacts {
    /// Valid `sku.name` values of `azurerm_cognitive_deployment`, with the version each arrived in.
    pub deployment_sku_names: BTreeMap<String, Option<String>>,
    /// Deployment types azurerm refuses (`DeveloperTier`).
    pub deployment_sku_refused: Vec<String>,
    pub account_sku_names: Vec<String>,
    pub ai_services_sku_names: Vec<String>,
    /// The SKU Azure documents for OpenAI accounts (`S0`).
    pub openai_account_sku: String,
    /// Kinds for which azurerm rejects `dynamic_throttling_enabled`.
    pub dynamic_throttling_forbidden_kinds: Vec<String>,
    /// The azurerm version that added `azurerm_cognitive_deployment.version_upgrade_option`.
    pub version_upgrade_option_since: String,
}

/// The catalog's tables by name, each with the date its facts were true: the facts move at
/// different speeds and are refreshed from different sources, so no one date tells how
/// fresh the catalog is.
pub type Tables = BTreeMap<String, String>;

/// The table a rule relied on, and its date: what a finding cites.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TableRef<'c> {
    pub name: &'c str,
    pub as_of: &'c str,
}

impl std::fmt::Display for TableRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} table of {}", self.name, self.as_of)
    }
}

#[derive(Debug)]
pub struct Catalog {
    /// Table name → the date its facts were true (`lifecycle`, `availability-standard`, ...).
    pub tables: Tables,
    /// Deployment type → the availability table that lists its cells.
    availability_tables: BTreeMap<String, String>,
    /// The source the lifecycle table was last read from: rows that do not name it come
    /// from older tables.
    lifecycle_source: Option<String>,
    pub regions: Vec<Region>,
    by_name: HashMap<String, usize>,
    /// Region names the sources mention (as a pair) without describing them.
    mentioned: Vec<String>,
    pub models: Vec<Model>,
    /// Lower-case model name → indexes into `models`.
    by_model: HashMap<String, Vec<usize>>,
    /// Lower-case model name and version → the first model in `models` with both: every
    /// deployment is looked up by several rules.
    by_model_version: HashMap<(String, String), usize>,
    pub deployment_types: Vec<DeploymentType>,
    /// `tier_1`, `tier_6`, ...: default quota rows per quota tier.
    pub quota_tiers: BTreeMap<String, Vec<QuotaRow>>,
    pub ptu_rules: Vec<PtuRule>,
    pub provider: ProviderFacts,
}

/// A model name and version looked up in `Catalog::by_model_version` without copying them:
/// it hashes as the key's pair of strings does.
#[derive(Hash)]
struct ModelKey<'a>(&'a str, &'a str);

impl hashbrown::Equivalent<(String, String)> for ModelKey<'_> {
    fn equivalent(&self, (name, version): &(String, String)) -> bool {
        self.0 == name && self.1 == version
    }
}

/// `text` in ASCII lower case, copied only when it has an upper-case letter: model names,
/// compared without case, nearly always come in lower case, and the rules look a model up
/// for every deployment.
pub fn lower_case(text: &str) -> std::borrow::Cow<'_, str> {
    if text.bytes().any(|b| b.is_ascii_uppercase()) {
        text.to_ascii_lowercase().into()
    } else {
        text.into()
    }
}

/// Prefixes of sovereign-cloud region names (Azure Government, Azure China). The catalog
/// covers the public cloud only, so these names are outside what it can judge.
const SOVEREIGN_PREFIXES: &[&str] = &["usgov", "usdod", "ussec", "usnat", "china"];

/// What the catalog can say about a region name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionLookup<'c> {
    Known(&'c Region),
    /// A real region the catalog has no row for (only named as another region's pair).
    MentionedOnly,
    /// A sovereign-cloud name: outside the catalog's scope.
    OutOfScope,
    NotARegion,
}

/// The embedded catalog's tables and their dates, read off the files at build time (so
/// `--version` need not read the whole catalog at start).
pub const EMBEDDED_TABLES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/catalog-tables.rs"));

/// The models file's table of lifecycle stages and retirement dates.
pub const LIFECYCLE: &str = "lifecycle";

impl Catalog {
    pub fn embedded() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| Catalog::load_embedded().expect("the embedded catalog is validated by tests"))
    }

    /// A fresh copy of the embedded catalog, for an overlay to change.
    pub fn load_embedded() -> Result<Catalog, String> {
        Catalog::load_as(EMBEDDED_JSON, Format::Json)
    }

    /// A catalog from YAML files.
    pub fn load(sources: Sources<'_>) -> Result<Catalog, String> {
        Catalog::load_as(sources, Format::Yaml)
    }

    fn load_as(sources: Sources<'_>, format: Format) -> Result<Catalog, String> {
        fn parse<'de, T: Deserialize<'de>>(format: Format, file: &str, text: &'de str) -> Result<T, String> {
            match format {
                Format::Yaml => serde_saphyr::from_str(text).map_err(|e| format!("{file}: {e}")),
                Format::Json => serde_json::from_str(text).map_err(|e| format!("{file}: {e}")),
            }
        }
        // The models file, half of every run's fixed cost, is read beside the other four.
        let (models, (regions, types, quotas, provider)) = rayon::join(
            || parse::<models::ModelsFile>(format, "models.yaml", sources.models),
            || {
                (
                    parse::<RegionsFile>(format, "regions.yaml", sources.regions),
                    parse::<deployment_types::DeploymentTypesFile>(
                        format,
                        "deployment-types.yaml",
                        sources.deployment_types,
                    ),
                    parse::<quotas::QuotasFile>(format, "quotas.yaml", sources.quotas),
                    parse::<provider::ProviderFile>(format, "provider-schema.yaml", sources.provider),
                )
            },
        );
        // The first file in the catalog's order that fails is the one reported.
        let regions = regions?;
        let models = models?;
        let types = types?;
        let quotas = quotas?;
        let provider = provider?;

        let quota_tiers = quotas
            .quota_tiers
            .into_iter()
            .filter(|(key, _)| key.starts_with("tier_"))
            .filter_map(|(key, tier)| match tier {
                quotas::TierOrOther::Tier(tier) => Some((key, tier.rows)),
                quotas::TierOrOther::Other(_) => None,
            })
            .collect();
        let resources = provider.resources;
        let deployment = resources.azurerm_cognitive_deployment.attributes;
        let deployment_sku = deployment.sku.fields.name;
        let account = resources.azurerm_cognitive_account.attributes;
        let provider_facts = ProviderFacts {
            deployment_sku_names: deployment_sku
                .values
                .iter()
                .map(|v| (v.clone(), deployment_sku.value_added.get(v).cloned()))
                .collect(),
            deployment_sku_refused: deployment_sku.not_accepted,
            account_sku_names: account.sku_name.values.values,
            ai_services_sku_names: resources.azurerm_ai_services.attributes.sku_name.values,
            openai_account_sku: account.sku_name.openai_documented,
            dynamic_throttling_forbidden_kinds: account.dynamic_throttling_enabled.forbidden_when_kind,
            version_upgrade_option_since: deployment.version_upgrade_option.since,
        };
        let mut tables = Tables::from([
            ("regions".to_owned(), regions.as_of),
            ("deployment-types".to_owned(), types.as_of),
            ("quota-tiers".to_owned(), quotas.as_of),
            ("ptu-sizing".to_owned(), quotas.provisioned.as_of),
            ("provider-schema".to_owned(), provider.as_of),
        ]);
        let mut availability_tables = BTreeMap::new();
        let lifecycle_source = models.tables.get(LIFECYCLE).and_then(|t| t.source.clone());
        for (name, table) in models.tables {
            for deployment_type in table.types {
                availability_tables.insert(deployment_type, name.clone());
            }
            tables.insert(name, table.as_of);
        }
        if !tables.contains_key(LIFECYCLE) {
            return Err(format!("models.yaml: no `{LIFECYCLE}` table"));
        }
        let mut catalog = Catalog {
            tables,
            availability_tables,
            lifecycle_source,
            regions: regions.regions,
            by_name: HashMap::new(),
            mentioned: Vec::new(),
            models: models.models,
            by_model: HashMap::new(),
            by_model_version: HashMap::new(),
            deployment_types: types.deployment_types,
            quota_tiers,
            ptu_rules: quotas.provisioned.ptu_rules,
            provider: provider_facts,
        };
        catalog.reindex()?;
        Ok(catalog)
    }

    fn reindex(&mut self) -> Result<(), String> {
        self.by_name.clear();
        for (i, region) in self.regions.iter().enumerate() {
            if self.by_name.insert(region.name.clone(), i).is_some() {
                return Err(format!("region {} is listed twice", region.name));
            }
        }
        self.mentioned = self
            .regions
            .iter()
            .filter_map(|r| r.paired_region.clone())
            .filter(|p| !self.by_name.contains_key(p))
            .collect();
        self.by_model.clear();
        self.by_model_version.clear();
        for (i, model) in self.models.iter().enumerate() {
            let name = model.name.to_ascii_lowercase();
            if let Some(version) = &model.version {
                self.by_model_version
                    .entry((name.clone(), models::version_key(version).into_owned()))
                    .or_insert(i);
            }
            self.by_model.entry(name).or_default().push(i);
        }
        Ok(())
    }

    /// The embedded catalog with a team's own file laid over it: regions and models it lists
    /// are added, or merged into the entries they name (a model version's regions are added
    /// to those the catalog knows; its lifecycle replaces the catalog's); quota rows replace
    /// the rows of the same model and type; PTU sizes replace the catalog's. The tables it
    /// carries rows of take its date when it is newer.
    pub fn with_overlay(mut self, overlay: Overlay) -> Result<Catalog, String> {
        let mut refreshed = Vec::new();
        if !overlay.models.is_empty() {
            refreshed.push(LIFECYCLE.to_owned());
            refreshed.extend(self.availability_tables.values().cloned());
        }
        if !overlay.regions.is_empty() {
            refreshed.push("regions".to_owned());
        }
        if !overlay.quota_tiers.is_empty() {
            refreshed.push("quota-tiers".to_owned());
        }
        if !overlay.ptu_rules.is_empty() {
            refreshed.push("ptu-sizing".to_owned());
        }
        for rule in overlay.ptu_rules {
            match self
                .ptu_rules
                .iter_mut()
                .find(|r| r.model.eq_ignore_ascii_case(&rule.model))
            {
                Some(existing) => existing.update(rule),
                None => self.ptu_rules.push(rule),
            }
        }
        for region in overlay.regions {
            match self.regions.iter_mut().find(|r| r.name == region.name) {
                Some(existing) => *existing = region,
                None => self.regions.push(region),
            }
        }
        for model in overlay.models {
            let existing = self.models.iter_mut().find(|m| {
                m.name.eq_ignore_ascii_case(&model.name)
                    && m.version.as_deref().map(str::to_ascii_lowercase)
                        == model.version.as_deref().map(str::to_ascii_lowercase)
            });
            match existing {
                Some(existing) => {
                    for (deployment_type, regions) in model.availability {
                        let known = existing.availability.entry(deployment_type).or_default();
                        for region in regions {
                            if !known.contains(&region) {
                                known.push(region);
                            }
                        }
                    }
                    if model.lifecycle.is_some() {
                        existing.lifecycle = model.lifecycle;
                    }
                }
                None => self.models.push(model),
            }
        }
        for (tier, rows) in overlay.quota_tiers {
            let table = self.quota_tiers.entry(tier).or_default();
            for row in rows.rows {
                table.retain(|r| {
                    !(r.model.eq_ignore_ascii_case(&row.model) && r.deployment_type == row.deployment_type)
                });
                table.push(row);
            }
        }
        if let Some(as_of) = overlay.as_of.filter(|d| d.parse::<jiff::civil::Date>().is_ok()) {
            // A refreshed overlay makes the tables it carries rows of as recent as its date.
            for name in refreshed {
                if let Some(date) = self.tables.get_mut(&name)
                    && as_of > *date
                {
                    date.clone_from(&as_of);
                }
            }
            self.tables.insert("overlay".to_owned(), as_of);
        }
        self.reindex()?;
        Ok(self)
    }

    /// The table `name` and its date.
    pub fn table<'c>(&'c self, name: &'c str) -> TableRef<'c> {
        let (name, as_of) = self
            .tables
            .get_key_value(name)
            .map_or((name, "unknown"), |(n, d)| (n.as_str(), d.as_str()));
        TableRef { name, as_of }
    }

    /// The lifecycle (retirement schedule) table.
    pub fn lifecycle_table(&self) -> TableRef<'_> {
        self.table(LIFECYCLE)
    }

    /// Where a model's lifecycle row comes from, for a finding to cite: the lifecycle table
    /// with its date, or an older table when the newest schedule does not list the row.
    pub fn lifecycle_citation(&self, model: &Model) -> String {
        let table = self.lifecycle_table();
        let listed = match (&self.lifecycle_source, &model.lifecycle) {
            (Some(source), Some(lifecycle)) => lifecycle.source.iter().any(|s| s == source),
            _ => true,
        };
        if listed {
            table.to_string()
        } else {
            format!("an older table; not in the {table}")
        }
    }

    /// The availability table that lists `deployment_type`'s cells; for a type no table
    /// covers, the newest availability table (what the whole matrix is known to).
    pub fn availability_table(&self, deployment_type: Option<&str>) -> TableRef<'_> {
        let own = deployment_type.and_then(|t| self.availability_tables.get(t));
        let newest = || {
            self.availability_tables
                .values()
                .max_by_key(|name| self.tables.get(*name))
        };
        match own.or_else(newest) {
            Some(name) => self.table(name),
            None => self.lifecycle_table(),
        }
    }

    /// The table whose facts are the oldest: how stale the catalog is.
    pub fn oldest_table(&self) -> TableRef<'_> {
        let (name, as_of) = self
            .tables
            .iter()
            .min_by(|a, b| a.1.cmp(b.1).then(a.0.cmp(b.0)))
            .expect("a loaded catalog has tables");
        TableRef { name, as_of }
    }

    /// The date past which a model version is newer than everything the catalog lists
    /// models from (the newest of the lifecycle and availability tables).
    pub fn models_known_to(&self) -> &str {
        std::iter::once(LIFECYCLE)
            .chain(self.availability_tables.values().map(String::as_str))
            .filter_map(|name| self.tables.get(name))
            .max()
            .map_or("unknown", String::as_str)
    }

    /// Whether `version` names a date (`2026-11-30`, or the start of `2024-08-06-ev3`) after
    /// every table that lists models: newer than the catalog, not wrong.
    pub fn is_newer_than_models(&self, version: &str) -> bool {
        let date = |text: &str| text.get(..10)?.parse::<jiff::civil::Date>().ok();
        date(version)
            .zip(date(self.models_known_to()))
            .is_some_and(|(v, k)| v > k)
    }

    /// Every version of a model, by name (any case).
    pub fn model_versions(&self, name: &str) -> Vec<&Model> {
        self.versions_of(name).collect()
    }

    /// One model version, versions compared as Azure compares them ([`models::version_key`]).
    pub fn model(&self, name: &str, version: &str) -> Option<&Model> {
        let (name, version) = (lower_case(name), models::version_key(version));
        let found = self.by_model_version.get(&ModelKey(&name, &version));
        found.map(|&i| &self.models[i])
    }

    /// The row of a model retired as a whole (every version): the retirement tables list the
    /// oldest models by name only (`text-davinci-003`, `babbage-002`).
    pub fn retired_by_name(&self, name: &str) -> Option<&Model> {
        self.versions_of(name)
            .find(|m| m.version.is_none() && m.status() == Some("retired"))
    }

    /// Every version the catalog lists of the model `name` (any case).
    fn versions_of(&self, name: &str) -> impl Iterator<Item = &Model> {
        self.by_model
            .get(lower_case(name).as_ref())
            .into_iter()
            .flatten()
            .map(|&i| &self.models[i])
    }

    /// The model names closest to an unknown one, best first.
    pub fn nearest_models(&self, name: &str) -> Vec<&str> {
        let mut names: Vec<&str> = self.models.iter().map(|m| m.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        nearest(name, names)
    }

    /// The known model `name` is a likely misspelling of: the same name but for case and
    /// separators (`gpt4o`, `GPT_4o`), or two letters (`gtp-4o`, `gpt-4o-mni`) with the same
    /// numbers in the same order. A name whose numbers differ (`gpt-5.7`) is more likely a
    /// model newer than the catalog than a typo.
    pub fn misspelt_model(&self, name: &str) -> Option<&str> {
        fn squashed(name: &str) -> String {
            name.chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .map(|c| c.to_ascii_lowercase())
                .collect()
        }
        fn numbers(name: &str) -> Vec<&str> {
            name.split(|c: char| !c.is_ascii_digit())
                .filter(|n| !n.is_empty())
                .collect()
        }
        let wanted = squashed(name);
        if wanted.len() < 4 {
            return None;
        }
        let mut names: Vec<&str> = self.models.iter().map(|m| m.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        names
            .into_iter()
            // A model retired as a whole is no one's intended name.
            .filter(|known| self.retired_by_name(known).is_none())
            .filter_map(|known| {
                let distance = strsim::osa_distance(&wanted, &squashed(known));
                (distance <= 2 && numbers(known) == numbers(name)).then_some((distance, known))
            })
            .min()
            .map(|(_, known)| known)
    }

    pub fn deployment_type(&self, name: &str) -> Option<&DeploymentType> {
        self.deployment_types.iter().find(|t| t.name == name)
    }

    /// The default quota (tokens per minute) of a model and deployment type in a quota tier.
    pub fn default_tpm(&self, tier: &str, model: &str, deployment_type: &str) -> Option<u64> {
        self.quota_tiers
            .get(&format!("tier_{tier}"))?
            .iter()
            .find(|r| r.model.eq_ignore_ascii_case(model) && r.deployment_type == deployment_type)?
            .tpm
    }

    /// The highest quota tier the catalog documents.
    pub fn highest_tier(&self) -> Option<&str> {
        self.quota_tiers
            .keys()
            .filter_map(|k| k.strip_prefix("tier_"))
            .max_by_key(|t| t.parse::<u32>().unwrap_or(0))
    }

    pub fn ptu_rule(&self, model: &str) -> Option<&PtuRule> {
        self.ptu_rules.iter().find(|r| r.model.eq_ignore_ascii_case(model))
    }

    /// Looks up a normalised region name (`westeurope`).
    pub fn region(&self, name: &str) -> RegionLookup<'_> {
        if let Some(&i) = self.by_name.get(name) {
            return RegionLookup::Known(&self.regions[i]);
        }
        if self.mentioned.iter().any(|m| m == name) {
            return RegionLookup::MentionedOnly;
        }
        if SOVEREIGN_PREFIXES.iter().any(|p| name.starts_with(p)) {
            return RegionLookup::OutOfScope;
        }
        RegionLookup::NotARegion
    }

    /// The region names closest to a misspelt one, best first.
    pub fn nearest_regions(&self, name: &str) -> Vec<&str> {
        nearest(name, self.regions.iter().map(|r| r.name.as_str()).collect())
    }
}

/// Up to two candidates that look like `name` (Jaro-Winkler similarity of 0.85 or more).
fn nearest<'c>(name: &str, candidates: Vec<&'c str>) -> Vec<&'c str> {
    let mut scored: Vec<(f64, &str)> = candidates
        .into_iter()
        .map(|c| {
            (
                strsim::jaro_winkler(&name.to_ascii_lowercase(), &c.to_ascii_lowercase()),
                c,
            )
        })
        .filter(|(score, _)| *score >= 0.85)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(2).map(|(_, n)| n).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_version_is_found_as_a_scan_of_the_models_finds_it() {
        let catalog = Catalog::embedded();
        let scan = |name: &str, version: &str| {
            catalog
                .models
                .iter()
                .position(|m| m.name.eq_ignore_ascii_case(name) && m.has_version(version))
        };
        let found = |name: &str, version: &str| {
            catalog
                .model(name, version)
                .map(|m| catalog.models.iter().position(|n| std::ptr::eq(m, n)))
        };
        for model in &catalog.models {
            let Some(version) = model.version.as_deref() else {
                continue;
            };
            for (name, version) in [
                (model.name.clone(), version.to_owned()),
                (model.name.to_ascii_uppercase(), version.to_ascii_uppercase()),
            ] {
                assert_eq!(found(&name, &version), Some(scan(&name, &version)), "{name} {version}");
            }
        }
        assert!(catalog.model("gpt-4o", "no-such-version").is_none());
        assert!(catalog.model("no-such-model", "1").is_none());
    }

    #[test]
    fn the_embedded_catalog_loads() {
        let catalog = Catalog::embedded();
        assert!(catalog.regions.len() > 50);
        assert!(
            matches!(catalog.region("swedencentral"), RegionLookup::Known(r) if r.data_zone.as_deref() == Some("EU"))
        );
        assert_eq!(catalog.region("swedensouth"), RegionLookup::MentionedOnly);
        assert_eq!(catalog.region("usgovvirginia"), RegionLookup::OutOfScope);
        assert_eq!(catalog.region("eastus3"), RegionLookup::NotARegion);
    }

    #[test]
    fn region_names_are_normalised_and_display_names_match() {
        for region in &Catalog::embedded().regions {
            assert_eq!(
                region.name,
                crate::facts::normalize_location(&region.name),
                "{}",
                region.name
            );
            assert_eq!(
                crate::facts::normalize_location(&region.display_name),
                region.name,
                "display name {} does not normalise to its name",
                region.display_name
            );
        }
    }

    #[test]
    fn suggests_the_nearest_names() {
        assert_eq!(
            Catalog::embedded().nearest_regions("westeurop").first(),
            Some(&"westeurope")
        );
        assert_eq!(Catalog::embedded().nearest_regions("eastus3").first(), Some(&"eastus"));
    }

    #[test]
    fn duplicate_regions_are_rejected() {
        let regions = "as_of: '2026-01-01'\nregions:\n- {name: a, display_name: A, geography: G}\n- {name: a, display_name: A, geography: G}\n";
        assert!(Catalog::load(Sources { regions, ..EMBEDDED }).is_err());
    }

    fn date_ok(date: &str) -> bool {
        date.parse::<jiff::civil::Date>().is_ok()
    }

    #[test]
    fn the_built_json_reads_as_the_yaml() {
        let yaml = Catalog::load(EMBEDDED).unwrap();
        let json = Catalog::load_embedded().unwrap();
        // The indexes are hash maps (no stable order to print); they are built from these.
        let facts = |c: &Catalog| {
            format!(
                "{:?}",
                (
                    &c.tables,
                    &c.availability_tables,
                    &c.regions,
                    &c.mentioned,
                    &c.models,
                    &c.deployment_types,
                    &c.quota_tiers,
                    &c.ptu_rules,
                    &c.provider
                )
            )
        };
        assert_eq!(facts(&yaml), facts(&json));
    }

    #[test]
    fn every_table_has_a_date_and_every_type_an_availability_table() {
        let catalog = Catalog::embedded();
        for (table, date) in &catalog.tables {
            assert!(date_ok(date), "{table}: as_of {date}");
        }
        for deployment_type in &catalog.deployment_types {
            let table = catalog.availability_table(Some(&deployment_type.name));
            assert!(
                table.name.starts_with("availability-"),
                "{}: {table}",
                deployment_type.name
            );
        }
        assert_eq!(catalog.lifecycle_table().name, "lifecycle");
        let oldest = catalog.oldest_table();
        assert!(catalog.tables.values().all(|d| d.as_str() >= oldest.as_of));
    }

    #[test]
    fn a_row_the_newest_schedule_lacks_cites_an_older_table() {
        let catalog = Catalog::embedded();
        let newest = catalog.model("gpt-4o", "2024-11-20").unwrap();
        assert_eq!(
            catalog.lifecycle_citation(newest),
            catalog.lifecycle_table().to_string()
        );
        let older = catalog.model("gpt-4o-realtime-preview", "2024-12-17").unwrap();
        assert!(catalog.lifecycle_citation(older).starts_with("an older table"));
    }

    #[test]
    fn the_tables_read_at_build_time_are_the_loaded_ones() {
        let built: Tables = EMBEDDED_TABLES
            .iter()
            .map(|(n, d)| ((*n).to_owned(), (*d).to_owned()))
            .collect();
        assert_eq!(built, Catalog::embedded().tables);
    }

    #[test]
    fn an_overlay_refreshes_the_tables_it_carries_rows_of() {
        let overlay = Overlay::parse("as_of: '2099-01-01'\nmodels:\n- {name: m, version: '1'}\n").unwrap();
        let catalog = Catalog::load_embedded().unwrap().with_overlay(overlay).unwrap();
        assert_eq!(catalog.lifecycle_table().as_of, "2099-01-01");
        assert_eq!(catalog.availability_table(Some("GlobalStandard")).as_of, "2099-01-01");
        assert_eq!(catalog.table("overlay").as_of, "2099-01-01");
        assert_ne!(catalog.table("regions").as_of, "2099-01-01");
    }

    #[test]
    fn the_model_matrix_names_known_regions_and_types() {
        let catalog = Catalog::embedded();
        let mut problems = Vec::new();
        for model in &catalog.models {
            for (deployment_type, regions) in &model.availability {
                if catalog.deployment_type(deployment_type).is_none() {
                    problems.push(format!(
                        "{} {:?}: unknown type {deployment_type}",
                        model.name, model.version
                    ));
                }
                for region in regions {
                    if !matches!(
                        catalog.region(region),
                        RegionLookup::Known(_) | RegionLookup::MentionedOnly
                    ) {
                        problems.push(format!("{} {:?}: unknown region {region}", model.name, model.version));
                    }
                }
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn models_are_listed_once_and_their_dates_parse() {
        let catalog = Catalog::embedded();
        let mut seen = std::collections::HashSet::new();
        let mut problems = Vec::new();
        for model in &catalog.models {
            let key = (
                model.name.to_ascii_lowercase(),
                model.version.clone().map(|v| v.to_ascii_lowercase()),
            );
            if !seen.insert(key) {
                problems.push(format!("{} {:?} is listed twice", model.name, model.version));
            }
            let Some(lifecycle) = &model.lifecycle else { continue };
            let dates = lifecycle
                .deprecation
                .iter()
                .chain(lifecycle.retirement.iter())
                .chain(lifecycle.retirement_by_type.values());
            for date in dates {
                if !date_ok(date) {
                    problems.push(format!("{} {:?}: date {date}", model.name, model.version));
                }
            }
            for deployment_type in lifecycle.retirement_by_type.keys() {
                if catalog.deployment_type(deployment_type).is_none() {
                    problems.push(format!("{}: retirement for unknown type {deployment_type}", model.name));
                }
            }
        }
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn quotas_name_known_types_and_sane_ptu_steps() {
        let catalog = Catalog::embedded();
        assert_eq!(catalog.highest_tier(), Some("6"));
        for (tier, rows) in &catalog.quota_tiers {
            assert!(!rows.is_empty(), "{tier} has no rows");
            for row in rows {
                assert!(
                    catalog.deployment_type(&row.deployment_type).is_some(),
                    "{tier}: {row:?}"
                );
            }
        }
        for rule in &catalog.ptu_rules {
            let (global_minimum, global_step) = rule.sizing(Scope::Global).unwrap_or_else(|| panic!("{rule:?}"));
            let (_, regional_step) = rule.sizing(Scope::Regional).unwrap_or_else(|| panic!("{rule:?}"));
            // The regional minimum may be below its step (o1: 25, then steps of 50).
            assert!(global_step > 0 && regional_step > 0, "{rule:?}");
            assert!(global_minimum >= global_step, "{rule:?}");
        }
        assert_eq!(
            catalog.default_tpm("6", "gpt-4.1", "GlobalStandard").map(|t| t > 0),
            Some(true)
        );
    }

    #[test]
    fn every_quota_and_ptu_row_names_a_model_the_catalog_lists() {
        let catalog = Catalog::embedded();
        let rows = catalog.quota_tiers.values().flatten().map(|r| r.model.as_str());
        let ptu = catalog.ptu_rules.iter().map(|r| r.model.as_str());
        let unknown: Vec<&str> = rows
            .chain(ptu)
            .filter(|m| catalog.model_versions(m).is_empty())
            .collect();
        assert!(unknown.is_empty(), "{unknown:?}");
    }

    #[test]
    fn the_provider_accepts_every_deployment_type_it_documents() {
        let catalog = Catalog::embedded();
        for deployment_type in &catalog.deployment_types {
            let accepted = catalog
                .provider
                .deployment_sku_names
                .contains_key(&deployment_type.name);
            assert_eq!(
                accepted,
                deployment_type.azurerm_sku_name_since.is_some(),
                "{}",
                deployment_type.name
            );
        }
        assert_eq!(catalog.provider.openai_account_sku, "S0");
        assert!(
            catalog
                .provider
                .dynamic_throttling_forbidden_kinds
                .contains(&"OpenAI".to_owned())
        );
    }

    #[test]
    fn likely_misspellings_are_told_from_newer_models() {
        let catalog = Catalog::embedded();
        for (typo, known) in [
            ("gpt4o", "gpt-4o"),
            ("GPT_4o", "gpt-4o"),
            ("gtp-4o", "gpt-4o"),
            ("gpt-4o-mni", "gpt-4o-mini"),
            ("text-embeding-3-large", "text-embedding-3-large"),
        ] {
            assert_eq!(catalog.misspelt_model(typo), Some(known), "{typo}");
        }
        for newer in ["gpt-5.7", "gpt-7", "gpt-6-nova", "o9", "claude-sonnet"] {
            assert_eq!(catalog.misspelt_model(newer), None, "{newer}");
        }
    }

    #[test]
    fn models_are_found_by_name_and_version_in_any_case() {
        let catalog = Catalog::embedded();
        assert!(catalog.model("GPT-4o", "2024-11-20").is_some());
        assert!(catalog.model("gpt-4", "1106-Preview").is_some());
        assert!(catalog.model("dall-e-3", "3.0").is_some());
        assert_eq!(catalog.nearest_models("gpt4o").first(), Some(&"gpt-4o"));
    }
}
