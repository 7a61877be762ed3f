//! rules: one file per rule. Each file declares the rule's metadata with its documentation
//! (what `aoai-lint explain` prints) and implements [`Rule::check`] over the facts of one
//! configuration. The registry below lists every rule once.

use crate::catalog::Catalog;
use crate::diagnostic::{Finding, Severity};
use crate::facts::Configuration;
use crate::policy::Policy;

mod aoai001_unresolved_value;
pub mod aoai004_stale_catalog;
mod aoai101_region_not_allowed;
mod aoai102_global_deployment_residency;
mod aoai103_data_zone_mismatch;
mod aoai104_unknown_region;
mod aoai105_deployment_type_not_allowed;
mod aoai106_region_display_name;
pub mod aoai201_single_region;
pub mod aoai202_model_without_failover;
pub mod aoai203_no_failover_routing;
mod aoai204_regional_capacity_risk;
mod aoai301_unknown_model;
mod aoai302_model_retired;
mod aoai303_model_not_in_region;
mod aoai304_invalid_deployment_sku;
mod aoai305_invalid_account_sku;
mod aoai306_version_not_pinned;
mod aoai307_model_not_allowed;
mod aoai401_quota_exceeded;
mod aoai402_provisioned_capacity;
mod aoai403_capacity_implicit;
mod aoai501_public_network_access;
mod aoai502_local_auth_enabled;
mod aoai503_missing_custom_subdomain;
mod aoai504_content_filter_weakened;
mod aoai505_missing_managed_identity;
mod aoai506_missing_customer_managed_key;
mod aoai507_outbound_network_unrestricted;
mod aoai508_missing_diagnostic_settings;
pub mod fixes;
mod versions;

/// Diagnostics about the run itself, raised by the pipeline rather than by a check.
pub mod meta {
    pub use super::aoai001_unresolved_value::UNRESOLVED_VALUE;
    pub use super::aoai004_stale_catalog::STALE_CATALOG;
    // Raised by the stages before the rules (parse, evaluate, suppress): declared below them.
    pub use crate::diagnostic::pipeline::{UNEVALUABLE_EXPRESSION, UNREADABLE_FILE, UNUSED_SUPPRESSION};
}

pub(crate) use crate::diagnostic::declare_rule;
pub use crate::diagnostic::{Category, RuleMeta};

/// What a check sees: one configuration's facts and what it is judged against.
pub struct Context<'a> {
    pub config: &'a Configuration,
    pub catalog: &'a Catalog,
    pub policy: &'a Policy,
    /// The date lifecycle rules compare against (`--as-of`, reproducible in CI).
    pub today: jiff::civil::Date,
    /// The files' text, for fixes that must see how a block is laid out.
    pub sources: &'a crate::source::SourceMap,
    /// What fixes learnt of the files, kept for this configuration's instances.
    pub memo: fixes::Memo,
}

impl Context<'_> {
    /// When `field` is unknown, records that `rule` could not check `what` (AOAI001, shown
    /// with `--report-unknowns`), so that silence is never mistaken for a pass.
    pub fn note_unknown<T>(
        &self,
        out: &mut Vec<Finding>,
        rule: &'static RuleMeta,
        field: &crate::facts::Field<T>,
        what: &str,
        resource: &crate::diagnostic::Address,
    ) {
        if !matches!(field.value, crate::facts::Known::Unknown) {
            return;
        }
        out.push(
            Finding::new(
                &meta::UNRESOLVED_VALUE,
                format!(
                    "{} ({}) could not check {what}: its value is not known before plan",
                    rule.id, rule.name
                ),
                crate::diagnostic::Label::new(field.span, "unresolved"),
            )
            .with_resource(resource)
            .with_related(field.origin.labels())
            .with_help("pass the value as a variable with a default or in a .tfvars file, or lint the plan"),
        );
    }
}

pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>);
}

