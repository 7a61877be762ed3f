//! The real binary over the fixtures: human output pinned by snapshots, JSON by assertions
//! on rule, file, line and column, and the exit-code contract.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn aoai_lint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aoai-lint"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .output()
        .expect("the binary runs")
}

fn transcript(output: &Output) -> String {
    format!(
        "exit: {}\n--- stdout\n{}--- stderr\n{}",
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Date-based rules see this day, so that snapshots do not change with the calendar.
const AS_OF: &str = "2026-11-24";

/// Where a finding about the catalog itself points.
const CATALOG: &str = "<catalog>";

fn json(args: &[&str]) -> Value {
    let mut all = vec!["--format", "json", "--as-of", AS_OF];
    all.extend_from_slice(args);
    let output = aoai_lint(&all);
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("invalid JSON ({e}): {}", transcript(&output)))
}

/// `RULE file:line:column` for every diagnostic.
fn places(report: &Value) -> Vec<String> {
    places_of(report, &[])
}

/// The `field` (`resource`, `file`, ...) of every diagnostic of `rule`, in report order.
fn field_of(report: &Value, rule: &str, field: &str) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["rule"] == rule)
        .map(|d| d[field].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The first diagnostic of `rule`.
fn first<'r>(report: &'r Value, rule: &str) -> &'r Value {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["rule"] == rule)
        .unwrap_or_else(|| panic!("no {rule} in {report}"))
}

/// `RULE file:line:column` for the diagnostics of `rules` (all when empty) in the linted
/// files. The stale-catalog finding (AOAI004), which points at the catalog and depends on the
/// day, is left out: `an_old_catalog_says_so` covers it.
fn places_of(report: &Value, rules: &[&str]) -> Vec<String> {
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["file"] != CATALOG)
        .filter(|d| rules.is_empty() || rules.iter().any(|r| d["rule"] == *r))
        .map(|d| {
            format!(
                "{} {}:{}:{}",
                d["rule"].as_str().unwrap(),
                d["file"].as_str().unwrap(),
                d["line"],
                d["column"]
            )
        })
        .collect()
}

#[test]
fn human_output_of_every_fixture() {
    let mut fixtures: Vec<_> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 10, "fixtures: {fixtures:?}");
    for fixture in fixtures {
        let output = aoai_lint(&["--no-color", "--as-of", AS_OF, &format!("fixtures/{fixture}")]);
        insta::assert_snapshot!(fixture, transcript(&output));
    }
}

#[test]
fn json_points_at_the_seed_findings() {
    let report = json(&["fixtures/seed"]);
    assert_eq!(
        places(&report),
        [
            "AOAI501 fixtures/seed/main.tf:19:1",
            "AOAI502 fixtures/seed/main.tf:19:1",
            "AOAI503 fixtures/seed/main.tf:19:1",
            "AOAI505 fixtures/seed/main.tf:19:1",
            "AOAI507 fixtures/seed/main.tf:19:1",
            "AOAI508 fixtures/seed/main.tf:19:1",
            "AOAI201 fixtures/seed/main.tf:21:25",
            "AOAI302 fixtures/seed/main.tf:34:15",
            "AOAI403 fixtures/seed/main.tf:37:3",
        ]
    );
    let single_region = first(&report, "AOAI201");
    assert_eq!(single_region["name"], "single-region");
    assert_eq!(single_region["severity"], "warning");
    assert_eq!(single_region["resource"], "azurerm_cognitive_account.openai");
    assert_eq!(single_region["end_line"], 21);
    assert_eq!(single_region["end_column"], 59);
    // The location came from the resource group: the diagnostic says where.
    assert_eq!(single_region["related"][0]["file"], "fixtures/seed/main.tf");
    assert_eq!(single_region["related"][0]["line"], 16);
    assert_eq!(single_region["related"][0]["column"], 14);
    // Residency rules need a policy: none of them speaks here.
    assert!(places(&report).iter().all(|p| !p.starts_with("AOAI10")));
    assert_eq!(report["summary"]["warnings"], 5);
    assert_eq!(report["summary"]["errors"], 1);
    // Three in the file (the retired version's upgrade option is AOAI302's to judge), and
    // the catalog's own: its oldest table is over 60 days old then.
    assert_eq!(report["summary"]["infos"], 4);
    assert_eq!(report["summary"]["files"], 1);
}

#[test]
fn json_follows_module_inputs_to_the_caller() {
    let report = json(&["fixtures/module-called-twice"]);
    assert_eq!(
        places_of(&report, &["AOAI502"]),
        ["AOAI502 fixtures/module-called-twice/modules/openai/main.tf:21:27"]
    );
    let finding = first(&report, "AOAI502");
    assert_eq!(finding["resource"], "module.openai_us.azurerm_cognitive_account.this");
    assert_eq!(finding["related"][0]["file"], "fixtures/module-called-twice/main.tf");
    assert_eq!(finding["related"][0]["line"], 10);
    assert_eq!(finding["related"][0]["column"], 24);
}

#[test]
fn json_names_each_instance_of_an_expansion() {
    let report = json(&["fixtures/locals-for-each"]);
    assert_eq!(
        places_of(&report, &["AOAI502"]),
        ["AOAI502 fixtures/locals-for-each/main.tf:32:27"]
    );
    assert_eq!(
        first(&report, "AOAI502")["resource"],
        "azurerm_cognitive_account.openai[\"secondary\"]"
    );
    let deployments: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "AOAI306")
        .map(|d| d["resource"].as_str().unwrap())
        .collect();
    assert_eq!(
        deployments,
        [
            "azurerm_cognitive_deployment.primary[\"chat\"]",
            "azurerm_cognitive_deployment.primary[\"embeddings\"]"
        ]
    );
    let report = json(&["fixtures/chained-for-each"]);
    assert_eq!(
        first(&report, "AOAI502")["resource"],
        "azurerm_cognitive_account.openai[\"us\"]"
    );
}

#[test]
fn command_line_variables_win_in_the_order_given() {
    // tfvars-override: default westeurope < terraform.tfvars swedencentral < zz.auto.tfvars francecentral.
    let report = json(&["fixtures/tfvars-override"]);
    assert!(
        first(&report, "AOAI201")["message"]
            .as_str()
            .unwrap()
            .contains("francecentral")
    );
    // --var beats every file.
    let report = json(&["--var", "location=eastus3", "fixtures/tfvars-override"]);
    let unknown_region = first(&report, "AOAI104");
    assert_eq!(unknown_region["line"], 3);
    assert_eq!(unknown_region["related"][0]["file"], "--var");
    // Later on the command line wins: the --var-file after --var sets local_auth_enabled back.
    let keys = |args: &[&str]| places(&json(args)).iter().any(|p| p.starts_with("AOAI502"));
    assert!(keys(&["--var", "local_auth_enabled=true", "fixtures/tfvars-override"]));
    assert!(!keys(&[
        "--var",
        "local_auth_enabled=true",
        "--var-file",
        "fixtures/tfvars-override/prod.tfvars",
        "fixtures/tfvars-override"
    ]));
    assert!(keys(&[
        "--var-file",
        "fixtures/tfvars-override/prod.tfvars",
        "--var",
        "local_auth_enabled=true",
        "fixtures/tfvars-override"
    ]));
    // A non-auto-loaded .tfvars file makes its variables one of several values: silent.
    assert!(!keys(&["fixtures/tfvars-override"]));
}

