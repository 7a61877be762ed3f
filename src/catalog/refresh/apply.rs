//! The refreshed facts laid into the catalog's files (as YAML nodes, so that everything a
//! maintainer wrote beside them, sources and notes, stays), with every change and every
//! disagreement between the sources written down.

use std::collections::{BTreeMap, BTreeSet};

use indexmap::IndexMap;

use super::sources::{Cells, Key, LifecycleRow, PtuRow, QuotaRow};
use super::yaml::Node;
use crate::catalog::models::version_key;

/// What a refresh found: the changes (one line each, by table) and where the sources
/// disagree.
#[derive(Debug, Default)]
pub struct Changes {
    pub by_table: BTreeMap<String, Vec<String>>,
    pub disputes: Vec<String>,
}

impl Changes {
    fn note(&mut self, table: &str, line: String) {
        self.by_table.entry(table.to_owned()).or_default().push(line);
    }
}

type Map = IndexMap<String, Node>;

/// The models file's entries, as mutable mappings.
fn entries(models: &mut Node) -> Result<&mut Vec<Node>, String> {
    match models.as_map_mut().and_then(|m| m.get_mut("models")) {
        Some(Node::List(list)) => Ok(list),
        _ => Err("models.yaml: no `models` list".to_owned()),
    }
}

fn text<'a>(map: &'a Map, key: &str) -> Option<&'a str> {
    map.get(key).and_then(Node::as_str)
}

fn same_model(entry: &Map, (name, version): (&str, &str)) -> bool {
    text(entry, "name").is_some_and(|n| n.eq_ignore_ascii_case(name))
        && text(entry, "version").is_some_and(|v| version_key(v) == version_key(version))
}

/// The entry of `key`, added after the last entry of the same name (or in name order) when
/// the catalog has none.
fn entry_of<'m>(list: &'m mut Vec<Node>, (name, version): (&str, &str), added: &mut bool) -> &'m mut Map {
    let found = list
        .iter()
        .position(|n| n.as_map().is_some_and(|m| same_model(m, (name, version))));
    let index = found.unwrap_or_else(|| {
        *added = true;
        let mut entry = Map::new();
        entry.insert("name".into(), Node::str(name));
        entry.insert("version".into(), Node::str(version));
        entry.insert("lifecycle".into(), Node::Null);
        entry.insert("in_current_matrix".into(), Node::Bool(false));
        entry.insert("availability".into(), Node::Map(Map::new()));
        let same_name = list.iter().rposition(|n| {
            n.as_map()
                .and_then(|m| text(m, "name"))
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        });
        let at = same_name.map(|i| i + 1).unwrap_or_else(|| {
            list.iter()
                .position(|n| n.as_map().and_then(|m| text(m, "name")).is_some_and(|n| n > name))
                .unwrap_or(list.len())
        });
        list.insert(at, Node::Map(entry));
        at
    });
    list[index].as_map_mut().expect("entries are mappings")
}

/// The schedule's rows over the catalog's lifecycle: stage, dates and replacement come from
/// the row, notes and other keys stay. A row listed twice with two dates, or one whose date
/// is gone, is a dispute.
pub fn lifecycle(models: &mut Node, rows: &[LifecycleRow], source: &str, changes: &mut Changes) -> Result<(), String> {
    let mut by_key: BTreeMap<Key, Vec<&LifecycleRow>> = BTreeMap::new();
    for row in rows {
        by_key
            .entry((row.model.clone(), row.version.clone()))
            .or_default()
            .push(row);
    }
    let list = entries(models)?;
    for ((name, version), rows) in &by_key {
        let dates: BTreeSet<&str> = rows.iter().filter_map(|r| r.retirement.as_deref()).collect();
        if dates.len() > 1 {
            let listed: Vec<&str> = dates.iter().copied().collect();
            changes.disputes.push(format!(
                "lifecycle: {name} {version} is listed {} times, retiring {}",
                rows.len(),
                listed.join(" and ")
            ));
        }
        let row = rows[0];
        let mut added = false;
        let entry = entry_of(list, (name, version), &mut added);
        let old = entry
            .get("lifecycle")
            .and_then(Node::as_map)
            .cloned()
            .unwrap_or_default();
        let old_date = text(&old, "retirement").map(str::to_owned);
        let new_date = dates.first().map(|d| (*d).to_owned());
        if old_date.is_some() && new_date.is_none() {
            changes.disputes.push(format!(
                "lifecycle: {name} {version} retired on {} in the catalog; the schedule gives no date",
                old_date.as_deref().unwrap_or_default()
            ));
        }
        let mut life = Map::new();
        if let Some(stage) = &row.stage {
            life.insert("status".into(), Node::str(stage));
        }
        if let Some(date) = row
            .deprecation
            .clone()
            .or_else(|| text(&old, "deprecation").map(str::to_owned))
        {
            life.insert("deprecation".into(), Node::str(date));
        }
        if let Some(date) = &new_date {
            life.insert("retirement".into(), Node::str(date));
        }
        let disputed: Vec<Node> = if dates.len() > 1 {
            dates.iter().map(|d| Node::str(*d)).collect()
        } else if new_date.is_none() {
            old_date.iter().map(Node::str).collect()
        } else {
            Vec::new()
        };
        if !disputed.is_empty() {
            life.insert("retirement_disputed".into(), Node::List(disputed));
        }
        if let Some(replacement) = row
            .replacement
            .clone()
            .or_else(|| text(&old, "replacement").map(str::to_owned))
        {
            life.insert("replacement".into(), Node::str(replacement));
        }
        life.insert("source".into(), Node::List(vec![Node::str(source)]));
        if let Some(note) = old.get("note") {
            life.insert("note".into(), note.clone());
        }
        if added {
            let stage = row.stage.as_deref().unwrap_or("no stage");
            let until = new_date
                .as_deref()
                .map_or("no retirement date".to_owned(), |d| format!("retires {d}"));
            changes.note("lifecycle", format!("+ {name} {version}: {stage}, {until}"));
        } else {
            for line in lifecycle_changes(&old, &life) {
                changes.note("lifecycle", format!("~ {name} {version}: {line}"));
            }
        }
        entry.insert("lifecycle".into(), Node::Map(life));
    }
    Ok(())
}