/// Every check, once.
pub static CHECKS: &[&dyn Rule] = &[
    &aoai101_region_not_allowed::RegionNotAllowed,
    &aoai102_global_deployment_residency::GlobalDeploymentResidency,
    &aoai103_data_zone_mismatch::DataZoneMismatch,
    &aoai104_unknown_region::UnknownRegion,
    &aoai105_deployment_type_not_allowed::DeploymentTypeNotAllowed,
    &aoai106_region_display_name::RegionDisplayName,
    &aoai201_single_region::SingleRegion,
    &aoai202_model_without_failover::ModelWithoutFailover,
    &aoai203_no_failover_routing::NoFailoverRouting,
    &aoai204_regional_capacity_risk::RegionalCapacityRisk,
    &aoai301_unknown_model::UnknownModel,
    &aoai302_model_retired::ModelRetired,
    &aoai303_model_not_in_region::ModelNotInRegion,
    &aoai304_invalid_deployment_sku::InvalidDeploymentSku,
    &aoai305_invalid_account_sku::InvalidAccountSku,
    &aoai306_version_not_pinned::VersionNotPinned,
    &aoai307_model_not_allowed::ModelNotAllowed,
    &aoai401_quota_exceeded::QuotaExceeded,
    &aoai402_provisioned_capacity::ProvisionedCapacity,
    &aoai403_capacity_implicit::CapacityImplicit,
    &aoai501_public_network_access::PublicNetworkAccess,
    &aoai502_local_auth_enabled::LocalAuthEnabled,
    &aoai503_missing_custom_subdomain::MissingCustomSubdomain,
    &aoai504_content_filter_weakened::ContentFilterWeakened,
    &aoai505_missing_managed_identity::MissingManagedIdentity,
    &aoai506_missing_customer_managed_key::MissingCustomerManagedKey,
    &aoai507_outbound_network_unrestricted::OutboundNetworkUnrestricted,
    &aoai508_missing_diagnostic_settings::MissingDiagnosticSettings,
];

static META: &[&RuleMeta] = &[
    &meta::UNRESOLVED_VALUE,
    &meta::UNREADABLE_FILE,
    &meta::UNUSED_SUPPRESSION,
    &meta::STALE_CATALOG,
    &meta::UNEVALUABLE_EXPRESSION,
];

/// Every rule the tool knows, checks and meta diagnostics, ordered by id.
pub fn all() -> &'static [&'static RuleMeta] {
    // Built once: every ignore comment looks its rules up (thousands in a monorepo).
    static ALL: std::sync::LazyLock<Vec<&'static RuleMeta>> = std::sync::LazyLock::new(|| {
        let mut rules: Vec<&'static RuleMeta> = META.iter().copied().chain(CHECKS.iter().map(|c| c.meta())).collect();
        rules.sort_by_key(|r| r.id);
        rules
    });
    &ALL
}

/// A rule by id (`AOAI201`, any case) or name (`single-region`).
pub fn find(id_or_name: &str) -> Option<&'static RuleMeta> {
    // Ids as written and names, looked up directly: every rule an ignore comment names is
    // looked up, and comparing with each rule in turn was a tenth of waiving a monorepo's
    // findings.
    static BY_ID_OR_NAME: std::sync::LazyLock<std::collections::HashMap<&'static str, &'static RuleMeta>> =
        std::sync::LazyLock::new(|| all().iter().flat_map(|&r| [(r.id, r), (r.name, r)]).collect());
    BY_ID_OR_NAME
        .get(id_or_name)
        .copied()
        .or_else(|| all().iter().copied().find(|r| r.id.eq_ignore_ascii_case(id_or_name)))
}

