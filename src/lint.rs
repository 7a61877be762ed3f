//! The pipeline from paths to findings: discover → parse → evaluate → extract → rules.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::catalog::Catalog;
use crate::diagnostic::{Finding, Label};
use crate::discover;
use crate::eval::downloads::Downloads;
use crate::eval::module::Mode;
use crate::eval::module::{self, ModuleSyntax, VarValue};
use crate::eval::{Budget, CliVariables, Evaluator, InstanceId, ModuleSet, Note};
use crate::facts::{self, Configuration, ConfigurationKind};
use crate::parse;
use crate::parse::Limits;
use crate::parse::syntax::Suppression;
use crate::policy::Policy;
use crate::rules;
use crate::source::{SourceMap, Span};
use crate::suppress;

mod hide;
mod order;

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

/// The parser and evaluator recurse; hostile nesting is bounded by them, and these threads
/// get the stack those bounds need (a debug build needs about 2 MiB at hcl-edit's limit).
const STACK_SIZE: usize = 64 * 1024 * 1024;

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
    in_pool(options, || then(run_in_pool(options)))
}

/// How the run's worker threads are named (`ps -L`, a profiler's per-thread view).
pub const WORKER_PREFIX: &str = "aoai-lint-";

/// `work` on worker threads of its own, which have all ended when this returns. A pool that
/// is only dropped lets its threads end in their own time, after the run; so does a scoped
/// pool (a scope waits for its threads' work, not for their thread-local destructors), and
/// whoever looks at the process then (a leak checker under the fuzzer, a test listing
/// threads) sees them half gone. Each thread is joined.
fn in_pool<T: Send>(options: &Options, work: impl FnOnce() -> T + Send) -> Result<T, RunError> {
    std::thread::scope(|scope| {
        let mut threads = Vec::new();
        let pool = rayon::ThreadPoolBuilder::new()
            .stack_size(STACK_SIZE)
            .num_threads(options.threads.unwrap_or(0))
            .thread_name(|i| format!("{WORKER_PREFIX}{i}"))
            .spawn_handler(|thread| {
                let mut builder = std::thread::Builder::new();
                if let Some(name) = thread.name() {
                    builder = builder.name(name.to_owned());
                }
                if let Some(size) = thread.stack_size() {
                    builder = builder.stack_size(size);
                }
                threads.push(builder.spawn_scoped(scope, || thread.run())?);
                Ok(())
            })
            .build();
        let result = pool
            .map(|pool| pool.install(work))
            .map_err(|e| RunError(format!("cannot start worker threads: {e}")));
        // The pool is gone (dropped above): its threads end once idle.
        for thread in threads {
            // A worker's panic already reached `install`; nothing is left to report.
            let _ = thread.join();
        }
        result
    })
}

