//! Converts the catalog's YAML files under `rules/` to JSON for the binary to embed.
//!
//! Every run reads the whole catalog before it can check anything; a YAML parser took about
//! 9 ms for it, serde_json reads the same data in about 1 ms. The YAML files stay the source
//! of truth (with their comments and sources) and what tests and `--catalog` overlays use;
//! a unit test checks that both readings give the same catalog.

use std::path::Path;

const FILES: [&str; 5] = ["regions", "models", "deployment-types", "quotas", "provider-schema"];

fn main() {
    let out = std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR for build scripts");
    let mut tables = Vec::new();
    for name in FILES {
        let source = format!("rules/{name}.yaml");
        println!("cargo:rerun-if-changed={source}");
        let text = std::fs::read_to_string(&source).unwrap_or_else(|e| panic!("{source}: {e}"));
        let value: serde_json::Value = serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{source}: {e}"));
        tables.extend(table_dates(name, &value));
        let json = serde_json::to_string(&value).unwrap_or_else(|e| panic!("{source}: {e}"));
        let target = Path::new(&out).join(format!("{name}.json"));
        std::fs::write(&target, json).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
    }
    // The tables' dates, for `--version` without reading the whole catalog at start.
    tables.sort();
    let list: String = tables.iter().map(|(n, d)| format!("({n:?}, {d:?}), ")).collect();
    let target = Path::new(&out).join("catalog-tables.rs");
    std::fs::write(&target, format!("&[{list}]")).unwrap_or_else(|e| panic!("{}: {e}", target.display()));
}

/// The tables a catalog file holds and their dates, named as `Catalog::tables` names them.
fn table_dates(file: &str, value: &serde_json::Value) -> Vec<(String, String)> {
    let date = |v: &serde_json::Value| v.as_str().unwrap_or("unknown").to_owned();
    match file {
        "models" => value["tables"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, table)| (name.clone(), date(&table["as_of"])))
            .collect(),
        "quotas" => vec![
            ("quota-tiers".to_owned(), date(&value["as_of"])),
            ("ptu-sizing".to_owned(), date(&value["provisioned"]["as_of"])),
        ],
        _ => vec![(file.to_owned(), date(&value["as_of"]))],
    }
}
