use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use aoai_lint::cli::{CatalogCommand, Cli, Command, ConfigCommand, FailOn};
use aoai_lint::diagnostic::Severity;
use aoai_lint::lint::{self, Options, VariableArg};
use aoai_lint::parse::Limits;
use aoai_lint::report::{self, Format, HumanStyle, Summary};
use aoai_lint::{catalog, config};
use aoai_lint::{progress, rules};

/// A large share of the run went to malloc and free with the system allocator (measured
/// with perf on the benchmark corpus); mimalloc cut the wall time by a third.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit codes: 0 nothing at or above the fail level, 1 findings, 2 usage, config or I/O error.
const EXIT_FINDINGS: u8 = 1;
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let command = Cli::command().version(version()).long_version(long_version());
    let matches = match command.try_get_matches() {
        Ok(matches) => matches,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(if err.use_stderr() { EXIT_ERROR } else { 0 });
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(err) => {
            let _ = err.print();
            return ExitCode::from(EXIT_ERROR);
        }
    };
    match cli.command {
        Some(Command::Rules) => print_rules(),
        Some(Command::Explain { rule }) => explain(&rule),
        Some(Command::Catalog {
            action:
                CatalogCommand::Import {
                    models,
                    location,
                    output,
                },
        }) => catalog_import(&models, location.as_deref(), output.as_deref()),
        Some(Command::Catalog {
            action:
                CatalogCommand::Show {
                    model,
                    version,
                    catalog,
                },
        }) => catalog_show(&model, version.as_deref(), catalog.as_deref()),
        Some(Command::Catalog {
            action:
                CatalogCommand::Refresh {
                    docs,
                    rules,
                    as_of,
                    check,
                    record_disputes,
                },
        }) => catalog_refresh(&docs, &rules, as_of, check, record_disputes),
        Some(Command::Config {
            action: ConfigCommand::Init { dir, force },
        }) => config_init(&dir, force),
        Some(Command::Config {
            action: ConfigCommand::Schema,
        }) => write_stdout(&config::json_schema()),
        Some(Command::Completions { shell }) => {
            let mut command = Cli::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "aoai-lint", &mut script);
            write_stdout(&String::from_utf8_lossy(&script))
        }
        None => run_lint(&cli, &matches),
    }
}

/// Writes `.aoai-lint.yaml` and `.aoai-lint.schema.json` into `dir`; never replaces a file
/// without `--force`.
fn config_init(dir: &std::path::Path, force: bool) -> ExitCode {
    let files = [
        (dir.join(config::FILE_NAMES[0]), config::STARTER.to_owned()),
        (dir.join(".aoai-lint.schema.json"), config::json_schema()),
    ];
    if !force && let Some((path, _)) = files.iter().find(|(path, _)| path.exists()) {
        eprintln!("error: {} exists; pass --force to replace it", path.display());
        return ExitCode::from(EXIT_ERROR);
    }
    for (path, text) in &files {
        if let Err(err) = std::fs::write(path, text) {
            eprintln!("error: {}: {err}", path.display());
            return ExitCode::from(EXIT_ERROR);
        }
        eprintln!("wrote {}", path.display());
    }
    ExitCode::SUCCESS
}

/// The report in `format`, with every value `redactor` hides taken out. Written straight to
/// `out` when there is nothing to hide (a large JSON report need not exist twice).
fn write_report(
    format: Format,
    report: &report::Report<'_>,
    style: HumanStyle,
    out: &mut dyn Write,
    redactor: &report::safe::Redactor,
) -> std::io::Result<()> {
    if redactor.is_empty() {
        return report::write(format, report, style, out);
    }
    let mut text = Vec::new();
    report::write(format, report, style, &mut text)?;
    let text = String::from_utf8_lossy(&text);
    out.write_all(redactor.redact(&text).as_bytes())
}

/// `-V`: the version and how fresh the catalog is (its oldest table).
fn version() -> String {
    let oldest = catalog::EMBEDDED_TABLES
        .iter()
        .map(|(_, d)| *d)
        .min()
        .unwrap_or("unknown");
    format!("{} (catalog as of {oldest})", env!("CARGO_PKG_VERSION"))
}

/// `--version`: as `-V`, then every table of the catalog with its date.
fn long_version() -> String {
    let mut text = version() + "\ncatalog tables:";
    for (name, as_of) in catalog::EMBEDDED_TABLES {
        text.push_str(&format!("\n  {name:<26}{as_of}"));
    }
    text
}

