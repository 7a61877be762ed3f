//! Microsoft's published tables read into facts: the retirement schedule, the model matrix
//! in both its layouts, the quota tiers and the PTU sizing table. Each reader takes a
//! page's text and returns what it lists; a page that is not there refreshes nothing.

use std::collections::{BTreeMap, BTreeSet};

use super::markdown::{self, Table};

/// Where the tables live in a checkout of MicrosoftDocs/azure-ai-docs.
pub const SCHEDULE: &str = "articles/foundry/openai/includes/concepts-model-retirement-schedule-content.md";
pub const MATRIX_DIR: &str = "articles/foundry/foundry-models/includes/model-matrix";
pub const PER_TYPE_DIR: &str = "articles/foundry/openai/includes/model-matrix";
pub const QUOTA_DIR: &str = "articles/foundry/openai/includes/quota-tier";
/// The PTU table sits in an include whose name has moved; every include is searched for it.
pub const PTU_DIR: &str = "articles/foundry/openai/includes";

/// The families of deployment types, by the matrix file that lists them.
pub const FAMILIES: &[(&str, &[&str])] = &[
    ("standard", &["GlobalStandard", "DataZoneStandard", "Standard"]),
    (
        "provisioned",
        &[
            "GlobalProvisionedManaged",
            "DataZoneProvisionedManaged",
            "ProvisionedManaged",
        ],
    ),
    ("batch", &["GlobalBatch", "DataZoneBatch"]),
];

/// The older layout's files, one deployment type each.
pub const PER_TYPE_FILES: &[(&str, &str)] = &[
    ("standard-global.md", "GlobalStandard"),
    ("datazone-standard.md", "DataZoneStandard"),
    ("standard-models.md", "Standard"),
    ("provisioned-global.md", "GlobalProvisionedManaged"),
    ("datazone-provisioned-managed.md", "DataZoneProvisionedManaged"),
    ("provisioned-models.md", "ProvisionedManaged"),
    ("global-batch.md", "GlobalBatch"),
    ("global-batch-datazone.md", "DataZoneBatch"),
];

/// A deployment type named as the docs name it (`Global Standard`, `Data Zone Provisioned`,
/// `Regional Provisioned`, or the SKU name itself).
pub fn deployment_type(text: &str) -> Option<&'static str> {
    let squashed: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    let types = [
        ("globalstandard", "GlobalStandard"),
        ("datazonestandard", "DataZoneStandard"),
        ("globalprovisionedmanaged", "GlobalProvisionedManaged"),
        ("globalprovisioned", "GlobalProvisionedManaged"),
        ("datazoneprovisionedmanaged", "DataZoneProvisionedManaged"),
        ("datazoneprovisioned", "DataZoneProvisionedManaged"),
        ("regionalprovisioned", "ProvisionedManaged"),
        ("provisionedmanaged", "ProvisionedManaged"),
        ("globalbatch", "GlobalBatch"),
        ("datazonebatch", "DataZoneBatch"),
        ("regionalstandard", "Standard"),
        ("standard", "Standard"),
    ];
    types.iter().find(|(name, _)| squashed == *name).map(|(_, t)| *t)
}

/// A model and version: the schedule's and the matrix's key.
pub type Key = (String, String);

/// One row of the retirement schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LifecycleRow {
    pub model: String,
    pub version: String,
    /// As the catalog writes it: `ga`, `preview`, `legacy`, `deprecated`, `retired`.
    pub stage: Option<String>,
    pub deprecation: Option<String>,
    pub retirement: Option<String>,
    pub replacement: Option<String>,
}

