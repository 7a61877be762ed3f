//! The pipeline from paths to findings, stage by stage, each in its own file:
//!
//! 1. discover the module directories and read every file (`read.rs`);
//! 2. plan the roots: which directories are shared modules, which are roots (`read.rs`,
//!    `roots.rs`);
//! 3. evaluate and check each configuration, and settle its findings (`configuration.rs`;
//!    `plan_mode.rs` for `--plan`, `variables.rs` for `--var`, `--var-file`, `TF_VAR_*`,
//!    `hide.rs` for values never shown);
//! 4. settle the run: its own problems, unused comments, the report's order (`settle.rs`,
//!    `order.rs`).
//!
//! The report is rendered by `report` from the [`Outcome`].

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use rayon::prelude::*;

use crate::catalog::Catalog;
use crate::diagnostic::Finding;
use crate::discover;
use crate::eval::module;
use crate::eval::{Budget, Note};
use crate::facts::Configuration;
use crate::parse::Limits;
use crate::policy::Policy;
use crate::rules;
use crate::source::SourceMap;
use crate::suppress;

mod configuration;
pub mod fixing;
mod hide;
mod order;
mod plan_mode;
mod pool;
mod read;
mod roots;
mod settle;
mod variables;

pub use pool::WORKER_PREFIX;
pub use read::load_overlay;

/// Everything a run needs besides the files.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub limits: Limits,
    pub budget: Budget,
    /// `-var-file` and `-var` in the order given: later ones win, as in Terraform.
    pub variables: Vec<VariableArg>,
    pub policy: Policy,
    /// "Today" for date-based rules: `--as-of`, else the current date (UTC).
    pub today: Option<jiff::civil::Date>,
    pub rules: rules::RuleSettings,
    /// A team's own catalog file, laid over the embedded one.
    pub catalog_overlay: Option<PathBuf>,
    /// Paths the configuration excludes.
    pub exclude: Option<discover::Exclude>,
    /// Ignore comments must give a reason to waive anything.
    pub require_reason: bool,
    /// Show a progress line on stderr when the tree is large (an interactive terminal).
    pub progress: bool,
    /// Worker threads (default: one per core, or `RAYON_NUM_THREADS`).
    pub threads: Option<usize>,
    /// Keep every configuration's facts in the outcome (tests read them); a run does not
    /// need them once the rules have run.
    pub keep_configurations: bool,
    /// Lint this plan (`terraform show -json`) instead of evaluating; the first path is its
    /// configuration, for positions and suppressions.
    pub plan: Option<PathBuf>,
    /// Keep the findings ignore comments waive, with the comment (`--show-suppressed`); a
    /// run that does not show them drops them as they are waived.
    pub show_suppressed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VariableArg {
    File(PathBuf),
    /// `name=value` as written.
    Assignment(String),
}

/// An error that stops the run before anything is linted (exit code 2).
#[derive(Debug)]
pub struct RunError(pub String);

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RunError {}

pub struct Outcome {
    pub sources: SourceMap,
    pub findings: crate::diagnostic::Findings,
    /// Findings an ignore comment waived, with the comment.
    pub suppressed: Vec<(Finding, crate::parse::syntax::Suppression)>,
    pub notes: Vec<Note>,
    /// Only with `Options::keep_configurations`.
    pub configurations: Vec<Configuration>,
    /// Terraform files found, and how many of them parsed.
    pub files_found: usize,
    pub files_parsed: usize,
    /// `--plan` was given and could not be read: the run linted nothing.
    pub plan_failed: bool,
    /// Module directories found, configurations evaluated, and how long each stage took.
    pub directories: usize,
    pub roots: usize,
    pub timings: crate::progress::Timings,
    /// The Terragrunt units evaluated, their folders as shown (`--verbose` lists them).
    pub units: Vec<String>,
    /// The most steps and bytes built by one configuration, and the bounds each had.
    pub most_work: crate::eval::Work,
    pub budget: crate::eval::Budget,
    /// The dates of the catalog's tables the run checked against (an overlay's included).
    pub catalog_tables: crate::catalog::Tables,
}

impl Outcome {
    /// Nothing could be linted: every file found failed to read or parse.
    pub fn nothing_linted(&self) -> bool {
        self.plan_failed || (self.files_found > 0 && self.files_parsed == 0)
    }
}