fn print_rules() -> ExitCode {
    let mut out = String::new();
    for rule in rules::all() {
        let severity = rule.default_severity.map_or("off".to_owned(), |s| s.to_string());
        out.push_str(&format!(
            "{}  {:<30} {:<8} {}\n",
            rule.id, rule.name, severity, rule.summary
        ));
    }
    write_stdout(&out)
}

fn explain(id_or_name: &str) -> ExitCode {
    let Some(rule) = rules::find(id_or_name) else {
        eprintln!("error: no rule is called {id_or_name:?}; `aoai-lint rules` lists them");
        return ExitCode::from(EXIT_ERROR);
    };
    let severity = rule.default_severity.map_or("off".to_owned(), |s| s.to_string());
    let text = format!(
        "# {} ({})\n\nDefault severity: {severity}. {}.\n\n{}\n",
        rule.id,
        rule.name,
        rules::capitalized(rule.summary),
        rule.documentation().trim_end()
    );
    write_stdout(&text)
}

/// Refreshes `rules/*.yaml` from a docs checkout and prints what changed: exit 0; with
/// `--check`, 1 when something would change; 2 when the sources disagree (nothing written)
/// or an input cannot be read.
fn catalog_refresh(
    docs: &std::path::Path,
    rules: &std::path::Path,
    as_of: Option<String>,
    check: bool,
    record_disputes: bool,
) -> ExitCode {
    let as_of = as_of.unwrap_or_else(|| {
        jiff::Timestamp::now()
            .to_zoned(jiff::tz::TimeZone::UTC)
            .date()
            .to_string()
    });
    let options = catalog::refresh::Options {
        rules,
        docs,
        as_of: &as_of,
        record_disputes,
    };
    let refreshed = match catalog::refresh::refresh(&options) {
        Ok(refreshed) => refreshed,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    print!("{}", refreshed.report);
    if !refreshed.stopped.is_empty() {
        return ExitCode::from(EXIT_ERROR);
    }
    if check {
        return ExitCode::from(if refreshed.changed { EXIT_FINDINGS } else { 0 });
    }
    for (path, text) in &refreshed.files {
        if let Err(err) = std::fs::write(path, text) {
            eprintln!("error: {}: {err}", path.display());
            return ExitCode::from(EXIT_ERROR);
        }
        println!("wrote {}", path.display());
    }
    ExitCode::SUCCESS
}

/// Prints what the catalog (with an overlay, when given) knows of a model: exit 0, or 1
/// when it knows no such model or version.
fn catalog_show(model: &str, version: Option<&str>, overlay: Option<&std::path::Path>) -> ExitCode {
    let overlaid;
    let catalog = match overlay {
        None => catalog::Catalog::embedded(),
        Some(path) => match aoai_lint::lint::load_overlay(path) {
            Ok(catalog) => {
                overlaid = catalog;
                &overlaid
            }
            Err(err) => {
                eprintln!("error: {err}");
                return ExitCode::from(EXIT_ERROR);
            }
        },
    };
    match catalog::show::show(catalog, model, version) {
        Ok(text) => write_stdout(&text),
        Err(message) => {
            eprintln!("{message}");
            ExitCode::from(EXIT_FINDINGS)
        }
    }
}

fn catalog_import(files: &[std::path::PathBuf], location: Option<&str>, output: Option<&std::path::Path>) -> ExitCode {
    if location.is_some() && files.len() > 1 {
        eprintln!("error: --location names the region of one file; name several files after their regions instead");
        return ExitCode::from(EXIT_ERROR);
    }
    let known = catalog::Catalog::embedded();
    let mut listings = Vec::new();
    for file in files {
        let region = match location {
            Some(region) => aoai_lint::facts::normalize_location(region),
            None => {
                let stem = file
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let region = aoai_lint::facts::normalize_location(&stem);
                if !matches!(known.region(&region), catalog::RegionLookup::Known(_)) {
                    eprintln!(
                        "error: {}: say which region it lists with --location, or name the file after it",
                        file.display()
                    );
                    return ExitCode::from(EXIT_ERROR);
                }
                region
            }
        };
        match std::fs::read_to_string(file) {
            Ok(text) => listings.push((region, text)),
            Err(err) => {
                eprintln!("error: {}: {err}", file.display());
                return ExitCode::from(EXIT_ERROR);
            }
        }
    }
    let today = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .to_string();
    let overlay = match catalog::import::import(&listings, &today) {
        Ok(overlay) => overlay,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let yaml = match serde_saphyr::to_string(&overlay) {
        Ok(yaml) => {
            format!("# A catalog overlay for aoai-lint (--catalog FILE, or `catalog:` in .aoai-lint.yaml).\n{yaml}")
        }
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    match output {
        Some(path) => match std::fs::write(path, yaml) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("error: {}: {err}", path.display());
                ExitCode::from(EXIT_ERROR)
            }
        },
        None => write_stdout(&yaml),
    }
}

/// `--fix` and `--diff`: the fixes of a first run, written (then the caller lints again and
/// reports what is left) or printed as a diff (and the run ends here, with the exit code).
fn apply_fixes(args: &aoai_lint::cli::LintArgs, options: &Options) -> Option<ExitCode> {
    if !args.diff {
        let fixed = match lint::fixing::fix(options, args.unsafe_fixes, &args.paths) {
            Ok(fixed) => fixed,
            Err(err) => {
                eprintln!("error: {err}");
                return Some(ExitCode::from(EXIT_ERROR));
            }
        };
        refused(&fixed.refused);
        if !fixed.files.is_empty() && !args.quiet {
            let files = fixed.files.len();
            eprintln!("Fixed {files} file{}.", if files == 1 { "" } else { "s" });
        }
        return None;
    }
    // One pass: what the fixes found now would change (a fix another uncovers shows next time).
    let outcome = match lint::run(options) {
        Ok(outcome) => outcome,
        Err(err) => {
            eprintln!("error: {err}");
            return Some(ExitCode::from(EXIT_ERROR));
        }
    };
    let changes = aoai_lint::fix::plan(
        outcome.findings.iter(),
        &outcome.sources,
        args.unsafe_fixes,
        &args.paths,
    );
    refused(&changes.refused);
    // Line endings pass as written, so that the diff applies to a CRLF file; anything else a
    // terminal would act on is made visible.
    let diff: Vec<String> = aoai_lint::fix::diff(&changes)
        .split("\r\n")
        .map(|part| report::safe::for_terminal(part, false).into_owned())
        .collect();
    let written = write_stdout(&diff.join("\r\n"));
    if written != ExitCode::SUCCESS {
        return Some(written);
    }
    Some(ExitCode::from(u8::from(!changes.files.is_empty())))
}

fn refused(why: &[String]) {
    for why in why {
        eprintln!("note: fix not applied: {}", report::safe::for_terminal(why, false));
    }
}

fn run_lint(cli: &Cli, matches: &clap::ArgMatches) -> ExitCode {
    let args = &cli.lint;
    // A file found in the scanned tree is the repository's; one named with --config, the user's.
    let found = args
        .config
        .is_none()
        .then(|| args.paths.first().and_then(|p| config::find(p)))
        .flatten();
    let boundary = found
        .as_deref()
        .and_then(|p| aoai_lint::supplied::boundary_of(p.parent()?));
    let chosen = match &boundary {
        Some(boundary) => aoai_lint::supplied::Chosen::ByRepository(boundary),
        None => aoai_lint::supplied::Chosen::ByUser,
    };
    let config_path = args.config.clone().or(found);
    let config = match config_path.as_deref().map(|p| config::load(p, chosen)).transpose() {
        Ok(config) => config.unwrap_or_default(),
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(EXIT_ERROR);
        }
    };
    let exclude = match (&config.path, config.exclude.is_empty()) {
        (Some(path), false) => {
            let base = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(std::path::Path::new("."));
            match aoai_lint::discover::Exclude::new(base, &config.exclude) {
                Ok(exclude) => Some(exclude),
                Err(err) => {
                    eprintln!("error: {}: {err}", path.display());
                    return ExitCode::from(EXIT_ERROR);
                }
            }
        }
        _ => None,
    };
    let mut rules = config.rules;
    if args.report_unknowns {
        rules.set(&aoai_lint::rules::meta::UNRESOLVED_VALUE, Some(Severity::Info));
    }
    let options = Options {
        paths: args.paths.clone(),
        limits: Limits {
            max_file_size: args.max_file_size,
        },
        variables: variables_in_order(args, matches),
        today: args.as_of,
        policy: config.policy,
        rules,
        catalog_overlay: args.catalog.clone().or(config.catalog),
        plan: args.plan.clone(),
        exclude,
        require_reason: config.require_reason,
        progress: !args.quiet && std::io::stderr().is_terminal(),
        show_suppressed: args.show_suppressed,
        ..Options::default()
    };
    if (args.fix || args.diff)
        && let Some(code) = apply_fixes(args, &options)
    {
        return code;
    }
    if args.parse_only {
        return match lint::parse_only(&options) {
            Ok((parsed, sources)) => {
                let written = write_stdout(&format!("parsed {parsed} files\n"));
                if written != ExitCode::SUCCESS {
                    return written;
                }
                // The floor ends as the full lint does, without freeing what it read.
                let _kept_to_the_end = sources;
                exit_at_once(0)
            }
            Err(err) => {
                eprintln!("error: {err}");
                ExitCode::from(EXIT_ERROR)
            }
        };
    }
    // The report is written on the run's own threads, and the process ends there.
    let reported = lint::run_then(&options, |outcome| match outcome {
        Ok(outcome) => report_outcome(args, &options, config_path.as_deref(), outcome),
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(EXIT_ERROR)
        }
    });
    reported.unwrap_or_else(|err| {
        eprintln!("error: {err}");
        ExitCode::from(EXIT_ERROR)
    })
}

