//! `aoai-lint catalog import`: the JSON of `az cognitiveservices model list --location R`
//! (one file per region) → a catalog overlay with the availability and retirement dates a
//! team's own subscription reports.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::Overlay;
use super::models::{Lifecycle, Model};

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
            let retirement = model
                .deprecation
                .as_ref()
                .and_then(|d| d.inference.as_deref())
                .map(day)
                .transpose()?;
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
            }
            if retirement.is_some() || !by_type.is_empty() {
                entry.lifecycle = Some(Lifecycle {
                    status: model.lifecycle_status.as_deref().map(|s| match s {
                        "GenerallyAvailable" => "ga".to_owned(),
                        other => other.to_ascii_lowercase(),
                    }),
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
        ..Overlay::default()
    })
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

    #[test]
    fn other_json_is_refused_with_the_region() {
        assert!(
            import(&[("westus".into(), "{\"x\": 1}".into())], "2026-11-24")
                .unwrap_err()
                .contains("westus")
        );
    }
}
