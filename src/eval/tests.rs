//! The evaluator on whole modules: precedence, Unknown propagation, cycles, bounds, and
//! every supported function.

use std::collections::HashMap;
use std::sync::Arc;

use super::downloads::Downloads;
use super::module::{self, VarValue};
use super::value::Val;
use super::{Budget, CliVariables, Evaluator, InstanceKey, ModuleSet};
use crate::discover;
use crate::parse::Limits;
use crate::source::{SourceMap, Span};

struct Fixture {
    _dir: tempfile::TempDir,
    modules: ModuleSet,
    root: std::path::PathBuf,
}

fn fixture(files: &[(&str, &str)]) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let root = dir.path().canonicalize().unwrap();
    let sources = SourceMap::default();
    let found = discover::discover(std::slice::from_ref(&root), None).unwrap();
    let mut modules: ModuleSet = HashMap::new();
    for dir in &found.modules {
        let (module, problems) = module::load(dir, &sources, Limits::default());
        assert!(problems.is_empty(), "{problems:?}");
        modules.insert(dir.dir.clone(), Arc::new(module));
    }
    Fixture {
        _dir: dir,
        modules,
        root,
    }
}

/// `local.result` of the root module, as Terraform would print it, and the AOAI005 count.
fn eval_with(files: &[(&str, &str)], cli: &CliVariables, budget: Budget) -> (String, usize) {
    let f = fixture(files);
    let downloads = Downloads::none();
    let ev = Evaluator::new(&f.modules, &downloads, cli, budget, Arc::clone(&f.modules[&f.root]));
    let value = ev.local(ev.root(), "result");
    let (problems, _, _) = ev.finish();
    (value.to_string(), problems.len())
}

fn eval(main_tf: &str) -> String {
    eval_with(&[("main.tf", main_tf)], &CliVariables::default(), Budget::default()).0
}

/// `local.result = <expr>` evaluated on its own.
fn expr(expr: &str) -> String {
    eval(&format!(
        "locals {{\n  result = {expr}\n  m = {{ a = 1, b = \"two\" }}\n  l = [\"x\", \"y\"]\n}}\n"
    ))
}

fn cli_var(name: &str, value: &str) -> (String, VarValue) {
    let span = Span::new(crate::source::FileId(0), 0..0);
    (name.to_owned(), VarValue::Given(Val::string(value), span))
}

const VARIABLE: &str = "variable \"v\" {\n  default = \"default\"\n}\nlocals {\n  result = var.v\n}\n";

#[test]
fn variable_precedence_matches_terraform() {
    let none = CliVariables::default();
    let run = |files: &[(&str, &str)], cli: &CliVariables| eval_with(files, cli, Budget::default()).0;
    assert_eq!(run(&[("main.tf", VARIABLE)], &none), "\"default\"");
    let tfvars = [("main.tf", VARIABLE), ("terraform.tfvars", "v = \"tfvars\"\n")];
    assert_eq!(run(&tfvars, &none), "\"tfvars\"");
    let json = [
        ("main.tf", VARIABLE),
        ("terraform.tfvars", "v = \"tfvars\"\n"),
        ("terraform.tfvars.json", "{\"v\": \"tfvars.json\"}"),
    ];
    assert_eq!(run(&json, &none), "\"tfvars.json\"");
    let auto = [
        ("main.tf", VARIABLE),
        ("terraform.tfvars", "v = \"tfvars\"\n"),
        ("b.auto.tfvars", "v = \"b.auto\"\n"),
        ("a.auto.tfvars", "v = \"a.auto\"\n"),
    ];
    assert_eq!(run(&auto, &none), "\"b.auto\"");
    let cli = CliVariables {
        values: vec![cli_var("v", "var-file"), cli_var("v", "cli")],
        var_file_given: true,
        ..CliVariables::default()
    };
    assert_eq!(run(&auto, &cli), "\"cli\"");
    let environment = CliVariables {
        environment: vec![cli_var("v", "environment")],
        ..CliVariables::default()
    };
    assert_eq!(run(&[("main.tf", VARIABLE)], &environment), "\"environment\"");
    assert_eq!(run(&tfvars, &environment), "\"tfvars\"");
}

