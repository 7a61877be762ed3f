//! `aoai-lint catalog show MODEL [VERSION]`: what the catalog knows of a model, each fact
//! with the table and date it comes from, so that a finding can be checked against its
//! source in one command.

use std::fmt::Write;

use super::{Catalog, Model};

/// The catalog's facts about `name` (any case), or about one `version` of it (compared as
/// Azure compares versions), as text; `Err` with the nearest names when it knows no such
/// model or version.
pub fn show(catalog: &Catalog, name: &str, version: Option<&str>) -> Result<String, String> {
    let mut versions = catalog.model_versions(name);
    if versions.is_empty() {
        let nearest = catalog.nearest_models(name);
        let hint = match nearest.as_slice() {
            [] => String::new(),
            names => format!("; did you mean {}?", quoted(names)),
        };
        return Err(format!(
            "model `{name}` is not in the catalog (its models are known to {}){hint}",
            catalog.models_known_to()
        ));
    }
    if let Some(version) = version {
        let known: Vec<&str> = versions.iter().filter_map(|m| m.version.as_deref()).collect();
        versions.retain(|m| m.has_version(version));
        if versions.is_empty() {
            return Err(format!(
                "`{name}` has no version `{version}` in the catalog; it knows {}",
                quoted(&known)
            ));
        }
    }
    let mut out = String::new();
    let canonical = &versions[0].name;
    let _ = writeln!(out, "{canonical}");
    for model in &versions {
        describe_version(&mut out, catalog, model);
    }
    describe_ptu(&mut out, catalog, canonical);
    describe_quotas(&mut out, catalog, canonical);
    Ok(out)
}

fn describe_version(out: &mut String, catalog: &Catalog, model: &Model) {
    let version = model.version.as_deref().unwrap_or("(no version)");
    let _ = writeln!(out, "\n  version {version}");
    if model.version_unconfirmed {
        let _ = writeln!(
            out,
            "    the matrix names the model without a version: any version may be it"
        );
    }
    describe_lifecycle(out, model, catalog);
    if !model.in_matrix() {
        let _ = writeln!(
            out,
            "    availability: listed in no region (retired versions leave the matrix)"
        );
        return;
    }
    for (deployment_type, regions) in model.availability.iter().filter(|(_, r)| !r.is_empty()) {
        let table = catalog.availability_table(Some(deployment_type));
        let _ = writeln!(out, "    {deployment_type} [{table}]: {}", regions.join(", "));
    }
    let unconfirmed = model.unconfirmed_availability.iter().filter(|(_, r)| !r.is_empty());
    for (deployment_type, regions) in unconfirmed {
        let table = catalog.availability_table(Some(deployment_type));
        let _ = writeln!(
            out,
            "    {deployment_type}, unconfirmed (listed by model name only) [{table}]: {}",
            regions.join(", ")
        );
    }
}

fn describe_lifecycle(out: &mut String, model: &Model, catalog: &Catalog) {
    let Some(lifecycle) = &model.lifecycle else {
        let table = catalog.lifecycle_table();
        let _ = writeln!(out, "    lifecycle: not in the retirement schedule [{table}]");
        return;
    };
    let citation = catalog.lifecycle_citation(model);
    let mut line = format!(
        "    lifecycle [{citation}]: {}",
        lifecycle.status.as_deref().unwrap_or("no stage given")
    );
    if let Some(date) = &lifecycle.deprecation {
        let _ = write!(line, ", deprecated {date}");
    }
    if let Some(date) = &lifecycle.retirement {
        let qualifier = if model.retirement_is_earliest() {
            "no earlier than "
        } else {
            ""
        };
        let _ = write!(line, ", retires {qualifier}{date}");
    }
    for (deployment_type, date) in &lifecycle.retirement_by_type {
        let _ = write!(line, " ({deployment_type}: {date})");
    }
    if !lifecycle.retirement_disputed.is_empty() {
        let _ = write!(
            line,
            " (disputed: the schedule lists {})",
            lifecycle.retirement_disputed.join(" and ")
        );
    }
    if let Some(replacement) = &lifecycle.replacement {
        let _ = write!(line, ", replacement {replacement}");
    }
    let _ = writeln!(out, "{line}");
}

fn describe_ptu(out: &mut String, catalog: &Catalog, name: &str) {
    let table = catalog.table("ptu-sizing");
    match catalog.ptu_rule(name) {
        Some(rule) => {
            let size = |scope| match rule.sizing(scope) {
                Some((minimum, step)) => format!("minimum {minimum} step {step}"),
                None => "unknown".to_owned(),
            };
            let _ = writeln!(
                out,
                "\n  PTU sizing [{table}]: global and data zone {}; regional {}",
                size(super::Scope::Global),
                size(super::Scope::Regional)
            );
        }
        None => {
            let _ = writeln!(out, "\n  PTU sizing [{table}]: not listed");
        }
    }
}

fn describe_quotas(out: &mut String, catalog: &Catalog, name: &str) {
    let table = catalog.table("quota-tiers");
    let mut lines = Vec::new();
    for (tier, rows) in &catalog.quota_tiers {
        let tier = tier.strip_prefix("tier_").unwrap_or(tier);
        for row in rows.iter().filter(|r| r.model.eq_ignore_ascii_case(name)) {
            let tpm = row.tpm.map_or("requests only".to_owned(), |t| format!("{t} TPM"));
            lines.push(format!("    tier {tier}, {}: {tpm}", row.deployment_type));
        }
    }
    if lines.is_empty() {
        let _ = writeln!(out, "  default quotas [{table}]: not listed");
        return;
    }
    let _ = writeln!(out, "  default quotas [{table}]:");
    for line in lines {
        let _ = writeln!(out, "{line}");
    }
}

fn quoted(names: &[&str]) -> String {
    names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_each_fact_with_its_table() {
        let catalog = Catalog::embedded();
        let text = show(catalog, "GPT-4o", Some("2024-11-20")).unwrap();
        let lifecycle = catalog.lifecycle_table();
        assert!(text.starts_with("gpt-4o\n"), "{text}");
        assert!(text.contains(&format!("lifecycle [{lifecycle}]: legacy")), "{text}");
        assert!(text.contains("retires 2027-04-14"), "{text}");
        assert!(
            text.contains("GlobalStandard [availability-standard table of"),
            "{text}"
        );
        assert!(text.contains("PTU sizing [ptu-sizing table of"), "{text}");
        assert!(text.contains("default quotas [quota-tiers table of"), "{text}");
        assert!(!text.contains("version 2024-08-06"), "one version asked for: {text}");
    }

    #[test]
    fn versions_are_found_as_azure_writes_them_and_disputes_are_shown() {
        let catalog = Catalog::embedded();
        assert!(show(catalog, "dall-e-3", Some("3.0")).unwrap().contains("version 3\n"));
        let text = show(catalog, "gpt-realtime-mini", Some("2025-10-06")).unwrap();
        assert!(
            text.contains("disputed: the schedule lists 2026-09-21 and 2027-04-06"),
            "{text}"
        );
        let new = show(catalog, "gpt-6-sol", None).unwrap();
        assert!(new.contains("unconfirmed (listed by model name only)"), "{new}");
    }

    #[test]
    fn unknown_models_and_versions_say_what_is_known() {
        let catalog = Catalog::embedded();
        assert!(
            show(catalog, "gpt4o", None)
                .unwrap_err()
                .contains("did you mean `gpt-4o`")
        );
        let version = show(catalog, "gpt-4o", Some("2024-11-02")).unwrap_err();
        assert!(version.contains("`2024-11-20`"), "{version}");
    }
}