/// Whether the policy lets a deployment of `deployment_type` process data for an account in
/// `region`. With any residency restriction, global types are out and data zone types are in
/// only inside the policy's own data zone.
pub fn policy_allows_type(cx: &Context<'_>, deployment_type: &str, region: &str) -> bool {
    if let Some(allowed) = &cx.policy.allowed_deployment_types
        && !allowed.iter().any(|t| t == deployment_type)
    {
        return false;
    }
    let Some(residency) = &cx.policy.residency else {
        return true;
    };
    match cx.catalog.deployment_type(deployment_type).map(|t| t.scope) {
        Some(crate::catalog::Scope::Regional) => true,
        Some(crate::catalog::Scope::Datazone) => {
            let zone = match cx.catalog.region(region) {
                crate::catalog::RegionLookup::Known(r) => r.data_zone.clone(),
                _ => None,
            };
            residency.data_zone.is_some() && zone == residency.data_zone
        }
        Some(crate::catalog::Scope::Global) | None => false,
    }
}

/// Which rules run and at what severity, where a team changed the defaults.
#[derive(Debug, Clone, Default)]
pub struct RuleSettings {
    /// Rule id → its severity, `None` for off.
    overrides: std::collections::HashMap<&'static str, Option<Severity>>,
    /// Rules ignore comments cannot waive (`ignorable: false`).
    not_ignorable: std::collections::HashSet<&'static str>,
}

impl RuleSettings {
    pub fn set_not_ignorable(&mut self, rule: &'static RuleMeta) {
        self.not_ignorable.insert(rule.id);
    }

    pub fn ignorable(&self, rule: &RuleMeta) -> bool {
        !self.not_ignorable.contains(rule.id)
    }

    pub fn set(&mut self, rule: &'static RuleMeta, severity: Option<Severity>) {
        self.overrides.insert(rule.id, severity);
    }

    pub fn enabled(&self, rule: &RuleMeta) -> bool {
        match self.overrides.get(rule.id) {
            Some(severity) => severity.is_some(),
            None => rule.default_severity.is_some(),
        }
    }

    /// Drops findings of rules that are off and gives overridden rules their severity; a
    /// rule's own choice (a retiring model is a warning, a retired one an error) stands
    /// otherwise.
    pub fn apply(&self, findings: &mut Vec<Finding>) {
        findings.retain_mut(|f| match self.overrides.get(f.rule.id) {
            Some(Some(severity)) => {
                f.severity = *severity;
                true
            }
            Some(None) => false,
            None => f.rule.default_severity.is_some(),
        });
    }
}

/// From this many accounts and deployments on, a configuration's rules run in parallel.
/// A monorepo's many small configurations already keep every core busy one configuration
/// each, and one rule over a few resources takes microseconds; one configuration that makes
/// thousands of accounts with `for_each` is checked on one thread otherwise (a quarter of
/// the run on 8,000 accounts).
const PARALLEL_RULES_FROM: usize = 256;

/// Runs every enabled check on one configuration. The findings come in the order of the
/// checks whether they run one after another or in parallel.
pub fn check(cx: &Context<'_>, settings: &RuleSettings) -> Vec<Finding> {
    run_checks(cx, settings, is_large(cx))
}

fn is_large(cx: &Context<'_>) -> bool {
    cx.config.accounts.len() + cx.config.deployments.len() >= PARALLEL_RULES_FROM
}

