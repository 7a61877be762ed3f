//! Command-line definitions. `main` turns them into [`lint::Options`](crate::lint::Options).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::report::Format;

/// A fast linter for Terraform that manages Azure OpenAI: data residency, resiliency, model
/// and SKU availability, quota and security hygiene.
#[derive(Debug, Parser)]
#[command(name = "aoai-lint", version, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub lint: LintArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List every rule: id, name, default severity and what it checks.
    Rules,
    /// Print a rule's documentation.
    Explain {
        /// A rule id (`AOAI201`) or name (`single-region`).
        rule: String,
    },
    /// Work with the Azure catalog.
    Catalog {
        #[command(subcommand)]
        action: CatalogCommand,
    },
    /// Work with the configuration file.
    Config {
        #[command(subcommand)]
        action: ConfigCommand,
    },
    /// Print a shell completion script: `aoai-lint completions bash > /etc/bash_completion.d/aoai-lint`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Write a commented starter `.aoai-lint.yaml` and its JSON Schema (for editor completion)
    /// into a directory.
    Init {
        /// Where to write them.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Replace files that exist.
        #[arg(long)]
        force: bool,
    },
    /// Print the configuration file's JSON Schema.
    Schema,
}

#[derive(Debug, Subcommand)]
pub enum CatalogCommand {
    /// Write a catalog overlay from `az cognitiveservices model list --location REGION -o json`.
    Import {
        /// The command's JSON output, one file per region (repeatable).
        #[arg(long = "models", value_name = "FILE.json", required = true)]
        models: Vec<PathBuf>,
        /// The region the listing is for; without it each file's name must be a region
        /// (`eastus2.json`).
        #[arg(long, value_name = "REGION")]
        location: Option<String>,
        /// Write the overlay here instead of to standard output.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Rebuild the catalog's model, lifecycle, quota and PTU tables from a checkout of
    /// MicrosoftDocs/azure-ai-docs; prints what changed and writes `rules/*.yaml` (for
    /// maintainers: see rules/README.md).
    Refresh {
        /// The docs checkout (a sparse one holding the tables' folders is enough).
        #[arg(long, value_name = "DIR")]
        docs: PathBuf,
        /// The catalog's folder.
        #[arg(long, value_name = "DIR", default_value = "rules")]
        rules: PathBuf,
        /// The date the tables' facts were true: the checkout's commit date (default: today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<String>,
        /// Write nothing; exit 1 when the catalog would change.
        #[arg(long)]
        check: bool,
        /// Write what the sources disagree on as disputed or unconfirmed (never an error in
        /// the linter) instead of stopping.
        #[arg(long)]
        record_disputes: bool,
    },
    /// Print what the catalog knows of a model (versions, stages, dates, deployment types,
    /// regions, PTU sizing, default quotas), each fact with the table and date it comes from.
    Show {
        /// The model name (`gpt-4o`), in any case.
        model: String,
        /// One version of it (`2024-11-20`); all versions without it.
        version: Option<String>,
        /// A catalog overlay to lay over the embedded catalog first.
        #[arg(long, value_name = "FILE")]
        catalog: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files or directories to lint (a file stands for its whole module directory).
    /// To lint a directory called `rules` or `explain`, write `./rules`.
    #[arg(value_name = "PATHS", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// The configuration file (default: the first `.aoai-lint.yaml` or `.aoai-lint.yml` from
    /// the first path upward, stopping at the repository root).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// A catalog file laid over the embedded one (a quota increase, a model that arrived
    /// after the catalog's date); `aoai-lint catalog import` writes one.
    #[arg(long, value_name = "FILE")]
    pub catalog: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Record the findings in this file and exit 0: later runs with `--baseline` report
    /// only findings that are not in it.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// Report only findings that this baseline file does not record.
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,

    /// Write the report (in `--format`) to this file and print human output as well.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Lint a plan instead of evaluating the configuration: the output of
    /// `terraform show -json PLANFILE`. The first path is the plan's configuration
    /// directory, where findings point when it holds the resource.
    #[arg(long, value_name = "PLAN.json")]
    pub plan: Option<PathBuf>,

    /// A variables file for root modules, like `terraform -var-file` (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,

    /// A variable for root modules, like `terraform -var` (repeatable). Later
    /// `--var`/`--var-file` arguments win, as in Terraform.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,

    /// The lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,

    /// The date date-based rules take as today (YYYY-MM-DD), for reproducible CI runs.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = parse_date)]
    pub as_of: Option<jiff::civil::Date>,

    /// Files larger than this many bytes are reported and not read.
    #[arg(long, value_name = "BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_file_size: u64,

    /// Report every value a rule needed but could not resolve (AOAI001), so that silence is
    /// not mistaken for a pass.
    #[arg(long)]
    pub report_unknowns: bool,

    /// Also list the findings ignore comments waived, with each comment's place, reason and
    /// expiry (for audits; SARIF marks them as suppressed results).
    #[arg(long)]
    pub show_suppressed: bool,

    /// Apply every safe fix (one that keeps what is deployed) in place, lint again while a
    /// pass still fixes something (a fix can uncover another; at most 4 passes), then report
    /// what is left.
    #[arg(long)]
    pub fix: bool,

    /// With --fix or --diff, also apply the fixes that change what is deployed or what it
    /// costs (each one a reviewer must read).
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print the fixes as a unified diff and change nothing; exit 1 when there is something
    /// to fix. Shows one pass: a fix another one uncovers shows once that one is applied.
    #[arg(long, conflicts_with = "fix")]
    pub diff: bool,

    /// Print only the findings: no summary line, notes or progress on stderr (errors still).
    #[arg(short, long, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Also say on stderr which configuration file and catalog were used, what was found
    /// and how long each stage took.
    #[arg(short, long)]
    pub verbose: bool,

    /// Discover and parse only, then print how many files parsed (the benchmark's floor).
    #[arg(long, hide = true)]
    pub parse_only: bool,

    /// Never colour the output (also: the NO_COLOR environment variable).
    #[arg(long)]
    pub no_color: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

fn parse_date(text: &str) -> Result<jiff::civil::Date, String> {
    text.parse::<jiff::civil::Date>()
        .map_err(|e| format!("expected a date as YYYY-MM-DD: {e}"))
}