/// The most modules one job takes. Rayon splits an iterator into a few large pieces and
/// splits a piece further only when another thread steals it; the last piece runs on one
/// thread to its end while the others wait (on 10,000 modules one core sat idle for a tenth
/// of the run). Small jobs keep every core busy to the end, at a negligible cost per job.
const MODULES_PER_JOB: usize = 4;

/// Configurations evaluated one after another and then checked together, check by check
/// (`rules::check_each`): enough that a check's code stays in the processor's caches across
/// them, few enough that their facts stay in a core's own cache (8 to 16 measured alike on
/// 10,000 modules, 6% to 12% off the full lint's time; 32 slower again).
const CONFIGURATIONS_PER_BATCH: usize = 12;

/// The most configurations' findings one job waives, sorts or filters (tiny work each).
pub(crate) const PARTS_PER_JOB: usize = 64;

pub fn run(options: &Options) -> Result<Outcome, RunError> {
    run_then(options, |outcome| outcome)?
}

/// [`run`], and then `then` with its outcome on the run's own worker threads: a report
/// rendered in parallel needs no second pool, and a caller that ends the process from
/// `then` does not first wait for the threads to end (5 ms less on 1,000 modules, 28-45 ms
/// on 10,000, in paired runs).
pub fn run_then<T: Send>(
    options: &Options,
    then: impl FnOnce(Result<Outcome, RunError>) -> T + Send,
) -> Result<T, RunError> {
    pool::in_pool(options, || then(run_in_pool(options)))
}

/// Discovery and parsing alone, the floor the full lint is measured against
/// (`benches/run.sh`): the number of files parsed, and the files read. The caller keeps them
/// to the end of the process, as the full lint keeps its own: freeing 40 MB of text a file
/// at a time is no part of parsing, and the full lint never does it (`exit_at_once`).
pub fn parse_only(options: &Options) -> Result<(usize, SourceMap), RunError> {
    pool::in_pool(options, || -> Result<(usize, SourceMap), RunError> {
        let sources = SourceMap::default();
        let discovery = discover::discover(&options.paths, options.exclude.as_ref())
            .map_err(|e| RunError(format!("{}: {}", e.path.display(), e.error)))?;
        let parsed: usize = discovery
            .modules
            .par_iter()
            .with_max_len(MODULES_PER_JOB)
            .map(|dir| {
                let (module, problems) = module::load(dir, &sources, options.limits);
                drop(module);
                dir.tf_files.len() - problems.len().min(dir.tf_files.len())
            })
            .sum();
        Ok((parsed, sources))
    })?
}

