//! The GitHub Action's script run as GitHub would run it (inputs in the environment), and
//! the pre-commit and action definitions checked for the properties they promise.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// PATH with the freshly built binary first, as the install step leaves it.
fn path_with_binary() -> String {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_aoai-lint"));
    format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

fn run_action(env: &[(&str, &str)], output_file: &Path) -> std::process::Output {
    let mut command = Command::new("bash");
    command
        .arg(root().join("scripts/action-run.sh"))
        .current_dir(root())
        .env("PATH", path_with_binary())
        .env("GITHUB_OUTPUT", output_file)
        .env("GITHUB_ACTION_PATH", root());
    for (key, value) in env {
        command.env(key, value);
    }
    command.output().unwrap()
}

#[test]
fn the_action_annotates_writes_sarif_and_fails_on_findings() {
    let dir = tempfile::tempdir().unwrap();
    let outputs = dir.path().join("github_output");
    let sarif = dir.path().join("report.sarif");
    let output = run_action(
        &[
            ("AOAI_LINT_PATHS", "fixtures/seed"),
            ("AOAI_LINT_SARIF_FILE", sarif.to_str().unwrap()),
        ],
        &outputs,
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(
        stdout
            .lines()
            .any(|l| l.starts_with("::warning file=fixtures/seed/main.tf,")),
        "{stdout}"
    );
    let written = std::fs::read_to_string(&outputs).unwrap();
    assert_eq!(written.trim(), format!("sarif-file={}", sarif.display()));
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    assert_eq!(report["version"], "2.1.0");
    // A clean configuration passes, and fail-on can relax the step.
    assert_eq!(
        run_action(
            &[("AOAI_LINT_PATHS", "fixtures/clean"), ("AOAI_LINT_SARIF", "false")],
            &outputs
        )
        .status
        .code(),
        Some(0)
    );
    let relaxed = run_action(
        &[
            ("AOAI_LINT_PATHS", "fixtures/seed"),
            ("AOAI_LINT_FAIL_ON", "never"),
            ("AOAI_LINT_SARIF", "false"),
        ],
        &outputs,
    );
    assert_eq!(relaxed.status.code(), Some(0));
}

#[test]
fn inputs_cannot_inject_shell_code() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("pwned");
    let hostile = format!("$(touch {}); `touch {}`", marker.display(), marker.display());
    let output = run_action(
        &[
            ("AOAI_LINT_PATHS", "fixtures/clean"),
            ("AOAI_LINT_CONFIG", &hostile),
            ("AOAI_LINT_SARIF", "false"),
        ],
        &dir.path().join("out"),
    );
    assert_eq!(output.status.code(), Some(2), "the config file does not exist");
    assert!(!marker.exists(), "an input ran as a command");
}

#[test]
fn the_action_lints_every_line_of_a_multi_line_paths_input() {
    let dir = tempfile::tempdir().unwrap();
    let output = run_action(
        &[
            ("AOAI_LINT_PATHS", "fixtures/clean\nfixtures/seed\n"),
            ("AOAI_LINT_SARIF", "false"),
            ("AOAI_LINT_FORMAT", "compact"),
        ],
        &dir.path().join("out"),
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("fixtures/seed/main.tf"),
        "the second line is linted: {stdout}"
    );
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn the_action_does_not_write_sarif_through_a_symbolic_link() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("precious");
    std::fs::write(&target, "keep me").unwrap();
    let link = dir.path().join("aoai-lint.sarif");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let output = run_action(
        &[
            ("AOAI_LINT_PATHS", "fixtures/seed"),
            ("AOAI_LINT_SARIF_FILE", link.to_str().unwrap()),
        ],
        &dir.path().join("out"),
    );
    assert_eq!(
        output.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep me");
}

#[test]
fn the_action_metadata_is_yaml_with_every_input_described() {
    let text = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let action: serde_json::Value = serde_saphyr::from_str(&text).expect("action.yml is YAML");
    let inputs = action["inputs"].as_object().expect("inputs");
    assert!(inputs.contains_key("config"), "{inputs:?}");
    for (name, input) in inputs {
        assert!(input["description"].is_string(), "input {name} has no description");
    }
    assert_eq!(action["runs"]["using"], "composite");
}

#[test]
fn the_action_passes_inputs_to_scripts_only_through_the_environment() {
    let action = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let mut in_run = false;
    for line in action.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("run:") {
            in_run = true;
            assert!(!trimmed.contains("${{"), "expression inside run: {line}");
        } else if in_run && (trimmed.starts_with("- ") || trimmed.starts_with("env:") || trimmed.starts_with("with:")) {
            in_run = false;
        }
        if in_run {
            assert!(!line.contains("${{"), "expression inside a script: {line}");
        }
    }
}

#[test]
fn the_pre_commit_hooks_lint_terraform_files() {
    let hooks = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let ids = [
        "id: aoai-lint\n",
        "id: aoai-lint-system\n",
        "id: aoai-lint-fix\n",
        "id: aoai-lint-fix-system\n",
    ];
    for id in ids {
        assert!(hooks.contains(id), "{id} missing");
    }
    assert!(hooks.contains("language: rust") && hooks.contains("language: system"));
    let pattern = r"files: (\.(tf|tf\.json|tofu|tofu\.json|tfvars|tfvars\.json)|(^|/)\.aoai-lint\.ya?ml)$";
    assert_eq!(
        hooks.matches(pattern).count(),
        ids.len(),
        "every hook takes Terraform, OpenTofu and config files"
    );
    // File names come after `--`, so that one named like an option is a path.
    assert_eq!(hooks.matches("args: [\"--\"]").count(), 2);
    assert_eq!(hooks.matches("args: [\"--fix\", \"--\"]").count(), 2);
}
