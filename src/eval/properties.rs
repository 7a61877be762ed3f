//! Properties of evaluation over generated input: it never panics, gives the same answer
//! every time, and an Unknown operand makes a strict operation Unknown.

use std::collections::HashMap;
use std::sync::Arc;

use proptest::prelude::*;

use super::downloads::Downloads;
use super::module;
use super::{Budget, CliVariables, Evaluator, ModuleSet};
use crate::discover;
use crate::parse::Limits;
use crate::source::SourceMap;

/// `local.result` for a module holding `text`; parse errors are fine (the value is then
/// whatever the rest of the module gives).
fn evaluate(text: &str) -> String {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("main.tf"), text).expect("write main.tf");
    let root = dir.path().canonicalize().expect("canonical");
    let sources = SourceMap::default();
    let found = discover::discover(std::slice::from_ref(&root), None).expect("discover");
    let mut modules: ModuleSet = HashMap::new();
    for dir in &found.modules {
        let (module, _problems) = module::load(dir, &sources, Limits::default());
        modules.insert(dir.dir.clone(), Arc::new(module));
    }
    let Some(root_module) = modules.get(&root).cloned() else {
        return "(no module)".to_owned();
    };
    let downloads = Downloads::none();
    let cli = CliVariables::default();
    let ev = Evaluator::new(&modules, &downloads, &cli, Budget::default(), root_module);
    let value = ev.local(ev.root(), "result").to_string();
    let _ = ev.finish();
    value
}

const FUNCTIONS: &[&str] = &[
    "length",
    "upper",
    "lower",
    "tostring",
    "tonumber",
    "keys",
    "values",
    "jsonencode",
    "jsondecode",
    "coalesce",
    "concat",
    "merge",
    "flatten",
    "distinct",
    "sort",
    "reverse",
    "compact",
    "one",
    "try",
    "can",
    "lookup",
    "element",
    "contains",
    "join",
    "split",
    "replace",
    "substr",
    "format",
    "min",
    "max",
    "sum",
    "abs",
    "ceil",
    "floor",
    "range",
    "zipmap",
    "toset",
    "tolist",
    "tomap",
    "trimspace",
];

/// HCL expressions over the module's locals and variables, nested a few levels.
fn expression() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        any::<bool>().prop_map(|b| b.to_string()),
        (-1000i64..1000).prop_map(|n| n.to_string()),
        "[a-z0-9 ]{0,8}".prop_map(|s| format!("\"{s}\"")),
        Just("local.m".to_owned()),
        Just("local.l".to_owned()),
        Just("local.m.a".to_owned()),
        Just("local.missing".to_owned()),
        Just("var.v".to_owned()),
        Just("var.unset".to_owned()),
        Just("data.x.y.z".to_owned()),
        Just("azurerm_cognitive_account.a.id".to_owned()),
        Just("azurerm_cognitive_account.a.location".to_owned()),
    ];
    leaf.prop_recursive(4, 48, 4, |inner| {
        prop_oneof![
            (
                inner.clone(),
                prop::sample::select(vec!["+", "-", "*", "/", "%", "==", "!=", "<", ">=", "&&", "||"]),
                inner.clone()
            )
                .prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            (inner.clone(), inner.clone(), inner.clone()).prop_map(|(c, a, b)| format!("({c} ? {a} : {b})")),
            (
                prop::sample::select(FUNCTIONS),
                prop::collection::vec(inner.clone(), 0..3)
            )
                .prop_map(|(f, args)| format!("{f}({})", args.join(", "))),
            prop::collection::vec(inner.clone(), 0..4).prop_map(|items| format!("[{}]", items.join(", "))),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|items| {
                let entries: Vec<String> = items.iter().enumerate().map(|(i, v)| format!("k{i} = {v}")).collect();
                format!("{{ {} }}", entries.join(", "))
            }),
            inner.clone().prop_map(|e| format!("\"x${{{e}}}y\"")),
            (inner.clone(), inner.clone()).prop_map(|(c, v)| format!("[for k, v in {c} : {v}]")),
            inner.clone().prop_map(|e| format!("{e}[0]")),
            inner.clone().prop_map(|e| format!("{e}.a")),
            inner.clone().prop_map(|e| format!("!{e}")),
            inner.prop_map(|e| format!("-{e}")),
        ]
    })
}

fn module(result: &str) -> String {
    format!(
        "variable \"v\" {{\n  default = \"d\"\n}}\nvariable \"unset\" {{}}\nresource \"azurerm_cognitive_account\" \"a\" {{\n  location = \"eastus2\"\n}}\nlocals {{\n  result = {result}\n  m = {{ a = 1, b = \"two\" }}\n  l = [\"x\", \"y\"]\n}}\n"
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn evaluation_never_panics_and_gives_the_same_answer_twice(e in expression()) {
        let text = module(&e);
        let first = evaluate(&text);
        prop_assert_eq!(first, evaluate(&text), "{}", e);
    }

    #[test]
    fn an_unknown_operand_makes_arithmetic_and_templates_unknown(
        e in expression(),
        op in prop::sample::select(vec!["+", "-", "*", "/"]),
        template in any::<bool>(),
    ) {
        // `data.x.y.z` is never known statically; the other side may be anything.
        let strict = if template {
            format!("\"${{data.x.y.z}}-${{{e}}}\"")
        } else {
            format!("(data.x.y.z {op} ({e}))")
        };
        prop_assert_eq!(evaluate(&module(&strict)), "(unknown)", "{}", strict);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let value = evaluate(&format!("locals {{\n  result = {text}\n}}\n"));
        prop_assert!(!value.is_empty());
    }
}
