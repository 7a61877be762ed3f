use super::{Context, Rule, RuleMeta, declare_rule};
use crate::catalog::Model;
use crate::diagnostic::{Finding, Label, Severity};
use crate::facts::Deployment;

declare_rule! {
    /// ## What it does
    /// Checks that a deployment's model name, and its version when one is given, exist in
    /// the catalog of Azure OpenAI models. How sure it can be decides the severity, because
    /// the catalog is always older than the newest model:
    /// - an unknown name that is a likely misspelling of a known one (`gpt4o`, `gtp-4o`,
    ///   `gpt-4o-mni`: the same name but for separators, case or two letters, with the same
    ///   numbers) is an error that names the known one;
    /// - any other unknown name is a warning that names the catalog's date: it may be a
    ///   model released since;
    /// - an unknown version dated after every table that lists models is info: newer than
    ///   the catalog, not wrong;
    /// - an unknown version dated before that is an error, with the known versions.
    ///
    /// ## Why is this bad?
    /// A misspelt model (`gpt4o`) or version (`2024-11-02`) fails only when Terraform applies
    /// the plan, after review. A version that never existed cannot be checked for retirement
    /// or regional availability either.
    ///
    /// ## Example
    /// ```hcl
    /// model {
    ///   format  = "OpenAI"
    ///   name    = "gpt-4o"
    ///   version = "2024-11-02"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// model {
    ///   format  = "OpenAI"
    ///   name    = "gpt-4o"
    ///   version = "2024-11-20"
    /// }
    /// ```
    ///
    /// ## Configuration
    /// None. A model that arrived after the catalog's date can be added with a catalog
    /// overlay (`aoai-lint catalog import`).
    ///
    /// ## Fix
    /// Unsafe (`--fix --unsafe-fixes`), for a likely misspelling: the model it looks like is
    /// written where the name is written. Which model is deployed changes, so a reviewer
    /// must read it. Not where the deployment's own name is written in the same place
    /// (clients call it by that name). Never where a variable or local the value passed
    /// through is also read elsewhere in its module: rewriting it would change those too.
    ///
    /// ## When it stays silent
    /// When the name or version is unknown; for models whose `format` is not `OpenAI` (the
    /// catalog covers Azure OpenAI models only); for fine-tuned models (`<base>.ft-<id>`);
    /// for any version of a model the matrix names without a confirmed version. Versions
    /// compare as Azure writes them: `1106-Preview` is `1106-preview`, `3.0` is `3`.
    ///
    /// ## Sources
    /// `rules/models.yaml`: the model matrix and retirement tables of the Azure OpenAI
    /// documentation.
    pub static UNKNOWN_MODEL = {
        id: "AOAI301",
        name: "unknown-model",
        severity: Some(Severity::Error),
        category: Availability,
        summary: "model name or version unknown to the catalog",
    };
}

pub struct UnknownModel;

impl Rule for UnknownModel {
    fn meta(&self) -> &'static RuleMeta {
        &UNKNOWN_MODEL
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for deployment in &cx.config.deployments {
            if deployment.model_format.known().map(String::as_str) != Some("OpenAI") {
                continue;
            }
            cx.note_unknown(
                out,
                &UNKNOWN_MODEL,
                &deployment.model_name,
                "the model name",
                &deployment.address,
            );
            cx.note_unknown(
                out,
                &UNKNOWN_MODEL,
                &deployment.model_version,
                "the model version",
                &deployment.address,
            );
            let Some(name) = deployment.model_name.known() else {
                continue;
            };
            if name.contains(".ft-") {
                continue;
            }
            let versions = cx.catalog.model_versions(name);
            // Retired as a whole: AOAI302 says so, whatever the version.
            if cx.catalog.retired_by_name(name).is_some() {
                continue;
            }
            if versions.is_empty() {
                out.push(unknown_name(cx, deployment, name));
                continue;
            }
            let Some(version) = deployment.model_version.known() else {
                continue;
            };
            if versions.iter().any(|m| m.has_version(version) || m.version_unconfirmed) {
                continue;
            }
            out.push(unknown_version(cx, deployment, name, version, &versions));
        }
    }
}

/// An error when `name` is a likely misspelling of a model the catalog knows, else a
/// warning: the model may have been released after the catalog's tables.
fn unknown_name(cx: &Context<'_>, deployment: &Deployment, name: &str) -> Finding {
    let known_to = cx.catalog.models_known_to();
    let (severity, message, help) = match cx.catalog.misspelt_model(name) {
        Some(known) => (
            Severity::Error,
            format!("model `{name}` does not exist: it looks like a misspelling of `{known}`"),
            format!("did you mean `{known}`?"),
        ),
        None => (
            Severity::Warning,
            format!("model `{name}` is not in the catalog, whose models are known to {known_to}"),
            "if the model is newer than the catalog, add it with `aoai-lint catalog import` or an overlay; \
             otherwise check the name against `az cognitiveservices model list`"
                .to_owned(),
        ),
    };
    let mut finding = Finding::new(
        &UNKNOWN_MODEL,
        message,
        Label::new(deployment.model_name.span, "unknown model"),
    )
    .with_resource(&deployment.address)
    .with_related(deployment.model_name.origin.labels())
    .with_help(help);
    finding.severity = severity;
    // A likely misspelling has one model it means: written where the name is written. Which
    // model is deployed changes, so a reviewer must read it.
    if let Some(known) = cx.catalog.misspelt_model(name)
        && !super::fixes::renames(deployment, &deployment.model_name)
    {
        finding = finding.with_fix(super::fixes::rewrite_where_written(
            cx,
            (&deployment.model_name, deployment.block),
            (format!("\"{name}\""), format!("\"{known}\"")),
            crate::diagnostic::Safety::Unsafe,
            format!("write the model `{known}`"),
        ));
    }
    finding
}