/// [`check`] of each configuration, the findings of each in the order of the checks. The
/// small ones are checked check by check: one check goes through all of them while its
/// code is in the processor's caches (a configuration taken through every check in turn
/// found each check's code evicted by the others': a tenth of a large run's time).
pub fn check_each(contexts: &[Context<'_>], settings: &RuleSettings) -> Vec<Vec<Finding>> {
    let mut found: Vec<Vec<Finding>> = contexts.iter().map(|_| Vec::new()).collect();
    for rule in CHECKS.iter().copied().filter(|r| settings.enabled(r.meta())) {
        for (cx, out) in contexts.iter().zip(&mut found) {
            if !is_large(cx) {
                rule.check(cx, out);
            }
        }
    }
    for (cx, out) in contexts.iter().zip(&mut found) {
        if is_large(cx) {
            *out = run_checks(cx, settings, true);
        }
    }
    found
}

fn run_checks(cx: &Context<'_>, settings: &RuleSettings, in_parallel: bool) -> Vec<Finding> {
    use rayon::prelude::*;
    let enabled = || CHECKS.iter().copied().filter(|r| settings.enabled(r.meta()));
    if in_parallel {
        // `collect` keeps the order of the rules.
        return enabled()
            .collect::<Vec<_>>()
            .into_par_iter()
            .flat_map_iter(|rule| {
                let mut found = Vec::new();
                rule.check(cx, &mut found);
                found
            })
            .collect();
    }
    let mut out = Vec::new();
    for rule in enabled() {
        rule.check(cx, &mut out);
    }
    out
}

/// A rule's page under `docs/rules/`: its heading, defaults and documentation.
pub fn markdown_page(rule: &RuleMeta) -> String {
    let severity = rule.default_severity.map_or("off".to_owned(), |s| s.to_string());
    let category = serde_json::to_value(rule.category)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    format!(
        "# {} {}\n\nDefault severity: {severity} · Category: {category}\n\n{}.\n\n{}\n",
        rule.id,
        rule.name,
        capitalized(rule.summary),
        rule.documentation().trim_end()
    )
}

/// `text` with its first letter upper-case.
pub fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// Where a rule's page is published: under the repository Cargo.toml names, at this
/// version's tag. `None` until the package names a repository.
pub fn help_uri(rule: &RuleMeta) -> Option<String> {
    let repository = env!("CARGO_PKG_REPOSITORY").trim_end_matches('/');
    (!repository.is_empty()).then(|| {
        format!(
            "{repository}/blob/v{}/docs/rules/{}.md",
            env!("CARGO_PKG_VERSION"),
            rule.id
        )
    })
}

/// The Markdown table of every rule that `rules/README.md` carries.
pub fn markdown_table() -> String {
    let mut out = String::from("| id | name | default | category | checks |\n|---|---|---|---|---|\n");
    for rule in all() {
        let severity = rule.default_severity.map_or("off".to_owned(), |s| s.to_string());
        let category = serde_json::to_value(rule.category)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        out.push_str(&format!(
            "| {} | {} | {severity} | {category} | {} |\n",
            rule.id, rule.name, rule.summary
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_is_found_by_its_id_in_any_case_or_by_its_name() {
        for rule in all() {
            let lower = rule.id.to_ascii_lowercase();
            for key in [rule.id, lower.as_str(), rule.name] {
                assert!(std::ptr::eq(find(key).unwrap(), *rule), "{key}");
            }
            // A name never reads as another rule's id.
            assert!(all().iter().all(|r| !r.id.eq_ignore_ascii_case(rule.name)));
        }
        assert!(find("AOAI999").is_none() && find("Single-Region").is_none());
    }

    #[test]
    fn a_large_configuration_checked_in_parallel_gives_the_findings_of_one_by_one() {
        use crate::testing::{account, deployment};
        let mut text = String::new();
        for i in 0..PARALLEL_RULES_FROM {
            let region = ["\"eastus2\"", "\"swedencentral\"", "\"nowhere\""][i % 3];
            let model = ["gpt-4o", "gpt-5.1", "made-up"][i % 3];
            text += &account(&format!("a{i}"), region);
            text += &deployment(
                &format!("d{i}"),
                &format!("a{i}"),
                model,
                Some("2024-05-13"),
                "Standard",
                Some(5000),
            );
        }
        let dir = tempfile::tempdir().expect("temporary directory");
        crate::testing::write_files(dir.path(), &[("main.tf", &text)]);
        let outcome = crate::lint::run(&crate::lint::Options {
            paths: vec![dir.path().to_path_buf()],
            keep_configurations: true,
            ..Default::default()
        })
        .expect("the run succeeds");
        let cx = Context {
            config: &outcome.configurations[0],
            catalog: crate::catalog::Catalog::embedded(),
            policy: &crate::policy::Policy::default(),
            today: "2026-11-24".parse().expect("a date"),
            sources: &outcome.sources,
            memo: Default::default(),
        };
        let settings = RuleSettings::default();
        let key = |findings: Vec<Finding>| -> Vec<String> {
            findings
                .iter()
                .map(|f| format!("{} {:?} {}", f.rule.id, f.primary.span, f.message))
                .collect()
        };
        let one_by_one = key(run_checks(&cx, &settings, false));
        assert!(one_by_one.len() > PARALLEL_RULES_FROM, "the rules find plenty here");
        assert_eq!(key(check(&cx, &settings)), one_by_one);
        assert_eq!(key(run_checks(&cx, &settings, true)), one_by_one);
        // Checked with small configurations, check by check, it gives the same again.
        let small: Vec<Configuration> = (0..3)
            .map(|i| {
                let mut config = outcome.configurations[0].clone();
                config.accounts.truncate(i + 1);
                config.deployments.truncate(i + 2);
                config
            })
            .collect();
        let context = |config| Context {
            config,
            catalog: cx.catalog,
            policy: cx.policy,
            today: cx.today,
            sources: cx.sources,
            memo: Default::default(),
        };
        let mut contexts: Vec<Context> = small.iter().map(context).collect();
        contexts.insert(1, context(cx.config));
        let each: Vec<Vec<String>> = check_each(&contexts, &settings).into_iter().map(key).collect();
        let alone: Vec<Vec<String>> = contexts.iter().map(|cx| key(check(cx, &settings))).collect();
        assert!(
            each.iter().all(|found| !found.is_empty()),
            "every configuration has findings"
        );
        assert_eq!(each, alone);
    }

    #[test]
    fn the_rules_readme_lists_every_rule() {
        let readme = include_str!("../../rules/README.md");
        let table = markdown_table();
        assert!(
            readme.contains(&table),
            "rules/README.md is out of date; its table should read:\n{table}"
        );
    }

    /// `docs/rules/ID.md` are generated from the rules' own documentation. After changing a
    /// rule's docs, `AOAI_LINT_WRITE_DOCS=1 cargo test rule_pages` rewrites them.
    #[test]
    fn rule_pages_match_the_rules() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
        let write = std::env::var_os("AOAI_LINT_WRITE_DOCS").is_some();
        let mut stale = Vec::new();
        for rule in all() {
            let path = dir.join(format!("{}.md", rule.id));
            let page = markdown_page(rule);
            if write {
                std::fs::create_dir_all(&dir).expect("docs/rules can be created");
                std::fs::write(&path, &page).expect("a rule page can be written");
            } else if std::fs::read_to_string(&path).ok().as_deref() != Some(page.as_str()) {
                stale.push(rule.id);
            }
        }
        let mut pages: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        pages.sort();
        let expected: Vec<String> = all().iter().map(|r| format!("{}.md", r.id)).collect();
        assert!(
            stale.is_empty(),
            "stale rule pages {stale:?}: run `AOAI_LINT_WRITE_DOCS=1 cargo test rule_pages`"
        );
        assert_eq!(pages, expected, "docs/rules holds one page per rule and nothing else");
    }

    const SECTIONS: &[&str] = &[
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## Use instead",
        "## Configuration",
        "## Fix",
        "## When it stays silent",
    ];

    #[test]
    fn ids_and_names_are_unique_and_well_formed() {
        let rules = all();
        for (i, rule) in rules.iter().enumerate() {
            assert!(rule.id.len() == 7 && rule.id.starts_with("AOAI"), "{}", rule.id);
            assert!(
                rule.name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                rule.name
            );
            for other in &rules[i + 1..] {
                assert_ne!(rule.id, other.id);
                assert_ne!(rule.name, other.name);
            }
        }
    }

    #[test]
    fn every_rule_documents_every_section() {
        for rule in all() {
            let doc = rule.documentation();
            for section in SECTIONS {
                assert!(doc.contains(section), "{} lacks {section}", rule.id);
            }
        }
    }

    #[test]
    fn rules_are_found_by_id_or_name() {
        assert_eq!(find("aoai201").unwrap().name, "single-region");
        assert_eq!(find("single-region").unwrap().id, "AOAI201");
        assert!(find("AOAI999").is_none());
    }
}
