//! Hostile input through the real binary: every case ends with a diagnostic and an exit
//! code, never a panic, a hang or a stack overflow.

use std::process::{Command, Output};

fn lint_dir(files: &[(&str, &[u8])]) -> (Output, String) {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    lint_path(dir.path(), "compact")
}

/// The binary over `path` in `format`: its output and stdout followed by stderr.
fn lint_path(path: &std::path::Path, format: &str) -> (Output, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_aoai-lint"))
        .args(["--no-color", "--format", format])
        .arg(path)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output, text)
}

fn account_with(attribute_line: &str) -> String {
    format!(
        "resource \"azurerm_cognitive_account\" \"a\" {{\n{attribute_line}\n  kind = \"OpenAI\"\n  custom_subdomain_name = \"a\"\n  local_auth_enabled = false\n}}\n"
    )
}

#[test]
fn deep_nesting_is_a_parse_error() {
    let brackets = format!("locals {{\n  x = {}{}\n}}\n", "[".repeat(100_000), "]".repeat(100_000));
    let templates = format!(
        "locals {{\n  x = {}1{}\n}}\n",
        "\"${".repeat(50_000),
        "}\"".repeat(50_000)
    );
    for text in [brackets, templates] {
        let (output, report) = lint_dir(&[("main.tf", text.as_bytes())]);
        assert_eq!(output.status.code(), Some(2), "{report}");
        assert!(report.contains("nesting depth"), "{report}");
    }
}

#[test]
fn an_object_too_large_to_parse_is_refused_and_the_rest_is_linted() {
    // The parser's time grows with the square of one object's entries: at this size, minutes.
    let entries: String = (0..200_000).map(|i| format!("    k{i} = \"v\"\n")).collect();
    let large = format!("locals {{\n  m = {{\n{entries}  }}\n}}\n");
    let (output, report) = lint_dir(&[
        ("large.tf", large.as_bytes()),
        ("main.tf", account_with("  location = \"westeurop\"").as_bytes()),
    ]);
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert!(
        report.contains("large.tf:2:7: error[AOAI002] an object with more than 10000 entries"),
        "{report}"
    );
    assert!(report.contains("main.tf:2:14: error[AOAI104]"), "{report}");
}

#[test]
fn nul_bytes_and_invalid_utf8_are_reported_and_the_rest_is_linted() {
    let (output, report) = lint_dir(&[
        ("nul.tf", b"locals {\n  x = 1\n}\n\x00\x00"),
        ("latin1.tf", b"# caf\xe9\n"),
        ("main.tf", account_with("  location = \"westeurop\"").as_bytes()),
    ]);
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert!(report.contains("nul.tf:4:1: error[AOAI002]"), "{report}");
    assert!(report.contains("latin1.tf:1:6: error[AOAI002]"), "{report}");
    assert!(report.contains("main.tf:2:14: error[AOAI104]"), "{report}");
}

#[test]
fn crlf_and_bom_keep_positions_right() {
    let text = format!(
        "\u{feff}{}",
        account_with("  location = \"westeurop\"").replace('\n', "\r\n")
    );
    let (_, report) = lint_dir(&[("main.tf", text.as_bytes())]);
    assert!(report.contains("main.tf:2:14: error[AOAI104]"), "{report}");
}

#[test]
fn a_label_far_right_on_a_long_line_renders_without_a_snippet() {
    let text = account_with(&format!("{}location = \"westeurop\"", " ".repeat(70_000)));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), text).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_aoai-lint"))
        .args(["--no-color"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("main.tf:2:70012"), "{stdout}");
}

#[test]
fn huge_expansions_stop_at_the_bound() {
    let text = "resource \"azurerm_cognitive_account\" \"a\" {\n  for_each = toset([for i in range(100000) : tostring(i)])\n  kind = \"OpenAI\"\n  location = \"eastus\"\n}\n";
    let (output, report) = lint_dir(&[("main.tf", text.as_bytes())]);
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert!(
        report.contains("warning[AOAI005]") && report.contains("100000 instances"),
        "{report}"
    );
}

#[test]
fn a_huge_substring_length_is_no_panic() {
    let text = account_with("  location = substr(\"eastus2\", 0, 1e300)");
    let (output, report) = lint_dir(&[("main.tf", text.as_bytes())]);
    assert_ne!(output.status.code(), Some(101), "{report}");
    assert!(
        report.contains("eastus2"),
        "the substring is the whole string: {report}"
    );
}

#[test]
fn a_locals_cycle_is_reported() {
    let (_, report) = lint_dir(&[("main.tf", b"locals {\n  a = local.b\n  b = local.a\n}\n")]);
    assert!(report.contains("main.tf:2:3: warning[AOAI005]"), "{report}");
}