#[test]
fn the_configuration_file_beside_the_code_sets_the_policy() {
    let report = json(&["fixtures/eu-residency"]);
    let rules: std::collections::BTreeSet<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap())
        .collect();
    for expected in ["AOAI101", "AOAI102", "AOAI103", "AOAI105", "AOAI307"] {
        assert!(rules.contains(expected), "{expected} missing from {rules:?}");
    }
    // The file turns AOAI508 off.
    assert!(!rules.contains("AOAI508"));
    // --config names another file, here an empty one: no residency policy, no residency rules.
    let empty = tempfile::NamedTempFile::new().unwrap();
    let report = json(&["--config", empty.path().to_str().unwrap(), "fixtures/eu-residency"]);
    assert!(
        places(&report).iter().all(|p| !p.starts_with("AOAI10")),
        "{:?}",
        places(&report)
    );
    assert!(!places_of(&report, &["AOAI508"]).is_empty());
    let output = aoai_lint(&["--config", "does-not-exist.yaml", "fixtures/eu-residency"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn override_files_merge_into_the_configuration() {
    let report = json(&["fixtures/override-files"]);
    // The override turns keys off, sets the subdomain and denies network access by default.
    assert_eq!(
        places_of(&report, &["AOAI201", "AOAI501", "AOAI502", "AOAI503"]),
        ["AOAI201 fixtures/override-files/main.tf:3:25"]
    );
}

#[test]
fn tf_var_environment_variables_sit_between_defaults_and_files() {
    let run = |env: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_aoai-lint"))
            .args(["--format", "json", "fixtures/module-called-twice"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env("TF_VAR_eu_location", env)
            .output()
            .unwrap();
        serde_json::from_slice::<Value>(&output.stdout).unwrap()
    };
    let report = run("eastus9");
    // The environment's value is used (eastus9 is no region), and never shown: it may be a
    // CI secret. The finding names the variable instead.
    let unknown_region = first(&report, "AOAI104");
    let message = unknown_region["message"].as_str().unwrap();
    assert!(
        message.starts_with("`(value of var.eu_location, not shown)` is not an Azure region")
            && !message.contains("eastus9"),
        "{message}"
    );
    // The value itself is never shown as source: only the variable's name.
    assert_eq!(unknown_region["related"][1]["file"], "environment");
    // terraform.tfvars outranks the environment: the report is the one without it.
    let compact = |env: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_aoai-lint"));
        command
            .args(["--format", "compact", "--as-of", AS_OF, "fixtures/tfvars-override"])
            .current_dir(env!("CARGO_MANIFEST_DIR"));
        if let Some(value) = env {
            command.env("TF_VAR_location", value);
        }
        command.output().unwrap().stdout
    };
    assert_eq!(compact(Some("eastus9")), compact(None));
}

#[test]
fn report_unknowns_names_what_could_not_be_checked() {
    let report = json(&["--report-unknowns", "fixtures/unresolved"]);
    let unknowns = places_of(&report, &["AOAI001"]);
    assert!(
        unknowns.contains(&"AOAI001 fixtures/unresolved/main.tf:14:27".to_owned()),
        "{unknowns:?}"
    );
    // The for_each over an unknown set hides how many accounts there are.
    assert!(
        unknowns.contains(&"AOAI001 fixtures/unresolved/main.tf:42:1".to_owned()),
        "{unknowns:?}"
    );
    assert_eq!(
        places_of(&report, &[]).len(),
        unknowns.len(),
        "only AOAI001 speaks here"
    );
}

#[test]
fn unresolved_values_produce_no_findings() {
    assert_eq!(places(&json(&["fixtures/unresolved"])), Vec::<String>::new());
}

#[test]
fn exit_codes_follow_the_contract() {
    let code = |args: &[&str]| aoai_lint(args).status.code();
    assert_eq!(code(&["fixtures/clean"]), Some(0));
    assert_eq!(code(&["fixtures/seed"]), Some(1));
    assert_eq!(code(&["--fail-on", "error", "fixtures/seed"]), Some(1));
    assert_eq!(code(&["--fail-on", "error", "fixtures/module-called-twice"]), Some(0));
    assert_eq!(code(&["--fail-on", "never", "fixtures/hostile"]), Some(0));
    assert_eq!(code(&["--fail-on", "info", "fixtures/seed"]), Some(1));
    assert_eq!(code(&["--no-such-flag"]), Some(2));
    assert_eq!(code(&["fixtures/does-not-exist"]), Some(2));
    assert_eq!(code(&["--var", "no-equals-sign", "fixtures/seed"]), Some(2));
    assert_eq!(code(&["--var-file", "missing.tfvars", "fixtures/seed"]), Some(2));
    assert_eq!(code(&["--as-of", "2026-13-01", "fixtures/seed"]), Some(2));
    assert_eq!(code(&["--as-of", "2026-11-24", "fixtures/clean"]), Some(0));
}

#[test]
fn nothing_parseable_is_exit_two() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), "resource \"x\" \"y\" {\n").unwrap();
    let output = aoai_lint(&[dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", transcript(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("nothing was linted"));
}

#[test]
fn nothing_readable_is_exit_two_as_nothing_parseable_is() {
    // A file over the size limit is found and not read, as an unreadable file is.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), "#".repeat(200)).unwrap();
    let output = aoai_lint(&["--max-file-size", "100", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", transcript(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("none of the 1 Terraform files could be read or parsed"),
        "{stderr}"
    );
}

#[test]
fn a_file_argument_lints_its_module() {
    assert_eq!(
        places(&json(&["fixtures/seed/main.tf"])),
        places(&json(&["fixtures/seed"]))
    );
}

#[cfg(unix)]
#[test]
fn a_symlink_out_of_the_root_is_never_read() {
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.tf");
    std::fs::write(&secret, "locals {\n  token = \"s3cr3t-value\"\n}\nbroken {").unwrap();
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("main.tf"), "locals {\n  a = 1\n}\n").unwrap();
    std::os::unix::fs::symlink(&secret, root.path().join("linked.tf")).unwrap();
    std::os::unix::fs::symlink(root.path(), root.path().join("loop")).unwrap();
    let output = aoai_lint(&["--format", "compact", root.path().to_str().unwrap()]);
    let text = transcript(&output);
    assert!(!text.contains("s3cr3t"), "{text}");
    assert!(text.contains("outside the scanned directory"), "{text}");
    assert!(text.contains("symbolic link loop"), "{text}");
    assert_eq!(output.status.code(), Some(1), "{text}");
}

#[test]
fn rules_lists_every_rule() {
    let output = aoai_lint(&["rules"]);
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!("rules", String::from_utf8_lossy(&output.stdout));
}

#[test]
fn explain_prints_a_rule_by_id_or_name() {
    let by_id = aoai_lint(&["explain", "AOAI201"]);
    let by_name = aoai_lint(&["explain", "single-region"]);
    assert_eq!(by_id.status.code(), Some(0));
    assert_eq!(by_id.stdout, by_name.stdout);
    let text = String::from_utf8_lossy(&by_id.stdout);
    assert!(text.starts_with("# AOAI201 (single-region)"), "{text}");
    for section in [
        "## What it does",
        "## Why is this bad?",
        "## Example",
        "## When it stays silent",
    ] {
        assert!(text.contains(section), "{section} missing");
    }
    assert_eq!(aoai_lint(&["explain", "AOAI999"]).status.code(), Some(2));
}

#[test]
fn version_names_the_catalog_date() {
    let output = aoai_lint(&["--version"]);
    assert!(String::from_utf8_lossy(&output.stdout).contains("catalog as of 20"));
}

#[test]
fn an_imported_catalog_overlay_teaches_new_models() {
    let dir = tempfile::tempdir().unwrap();
    let overlay = dir.path().join("overlay.yaml");
    let output = aoai_lint(&[
        "catalog",
        "import",
        "--models",
        "tests/data/az-model-list-eastus2.json",
        "--location",
        "eastus2",
        "--output",
        overlay.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    let infra = dir.path().join("infra");
    std::fs::create_dir(&infra).unwrap();
    std::fs::write(
        infra.join("main.tf"),
        "resource \"azurerm_cognitive_account\" \"a\" {\n  kind = \"OpenAI\"\n  location = \"eastus2\"\n}\nresource \"azurerm_cognitive_deployment\" \"d\" {\n  cognitive_account_id = azurerm_cognitive_account.a.id\n  model {\n    format = \"OpenAI\"\n    name = \"gpt-5.9-preview\"\n    version = \"2026-11-01\"\n  }\n  sku {\n    name = \"GlobalStandard\"\n    capacity = 10\n  }\n}\n",
    )
    .unwrap();
    let infra = infra.to_str().unwrap();
    assert_eq!(
        places_of(&json(&[infra]), &["AOAI301"]).len(),
        1,
        "unknown without the overlay"
    );
    let with = json(&["--catalog", overlay.to_str().unwrap(), infra]);
    assert!(
        places_of(&with, &["AOAI301", "AOAI303"]).is_empty(),
        "{:?}",
        places(&with)
    );
    // A file that is not such a listing is refused.
    let bad = aoai_lint(&["catalog", "import", "--models", "Cargo.toml", "--location", "eastus2"]);
    assert_eq!(bad.status.code(), Some(2));
    let unnamed = aoai_lint(&["catalog", "import", "--models", "tests/data/az-model-list-eastus2.json"]);
    assert_eq!(unnamed.status.code(), Some(2), "the file is not named after a region");
}

#[test]
fn an_old_catalog_says_so() {
    let output = aoai_lint(&["--format", "json", "--as-of", "2027-06-01", "fixtures/clean"]);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(places(&report), Vec::<String>::new());
    let stale = first(&report, "AOAI004");
    let tables = report["catalog_tables"]
        .as_object()
        .expect("the tables and their dates");
    let oldest = tables.values().filter_map(Value::as_str).min().unwrap();
    assert_eq!(
        report["catalog_as_of"], oldest,
        "the catalog is as fresh as its oldest table"
    );
    let message = stale["message"].as_str().unwrap();
    assert!(
        message.contains(&format!(
            "oldest table ({}",
            tables.iter().find(|t| t.1 == oldest).unwrap().0
        )),
        "{message}"
    );
    assert!(message.contains("the policy allows 60"), "{message}");
    assert_eq!(output.status.code(), Some(0), "info does not fail the run");
    // The human summary line says so too, where everyone looks.
    let human = aoai_lint(&["--no-color", "--as-of", "2027-06-01", "fixtures/clean"]);
    let stderr = String::from_utf8_lossy(&human.stderr);
    assert!(
        stderr.contains("(AOAI004)") && stderr.contains("oldest table"),
        "{stderr}"
    );
    // A team that allows a year hears nothing.
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.yaml");
    std::fs::write(&config, "policy:\n  catalog_max_age_days: 365\n").unwrap();
    let relaxed = json(&["--config", config.to_str().unwrap(), "fixtures/clean"]);
    assert!(relaxed["diagnostics"].as_array().unwrap().is_empty(), "{relaxed}");
}

#[test]
fn version_lists_every_catalog_table_with_its_date() {
    let long = String::from_utf8(aoai_lint(&["--version"]).stdout).unwrap();
    let report = json(&["fixtures/clean"]);
    let tables = report["catalog_tables"].as_object().unwrap();
    assert!(
        tables.contains_key("lifecycle") && tables.contains_key("availability-standard"),
        "{tables:?}"
    );
    for (name, date) in tables {
        let line = format!("  {name:<26}{}", date.as_str().unwrap());
        assert!(long.lines().any(|l| l == line), "{line:?} in {long}");
    }
    let short = String::from_utf8(aoai_lint(&["-V"]).stdout).unwrap();
    assert!(
        short.contains(&format!("catalog as of {}", report["catalog_as_of"].as_str().unwrap())),
        "{short}"
    );
    let sarif: Value = serde_json::from_slice(&aoai_lint(&["--format", "sarif", "fixtures/clean"]).stdout).unwrap();
    assert_eq!(
        &sarif["runs"][0]["properties"]["catalogTables"],
        &report["catalog_tables"]
    );
}

#[test]
fn sarif_locates_every_result_and_describes_every_rule() {
    let output = aoai_lint(&["--format", "sarif", "--as-of", AS_OF, "fixtures/seed"]);
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["automationDetails"]["id"], "aoai-lint/");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(ids, unique, "rule ids are unique");
    // Code scanning ranks security alerts by their security-severity.
    for rule in rules {
        let security = rule["properties"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t == "security");
        let score = rule["properties"]["security-severity"].as_str();
        assert_eq!(security, score.is_some(), "{rule}");
        if let Some(score) = score {
            let score: f64 = score.parse().unwrap();
            assert!((0.1..=10.0).contains(&score), "{rule}");
        }
    }
    assert_eq!(run["invocations"][0]["executionSuccessful"], true);
    for result in run["results"].as_array().unwrap() {
        let location = &result["locations"][0]["physicalLocation"];
        if location.is_null() {
            // A finding about the catalog itself has a logical location only.
            assert_eq!(result["ruleId"], "AOAI004");
            continue;
        }
        assert_eq!(location["artifactLocation"]["uri"], "fixtures/seed/main.tf");
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
        assert_eq!(
            rules[result["ruleIndex"].as_u64().unwrap() as usize]["id"],
            result["ruleId"]
        );
        assert_eq!(
            result["partialFingerprints"]["aoaiLintFingerprint/v1"]
                .as_str()
                .unwrap()
                .len(),
            16
        );
    }
    // The same input gives byte-identical output.
    let again = aoai_lint(&["--format", "sarif", "--as-of", AS_OF, "fixtures/seed"]);
    assert_eq!(output.stdout, again.stdout);
}

#[test]
fn github_format_prints_annotations_and_output_writes_a_file() {
    let output = aoai_lint(&["--format", "github", "--as-of", AS_OF, "fixtures/module-called-twice"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(
        text.lines().any(|l| l.starts_with(
            "::warning file=fixtures/module-called-twice/modules/openai/main.tf,line=21,col=27,endLine=21,endColumn=49,title=AOAI502 local-auth-enabled::"
        )),
        "{text}"
    );
    assert!(
        text.lines().all(|l| l.starts_with("::")),
        "one command per line: {text}"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.sarif");
    let output = aoai_lint(&[
        "--format",
        "sarif",
        "--output",
        file.to_str().unwrap(),
        "--as-of",
        AS_OF,
        "fixtures/seed",
    ]);
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("AOAI201(single-region)"),
        "human output on stdout"
    );
    let written: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    assert_eq!(written["version"], "2.1.0");
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn a_baseline_hides_recorded_findings_even_when_lines_move() {
    let dir = tempfile::tempdir().unwrap();
    let infra = dir.path().join("infra");
    std::fs::create_dir(&infra).unwrap();
    let seed = std::fs::read_to_string("fixtures/seed/main.tf").unwrap();
    std::fs::write(infra.join("main.tf"), &seed).unwrap();
    let baseline = dir.path().join("baseline.json");
    let (infra, baseline) = (infra.to_str().unwrap(), baseline.to_str().unwrap());
    let written = aoai_lint(&["--as-of", AS_OF, "--write-baseline", baseline, infra]);
    assert_eq!(written.status.code(), Some(0), "{}", transcript(&written));
    // Lines move: the recorded findings stay hidden.
    std::fs::write(Path::new(infra).join("main.tf"), format!("# a new comment\n\n{seed}")).unwrap();
    let report = json(&["--baseline", baseline, infra]);
    assert_eq!(places(&report), Vec::<String>::new());
    // A new problem is reported.
    std::fs::write(
        Path::new(infra).join("main.tf"),
        seed.replace("\"eastus2\"", "\"eastus3\""),
    )
    .unwrap();
    let report = json(&["--baseline", baseline, infra]);
    assert!(
        places(&report).iter().any(|p| p.starts_with("AOAI104")),
        "{:?}",
        places(&report)
    );
    assert_eq!(aoai_lint(&["--baseline", "Cargo.toml", infra]).status.code(), Some(2));
}

#[test]
fn terraform_json_syntax_is_linted_with_positions_and_tfvars_json_origins() {
    let report = json(&["fixtures/terraform-json"]);
    assert_eq!(
        places_of(&report, &["AOAI502", "AOAI503"]),
        ["AOAI502 fixtures/terraform-json/main.tf.json:40:31"],
        "the `//` comment suppresses AOAI503"
    );
    let single_region = first(&report, "AOAI201");
    assert_eq!(single_region["line"], 36);
    assert_eq!(
        single_region["related"][0]["file"],
        "fixtures/terraform-json/terraform.tfvars.json"
    );
    assert_eq!(single_region["related"][0]["line"], 2);
    assert_eq!(single_region["related"][0]["column"], 15);
    let per_instance: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "AOAI403")
        .map(|d| d["resource"].as_str().unwrap())
        .collect();
    assert_eq!(per_instance, ["azurerm_cognitive_deployment.models[\"embed\"]"]);
}

#[test]
fn azapi_findings_point_inside_the_body() {
    let report = json(&["fixtures/azapi"]);
    assert_eq!(
        places_of(&report, &["AOAI501", "AOAI502", "AOAI304", "AOAI504"]),
        [
            "AOAI501 fixtures/azapi/main.tf:42:29",
            "AOAI502 fixtures/azapi/main.tf:43:29",
            "AOAI304 fixtures/azapi/main.tf:103:18",
            "AOAI504 fixtures/azapi/main.tf:127:57",
        ]
    );
    let keys = first(&report, "AOAI502");
    assert_eq!(keys["resource"], "azapi_resource.openai");
    assert_eq!(keys["related"][0]["line"], 26, "the variable's default");
}

#[test]
fn findings_inside_a_downloaded_module_name_the_calling_module_block() {
    let report = json(&["fixtures/downloaded-module"]);
    let keys = first(&report, "AOAI503");
    assert_eq!(
        keys["file"],
        "fixtures/downloaded-module/.terraform/modules/openai/main.tf"
    );
    let call = keys["related"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| {
            r["message"]
                .as_str()
                .unwrap()
                .starts_with("created by this module call")
        })
        .expect("the calling module block is named");
    assert_eq!(call["file"], "fixtures/downloaded-module/main.tf");
    assert_eq!(call["line"], 6);
    let notes = report["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "one note per module call not followed");
    assert_eq!(notes[0]["line"], 16);
    assert!(notes[0]["message"].as_str().unwrap().contains("terraform init"));
}

#[test]
fn a_plan_is_linted_with_findings_in_the_configuration_where_it_has_them() {
    let report = json(&["--plan", "fixtures/plan/plan.json", "fixtures/plan"]);
    assert_eq!(
        places_of(&report, &["AOAI302", "AOAI501", "AOAI502", "AOAI503"]),
        [
            "AOAI501 fixtures/plan/main.tf:55:39",
            "AOAI302 fixtures/plan/main.tf:73:78",
            "AOAI302 fixtures/plan/modules/openai/main.tf:38:15",
            "AOAI502 fixtures/plan/plan.json:244:39",
            "AOAI501 fixtures/plan/plan.json:250:50",
        ],
        "module.shared is not in the configuration; its custom subdomain is unknown until apply"
    );
    // The azapi deployment belongs to the azapi account through `parent_id`'s reference.
    let azapi_chat = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "AOAI202" && d["resource"] == "azapi_resource.foundry_chat")
        .expect("the azapi deployment is linked to its account");
    assert!(azapi_chat["message"].as_str().unwrap().contains("swedencentral only"));
    let resources: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "AOAI302")
        .map(|d| d["resource"].as_str().unwrap())
        .collect();
    assert_eq!(
        resources,
        [
            "azapi_resource.foundry_chat",
            "module.openai.azurerm_cognitive_deployment.this[\"chat\"]"
        ]
    );
    // The deployments belong to the account in swedencentral: var.region is known to the plan.
    let single = first(&report, "AOAI202");
    assert!(
        single["message"].as_str().unwrap().contains("swedencentral only"),
        "{single}"
    );
    assert!(
        report["notes"].as_array().unwrap().is_empty(),
        "the plan sees module \"shared\""
    );
}

#[test]
fn a_plan_without_its_configuration_points_into_the_plan() {
    let report = json(&["--plan", "fixtures/plan/plan.json", "tests/data"]);
    assert_eq!(
        places_of(&report, &["AOAI302"]),
        [
            "AOAI302 fixtures/plan/plan.json:69:30",
            "AOAI302 fixtures/plan/plan.json:160:32",
        ],
        "azapi bodies too point at their entry in the plan"
    );
}

#[test]
fn a_plan_that_cannot_be_read_is_an_error_that_says_why() {
    for (args, expected) in [
        (
            vec!["--plan", "tests/data/az-model-list-eastus2.json"],
            "no `format_version`",
        ),
        (vec!["--plan", "fixtures/plan/missing.json"], "cannot read"),
    ] {
        let mut all = vec!["--format", "compact"];
        all.extend(args);
        let output = aoai_lint(&all);
        assert_eq!(output.status.code(), Some(2), "{}", transcript(&output));
        assert!(transcript(&output).contains(expected), "{}", transcript(&output));
    }
}

#[test]
fn human_output_of_plan_mode() {
    let output = aoai_lint(&[
        "--no-color",
        "--as-of",
        AS_OF,
        "--plan",
        "fixtures/plan/plan.json",
        "fixtures/plan",
    ]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!("plan-mode", transcript(&output));
}

#[test]
fn config_init_writes_a_starter_and_its_schema_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().to_str().unwrap();
    let output = aoai_lint(&["config", "init", target]);
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    let starter = std::fs::read_to_string(dir.path().join(".aoai-lint.yaml")).unwrap();
    assert!(starter.starts_with("# yaml-language-server: $schema=.aoai-lint.schema.json"));
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join(".aoai-lint.schema.json")).unwrap()).unwrap();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-07/schema#");
    assert_eq!(
        schema["additionalProperties"], false,
        "unknown keys are errors in the editor too"
    );
    let again = aoai_lint(&["config", "init", target]);
    assert_eq!(again.status.code(), Some(2));
    assert!(transcript(&again).contains("pass --force"), "{}", transcript(&again));
    // The starter is a working configuration as written.
    std::fs::write(dir.path().join("main.tf"), "locals {\n  a = 1\n}\n").unwrap();
    let lint = aoai_lint(&[target]);
    assert_eq!(lint.status.code(), Some(0), "{}", transcript(&lint));
}

#[test]
fn config_schema_prints_the_published_schema() {
    let output = aoai_lint(&["config", "schema"]);
    assert_eq!(output.status.code(), Some(0));
    let published =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/aoai-lint.schema.json")).unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stdout), published);
}

#[test]
fn completions_are_printed_for_each_shell() {
    for (shell, marker) in [
        ("bash", "complete -F _aoai__lint"),
        ("zsh", "#compdef aoai-lint"),
        ("fish", "complete -c aoai-lint"),
    ] {
        let output = aoai_lint(&["completions", shell]);
        assert_eq!(output.status.code(), Some(0), "{shell}");
        let script = String::from_utf8_lossy(&output.stdout);
        assert!(script.contains(marker), "{shell}: {script}");
        assert!(script.contains("fail-on"), "{shell} completes the options");
    }
}

#[test]
fn excluded_paths_are_not_linted() {
    let dir = tempfile::tempdir().unwrap();
    let account =
        "resource \"azurerm_cognitive_account\" \"a\" {\n  kind     = \"OpenAI\"\n  location = \"westeurop\"\n}\n";
    std::fs::create_dir_all(dir.path().join("examples/demo")).unwrap();
    std::fs::create_dir_all(dir.path().join("infra")).unwrap();
    std::fs::write(dir.path().join("examples/demo/main.tf"), account).unwrap();
    std::fs::write(dir.path().join("infra/main.tf"), account).unwrap();
    std::fs::write(dir.path().join(".aoai-lint.yaml"), "exclude: [\"examples/**\"]\n").unwrap();
    let report: Value =
        serde_json::from_slice(&aoai_lint(&["--format", "json", dir.path().to_str().unwrap()]).stdout).unwrap();
    let files: BTreeSet<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["file"].as_str().unwrap())
        .filter(|f| *f != CATALOG)
        .collect();
    assert!(files.iter().all(|f| f.ends_with("infra/main.tf")), "{files:?}");
    assert!(!files.is_empty());
}

