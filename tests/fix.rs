//! `--fix`, `--unsafe-fixes` and `--diff` through the binary, on copies of fixtures: what
//! each fix writes (pinned), that a second run changes nothing, that the report after fixing
//! is the report of the fixed files, and that nothing outside the scanned paths is written.

use std::path::Path;
use std::process::{Command, Output};

fn aoai_lint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aoai-lint"))
        .args(["--no-color", "--as-of", "2026-12-03"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn write(dir: &Path, files: &[(&str, &[u8])]) {
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap()
}

const SCALE: &str = include_str!("../fixtures/fix-scale-block/main.tf");

#[test]
fn the_3x_scale_block_becomes_the_4x_sku_block_once() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[("main.tf", SCALE.as_bytes())]);
    // --diff shows it, writes nothing, and says there is something to fix.
    let diff = aoai_lint(dir.path(), &["--diff", "."]);
    assert_eq!(diff.status.code(), Some(1), "{}", String::from_utf8_lossy(&diff.stderr));
    assert_eq!(read(dir.path(), "main.tf"), SCALE.as_bytes());
    insta::assert_snapshot!("scale_block_diff", String::from_utf8_lossy(&diff.stdout));
    // --fix writes it and reports what is left: the same as linting the fixed file.
    let fixed = aoai_lint(dir.path(), &["--fix", "--format", "compact", "."]);
    let text = String::from_utf8(read(dir.path(), "main.tf")).unwrap();
    insta::assert_snapshot!("scale_block_fixed", text);
    let after = aoai_lint(dir.path(), &["--format", "compact", "."]);
    assert_eq!(fixed.stdout, after.stdout);
    assert_eq!(fixed.status.code(), after.status.code());
    assert!(!String::from_utf8_lossy(&after.stdout).contains("AOAI304"));
    // A second --fix changes nothing, and --diff has nothing to say.
    aoai_lint(dir.path(), &["--fix", "."]);
    assert_eq!(String::from_utf8(read(dir.path(), "main.tf")).unwrap(), text);
    assert_eq!(aoai_lint(dir.path(), &["--diff", "."]).status.code(), Some(0));
    // What `terraform fmt` would leave, where terraform is installed.
    if let Ok(fmt) = Command::new("terraform")
        .args(["fmt", "-check", "main.tf"])
        .current_dir(dir.path())
        .output()
    {
        assert!(fmt.status.success(), "{}", String::from_utf8_lossy(&fmt.stdout));
    }
}

#[test]
fn line_endings_and_a_byte_order_mark_survive() {
    let dir = tempfile::tempdir().unwrap();
    let crlf = format!("\u{feff}{}", SCALE.replace('\n', "\r\n"));
    write(dir.path(), &[("main.tf", crlf.as_bytes())]);
    aoai_lint(dir.path(), &["--fix", "."]);
    let fixed = String::from_utf8(read(dir.path(), "main.tf")).unwrap();
    let expected = crlf
        .replace("  scale {", "  sku {")
        .replace("    type     =", "    name     =");
    assert_eq!(fixed, expected);
}

const ACCOUNT: &str = "resource \"azurerm_cognitive_account\" \"a\" {\n  name     = \"a\"\n  kind     = \"OpenAI\"\n  sku_name = \"S0\"\n  location = LOCATION\n}\n";

#[test]
fn a_misspelt_region_is_fixed_where_it_is_written_and_only_as_an_unsafe_fix() {
    let dir = tempfile::tempdir().unwrap();
    let main = ACCOUNT.replace("LOCATION", "var.region");
    let variables = "variable \"region\" {\n  default = \"swedencentrl\" # the team's region\n}\n";
    write(
        dir.path(),
        &[("main.tf", main.as_bytes()), ("variables.tf", variables.as_bytes())],
    );
    // One near name (`westeurop` has two, `westeurope` and `westus`, and gets no fix). Safe
    // fixes only: the region moves the account, so it is not one of them.
    aoai_lint(dir.path(), &["--fix", "."]);
    assert_eq!(read(dir.path(), "variables.tf"), variables.as_bytes());
    let fixed = aoai_lint(dir.path(), &["--fix", "--unsafe-fixes", "--format", "compact", "."]);
    assert!(
        !String::from_utf8_lossy(&fixed.stdout).contains("AOAI104"),
        "{}",
        String::from_utf8_lossy(&fixed.stdout)
    );
    // The variable's default, not the resource, and the comment stays.
    assert_eq!(read(dir.path(), "main.tf"), main.as_bytes());
    assert_eq!(
        String::from_utf8(read(dir.path(), "variables.tf")).unwrap(),
        "variable \"region\" {\n  default = \"swedencentral\" # the team's region\n}\n"
    );
    // Through a tfvars file: the tfvars line.
    let dir = tempfile::tempdir().unwrap();
    let variables = "variable \"region\" {}\n";
    write(
        dir.path(),
        &[
            ("main.tf", main.as_bytes()),
            ("variables.tf", variables.as_bytes()),
            ("terraform.tfvars", b"region = \"swedencentrl\"\n"),
        ],
    );
    aoai_lint(dir.path(), &["--fix", "--unsafe-fixes", "."]);
    assert_eq!(read(dir.path(), "terraform.tfvars"), b"region = \"swedencentral\"\n");
    assert_eq!(read(dir.path(), "variables.tf"), variables.as_bytes());
}