/// The Azure OpenAI rows of the retirement schedule: the tables under a heading that names
/// Azure OpenAI when there is one, else every table with the schedule's columns.
pub fn schedule(text: &str) -> Vec<LifecycleRow> {
    let tables: Vec<Table> = markdown::tables(text)
        .into_iter()
        .filter(|t| t.column(&["model"]).is_some() && t.column(&["retirement"]).is_some())
        .collect();
    let openai: Vec<&Table> = tables.iter().filter(|t| t.under("openai")).collect();
    let chosen: Vec<&Table> = if openai.is_empty() {
        tables.iter().collect()
    } else {
        openai
    };
    let mut rows = Vec::new();
    for table in chosen {
        let (Some(model), Some(version), Some(retirement)) = (
            table.column(&["model"]),
            table.column(&["version"]),
            table.column(&["retirement"]),
        ) else {
            continue;
        };
        let stage = table.column(&["lifecycle", "status"]);
        let deprecation = table.column(&["deprecation"]);
        let replacement = table.column(&["replacement"]);
        let cell = |row: &[String], i: Option<usize>| i.and_then(|i| row.get(i)).map(|c| c.trim().to_owned());
        for row in &table.rows {
            let (Some(name), Some(version)) = (cell(row, Some(model)), cell(row, Some(version))) else {
                continue;
            };
            if name.is_empty() {
                continue;
            }
            rows.push(LifecycleRow {
                model: name,
                version,
                stage: cell(row, stage).and_then(|s| stage_name(&s)),
                deprecation: cell(row, deprecation).and_then(|d| date(&d)),
                retirement: cell(row, Some(retirement)).and_then(|d| date(&d)),
                replacement: cell(row, replacement).filter(|r| !is_blank(r)),
            });
        }
    }
    rows
}

fn stage_name(text: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    Some(match lower.as_str() {
        "" | "-" | "—" => return None,
        "ga" | "generally available" | "generallyavailable" => "ga".to_owned(),
        other => other.to_owned(),
    })
}

fn is_blank(cell: &str) -> bool {
    matches!(cell.trim(), "" | "-" | "—" | "N/A" | "n/a")
}

/// The ISO date in a cell (`2027-04-14`, `No earlier than 2026-12-12`), if any.
pub fn date(cell: &str) -> Option<String> {
    cell.split(|c: char| !(c.is_ascii_digit() || c == '-'))
        .find(|word| word.len() == 10 && word.parse::<jiff::civil::Date>().is_ok())
        .map(str::to_owned)
}

/// Deployment type → model and version → regions: what a matrix lists as offered.
pub type Cells = BTreeMap<String, BTreeMap<Key, BTreeSet<String>>>;

/// The newer layout (`deployments-standard.md`, ...): a section per deployment type, tabs
/// per geography, rows `| Model | Version | <region> ... |` with a check mark where offered.
/// Regions are written as ARM names; display names are normalised as azurerm does.
pub fn matrix(text: &str) -> Cells {
    let mut cells = Cells::new();
    for table in markdown::tables(text) {
        let Some(deployment_type) = table.headings.iter().rev().find_map(|h| deployment_type(h)) else {
            continue;
        };
        let (Some(model), Some(version)) = (table.column(&["model"]), table.column(&["version"])) else {
            continue;
        };
        let first_region = model.max(version) + 1;
        for row in &table.rows {
            let (Some(name), Some(version)) = (row.get(model), row.get(version)) else {
                continue;
            };
            let key = (name.clone(), version.clone());
            for (region, cell) in table.header.iter().zip(row).skip(first_region) {
                if markdown::is_offered(cell) {
                    offer(&mut cells, deployment_type, &key, region);
                }
            }
        }
    }
    cells
}

/// The older layout: one file per deployment type, regions as rows and `model, version`
/// as columns.
pub fn per_type_matrix(deployment_type: &str, text: &str) -> Cells {
    let mut cells = Cells::new();
    for table in markdown::tables(text) {
        let Some(region_column) = table.column(&["region"]) else {
            continue;
        };
        let models: Vec<(usize, Key)> = table
            .header
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != region_column)
            .filter_map(|(i, h)| model_and_version(h).map(|k| (i, k)))
            .collect();
        for row in &table.rows {
            let Some(region) = row.get(region_column) else { continue };
            for (i, key) in &models {
                if row.get(*i).is_some_and(|c| markdown::is_offered(c)) {
                    offer(&mut cells, deployment_type, key, region);
                }
            }
        }
    }
    cells
}

/// Records that `key` is offered as `deployment_type` in `region` (as written: a display
/// name is normalised as azurerm does).
fn offer(cells: &mut Cells, deployment_type: &str, key: &Key, region: &str) {
    cells
        .entry(deployment_type.to_owned())
        .or_default()
        .entry(key.clone())
        .or_default()
        .insert(crate::facts::normalize_location(region));
}