fn lifecycle_changes(old: &Map, new: &Map) -> Vec<String> {
    let mut lines = Vec::new();
    for (key, what) in [
        ("status", "stage"),
        ("retirement", "retirement"),
        ("replacement", "replacement"),
    ] {
        let (before, after) = (text(old, key), text(new, key));
        if before != after {
            lines.push(format!(
                "{what} {} -> {}",
                before.unwrap_or("none"),
                after.unwrap_or("none")
            ));
        }
    }
    if old.get("retirement_by_type").is_some() {
        lines.push("dates by deployment type dropped (the schedule gives one)".to_owned());
    }
    lines
}

/// The matrix's cells for the deployment types of one family (`availability-standard`):
/// they replace the catalog's cells of those types, unconfirmed ones included; a version
/// the matrix no longer lists loses them.
pub fn availability(
    models: &mut Node,
    table: &str,
    types: &[&str],
    cells: &Cells,
    changes: &mut Changes,
) -> Result<(), String> {
    let list = entries(models)?;
    let mut listed: BTreeSet<Key> = BTreeSet::new();
    for by_model in cells.values() {
        listed.extend(by_model.keys().cloned());
    }
    for (name, version) in &listed {
        let mut added = false;
        entry_of(list, (name, version), &mut added);
        if added {
            changes.note(table, format!("+ {name} {version}: new in the matrix"));
        }
    }
    for node in list.iter_mut() {
        let Some(entry) = node.as_map_mut() else { continue };
        let (Some(name), Some(version)) = (text(entry, "name"), text(entry, "version")) else {
            continue;
        };
        let (name, version) = (name.to_owned(), version.to_owned());
        let key_cells = |t: &str| -> BTreeSet<String> {
            cells
                .get(t)
                .into_iter()
                .flat_map(|m| m.iter())
                .filter(|((n, v), _)| n.eq_ignore_ascii_case(&name) && version_key(v) == version_key(&version))
                .flat_map(|(_, regions)| regions.iter().cloned())
                .collect()
        };
        let mut availability = entry
            .get("availability")
            .and_then(Node::as_map)
            .cloned()
            .unwrap_or_default();
        let mut unconfirmed = entry
            .get("unconfirmed_availability")
            .and_then(Node::as_map)
            .cloned()
            .unwrap_or_default();
        for deployment_type in types {
            let before: BTreeSet<String> = regions(availability.get(*deployment_type));
            let after = key_cells(deployment_type);
            let gained: Vec<&String> = after.difference(&before).collect();
            let lost: Vec<&String> = before.difference(&after).collect();
            if !gained.is_empty() {
                changes.note(
                    table,
                    format!("+ {name} {version} {deployment_type}: {}", join(&gained)),
                );
            }
            if !lost.is_empty() {
                changes.note(table, format!("- {name} {version} {deployment_type}: {}", join(&lost)));
            }
            if after.is_empty() {
                availability.shift_remove(*deployment_type);
            } else {
                availability.insert((*deployment_type).to_owned(), list_of(&after));
            }
            unconfirmed.shift_remove(*deployment_type);
        }
        let in_matrix = availability
            .values()
            .chain(unconfirmed.values())
            .any(|r| !regions(Some(r)).is_empty());
        entry.insert("availability".into(), Node::Map(availability));
        if unconfirmed.is_empty() {
            entry.shift_remove("unconfirmed_availability");
        } else {
            entry.insert("unconfirmed_availability".into(), Node::Map(unconfirmed));
        }
        let was = matches!(entry.get("in_current_matrix"), Some(Node::Bool(true)));
        if was && !in_matrix {
            changes.note(table, format!("- {name} {version}: gone from the matrix"));
        }
        entry.insert("in_current_matrix".into(), Node::Bool(in_matrix));
    }
    Ok(())
}

