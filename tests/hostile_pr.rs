//! A pull request is an attacker: inputs of a few hundred bytes made to exhaust memory or
//! time, each linted by the real binary under a memory limit (`ulimit -v`) and a deadline
//! the harness enforces (the child is killed past it). Every one must end with a finding
//! that names the bound it reached, and the rest of the run must go on.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Address space of the linter's process. Every input here, unbounded, took several
/// gigabytes or aborted; bounded, the largest takes a few hundred megabytes.
const MEMORY_KIB: u64 = 1 << 20;

/// Past this the child is killed and the test fails: a hang, not a slow machine.
const DEADLINE: Duration = Duration::from_secs(120);

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn write_tree(root: &Path, files: &[(&str, String)]) {
    for (name, text) in files {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// The binary over a tree of `files`, limited in memory and time.
fn lint_bounded(files: &[(&str, String)]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let tree = dir.path().join("repo");
    write_tree(&tree, files);
    run_bounded(None, &[tree.as_os_str()])
}

/// The binary with `args` (after `--no-color --format compact`), limited in memory and time;
/// under `strace` (its log, every file the process opened, goes to `trace`) when given.
fn run_bounded(trace: Option<&Path>, args: &[&std::ffi::OsStr]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let (out_path, err_path) = (dir.path().join("stdout"), dir.path().join("stderr"));
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(format!("ulimit -v {MEMORY_KIB} && exec \"$0\" \"$@\""));
    if let Some(trace) = trace {
        command
            .args(["strace", "-f", "-qq", "-e", "trace=open,openat,openat2", "-o"])
            .arg(trace);
    }
    let mut child = command
        .arg(env!("CARGO_BIN_EXE_aoai-lint"))
        .args(["--no-color", "--format", "compact"])
        .args(args)
        .stdout(Stdio::from(std::fs::File::create(&out_path).unwrap()))
        .stderr(Stdio::from(std::fs::File::create(&err_path).unwrap()))
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > DEADLINE {
            child.kill().unwrap();
            panic!("the linter did not end within {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
    Run {
        code: status.code(),
        stdout: read(&out_path),
        stderr: read(&err_path),
    }
}

/// Ended normally (findings: exit 1), reporting `bound` as AOAI005.
fn assert_bounded(run: &Run, bound: &str) {
    assert_eq!(run.code, Some(1), "{}{}", run.stdout, run.stderr);
    assert!(
        run.stdout
            .lines()
            .any(|l| l.contains("warning[AOAI005]") && l.contains(bound)),
        "expected an AOAI005 saying {bound:?}:\n{}",
        run.stdout
    );
}

/// An account whose location is misspelt: proof that linting went on past the bound.
fn account(location: &str) -> String {
    format!(
        "resource \"azurerm_cognitive_account\" \"a\" {{\n  kind = \"OpenAI\"\n  location = \"{location}\"\n  custom_subdomain_name = \"a\"\n  local_auth_enabled = false\n}}\n"
    )
}

fn assert_went_on(run: &Run) {
    assert!(run.stdout.contains("error[AOAI104]"), "{}", run.stdout);
}

#[test]
fn strings_doubled_forty_times_stop_at_the_string_bound() {
    let mut text = String::from("locals {\n  l0 = \"aaaaaaaa\"\n");
    for i in 1..=40 {
        text.push_str(&format!("  l{i} = \"${{local.l{p}}}${{local.l{p}}}\"\n", p = i - 1));
    }
    text.push_str("}\n");
    let run = lint_bounded(&[("main.tf", text), ("account.tf", account("westeurop"))]);
    assert_bounded(&run, "more than the limit of 1 MiB");
    assert_went_on(&run);
}

#[test]
fn nested_replace_and_join_are_refused_before_they_are_made() {
    let replace = "locals {\n  s0 = join(\"\", [for i in range(1000) : \"a\"])\n  s1 = replace(local.s0, \"a\", local.s0)\n  s2 = replace(local.s1, \"a\", local.s1)\n  s3 = replace(local.s2, \"a\", local.s2)\n}\n";
    let run = lint_bounded(&[("main.tf", replace.to_owned()), ("account.tf", account("westeurop"))]);
    assert_bounded(&run, "a string of 1000000000000 bytes");
    assert_went_on(&run);
    let join = "locals {\n  a = join(\",\", [for i in range(100000) : join(\",\", range(100000))])\n}\n";
    // Each inner string is inside the bound; the hundred thousand of them are not.
    let run = lint_bounded(&[("main.tf", join.to_owned()), ("other/main.tf", account("westeurop"))]);
    assert_bounded(&run, "evaluation built more than 128 MiB");
    assert_went_on(&run);
}

#[test]
fn a_for_over_ranges_stops_at_the_memory_bound() {
    let text = "locals {\n  x = [for i in range(100000) : range(100000)]\n}\n";
    let run = lint_bounded(&[("main.tf", text.to_owned()), ("other/main.tf", account("westeurop"))]);
    assert_bounded(&run, "evaluation built more than 128 MiB of values");
    assert_went_on(&run);
}

#[test]
fn a_range_whose_step_is_below_its_precision_ends() {
    let text = "locals {\n  r = range(1e16, 10000000000000004)\n}\n";
    let run = lint_bounded(&[("main.tf", text.to_owned()), ("account.tf", account("westeurop"))]);
    assert_eq!(run.code, Some(1), "{}", run.stdout);
    assert_went_on(&run);
}

#[test]
fn modules_that_call_themselves_or_each_other_are_not_followed() {
    let self_call = |count: u32| {
        format!(
            "module \"m\" {{\n  source = \"./\"\n  count = {count}\n}}\n{}",
            account("westeurop")
        )
    };
    for count in [2, 100] {
        let run = lint_bounded(&[("main.tf", self_call(count))]);
        assert_bounded(&run, "already on its own call path");
        // Once, for the root's own account: not once per module instance.
        assert_eq!(run.stdout.matches("error[AOAI104]").count(), 1, "{}", run.stdout);
    }
    let calls = |target: &str| {
        (1..=3)
            .map(|i| format!("module \"{target}{i}\" {{\n  source = \"../{target}\"\n}}\n"))
            .collect::<String>()
    };
    let run = lint_bounded(&[
        ("main.tf", "module \"a\" {\n  source = \"./a\"\n}\n".to_owned()),
        ("a/main.tf", format!("{}{}", calls("b"), account("westeurop"))),
        ("b/main.tf", calls("a")),
    ]);
    assert_bounded(&run, "already on its own call path");
    assert_went_on(&run);
}

#[test]
fn counts_multiplied_through_modules_stop_at_the_instance_bounds() {
    for (modules, bound) in [
        (10_000, "past 10000 module instances"),
        (5_000, "past 50000 resource and module instances"),
    ] {
        let run = lint_bounded(&[
            (
                "main.tf",
                format!("module \"m\" {{\n  source = \"./m\"\n  count = {modules}\n}}\n"),
            ),
            ("m/main.tf", account("westeurop").replace("{\n", "{\n  count = 10000\n")),
        ]);
        assert_bounded(&run, bound);
    }
}

#[test]
fn two_hundred_thousand_module_blocks_end_at_the_module_bound() {
    let calls: String = (0..200_000)
        .map(|i| format!("module \"m{i}\" {{\n  source = \"./m\"\n}}\n"))
        .collect();
    let run = lint_bounded(&[
        ("main.tf", calls),
        ("m/main.tf", "variable \"x\" {\n  default = 1\n}\n".to_owned()),
        ("other/main.tf", account("westeurop")),
    ]);
    assert_bounded(&run, "past 10000 module instances");
    assert_eq!(run.stdout.matches("AOAI005").count(), 1, "reported once");
    assert_went_on(&run);
}

#[test]
fn override_files_with_a_hundred_thousand_attributes_merge_in_linear_time() {
    let attributes = |value: u32| (0..100_000).map(|i| format!("  a{i} = {value}\n")).collect::<String>();
    let run = lint_bounded(&[
        (
            "main.tf",
            account("westeurop").replace("{\n", &format!("{{\n{}", attributes(1))),
        ),
        (
            "main_override.tf",
            format!("resource \"azurerm_cognitive_account\" \"a\" {{\n{}}}\n", attributes(2)),
        ),
    ]);
    assert_eq!(run.code, Some(1), "{}", run.stdout);
    assert_went_on(&run);
}

#[test]
fn a_megabyte_location_is_shown_by_its_start_and_length() {
    let location = "westeuropx".repeat(100_000);
    let run = lint_bounded(&[("main.tf", account(&location))]);
    let line = run.stdout.lines().find(|l| l.contains("error[AOAI104]")).unwrap();
    assert!(line.contains("…` (1000000 bytes) is not an Azure region"), "{line}");
    // Every line of the report, whatever quotes the value, stays short.
    assert!(
        run.stdout.lines().all(|l| l.len() < 2_500),
        "a line is longer than a message may be"
    );
}

#[test]
fn many_roots_of_heavy_work_share_one_budget_for_the_run() {
    // Each root alone is inside one configuration's bounds; twenty of them are not inside
    // the run's, so each stops at its share (of steps or of bytes built, whichever first).
    let heavy = "locals {\n  x = [for i in range(1100) : [for j in range(1100) : j]]\n}\n";
    let mut files: Vec<(String, String)> = (0..20)
        .map(|i| (format!("r{i:02}/main.tf"), heavy.to_owned()))
        .collect();
    files.push(("z/main.tf".to_owned(), account("westeurop")));
    let files: Vec<(&str, String)> = files.iter().map(|(n, t)| (n.as_str(), t.clone())).collect();
    let run = lint_bounded(&files);
    let stopped = run
        .stdout
        .lines()
        .filter(|l| l.contains("warning[AOAI005] evaluation"))
        .count();
    assert_eq!(stopped, 20, "{}", run.stdout);
    let alone = lint_bounded(&[("main.tf", heavy.to_owned())]);
    assert_eq!(alone.code, Some(0), "{}", alone.stdout);
    assert_went_on(&run);
}

// ----- files outside the repository ---------------------------------------------------------

/// A repository (`repo`, with `.git`) beside a file it must never read (`secret`), whose
/// text is a marker that must never reach any output.
struct Planted {
    _dir: tempfile::TempDir,
    repo: std::path::PathBuf,
    secret: std::path::PathBuf,
}

const MARKER: &str = "MARKER-7f3a-not-for-output";

fn planted() -> Planted {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().canonicalize().unwrap();
    let repo = base.join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::write(repo.join("main.tf"), account("westeurop")).unwrap();
    let secret = base.join("secret");
    std::fs::write(&secret, format!("{MARKER}: {MARKER}\n")).unwrap();
    Planted {
        _dir: dir,
        repo,
        secret,
    }
}

fn assert_refused(run: &Run, what: &str) {
    assert_eq!(run.code, Some(2), "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains(what), "{}", run.stderr);
    assert!(
        !run.stdout.contains(MARKER) && !run.stderr.contains(MARKER),
        "{}{}",
        run.stdout,
        run.stderr
    );
}

fn symlink(target: &Path, link: &Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

#[test]
fn a_configuration_file_leading_outside_the_repository_is_refused_unread() {
    let p = planted();
    symlink(&p.secret, &p.repo.join(".aoai-lint.yaml"));
    let trace = p.repo.parent().unwrap().join("trace");
    // Where strace exists and may trace (containers may forbid ptrace).
    let strace = Command::new("strace")
        .args(["-f", "-qq", "-o", "/dev/null", "true"])
        .output()
        .is_ok_and(|o| o.status.success());
    let run = run_bounded(strace.then_some(trace.as_path()), &[p.repo.as_os_str()]);
    assert_refused(&run, ".aoai-lint.yaml: leads outside the repository");
    if strace {
        let opened = std::fs::read_to_string(&trace).unwrap();
        assert!(
            !opened.contains(p.secret.to_str().unwrap()),
            "the secret was opened:\n{opened}"
        );
    }
    // The user may name any file: the same file given with --config is read (and is no
    // configuration file, which is said without quoting it). The trace sees it opened, so
    // the check above would have seen it too.
    let run = run_bounded(
        strace.then_some(trace.as_path()),
        &["--config".as_ref(), p.secret.as_os_str(), p.repo.as_os_str()],
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    if strace {
        let opened = std::fs::read_to_string(&trace).unwrap();
        assert!(opened.contains(p.secret.to_str().unwrap()), "{opened}");
    }
}

#[test]
fn a_catalog_the_configuration_names_outside_the_repository_or_not_a_file_is_refused() {
    let p = planted();
    let fifo = p.repo.join("fifo.yaml");
    let made_fifo = Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
    let mut targets = vec![
        (p.secret.to_str().unwrap().to_owned(), "leads outside the repository"),
        ("/dev/zero".to_owned(), "leads outside the repository"),
        ("/dev/stdin".to_owned(), "leads outside the repository"),
        ("/proc/self/environ".to_owned(), "leads outside the repository"),
    ];
    if made_fifo {
        targets.push(("fifo.yaml".to_owned(), "not a regular file"));
    }
    for (catalog, why) in targets {
        std::fs::write(p.repo.join(".aoai-lint.yaml"), format!("catalog: {catalog}\n")).unwrap();
        let run = run_bounded(None, &[p.repo.as_os_str()]);
        assert_refused(&run, why);
    }
    // On the command line, the user's choice: a FIFO is still not read (it would hang).
    if made_fifo {
        std::fs::remove_file(p.repo.join(".aoai-lint.yaml")).unwrap();
        let run = run_bounded(None, &["--catalog".as_ref(), fifo.as_os_str(), p.repo.as_os_str()]);
        assert_refused(&run, "not a regular file");
    }
}

#[test]
fn a_committed_terraform_folder_leading_outside_is_not_read() {
    let p = planted();
    let outside = p.repo.parent().unwrap().join("outside");
    std::fs::create_dir_all(outside.join("modules/x")).unwrap();
    std::fs::write(outside.join("modules/x/main.tf"), account(MARKER)).unwrap();
    std::fs::write(
        outside.join("modules/modules.json"),
        r#"{"Modules":[{"Key":"x","Source":"registry.terraform.io/a/b/c","Dir":".terraform/modules/x"}]}"#,
    )
    .unwrap();
    std::fs::write(p.repo.join("mod.tf"), "module \"x\" {\n  source = \"a/b/c\"\n}\n").unwrap();
    symlink(&outside, &p.repo.join(".terraform"));
    let run = run_bounded(None, &[p.repo.as_os_str()]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        !run.stdout.contains(MARKER) && !run.stdout.contains("outside"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains(".terraform/modules leads outside its folder and is not read"),
        "{}",
        run.stderr
    );
    assert_went_on(&run);
}

// ----- values from outside the repository -------------------------------------------------

/// Every format's output for `args` over `repo`, joined, with human output's wrapping and
/// frame undone.
fn every_format(repo: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut all = String::new();
    for format in [
        "human",
        "compact",
        "json",
        "sarif",
        "github",
        "checkstyle",
        "junit",
        "gitlab",
    ] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_aoai-lint"));
        command.args(["--no-color", "--format", format]).args(args).arg(repo);
        for (k, v) in env {
            command.env(k, v);
        }
        let output = command.output().unwrap();
        assert_ne!(
            output.status.code(),
            Some(2),
            "{format}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        all.push_str(&String::from_utf8_lossy(&output.stdout));
        all.push_str(&String::from_utf8_lossy(&output.stderr));
    }
    let words: Vec<&str> = all.split_whitespace().filter(|w| *w != "│").collect();
    words.join(" ")
}

#[test]
fn values_from_outside_the_repository_or_sensitive_are_named_never_shown() {
    let p = planted();
    std::fs::write(
        p.repo.join("main.tf"),
        "variable \"region\" {}\nvariable \"key\" {\n  sensitive = true\n  default   = \"sensitive-region-value\"\n}\n\
         resource \"azurerm_cognitive_account\" \"a\" {\n  kind = \"OpenAI\"\n  location = format(\"%s-x\", upper(var.region))\n}\n\
         resource \"azurerm_cognitive_account\" \"b\" {\n  kind = \"OpenAI\"\n  location = substr(var.key, 0, 20)\n}\n",
    )
    .unwrap();
    let secret = format!("{MARKER}-from-ci");
    // From the environment, and from --var.
    let shown = every_format(&p.repo, &[], &[("TF_VAR_region", &secret)]);
    assert!(shown.contains("(value of var.region, not shown)"), "{shown}");
    assert!(!shown.to_lowercase().contains(&MARKER.to_lowercase()), "{shown}");
    // A sensitive variable's value is named too: the messages never quote it (a snippet of
    // the repository's own file may show where it is written).
    assert!(shown.contains("(value of var.key, not shown)"), "{shown}");
    let compact = run_bounded(None, &[p.repo.as_os_str()]).stdout;
    assert!(!compact.contains("sensitive-region-value"), "{compact}");
    let var = format!("region={secret}");
    let shown = every_format(&p.repo, &["--var", &var], &[]);
    assert!(shown.contains("(value of var.region, not shown)"), "{shown}");
    assert!(!shown.to_lowercase().contains(&MARKER.to_lowercase()), "{shown}");
    // A variables file outside the repository is hidden; one inside is the repository's own.
    let outside = p.repo.parent().unwrap().join("ci.tfvars");
    std::fs::write(&outside, format!("region = \"{secret}\"\n")).unwrap();
    let shown = every_format(&p.repo, &["--var-file", outside.to_str().unwrap()], &[]);
    assert!(shown.contains("(value of var.region, not shown)"), "{shown}");
    assert!(!shown.to_lowercase().contains(&MARKER.to_lowercase()), "{shown}");
    let inside = p.repo.join("dev.tfvars");
    std::fs::write(&inside, "region = \"westeurop\"\n").unwrap();
    let shown = every_format(&p.repo, &["--var-file", inside.to_str().unwrap()], &[]);
    assert!(shown.contains("`westeurop-x` is not an Azure region"), "{shown}");
    assert!(!shown.contains("(value of var.region"), "{shown}");
}

#[test]
fn a_hidden_value_read_through_an_azapi_body_is_named_never_shown() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        "variable \"sku\" {}\nresource \"azapi_resource\" \"a\" {\n  type      = \"Microsoft.CognitiveServices/accounts@2024-10-01\"\n  name      = \"a\"\n  parent_id = \"x\"\n  location  = \"eastus\"\n  body = {\n    kind       = \"OpenAI\"\n    sku        = { name = var.sku }\n    properties = {}\n  }\n}\n",
    )
    .unwrap();
    let var = format!("sku={MARKER}");
    let shown = every_format(dir.path(), &["--var", &var], &[]);
    assert!(shown.contains("(value of var.sku, not shown)"), "{shown}");
    assert!(!shown.to_lowercase().contains(&MARKER.to_lowercase()), "{shown}");
}

#[test]
fn a_value_a_plan_marks_sensitive_is_named_never_shown() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "sensitiveregionvalue";
    let plan = format!(
        r#"{{"format_version": "1.2", "planned_values": {{"root_module": {{"resources": [{{
  "address": "azurerm_cognitive_account.a", "mode": "managed", "type": "azurerm_cognitive_account", "name": "a",
  "values": {{"kind": "OpenAI", "location": "{secret}", "sku_name": "S0"}},
  "sensitive_values": {{"location": true}}
}}]}}}}}}
"#
    );
    std::fs::write(dir.path().join("plan.json"), plan).unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let plan_path = dir.path().join("plan.json");
    let all = every_format(&empty, &["--plan", plan_path.to_str().unwrap()], &[]);
    assert!(!all.contains(secret), "{all}");
    assert!(
        all.contains("(value of azurerm_cognitive_account.a.location, not shown)"),
        "{all}"
    );
}