/// The elements of an XML report, with their attributes, read back by an XML parser.
fn xml_elements(text: &str) -> Vec<(String, std::collections::BTreeMap<String, String>)> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut out = Vec::new();
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                let attributes = e
                    .attributes()
                    .map(|a| {
                        let a = a.expect("a well-formed attribute");
                        (
                            String::from_utf8_lossy(a.key.into_inner().as_bytes()).into_owned(),
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .expect("escaped correctly")
                                .into_owned(),
                        )
                    })
                    .collect();
                out.push((
                    String::from_utf8_lossy(e.name().into_inner().as_bytes()).into_owned(),
                    attributes,
                ));
            }
            quick_xml::events::Event::Eof => break,
            _ => {}
        }
    }
    out
}

#[test]
fn checkstyle_and_junit_carry_every_finding() {
    let report = json(&["fixtures/seed"]);
    let count = report["diagnostics"].as_array().unwrap().len();
    let checkstyle = aoai_lint(&["--format", "checkstyle", "--as-of", AS_OF, "fixtures/seed"]);
    assert_eq!(checkstyle.status.code(), Some(1));
    let elements = xml_elements(&String::from_utf8_lossy(&checkstyle.stdout));
    let errors: Vec<_> = elements.iter().filter(|(name, _)| name == "error").collect();
    assert_eq!(errors.len(), count);
    assert_eq!(
        errors[0].1["source"],
        format!("aoai-lint.{}", report["diagnostics"][0]["rule"].as_str().unwrap())
    );
    assert_eq!(errors[0].1["line"], report["diagnostics"][0]["line"].to_string());

    let junit = aoai_lint(&["--format", "junit", "--as-of", AS_OF, "fixtures/seed"]);
    let elements = xml_elements(&String::from_utf8_lossy(&junit.stdout));
    assert_eq!(elements.iter().filter(|(name, _)| name == "failure").count(), count);
    assert_eq!(elements[0].1["failures"], count.to_string());

    let clean = aoai_lint(&["--format", "junit", "fixtures/clean"]);
    assert_eq!(clean.status.code(), Some(0));
    let elements = xml_elements(&String::from_utf8_lossy(&clean.stdout));
    assert_eq!(
        elements.iter().filter(|(name, _)| name == "testcase").count(),
        1,
        "a passing case shows the check ran"
    );
}