#[test]
fn broken_and_deeply_nested_terraform_json_is_reported_and_the_rest_is_linted() {
    let deep = format!(
        "{{\"locals\": {{\"x\": {}{}}}}}",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let (output, report) = lint_dir(&[
        ("deep.tf.json", deep.as_bytes()),
        ("broken.tf.json", b"{\n  \"resource\": {\n}\n"),
        ("not-an-object.tf.json", b"[1, 2]"),
        ("main.tf", account_with("  location = \"westeurop\"").as_bytes()),
    ]);
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert!(report.contains("deep.tf.json:1:"), "{report}");
    assert!(report.contains("broken.tf.json:4:1: error[AOAI002]"), "{report}");
    assert!(
        report.contains("not-an-object.tf.json:1:1: error[AOAI002] a Terraform JSON file must hold one object"),
        "{report}"
    );
    assert!(report.contains("main.tf:2:14: error[AOAI104]"), "{report}");
}

#[test]
fn a_ten_megabyte_file_is_linted_and_a_larger_one_is_refused_unread() {
    // 10 MB of ordinary Terraform (the default limit is 10 MiB) ends with one account.
    let mut big = String::with_capacity(10_100_000);
    let mut i = 0;
    while big.len() < 10_000_000 {
        big.push_str(&format!(
            "locals {{\n  value_{i} = {{ name = \"n{i}\", count = {i}, tags = [\"a\", \"b\"] }}\n}}\n"
        ));
        i += 1;
    }
    big.push_str(&account_with("  location = \"westeurop\""));
    // The account's six lines end the file; its location is the second.
    let location_line = big.lines().count() - 4;
    let (output, report) = lint_dir(&[("big.tf", big.as_bytes())]);
    assert_eq!(output.status.code(), Some(1), "{}", &report[..report.len().min(2000)]);
    assert!(
        report.contains(&format!("big.tf:{location_line}:14: error[AOAI104]")),
        "{}",
        &report[..report.len().min(2000)]
    );

    let huge = "#".repeat(11 * 1024 * 1024);
    let (output, report) = lint_dir(&[
        ("huge.tf", huge.as_bytes()),
        ("main.tf", account_with("  location = \"eastus2\"").as_bytes()),
    ]);
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert!(
        report.contains("huge.tf:1:1: error[AOAI002]") && report.contains("over the limit"),
        "{report}"
    );
}

#[test]
fn a_symlink_out_of_the_root_is_never_read_so_its_content_cannot_leak() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("secret.tf"),
        "locals {\n  token = \"TOP-SECRET-VALUE\"\n  x = [\n}\n",
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret.tf"), dir.path().join("creds.tf")).unwrap();
    std::os::unix::fs::symlink(outside.path(), dir.path().join("escape")).unwrap();
    std::fs::write(dir.path().join("main.tf"), account_with("  location = \"eastus2\"")).unwrap();
    for format in ["human", "json", "sarif"] {
        let (_, text) = lint_path(dir.path(), format);
        assert!(!text.contains("TOP-SECRET-VALUE"), "{format}: {text}");
        assert!(text.contains("outside the scanned directory"), "{format}: {text}");
    }
}

#[test]
fn an_unreadable_file_is_reported_and_the_rest_is_linted() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("locked.tf");
    std::fs::write(&locked, "locals {}\n").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let readable = std::fs::read(&locked).is_ok();
    std::fs::write(dir.path().join("main.tf"), account_with("  location = \"westeurop\"")).unwrap();
    let (_, text) = lint_path(dir.path(), "compact");
    if readable {
        // Running as root, permissions do not stop reads: the file is simply linted.
        assert!(!text.contains("locked.tf"), "{text}");
    } else {
        assert!(text.contains("locked.tf:1:1: error[AOAI002]"), "{text}");
    }
    assert!(text.contains("error[AOAI104]"), "{text}");
}

/// A pull request chooses module sources, labels and values: none of them may reach a
/// terminal as an escape sequence or the GitHub runner as a command, in any text format.
#[test]
fn escape_sequences_and_runner_commands_from_the_code_are_never_printed_raw() {
    let text = "module \"x\" {\n  source = \"git::https://e.example/##[stop-commands]zzz\"\n}\nresource \"azurerm_cognitive_account\" \"a\" {\n  kind     = \"OpenAI\"\n  location = \"\\u001b]0;pwned\\u0007westus\"\n}\n";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), text).unwrap();
    for format in ["human", "compact", "github"] {
        let (output, report) = lint_path(dir.path(), format);
        assert_eq!(output.status.code(), Some(1), "{format}: {report}");
        assert!(
            report.contains("stop-commands") && report.contains("pwned"),
            "{format}: shown, defused: {report}"
        );
        assert!(!report.contains("##["), "{format}: {report}");
        assert!(
            !report.contains('\u{1b}') && !report.contains('\u{7}'),
            "{format}: {report}"
        );
        let commands = report.lines().filter(|l| l.trim_start().starts_with("::"));
        assert!(
            commands
                .clone()
                .all(|l| ["::error ", "::warning ", "::notice "].iter().any(|c| l.starts_with(c))),
            "{format}: {report}"
        );
    }
}