/// Reports a run's outcome as the arguments ask, and ends the process with the exit code.
fn report_outcome(
    args: &aoai_lint::cli::LintArgs,
    options: &Options,
    config_path: Option<&std::path::Path>,
    mut outcome: lint::Outcome,
) -> ExitCode {
    if let Some(path) = &args.write_baseline {
        let redactor = report::safe::Redactor::from_environment();
        let redact = |message: &str| redactor.redact(message).into_owned();
        return match aoai_lint::baseline::write(path, &outcome.findings, &outcome.sources, redact) {
            Ok(count) => {
                eprintln!("Recorded {count} findings in {}.", path.display());
                ExitCode::SUCCESS
            }
            Err(err) => {
                eprintln!("error: {err}");
                ExitCode::from(EXIT_ERROR)
            }
        };
    }
    if let Some(path) = &args.baseline {
        match aoai_lint::baseline::filter(path, &mut outcome.findings, &outcome.sources) {
            Ok(0) => {}
            Ok(known) => eprintln!("{known} findings recorded in {} are not shown.", path.display()),
            Err(err) => {
                eprintln!("error: {err}");
                return ExitCode::from(EXIT_ERROR);
            }
        }
    }
    let summary = Summary::of(&outcome.findings, outcome.files_parsed, outcome.roots);
    let findings = outcome.findings.ordered();
    let color =
        !args.no_color && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal();
    let style = HumanStyle { color, width: 100 };
    let report = report::Report {
        findings: &findings,
        suppressed: &outcome.suppressed,
        notes: &outcome.notes,
        sources: &outcome.sources,
        summary,
        catalog_tables: &outcome.catalog_tables,
    };
    // CI sets TF_VAR_* from secrets: their values never reach any output.
    let redactor = report::safe::Redactor::from_environment();
    let shown = match &args.output {
        Some(path) => {
            let written = std::fs::File::create(path).and_then(|file| {
                let mut file = std::io::BufWriter::new(file);
                write_report(args.format, &report, style, &mut file, &redactor)?;
                file.flush()
            });
            if let Err(err) = written {
                eprintln!("error: {}: {err}", path.display());
                return ExitCode::from(EXIT_ERROR);
            }
            Format::Human
        }
        None => args.format,
    };
    let mut stderr = std::io::stderr().lock();
    if args.verbose {
        let _ = writeln!(
            stderr,
            "config: {}",
            config_path.map_or_else(|| "none (defaults)".to_owned(), |p| p.display().to_string())
        );
        let _ = writeln!(
            stderr,
            "catalog: {}",
            args.catalog.as_ref().or(options.catalog_overlay.as_ref()).map_or_else(
                || format!("embedded, as of {}", report::oldest(&outcome.catalog_tables)),
                |p| format!("embedded with the overlay {}", p.display())
            )
        );
        let _ = writeln!(
            stderr,
            "found {} module directories, {} Terraform files; evaluated {} configurations",
            outcome.directories, outcome.files_found, outcome.roots
        );
        if !outcome.units.is_empty() {
            let _ = writeln!(
                stderr,
                "Terragrunt units: {}",
                report::safe::for_terminal(&outcome.units.join(", "), false)
            );
        }
        let _ = writeln!(
            stderr,
            "evaluation: at most {} steps, {} KiB of values and {} instances in one configuration (bounds: {} steps, {} MiB, {} instances)",
            outcome.most_work.steps,
            outcome.most_work.built >> 10,
            outcome.most_work.instances,
            outcome.budget.max_steps,
            outcome.budget.max_built >> 20,
            outcome.budget.max_instances_in_all
        );
        let _ = writeln!(
            stderr,
            "time: {} (total {})",
            outcome.timings.line(),
            progress::human(outcome.timings.total())
        );
    }
    let notes: &[_] = if args.quiet { &[] } else { &outcome.notes };
    for note in notes {
        let file = outcome.sources.get(note.span.file);
        let at = file.line_col(note.span.start as usize);
        let line = format!(
            "note: {}:{}:{}: {}",
            file.display_path, at.line, at.column, note.message
        );
        let _ = writeln!(stderr, "{}", redactor.redact(&report::safe::for_terminal(&line, false)));
    }
    let writing = std::time::Instant::now();
    let written = {
        let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
        write_report(shown, &report, style, &mut stdout, &redactor).and_then(|()| stdout.flush())
    };
    match written {
        Ok(()) => {}
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => {}
        Err(err) => {
            eprintln!("error: cannot write output: {err}");
            return ExitCode::from(EXIT_ERROR);
        }
    }
    if args.verbose {
        let _ = writeln!(stderr, "time: report written in {}", progress::human(writing.elapsed()));
    }
    if args.format == Format::Github
        && let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty())
    {
        let table = report::github_step_summary(&report);
        let appended = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&path)
            .and_then(|mut file| file.write_all(redactor.redact(&table).as_bytes()));
        if let Err(err) = appended {
            let _ = writeln!(stderr, "warning: cannot write the step summary: {err}");
        }
    }
    if shown == Format::Human && !args.quiet {
        let mut line = summary.line();
        // A stale catalog explains silence and "unknown model" findings: say so where
        // everyone looks, not only in an info finding among many.
        if let Some(stale) = outcome.findings.iter().find(|f| f.rule.id == "AOAI004") {
            line = format!("{line} Note: {} (AOAI004).", stale.message);
        }
        // A person at a terminal sees how long it took; logs and snapshots stay stable.
        if std::io::stderr().is_terminal() {
            line = format!(
                "{} ({}).",
                line.trim_end_matches('.'),
                progress::human(outcome.timings.total())
            );
        }
        let _ = writeln!(stderr, "{line}");
    }
    if outcome.files_found == 0 && outcome.findings.is_empty() && args.plan.is_none() && !args.quiet {
        let _ = writeln!(stderr, "warning: no Terraform files found");
    }
    if outcome.plan_failed {
        let _ = writeln!(stderr, "error: nothing was linted: the plan could not be read");
        return ExitCode::from(EXIT_ERROR);
    }
    if outcome.nothing_linted() {
        let _ = writeln!(
            stderr,
            "error: nothing was linted: none of the {} Terraform files could be read or parsed",
            outcome.files_found
        );
        return ExitCode::from(EXIT_ERROR);
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let failed = threshold.is_some_and(|t| outcome.findings.iter().any(|f| f.severity >= t));
    drop(stderr);
    exit_at_once(if failed { EXIT_FINDINGS } else { 0 })
}