/// Cells one layout of the matrix lists and the other does not: disputes, recorded (with
/// `record`) as unconfirmed cells that no rule reports either way.
pub fn layout_drift(newer: &Cells, older: &Cells, types: &[&str], drift: &mut Cells) -> Vec<String> {
    let mut lines = Vec::new();
    for deployment_type in types {
        let (Some(a), Some(b)) = (newer.get(*deployment_type), older.get(*deployment_type)) else {
            continue;
        };
        let keys: BTreeSet<&Key> = a.keys().chain(b.keys()).collect();
        for key in keys {
            let empty = BTreeSet::new();
            let (in_newer, in_older) = (a.get(key).unwrap_or(&empty), b.get(key).unwrap_or(&empty));
            for (only, file) in [
                (in_newer.difference(in_older), "the deployments-* table"),
                (in_older.difference(in_newer), "the per-type table"),
            ] {
                let only: Vec<&String> = only.collect();
                if only.is_empty() {
                    continue;
                }
                lines.push(format!(
                    "matrix: {deployment_type} {} {} in {}: only {file} lists it",
                    key.0,
                    key.1,
                    join(&only)
                ));
                let cells = drift.entry((*deployment_type).to_owned()).or_default();
                cells.entry(key.clone()).or_default().extend(only.into_iter().cloned());
            }
        }
    }
    lines
}

/// Moves the drifting cells from confirmed to unconfirmed.
pub fn record_drift(models: &mut Node, drift: &Cells) -> Result<(), String> {
    for node in entries(models)?.iter_mut() {
        let Some(entry) = node.as_map_mut() else { continue };
        let (Some(name), Some(version)) = (text(entry, "name"), text(entry, "version")) else {
            continue;
        };
        let (name, version) = (name.to_owned(), version.to_owned());
        for (deployment_type, by_model) in drift {
            let Some(cells) = by_model
                .iter()
                .find(|((n, v), _)| n.eq_ignore_ascii_case(&name) && version_key(v) == version_key(&version))
                .map(|(_, r)| r)
            else {
                continue;
            };
            let mut availability = entry
                .get("availability")
                .and_then(Node::as_map)
                .cloned()
                .unwrap_or_default();
            let mut confirmed = regions(availability.get(deployment_type));
            confirmed.retain(|r| !cells.contains(r));
            if confirmed.is_empty() {
                availability.shift_remove(deployment_type);
            } else {
                availability.insert(deployment_type.clone(), list_of(&confirmed));
            }
            entry.insert("availability".into(), Node::Map(availability));
            let mut unconfirmed = entry
                .get("unconfirmed_availability")
                .and_then(Node::as_map)
                .cloned()
                .unwrap_or_default();
            let mut maybe = regions(unconfirmed.get(deployment_type));
            maybe.extend(cells.iter().cloned());
            unconfirmed.insert(deployment_type.clone(), list_of(&maybe));
            entry.insert("unconfirmed_availability".into(), Node::Map(unconfirmed));
            entry.insert("in_current_matrix".into(), Node::Bool(true));
        }
    }
    Ok(())
}

