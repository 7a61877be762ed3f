//! `aoai-lint catalog refresh`: the catalog rebuilt from Microsoft's published tables.
//!
//! A maintainer takes a sparse checkout of MicrosoftDocs/azure-ai-docs (the retirement
//! schedule, the model matrix in both layouts, the quota tiers and the PTU include; paths in
//! [`sources`]) and runs one command. The facts those tables hold replace the catalog's in
//! `rules/models.yaml` and `rules/quotas.yaml`; everything else (sources, notes, regions)
//! stays. The command prints what changed, table by table, and writes nothing when the
//! sources disagree: a schedule row listed twice with two dates, a date the schedule
//! dropped, a cell only one matrix layout lists (with `--record-disputes` these are written
//! as disputed or unconfirmed, which no rule reports as an error), or a quota row for a model
//! the catalog does not list (always a stop). The same inputs always give the same bytes.

pub mod apply;
pub mod markdown;
pub mod sources;
pub mod yaml;

use std::path::{Path, PathBuf};

use apply::Changes;
use yaml::Node;

/// What to refresh from, and how.
#[derive(Debug, Clone)]
pub struct Options<'a> {
    /// The catalog's files (`rules/`).
    pub rules: &'a Path,
    /// A checkout of MicrosoftDocs/azure-ai-docs (only the tables' folders are needed).
    pub docs: &'a Path,
    /// The date the tables' facts were true: the checkout's commit date.
    pub as_of: &'a str,
    /// Write what the sources disagree on as disputed instead of stopping.
    pub record_disputes: bool,
}

/// The outcome: the report to print, the files to write (none when the refresh stopped),
/// and whether anything changed.
#[derive(Debug)]
pub struct Refreshed {
    pub report: String,
    pub files: Vec<(PathBuf, String)>,
    pub changed: bool,
    /// Disagreements that stopped the refresh.
    pub stopped: Vec<String>,
}

/// Refreshes the catalog under `options.rules` from the docs checkout.
pub fn refresh(options: &Options<'_>) -> Result<Refreshed, String> {
    let read_rules = |name: &str| -> Result<(PathBuf, String, Node), String> {
        let path = options.rules.join(name);
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let node = Node::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        Ok((path, text, node))
    };
    options
        .as_of
        .parse::<jiff::civil::Date>()
        .map_err(|e| format!("--as-of {}: {e}", options.as_of))?;
    let (models_path, models_text, mut models) = read_rules("models.yaml")?;
    let (quotas_path, quotas_text, mut quotas) = read_rules("quotas.yaml")?;
    let docs = |relative: &str| std::fs::read_to_string(options.docs.join(relative)).ok();
    let source = format!("docs@{}", options.as_of);
    let mut changes = Changes::default();
    let mut dated = Vec::new();
    let mut disputes_allowed = Vec::new();

    if let Some(text) = docs(sources::SCHEDULE) {
        let rows = sources::schedule(&text);
        apply::lifecycle(&mut models, &rows, &source, &mut changes)?;
        dated.push("lifecycle".to_owned());
    }
    let mut drift = sources::Cells::new();
    for (family, types) in sources::FAMILIES {
        let Some(text) = docs(&format!("{}/deployments-{family}.md", sources::MATRIX_DIR)) else {
            continue;
        };
        let cells = sources::matrix(&text);
        let table = format!("availability-{family}");
        apply::availability(&mut models, &table, types, &cells, &mut changes)?;
        for (file, deployment_type) in sources::PER_TYPE_FILES.iter().filter(|(_, t)| types.contains(t)) {
            if let Some(text) = docs(&format!("{}/{file}", sources::PER_TYPE_DIR)) {
                let older = sources::per_type_matrix(deployment_type, &text);
                disputes_allowed.extend(apply::layout_drift(&cells, &older, &[deployment_type], &mut drift));
            }
        }
        dated.push(table);
    }
    let mut quota_tiers_read = false;
    for tier in ["free", "1", "2", "3", "4", "5", "6"] {
        let file = if tier == "free" {
            "free.md".to_owned()
        } else {
            format!("tier-{tier}.md")
        };
        let Some(text) = docs(&format!("{}/{file}", sources::QUOTA_DIR)) else {
            continue;
        };
        let rows = sources::quota_tier(&text)?;
        let known = |model: &str| model_listed(&models, model);
        apply::quota_tier(&mut quotas, tier, &rows, &known, &mut changes)?;
        quota_tiers_read = true;
    }
    if quota_tiers_read {
        dated.push("quota-tiers".to_owned());
    }
    if let Some(rows) = ptu_rows(options.docs) {
        apply::ptu(&mut quotas, &rows, &source, &mut changes)?;
        dated.push("ptu-sizing".to_owned());
    }

    let mut stopped: Vec<String> = changes.disputes.clone();
    if options.record_disputes {
        apply::record_drift(&mut models, &drift)?;
        stopped.retain(|d| d.starts_with("quota:"));
    } else {
        stopped.extend(disputes_allowed.iter().cloned());
    }
    let date_changes = date_tables(&mut models, &mut quotas, &dated, options.as_of, &source)?;
    let report = report(options, &changes, &date_changes, &disputes_allowed, &stopped);
    let models_out = models.to_yaml();
    let quotas_out = quotas.to_yaml();
    let changed = models_out != models_text || quotas_out != quotas_text;
    let files = if stopped.is_empty() && changed {
        vec![(models_path, models_out), (quotas_path, quotas_out)]
    } else {
        Vec::new()
    };
    Ok(Refreshed {
        report,
        files,
        changed,
        stopped,
    })
}