#[test]
fn a_value_shared_by_instances_is_fixed_once_and_nothing_outside_the_scanned_paths() {
    let dir = tempfile::tempdir().unwrap();
    let shared = "locals {\n  region = \"swedencentrl\"\n}\nresource \"azurerm_cognitive_account\" \"a\" {\n  for_each = toset([\"x\", \"y\"])\n  name     = each.key\n  kind     = \"OpenAI\"\n  sku_name = \"S0\"\n  location = local.region\n}\n";
    write(dir.path(), &[("main.tf", shared.as_bytes())]);
    aoai_lint(dir.path(), &["--fix", "--unsafe-fixes", "."]);
    assert_eq!(
        String::from_utf8(read(dir.path(), "main.tf")).unwrap(),
        shared.replace("\"swedencentrl\"", "\"swedencentral\"")
    );
    // The module is outside the scanned folder: its file is reported, never written.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    let module = ACCOUNT.replace("LOCATION", "\"swedencentrl\"");
    write(
        dir.path(),
        &[
            ("modules/oai/main.tf", module.as_bytes()),
            ("live/main.tf", b"module \"oai\" {\n  source = \"../modules/oai\"\n}\n"),
        ],
    );
    let run = aoai_lint(&dir.path().join("live"), &["--fix", "--unsafe-fixes", "."]);
    assert_eq!(read(dir.path(), "modules/oai/main.tf"), module.as_bytes());
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("is outside the scanned paths; not changed"),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn json_carries_each_finding_s_fix() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[("main.tf", SCALE.as_bytes())]);
    let output = aoai_lint(dir.path(), &["--format", "json", "."]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let fixed = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "AOAI304")
        .unwrap();
    assert_eq!(fixed["fix"]["safety"], "safe");
    let edits: Vec<(u64, u64, &str)> = fixed["fix"]["edits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["column"].as_u64().unwrap(),
                e["replacement"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(edits, [(21, 3, "sku"), (22, 5, "name")]);
}

#[test]
fn a_misspelt_model_and_keys_left_on_are_unsafe_fixes() {
    let dir = tempfile::tempdir().unwrap();
    let main = "resource \"azurerm_cognitive_account\" \"a\" {\n  name               = \"a\"\n  kind               = \"OpenAI\"\n  sku_name           = \"S0\"\n  location           = \"swedencentral\"\n  local_auth_enabled = true\n}\n\
        resource \"azurerm_cognitive_deployment\" \"d\" {\n  name                 = \"d\"\n  cognitive_account_id = azurerm_cognitive_account.a.id\n  model {\n    format  = \"OpenAI\"\n    name    = \"gtp-4o\"\n    version = \"2024-11-20\"\n  }\n  sku {\n    name     = \"GlobalStandard\"\n    capacity = 10\n  }\n}\n";
    write(dir.path(), &[("main.tf", main.as_bytes())]);
    let before = aoai_lint(dir.path(), &["--format", "compact", "."]);
    let before = String::from_utf8_lossy(&before.stdout).into_owned();
    assert!(
        before.contains("error[AOAI301]") && before.contains("warning[AOAI502]"),
        "{before}"
    );
    aoai_lint(dir.path(), &["--fix", "--unsafe-fixes", "."]);
    let fixed = String::from_utf8(read(dir.path(), "main.tf")).unwrap();
    assert_eq!(
        fixed,
        main.replace("\"gtp-4o\"", "\"gpt-4o\"")
            .replace("local_auth_enabled = true", "local_auth_enabled = false")
    );
}

#[test]
fn sarif_carries_each_fix_as_artifact_changes() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), &[("main.tf", SCALE.as_bytes())]);
    let output = aoai_lint(dir.path(), &["--format", "sarif", "."]);
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let result = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "AOAI304")
        .unwrap();
    let fix = &result["fixes"][0];
    assert_eq!(
        fix["description"]["text"],
        "rename the `scale` block to `sku` and its `type` to `name`"
    );
    let inserted: Vec<&str> = fix["artifactChanges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["replacements"][0]["insertedContent"]["text"].as_str().unwrap())
        .collect();
    assert_eq!(inserted, ["sku", "name"]);
    assert_eq!(
        fix["artifactChanges"][0]["replacements"][0]["deletedRegion"]["startLine"],
        21
    );
}

#[test]
fn a_value_passed_to_a_module_is_fixed_in_the_module_call() {
    let dir = tempfile::tempdir().unwrap();
    let module = ACCOUNT.replace("LOCATION", "var.location") + "variable \"location\" {}\n";
    let call = "module \"oai\" {\n  source   = \"./modules/oai\"\n  location = \"swedencentrl\"\n}\n";
    write(
        dir.path(),
        &[("main.tf", call.as_bytes()), ("modules/oai/main.tf", module.as_bytes())],
    );
    aoai_lint(dir.path(), &["--fix", "--unsafe-fixes", "."]);
    assert_eq!(
        String::from_utf8(read(dir.path(), "main.tf")).unwrap(),
        call.replace("swedencentrl", "swedencentral")
    );
    assert_eq!(read(dir.path(), "modules/oai/main.tf"), module.as_bytes());
}