#[test]
fn nine_thousand_instances_sharing_one_written_value_are_fixed_in_linear_time() {
    // Each instance's fix asks what its siblings want and who else reads the variable: asked
    // once per place and per module, not once per instance (quadratic: half a minute in a
    // release build, past the deadline in a debug one).
    let deployments = "variable \"model_version\" {\n  default = \"0125-preview\"\n}\n\
        resource \"azurerm_cognitive_account\" \"b\" {\n  kind                  = \"OpenAI\"\n  location              = \"eastus2\"\n  custom_subdomain_name = \"b\"\n  local_auth_enabled    = false\n}\n\
        resource \"azurerm_cognitive_deployment\" \"d\" {\n  count                = 9000\n  name                 = \"d${count.index}\"\n  cognitive_account_id = azurerm_cognitive_account.b.id\n\
          model {\n    format  = \"OpenAI\"\n    name    = \"gpt-4\"\n    version = var.model_version\n  }\n\
          sku {\n    name     = \"Standard\"\n    capacity = 40\n  }\n}\n";
    let padding: String = (0..10_000).map(|i| format!("# {i} {}\n", "x".repeat(90))).collect();
    let run = lint_bounded(&[
        ("main.tf", account("westeurop")),
        ("deployments.tf", deployments.to_owned()),
        ("padding.tf", padding),
    ]);
    assert!(run.stdout.contains("error[AOAI302]"), "{}", run.stdout);
    assert_went_on(&run);
}
