//! The variables given on the command line and in the environment: `--var-file`, `--var`
//! and `TF_VAR_*`, in Terraform's order, and which of their values are never shown.

use std::path::PathBuf;

use super::{RunError, VariableArg};
use crate::eval::CliVariables;
use crate::eval::module::{self, VarValue};
use crate::parse::{self, Limits};
use crate::source::{SourceMap, Span};

/// Reads `-var-file` files and `-var` assignments, in command-line order, and the
/// `TF_VAR_` environment variables Terraform would read too.
///
/// Values given outside the repository's files are hidden in every finding: `-var`, the
/// environment, and a `-var-file` outside the repositories of the `scanned` paths.
pub(super) fn cli_variables(
    args: &[VariableArg],
    scanned: &[PathBuf],
    sources: &SourceMap,
) -> Result<CliVariables, RunError> {
    let repositories: Vec<PathBuf> = crate::discover::scanned_folders(scanned)
        .iter()
        .filter_map(|dir| crate::discover::repository_of(dir, scanned))
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