fn run_in_pool(options: &Options) -> Result<Outcome, RunError> {
    let mut timings = crate::progress::Timings::default();
    let started = std::time::Instant::now();
    let sources = SourceMap::default();

    // 1. Discover: the module directories, and the catalog (read while the tree is walked).
    let (discovery, catalog) = read::discover_and_load_catalog(options)?;
    let lap = timings.lap("discover", started);
    let counters = Arc::new(crate::progress::Counters::default());
    let directories = discovery.modules.len();
    counters.directories.store(directories, Ordering::Relaxed);
    let display = (options.progress && directories >= crate::progress::LARGE_TREE)
        .then(|| crate::progress::Display::start(Arc::clone(&counters)));
    let catalog = catalog.as_ref().unwrap_or_else(|| Catalog::embedded());
    let mut found = read::skipped(&discovery, &sources);
    let cli = variables::cli_variables(&options.variables, &options.paths, &sources)?;
    let notes = read::lone_var_file_notes(&discovery, &sources);

    // 2. Read every file, and plan the roots: the directories another one may call are
    //    parsed and shared; every other one is a root, streamed in step 3.
    let mut tree = read::read_and_plan(&discovery, options, &sources, &counters);
    let mut notes = notes;
    notes.append(&mut tree.notes);
    let units: Vec<String> = tree.units.iter().map(|u| crate::source::display_path(&u.dir)).collect();
    let mut files_failed = tree.files_failed;
    found.extend(tree.problems);
    counters.configurations.store(directories.max(1), Ordering::Relaxed);
    let today = options
        .today
        .unwrap_or_else(|| jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date());
    let waiving = suppress::Policy {
        today,
        rules: &options.rules,
        require_reason: options.require_reason,
    };

    // 3. Evaluate and check each configuration, and settle its findings while they are hot.
    let checker = configuration::Checker {
        options,
        sources: &sources,
        catalog,
        today,
        cli: &cli,
        // Every directory may turn out to be a configuration: each gets its share of the run's.
        budget: options.budget.per_configuration(directories),
        waiving: &waiving,
        shared_waivers: suppress::Waivers::new(&tree.shared_suppressions, &waiving),
        modules: &tree.modules,
        counters: &counters,
    };
    let mut plan_failed = false;
    let checked = match &options.plan {
        Some(plan) => match checker.plan(plan) {
            Ok(checked) => checked,
            Err(problem) => {
                plan_failed = true;
                found.push(*problem);
                configuration::Checked::default()
            }
        },
        None => checker.stream(tree.own_dirs, &tree.shared_calls, std::mem::take(&mut tree.units)),
    };
    files_failed += checked.files_failed;
    found.extend(checked.problems);
    let lap = timings.lap("parse, evaluate and check", lap);
    let shared_used = checker.shared_waivers.used();
    drop(tree.modules);

    // 4. Settle the run: its own problems, the comments nobody used, the report order.
    let settled = settle::settle(settle::Run {
        sources: &sources,
        options,
        catalog,
        waiving: &waiving,
        found,
        notes,
        suppressions: [tree.shared_suppressions, checked.own_suppressions].concat(),
        used: [shared_used, checked.own_used].concat(),
        configurations: checked.configurations,
    });
    drop(display);
    timings.lap("suppress and sort", lap);
    let files_found = discovery.modules.iter().map(|m| m.tf_files.len()).sum::<usize>();
    Ok(Outcome {
        catalog_tables: catalog.tables.clone(),
        sources,
        findings: settled.findings,
        suppressed: settled.suppressed,
        notes: settled.notes,
        configurations: settled.configurations,
        files_found,
        files_parsed: files_found - files_failed,
        plan_failed,
        directories,
        roots: settled.roots,
        timings,
        most_work: settled.most_work,
        units,
        budget: options.budget.per_configuration(directories),
    })
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::{Options, run};

    const REGIONS: &[&str] = &[
        "eastus2",
        "swedencentral",
        "westeurope",
        "francecentral",
        "westeurop",
        "var.region",
    ];
    const MODELS: &[(&str, &str)] = &[
        ("gpt-4o", "2024-11-20"),
        ("gpt-4.1", "2025-04-14"),
        ("text-embedding-3-large", "1"),
    ];

    /// One account (and maybe a deployment) per generated tuple.
    fn resource(i: usize, region: &str, keys: bool, model: Option<(&str, &str)>) -> String {
        let location = if region.starts_with("var.") {
            region.to_owned()
        } else {
            format!("\"{region}\"")
        };
        let mut text = format!(
            "resource \"azurerm_cognitive_account\" \"a{i}\" {{\n  name     = \"a{i}\"\n  kind     = \"OpenAI\"\n  sku_name = \"S0\"\n  location = {location}\n  local_auth_enabled = {keys}\n}}\n"
        );
        if let Some((name, version)) = model {
            text.push_str(&format!(
                "resource \"azurerm_cognitive_deployment\" \"d{i}\" {{\n  name                 = \"d{i}\"\n  cognitive_account_id = azurerm_cognitive_account.a{i}.id\n  model {{\n    format  = \"OpenAI\"\n    name    = \"{name}\"\n    version = \"{version}\"\n  }}\n  sku {{\n    name     = \"GlobalStandard\"\n    capacity = 10\n  }}\n}}\n"
            ));
        }
        text
    }

    /// (rule, resource, message, line, column) of every finding, files written under `names`.
    fn lint(files: &[String], names: &[&str], threads: usize) -> Vec<(String, String, String, usize, usize)> {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut written = vec![(
            "variables.tf",
            "variable \"region\" {\n  default = \"swedencentral\"\n}\n",
        )];
        written.extend(names.iter().copied().zip(files.iter().map(String::as_str)));
        crate::testing::write_files(dir.path(), &written);
        let outcome = run(&Options {
            paths: vec![dir.path().to_path_buf()],
            today: Some("2026-11-24".parse().expect("a date")),
            threads: Some(threads),
            ..Options::default()
        })
        .expect("the run succeeds");
        outcome
            .findings
            .iter()
            .map(|f| {
                let file = outcome.sources.get(f.primary.span.file);
                let at = file.line_col(f.primary.span.start as usize);
                (
                    f.rule.id.to_owned(),
                    f.resource.as_deref().unwrap_or_default().to_owned(),
                    f.message.to_string(),
                    at.line,
                    at.column,
                )
            })
            .collect()
    }

    fn sorted<T: Ord>(mut v: Vec<T>) -> Vec<T> {
        v.sort();
        v
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        #[test]
        fn findings_do_not_depend_on_file_order_or_thread_count(
            accounts in prop::collection::vec(
                (prop::sample::select(REGIONS), any::<bool>(), prop::option::of(prop::sample::select(MODELS))),
                1..7,
            ),
        ) {
            let mut files = vec![String::new(), String::new(), String::new()];
            for (i, (region, keys, model)) in accounts.iter().enumerate() {
                files[i % 3].push_str(&resource(i, region, *keys, *model));
            }
            let forward = lint(&files, &["a.tf", "b.tf", "c.tf"], 1);
            prop_assert!(!forward.is_empty(), "every generated account has findings");
            // The same contents under names that sort the other way, on more threads: the
            // same findings, and in the same order for the same file names.
            let backward = lint(&files, &["c.tf", "b.tf", "a.tf"], 4);
            prop_assert_eq!(sorted(forward.clone()), sorted(backward));
            prop_assert_eq!(forward, lint(&files, &["a.tf", "b.tf", "c.tf"], 3));
        }
    }
}