#[test]
fn a_file_used_only_with_var_file_makes_the_value_unknown() {
    let files = [("main.tf", VARIABLE), ("prod.tfvars", "v = \"prod\"\n")];
    assert_eq!(
        eval_with(&files, &CliVariables::default(), Budget::default()).0,
        "(unknown)"
    );
    let chosen = CliVariables {
        var_file_given: true,
        ..CliVariables::default()
    };
    assert_eq!(eval_with(&files, &chosen, Budget::default()).0, "\"default\"");
}

#[test]
fn a_null_for_a_variable_that_is_not_nullable_takes_the_default() {
    let run = |main: &str| {
        let files = [("main.tf", main), ("terraform.tfvars", "v = null\n")];
        eval_with(&files, &CliVariables::default(), Budget::default()).0
    };
    let strict = VARIABLE.replace("default = \"default\"", "default  = \"default\"\n  nullable = false");
    assert_eq!(run(&strict), "\"default\"");
    assert_eq!(run(VARIABLE), "null", "a nullable variable keeps the null");
}

#[test]
fn a_variable_without_a_value_is_unknown() {
    assert_eq!(eval("variable \"v\" {}\nlocals {\n  result = var.v\n}\n"), "(unknown)");
}

#[test]
fn locals_resolve_in_any_order() {
    assert_eq!(
        eval("locals {\n  result = local.b\n}\nlocals {\n  b = \"${local.c}-b\"\n  c = \"c\"\n}\n"),
        "\"c-b\""
    );
}

#[test]
fn unknown_propagates_through_every_operation() {
    for e in [
        "upper(data.a.b.c)",
        "\"${data.a.b.c}-x\"",
        "data.a.b.c + 1",
        "[for x in data.a.b : x]",
        "data.a.b.c ? \"x\" : \"y\"",
        "data.a.b.c == \"x\"",
        "!data.a.b.c",
        "merge(local.m, data.a.b)",
        "lookup(data.a.b, \"k\", \"d\")",
        "length(data.a.b)",
        "unknownfn(1)",
        "timestamp()",
        "try(data.a.b.c, \"fallback\")",
        "can(data.a.b.c)",
        "path.module",
        "terraform.workspace",
        "azurerm_cognitive_account.nope.location",
        "var.undeclared",
        "local.undeclared",
    ] {
        assert_eq!(expr(e), "(unknown)", "{e}");
    }
}

#[test]
fn unknown_parts_do_not_hide_what_is_known() {
    assert_eq!(expr("data.a.b.c ? \"same\" : \"same\""), "\"same\"");
    assert_eq!(expr("false && data.a.b.c"), "false");
    assert_eq!(expr("true || data.a.b.c"), "true");
    assert_eq!(expr("length([data.a.b.c, 1])"), "2");
    assert_eq!(expr("[data.a.b.c, 1][1]"), "1");
}

#[test]
fn cycles_are_reported_and_unknown() {
    let (value, problems) = eval_with(
        &[(
            "main.tf",
            "locals {\n  result = local.a\n  a = local.b\n  b = local.a\n}\n",
        )],
        &CliVariables::default(),
        Budget::default(),
    );
    assert_eq!(value, "(unknown)");
    assert_eq!(problems, 1);
}

#[test]
fn bounds_stop_evaluation_with_a_report() {
    // A chain of locals deeper than the depth bound.
    let mut chain = String::from("locals {\n  result = local.l0\n");
    for i in 0..300 {
        chain.push_str(&format!("  l{i} = local.l{}\n", i + 1));
    }
    chain.push_str("  l300 = \"end\"\n}\n");
    let (value, problems) = eval_with(&[("main.tf", &chain)], &CliVariables::default(), Budget::default());
    assert_eq!((value.as_str(), problems), ("(unknown)", 1));

    let small = Budget {
        max_steps: 50,
        ..Budget::default()
    };
    let (value, problems) = eval_with(
        &[("main.tf", "locals {\n  result = [for i in range(100) : i * 2]\n}\n")],
        &CliVariables::default(),
        small,
    );
    assert_eq!((value.contains("(unknown)"), problems), (true, 1));

    let (value, problems) = eval_with(
        &[("main.tf", "locals {\n  result = range(200000)\n}\n")],
        &CliVariables::default(),
        Budget::default(),
    );
    assert_eq!((value.as_str(), problems), ("(unknown)", 1));
}