fn model_listed(models: &Node, name: &str) -> bool {
    models
        .get("models")
        .and_then(Node::as_list)
        .unwrap_or_default()
        .iter()
        .filter_map(|m| m.get("name").and_then(Node::as_str))
        .any(|n| n.eq_ignore_ascii_case(name))
}

/// The PTU table from whichever include holds it.
fn ptu_rows(docs: &Path) -> Option<Vec<sources::PtuRow>> {
    let mut pages: Vec<PathBuf> = std::fs::read_dir(docs.join(sources::PTU_DIR))
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    pages.sort();
    pages
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .find_map(|text| sources::ptu_table(&text))
}

/// The refreshed tables take the new date and source; returns `table: old -> new` lines.
fn date_tables(
    models: &mut Node,
    quotas: &mut Node,
    tables: &[String],
    as_of: &str,
    source: &str,
) -> Result<Vec<String>, String> {
    let mut lines = Vec::new();
    let mut moved = |table: &str, old: Option<&Node>| {
        let old = old.and_then(Node::as_str).unwrap_or("none").to_owned();
        if old != as_of {
            lines.push(format!("{table}: {old} -> {as_of}"));
        }
    };
    for table in tables {
        match table.as_str() {
            "quota-tiers" => {
                let map = quotas.as_map_mut().ok_or("quotas.yaml is not a mapping")?;
                moved(table, map.get("as_of"));
                map.insert("as_of".into(), Node::str(as_of));
            }
            "ptu-sizing" => {
                let map = quotas
                    .as_map_mut()
                    .and_then(|m| m.get_mut("provisioned"))
                    .and_then(Node::as_map_mut)
                    .ok_or("quotas.yaml: no `provisioned`")?;
                moved(table, map.get("as_of"));
                map.insert("as_of".into(), Node::str(as_of));
            }
            name => {
                let entry = models
                    .as_map_mut()
                    .and_then(|m| m.get_mut("tables"))
                    .and_then(Node::as_map_mut)
                    .ok_or("models.yaml: no `tables`")?
                    .entry(name.to_owned())
                    .or_insert_with(|| Node::Map(Default::default()));
                let map = entry.as_map_mut().ok_or("models.yaml: a table is not a mapping")?;
                moved(name, map.get("as_of"));
                map.insert("as_of".into(), Node::str(as_of));
                map.insert("source".into(), Node::str(source));
            }
        }
    }
    if !tables.is_empty() {
        let sources = models
            .as_map_mut()
            .and_then(|m| m.get_mut("source"))
            .and_then(Node::as_map_mut)
            .ok_or("models.yaml: no `source`")?;
        let refreshed = sources
            .entry("refreshed".into())
            .or_insert_with(|| Node::Map(Default::default()))
            .as_map_mut()
            .ok_or("models.yaml: `source.refreshed` is not a mapping")?;
        let mut entry = indexmap::IndexMap::new();
        entry.insert("repo".to_owned(), Node::str("MicrosoftDocs/azure-ai-docs"));
        entry.insert("as_of".to_owned(), Node::str(as_of));
        entry.insert("tables".to_owned(), Node::List(tables.iter().map(Node::str).collect()));
        refreshed.insert(source.to_owned(), Node::Map(entry));
    }
    Ok(lines)
}

fn report(options: &Options<'_>, changes: &Changes, dates: &[String], drift: &[String], stopped: &[String]) -> String {
    let mut out = format!(
        "catalog refresh as of {}
",
        options.as_of
    );
    for line in dates {
        out.push_str(&format!(
            "{line}
"
        ));
    }
    for (table, lines) in &changes.by_table {
        out.push_str(&format!(
            "
{table}
"
        ));
        for line in lines {
            out.push_str(&format!(
                "  {line}
"
            ));
        }
    }
    let recorded: Vec<&String> = if options.record_disputes {
        changes
            .disputes
            .iter()
            .filter(|d| !d.starts_with("quota:"))
            .chain(drift)
            .collect()
    } else {
        Vec::new()
    };
    if !recorded.is_empty() {
        out.push_str(
            "
recorded as disputed (never an error):
",
        );
        for line in recorded {
            out.push_str(&format!(
                "  {line}
"
            ));
        }
    }
    if !stopped.is_empty() {
        out.push_str(
            "
the sources disagree; nothing was written:
",
        );
        for line in stopped {
            out.push_str(&format!(
                "  {line}
"
            ));
        }
    }
    if changes.by_table.is_empty() && dates.is_empty() {
        out.push_str(
            "no changes
",
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::yaml::Node;

    /// The files under `rules/` are written as a refresh writes them, so a refresh that
    /// changes no fact changes no byte. `AOAI_LINT_WRITE_CATALOG=1` rewrites them.
    #[test]
    fn the_committed_catalog_is_in_the_refresh_format() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
        let write = std::env::var_os("AOAI_LINT_WRITE_CATALOG").is_some();
        let mut stale = Vec::new();
        for file in ["models", "regions", "deployment-types", "quotas", "provider-schema"] {
            let path = dir.join(format!("{file}.yaml"));
            let text = std::fs::read_to_string(&path).unwrap();
            let node = Node::parse(&text).unwrap();
            let written = node.to_yaml();
            assert_eq!(Node::parse(&written).unwrap(), node, "{file} reads back as it was");
            if write {
                std::fs::write(&path, &written).unwrap();
            } else if written != text {
                stale.push(file);
            }
        }
        assert!(
            stale.is_empty(),
            "{stale:?}: run `AOAI_LINT_WRITE_CATALOG=1 cargo test committed_catalog`"
        );
    }
}
