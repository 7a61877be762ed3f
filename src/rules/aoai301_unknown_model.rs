use super::{Context, Rule, RuleMeta, declare_rule};
use crate::diagnostic::{Finding, Label, Severity};

declare_rule! {
    /// ## What it does
    /// Checks that a deployment's model name, and its version when one is given, exist in
    /// the catalog of Azure OpenAI models.
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
    /// None. A model that arrived after the catalog's date can be added with a catalog overlay.
    ///
    /// ## When it stays silent
    /// When the name or version is unknown; for models whose `format` is not `OpenAI` (the
    /// catalog covers Azure OpenAI models only); for fine-tuned models (`<base>.ft-<id>`).
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
            if versions.is_empty() {
                let help = suggestion(&cx.catalog.nearest_models(name)).unwrap_or_else(|| {
                    "check the name against `az cognitiveservices model list`, or add the model with a catalog overlay".into()
                });
                out.push(
                    Finding::new(
                        &UNKNOWN_MODEL,
                        format!("model `{name}` is not in the catalog (as of {})", cx.catalog.as_of),
                        Label::new(deployment.model_name.span, "unknown model"),
                    )
                    .with_resource(&deployment.address)
                    .with_related(deployment.model_name.origin.labels())
                    .with_help(help),
                );
                continue;
            }
            let Some(version) = deployment.model_version.known() else {
                continue;
            };
            if versions.iter().any(|m| m.has_version(version)) {
                continue;
            }
            let known: Vec<&str> = versions.iter().filter_map(|m| m.version.as_deref()).collect();
            let mut nearest: Vec<&str> = known.clone();
            nearest.sort_by(|a, b| {
                strsim::jaro_winkler(version, b)
                    .total_cmp(&strsim::jaro_winkler(version, a))
                    .then(a.cmp(b))
            });
            out.push(
                Finding::new(
                    &UNKNOWN_MODEL,
                    format!(
                        "`{name}` has no version `{version}` in the catalog (as of {})",
                        cx.catalog.as_of
                    ),
                    Label::new(deployment.model_version.span, "unknown version"),
                )
                .with_resource(&deployment.address)
                .with_related(deployment.model_version.origin.labels())
                .with_help(format!(
                    "{} Known versions: {}",
                    suggestion(&nearest[..nearest.len().min(1)]).unwrap_or_default(),
                    known.join(", ")
                )),
            );
        }
    }
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