#[test]
fn for_each_over_too_many_keys_is_reported() {
    let f = fixture(&[(
        "main.tf",
        "resource \"azurerm_cognitive_account\" \"a\" {\n  for_each = toset([for i in range(20000) : tostring(i)])\n  kind = \"OpenAI\"\n}\nlocals {\n  result = azurerm_cognitive_account.a\n}\n",
    )]);
    let cli = CliVariables::default();
    let downloads = Downloads::none();
    let ev = Evaluator::new(
        &f.modules,
        &downloads,
        &cli,
        Budget::default(),
        Arc::clone(&f.modules[&f.root]),
    );
    assert_eq!(ev.local(ev.root(), "result").to_string(), "(unknown)");
    let (problems, _, _) = ev.finish();
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].message.contains("20000 instances"),
        "{}",
        problems[0].message
    );
}

#[test]
fn try_and_can_tell_errors_from_unknowns() {
    assert_eq!(expr("try(local.m.missing, \"fallback\")"), "\"fallback\"");
    assert_eq!(expr("try(local.m.a, \"fallback\")"), "1");
    assert_eq!(expr("can(local.m.missing)"), "false");
    assert_eq!(expr("can(local.m.a)"), "true");
    assert_eq!(expr("try(local.l[5], \"fallback\")"), "\"fallback\"");
    // Operators reject null and unconvertible operands, as Terraform does.
    assert_eq!(expr("try(!null, false)"), "false");
    assert_eq!(expr("try(-\"abc\", 0)"), "0");
    assert_eq!(expr("try(!data.a.b.c, false)"), "(unknown)");
    // With optional attributes in the type, Terraform fills in what is missing (`terraform
    // console` prints "x" for var.v.a); with a type the evaluator does not model, a missing
    // key stays unknown.
    let typed = "variable \"v\" {\n  type = object({ a = optional(string, \"x\") })\n  default = {}\n}\nlocals {\n  result = try(var.v.a, \"fallback\")\n}\n";
    assert_eq!(eval(typed), "\"x\"");
    let unmodelled = typed.replace("optional(string, \"x\")", "optional(string, \"x\", 3)");
    assert_eq!(eval(&unmodelled), "(unknown)");
}

#[test]
fn expressions() {
    for (e, want) in [
        ("\"a-${local.m.b}-${1 + 2}\"", "\"a-two-3\""),
        ("local.m[\"a\"] * 4 - 1", "3"),
        ("7 % 3", "1"),
        ("10 / 4", "2.5"),
        ("1 / 0", "(unknown)"),
        ("-local.m.a", "-1"),
        ("1 < 2 && 2 >= 2 && 3 > 2 && 1 <= 1", "true"),
        ("\"a\" != \"b\"", "true"),
        ("local.l[0] == \"x\" ? \"yes\" : \"no\"", "\"yes\""),
        ("[for s in local.l : upper(s)]", "[\"X\", \"Y\"]"),
        ("{ for k, v in local.m : k => v if k == \"a\" }", "{a = 1}"),
        (
            "{ for s in [\"a\", \"b\", \"a\"] : s => s... }",
            "{a = [\"a\", \"a\"], b = [\"b\"]}",
        ),
        ("[for i, s in local.l : \"${i}${s}\"]", "[\"0x\", \"1y\"]"),
        ("[{ n = 1 }, { n = 2 }][*].n", "[1, 2]"),
        ("local.l.0", "\"x\""),
        ("<<EOT\nhello ${local.l[1]}\nEOT", "\"hello y\\n\""),
        ("\"%{if true}x%{endif}\"", "(unknown)"),
        ("null", "null"),
    ] {
        assert_eq!(expr(e), want, "{e}");
    }
}