/// A quota tier's rows replace the tier's; a row for a model the catalog does not list is
/// a dispute (the tier names a model the matrix lacks).
pub fn quota_tier(
    quotas: &mut Node,
    tier: &str,
    rows: &[QuotaRow],
    known: &dyn Fn(&str) -> bool,
    changes: &mut Changes,
) -> Result<(), String> {
    for row in rows.iter().filter(|r| !known(&r.model)) {
        changes.disputes.push(format!(
            "quota: tier {tier} lists {} ({}), which the matrix and the schedule lack",
            row.model, row.deployment_type
        ));
    }
    let tiers = quotas
        .as_map_mut()
        .and_then(|m| m.get_mut("quota_tiers"))
        .and_then(Node::as_map_mut)
        .ok_or("quotas.yaml: no `quota_tiers`")?;
    let key = format!("tier_{tier}");
    let table = tiers.entry(key).or_insert_with(|| Node::Map(Map::new()));
    let table = table.as_map_mut().ok_or("quotas.yaml: a tier is not a mapping")?;
    let old: BTreeMap<(String, String), Option<u64>> = table
        .get("rows")
        .and_then(Node::as_list)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_map)
        .filter_map(|r| {
            let tpm = match r.get("tpm") {
                Some(Node::Int(t)) => u64::try_from(*t).ok(),
                _ => None,
            };
            Some((
                (text(r, "model")?.to_owned(), text(r, "deployment_type")?.to_owned()),
                tpm,
            ))
        })
        .collect();
    let mut new_rows = Vec::new();
    let mut seen = BTreeSet::new();
    for row in rows {
        let key = (row.model.clone(), row.deployment_type.clone());
        let tpm = |t: Option<u64>| t.map_or("no TPM".to_owned(), |t| format!("{t} TPM"));
        match old.get(&key) {
            None => changes.note(
                "quota-tiers",
                format!("+ tier {tier} {} {}: {}", row.model, row.deployment_type, tpm(row.tpm)),
            ),
            Some(before) if *before != row.tpm => changes.note(
                "quota-tiers",
                format!(
                    "~ tier {tier} {} {}: {} -> {}",
                    row.model,
                    row.deployment_type,
                    tpm(*before),
                    tpm(row.tpm)
                ),
            ),
            Some(_) => {}
        }
        seen.insert(key);
        let mut map = Map::new();
        map.insert("model".into(), Node::str(&row.model));
        map.insert("deployment_type".into(), Node::str(&row.deployment_type));
        map.insert("rpm".into(), row.rpm.map_or(Node::Null, |v| Node::Int(v as i64)));
        map.insert("tpm".into(), row.tpm.map_or(Node::Null, |v| Node::Int(v as i64)));
        new_rows.push(Node::Map(map));
    }
    for (model, deployment_type) in old.keys().filter(|k| !seen.contains(*k)) {
        changes.note("quota-tiers", format!("- tier {tier} {model} {deployment_type}"));
    }
    table.insert("rows".into(), Node::List(new_rows));
    Ok(())
}

/// The PTU table's rows replace the sizes of the models it lists; others stay.
pub fn ptu(quotas: &mut Node, rows: &[PtuRow], source: &str, changes: &mut Changes) -> Result<(), String> {
    let rules = match quotas
        .as_map_mut()
        .and_then(|m| m.get_mut("provisioned"))
        .and_then(Node::as_map_mut)
        .and_then(|m| m.get_mut("ptu_rules"))
    {
        Some(Node::List(list)) => list,
        _ => return Err("quotas.yaml: no `provisioned.ptu_rules`".to_owned()),
    };
    const FIELDS: [&str; 5] = [
        "global_datazone_min_ptu",
        "global_datazone_increment_ptu",
        "regional_min_ptu",
        "regional_increment_ptu",
        "input_tpm_per_ptu",
    ];
    for row in rows {
        let values = [
            row.global_datazone_min_ptu,
            row.global_datazone_increment_ptu,
            row.regional_min_ptu,
            row.regional_increment_ptu,
            row.input_tpm_per_ptu,
        ];
        let existing = rules
            .iter_mut()
            .filter_map(Node::as_map_mut)
            .find(|r| text(r, "model").is_some_and(|m| m.eq_ignore_ascii_case(&row.model)));
        let rule = match existing {
            Some(rule) => rule,
            None => {
                changes.note("ptu-sizing", format!("+ {}", row.model));
                let mut rule = Map::new();
                rule.insert("model".into(), Node::str(&row.model));
                rules.push(Node::Map(rule));
                rules.last_mut().and_then(Node::as_map_mut).expect("just pushed")
            }
        };
        for (field, value) in FIELDS.iter().zip(values) {
            let before = match rule.get(*field) {
                Some(Node::Int(v)) => u64::try_from(*v).ok(),
                _ => None,
            };
            if before != value && before.is_some() {
                let show = |v: Option<u64>| v.map_or("none".to_owned(), |v| v.to_string());
                changes.note(
                    "ptu-sizing",
                    format!("~ {} {field}: {} -> {}", row.model, show(before), show(value)),
                );
            }
            match value {
                Some(v) => rule.insert((*field).to_owned(), Node::Int(v as i64)),
                None => rule.shift_remove(*field),
            };
        }
        rule.insert("source".into(), Node::str(source));
    }
    Ok(())
}

fn regions(node: Option<&Node>) -> BTreeSet<String> {
    node.and_then(Node::as_list)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_str)
        .map(str::to_owned)
        .collect()
}

fn list_of(regions: &BTreeSet<String>) -> Node {
    Node::List(regions.iter().map(Node::str).collect())
}

fn join(items: &[&String]) -> String {
    items.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
}
