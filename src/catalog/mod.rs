//! catalog: Azure facts as data. The YAML files under `rules/` (each with its sources and
//! `as_of` date) are embedded in the binary, so the linter works offline.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

const REGIONS_YAML: &str = include_str!("../../rules/regions.yaml");

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
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

#[derive(Debug)]
pub struct Catalog {
    /// The date the facts were last checked against their sources.
    pub as_of: String,
    pub regions: Vec<Region>,
    by_name: HashMap<String, usize>,
    /// Region names the sources mention (as a pair) without describing them.
    mentioned: Vec<String>,
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

impl Catalog {
    pub fn embedded() -> &'static Catalog {
        static CATALOG: OnceLock<Catalog> = OnceLock::new();
        CATALOG.get_or_init(|| Catalog::from_yaml(REGIONS_YAML).expect("the embedded catalog is validated by tests"))
    }

    pub fn from_yaml(regions_yaml: &str) -> Result<Catalog, String> {
        let file: RegionsFile = serde_saphyr::from_str(regions_yaml).map_err(|e| e.to_string())?;
        let mut by_name = HashMap::new();
        for (i, region) in file.regions.iter().enumerate() {
            if by_name.insert(region.name.clone(), i).is_some() {
                return Err(format!("region {} is listed twice", region.name));
            }
        }
        let mentioned = file
            .regions
            .iter()
            .filter_map(|r| r.paired_region.clone())
            .filter(|p| !by_name.contains_key(p))
            .collect();
        Ok(Catalog {
            as_of: file.as_of,
            regions: file.regions,
            by_name,
            mentioned,
        })
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
        let mut scored: Vec<(f64, &str)> = self
            .regions
            .iter()
            .map(|r| (strsim::jaro_winkler(name, &r.name), r.name.as_str()))
            .filter(|(score, _)| *score >= 0.85)
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
        scored.into_iter().take(2).map(|(_, n)| n).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let yaml = "as_of: '2026-01-01'\nregions:\n- {name: a, display_name: A, geography: G}\n- {name: a, display_name: A, geography: G}\n";
        assert!(Catalog::from_yaml(yaml).is_err());
    }
}