/// Discovery and parsing alone, the floor the full lint is measured against
/// (`benches/run.sh`): the number of files parsed, and the files read. The caller keeps them
/// to the end of the process, as the full lint keeps its own: freeing 40 MB of text a file
/// at a time is no part of parsing, and the full lint never does it (`exit_at_once`).
pub fn parse_only(options: &Options) -> Result<(usize, SourceMap), RunError> {
    in_pool(options, || -> Result<(usize, SourceMap), RunError> {
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
    // The catalog is read while the tree is walked (the walk leaves a core partly idle).
    let (discovery, overlaid) = rayon::join(
        || discover::discover(&options.paths, options.exclude.as_ref()),
        || match &options.catalog_overlay {
            Some(path) => Some(load_overlay(path)),
            None => {
                Catalog::embedded();
                None
            }
        },
    );
    let discovery = discovery.map_err(|e| RunError(format!("{}: {}", e.path.display(), e.error)))?;
    let lap = timings.lap("discover", started);
    let counters = Arc::new(crate::progress::Counters::default());
    counters
        .directories
        .store(discovery.modules.len(), std::sync::atomic::Ordering::Relaxed);
    let display = (options.progress && discovery.modules.len() >= crate::progress::LARGE_TREE)
        .then(|| crate::progress::Display::start(Arc::clone(&counters)));
    let mut findings: Vec<Finding> = discovery
        .skipped
        .iter()
        .map(|s| parse::unreadable(&sources, &s.path, &s.reason))
        .collect();
    let cli = cli_variables(&options.variables, &options.paths, &sources)?;
    // A variables file named on the command line applies to the configuration beside it;
    // beside none, it has nothing to apply to, and that is said rather than passed over.
    let discovery_notes: Vec<Note> = discovery
        .lone_var_files
        .iter()
        .map(|path| {
            let shown = crate::source::display_path(path);
            Note {
                span: Span::new(sources.add_virtual(&shown, ""), 0..0),
                message: format!(
                    "{shown} is a variables file beside no Terraform configuration; nothing was linted with it"
                ),
            }
        })
        .collect();

    let today = options
        .today
        .unwrap_or_else(|| jiff::Timestamp::now().to_zoned(jiff::tz::TimeZone::UTC).date());
    let overlaid = overlaid.transpose()?;
    let catalog = overlaid.as_ref().unwrap_or_else(|| Catalog::embedded());
    let files_found = discovery.modules.iter().map(|m| m.tf_files.len()).sum::<usize>();
    let directories = discovery.modules.len();
    // Every directory may turn out to be a configuration: each gets its share of the run's.
    let budget = options.budget.per_configuration(directories);

    // Every file is read and registered first (the reports need the text anyway). Modules
    // some other directory may call are then parsed and shared; every other directory is a
    // root nobody calls, parsed, evaluated and freed in one go, so that the trees of a large
    // monorepo never all exist at once. Plan mode parses everything first.
    // The paths a module's text mentions are looked for as it is read, while the text is
    // still in the cache.
    let (read, mentioned): (Vec<module::ReadModule>, Vec<Vec<PathBuf>>) = discovery
        .modules
        .par_iter()
        .with_max_len(MODULES_PER_JOB)
        .map(|dir| {
            let read = module::read(dir, &sources, options.limits);
            let mentioned = match options.plan {
                Some(_) => Vec::new(),
                None => mentioned_local_paths(&read, &sources),
            };
            (read, mentioned)
        })
        .unzip();
    let maybe_called: BTreeSet<PathBuf> = if options.plan.is_some() {
        discovery.modules.iter().map(|m| m.dir.clone()).collect()
    } else {
        // Discovery lists the directories in path order: a candidate is looked up, not every
        // directory put in a set.
        mentioned
            .into_iter()
            .flatten()
            .filter(|p| discovery.modules.binary_search_by(|m| m.dir.cmp(p)).is_ok())
            .collect()
    };
    let (shared_dirs, own_dirs): (Vec<module::ReadModule>, Vec<module::ReadModule>) =
        read.into_iter().partition(|m| maybe_called.contains(&m.dir.dir));
    let loaded: Vec<(ModuleSyntax, Vec<Finding>)> = shared_dirs
        .into_par_iter()
        .with_max_len(MODULES_PER_JOB)
        .map(|read| {
            let loaded = module::parse(read, &sources);
            counters.parsed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            loaded
        })
        .collect();
    let mut files_failed = 0;
    let mut shared_suppressions = Vec::new();
    // What each shared module calls; what the streamed roots call is gathered below.
    let mut shared_calls: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    let mut modules: ModuleSet = HashMap::new();
    // A module's ignore comments are the run's to apply: evaluation does not read them.
    for (mut module, problems) in loaded {
        files_failed += count_failed_files(&problems, &sources);
        findings.extend(problems);
        shared_suppressions.append(&mut module.suppressions);
        shared_calls.insert(module.dir.clone(), local_calls(&module));
        modules.insert(module.dir.clone(), Arc::new(module));
    }
    counters
        .configurations
        .store(directories.max(1), std::sync::atomic::Ordering::Relaxed);
    let mut plan_failed = false;
    let waiving = suppress::Policy {
        today,
        rules: &options.rules,
        require_reason: options.require_reason,
    };
    // A configuration's findings point into its own files and the shared modules' (those
    // are all the local modules it can call): they are waived as soon as they are checked,
    // while they are in the cache, by the shared modules' comments and then its own.
    let shared_waivers = suppress::Waivers::new(&shared_suppressions, &waiving);
    // Put in report order, waived, then filtered by the rules' settings, then each kept once:
    // a part of the report as `order::sorted_unique` takes it.
    let settle = |found: &mut Vec<Finding>, lists: &[&suppress::Waivers<'_>]| {
        order::presort(found, &sources);
        let waived = suppress::waive(found, lists, &waiving, options.show_suppressed);
        options.rules.apply(found);
        order::dedup_presorted(found);
        order::group_instances(found);
        waived
    };
    let extract = |dir: &PathBuf, root: Arc<ModuleSyntax>, modules: &ModuleSet| {
        let kind = if !root.configures_provider && root.has_required_variables() {
            ConfigurationKind::ReusableModule
        } else {
            ConfigurationKind::Root
        };
        let downloads =
            Downloads::for_root(&root, &sources, options.limits).with_repository_of(&root.dir, &options.paths);
        let evaluator = Evaluator::new(modules, &downloads, &cli, budget, root);
        let config = facts::extract(&evaluator, kind);
        let work = evaluator.work();
        let (found, notes, hidden) = evaluator.finish();
        Extracted {
            hidden,
            work,
            dir: dir.clone(),
            config,
            found,
            notes,
        }
    };
    // The rules of a batch of configurations run check by check (`rules::check_each`);
    // each configuration's findings are then settled (`own` holds each configuration's own
    // comments, when it has files of its own).
    let check = |batch: Vec<Extracted>, own: &[suppress::Waivers<'_>]| -> Vec<Evaluated> {
        let contexts: Vec<rules::Context> = batch
            .iter()
            .map(|extracted| rules::Context {
                config: &extracted.config,
                catalog,
                policy: &options.policy,
                today,
            })
            .collect();
        let checked = rules::check_each(&contexts, &options.rules);
        drop(contexts);
        batch
            .into_iter()
            .zip(checked)
            .enumerate()
            .map(|(k, (mut extracted, checked))| {
                extracted.found.extend(checked);
                hide::hide(&mut extracted.found, &extracted.hidden);
                name_calling_modules(&mut extracted.found, &extracted.config, &sources);
                let waived = match own.get(k) {
                    Some(own) => settle(&mut extracted.found, &[&shared_waivers, own]),
                    None => settle(&mut extracted.found, &[&shared_waivers]),
                };
                counters.evaluated.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                Evaluated {
                    work: extracted.work,
                    dir: extracted.dir,
                    config: options.keep_configurations.then(|| Box::new(extracted.config)),
                    found: extracted.found,
                    waived,
                    notes: extracted.notes,
                }
            })
            .collect()
    };
    // The comments of the configurations' own files, in the order their configurations were
    // given, and which of them waived something.
    let mut own_suppressions = Vec::new();
    let mut own_used = Vec::new();
    let per_root: Vec<Evaluated> = if let Some(plan_path) = &options.plan {
        match lint_plan(plan_path, options, &modules, &sources, &cli, catalog, today) {
            Ok((config, mut found, notes)) => {
                let waived = settle(&mut found, &[&shared_waivers]);
                vec![Evaluated {
                    work: crate::eval::Work::default(),
                    dir: PathBuf::new(),
                    config: options.keep_configurations.then(|| Box::new(config)),
                    found,
                    waived,
                    notes,
                }]
            }
            Err(problem) => {
                plan_failed = true;
                findings.push(*problem);
                Vec::new()
            }
        }
    } else {
        let streamed: Vec<Streamed> = own_dirs
            .into_par_iter()
            .chunks(CONFIGURATIONS_PER_BATCH)
            .with_max_len(1)
            .flat_map_iter(|batch| {
                let mut kept = Vec::with_capacity(batch.len());
                let mut extracted = Vec::with_capacity(batch.len());
                for read in batch {
                    let dir = read.dir.dir.clone();
                    let (mut module, problems) = module::parse(read, &sources);
                    counters.parsed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let suppressions = std::mem::take(&mut module.suppressions);
                    kept.push((suppressions, local_calls(&module), problems));
                    extracted.push(extract(&dir, Arc::new(module), &modules));
                }
                let own: Vec<suppress::Waivers> = kept
                    .iter()
                    .map(|(suppressions, _, _)| suppress::Waivers::new(suppressions, &waiving))
                    .collect();
                let evaluated = check(extracted, &own);
                let used: Vec<Vec<bool>> = own.into_iter().map(suppress::Waivers::used).collect();
                evaluated
                    .into_iter()
                    .zip(kept)
                    .zip(used)
                    .map(|((evaluated, (suppressions, calls, problems)), used)| Streamed {
                        evaluated,
                        problems,
                        suppressions,
                        used,
                        calls,
                    })
                    .collect::<Vec<_>>()
            })
            .collect();
        let mut evaluated = Vec::with_capacity(streamed.len());
        let mut called_by_streamed = Vec::new();
        for one in streamed {
            files_failed += count_failed_files(&one.problems, &sources);
            findings.extend(one.problems);
            own_suppressions.extend(one.suppressions);
            own_used.extend(one.used);
            called_by_streamed.extend(one.calls);
            evaluated.push(one.evaluated);
        }
        // Shared modules that nothing calls after all (or that call each other in a cycle)
        // are configurations too.
        let shared_roots = shared_roots(&shared_calls, &called_by_streamed);
        let shared_evaluated = shared_roots
            .par_chunks(CONFIGURATIONS_PER_BATCH)
            .with_max_len(1)
            .flat_map_iter(|dirs| {
                check(
                    dirs.iter()
                        .map(|dir| extract(dir, Arc::clone(&modules[*dir]), &modules))
                        .collect(),
                    &[],
                )
            })
            .collect::<Vec<_>>();
        merged_by_dir(evaluated, shared_evaluated)
    };
    let lap = timings.lap("parse, evaluate and check", lap);
    let roots_count = per_root.len();
    drop(modules);
    let mut used = shared_waivers.used();
    used.append(&mut own_used);
    let mut suppressions = shared_suppressions;
    suppressions.append(&mut own_suppressions);

    findings.extend(rules::aoai004_stale_catalog::check(
        &sources,
        catalog.oldest_table(),
        today,
        options.policy.catalog_max_age_days,
    ));
    // The run's own problems can be anywhere; the comments of every file are asked.
    let mut suppressed = suppress::waive_anywhere(
        &mut findings,
        &suppressions,
        &mut used,
        &waiving,
        options.show_suppressed,
    );
    let mut notes: Vec<Note> = discovery_notes;
    let mut configurations = Vec::new();
    // Each configuration's findings stay one part, laid in place by `sorted_unique`.
    let mut parts = Vec::with_capacity(per_root.len());
    let mut most_work = crate::eval::Work::default();
    for evaluated in per_root {
        most_work = most_work.max(evaluated.work);
        configurations.extend(evaluated.config.map(|config| *config));
        parts.push(evaluated.found);
        suppressed.extend(evaluated.waived);
        notes.extend(evaluated.notes);
    }
    drop(display);
    // The run's own problems are spread over every file; so are the comments' findings.
    let mut scattered = findings;
    scattered.extend(suppress::unused(&suppressions, &used, &waiving));
    options.rules.apply(&mut scattered);
    suppressed.sort_by(|(a, _), (b, _)| {
        let path = |f: &Finding| sources.get(f.primary.span.file).display_path.as_str();
        (path(a), a.primary.span.start, a.rule.id).cmp(&(path(b), b.primary.span.start, b.rule.id))
    });
    let findings = order::sorted_unique(scattered, parts, &sources);
    notes.sort_by(|a, b| {
        let path = |n: &Note| sources.get(n.span.file).display_path.as_str();
        (path(a), a.span.start).cmp(&(path(b), b.span.start))
    });
    notes.dedup();
    timings.lap("suppress and sort", lap);
    let catalog_tables = catalog.tables.clone();
    Ok(Outcome {
        catalog_tables,
        sources,
        findings,
        suppressed,
        notes,
        configurations,
        files_found,
        files_parsed: files_found - files_failed,
        plan_failed,
        directories,
        roots: roots_count,
        timings,
        most_work,
        budget,
    })
}

/// A configuration checked, and what is kept of it.
struct Evaluated {
    dir: PathBuf,
    /// Evaluation steps taken and bytes built.
    work: crate::eval::Work,
    /// Its facts, when kept (boxed, so that the ten thousand entries of a monorepo that keeps
    /// none are small).
    config: Option<Box<Configuration>>,
    /// Its findings in report order, each once (`order::sorted_unique` takes them so).
    found: Vec<Finding>,
    /// Its findings an ignore comment waived, when they are shown.
    waived: Vec<(Finding, Suppression)>,
    notes: Vec<Note>,
}

/// A configuration evaluated and its facts extracted, its rules still to run.
struct Extracted {
    dir: PathBuf,
    /// Texts of hidden values its findings must not show.
    hidden: Vec<crate::eval::Hidden>,
    work: crate::eval::Work,
    config: Configuration,
    /// The evaluator's own findings (cycles, bounds).
    found: Vec<Finding>,
    notes: Vec<Note>,
}

/// A root parsed, evaluated and freed in one go, and what is kept of it.
struct Streamed {
    evaluated: Evaluated,
    problems: Vec<Finding>,
    suppressions: Vec<Suppression>,
    /// Which of `suppressions` waived something.
    used: Vec<bool>,
    calls: Vec<PathBuf>,
}

/// The local module directories a module calls (`source = "./x"`), canonical.
fn local_calls(module: &ModuleSyntax) -> Vec<PathBuf> {
    module
        .module_calls
        .iter()
        .filter_map(|c| c.source())
        .filter(|s| s.starts_with("./") || s.starts_with("../"))
        .filter_map(|s| module.dir.join(s).canonicalize().ok())
        .collect()
}

/// Every directory a quoted `"./..."` or `"../..."` in the module's files could name: a
/// superset of its local module calls, found without parsing (module sources are literal
/// strings), so that the directories nobody calls can be streamed.
fn mentioned_local_paths(read: &module::ReadModule, sources: &SourceMap) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for file in read.files() {
        let text: &str = &sources.get(file).text;
        let bytes = text.as_bytes();
        // `./` is rare and found many bytes at a time; a quote is on nearly every line.
        for at in memchr::memmem::find_iter(bytes, b"./") {
            let start = match bytes[..at] {
                [.., b'"'] => at,
                [.., b'"', b'.'] => at - 1,
                _ => continue,
            };
            let end = memchr::memchr2(b'"', b'\n', &bytes[start..]).map_or(text.len(), |n| start + n);
            if let Ok(target) = read.dir.dir.join(&text[start..end]).canonicalize() {
                out.push(target);
            }
        }
    }
    out
}

/// Problems that mean a Terraform file was not linted (not a variables file).
fn count_failed_files(problems: &[Finding], sources: &SourceMap) -> usize {
    problems
        .iter()
        .filter(|p| {
            let path = &sources.get(p.primary.span.file).path;
            let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
            crate::discover::is_configuration_file(&name)
        })
        .count()
}

/// Plan mode: the facts come from the plan; the configuration (the first path, when it is a
/// module directory) gives positions, call sites and the evaluator's own problems.
fn lint_plan(
    path: &std::path::Path,
    options: &Options,
    modules: &ModuleSet,
    sources: &SourceMap,
    cli: &CliVariables,
    catalog: &Catalog,
    today: jiff::civil::Date,
) -> Result<(Configuration, Vec<Finding>, Vec<Note>), crate::parse::FileError> {
    let plan = crate::plan::read(sources, path)?;
    let config_dir = options.paths.first().and_then(|p| {
        let dir = if p.is_file() {
            p.parent()?.to_path_buf()
        } else {
            p.clone()
        };
        dir.canonicalize().ok()
    });
    let root = config_dir.as_ref().and_then(|d| modules.get(d).map(|m| (d, m)));
    let mut found = Vec::new();
    let mut hidden_in_plan = Vec::new();
    let config = match root {
        Some((dir, root)) => {
            let downloads =
                Downloads::for_root(root, sources, options.limits).with_repository_of(&root.dir, &options.paths);
            let evaluator = Evaluator::new(modules, &downloads, cli, options.budget, Arc::clone(root));
            // Walking the configuration instantiates every module call it can follow.
            facts::extract(&evaluator, ConfigurationKind::Root);
            let instances: HashMap<String, InstanceId> = (0..evaluator.instance_count())
                .map(|i| {
                    let address = evaluator
                        .instance(InstanceId(i))
                        .address
                        .trim_end_matches('.')
                        .to_owned();
                    (address, InstanceId(i))
                })
                .collect();
            let config = facts::plan::extract(&plan, dir.clone(), |planned| {
                let id = instances.get(&planned.module_address).copied().or_else(|| {
                    // A module instance static evaluation could not expand: any instance of
                    // the same call has the same source.
                    let calls = facts::plan::module_calls(&planned.module_address);
                    let mut matching: Vec<(&String, &InstanceId)> = instances
                        .iter()
                        .filter(|(address, _)| facts::plan::module_calls(address) == calls)
                        .collect();
                    matching.sort();
                    matching.first().map(|(_, id)| **id)
                })?;
                let instance = evaluator.instance(id);
                let resource = instance
                    .module
                    .resource(Mode::Managed, &planned.resource_type, &planned.name)?;
                Some(facts::plan::Located {
                    module: Arc::clone(&instance.module),
                    resource,
                    call_sites: instance.call_sites.clone(),
                })
            });
            // Notes say what static evaluation could not follow; the plan saw it.
            let (problems, _notes, hidden) = evaluator.finish();
            found.extend(problems);
            hidden_in_plan = hidden;
            config
        }
        None => {
            let dir = path.parent().map(std::path::Path::to_path_buf).unwrap_or_default();
            facts::plan::extract(&plan, dir, |_| None)
        }
    };
    found.extend(check_rules(&config, catalog, options, today));
    name_calling_modules(&mut found, &config, sources);
    hide::hide(&mut found, &hidden_in_plan);
    Ok((config, found, Vec::new()))
}

fn check_rules(config: &Configuration, catalog: &Catalog, options: &Options, today: jiff::civil::Date) -> Vec<Finding> {
    let context = rules::Context {
        config,
        catalog,
        policy: &options.policy,
        today,
    };
    rules::check(&context, &options.rules)
}

/// A finding inside a module that `terraform init` downloaded points at code nobody edits
/// in place: the `module` block in the user's code that creates the instance is where the
/// fix goes, so it is named too.
///
/// Every finding also learns its call sites, so that an ignore comment on a `module` block
/// covers what that module creates.
fn name_calling_modules(findings: &mut [Finding], config: &Configuration, sources: &SourceMap) {
    let downloaded = |file| {
        sources
            .get(file)
            .path
            .components()
            .any(|c| c.as_os_str() == ".terraform")
    };
    // Looked up by address: a configuration can hold thousands of resources and findings.
    let call_sites = config.call_sites_by_address();
    if call_sites.is_empty() {
        return;
    }
    for finding in findings {
        let Some(&sites) = finding.resource.as_deref().and_then(|a| call_sites.get(a)) else {
            continue;
        };
        finding.call_sites = sites.into();
        if downloaded(finding.primary.span.file) {
            if let Some(site) = sites.iter().find(|s| !downloaded(s.file)) {
                finding
                    .related
                    .push(Label::new(*site, "created by this module call: change its inputs here"));
            }
        } else if !sources.get(finding.primary.span.file).path.starts_with(&config.dir)
            && let Some(site) = sites.first()
        {
            // A module outside the configuration's folder may be shared by several roots:
            // the finding says which one's call made it.
            finding
                .related
                .push(Label::new(*site, "through this configuration's module call"));
        }
    }
}

/// A catalog overlay larger than this is refused: the embedded catalog is under 1 MiB.
const MAX_OVERLAY_SIZE: u64 = 16 << 20;

/// The embedded catalog with the overlay file at `path` laid over it.
pub fn load_overlay(path: &std::path::Path) -> Result<Catalog, RunError> {
    let error = |e: String| RunError(format!("catalog {}: {e}", path.display()));
    let text = crate::supplied::read(path, crate::supplied::Chosen::ByUser, MAX_OVERLAY_SIZE)
        .map_err(|e| RunError(format!("catalog {e}")))?;
    let overlay = crate::catalog::Overlay::parse(&text).map_err(error)?;
    Catalog::load_embedded()
        .and_then(|c| c.with_overlay(overlay))
        .map_err(error)
}

/// Two lists of configurations in path order as one. The streamed ones come in the order
/// discovery lists their directories, which is path order, and the few shared ones are put
/// among them where they belong, rather than ten thousand long paths compared again.
fn merged_by_dir(streamed: Vec<Evaluated>, shared: Vec<Evaluated>) -> Vec<Evaluated> {
    debug_assert!(streamed.is_sorted_by(|a, b| a.dir <= b.dir));
    debug_assert!(shared.is_sorted_by(|a, b| a.dir <= b.dir));
    if shared.is_empty() {
        return streamed;
    }
    let places: Vec<usize> = shared
        .iter()
        .map(|one| streamed.partition_point(|s| s.dir < one.dir))
        .collect();
    let mut merged = Vec::with_capacity(streamed.len() + shared.len());
    let mut streamed = streamed.into_iter();
    let mut laid = 0;
    for (one, place) in shared.into_iter().zip(places) {
        merged.extend(streamed.by_ref().take(place - laid));
        laid = place;
        merged.push(one);
    }
    merged.extend(streamed);
    merged
}

/// The shared module directories that are configurations of their own. A directory nobody
/// calls is a root; one that only other scanned directories call is judged through them.
/// Directories left over (calls in a cycle) are roots too, so that nothing goes unlinted.
/// `shared_calls` holds every shared directory with the local module directories it calls;
/// `called_by_streamed`, what the streamed directories call (those are roots already:
/// nothing mentions them, so nothing calls them). Returned in path order.
fn shared_roots<'d>(
    shared_calls: &'d BTreeMap<PathBuf, Vec<PathBuf>>,
    called_by_streamed: &[PathBuf],
) -> Vec<&'d PathBuf> {
    // Directories are numbered in the map's (path) order, so that the walk compares numbers.
    // Only the shared directories are in the graph: the tens of thousands of streamed ones
    // of a monorepo only start the walk.
    let dirs: Vec<&PathBuf> = shared_calls.keys().collect();
    let index_of = |target: &PathBuf| dirs.binary_search_by(|d| d.as_path().cmp(target)).ok();
    let calls: Vec<Vec<usize>> = shared_calls
        .values()
        .enumerate()
        .map(|(i, targets)| targets.iter().filter_map(index_of).filter(|&t| t != i).collect())
        .collect();
    let from_streamed: Vec<usize> = called_by_streamed.iter().filter_map(index_of).collect();
    let mut called = vec![false; dirs.len()];
    for &target in calls.iter().flatten().chain(&from_streamed) {
        called[target] = true;
    }
    let mut roots: Vec<usize> = (0..dirs.len()).filter(|&i| !called[i]).collect();
    let mut reached = vec![false; dirs.len()];
    let mut stack = roots.clone();
    stack.extend(from_streamed);
    let mut unreached_from = 0;
    loop {
        while let Some(dir) = stack.pop() {
            if !reached[dir] {
                reached[dir] = true;
                stack.extend(&calls[dir]);
            }
        }
        match (unreached_from..dirs.len()).find(|&i| !reached[i]) {
            Some(left) => {
                unreached_from = left;
                roots.push(left);
                stack.push(left);
            }
            None => break,
        }
    }
    roots.sort_unstable();
    roots.into_iter().map(|i| dirs[i]).collect()
}