/// `gpt-4o, 2024-11-20` or `gpt-4o (2024-11-20)` → the model and its version.
fn model_and_version(header: &str) -> Option<Key> {
    let (name, version) = header
        .split_once(',')
        .or_else(|| header.split_once('('))
        .map(|(n, v)| (n.trim(), v.trim().trim_end_matches(')').trim()))?;
    (!name.is_empty() && !version.is_empty()).then(|| (name.to_owned(), version.to_owned()))
}

/// One default quota: tokens and requests per minute, `None` where the table has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaRow {
    pub model: String,
    pub deployment_type: String,
    pub rpm: Option<u64>,
    pub tpm: Option<u64>,
}

/// A quota tier's rows: `| Model Name | Deployment Type | RPM | TPM |`.
pub fn quota_tier(text: &str) -> Result<Vec<QuotaRow>, String> {
    let mut rows = Vec::new();
    for table in markdown::tables(text) {
        let (Some(model), Some(kind)) = (table.column(&["model"]), table.column(&["deployment type"])) else {
            continue;
        };
        let (rpm, tpm) = (table.column(&["rpm"]), table.column(&["tpm"]));
        for row in &table.rows {
            let (Some(name), Some(kind_text)) = (row.get(model), row.get(kind)) else {
                continue;
            };
            let deployment_type = deployment_type(kind_text)
                .ok_or_else(|| format!("quota row for {name}: unknown deployment type `{kind_text}`"))?;
            let number = |i: Option<usize>| i.and_then(|i| row.get(i)).and_then(|c| count(c));
            rows.push(QuotaRow {
                model: name.clone(),
                deployment_type: deployment_type.to_owned(),
                rpm: number(rpm),
                tpm: number(tpm),
            });
        }
    }
    Ok(rows)
}

/// `1,000,000` → 1000000; `N/A` → none.
fn count(cell: &str) -> Option<u64> {
    let digits: String = cell.chars().filter(|c| *c != ',' && !c.is_whitespace()).collect();
    digits.parse().ok()
}

/// One model's PTU sizing as the table gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PtuRow {
    pub model: String,
    pub global_datazone_min_ptu: Option<u64>,
    pub global_datazone_increment_ptu: Option<u64>,
    pub regional_min_ptu: Option<u64>,
    pub regional_increment_ptu: Option<u64>,
    pub input_tpm_per_ptu: Option<u64>,
}

/// A row of the PTU table.
#[derive(Debug, Clone, Copy)]
enum Parameter {
    GlobalMinimum,
    GlobalIncrement,
    RegionalMinimum,
    RegionalIncrement,
    InputTpm,
}

impl Parameter {
    /// The parameter a row label names (`Regional provisioning scale increment`).
    fn of(label: &str) -> Option<Parameter> {
        let label = label.to_ascii_lowercase();
        let regional = label.contains("regional");
        Some(match () {
            _ if label.contains("minimum") && regional => Parameter::RegionalMinimum,
            _ if label.contains("minimum") => Parameter::GlobalMinimum,
            _ if label.contains("increment") && regional => Parameter::RegionalIncrement,
            _ if label.contains("increment") => Parameter::GlobalIncrement,
            _ if label.contains("input tpm per ptu") => Parameter::InputTpm,
            _ => return None,
        })
    }
}

impl PtuRow {
    fn set(&mut self, parameter: Parameter, value: Option<u64>) {
        let slot = match parameter {
            Parameter::GlobalMinimum => &mut self.global_datazone_min_ptu,
            Parameter::GlobalIncrement => &mut self.global_datazone_increment_ptu,
            Parameter::RegionalMinimum => &mut self.regional_min_ptu,
            Parameter::RegionalIncrement => &mut self.regional_increment_ptu,
            Parameter::InputTpm => &mut self.input_tpm_per_ptu,
        };
        *slot = value;
    }
}

