//! `.aoai-lint.yaml`: the team's policy and rule settings.
//!
//! Read with serde-saphyr: the file may arrive in a pull request, and that crate bounds
//! aliases and nesting. Unknown keys are errors, so that a typo never silently turns a policy
//! off.

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::Deserialize;

use crate::diagnostic::Severity;
use crate::policy::{self, Policy};
use crate::rules::{self, RuleSettings};
use crate::supplied::{self, Chosen};

pub const FILE_NAMES: &[&str] = &[".aoai-lint.yaml", ".aoai-lint.yml"];

/// Config files are small; a larger one is refused before it is parsed.
const MAX_CONFIG_SIZE: u64 = 1024 * 1024;

/// `.aoai-lint.yaml`: the team's policy and rule settings for aoai-lint.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "aoai-lint configuration")]
pub(crate) struct File {
    /// What the team requires: residency, resiliency, lifecycle, quota and allow-lists.
    #[serde(default)]
    policy: PolicyFile,
    /// Per rule (by id like `AOAI201` or name like `single-region`): `off`, a severity, or a
    /// table with `severity`, `ignorable` and the rule's own options.
    #[serde(default)]
    rules: std::collections::BTreeMap<String, RuleSetting>,
    /// Paths not to lint: globs relative to this file's directory (`examples/**`).
    #[serde(default)]
    exclude: Vec<String>,
    /// How `aoai-lint-ignore` comments may be used.
    #[serde(default)]
    suppressions: SuppressionsFile,
    /// A catalog overlay file, relative to this file.
    catalog: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SuppressionsFile {
    /// An ignore comment must say why (`# aoai-lint-ignore: AOAI201 the DR plan covers it`);
    /// one without a reason waives nothing and is reported (AOAI003).
    #[serde(default)]
    require_reason: bool,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    /// Where accounts may be: a data zone, regions or geographies (AOAI101-103).
    residency: Option<ResidencyFile>,
    resiliency: Option<ResiliencyFile>,
    lifecycle: Option<LifecycleFile>,
    quota: Option<QuotaFile>,
    /// Deployment types (`sku.name`) allowed (AOAI105), e.g. `[DataZoneStandard]`.
    allowed_deployment_types: Option<Vec<String>>,
    /// Models allowed (AOAI307): `gpt-4o`, or a version `gpt-5.1@2025-11-13`.
    allowed_models: Option<Vec<String>>,
    /// The oldest catalog table may be this many days old before AOAI004 says so (default 60).
    catalog_max_age_days: Option<i64>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ResidencyFile {
    /// `EU`, `US` or `APAC`: accounts in the zone's regions, DataZone types only in that
    /// zone, no Global types.
    data_zone: Option<DataZone>,
    /// Region names (`swedencentral`); display names are accepted.
    allowed_regions: Option<Vec<String>>,
    /// Azure geographies (`Europe`, `United States`).
    allowed_geographies: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
enum DataZone {
    #[serde(rename = "EU")]
    Eu,
    #[serde(rename = "US")]
    Us,
    /// Asia Pacific: australiaeast, japaneast, koreacentral, southeastasia, southindia.
    #[serde(rename = "APAC")]
    Apac,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct ResiliencyFile {
    /// Regions a configuration must spread its accounts over (AOAI201; default 2).
    min_regions: Option<usize>,
    /// Whose regions count (AOAI201): `configuration` (default), each root on its own, or
    /// `repository`, every configuration of the run together (roots per region that fail
    /// over to each other).
    scope: Option<policy::ResiliencyScope>,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct LifecycleFile {
    /// Warn this many days before a model version retires (AOAI302; default 90).
    warn_days: i64,
}

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct QuotaFile {
    /// The subscription's quota tier for default quotas (AOAI401).
    tier: String,
}

/// `AOAI201: off`, `AOAI201: error`, or `AOAI201: { severity: error, ignorable: false }`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(untagged)]
enum RuleSetting {
    Level(Level),
    /// YAML 1.1 readers take a bare `off` for `false`; it means off here either way.
    Switch(bool),
    Table(RuleTable),
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct RuleTable {
    severity: Option<Level>,
    /// `false`: ignore comments cannot waive this rule (a policy the team must not waive).
    ignorable: Option<bool>,
    /// AOAI201: regions the accounts must spread over (as `policy.resiliency.min_regions`).
    min_regions: Option<usize>,
    /// AOAI302: days of warning before a retirement (as `policy.lifecycle.warn_days`).
    warn_days: Option<i64>,
    /// AOAI401: the quota tier (as `policy.quota.tier`).
    tier: Option<String>,
    /// AOAI004: the catalog's allowed age in days (as `policy.catalog_max_age_days`).
    max_age_days: Option<i64>,
}

/// Which rule each option belongs to.
const RULE_OPTIONS: &[(&str, &str)] = &[
    ("min_regions", "AOAI201"),
    ("warn_days", "AOAI302"),
    ("tier", "AOAI401"),
    ("max_age_days", "AOAI004"),
];

#[derive(Debug, Clone, Copy, Deserialize, JsonSchema)]
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
    /// `exclude` globs, relative to the file's directory.
    pub exclude: Vec<String>,
    /// Ignore comments must give a reason.
    pub require_reason: bool,
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

/// Reads the configuration file at `path`. A file the repository supplies (`chosen`) is
/// read only from inside it; the catalog overlay a file names must lie inside the file's
/// repository whoever chose the file, since its text may come from a pull request.
pub fn load(path: &Path, chosen: Chosen<'_>) -> Result<Config, String> {
    let text = supplied::read(path, chosen, MAX_CONFIG_SIZE)?;
    let mut config = parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    config.path = Some(path.to_path_buf());
    if let (Some(catalog), Some(dir)) = (&config.catalog, path.parent()) {
        let catalog = dir.join(catalog);
        if let (Ok(target), Some(boundary)) = (catalog.canonicalize(), supplied::boundary_of(dir)) {
            supplied::check_inside(&catalog, &target, &boundary)
                .map_err(|e| format!("{}: catalog: {e}", path.display()))?;
        }
        config.catalog = Some(catalog);
    }
    Ok(config)
}

pub fn parse(text: &str) -> Result<Config, String> {
    let only_comments = text.lines().all(|l| {
        let line = l.trim();
        line.is_empty() || line.starts_with('#')
    });
    let file: File = if only_comments {
        File::default()
    } else {
        serde_saphyr::from_str(text).map_err(|e| e.to_string())?
    };
    let mut settings = RuleSettings::default();
    let mut options = RuleTable::default();
    for (key, setting) in &file.rules {
        let rule = rules::find(key).ok_or_else(|| {
            at(
                text,
                key,
                &format!("rules: no rule is called `{key}` (`aoai-lint rules` lists them)"),
            )
        })?;
        let level = match setting {
            RuleSetting::Level(level) => Some(*level),
            RuleSetting::Switch(false) => Some(Level::Off),
            RuleSetting::Switch(true) => {
                return Err(at(
                    text,
                    key,
                    &format!("rules.{key}: say which severity (`error`, `warning` or `info`), or `off`"),
                ));
            }
            RuleSetting::Table(table) => {
                check_options(key, rule.id, table).map_err(|e| at(text, key, &e))?;
                if table.ignorable == Some(false) {
                    settings.set_not_ignorable(rule);
                }
                options.min_regions = options.min_regions.or(table.min_regions);
                options.warn_days = options.warn_days.or(table.warn_days);
                options.tier = options.tier.clone().or_else(|| table.tier.clone());
                options.max_age_days = options.max_age_days.or(table.max_age_days);
                table.severity
            }
        };
        if let Some(level) = level {
            settings.set(rule, level.severity());
        }
    }
    let p = file.policy;
    let mut policy = Policy::default();
    if let Some(r) = p.residency {
        policy.residency = Some(policy::Residency {
            data_zone: r.data_zone.map(|z| match z {
                DataZone::Eu => "EU".to_owned(),
                DataZone::Us => "US".to_owned(),
                DataZone::Apac => "APAC".to_owned(),
            }),
            allowed_regions: r
                .allowed_regions
                .map(|rs| rs.iter().map(|r| crate::facts::normalize_location(r)).collect()),
            allowed_geographies: r.allowed_geographies,
        });
    }
    if let Some(r) = p.resiliency {
        if r.min_regions == Some(0) {
            return Err(at(
                text,
                "min_regions",
                "policy.resiliency.min_regions: must be at least 1",
            ));
        }
        if let Some(min_regions) = r.min_regions {
            policy.resiliency.min_regions = min_regions;
        }
        if let Some(scope) = r.scope {
            policy.resiliency.scope = scope;
        }
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
    // A rule's own options are the same settings, written next to the rule.
    if let Some(n) = options.min_regions {
        if n == 0 {
            return Err(at(text, "min_regions", "rules: min_regions must be at least 1"));
        }
        policy.resiliency.min_regions = n;
    }
    if let Some(days) = options.warn_days {
        policy.lifecycle.warn_days = days;
    }
    if let Some(tier) = options.tier {
        policy.quota.tier = Some(tier);
    }
    if let Some(days) = options.max_age_days {
        policy.catalog_max_age_days = days;
    }
    for pattern in &file.exclude {
        globset::Glob::new(pattern)
            .map_err(|e| at(text, pattern, &format!("exclude: `{pattern}` is not a valid glob: {e}")))?;
    }
    Ok(Config {
        path: None,
        policy,
        rules: settings,
        catalog: file.catalog,
        exclude: file.exclude,
        require_reason: file.suppressions.require_reason,
    })
}

/// `message`, prefixed with the first line of `text` that mentions `needle` as a key or an
/// item and followed by that line, the way the YAML reader's own errors show the place.
fn at(text: &str, needle: &str, message: &str) -> String {
    let found = text.lines().enumerate().find(|(_, line)| {
        let line = line
            .trim_start()
            .trim_start_matches("- ")
            .trim_start_matches(['"', '\'']);
        line.starts_with(needle) && !line.starts_with('#')
    });
    match found {
        Some((index, line)) => format!("line {}: {message}\n --> {}: {line}", index + 1, index + 1),
        None => message.to_owned(),
    }
}

/// An option given to a rule it does not belong to is an error, not a silent no-op.
fn check_options(key: &str, rule_id: &str, table: &RuleTable) -> Result<(), String> {
    let given = [
        ("min_regions", table.min_regions.is_some()),
        ("warn_days", table.warn_days.is_some()),
        ("tier", table.tier.is_some()),
        ("max_age_days", table.max_age_days.is_some()),
    ];
    for (option, set) in given {
        let owner = RULE_OPTIONS.iter().find(|(o, _)| *o == option).map_or("", |(_, r)| *r);
        if set && owner != rule_id {
            return Err(format!(
                "rules.{key}: `{option}` is an option of {owner}, not of {rule_id}"
            ));
        }
    }
    Ok(())
}

/// What `aoai-lint config init` writes: every setting, explained, the choices commented out.
pub const STARTER: &str = include_str!("../schema/starter.aoai-lint.yaml");

/// The JSON Schema of the configuration file, for editors. Draft 7: the version YAML
/// language servers read.
pub fn json_schema() -> String {
    let mut schema = schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<File>();
    // A file that is all comments (as `config init` writes it) is YAML's null, and means the
    // defaults: the schema says so too, so that editors and validators accept it.
    schema.insert("type".to_owned(), serde_json::json!(["object", "null"]));
    // A rule is named by its id or its name; anything else is a typo the linter refuses,
    // and so does the schema.
    let names: Vec<&str> = rules::all().iter().flat_map(|r| [r.id, r.name]).collect();
    if let Some(rules) = schema
        .as_object_mut()
        .and_then(|s| s.get_mut("properties"))
        .and_then(|p| p.get_mut("rules"))
        .and_then(|r| r.as_object_mut())
    {
        rules.insert("propertyNames".to_owned(), serde_json::json!({ "enum": names }));
    }
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
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
        let apac = parse("policy:\n  residency:\n    data_zone: APAC\n").unwrap();
        assert_eq!(apac.policy.residency.unwrap().data_zone.as_deref(), Some("APAC"));
        assert!(parse("policy:\n  residency:\n    data_zone: ASIA\n").is_err());
        assert!(parse("rules:\n  AOAI201: loud\n").is_err());
    }

    #[test]
    fn rule_tables_carry_options_ignorability_and_excludes() {
        let config = parse(
            "exclude: [examples/**]\nsuppressions:\n  require_reason: true\nrules:\n  AOAI201: { min_regions: 3, ignorable: false }\n  model-retired: { warn_days: 30, severity: error }\n  AOAI401: { tier: '2' }\n  AOAI004: { max_age_days: 365 }\n",
        )
        .unwrap();
        assert_eq!(config.policy.resiliency.min_regions, 3);
        assert_eq!(config.policy.lifecycle.warn_days, 30);
        assert_eq!(config.policy.quota.tier.as_deref(), Some("2"));
        assert_eq!(config.policy.catalog_max_age_days, 365);
        assert!(!config.rules.ignorable(rules::find("AOAI201").unwrap()));
        assert!(config.rules.ignorable(rules::find("AOAI302").unwrap()));
        assert!(
            config.rules.enabled(rules::find("AOAI201").unwrap()),
            "a table without severity keeps the rule on"
        );
        assert_eq!(config.exclude, ["examples/**"]);
        assert!(config.require_reason);
    }

    #[test]
    fn options_on_the_wrong_rule_and_bad_globs_are_errors() {
        let err = parse("rules:\n  AOAI502: { warn_days: 3 }\n").unwrap_err();
        assert!(
            err.contains("`warn_days` is an option of AOAI302, not of AOAI502"),
            "{err}"
        );
        assert!(err.starts_with("line 2: "), "errors say where: {err}");
        let err = parse("rules:\n  AOAI201: off\n  AOAI999: error\n").unwrap_err();
        assert!(err.starts_with("line 3: rules: no rule is called `AOAI999`"), "{err}");
        assert!(parse("rules:\n  AOAI201: { min_regions: 0 }\n").is_err());
        assert!(parse("exclude: ['a[']\n").unwrap_err().contains("not a valid glob"));
        assert!(parse("suppressions:\n  require_reasons: true\n").is_err());
    }

    #[test]
    fn the_published_schema_is_generated_from_these_types() {
        let published = include_str!("../schema/aoai-lint.schema.json");
        assert_eq!(
            published,
            json_schema(),
            "schema/aoai-lint.schema.json is stale: run `aoai-lint config schema > schema/aoai-lint.schema.json`"
        );
    }

    #[test]
    fn the_starter_file_is_a_valid_configuration() {
        let config = parse(STARTER).expect("the starter configuration parses");
        assert!(
            config.policy.residency.is_none(),
            "the starter leaves policy choices commented out"
        );
        // Uncommented, every example in it is valid too.
        let uncommented: String = STARTER
            .lines()
            .skip_while(|l| !l.is_empty())
            .filter(|l| l.starts_with("# ") && !l.starts_with("#   #"))
            .map(|l| format!("{}\n", &l[2..]))
            .collect();
        let config = parse(&uncommented).unwrap_or_else(|e| panic!("{e}\n{uncommented}"));
        assert_eq!(config.policy.resiliency.min_regions, 2);
        assert!(config.require_reason);
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
