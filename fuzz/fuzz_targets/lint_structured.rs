//! Valid-looking Terraform built from a structure the fuzzer mutates: accounts, deployments
//! and modules with values that reference each other, so that evaluation, expansion and the
//! rules are exercised past the parser.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

#[derive(Debug, Arbitrary)]
enum Value {
    Region(u8),
    Text(String),
    Number(i32),
    Bool(bool),
    Var(u8),
    Local(u8),
    AccountAttr(u8, u8),
    Each,
    Call(u8, Vec<Value>),
    Binary(Box<Value>, u8, Box<Value>),
    Cond(Box<Value>, Box<Value>, Box<Value>),
    List(Vec<Value>),
    Map(Vec<(u8, Value)>),
    For(Box<Value>, Box<Value>),
    Template(Vec<Value>),
}

const REGIONS: &[&str] = &[
    "eastus2",
    "swedencentral",
    "westeurope",
    "Sweden Central",
    "westeurop",
    "",
];
const FUNCTIONS: &[&str] = &[
    "length",
    "upper",
    "lookup",
    "merge",
    "try",
    "coalesce",
    "jsonencode",
    "toset",
    "keys",
    "format",
];
const OPS: &[&str] = &["+", "-", "==", "&&", "||", "*", "<"];
const ATTRS: &[&str] = &["id", "location", "name", "endpoint", "kind"];

fn render(v: &Value, depth: usize) -> String {
    if depth > 6 {
        return "null".into();
    }
    let r = |v: &Value| render(v, depth + 1);
    match v {
        Value::Region(i) => format!("\"{}\"", REGIONS[*i as usize % REGIONS.len()]),
        Value::Text(s) => format!(
            "{:?}",
            s.chars().filter(|c| !c.is_control()).take(20).collect::<String>()
        ),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Var(i) => format!("var.v{}", i % 3),
        Value::Local(i) => format!("local.l{}", i % 3),
        Value::AccountAttr(i, a) => format!(
            "azurerm_cognitive_account.a{}.{}",
            i % 3,
            ATTRS[*a as usize % ATTRS.len()]
        ),
        Value::Each => "each.value".into(),
        Value::Call(f, args) => format!(
            "{}({})",
            FUNCTIONS[*f as usize % FUNCTIONS.len()],
            args.iter().take(3).map(r).collect::<Vec<_>>().join(", ")
        ),
        Value::Binary(a, op, b) => format!("({} {} {})", r(a), OPS[*op as usize % OPS.len()], r(b)),
        Value::Cond(c, a, b) => format!("({} ? {} : {})", r(c), r(a), r(b)),
        Value::List(items) => format!("[{}]", items.iter().take(4).map(r).collect::<Vec<_>>().join(", ")),
        Value::Map(entries) => format!(
            "{{ {} }}",
            entries
                .iter()
                .take(4)
                .map(|(k, v)| format!("k{k} = {}", r(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::For(c, v) => format!("{{ for k, v in {} : k => {} }}", r(c), r(v)),
        Value::Template(parts) => format!(
            "\"{}\"",
            parts
                .iter()
                .take(3)
                .map(|p| format!("${{{}}}", r(p)))
                .collect::<String>()
        ),
    }
}

#[derive(Debug, Arbitrary)]
struct Account {
    location: Value,
    kind: bool,
    keys: Option<Value>,
    public: Option<Value>,
    for_each: Option<Value>,
}

#[derive(Debug, Arbitrary)]
struct Deployment {
    account: u8,
    model: Value,
    version: Value,
    sku: Value,
    capacity: Option<Value>,
}

#[derive(Debug, Arbitrary)]
struct Config {
    variables: Vec<Option<Value>>,
    locals: Vec<Value>,
    accounts: Vec<Account>,
    deployments: Vec<Deployment>,
    in_module: bool,
}

fn terraform(config: &Config) -> String {
    let mut out = String::new();
    for (i, default) in config.variables.iter().take(3).enumerate() {
        match default {
            Some(v) => out.push_str(&format!("variable \"v{i}\" {{\n  default = {}\n}}\n", render(v, 0))),
            None => out.push_str(&format!("variable \"v{i}\" {{}}\n")),
        }
    }
    for i in config.variables.len().min(3)..3 {
        out.push_str(&format!("variable \"v{i}\" {{}}\n"));
    }
    out.push_str("locals {\n");
    for (i, v) in config.locals.iter().take(3).enumerate() {
        out.push_str(&format!("  l{i} = {}\n", render(v, 0)));
    }
    out.push_str("}\n");
    for (i, a) in config.accounts.iter().take(3).enumerate() {
        out.push_str(&format!("resource \"azurerm_cognitive_account\" \"a{i}\" {{\n"));
        if let Some(f) = &a.for_each {
            out.push_str(&format!("  for_each = {}\n", render(f, 0)));
        }
        out.push_str(&format!(
            "  kind = \"{}\"\n  sku_name = \"S0\"\n  location = {}\n",
            if a.kind { "OpenAI" } else { "AIServices" },
            render(&a.location, 0)
        ));
        if let Some(k) = &a.keys {
            out.push_str(&format!("  local_auth_enabled = {}\n", render(k, 0)));
        }
        if let Some(p) = &a.public {
            out.push_str(&format!("  public_network_access_enabled = {}\n", render(p, 0)));
        }
        out.push_str("}\n");
    }
    for (i, d) in config.deployments.iter().take(4).enumerate() {
        out.push_str(&format!(
            "resource \"azurerm_cognitive_deployment\" \"d{i}\" {{\n  cognitive_account_id = azurerm_cognitive_account.a{}.id\n  model {{\n    format = \"OpenAI\"\n    name = {}\n    version = {}\n  }}\n  sku {{\n    name = {}\n{}  }}\n}}\n",
            d.account % 3,
            render(&d.model, 0),
            render(&d.version, 0),
            render(&d.sku, 0),
            d.capacity.as_ref().map(|c| format!("    capacity = {}\n", render(c, 0))).unwrap_or_default()
        ));
    }
    out
}

fuzz_target!(|config: Config| {
    let text = terraform(&config);
    if config.in_module {
        let caller = "module \"m\" {\n  source = \"./m\"\n}\n".to_owned();
        let Ok(dir) = tempfile::tempdir() else { return };
        let _ = std::fs::create_dir_all(dir.path().join("m"));
        let _ = std::fs::write(dir.path().join("m/main.tf"), &text);
        let _ = std::fs::write(dir.path().join("main.tf"), caller);
        let options = aoai_lint::lint::Options {
            paths: vec![dir.path().to_path_buf()],
            threads: Some(1),
            ..Default::default()
        };
        let _ = aoai_lint::lint::run(&options);
    } else {
        common::lint_files(&[("main.tf", text.as_bytes())], None);
    }
});