/// The table "Deployment parameters and throughput values by model": one column per model
/// (`gpt-5.5, 2026-04-24`), one row per parameter. `None` when the page has no such table.
pub fn ptu_table(text: &str) -> Option<Vec<PtuRow>> {
    let table = markdown::tables(text).into_iter().find(|t| {
        t.rows.iter().any(|r| {
            r.first()
                .is_some_and(|label| label.to_ascii_lowercase().contains("minimum deployment"))
        })
    })?;
    let mut models: Vec<PtuRow> = table
        .header
        .iter()
        .skip(1)
        .map(|h| PtuRow {
            model: model_and_version(h).map_or_else(|| h.clone(), |(name, _)| name),
            ..PtuRow::default()
        })
        .collect();
    for row in &table.rows {
        let Some(parameter) = row.first().and_then(|label| Parameter::of(label)) else {
            continue;
        };
        for (model, cell) in models.iter_mut().zip(row.iter().skip(1)) {
            model.set(parameter, count(cell));
        }
    }
    models.retain(|m| !m.model.is_empty());
    Some(models)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schedule_keeps_the_azure_openai_rows() {
        let text = "## Azure OpenAI models\n\n| Model | Version | Lifecycle | Deprecation date | Retirement date | Replacement |\n|---|---|---|---|---|---|\n| gpt-4o | 2024-11-20 | Legacy | - | 2027-04-14 | gpt-5.1 |\n| gpt-5.2 | 2025-12-11 | GA | No earlier than 2026-12-12 | 2027-06-08 | — |\n\n## Other models\n\n| Model | Version | Lifecycle | Retirement date |\n|---|---|---|---|\n| DeepSeek-R1 | 1 | GA | 2027-01-01 |\n";
        let rows = schedule(text);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].stage.as_deref(), Some("legacy"));
        assert_eq!(rows[0].replacement.as_deref(), Some("gpt-5.1"));
        assert_eq!(rows[1].deprecation.as_deref(), Some("2026-12-12"));
        assert_eq!(rows[1].replacement, None);
    }

    #[test]
    fn both_matrix_layouts_read_as_cells() {
        let newer = "## Global Standard\n\n# [US](#tab/us)\n\n| Model | Version | eastus2 | westus |\n|---|---|---|---|\n| gpt-4o | 2024-11-20 | ✅ | - |\n";
        let older = "| Region | gpt-4o, 2024-11-20 |\n|---|---|\n| East US 2 | ✅ |\n| westus | - |\n";
        let key = ("gpt-4o".to_owned(), "2024-11-20".to_owned());
        let expected = Cells::from([(
            "GlobalStandard".to_owned(),
            BTreeMap::from([(key, BTreeSet::from(["eastus2".to_owned()]))]),
        )]);
        assert_eq!(matrix(newer), expected);
        assert_eq!(per_type_matrix("GlobalStandard", older), expected);
    }

    #[test]
    fn quota_and_ptu_tables_read_as_numbers() {
        let tier = "| Model Name | Deployment Type | RPM | TPM |\n|---|---|---|---|\n| gpt-5.5 | Global Standard | 1,000 | 1,000,000 |\n| sora-2 | Global Standard | 60 | N/A |\n";
        let rows = quota_tier(tier).unwrap();
        assert_eq!(rows[0].deployment_type, "GlobalStandard");
        assert_eq!((rows[0].rpm, rows[0].tpm), (Some(1000), Some(1_000_000)));
        assert_eq!(rows[1].tpm, None);
        assert!(quota_tier("| Model Name | Deployment Type |\n|---|---|\n| x | Turbo |\n").is_err());
        let ptu = "| Topic | **gpt-5.5**,<br>**2026-04-24** |\n|---|---|\n| Global & data zone provisioned minimum deployment | 15 |\n| Global & data zone provisioned scale increment | 5 |\n| Regional provisioning minimum deployment | 50 |\n| Regional provisioning scale increment | 50 |\n| Input TPM per PTU | 1,200 |\n";
        let rows = ptu_table(ptu).unwrap();
        assert_eq!(
            rows,
            [PtuRow {
                model: "gpt-5.5".into(),
                global_datazone_min_ptu: Some(15),
                global_datazone_increment_ptu: Some(5),
                regional_min_ptu: Some(50),
                regional_increment_ptu: Some(50),
                input_tpm_per_ptu: Some(1200),
            }]
        );
        assert_eq!(ptu_table("no table here"), None);
    }
}