#[test]
fn xml_reports_stay_well_formed_with_hostile_values() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        "resource \"azurerm_cognitive_account\" \"a\" {\n  kind     = \"OpenAI\"\n  location = \"west\\u0001<europe>&\\\"\"\n}\n",
    )
    .unwrap();
    for format in ["checkstyle", "junit"] {
        let output = aoai_lint(&["--format", format, dir.path().to_str().unwrap()]);
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        let elements = xml_elements(&text);
        assert!(
            elements
                .iter()
                .any(|(_, a)| a.values().any(|v| v.contains("<europe>&"))),
            "{format}: {text}"
        );
    }
}

#[test]
fn show_suppressed_lists_waivers_with_their_reason_for_audits() {
    let plain = json(&["fixtures/suppressions"]);
    assert!(plain.get("suppressed").is_none(), "not shown unless asked");
    let report = json(&["--show-suppressed", "fixtures/suppressions"]);
    let waived: Vec<(String, String)> = report["suppressed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                format!("{} {}:{}", w["rule"].as_str().unwrap(), w["line"], w["column"]),
                w["suppression"]["reason"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        waived,
        [
            (
                "AOAI508 4:1".to_owned(),
                "diagnostic settings come from Azure Policy".to_owned()
            ),
            (
                "AOAI201 6:27".to_owned(),
                "one region by design: the DR plan restores from code".to_owned()
            ),
            ("AOAI501 16:35".to_owned(), "reviewed in SEC-1234".to_owned()),
        ]
    );
    assert_eq!(report["suppressed"][0]["suppression"]["line"], 1);
    let compact = aoai_lint(&["--show-suppressed", "--format", "compact", "fixtures/suppressions"]);
    let text = String::from_utf8_lossy(&compact.stdout);
    assert!(text.contains("Suppressed (3):"), "{text}");
    assert!(
        text.contains("waived by fixtures/suppressions/main.tf:15:3 \"reviewed in SEC-1234\""),
        "{text}"
    );
    let sarif: Value =
        serde_json::from_slice(&aoai_lint(&["--show-suppressed", "--format", "sarif", "fixtures/suppressions"]).stdout)
            .unwrap();
    let suppressed: Vec<&Value> = sarif["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert_eq!(suppressed.len(), 3);
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "inSource");
}

#[test]
fn quiet_prints_only_findings_and_verbose_says_what_happened() {
    let quiet = aoai_lint(&["--quiet", "--as-of", AS_OF, "fixtures/downloaded-module"]);
    assert_eq!(quiet.status.code(), Some(1));
    assert!(quiet.stderr.is_empty(), "{}", transcript(&quiet));
    assert!(!quiet.stdout.is_empty());

    let verbose = aoai_lint(&["--verbose", "--format", "compact", "fixtures/eu-residency"]);
    let stderr = String::from_utf8_lossy(&verbose.stderr);
    assert!(
        stderr.contains("config: ") && stderr.contains(".aoai-lint.yaml"),
        "{stderr}"
    );
    assert!(stderr.contains("catalog: embedded, as of "), "{stderr}");
    assert!(
        stderr.contains("found 1 module directories, 1 Terraform files; evaluated 1 configurations"),
        "{stderr}"
    );
    let time = stderr.lines().find(|l| l.starts_with("time: ")).expect("a timing line");
    for stage in ["discover", "parse", "evaluate and check", "suppress and sort", "total"] {
        assert!(time.contains(stage), "{time}");
    }
    assert!(stderr.contains("time: report written in "), "{stderr}");
    assert_eq!(
        aoai_lint(&["--quiet", "--verbose", "."]).status.code(),
        Some(2),
        "they conflict"
    );
}

#[test]
fn reports_are_byte_identical_across_runs_and_thread_counts() {
    for format in ["json", "sarif", "compact", "checkstyle"] {
        let run = |threads: &str| {
            Command::new(env!("CARGO_BIN_EXE_aoai-lint"))
                .args(["--format", format, "--as-of", AS_OF, "fixtures"])
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .env("RAYON_NUM_THREADS", threads)
                .output()
                .expect("the binary runs")
                .stdout
        };
        let one = run("1");
        assert!(!one.is_empty());
        assert_eq!(one, run("2"), "{format}");
        assert_eq!(one, run("7"), "{format}");
    }
}

/// On 2026-12-03, the deployments whose verdicts the catalog's refresh of December 2026
/// changed: each with what the linter must say and the source that says so. gpt-realtime-2
/// was retired on 2026-08-31 by the schedule of 2026-09-02, but the newer one of 2026-10-05
/// gives no date: the newer wins and the dispute is a warning, never an error.
#[test]
fn the_refreshed_catalog_judges_models_as_azure_does_on_2026_12_03() {
    const SCHEDULE: &str = "retirement schedule of main on 2026-10-09 (ms.date 2026-10-05)";
    const DISPUTED: &str = "schedules of 2026-09-02 (2026-08-31) and 2026-10-05 (no date)";
    const MATRIX: &str = "model matrix of 2026-10-09 (new model versions, by name)";
    const PTU: &str = "PTU sizing table of 2026-09-23";
    let cases: &[(&str, &[&str], &str)] = &[
        ("gpt_4o_2024_08_06", &[], SCHEDULE),
        ("gpt_4o_2024_11_20", &[], SCHEDULE),
        ("gpt_4o_mini", &[], SCHEDULE),
        ("gpt_41", &[], SCHEDULE),
        ("gpt_41_mini", &[], SCHEDULE),
        ("gpt_41_nano", &[], SCHEDULE),
        (
            "gpt_realtime_2",
            &["AOAI302 warning may have retired on 2026-08-31"],
            DISPUTED,
        ),
        ("gpt_chat_latest", &["AOAI302 error retired on 2026-08-28"], SCHEDULE),
        (
            "gpt_realtime_mini",
            &["AOAI302 warning 2026-09-21 or 2027-04-06"],
            SCHEDULE,
        ),
        ("gpt_56_sol", &[], MATRIX),
        ("gpt_56_terra", &[], MATRIX),
        ("gpt_56_luna", &[], MATRIX),
        ("gpt_6_astra", &[], MATRIX),
        ("gpt_6_sol", &[], MATRIX),
        ("gpt_55_ptu", &["AOAI402 error minimum of 15"], PTU),
    ];
    let output = aoai_lint(&["--format", "json", "--as-of", "2026-12-03", "fixtures/catalog-2026-12"]);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let diagnostics = report["diagnostics"].as_array().unwrap();
    let mut wrong = Vec::new();
    for (name, expected, source) in cases {
        let resource = format!("azurerm_cognitive_deployment.{name}");
        let found: Vec<&Value> = diagnostics
            .iter()
            .filter(|d| d["resource"] == resource.as_str())
            .filter(|d| {
                d["rule"]
                    .as_str()
                    .is_some_and(|r| r.starts_with("AOAI3") || r.starts_with("AOAI4"))
            })
            .collect();
        let matches = found.len() == expected.len()
            && expected.iter().zip(&found).all(|(want, d)| {
                let mut words = want.splitn(3, ' ');
                let (rule, severity, text) = (words.next().unwrap(), words.next().unwrap(), words.next().unwrap());
                d["rule"] == rule && d["severity"] == severity && d["message"].as_str().unwrap().contains(text)
            });
        if !matches {
            wrong.push(format!(
                "{name} (per the {source}): expected {expected:?}, found {found:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn an_apac_data_zone_policy_is_enforced_end_to_end() {
    let report = json(&["fixtures/apac-residency"]);
    assert_eq!(
        places_of(&report, &["AOAI101", "AOAI102", "AOAI103"]),
        [
            "AOAI101 fixtures/apac-residency/main.tf:13:40",
            "AOAI102 fixtures/apac-residency/main.tf:60:16",
        ]
    );
    let outside = first(&report, "AOAI101");
    assert_eq!(outside["resource"], "azurerm_cognitive_account.openai[\"dublin\"]");
    assert!(
        outside["message"].as_str().unwrap().contains("not the APAC data zone"),
        "{outside}"
    );
}

/// How sure the linter can be that a model is wrong decides how loud it says so: the
/// catalog is always older than the newest model.
#[test]
fn an_unknown_model_is_an_error_only_when_it_is_surely_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from(
        "resource \"azurerm_cognitive_account\" \"a\" {\n  kind     = \"OpenAI\"\n  sku_name = \"S0\"\n  location = \"eastus2\"\n}\n",
    );
    let cases = [
        ("typo", "gpt4o", "2024-11-20", "error", "misspelling of `gpt-4o`"),
        ("new_name", "gpt-7", "2027-01-01", "warning", "models are known to"),
        ("new_version", "gpt-5.5", "2026-11-30", "info", "newer than the catalog"),
        (
            "old_version",
            "gpt-4o",
            "2024-11-02",
            "error",
            "has no version `2024-11-02` (lifecycle table of",
        ),
    ];
    for (name, model, version, _, _) in cases {
        text.push_str(&format!(
            "resource \"azurerm_cognitive_deployment\" \"{name}\" {{\n  cognitive_account_id = azurerm_cognitive_account.a.id\n  model {{\n    format  = \"OpenAI\"\n    name    = \"{model}\"\n    version = \"{version}\"\n  }}\n  sku {{\n    name     = \"GlobalStandard\"\n    capacity = 1\n  }}\n}}\n"
        ));
    }
    std::fs::write(dir.path().join("main.tf"), text).unwrap();
    let report = json(&[dir.path().to_str().unwrap()]);
    for (name, _, _, severity, says) in cases {
        let resource = format!("azurerm_cognitive_deployment.{name}");
        let found: Vec<&Value> = report["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["rule"] == "AOAI301" && d["resource"] == resource.as_str())
            .collect();
        assert_eq!(found.len(), 1, "{name}: {found:?}");
        assert_eq!(found[0]["severity"], severity, "{name}: {}", found[0]);
        assert!(
            found[0]["message"].as_str().unwrap().contains(says),
            "{name}: {}",
            found[0]
        );
    }
}

#[test]
fn catalog_show_gives_each_fact_with_its_table() {
    let known = aoai_lint(&["catalog", "show", "gpt-chat-latest", "2026-05-28"]);
    assert_eq!(known.status.code(), Some(0), "{}", transcript(&known));
    let text = String::from_utf8(known.stdout).unwrap();
    assert!(
        text.contains("retires 2026-08-28") && text.contains("[lifecycle table of "),
        "{text}"
    );
    let unknown = aoai_lint(&["catalog", "show", "gpt4o"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("did you mean `gpt-4o`"));
    // With an overlay, what the team's file says.
    let dir = tempfile::tempdir().unwrap();
    let overlay = dir.path().join("overlay.yaml");
    std::fs::write(&overlay, "as_of: '2026-12-01'\nmodels:\n- name: gpt-7\n  version: '2026-11-30'\n  availability: {GlobalStandard: [eastus2]}\n").unwrap();
    let shown = aoai_lint(&["catalog", "show", "gpt-7", "--catalog", overlay.to_str().unwrap()]);
    let text = String::from_utf8(shown.stdout).unwrap();
    assert!(
        text.contains("GlobalStandard [availability-standard table of 2026-12-01]: eastus2"),
        "{text}"
    );
}

/// A copy of `tests/data/refresh/rules` (or of `rules/`) to refresh in place.
fn catalog_copy(from: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for file in ["models.yaml", "quotas.yaml"] {
        std::fs::copy(Path::new(from).join(file), dir.path().join(file)).unwrap();
    }
    dir
}

fn refresh(docs: &str, rules: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "catalog",
        "refresh",
        "--docs",
        docs,
        "--rules",
        rules.to_str().unwrap(),
        "--as-of",
        "2026-12-01",
    ];
    args.extend_from_slice(extra);
    aoai_lint(&args)
}

/// The report with the temporary folder's name taken out.
fn refresh_report(output: &Output, rules: &Path) -> String {
    String::from_utf8_lossy(&output.stdout).replace(rules.to_str().unwrap(), "<rules>")
}

#[test]
fn catalog_refresh_regenerates_the_catalog_from_its_tables_byte_for_byte() {
    let rules = catalog_copy("tests/data/refresh/rules");
    let output = refresh("tests/data/refresh/docs", rules.path(), &[]);
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    insta::assert_snapshot!("catalog_refresh", refresh_report(&output, rules.path()));
    for file in ["models.yaml", "quotas.yaml"] {
        let written = std::fs::read_to_string(rules.path().join(file)).unwrap();
        let expected = std::fs::read_to_string(Path::new("tests/data/refresh/expected").join(file)).unwrap();
        assert!(
            written == expected,
            "{file} differs from tests/data/refresh/expected:\n{written}"
        );
    }
    // The same tables again change nothing, to the byte.
    let again = refresh("tests/data/refresh/docs", rules.path(), &["--check"]);
    assert_eq!(again.status.code(), Some(0), "{}", transcript(&again));
    assert!(String::from_utf8_lossy(&again.stdout).ends_with("no changes\n"));
}

#[test]
fn catalog_refresh_stops_when_the_sources_disagree() {
    let rules = catalog_copy("tests/data/refresh/rules");
    let stopped = refresh("tests/data/refresh/disputed", rules.path(), &[]);
    assert_eq!(stopped.status.code(), Some(2), "{}", transcript(&stopped));
    insta::assert_snapshot!("catalog_refresh_disputed", refresh_report(&stopped, rules.path()));
    let untouched = |dir: &Path| {
        ["models.yaml", "quotas.yaml"].iter().all(|f| {
            std::fs::read(dir.join(f)).unwrap() == std::fs::read(Path::new("tests/data/refresh/rules").join(f)).unwrap()
        })
    };
    assert!(untouched(rules.path()), "nothing is written");
    // Recording the disputes does not cover a quota row for a model no table lists.
    let quota = refresh("tests/data/refresh/disputed", rules.path(), &["--record-disputes"]);
    assert_eq!(quota.status.code(), Some(2), "{}", transcript(&quota));
    assert!(untouched(rules.path()));
    // Without it, the disputes are written as disputed dates and unconfirmed cells.
    let docs = tempfile::tempdir().unwrap();
    let schedule = "articles/foundry/openai/includes/concepts-model-retirement-schedule-content.md";
    let newer = "articles/foundry/foundry-models/includes/model-matrix/deployments-standard.md";
    let older = "articles/foundry/openai/includes/model-matrix/standard-global.md";
    for file in [schedule, newer, older] {
        let target = docs.path().join(file);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::copy(Path::new("tests/data/refresh/disputed").join(file), target).unwrap();
    }
    let recorded = refresh(docs.path().to_str().unwrap(), rules.path(), &["--record-disputes"]);
    assert_eq!(recorded.status.code(), Some(0), "{}", transcript(&recorded));
    let models = std::fs::read_to_string(rules.path().join("models.yaml")).unwrap();
    assert!(
        models.contains("retirement_disputed: [\"2026-12-09\", \"2027-01-15\"]"),
        "{models}"
    );
    assert!(
        models.contains("unconfirmed_availability:\n    GlobalStandard: [westus]"),
        "{models}"
    );
}

#[test]
fn catalog_refresh_without_tables_leaves_the_shipped_catalog_as_it_is() {
    let rules = catalog_copy("rules");
    let docs = tempfile::tempdir().unwrap();
    let output = refresh(docs.path().to_str().unwrap(), rules.path(), &["--check"]);
    assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "catalog refresh as of 2026-12-01\nno changes\n"
    );
}

#[test]
fn an_object_key_written_twice_keeps_the_last_value_as_terraform_does() {
    let report = json(&["fixtures/object-duplicate-keys"]);
    assert_eq!(
        places(&report),
        [
            "AOAI508 fixtures/object-duplicate-keys/main.tf:10:1",
            "AOAI201 fixtures/object-duplicate-keys/main.tf:12:40",
        ],
        "the file is linted, and dynamic_throttling_enabled = false is accepted"
    );
    let region = first(&report, "AOAI201")["message"].as_str().unwrap();
    assert!(region.contains("swedencentral"), "{region}");
    // An argument written twice in one block stays an error, for Terraform too.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        "resource \"azurerm_cognitive_account\" \"a\" {\n  kind = \"OpenAI\"\n  kind = \"OpenAI\"\n}\n",
    )
    .unwrap();
    let twice = json(&[dir.path().to_str().unwrap()]);
    assert_eq!(first(&twice, "AOAI002")["severity"], "error");
}

#[test]
fn optional_attribute_defaults_are_applied_as_terraform_applies_them() {
    let report = json(&["fixtures/optional-defaults"]);
    let on = |rule: &str| field_of(&report, rule, "resource");
    let open = "module.openai.azurerm_cognitive_account.this[\"open\"]";
    // The defaults turn public access and API keys on where the caller said nothing...
    assert_eq!(on("AOAI501"), [open]);
    assert_eq!(on("AOAI502"), [open]);
    assert_eq!(on("AOAI503"), [open], "optional(string) without a default is null");
    // ...and a nested object's default carries its own defaults (identity SystemAssigned).
    assert!(on("AOAI505").is_empty(), "{report}");
    // A null passed to a variable that is not nullable takes the default (S0).
    assert!(on("AOAI305").is_empty());
    // Where the value came from, outermost first: the module call's argument, then the
    // default the type gave the key the caller left out.
    let keys = first(&report, "AOAI502");
    let places: Vec<(&str, u64)> = keys["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["message"].as_str().unwrap(), r["line"].as_u64().unwrap()))
        .collect();
    assert_eq!(
        places.last(),
        Some(&("default in the type of var.accounts", 5)),
        "{places:?}"
    );
}

#[test]
fn opentofu_files_are_read_and_a_tofu_file_hides_its_tf_twin() {
    let report = json(&["fixtures/opentofu"]);
    assert_eq!(
        places(&report),
        [
            "AOAI204 fixtures/opentofu/deployments.tofu.json:9:26",
            "AOAI508 fixtures/opentofu/main.tofu:1:1",
            "AOAI201 fixtures/opentofu/main.tofu:3:40",
        ],
        "main.tf (F0 in westeurope) is not read; the .tofu.json deployment is, and Standard gpt-4o is offered in swedencentral"
    );
    let region = first(&report, "AOAI201")["message"].as_str().unwrap();
    assert!(region.contains("swedencentral"), "{region}");
    assert_eq!(report["summary"]["files"], 2);
}

#[test]
fn local_modules_are_read_anywhere_inside_the_repository_and_nowhere_outside() {
    let base = tempfile::tempdir().unwrap();
    let repo = base.path().join("repo");
    let files = [
        (
            "repo/infra/envs/prod/main.tf",
            "module \"openai\" {\n  source   = \"../../modules/openai\"\n  location = \"eastus2\"\n}\nmodule \"hidden\" {\n  source = \"./.modules/dep\"\n}\nmodule \"away\" {\n  source = \"../../../../outside/mod\"\n}\n",
        ),
        (
            "repo/infra/modules/openai/main.tf",
            "variable \"location\" {}\nresource \"azurerm_cognitive_account\" \"this\" {\n  kind     = \"OpenAI\"\n  sku_name = \"F0\"\n  location = var.location\n}\n",
        ),
        (
            "repo/infra/envs/prod/.modules/dep/main.tf",
            "resource \"azurerm_cognitive_account\" \"hidden\" {\n  kind     = \"OpenAI\"\n  sku_name = \"F0\"\n  location = \"westus\"\n}\n",
        ),
        (
            "outside/mod/main.tf",
            "resource \"azurerm_cognitive_account\" \"away\" {\n  kind     = \"OpenAI\"\n  sku_name = \"F0\"\n  location = \"westus\"\n}\n",
        ),
    ];
    for (path, text) in files {
        let path = base.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_aoai-lint"))
        .args(["--format", "json", "--as-of", AS_OF, "infra/envs/prod"])
        .current_dir(&repo)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let sku = field_of(&report, "AOAI305", "file");
    // The module beside the scanned folder and the one in a hidden folder are read...
    assert_eq!(
        sku,
        ["infra/envs/prod/.modules/dep/main.tf", "infra/modules/openai/main.tf"]
    );
    // ...the one outside the repository is not, and the note says why without showing it.
    let notes = report["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    let note = notes[0]["message"].as_str().unwrap();
    assert!(
        note.contains("outside the repository") && note.contains("lint a folder that holds both"),
        "{note}"
    );
    assert!(!note.contains(base.path().to_str().unwrap()), "{note}");
    assert!(!String::from_utf8_lossy(&output.stdout).contains("\"away\""));
}

#[test]
fn a_module_not_followed_hides_attachments_only_of_the_accounts_handed_to_it() {
    let report = json(&["fixtures/unfollowed-modules"]);
    let on = |rule: &str| field_of(&report, rule, "resource");
    assert_eq!(on("AOAI508"), ["azurerm_cognitive_account.a"]);
    assert_eq!(on("AOAI501"), ["azurerm_cognitive_account.a"]);
    assert_eq!(
        report["notes"].as_array().unwrap().len(),
        2,
        "both modules are noted as not downloaded"
    );
}

#[test]
fn a_resource_with_unknown_instances_is_checked_once_for_what_they_share() {
    let report = json(&["fixtures/unknown-instances"]);
    assert_eq!(
        places(&report),
        [
            "AOAI508 fixtures/unknown-instances/main.tf:7:1",
            "AOAI201 fixtures/unknown-instances/main.tf:9:40",
            "AOAI403 fixtures/unknown-instances/main.tf:36:3",
        ],
        "the missing capacity is checked (and the single region, which the deployments do not change); the model, known per instance only, is not"
    );
    assert_eq!(
        first(&report, "AOAI403")["resource"],
        "azurerm_cognitive_deployment.this[*]"
    );
}

#[test]
fn a_variables_file_named_on_the_command_line_is_applied_as_var_file() {
    let dir = tempfile::tempdir().unwrap();
    let infra = dir.path().join("infra");
    let lone = dir.path().join("lone");
    std::fs::create_dir_all(&infra).unwrap();
    std::fs::create_dir_all(&lone).unwrap();
    std::fs::write(
        infra.join("main.tf"),
        "variable \"location\" {}\nresource \"azurerm_cognitive_account\" \"a\" {\n  kind     = \"OpenAI\"\n  sku_name = \"S0\"\n  location = var.location\n}\n",
    )
    .unwrap();
    std::fs::write(infra.join("prod.tfvars"), "location = \"westeurop\"\n").unwrap();
    std::fs::write(lone.join("x.tfvars"), "location = \"eastus2\"\n").unwrap();
    // Linted as a folder, prod.tfvars is one possible -var-file: the value stays unknown.
    let folder = json(&[infra.to_str().unwrap()]);
    assert!(places_of(&folder, &["AOAI104"]).is_empty(), "{folder}");
    // Named (as pre-commit names a changed file), it is applied.
    let named = json(&[
        infra.join("prod.tfvars").to_str().unwrap(),
        lone.join("x.tfvars").to_str().unwrap(),
    ]);
    let typo = first(&named, "AOAI104");
    assert!(typo["message"].as_str().unwrap().contains("westeurop"), "{typo}");
    assert!(
        typo["related"][0]["message"]
            .as_str()
            .unwrap()
            .contains("named on the command line"),
        "{typo}"
    );
    // A variables file beside no configuration is said, not passed over.
    let notes = named["notes"].as_array().unwrap();
    assert!(
        notes.iter().any(|n| n["message"]
            .as_str()
            .unwrap()
            .contains("beside no Terraform configuration")),
        "{notes:?}"
    );
}

#[test]
fn what_hides_accounts_is_one_unresolved_line_with_every_place_as_a_label() {
    let dir = tempfile::tempdir().unwrap();
    let calls: String = (1..=3)
        .map(|i| format!("module \"m{i}\" {{\n  source = \"git::https://example.com/m{i}.git\"\n}}\n"))
        .collect();
    let account =
        "resource \"azurerm_cognitive_account\" \"a\" {\n  kind     = \"OpenAI\"\n  location = \"eastus2\"\n}\n";
    std::fs::write(
        dir.path().join("main.tf"),
        format!("provider \"azurerm\" {{\n  features {{}}\n}}\n{calls}{account}"),
    )
    .unwrap();
    let report = json(&["--report-unknowns", dir.path().to_str().unwrap()]);
    let lines: Vec<&Value> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "AOAI001" && d["message"].as_str().unwrap().starts_with("AOAI201"))
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0]["message"].as_str().unwrap().contains("3 places"),
        "{}",
        lines[0]
    );
    assert_eq!(lines[0]["related"].as_array().unwrap().len(), 2);
}

#[test]
fn a_finding_in_a_module_shared_by_two_roots_names_each_roots_call() {
    let dir = tempfile::tempdir().unwrap();
    let call =
        "provider \"azurerm\" {\n  features {}\n}\nmodule \"openai\" {\n  source = \"../../modules/openai\"\n}\n";
    let module = "resource \"azurerm_cognitive_account\" \"this\" {\n  kind                  = \"OpenAI\"\n  sku_name              = \"S0\"\n  location              = \"eastus2\"\n  custom_subdomain_name = \"x\"\n}\n";
    for (path, text) in [
        ("envs/a/main.tf", call),
        ("envs/b/main.tf", call),
        ("modules/openai/main.tf", module),
    ] {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    let report = json(&[dir.path().join("envs").to_str().unwrap()]);
    // One finding, naming both roots and both calls.
    let found: Vec<&Value> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "AOAI502")
        .collect();
    assert_eq!(found.len(), 1, "{report}");
    assert_eq!(found[0]["configurations"].as_array().unwrap().len(), 2, "{}", found[0]);
    let callers: Vec<&str> = found[0]["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["file"].as_str().unwrap())
        .collect();
    assert!(
        callers.len() == 2 && callers[0].ends_with("envs/a/main.tf") && callers[1].ends_with("envs/b/main.tf"),
        "{callers:?}"
    );
}

#[test]
fn gitlab_code_quality_has_every_field_the_widget_needs_and_unique_fingerprints() {
    // Two instances of one resource with the same finding: fingerprints must still differ.
    let output = aoai_lint(&["--format", "gitlab", "--as-of", AS_OF, "fixtures/count"]);
    let issues: Value =
        serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{e}: {}", transcript(&output)));
    let report = json(&["fixtures/count"]);
    let issues = issues.as_array().unwrap();
    assert_eq!(issues.len(), report["diagnostics"].as_array().unwrap().len());
    let mut fingerprints = std::collections::BTreeSet::new();
    for (issue, diagnostic) in issues.iter().zip(report["diagnostics"].as_array().unwrap()) {
        assert_eq!(issue["check_name"], diagnostic["rule"]);
        assert!(
            issue["description"]
                .as_str()
                .unwrap()
                .contains(diagnostic["message"].as_str().unwrap())
        );
        let expected = match diagnostic["severity"].as_str().unwrap() {
            "error" => "major",
            "warning" => "minor",
            _ => "info",
        };
        assert_eq!(issue["severity"], expected);
        assert_eq!(issue["location"]["path"], diagnostic["file"]);
        assert_eq!(issue["location"]["lines"]["begin"], diagnostic["line"]);
        assert!(
            fingerprints.insert(issue["fingerprint"].as_str().unwrap().to_owned()),
            "{issue}"
        );
    }
}

#[test]
fn github_annotations_come_most_severe_first_with_a_step_summary() {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    std::fs::write(&summary, "earlier step\n").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_aoai-lint"))
        .args([
            "--format",
            "github",
            "--as-of",
            AS_OF,
            "fixtures/seed",
            "fixtures/eu-residency",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let levels: Vec<&str> = stdout.lines().filter_map(|l| l.split_whitespace().next()).collect();
    let rank = |level: &str| {
        ["::error", "::warning", "::notice"]
            .iter()
            .position(|l| *l == level)
            .unwrap()
    };
    assert!(levels.len() > 3 && levels.contains(&"::error"), "{stdout}");
    assert!(levels.windows(2).all(|w| rank(w[0]) <= rank(w[1])), "{levels:?}");
    let written = std::fs::read_to_string(&summary).unwrap();
    assert!(
        written.starts_with("earlier step\n### aoai-lint\n\nFound "),
        "{written}"
    );
    assert!(written.contains("| severity | rule | where | finding |"), "{written}");
    let rows: Vec<&str> = written
        .lines()
        .filter(|l| l.starts_with("| error") || l.starts_with("| warning") || l.starts_with("| info"))
        .collect();
    assert_eq!(rows.len(), levels.len(), "{written}");
    assert!(rows[0].starts_with("| error |"), "{written}");
}

#[test]
fn roots_per_region_fail_over_to_each_other_when_the_scope_is_the_repository() {
    let single_region = |args: &[&str]| {
        let mut all = args.to_vec();
        all.push("fixtures/roots-per-region");
        let report = json(&all);
        places_of(&report, &["AOAI201"])
            .into_iter()
            .zip(field_of(&report, "AOAI201", "message"))
            .map(|(place, message)| format!("{place} {message}"))
            .collect::<Vec<_>>()
    };
    // Each root on its own is one region.
    let per_root = single_region(&["--config", "fixtures/roots-per-region/per-configuration.aoai-lint.yaml"]);
    assert_eq!(per_root.len(), 2, "{per_root:?}");
    // Together (the fixture's own .aoai-lint.yaml), they span two.
    assert_eq!(single_region(&[]), Vec::<String>::new());
    // And a model deployed by one root only has nowhere to fail over (AOAI202), which each
    // root alone, one region each, cannot tell.
    let together = json(&["fixtures/roots-per-region"]);
    assert_eq!(
        field_of(&together, "AOAI202", "message"),
        [
            "`gpt-4o` is deployed in eastus2 only, though the run's configurations also have accounts in swedencentral (fixtures/roots-per-region/envs/prod-swedencentral)"
        ]
    );
    let alone = json(&[
        "--config",
        "fixtures/roots-per-region/per-configuration.aoai-lint.yaml",
        "fixtures/roots-per-region",
    ]);
    assert!(field_of(&alone, "AOAI202", "message").is_empty());
    // Nothing in the run routes between the two regions (AOAI203, once for the run) ...
    assert_eq!(
        field_of(&together, "AOAI203", "message"),
        [
            "the run's configurations have accounts in 2 regions (eastus2 (fixtures/roots-per-region/envs/prod-eastus2), swedencentral (fixtures/roots-per-region/envs/prod-swedencentral)) but nothing in the run routes between them"
        ]
    );
    assert!(field_of(&alone, "AOAI203", "message").is_empty());
    // ... until a third root routes, through accounts it reads as data sources.
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("repo");
    let status = Command::new("cp")
        .arg("-r")
        .arg("fixtures/roots-per-region")
        .arg(&copy)
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::create_dir_all(copy.join("envs/global")).unwrap();
    std::fs::write(
        copy.join("envs/global/main.tf"),
        "data \"azurerm_cognitive_account\" \"east\" {\n  name                = \"oai-eastus2\"\n  resource_group_name = \"rg-openai\"\n}\nresource \"azurerm_api_management_backend\" \"east\" {\n  name = \"east\"\n  url  = \"${data.azurerm_cognitive_account.east.endpoint}openai\"\n}\n",
    )
    .unwrap();
    let routed = json(&[copy.to_str().unwrap()]);
    assert!(field_of(&routed, "AOAI203", "message").is_empty(), "{routed}");
    // Asked for three, the findings say which configuration holds which other region.
    let dir = tempfile::tempdir().unwrap();
    let three = dir.path().join("three.yaml");
    std::fs::write(
        &three,
        "policy:\n  resiliency:\n    scope: repository\n    min_regions: 3\n",
    )
    .unwrap();
    let three = single_region(&["--config", three.to_str().unwrap()]);
    assert_eq!(three.len(), 2, "{three:?}");
    assert!(
        three[0].ends_with("is in eastus2: one region is a single point of failure (the run's other configurations add only swedencentral (fixtures/roots-per-region/envs/prod-swedencentral))"),
        "{three:?}"
    );
}

#[test]
fn a_finding_in_a_module_several_roots_call_names_every_root_it_was_found_through() {
    let report = json(&["fixtures/roots-per-region"]);
    let shared = first(&report, "AOAI501");
    assert_eq!(
        shared["configurations"],
        serde_json::json!([
            "fixtures/roots-per-region/envs/prod-eastus2",
            "fixtures/roots-per-region/envs/prod-swedencentral"
        ])
    );
    assert_eq!(report["summary"]["configurations"], 2);
    // Findings that differ by root stay apart, each naming its own.
    let per_root = json(&[
        "--config",
        "fixtures/roots-per-region/per-configuration.aoai-lint.yaml",
        "fixtures/roots-per-region",
    ]);
    let roots: Vec<Value> = per_root["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "AOAI201")
        .map(|d| d["configurations"].clone())
        .collect();
    assert_eq!(
        roots,
        [
            serde_json::json!(["fixtures/roots-per-region/envs/prod-eastus2"]),
            serde_json::json!(["fixtures/roots-per-region/envs/prod-swedencentral"])
        ]
    );
    // A finding in a root's own files names none.
    assert!(
        first(&json(&["fixtures/seed"]), "AOAI201")
            .get("configurations")
            .is_none()
    );
    // SARIF carries them as a result property.
    let output = aoai_lint(&["--format", "sarif", "--as-of", AS_OF, "fixtures/roots-per-region"]);
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let with = results.iter().find(|r| r["ruleId"] == "AOAI501").unwrap();
    assert_eq!(with["properties"]["configurations"].as_array().unwrap().len(), 2);
}

#[test]
fn terragrunt_units_are_configurations_of_their_module_with_their_inputs() {
    let report = json(&["fixtures/terragrunt"]);
    // Each unit judges the module with its own location; each finding names its unit, and
    // the location's origin is the unit's input.
    let single = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "AOAI201")
        .map(|d| {
            (
                d["configurations"].clone(),
                d["related"][0]["file"].clone(),
                d["related"][0]["message"].clone(),
            )
        })
        .collect::<Vec<_>>();
    assert_eq!(
        single,
        [
            (
                serde_json::json!(["fixtures/terragrunt/live/prod/eastus2/openai"]),
                serde_json::json!("fixtures/terragrunt/live/prod/eastus2/openai/terragrunt.hcl"),
                serde_json::json!("var.location set by the Terragrunt unit's inputs")
            ),
            (
                serde_json::json!(["fixtures/terragrunt/live/prod/swedencentral/openai"]),
                serde_json::json!("fixtures/terragrunt/live/prod/swedencentral/openai/terragrunt.hcl"),
                serde_json::json!("var.location set by the Terragrunt unit's inputs")
            ),
        ]
    );
    // The root file's inputs reach the module (the resource group, the deployed model), a
    // dependency's output stays unknown, and the module is not linted again on its own.
    assert_eq!(report["summary"]["configurations"], 2);
    assert_eq!(
        first(&report, "AOAI501")["configurations"].as_array().unwrap().len(),
        2,
        "one finding for both units"
    );
    // A unit whose module comes from git is said, not linted.
    let notes: Vec<&str> = report["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["file"].as_str().unwrap())
        .collect();
    assert!(
        notes.contains(&"fixtures/terragrunt/live/prod/westus/openai/terragrunt.hcl"),
        "{notes:?}"
    );
    // With the repository as the resiliency scope, the two units fail over to each other.
    let dir = tempfile::tempdir().unwrap();
    let scope = dir.path().join("scope.yaml");
    std::fs::write(&scope, "policy:\n  resiliency:\n    scope: repository\n").unwrap();
    let together = json(&["--config", scope.to_str().unwrap(), "fixtures/terragrunt"]);
    assert!(field_of(&together, "AOAI201", "message").is_empty());
}

/// A scratch repository (with `.git`) holding the Terragrunt fixture's module at `path`.
fn repository_with_module(path: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(repo.join(path)).unwrap();
    std::fs::copy(
        "fixtures/terragrunt/modules/openai/main.tf",
        repo.join(path).join("main.tf"),
    )
    .unwrap();
    (dir, repo)
}

/// The AOAI104 finding a unit's misspelt `westeurop` gives, checked to be that one.
fn westeurop_unknown(report: &Value) -> &Value {
    let unknown = first(report, "AOAI104");
    let message = unknown["message"].as_str().unwrap();
    assert!(message.starts_with("`westeurop` is not an Azure region"), "{unknown}");
    unknown
}

#[test]
fn terragrunt_functions_resolve_inside_the_repository() {
    let (_dir, repo) = repository_with_module("modules/openai");
    std::fs::write(
        repo.join("terragrunt.hcl"),
        "inputs = {\n  resource_group_name = \"rg-${path_relative_to_include()}\"\n  models = []\n}\n",
    )
    .unwrap();
    std::fs::create_dir_all(repo.join("live/eastus2")).unwrap();
    std::fs::write(
        repo.join("live/eastus2/terragrunt.hcl"),
        "include {\n  path = find_in_parent_folders()\n}\nlocals {\n  region = \"westeurop\"\n}\nterraform {\n  source = \"${get_repo_root()}/modules//openai\"\n}\ninputs = {\n  location = local.region\n}\n",
    )
    .unwrap();
    let report = json(&[repo.to_str().unwrap()]);
    // The misspelt region came through a local of the unit, in a module found from the
    // repository's root.
    let unknown = westeurop_unknown(&report);
    assert!(
        unknown["configurations"][0]
            .as_str()
            .unwrap()
            .ends_with("repo/live/eastus2"),
        "{unknown}"
    );
}

#[test]
fn terragrunt_exposed_includes_and_read_terragrunt_config_are_read_and_bounded() {
    let (_dir, repo) = repository_with_module("modules/openai");
    // An environment file: exposed to the unit, its own inputs not merged (`no_merge`).
    std::fs::write(
        repo.join("env.hcl"),
        "locals {\n  region = \"westeurop\"\n  group  = \"rg-env\"\n}\ninputs = {\n  location = \"eastus2\"\n}\n",
    )
    .unwrap();
    std::fs::create_dir_all(repo.join("live/a")).unwrap();
    std::fs::write(
        repo.join("live/a/terragrunt.hcl"),
        "include \"env\" {\n  path           = find_in_parent_folders(\"env.hcl\")\n  expose         = true\n  merge_strategy = \"no_merge\"\n}\n\
         locals {\n  cfg  = read_terragrunt_config(find_in_parent_folders(\"env.hcl\"))\n  self = read_terragrunt_config(\"terragrunt.hcl\")\n}\n\
         terraform {\n  source = \"../../modules//openai\"\n}\n\
         inputs = {\n  location            = include.env.locals.region\n  resource_group_name = local.cfg.locals.group\n  models              = []\n}\n",
    )
    .unwrap();
    let report = json(&[repo.to_str().unwrap()]);
    // The region came through the exposed include, not through the file's own inputs
    // (which `no_merge` leaves out); reading itself ended.
    westeurop_unknown(&report);
}

#[test]
fn a_terragrunt_unit_with_a_git_source_is_read_from_its_cache() {
    let (_dir, repo) = repository_with_module("live/eastus2/.terragrunt-cache/k3Xa/Qm9z/openai");
    let unit = repo.join("live/eastus2");
    std::fs::write(
        unit.join("terragrunt.hcl"),
        "terraform {\n  source = \"git::https://example.com/org/modules.git//openai?ref=v1.0.0\"\n}\ninputs = {\n  location            = \"westeurop\"\n  resource_group_name = \"rg\"\n  models              = []\n}\n",
    )
    .unwrap();
    let report = json(&[repo.to_str().unwrap()]);
    let unknown = first(&report, "AOAI104");
    assert!(
        unknown["file"]
            .as_str()
            .unwrap()
            .contains(".terragrunt-cache/k3Xa/Qm9z/openai/main.tf"),
        "{unknown}"
    );
    assert!(
        unknown["configurations"][0].as_str().unwrap().ends_with("live/eastus2"),
        "{unknown}"
    );
    // Two versions in the cache: which one Terragrunt uses is not known, so neither is read.
    let second = unit.join(".terragrunt-cache/k3Xa/Zz01/openai");
    std::fs::create_dir_all(&second).unwrap();
    std::fs::copy("fixtures/terragrunt/modules/openai/main.tf", second.join("main.tf")).unwrap();
    let report = json(&[repo.to_str().unwrap()]);
    assert!(field_of(&report, "AOAI104", "message").is_empty());
    assert_eq!(report["notes"].as_array().unwrap().len(), 1, "{report}");
}

#[test]
fn across_roots_an_account_of_unknown_region_keeps_single_region_silent() {
    // Asked for three regions, the two roots fall short, unless a third root's account,
    // whose region is not known, is in a third one: nothing is said.
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("repo");
    let status = Command::new("cp")
        .arg("-r")
        .arg("fixtures/roots-per-region")
        .arg(&copy)
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::write(
        copy.join(".aoai-lint.yaml"),
        "policy:\n  resiliency:\n    scope: repository\n    min_regions: 3\n",
    )
    .unwrap();
    assert_eq!(
        field_of(&json(&[copy.to_str().unwrap()]), "AOAI201", "message").len(),
        2
    );
    std::fs::create_dir_all(copy.join("envs/other")).unwrap();
    std::fs::write(
        copy.join("envs/other/main.tf"),
        "provider \"azurerm\" {\n  features {}\n}\nvariable \"location\" {}\nmodule \"openai\" {\n  source   = \"../../modules/openai\"\n  location = var.location\n}\n",
    )
    .unwrap();
    assert!(field_of(&json(&[copy.to_str().unwrap()]), "AOAI201", "message").is_empty());
}
