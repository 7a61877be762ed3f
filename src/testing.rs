//! Test tables for rules: Terraform snippets written to a temporary directory and linted
//! through the whole pipeline, with the expected findings as `file:line:column`.

use std::path::Path;

use crate::lint::{self, Options};

pub struct Case<'a> {
    pub name: &'a str,
    pub files: &'a [(&'a str, &'a str)],
    pub expected: &'a [&'a str],
}

impl<'a> Case<'a> {
    pub fn new(name: &'a str, files: &'a [(&'a str, &'a str)], expected: &'a [&'a str]) -> Case<'a> {
        Case { name, files, expected }
    }
}

/// Writes `files` (relative paths, directories created) under `root`.
pub fn write_files(root: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create directory");
        std::fs::write(&path, text).expect("write fixture");
    }
}

/// Lints files written to a temporary directory on `today` (as `--as-of`, else the real
/// date); returns `RULE file:line:column` for every finding, paths relative to that directory.
fn lint_files_with(files: &[(&str, &str)], today: Option<&str>, config: &crate::config::Config) -> Vec<String> {
    let dir = tempfile::tempdir().expect("temporary directory");
    write_files(dir.path(), files);
    let root = dir.path().canonicalize().expect("canonical temporary directory");
    let outcome = lint::run(&Options {
        paths: vec![root.clone()],
        today: today.map(|d| d.parse().expect("a YYYY-MM-DD date")),
        rules: config.rules.clone(),
        policy: config.policy.clone(),
        require_reason: config.require_reason,
        ..Options::default()
    })
    .expect("the run succeeds");
    outcome
        .findings
        .iter()
        .map(|f| {
            let file = outcome.sources.get(f.primary.span.file);
            let at = file.line_col(f.primary.span.start as usize);
            let path = file.path.strip_prefix(&root).unwrap_or(Path::new(&file.display_path));
            format!("{} {}:{}:{}", f.rule.id, path.display(), at.line, at.column)
        })
        .collect()
}

/// `RULE file:line:column` of every finding for `files`, with the default configuration.
pub fn lint_places(files: &[(&str, &str)]) -> Vec<String> {
    lint_files_with(files, Some("2026-11-24"), &crate::config::Config::default())
}

/// Checks every case: the findings of `rule` are exactly the expected ones.
pub fn assert_cases(rule: &str, cases: &[Case<'_>]) {
    assert_cases_at(rule, None, cases);
}

/// As [`assert_cases`] on a given day (`YYYY-MM-DD`).
pub fn assert_cases_on(rule: &str, today: &str, cases: &[Case<'_>]) {
    assert_cases_at(rule, Some(today), cases);
}

/// As [`assert_cases`] for a rule that is off by default, turned on at `severity`.
pub fn assert_cases_enabled(rule: &'static crate::rules::RuleMeta, cases: &[Case<'_>]) {
    let mut config = crate::config::Config::default();
    config.rules.set(rule, Some(crate::diagnostic::Severity::Info));
    check_cases(rule.id, None, &config, cases);
}

/// As [`assert_cases`] under a configuration file's text.
pub fn assert_cases_with_config(rule: &str, config_yaml: &str, cases: &[Case<'_>]) {
    let config = crate::config::parse(config_yaml).expect("a valid test configuration");
    check_cases(rule, None, &config, cases);
}

fn assert_cases_at(rule: &str, today: Option<&str>, cases: &[Case<'_>]) {
    check_cases(rule, today, &crate::config::Config::default(), cases);
}

fn check_cases(rule: &str, today: Option<&str>, config: &crate::config::Config, cases: &[Case<'_>]) {
    let mut failures = Vec::new();
    for case in cases {
        let found: Vec<String> = lint_files_with(case.files, today, config)
            .into_iter()
            .filter_map(|f| f.strip_prefix(rule).map(|rest| rest.trim().to_owned()))
            .collect();
        if found != case.expected {
            failures.push(format!(
                "{}: expected {:?}, found {:?}",
                case.name, case.expected, found
            ));
        }
    }
    assert!(failures.is_empty(), "{rule}:\n{}", failures.join("\n"));
}

/// An OpenAI account `azurerm_cognitive_account.<name>` in `location` (an expression).
pub fn account(name: &str, location: &str) -> String {
    format!(
        "resource \"azurerm_cognitive_account\" \"{name}\" {{\n  name                  = \"{name}\"\n  kind                  = \"OpenAI\"\n  sku_name              = \"S0\"\n  location              = {location}\n  custom_subdomain_name = \"{name}\"\n  local_auth_enabled    = false\n}}\n"
    )
}

/// A deployment of `model`/`version` with `sku` (and `capacity` when given) on account `account`.
pub fn deployment(
    name: &str,
    account: &str,
    model: &str,
    version: Option<&str>,
    sku: &str,
    capacity: Option<i64>,
) -> String {
    let version = version.map(|v| format!("    version = \"{v}\"\n")).unwrap_or_default();
    let capacity = capacity.map(|c| format!("    capacity = {c}\n")).unwrap_or_default();
    format!(
        "resource \"azurerm_cognitive_deployment\" \"{name}\" {{\n  name                 = \"{name}\"\n  cognitive_account_id = azurerm_cognitive_account.{account}.id\n  model {{\n    format  = \"OpenAI\"\n    name    = \"{model}\"\n{version}  }}\n  sku {{\n    name = \"{sku}\"\n{capacity}  }}\n}}\n"
    )
}

/// One account in `location` with one deployment `d` of capacity 10: the usual rule case.
pub fn account_with_deployment(location: &str, model: &str, version: Option<&str>, sku: &str) -> String {
    account("a", location) + &deployment("d", "a", model, version, sku, Some(10))
}

/// An OpenAI account `azapi_resource.a` in eastus; `properties` is the inside of
/// `body.properties` (starting on line 9), indented four spaces.
pub fn azapi_account(properties: &str) -> String {
    format!(
        "resource \"azapi_resource\" \"a\" {{\n  type     = \"Microsoft.CognitiveServices/accounts@2025-06-01\"\n  name     = \"a\"\n  location = \"eastus\"\n  body = {{\n    kind = \"OpenAI\"\n    sku  = {{ name = \"S0\" }}\n    properties = {{\n{properties}    }}\n  }}\n}}\n"
    )
}