/// Ends the process without the clean-up that runs at exit. Freeing a large monorepo's
/// findings and sources one by one would only delay the exit, and the allocator's own
/// clean-up hands all its memory back to the system a piece at a time (hundreds of calls,
/// 20-50 ms after a 10,000-module report) just before the system reclaims it at once.
fn exit_at_once(code: u8) -> ! {
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: `_exit` only ends the process. The report and every message are flushed
    // above (a report file was flushed and closed when it was written), and nothing of this
    // program needs to run at exit.
    #[cfg(unix)]
    unsafe {
        libc::_exit(code.into())
    }
    #[cfg(not(unix))]
    std::process::exit(code.into())
}

/// `--var-file` and `--var` interleaved as they were given: the later one wins.
fn variables_in_order(args: &aoai_lint::cli::LintArgs, matches: &clap::ArgMatches) -> Vec<VariableArg> {
    let files = matches
        .indices_of("var_files")
        .into_iter()
        .flatten()
        .zip(args.var_files.iter().cloned().map(VariableArg::File));
    let vars = matches
        .indices_of("vars")
        .into_iter()
        .flatten()
        .zip(args.vars.iter().cloned().map(VariableArg::Assignment));
    let mut all: Vec<(usize, VariableArg)> = files.chain(vars).collect();
    all.sort_by_key(|(index, _)| *index);
    all.into_iter().map(|(_, arg)| arg).collect()
}

/// Writes to stdout; a closed pipe (`aoai-lint | head`) is not an error worth a panic.
fn write_stdout(text: &str) -> ExitCode {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: cannot write output: {err}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