/// Reads `-var-file` files and `-var` assignments, in command-line order, and the
/// `TF_VAR_` environment variables Terraform would read too.
///
/// Values given outside the repository's files are hidden in every finding: `-var`, the
/// environment, and a `-var-file` outside the repositories of the `scanned` paths.
fn cli_variables(args: &[VariableArg], scanned: &[PathBuf], sources: &SourceMap) -> Result<CliVariables, RunError> {
    let repositories: Vec<PathBuf> = scanned
        .iter()
        .filter_map(|p| {
            let p = p.canonicalize().ok()?;
            let dir = if p.is_file() { p.parent()?.to_path_buf() } else { p };
            crate::discover::repository_of(&dir, scanned)
        })
        .collect();
    let mut cli = CliVariables {
        environment: environment_variables(std::env::vars_os(), sources),
        ..CliVariables::default()
    };
    for arg in args {
        match arg {
            VariableArg::File(path) => {
                if !path.is_file() {
                    return Err(RunError(format!("--var-file {}: no such file", path.display())));
                }
                let (file, values) = module::read_var_file(sources, path, Limits::NONE)
                    .map_err(|f| RunError(format!("--var-file {}: {}", path.display(), f.message)))?;
                let inside = path
                    .canonicalize()
                    .is_ok_and(|p| repositories.iter().any(|r| p.starts_with(r)));
                if inside {
                    cli.shown_files.push(file);
                } else {
                    sources.keep_private(file);
                }
                cli.values.extend(values);
                cli.var_file_given = true;
            }
            VariableArg::Assignment(text) => {
                let Some((name, value)) = text.split_once('=') else {
                    return Err(RunError(format!("--var {text:?}: expected NAME=VALUE")));
                };
                // The value is masked in the source text, so that a snippet never shows it;
                // positions inside it stay where they were.
                let masked = format!("{name}={}", "*".repeat(value.len()));
                let file = sources.add_virtual("--var", &masked);
                let start = name.len() + 1;
                let span = Span::new(file, start..text.len());
                cli.values.push((name.trim().to_owned(), var_assignment(value, span)));
            }
        }
    }
    Ok(cli)
}

