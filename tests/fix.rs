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

const SCALE: &str = include_str!("../fixtures/fix/aoai304-scale-block/main.tf");

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

const ACCOUNT: &str = "resource \"azurerm_cognitive_account\" \"a\" {\n  name               = \"a\"\n  kind               = \"OpenAI\"\n  sku_name           = \"S0\"\n  location           = LOCATION\n  local_auth_enabled = false\n}\n";

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
    let shared = "locals {\n  region = \"swedencentrl\"\n}\nresource \"azurerm_cognitive_account\" \"a\" {\n  for_each           = toset([\"x\", \"y\"])\n  name               = each.key\n  kind               = \"OpenAI\"\n  sku_name           = \"S0\"\n  location           = local.region\n  local_auth_enabled = false\n}\n";
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
    let fixed = first_finding(dir.path(), "AOAI304");
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
        resource \"azurerm_cognitive_deployment\" \"d\" {\n  name                   = \"d\"\n  cognitive_account_id   = azurerm_cognitive_account.a.id\n  version_upgrade_option = \"NoAutoUpgrade\"\n  model {\n    format  = \"OpenAI\"\n    name    = \"gtp-4o\"\n    version = \"2024-11-20\"\n  }\n  sku {\n    name     = \"GlobalStandard\"\n    capacity = 10\n  }\n}\n";
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

/// Every fix's fixture pair: the fixture in `fixtures/fix/` is the before, the snapshot
/// `fix__pair_<case>` the after. Each fixture holds one fixable finding's kind.
const PAIRS: &[(&str, &str, Safety)] = &[
    ("aoai104-region-in-a-default", "AOAI104", Safety::Unsafe),
    ("aoai104-region-in-tfvars", "AOAI104", Safety::Unsafe),
    ("aoai106-display-name", "AOAI106", Safety::Safe),
    ("aoai301-misspelt-model", "AOAI301", Safety::Unsafe),
    ("aoai302-retired-version", "AOAI302", Safety::Unsafe),
    ("aoai304-scale-block", "AOAI304", Safety::Safe),
    ("aoai306-upgrade-option-left-out", "AOAI306", Safety::Unsafe),
    ("aoai306-upgrade-option-written", "AOAI306", Safety::Unsafe),
    ("aoai402-ptu-rounding", "AOAI402", Safety::Unsafe),
    ("aoai403-capacity-default", "AOAI403", Safety::Safe),
    ("aoai502-keys-left-out", "AOAI502", Safety::Unsafe),
    ("aoai502-keys-through-a-module", "AOAI502", Safety::Unsafe),
];

#[derive(Clone, Copy, PartialEq, Debug)]
enum Safety {
    Safe,
    Unsafe,
}