#[cfg(test)]
mod streaming {
    use super::{Options, run};

    const ACCOUNT: &str = "resource \"azurerm_cognitive_account\" \"this\" {\n  name     = \"a\"\n  kind     = \"OpenAI\"\n  sku_name = \"S0\"\n  location = \"westeurop\"\n}\n";

    /// Which resources AOAI104 (unknown region) names: one per evaluated instance.
    fn unknown_region_resources(files: &[(&str, &str)]) -> Vec<String> {
        let dir = tempfile::tempdir().expect("a temporary directory");
        crate::testing::write_files(dir.path(), files);
        let outcome = run(&Options {
            paths: vec![dir.path().to_path_buf()],
            ..Options::default()
        })
        .expect("the run succeeds");
        let mut resources: Vec<String> = outcome
            .findings
            .iter()
            .filter(|f| f.rule.id == "AOAI104")
            .filter_map(|f| f.resource.as_deref().map(str::to_owned))
            .collect();
        resources.sort();
        resources
    }

    #[test]
    fn shared_configurations_are_merged_among_the_streamed_ones_in_path_order() {
        let evaluated = |dirs: &[&str]| -> Vec<super::configuration::Evaluated> {
            dirs.iter()
                .map(|dir| super::configuration::Evaluated {
                    regions: None,
                    failover: None,
                    routing: None,
                    work: crate::eval::Work::default(),
                    dir: std::path::PathBuf::from(dir),
                    config: None,
                    found: Vec::new(),
                    waived: Vec::new(),
                    notes: Vec::new(),
                })
                .collect()
        };
        let dirs = |merged: Vec<super::configuration::Evaluated>| -> Vec<String> {
            merged.iter().map(|e| e.dir.display().to_string()).collect()
        };
        // `/r/a/z` sorts before `/r/a-b` by path (components), after it by bytes.
        let streamed = evaluated(&["/r/a/z", "/r/a-b", "/r/c"]);
        let shared = evaluated(&["/r/a", "/r/a/zz", "/r/b", "/r/d"]);
        assert_eq!(
            dirs(super::roots::merged_by_dir(streamed, shared)),
            ["/r/a", "/r/a/z", "/r/a/zz", "/r/a-b", "/r/b", "/r/c", "/r/d"]
        );
        assert_eq!(
            dirs(super::roots::merged_by_dir(evaluated(&["/r/x"]), Vec::new())),
            ["/r/x"]
        );
        assert_eq!(
            dirs(super::roots::merged_by_dir(Vec::new(), evaluated(&["/r/y"]))),
            ["/r/y"]
        );
    }