/// `TF_VAR_name=value`. Only the name is kept as source text, so that no value from the
/// environment (a CI secret) is ever printed in a snippet; a list or map value is Unknown.
fn environment_variables(
    vars: impl Iterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
    sources: &SourceMap,
) -> Vec<(String, VarValue)> {
    let mut out: Vec<(String, VarValue)> = vars
        .filter_map(|(key, value)| {
            let key = key.into_string().ok()?;
            let name = key.strip_prefix("TF_VAR_")?.to_owned();
            let value = value.into_string().ok()?;
            let file = sources.add_virtual("environment", &key);
            let span = Span::new(file, 0..key.len());
            let trimmed = value.trim_start();
            let value = if trimmed.starts_with('[') || trimmed.starts_with('{') {
                crate::eval::value::Val::unknown()
            } else {
                crate::eval::value::Val::string(value)
            };
            Some((name, VarValue::Given(value, span)))
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Terraform reads a `-var` value as a string unless it looks like a list, map or number
/// meant for a typed variable; an HCL literal is accepted for `[...]` and `{...}`.
fn var_assignment(value: &str, span: Span) -> VarValue {
    let trimmed = value.trim_start();
    if (trimmed.starts_with('[') || trimmed.starts_with('{'))
        && let Ok(expr) = hcl_edit::parser::parse_expr(value)
    {
        let lowering = parse::hcl::Lowering::new(span.file, span.start as usize);
        return VarValue::Expr(lowering.expr(&expr));
    }
    VarValue::Given(crate::eval::value::Val::string(value), span)
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
        let evaluated = |dirs: &[&str]| -> Vec<super::Evaluated> {
            dirs.iter()
                .map(|dir| super::Evaluated {
                    work: crate::eval::Work::default(),
                    dir: std::path::PathBuf::from(dir),
                    config: None,
                    found: Vec::new(),
                    waived: Vec::new(),
                    notes: Vec::new(),
                })
                .collect()
        };
        let dirs = |merged: Vec<super::Evaluated>| -> Vec<String> {
            merged.iter().map(|e| e.dir.display().to_string()).collect()
        };
        // `/r/a/z` sorts before `/r/a-b` by path (components), after it by bytes.
        let streamed = evaluated(&["/r/a/z", "/r/a-b", "/r/c"]);
        let shared = evaluated(&["/r/a", "/r/a/zz", "/r/b", "/r/d"]);
        assert_eq!(
            dirs(super::merged_by_dir(streamed, shared)),
            ["/r/a", "/r/a/z", "/r/a/zz", "/r/a-b", "/r/b", "/r/c", "/r/d"]
        );
        assert_eq!(dirs(super::merged_by_dir(evaluated(&["/r/x"]), Vec::new())), ["/r/x"]);
        assert_eq!(dirs(super::merged_by_dir(Vec::new(), evaluated(&["/r/y"]))), ["/r/y"]);
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
        let found: Vec<String> = super::shared_roots(&shared, &called_by_streamed)
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
            super::mentioned_local_paths(&read, &sources),
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