/// Copies a fixture folder, nested folders and dot files included.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every file of a folder, by its path inside it, with its text.
fn texts(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in walk(dir) {
        let name = entry.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
        out.push((name, std::fs::read_to_string(&entry).unwrap()));
    }
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// The JSON report's diagnostics.
fn diagnostics(dir: &Path) -> Vec<serde_json::Value> {
    let output = aoai_lint(dir, &["--format", "json", "."]);
    let mut report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    match report["diagnostics"].take() {
        serde_json::Value::Array(diagnostics) => diagnostics,
        other => panic!("no diagnostics: {other}"),
    }
}

/// The first diagnostic of `rule` in the JSON report.
fn first_finding(dir: &Path, rule: &str) -> serde_json::Value {
    diagnostics(dir).into_iter().find(|d| d["rule"] == rule).unwrap()
}

/// The fixes the JSON report offers, as `RULE safety`.
fn offered(dir: &Path) -> Vec<String> {
    diagnostics(dir)
        .iter()
        .filter(|d| !d["fix"].is_null())
        .map(|d| {
            format!(
                "{} {}",
                d["rule"].as_str().unwrap(),
                d["fix"]["safety"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn every_fix_has_a_fixture_pair() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/fix");
    let mut listed: Vec<&str> = PAIRS.iter().map(|(case, _, _)| *case).collect();
    let mut found: Vec<String> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    listed.sort_unstable();
    found.sort();
    assert_eq!(listed, found, "every folder of fixtures/fix is a pair in PAIRS");
    for (case, rule, safety) in PAIRS {
        let dir = tempfile::tempdir().unwrap();
        copy_tree(&fixtures.join(case), dir.path());
        let before = texts(dir.path());
        // The fixture offers fixes of its rule only, as safe or unsafe as the rule says.
        let offered = offered(dir.path());
        let wanted = format!("{rule} {}", format!("{safety:?}").to_lowercase());
        assert!(
            !offered.is_empty() && offered.iter().all(|o| *o == wanted),
            "{case}: {offered:?}"
        );
        // An unsafe fix is not applied by --fix alone.
        if *safety == Safety::Unsafe {
            aoai_lint(dir.path(), &["--fix", "."]);
            assert_eq!(texts(dir.path()), before, "{case}: --fix alone applies an unsafe fix");
        }
        let flags: &[&str] = match safety {
            Safety::Safe => &["--fix", "--format", "compact", "."],
            Safety::Unsafe => &["--fix", "--unsafe-fixes", "--format", "compact", "."],
        };
        let fixed = aoai_lint(dir.path(), flags);
        let after = texts(dir.path());
        let changed: String = after
            .iter()
            .filter(|file| !before.contains(file))
            .map(|(name, text)| format!("=== {name}\n{text}"))
            .collect();
        insta::assert_snapshot!(format!("pair_{case}"), changed);
        // The finding is gone, the report is the fixed files' report, and a second --fix
        // changes nothing.
        let report = String::from_utf8_lossy(&fixed.stdout).into_owned();
        assert!(!report.contains(&format!("[{rule}]")), "{case}: {report}");
        assert_eq!(
            fixed.stdout,
            aoai_lint(dir.path(), &["--format", "compact", "."]).stdout
        );
        aoai_lint(dir.path(), &["--fix", "--unsafe-fixes", "."]);
        assert_eq!(texts(dir.path()), after, "{case}: a second --fix changed something");
        // What `terraform fmt` would leave, where terraform is installed.
        if let Ok(fmt) = Command::new("terraform")
            .args(["fmt", "-check", "-recursive", "."])
            .current_dir(dir.path())
            .output()
        {
            assert!(fmt.status.success(), "{case}: {}", String::from_utf8_lossy(&fmt.stdout));
        }
    }
}

const RETIRED_DEPLOYMENT: &str = "variable \"location\" {\n  type = string\n}\n\nresource \"azurerm_cognitive_account\" \"this\" {\n  name                  = \"x\"\n  location              = var.location\n  resource_group_name   = \"rg\"\n  kind                  = \"OpenAI\"\n  sku_name              = \"S0\"\n  custom_subdomain_name = \"x\"\n  local_auth_enabled    = false\n}\n\nresource \"azurerm_cognitive_deployment\" \"this\" {\n  name                   = \"d\"\n  cognitive_account_id   = azurerm_cognitive_account.this.id\n  version_upgrade_option = \"NoAutoUpgrade\"\n  model {\n    format  = \"OpenAI\"\n    name    = \"gpt-4\"\n    version = \"0125-preview\"\n  }\n  sku {\n    name     = \"Standard\"\n    capacity = 10\n  }\n}\n";

/// A fix is offered only where it changes nothing it does not fix: not where another
/// instance, another configuration or another resource reads the same written value and
/// would not want it, and not where the required provider lacks what it writes.
#[test]
fn a_fix_that_would_change_more_than_it_fixes_is_not_offered() {
    // (what, files, the fixes offered)
    let keys_var = "variable \"enable_keys\" {\n  type    = bool\n  default = true\n}\n\nresource \"azurerm_cognitive_account\" \"this\" {\n  name                  = \"x\"\n  location              = \"eastus2\"\n  kind                  = \"OpenAI\"\n  sku_name              = \"S0\"\n  custom_subdomain_name = \"x\"\n  local_auth_enabled    = var.enable_keys\n}\n";
    let storage = "resource \"azurerm_storage_account\" \"sa\" {\n  shared_access_key_enabled = var.enable_keys\n}\n";
    let old_azurerm = "terraform {\n  required_providers {\n    azurerm = {\n      source  = \"hashicorp/azurerm\"\n      version = \"3.56.0\"\n    }\n  }\n}\n";
    let unpinned = RETIRED_DEPLOYMENT
        .replace("  version_upgrade_option = \"NoAutoUpgrade\"\n", "")
        .replace("\"gpt-4\"", "\"gpt-4o\"")
        .replace("\"0125-preview\"", "\"2024-11-20\"")
        .replace("                   =", "                 =");
    let call = |name: &str, region: &str| {
        format!("module \"{name}\" {{\n  source   = \"../mod\"\n  location = \"{region}\"\n}}\n")
    };
    type Files = Vec<(String, String)>;
    let cases: Vec<(&str, Files, Vec<&str>)> = vec![
        (
            "keys off where the variable is read only by the account",
            vec![("main.tf".into(), keys_var.into())],
            vec!["AOAI502 unsafe"],
        ),
        (
            "not where a storage account reads the same variable",
            vec![
                ("main.tf".into(), keys_var.into()),
                ("storage.tf".into(), storage.into()),
            ],
            vec![],
        ),
        (
            "keys off through a field of an object read once",
            vec![(
                "main.tf".into(),
                keys_var
                    .replace("type    = bool\n  default = true", "default = { keys = true, storage = true }")
                    .replace("var.enable_keys", "var.enable_keys.keys"),
            )],
            vec!["AOAI502 unsafe"],
        ),
        (
            "keys off where another resource reads another field of the same object",
            vec![(
                "main.tf".into(),
                keys_var
                    .replace("type    = bool\n  default = true", "default = { keys = true, storage = true }")
                    .replace("var.enable_keys", "var.enable_keys.keys")
                    + &storage.replace("var.enable_keys", "var.enable_keys.storage"),
            )],
            vec!["AOAI502 unsafe"],
        ),
        (
            "not where another resource reads the same field",
            vec![(
                "main.tf".into(),
                keys_var
                    .replace("type    = bool\n  default = true", "default = { keys = true, storage = true }")
                    .replace("var.enable_keys", "var.enable_keys.keys")
                    + &storage.replace("var.enable_keys", "var.enable_keys[\"keys\"]"),
            )],
            vec![],
        ),
        (
            "nor where the value came through a for expression",
            vec![(
                "main.tf".into(),
                keys_var
                    .replace("type    = bool\n  default = true", "default = { keys = true }")
                    .replace("var.enable_keys", "local.copy.keys")
                    + "locals {\n  copy = { for k, v in var.enable_keys : k => v }\n}\n",
            )],
            vec![],
        ),
        (
            "nor where the module hands the whole account to another",
            vec![(
                "main.tf".into(),
                keys_var.replace("var.enable_keys\n", "true\n")
                    + "module \"app\" {\n  source  = \"./app\"\n  account = azurerm_cognitive_account.this\n}\n",
            )],
            vec![],
        ),
        (
            "nor where a data source reads a key",
            vec![(
                "main.tf".into(),
                keys_var.replace("var.enable_keys\n", "true\n")
                    + "data \"azurerm_cognitive_account\" \"this\" {\n}\noutput \"k\" {\n  value = data.azurerm_cognitive_account.this.primary_access_key\n}\n",
            )],
            vec![],
        ),
        (
            "but a storage account's key is not the account's",
            vec![(
                "main.tf".into(),
                keys_var.replace("var.enable_keys\n", "true\n")
                    + "output \"k\" {\n  value = azurerm_storage_account.sa.primary_access_key\n}\n",
            )],
            vec!["AOAI502 unsafe"],
        ),
        (
            "a retired model in a for_each entry is replaced",
            vec![(
                "main.tf".into(),
                RETIRED_DEPLOYMENT
                    .replace("var.location", "\"eastus2\"")
                    .replace(
                        "name                   = \"d\"",
                        "for_each               = { d = { model = \"gpt-4\" } }\n  name                   = each.key",
                    )
                    .replace("name    = \"gpt-4\"", "name    = each.value.model"),
            )],
            vec!["AOAI302 unsafe"],
        ),
        (
            "a retired model is not replaced where the deployment is named after it",
            vec![(
                "main.tf".into(),
                RETIRED_DEPLOYMENT
                    .replace("var.location", "\"eastus2\"")
                    .replace(
                        "name                   = \"d\"",
                        "for_each               = { d = { model = \"gpt-4\" } }\n  name                   = each.value.model",
                    )
                    .replace("name    = \"gpt-4\"", "name    = each.value.model"),
            )],
            vec![],
        ),
        (
            "a retired version moves where every module call's region offers the replacement",
            vec![
                (
                    "live/main.tf".into(),
                    call("one", "eastus2") + &call("two", "swedencentral"),
                ),
                ("mod/main.tf".into(), RETIRED_DEPLOYMENT.into()),
            ],
            vec!["AOAI302 unsafe"],
        ),
        (
            "not where one module call's region does not offer it",
            vec![
                (
                    "live/main.tf".into(),
                    call("one", "eastus2") + &call("two", "westeurope"),
                ),
                ("mod/main.tf".into(), RETIRED_DEPLOYMENT.into()),
            ],
            vec![],
        ),
        (
            "not where one root's region does not offer it",
            vec![
                (
                    "live/a/main.tf".into(),
                    call("m", "eastus2").replace("../mod", "../../mod"),
                ),
                (
                    "live/b/main.tf".into(),
                    call("m", "westeurope").replace("../mod", "../../mod"),
                ),
                ("mod/main.tf".into(), RETIRED_DEPLOYMENT.into()),
            ],
            vec![],
        ),
        (
            "no version_upgrade_option where the required azurerm predates it",
            vec![(
                "main.tf".into(),
                format!("{old_azurerm}\n{}", unpinned.replace("var.location", "\"eastus2\"")),
            )],
            vec![],
        ),
        (
            "version_upgrade_option where it has it",
            vec![(
                "main.tf".into(),
                format!(
                    "{}\n{}",
                    old_azurerm.replace("\"3.56.0\"", "\"~> 4.0\""),
                    unpinned.replace("var.location", "\"eastus2\"")
                ),
            )],
            vec!["AOAI306 unsafe"],
        ),
    ];
    for (what, files, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        let files: Vec<(&str, &[u8])> = files.iter().map(|(n, t)| (n.as_str(), t.as_bytes())).collect();
        write(dir.path(), &files);
        let at = if files.iter().any(|(n, _)| n.starts_with("live/")) {
            dir.path().join("live")
        } else {
            dir.path().to_path_buf()
        };
        let mut offered = offered(&at);
        offered.dedup();
        assert_eq!(offered, expected, "{what}");
    }
}

#[test]
fn a_diff_of_a_crlf_file_keeps_its_line_endings_and_a_module_two_roots_read_is_changed_once() {
    let dir = tempfile::tempdir().unwrap();
    let module = SCALE.replace('\n', "\r\n");
    let (terraform, _) = SCALE.split_once("\n\n").unwrap();
    let root = format!("{terraform}\n\nmodule \"m\" {{\n  source = \"../.mod\"\n}}\n");
    // A module in a folder discovery skips is read once per root that calls it.
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    write(
        dir.path(),
        &[
            (".mod/main.tf", module.as_bytes()),
            ("a/main.tf", root.as_bytes()),
            ("b/main.tf", root.as_bytes()),
        ],
    );
    let diff = aoai_lint(dir.path(), &["--diff", "."]);
    let text = String::from_utf8(diff.stdout).unwrap();
    assert_eq!(text.matches("+++ b/").count(), 1, "{text}");
    assert!(text.contains("+  sku {\r\n") && !text.contains('\u{240d}'), "{text:?}");
    aoai_lint(dir.path(), &["--fix", "."]);
    let fixed = String::from_utf8(read(dir.path(), ".mod/main.tf")).unwrap();
    assert_eq!(
        fixed,
        module
            .replace("  scale {", "  sku {")
            .replace("    type     =", "    name     =")
    );
}

#[test]
fn keys_are_not_turned_off_where_the_module_hands_a_key_on() {
    let dir = tempfile::tempdir().unwrap();
    let account = "resource \"azurerm_cognitive_account\" \"this\" {\n  name                  = \"x\"\n  location              = \"eastus2\"\n  kind                  = \"OpenAI\"\n  sku_name              = \"S0\"\n  custom_subdomain_name = \"x\"\n}\n";
    write(dir.path(), &[("main.tf", account.as_bytes())]);
    assert_eq!(offered(dir.path()), ["AOAI502 unsafe"]);
    let secret = "resource \"azurerm_key_vault_secret\" \"key\" {\n  value = azurerm_cognitive_account.this.primary_access_key\n}\n";
    write(dir.path(), &[("secret.tf", secret.as_bytes())]);
    assert_eq!(offered(dir.path()), Vec::<String>::new());
    // Keys listed through an id that comes by a local: it may be this account's.
    let listed = "locals {\n  id = azurerm_cognitive_account.this.id\n}\ndata \"azapi_resource_action\" \"keys\" {\n  resource_id = local.id\n  action      = \"listKeys\"\n}\n";
    write(dir.path(), &[("secret.tf", listed.as_bytes())]);
    assert_eq!(offered(dir.path()), Vec::<String>::new());
    // A storage account's keys are not this account's.
    let storage = "data \"azapi_resource_action\" \"keys\" {\n  type        = \"Microsoft.Storage/storageAccounts@2023-01-01\"\n  resource_id = local.id\n  action      = \"listKeys\"\n}\nlocals {\n  id = \"x\"\n}\n";
    write(dir.path(), &[("secret.tf", storage.as_bytes())]);
    assert_eq!(offered(dir.path()), ["AOAI502 unsafe"]);
}

#[test]
fn where_azurerm_predates_version_upgrade_option_the_help_says_to_move_on() {
    let dir = tempfile::tempdir().unwrap();
    let old = "terraform {\n  required_providers {\n    azurerm = {\n      source  = \"hashicorp/azurerm\"\n      version = \"3.56.0\"\n    }\n  }\n}\n";
    let deployment = RETIRED_DEPLOYMENT
        .replace("  version_upgrade_option = \"NoAutoUpgrade\"\n", "")
        .replace("\"gpt-4\"", "\"gpt-4o\"")
        .replace("\"0125-preview\"", "\"2024-11-20\"")
        .replace("var.location", "\"eastus2\"");
    write(dir.path(), &[("main.tf", format!("{old}{deployment}").as_bytes())]);
    let pinned = first_finding(dir.path(), "AOAI306");
    assert_eq!(
        pinned["help"],
        "pin `model.version`, and move to azurerm 3.80.0 or later to set `version_upgrade_option = \"NoAutoUpgrade\"`"
    );
    assert!(pinned["fix"].is_null());
}