    #[test]
    fn shared_roots_are_the_uncalled_directories_and_one_of_each_cycle_nothing_reaches() {
        use std::collections::BTreeMap;
        use std::path::PathBuf;
        let shared: BTreeMap<PathBuf, Vec<PathBuf>> = [
            ("/r/modules/a", vec!["/r/modules/b", "/r/modules/a"]),
            ("/r/modules/b", vec![]),
            ("/r/cycle/one", vec!["/r/cycle/two"]),
            ("/r/cycle/two", vec!["/r/cycle/one"]),
            ("/r/reached/one", vec!["/r/reached/two"]),
            ("/r/reached/two", vec!["/r/reached/one"]),
            ("/r/alone", vec![]),
            ("/r/self", vec!["/r/self"]),
        ]
        .into_iter()
        .map(|(dir, targets)| (PathBuf::from(dir), targets.into_iter().map(PathBuf::from).collect()))
        .collect();
        // What the streamed roots call: a shared module, one of a cycle, and a directory
        // outside the scan.
        let called_by_streamed: Vec<PathBuf> = ["/r/modules/a", "/r/reached/two", "/elsewhere/x"]
            .into_iter()
            .map(PathBuf::from)
            .collect();
        let found: Vec<String> = super::roots::shared_roots(&shared, &called_by_streamed)
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        assert_eq!(found, ["/r/alone", "/r/cycle/one", "/r/self"]);
    }

    #[test]
    fn mentioned_paths_are_the_quoted_ones_that_start_with_a_dot_and_exist() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        crate::testing::write_files(
            dir.path(),
            &[
                (
                    "app/main.tf",
                    "module \"a\" {\n  source = \"./a\"\n}\nmodule \"b\" { source = \"../b\" }\n\
                     locals {\n  not_quoted = ./c\n  three_dots = \".../b\"\n  gone = \"./missing\"\n  note = \"see ../b\"\n}\n",
                ),
                ("app/a/main.tf", ""),
                ("b/main.tf", ""),
                ("app/c/main.tf", ""),
            ],
        );
        let sources = crate::source::SourceMap::default();
        let app = crate::discover::ModuleDir {
            dir: dir.path().join("app").canonicalize().expect("a directory"),
            tf_files: vec![dir.path().join("app/main.tf")],
            var_files: Vec::new(),
            has_terraform_dir: false,
        };
        let read = crate::eval::module::read(&app, &sources, crate::parse::Limits::default());
        let root = dir.path().canonicalize().expect("a directory");
        assert_eq!(
            super::read::mentioned_local_paths(&read, &sources),
            [root.join("app/a"), root.join("b")]
        );
    }

    #[test]
    fn called_modules_are_judged_through_their_callers_and_others_stream_as_roots() {
        let found = unknown_region_resources(&[
            (
                "app1/main.tf",
                "module \"oai\" {\n  source = \"../modules/openai\"\n}\n",
            ),
            (
                "app2/main.tf",
                "module \"oai\" {\n  source = \"../modules/openai\"\n}\nmodule \"again\" {\n  source = \"../modules/openai\"\n}\n",
            ),
            ("modules/openai/main.tf", ACCOUNT),
            // Looks like a call to ../standalone, but is only a description: standalone is a
            // root of its own all the same.
            (
                "docs/main.tf",
                "locals {\n  note = \"see ../standalone\"\n  path = \"../standalone\"\n}\n",
            ),
            ("standalone/main.tf", ACCOUNT),
            // Two modules calling each other: evaluated once, from the cycle.
            ("cycle-a/main.tf", "module \"b\" {\n  source = \"../cycle-b\"\n}\n"),
            (
                "cycle-b/main.tf",
                &format!("module \"a\" {{\n  source = \"../cycle-a\"\n}}\n{ACCOUNT}"),
            ),
        ]);
        assert!(
            found.contains(&"azurerm_cognitive_account.this".to_owned()),
            "{found:?}"
        );
        assert_eq!(
            found
                .iter()
                .filter(|r| r.as_str() == "module.oai.azurerm_cognitive_account.this")
                .count(),
            1,
            "{found:?}"
        );
        assert!(
            found.contains(&"module.again.azurerm_cognitive_account.this".to_owned()),
            "{found:?}"
        );
        assert_eq!(
            found
                .iter()
                .filter(|r| r.as_str() == "azurerm_cognitive_account.this")
                .count(),
            1,
            "the called module is not a root of its own; standalone is: {found:?}"
        );
    }
}
