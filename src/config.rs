//! `.aoai-lint.yaml`: the team's policy and rule settings.
//!
//! Read with serde-saphyr: the file may arrive in a pull request, and that crate bounds
//! aliases and nesting. Unknown keys are errors, so that a typo never silently turns a policy
//! off.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostic::Severity;
use crate::policy::{self, Policy};
use crate::rules::{self, RuleSettings};

pub const FILE_NAMES: &[&str] = &[".aoai-lint.yaml", ".aoai-lint.yml"];

/// Config files are small; a larger one is refused before it is parsed.
const MAX_CONFIG_SIZE: u64 = 1024 * 1024;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    policy: PolicyFile,
    #[serde(default)]
    rules: std::collections::BTreeMap<String, RuleSetting>,
    /// A catalog overlay file, relative to the configuration file.
    catalog: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    residency: Option<ResidencyFile>,
    resiliency: Option<ResiliencyFile>,
    lifecycle: Option<LifecycleFile>,
    quota: Option<QuotaFile>,
    allowed_deployment_types: Option<Vec<String>>,
    allowed_models: Option<Vec<String>>,
    catalog_max_age_days: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResidencyFile {
    data_zone: Option<DataZone>,
    allowed_regions: Option<Vec<String>>,
    allowed_geographies: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
enum DataZone {
    #[serde(rename = "EU")]
    Eu,
    #[serde(rename = "US")]
    Us,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ResiliencyFile {
    min_regions: usize,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LifecycleFile {
    warn_days: i64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QuotaFile {
    tier: String,
}

/// `AOAI201: off`, `AOAI201: error`, or `AOAI201: { severity: error }`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RuleSetting {
    Level(Level),
    /// YAML 1.1 readers take a bare `off` for `false`; it means off here either way.
    Switch(bool),
    Table(RuleTable),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleTable {
    severity: Level,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
enum Level {
    Off,
    Info,
    Warning,
    Error,
}

impl Level {
    fn severity(self) -> Option<Severity> {
        match self {
            Level::Off => None,
            Level::Info => Some(Severity::Info),
            Level::Warning => Some(Severity::Warning),
            Level::Error => Some(Severity::Error),
        }
    }
}

/// What a configuration file sets.
#[derive(Debug, Default)]
pub struct Config {
    pub path: Option<PathBuf>,
    pub policy: Policy,
    pub rules: RuleSettings,
    /// The catalog overlay the file names, resolved against the file's directory.
    pub catalog: Option<PathBuf>,
}

/// The first `.aoai-lint.yaml` from `start` upward, stopping at the repository root.
pub fn find(start: &Path) -> Option<PathBuf> {
    let start = start.canonicalize().ok()?;
    let mut dir = if start.is_file() {
        start.parent()?.to_path_buf()
    } else {
        start
    };
    loop {
        for name in FILE_NAMES {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate);
            }
        }
        if dir.join(".git").exists() || !dir.pop() {
            return None;
        }
    }
}

pub fn load(path: &Path) -> Result<Config, String> {
    let size = std::fs::metadata(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .len();
    if size > MAX_CONFIG_SIZE {
        return Err(format!(
            "{}: {size} bytes is too large for a configuration file",
            path.display()
        ));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut config = parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    config.path = Some(path.to_path_buf());
    if let (Some(catalog), Some(dir)) = (&config.catalog, path.parent()) {
        config.catalog = Some(dir.join(catalog));
    }
    Ok(config)
}

pub fn parse(text: &str) -> Result<Config, String> {
    let file: File = if text.trim().is_empty() {
        File::default()
    } else {
        serde_saphyr::from_str(text).map_err(|e| e.to_string())?
    };
    let mut settings = RuleSettings::default();
    for (key, setting) in &file.rules {
        let rule = rules::find(key)
            .ok_or_else(|| format!("rules: no rule is called `{key}` (`aoai-lint rules` lists them)"))?;
        let level = match setting {
            RuleSetting::Level(level) => *level,
            RuleSetting::Switch(false) => Level::Off,
            RuleSetting::Switch(true) => {
                return Err(format!(
                    "rules.{key}: say which severity (`error`, `warning` or `info`), or `off`"
                ));
            }
            RuleSetting::Table(table) => table.severity,
        };
        settings.set(rule, level.severity());
    }
    let p = file.policy;
    let mut policy = Policy::default();
    if let Some(r) = p.residency {
        policy.residency = Some(policy::Residency {
            data_zone: r.data_zone.map(|z| match z {
                DataZone::Eu => "EU".to_owned(),
                DataZone::Us => "US".to_owned(),
            }),
            allowed_regions: r
                .allowed_regions
                .map(|rs| rs.iter().map(|r| crate::facts::normalize_location(r)).collect()),
            allowed_geographies: r.allowed_geographies,
        });
    }
    if let Some(r) = p.resiliency {
        if r.min_regions == 0 {
            return Err("policy.resiliency.min_regions: must be at least 1".into());
        }
        policy.resiliency.min_regions = r.min_regions;
    }
    if let Some(l) = p.lifecycle {
        policy.lifecycle.warn_days = l.warn_days;
    }
    if let Some(q) = p.quota {
        policy.quota.tier = Some(q.tier);
    }
    policy.allowed_deployment_types = p.allowed_deployment_types;
    policy.allowed_models = p.allowed_models;
    if let Some(days) = p.catalog_max_age_days {
        policy.catalog_max_age_days = days;
    }
    Ok(Config {
        path: None,
        policy,
        rules: settings,
        catalog: file.catalog,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_file_parses() {
        let config = parse(
            "policy:\n  residency:\n    data_zone: EU\n    allowed_regions: [Sweden Central, francecentral]\n  resiliency:\n    min_regions: 3\n  lifecycle:\n    warn_days: 30\n  quota:\n    tier: '1'\n  allowed_deployment_types: [DataZoneStandard]\n  allowed_models: [gpt-4o, gpt-5.1@2025-11-13]\nrules:\n  AOAI201: off\n  local-auth-enabled: error\n  AOAI506: { severity: info }\n",
        )
        .unwrap();
        let residency = config.policy.residency.unwrap();
        assert_eq!(residency.data_zone.as_deref(), Some("EU"));
        assert_eq!(residency.allowed_regions.unwrap(), ["swedencentral", "francecentral"]);
        assert_eq!(config.policy.resiliency.min_regions, 3);
        assert_eq!(config.policy.quota.tier.as_deref(), Some("1"));
        assert!(!config.rules.enabled(rules::find("AOAI201").unwrap()));
        assert!(config.rules.enabled(rules::find("AOAI506").unwrap()));
    }

    #[test]
    fn unknown_keys_and_rules_are_errors() {
        assert!(parse("polcy: {}\n").unwrap_err().contains("polcy"));
        assert!(parse("policy:\n  residency:\n    data_zon: EU\n").is_err());
        assert!(parse("rules:\n  AOAI999: off\n").unwrap_err().contains("AOAI999"));
        assert!(parse("policy:\n  residency:\n    data_zone: APAC\n").is_err());
        assert!(parse("rules:\n  AOAI201: loud\n").is_err());
    }

    #[test]
    fn an_empty_file_is_the_defaults() {
        let config = parse("").unwrap();
        assert!(config.policy.residency.is_none());
    }

    #[test]
    fn the_file_is_found_upward_and_not_past_the_repository() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("infra/prod")).unwrap();
        std::fs::write(repo.join(".aoai-lint.yaml"), "").unwrap();
        std::fs::write(tmp.path().join(".aoai-lint.yaml"), "").unwrap();
        let found = find(&repo.join("infra/prod")).unwrap();
        assert_eq!(found, repo.canonicalize().unwrap().join(".aoai-lint.yaml"));
        std::fs::remove_file(repo.join(".aoai-lint.yaml")).unwrap();
        assert_eq!(find(&repo.join("infra/prod")), None);
    }
}