#[test]
fn every_supported_function() {
    for (e, want) in [
        ("lower(\"AbC\")", "\"abc\""),
        ("upper(\"abc\")", "\"ABC\""),
        ("title(\"hello world\")", "\"Hello World\""),
        ("trimspace(\"  a \")", "\"a\""),
        ("trim(\"--a--\", \"-\")", "\"a\""),
        ("trimprefix(\"oai-x\", \"oai-\")", "\"x\""),
        ("trimsuffix(\"x.tf\", \".tf\")", "\"x\""),
        ("startswith(\"eastus2\", \"east\")", "true"),
        ("endswith(\"eastus2\", \"2\")", "true"),
        ("strcontains(\"eastus2\", \"stu\")", "true"),
        ("tostring(5)", "\"5\""),
        ("tonumber(\"5\")", "5"),
        ("tobool(\"true\")", "true"),
        ("split(\",\", \"a,b\")", "[\"a\", \"b\"]"),
        ("join(\"-\", [\"a\", \"b\"], [\"c\"])", "\"a-b-c\""),
        ("replace(\"a-b-c\", \"-\", \"_\")", "\"a_b_c\""),
        ("replace(\"abc\", \"/b/\", \"x\")", "(unknown)"),
        ("substr(\"eastus2\", 0, 4)", "\"east\""),
        ("substr(\"eastus2\", -1, -1)", "\"2\""),
        // Hostile lengths and offsets saturate instead of overflowing.
        ("substr(\"eastus\", 1, 1e300)", "\"astus\""),
        ("substr(\"eastus\", -1e300, 2)", "(unknown)"),
        ("format(\"%s-%d-%v%%\", \"oai\", 3, true)", "\"oai-3-true%\""),
        ("format(\"%q\", \"x\")", "\"\\\"x\\\"\""),
        ("format(\"%5s\", \"x\")", "(unknown)"),
        ("abs(-2)", "2"),
        ("ceil(1.2)", "2"),
        ("floor(1.8)", "1"),
        ("coalesce(null, \"\", \"a\")", "\"a\""),
        ("coalescelist([], [\"a\"])", "[\"a\"]"),
        ("length(\"héllo\")", "5"),
        ("length(local.m)", "2"),
        ("lookup(local.m, \"a\")", "1"),
        ("lookup(local.m, \"z\", \"d\")", "\"d\""),
        ("lookup(local.m, \"z\")", "(unknown)"),
        ("element(local.l, 3)", "\"y\""),
        ("keys(local.m)", "[\"a\", \"b\"]"),
        ("values(local.m)", "[1, \"two\"]"),
        ("contains(local.l, \"y\")", "true"),
        ("concat(local.l, [\"z\"])", "[\"x\", \"y\", \"z\"]"),
        ("merge(local.m, { a = 9 }, null)", "{a = 9, b = \"two\"}"),
        ("tomap({ a = \"1\" })", "{a = \"1\"}"),
        ("toset([\"b\", \"a\", \"b\"])", "[\"a\", \"b\"]"),
        ("tolist(toset([\"b\", \"a\"]))", "[\"a\", \"b\"]"),
        ("distinct([\"b\", \"a\", \"b\"])", "[\"b\", \"a\"]"),
        ("flatten([[\"a\"], [[\"b\"]], \"c\"])", "[\"a\", \"b\", \"c\"]"),
        ("compact([\"a\", \"\", null])", "[\"a\"]"),
        ("zipmap([\"a\", \"b\"], [1, 2])", "{a = 1, b = 2}"),
        ("reverse(local.l)", "[\"y\", \"x\"]"),
        ("sort([\"b\", \"a\"])", "[\"a\", \"b\"]"),
        ("one([\"a\"])", "\"a\""),
        ("one([])", "null"),
        ("slice([\"a\", \"b\", \"c\"], 1, 3)", "[\"b\", \"c\"]"),
        ("range(3)", "[0, 1, 2]"),
        ("range(1, 7, 3)", "[1, 4]"),
        ("alltrue([true, \"true\"])", "true"),
        ("anytrue([false, true])", "true"),
        ("index(local.l, \"y\")", "1"),
        ("sum([1, 2, 3])", "6"),
        ("max(1, 5, 3)", "5"),
        ("min(4, 2)", "2"),
        (
            "jsonencode({ a = [1, 1.5, \"x\"] })",
            "\"{\\\"a\\\":[1,1.5,\\\"x\\\"]}\"",
        ),
        ("jsondecode(\"{\\\"a\\\": [1, true]}\")", "{a = [1, true]}"),
        ("concat(local.l, data.a.b)", "(unknown)"),
        ("max(local.l...)", "(unknown)"),
        ("max([3, 9]...)", "9"),
    ] {
        assert_eq!(expr(e), want, "{e}");
    }
}

