//! `aoai-lint catalog import`: the JSON of `az cognitiveservices model list --location R`
//! (one file per region) → a catalog overlay with what a team's own subscription reports:
//! availability per deployment type, lifecycle stages and retirement dates, and PTU sizing.
//!
//! How the listing reads (ARM `Microsoft.CognitiveServices/locations/models`):
//! `lifecycleStatus` is GenerallyAvailable, Preview, Stable, Deprecating, Deprecated or
//! Legacy, and `Deprecated` means retired (calls answer 410); `deprecation.inference` is the
//! retirement date; `skus[].name` is the deployment type, `skus[].deprecationDate` its own
//! retirement, `skus[].capacity {minimum, step}` the PTU sizing of a provisioned type.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::Overlay;
use super::models::{Lifecycle, Model};
use super::quotas::PtuRule;

/// One element of the command's output (the ARM `models` list, `value` unwrapped).
#[derive(Debug, Deserialize)]
struct Entry {
    model: Option<AccountModel>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct AccountModel {
    format: Option<String>,
    name: String,
    version: Option<String>,
    lifecycle_status: Option<String>,
    deprecation: Option<Deprecation>,
    #[serde(default)]
    skus: Vec<Sku>,
}

#[derive(Debug, Deserialize)]
struct Deprecation {
    /// When the model stops answering: its retirement.
    inference: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Sku {
    name: String,
    deprecation_date: Option<String>,
    capacity: Option<Capacity>,
}

/// A deployment type's capacity bounds; for provisioned types, in PTUs.
#[derive(Debug, Deserialize)]
struct Capacity {
    minimum: Option<f64>,
    step: Option<f64>,
}

/// A lifecycle stage as the catalog writes it (the retirement schedule's words).
fn stage(status: &str) -> String {
    match status {
        "GenerallyAvailable" => "ga".to_owned(),
        // Calls to a Deprecated model answer 410 Gone: it is retired.
        "Deprecated" => "retired".to_owned(),
        other => other.to_ascii_lowercase(),
    }
}

/// A whole, positive number of PTUs.
fn ptus(value: Option<f64>) -> Option<u64> {
    value
        .filter(|v| *v >= 1.0 && v.fract() == 0.0 && *v <= u32::MAX as f64)
        .map(|v| v as u64)
}

/// The command prints a JSON array; the REST API wraps it in `{"value": [...]}`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Listing {
    Entries(Vec<Entry>),
    Wrapped { value: Vec<Entry> },
}

/// The calendar day of an ARM timestamp (`2027-05-15T00:00:00Z`).
fn day(timestamp: &str) -> Result<String, String> {
    let date = timestamp.get(..10).unwrap_or(timestamp);
    date.parse::<jiff::civil::Date>()
        .map(|d| d.to_string())
        .map_err(|e| format!("date {timestamp:?}: {e}"))
}

/// Builds an overlay from `(region, JSON text)` pairs. Only Azure OpenAI models (format
/// `OpenAI`) that can be deployed for inference (they list SKUs) are kept.
pub fn import(listings: &[(String, String)], as_of: &str) -> Result<Overlay, String> {
    let mut models: BTreeMap<(String, Option<String>), Model> = BTreeMap::new();
    let mut sizing: BTreeMap<String, PtuRule> = BTreeMap::new();
    for (region, text) in listings {
        let listing: Listing = serde_json::from_str(text)
            .map_err(|e| format!("{region}: not the JSON of `az cognitiveservices model list`: {e}"))?;
        let entries = match listing {
            Listing::Entries(entries) | Listing::Wrapped { value: entries } => entries,
        };
        for model in entries.into_iter().filter_map(|e| e.model) {
            if model.format.as_deref() != Some("OpenAI") || model.skus.is_empty() {
                continue;
            }
            let key = (model.name.clone(), model.version.clone());
            let entry = models.entry(key).or_insert_with(|| Model {
                name: model.name.clone(),
                version: model.version.clone(),
                lifecycle: None,
                availability: BTreeMap::new(),
                unconfirmed_availability: BTreeMap::new(),
                version_unconfirmed: false,
            });
            let stage = model.lifecycle_status.as_deref().map(stage);
            let mut retirement = model
                .deprecation
                .as_ref()
                .and_then(|d| d.inference.as_deref())
                .map(day)
                .transpose()?;
            if stage.as_deref() == Some("retired") {
                // Retired by the day of the listing, whatever date it planned.
                retirement = Some(retirement.map_or(as_of.to_owned(), |d| d.min(as_of.to_owned())));
            }
            let mut by_type = BTreeMap::new();
            for sku in &model.skus {
                let regions = entry.availability.entry(sku.name.clone()).or_default();
                if !regions.contains(region) {
                    regions.push(region.clone());
                    regions.sort();
                }
                if let Some(date) = sku.deprecation_date.as_deref().map(day).transpose()?
                    && Some(&date) != retirement.as_ref()
                {
                    by_type.insert(sku.name.clone(), date);
                }
                if let Some(capacity) = &sku.capacity {
                    record_ptu_sizing(&mut sizing, &model.name, &sku.name, capacity);
                }
            }
            if stage.is_some() || retirement.is_some() || !by_type.is_empty() {
                entry.lifecycle = Some(Lifecycle {
                    status: stage,
                    retirement,
                    retirement_by_type: by_type,
                    ..Lifecycle::default()
                });
            }
        }
    }
    Ok(Overlay {
        as_of: Some(as_of.to_owned()),
        source: Some(format!(
            "az cognitiveservices model list, {}",
            listings.iter().map(|(r, _)| r.as_str()).collect::<Vec<_>>().join(", ")
        )),
        models: models.into_values().collect(),
        ptu_rules: sizing.into_values().collect(),
        ..Overlay::default()
    })
}

/// A provisioned type's minimum and step as the model's PTU sizing: the global and data
/// zone types share one, the regional type has its own.
fn record_ptu_sizing(sizing: &mut BTreeMap<String, PtuRule>, model: &str, deployment_type: &str, capacity: &Capacity) {
    let (Some(minimum), Some(step)) = (ptus(capacity.minimum), ptus(capacity.step)) else {
        return;
    };
    let rule = sizing.entry(model.to_ascii_lowercase()).or_insert_with(|| PtuRule {
        model: model.to_owned(),
        global_datazone_min_ptu: None,
        global_datazone_increment_ptu: None,
        regional_min_ptu: None,
        regional_increment_ptu: None,
    });
    match deployment_type {
        "ProvisionedManaged" => {
            rule.regional_min_ptu = Some(minimum);
            rule.regional_increment_ptu = Some(step);
        }
        "GlobalProvisionedManaged" | "DataZoneProvisionedManaged" => {
            rule.global_datazone_min_ptu = Some(minimum);
            rule.global_datazone_increment_ptu = Some(step);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{Catalog, EMBEDDED};

    const SAMPLE: &str = include_str!("../../tests/data/az-model-list-eastus2.json");

    #[test]
    fn imports_availability_and_retirement() {
        let overlay = import(&[("eastus2".into(), SAMPLE.into())], "2026-11-24").unwrap();
        let names: Vec<_> = overlay
            .models
            .iter()
            .map(|m| (m.name.as_str(), m.version.as_deref()))
            .collect();
        // The fine-tune-only entry and the non-OpenAI model are left out.
        assert_eq!(
            names,
            [("gpt-5.1", Some("2025-11-13")), ("gpt-5.9-preview", Some("2026-11-01"))]
        );
        let preview = &overlay.models[1];
        assert_eq!(preview.availability["GlobalStandard"], ["eastus2"]);
        let lifecycle = preview.lifecycle.as_ref().unwrap();
        assert_eq!(lifecycle.retirement.as_deref(), Some("2027-09-30"));
        assert_eq!(lifecycle.retirement_by_type["GlobalStandard"], "2027-03-31");
        assert_eq!(lifecycle.status.as_deref(), Some("preview"));
    }

    #[test]
    fn the_overlay_round_trips_and_extends_the_catalog() {
        let overlay = import(&[("eastus2".into(), SAMPLE.into())], "2026-11-24").unwrap();
        let yaml = serde_saphyr::to_string(&overlay).unwrap();
        let reread = Overlay::parse(&yaml).unwrap();
        let catalog = Catalog::load(EMBEDDED).unwrap().with_overlay(reread).unwrap();
        let new = catalog.model("gpt-5.9-preview", "2026-11-01").unwrap();
        assert!(new.offered("GlobalStandard", "eastus2"));
        assert!(
            catalog
                .model("gpt-5.1", "2025-11-13")
                .unwrap()
                .offered("DataZoneStandard", "eastus2")
        );
    }

    const SWEDEN: &str = include_str!("../../tests/data/az-model-list-swedencentral.json");

    #[test]
    fn reads_every_stage_and_the_ptu_sizing() {
        let overlay = import(&[("swedencentral".into(), SWEDEN.into())], "2026-12-03").unwrap();
        let lifecycle = |name: &str| {
            let model = overlay.models.iter().find(|m| m.name == name).unwrap();
            model.lifecycle.clone().unwrap()
        };
        // Deprecated answers 410: retired, on its date.
        let retired = lifecycle("gpt-4o");
        assert_eq!(retired.status.as_deref(), Some("retired"));
        assert_eq!(retired.retirement.as_deref(), Some("2026-10-01"));
        let legacy = lifecycle("gpt-4.1");
        assert_eq!(legacy.status.as_deref(), Some("legacy"));
        assert_eq!(legacy.retirement.as_deref(), Some("2027-04-14"));
        let deprecating = lifecycle("o3");
        assert_eq!(deprecating.status.as_deref(), Some("deprecating"));
        assert_eq!(
            deprecating.retirement_by_type["DataZoneProvisionedManaged"],
            "2026-12-31"
        );
        let sizing = |name: &str| overlay.ptu_rules.iter().find(|r| r.model == name).unwrap();
        assert_eq!(sizing("gpt-4.1").sizing(crate::catalog::Scope::Global), Some((15, 5)));
        assert_eq!(
            sizing("gpt-4.1").sizing(crate::catalog::Scope::Regional),
            Some((50, 50))
        );
        assert_eq!(sizing("o3").sizing(crate::catalog::Scope::Regional), None, "not listed");
        assert!(
            overlay.ptu_rules.iter().all(|r| r.model != "gpt-4o"),
            "no provisioned sizes"
        );
    }

    #[test]
    fn a_deprecated_model_without_a_past_date_is_retired_by_the_listing_day() {
        let listing = SWEDEN.replace("2026-10-01T00:00:00Z", "2027-10-01T00:00:00Z");
        let overlay = import(&[("swedencentral".into(), listing)], "2026-12-03").unwrap();
        let lifecycle = overlay.models[0].lifecycle.as_ref().unwrap();
        assert_eq!(overlay.models[0].name, "gpt-4.1", "sorted by name");
        let gpt4o = overlay.models.iter().find(|m| m.name == "gpt-4o").unwrap();
        assert_eq!(
            gpt4o.lifecycle.as_ref().unwrap().retirement.as_deref(),
            Some("2026-12-03")
        );
        assert_eq!(lifecycle.status.as_deref(), Some("legacy"));
    }

    #[test]
    fn partial_ptu_sizes_update_the_catalog_side_they_name() {
        let overlay = import(&[("swedencentral".into(), SWEDEN.into())], "2026-12-03").unwrap();
        let yaml = serde_saphyr::to_string(&overlay).unwrap();
        let catalog = Catalog::load(EMBEDDED)
            .unwrap()
            .with_overlay(Overlay::parse(&yaml).unwrap())
            .unwrap();
        let o3 = catalog.ptu_rule("o3").unwrap();
        assert_eq!(o3.sizing(crate::catalog::Scope::Datazone), Some((15, 5)));
        assert!(
            o3.sizing(crate::catalog::Scope::Regional).is_some(),
            "kept from the catalog"
        );
        assert_eq!(catalog.table("ptu-sizing").as_of, "2026-12-03");
    }

    #[test]
    fn other_json_is_refused_with_the_region() {
        assert!(
            import(&[("westus".into(), "{\"x\": 1}".into())], "2026-11-24")
                .unwrap_err()
                .contains("westus")
        );
    }
}