/// An error for a version the catalog's tables should list, info for one dated after
/// them (newer than the catalog, not wrong).
fn unknown_version(
    cx: &Context<'_>,
    deployment: &Deployment,
    name: &str,
    version: &str,
    versions: &[&Model],
) -> Finding {
    let known: Vec<&str> = versions.iter().filter_map(|m| m.version.as_deref()).collect();
    let known_to = cx.catalog.models_known_to();
    let newer = cx.catalog.is_newer_than_models(version);
    let (severity, message, help) = if newer {
        (
            Severity::Info,
            format!("`{name}` version `{version}` is newer than the catalog, whose models are known to {known_to}"),
            format!(
                "add it with `aoai-lint catalog import` or an overlay to have it checked. Known versions: {}",
                known.join(", ")
            ),
        )
    } else {
        let mut nearest = known.clone();
        nearest.sort_by(|a, b| {
            strsim::jaro_winkler(version, b)
                .total_cmp(&strsim::jaro_winkler(version, a))
                .then(a.cmp(b))
        });
        (
            Severity::Error,
            format!("`{name}` has no version `{version}` ({})", cx.catalog.lifecycle_table()),
            format!(
                "{} Known versions: {}",
                suggestion(&nearest[..nearest.len().min(1)]).unwrap_or_default(),
                known.join(", ")
            ),
        )
    };
    let mut finding = Finding::new(
        &UNKNOWN_MODEL,
        message,
        Label::new(deployment.model_version.span, "unknown version"),
    )
    .with_resource(&deployment.address)
    .with_related(deployment.model_version.origin.labels())
    .with_help(help);
    finding.severity = severity;
    finding
}

fn suggestion(names: &[&str]) -> Option<String> {
    (!names.is_empty()).then(|| {
        format!(
            "did you mean {}?",
            names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" or ")
        )
    })
}

#[cfg(test)]
mod tests {
    use crate::testing::{Case, account, assert_cases, deployment};

    fn with(model: &str, version: Option<&str>) -> String {
        account("a", "\"eastus2\"") + &deployment("d", "a", model, version, "GlobalStandard", Some(10))
    }

    #[test]
    fn cases() {
        assert_cases(
            "AOAI301",
            &[
                Case::new(
                    "unknown name",
                    &[("main.tf", &with("gpt4o", Some("2024-11-20")))],
                    &["main.tf:14:15"],
                ),
                Case::new(
                    "a model retired as a whole is AOAI302's, whatever the version",
                    &[("main.tf", &with("text-davinci-003", Some("1")))],
                    &[],
                ),
                Case::new(
                    "unknown version",
                    &[("main.tf", &with("gpt-4o", Some("2024-11-02")))],
                    &["main.tf:15:15"],
                ),
                Case::new("known", &[("main.tf", &with("gpt-4o", Some("2024-11-20")))], &[]),
                Case::new(
                    "version in another case",
                    &[("main.tf", &with("gpt-4", Some("1106-Preview")))],
                    &[],
                ),
                Case::new("no version", &[("main.tf", &with("gpt-4o", None))], &[]),
                Case::new(
                    "a name newer than the catalog (a warning)",
                    &[("main.tf", &with("gpt-7", Some("2027-01-01")))],
                    &["main.tf:14:15"],
                ),
                Case::new(
                    "a version newer than the catalog (info)",
                    &[("main.tf", &with("gpt-5.5", Some("2026-11-30")))],
                    &["main.tf:15:15"],
                ),
                Case::new(
                    "a model the matrix names without a confirmed version",
                    &[("main.tf", &with("gpt-6-luna", Some("2026-10-01")))],
                    &[],
                ),
                Case::new(
                    "a model released after the previous catalog",
                    &[("main.tf", &with("gpt-5.6-sol", Some("2026-07-09")))],
                    &[],
                ),
                Case::new(
                    "a version as the portal writes it",
                    &[("main.tf", &with("dall-e-3", Some("3.0")))],
                    &[],
                ),
                Case::new(
                    "fine-tuned",
                    &[("main.tf", &with("gpt-4o-mini-2024-07-18.ft-0123abcd", Some("1")))],
                    &[],
                ),
                Case::new(
                    "other formats are not judged",
                    &[(
                        "main.tf",
                        &with("Llama-4-Maverick", Some("1")).replace("\"OpenAI\"\n    name", "\"Meta\"\n    name"),
                    )],
                    &[],
                ),
                Case::new(
                    "unknown name from a data source",
                    &[(
                        "main.tf",
                        &with("gpt-4o", Some("2024-11-20")).replace("\"gpt-4o\"", "data.x.y.model"),
                    )],
                    &[],
                ),
            ],
        );
    }
}