#[test]
fn resource_attributes_resolve_and_computed_ones_link() {
    let main = "resource \"azurerm_resource_group\" \"rg\" {\n  name = \"rg\"\n  location = \"eastus2\"\n}\nresource \"azurerm_x\" \"many\" {\n  for_each = { a = \"westus\" }\n  location = each.value\n}\nlocals {\n  result = [azurerm_resource_group.rg.location, azurerm_x.many[\"a\"].location, azurerm_resource_group.rg.id, azurerm_x.many[\"a\"].id]\n}\n";
    assert_eq!(eval(main), "[\"eastus2\", \"westus\", (unknown), (unknown)]");
}

#[test]
fn one_attribute_of_a_resource_is_evaluated_on_its_own() {
    let run = |main: &str| eval_with(&[("main.tf", main)], &CliVariables::default(), Budget::default());
    // Reading `name` leaves `tags`, and the limit it would hit, alone; the whole object
    // (`[for k, v in ...]` needs it) evaluates every attribute.
    let resource = "resource \"azurerm_resource_group\" \"rg\" {\n  name = \"rg\"\n  tags = { n = length(range(100001)) }\n  network_rules {\n    default_action = \"Deny\"\n  }\n}\n";
    let one = format!("{resource}locals {{\n  result = azurerm_resource_group.rg.name\n}}\n");
    assert_eq!(run(&one), ("\"rg\"".to_owned(), 0));
    let whole = format!("{resource}locals {{\n  result = [for k, v in azurerm_resource_group.rg : k]\n}}\n");
    assert_eq!(run(&whole), ("[\"name\", \"network_rules\", \"tags\"]".to_owned(), 1));
    // A nested block reads as a list of objects either way; a meta-argument is not an attribute.
    let block = format!(
        "{resource}locals {{\n  result = [azurerm_resource_group.rg.network_rules[0].default_action, [for k, v in azurerm_resource_group.rg : v if k == \"network_rules\"][0][0].default_action]\n}}\n"
    );
    assert_eq!(run(&block).0, "[\"Deny\", \"Deny\"]");
    let meta = "resource \"azurerm_x\" \"a\" {\n  depends_on = [azurerm_x.b]\n}\nlocals {\n  result = azurerm_x.a.depends_on\n}\n";
    assert_eq!(run(meta), ("(unknown)".to_owned(), 0));
}

#[test]
fn a_resource_that_refers_to_itself_is_a_cycle() {
    // Through another attribute, as when the whole object is built: Terraform rejects any
    // reference from a resource back into itself.
    let main = "resource \"azurerm_x\" \"a\" {\n  name = \"a\"\n  tags = { n = azurerm_x.a.name }\n}\nlocals {\n  result = azurerm_x.a.tags\n}\n";
    let (value, problems) = eval_with(&[("main.tf", main)], &CliVariables::default(), Budget::default());
    assert_eq!((value.as_str(), problems), ("{n = (unknown)}", 1));
}

#[test]
fn module_outputs_resolve_per_instance() {
    let files = [
        (
            "main.tf",
            "module \"m\" {\n  source = \"./mod\"\n  for_each = toset([\"a\", \"b\"])\n  name = \"n-${each.key}\"\n}\nlocals {\n  result = [module.m[\"a\"].out, module.m[\"b\"].out]\n}\n",
        ),
        (
            "mod/main.tf",
            "variable \"name\" {}\noutput \"out\" {\n  value = upper(var.name)\n}\n",
        ),
    ];
    assert_eq!(
        eval_with(&files, &CliVariables::default(), Budget::default()).0,
        "[\"N-A\", \"N-B\"]"
    );
}

#[test]
fn a_module_calling_itself_stops_at_the_depth_bound() {
    let main = "module \"again\" {\n  source = \"./\"\n}\noutput \"o\" {\n  value = module.again.o\n}\nlocals {\n  result = module.again.o\n}\n";
    let (value, problems) = eval_with(&[("main.tf", main)], &CliVariables::default(), Budget::default());
    assert_eq!(value, "(unknown)");
    assert_eq!(problems, 1);
}

proptest::proptest! {
    /// A `for_each` key is written as Terraform quotes it (Rust's `Debug` of the string, as
    /// before the plain-text path): plain keys, quotes, backslashes, controls and any text.
    #[test]
    fn instance_keys_are_written_as_debug_quotes_them(key in "[a-z0-9 '\"\\\\\t\n~-]{0,12}|(?s).{0,12}") {
        proptest::prop_assert_eq!(InstanceKey::Key(key.clone()).to_string(), format!("[{key:?}]"));
    }
}