/// CI sets TF_VAR_* from secrets for `terraform plan`; a pull request that routes one into a
/// value the linter prints (in any case) must not get it into any output, SARIF and the
/// baseline file included. The finding says `(value of var.NAME, not shown)` instead.
#[test]
fn a_secret_from_tf_var_never_reaches_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let text = "variable \"client_secret\" {}\nresource \"azurerm_cognitive_account\" \"a\" {\n  kind     = \"OpenAI\"\n  location = upper(var.client_secret)\n}\n";
    std::fs::write(dir.path().join("main.tf"), text).unwrap();
    let secret = "Sup3rS3cret!x";
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_aoai-lint"))
            .args(args)
            .arg(dir.path())
            .env("TF_VAR_client_secret", secret)
            .output()
            .unwrap()
    };
    for format in ["human", "compact", "json", "sarif", "github", "checkstyle", "junit"] {
        let output = run(&["--no-color", "--format", format]);
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!all.to_lowercase().contains(&secret.to_lowercase()), "{format}: {all}");
        // The finding is still made, and names the variable instead (human output wraps).
        let words: Vec<&str> = all.split_whitespace().filter(|w| *w != "│").collect();
        assert!(
            words.join(" ").contains("(value of var.client_secret, not shown)"),
            "{format}: {all}"
        );
    }
    let baseline = dir.path().join("baseline.json");
    run(&["--write-baseline", baseline.to_str().unwrap()]);
    let written = std::fs::read_to_string(&baseline).unwrap();
    assert!(!written.to_lowercase().contains(&secret.to_lowercase()), "{written}");
}

/// The GitHub runner's reading of a step log (actions/runner: `ActionCommand.TryParseV2`,
/// then the legacy `##[` parser, with `stop-commands`): the commands it would act on, as
/// (name, payload). Lines end at `\r\n`, `\r` or `\n`, as .NET's `ReadLine` ends them.
fn runner_commands(log: &str) -> Vec<(String, String)> {
    const KNOWN: &[&str] = &[
        "stop-commands",
        "set-env",
        "set-output",
        "save-state",
        "add-mask",
        "add-path",
        "debug",
        "warning",
        "error",
        "notice",
        "group",
        "endgroup",
        "echo",
        "add-matcher",
        "remove-matcher",
    ];
    let known = |name: &str| KNOWN.contains(&name.to_lowercase().as_str());
    let v2 = |line: &str| -> Option<(String, String)> {
        let line = line.trim_start();
        let rest = line.strip_prefix("::")?;
        let end = rest.find("::")?;
        let name = rest[..end].split(' ').next()?;
        known(name).then(|| (name.to_owned(), rest[end + 2..].to_owned()))
    };
    let v1 = |line: &str| -> Option<(String, String)> {
        let start = line.find("##[")?;
        let close = start + line[start..].find(']')?;
        let name = line[start + 3..close].split(' ').next()?;
        known(name).then(|| (name.to_owned(), line[close + 1..].to_owned()))
    };
    let mut stopped: Option<String> = None;
    let mut commands = Vec::new();
    for line in log.split("\r\n").flat_map(|l| l.split(['\r', '\n'])) {
        let Some((name, payload)) = v2(line).or_else(|| v1(line)) else {
            continue;
        };
        if let Some(token) = &stopped {
            if name.eq_ignore_ascii_case(token) {
                stopped = None;
            }
            continue;
        }
        if name.eq_ignore_ascii_case("stop-commands") {
            stopped = Some(payload.clone());
        }
        commands.push((name, payload));
    }
    commands
}

/// Under GitHub Actions, no text from the scanned code becomes a command the runner obeys:
/// every command in the log is an annotation the linter meant, in every text format.
#[test]
fn under_github_actions_the_runner_obeys_only_the_linters_own_annotations() {
    let text = "module \"x\" {\n  source = \"git::https://e.example/##[stop-commands]zzz\"\n}\n\
        resource \"azurerm_cognitive_account\" \"a\\n::warning::pwned\" {\n  kind     = \"OpenAI\"\n  location = \"##[warning]pwned\\r::error::pwned\\u001b]0;pwned\\u0007\"\n}\n";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.tf"), text).unwrap();
    for format in [
        "human",
        "compact",
        "github",
        "json",
        "sarif",
        "gitlab",
        "checkstyle",
        "junit",
    ] {
        let output = Command::new(env!("CARGO_BIN_EXE_aoai-lint"))
            .args(["--no-color", "--format", format])
            .arg(dir.path())
            .env("GITHUB_ACTIONS", "true")
            .output()
            .unwrap();
        let log = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(log.contains("pwned"), "{format}: the hostile text is shown: {log}");
        for (name, payload) in runner_commands(&log) {
            assert!(
                ["warning", "error", "notice"].contains(&name.as_str()) && !payload.trim_start().starts_with("pwned"),
                "{format}: the runner would obey {name} {payload:?}:\n{log}"
            );
        }
    }
    // The model itself sees what it must: a raw log line of each kind is a command.
    let raw = "x ##[stop-commands]zzz\n::warning::pwned\r::error::pwned";
    assert_eq!(
        runner_commands(raw).len(),
        1,
        "after stop-commands, nothing else counts"
    );
    assert_eq!(runner_commands("::warning::pwned\rx ##[error]pwned").len(), 2);
}
