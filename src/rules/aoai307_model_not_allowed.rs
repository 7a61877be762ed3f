use super::{Context, Rule, RuleMeta, declare_rule};
use crate::diagnostic::{Finding, Label, Severity};

declare_rule! {
    /// ## What it does
    /// Checks each deployment's model, and its version where the policy names versions,
    /// against `policy.allowed_models`.
    ///
    /// ## Why is this bad?
    /// Teams approve models after evaluating them for quality, safety and cost; a model that
    /// was not approved should not reach production through an unreviewed change.
    ///
    /// ## Example
    /// With `allowed_models: [gpt-4o@2024-11-20, text-embedding-3-large]`, a deployment of
    /// `gpt-4o` version `2024-08-06`.
    ///
    /// ## Use instead
    /// An approved model and version.
    ///
    /// ## Configuration
    /// `policy.allowed_models`: `name` (any version) or `name@version` entries.
    ///
    /// ## Fix
    /// None: which allowed model replaces it is the team's choice.
    ///
    /// ## When it stays silent
    /// When the list is not configured; when the model name is unknown; when the policy names
    /// versions for the model and the deployment's version is unknown or not written (the
    /// service then chooses it: AOAI306 says so).
    ///
    /// ## Sources
    /// None: the policy is the team's.
    pub static MODEL_NOT_ALLOWED = {
        id: "AOAI307",
        name: "model-not-allowed",
        severity: Some(Severity::Error),
        category: Availability,
        summary: "model or version outside policy.allowed_models",
    };
}

pub struct ModelNotAllowed;

impl Rule for ModelNotAllowed {
    fn meta(&self) -> &'static RuleMeta {
        &MODEL_NOT_ALLOWED
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(allowed) = &cx.policy.allowed_models else {
            return;
        };
        for deployment in &cx.config.deployments {
            cx.note_unknown(
                out,
                &MODEL_NOT_ALLOWED,
                &deployment.model_name,
                "the model name",
                &deployment.address,
            );
            let Some(name) = deployment.model_name.known() else {
                continue;
            };
            let entries: Vec<Option<&str>> = allowed
                .iter()
                .filter_map(|entry| {
                    let (model, version) = match entry.split_once('@') {
                        Some((m, v)) => (m, Some(v)),
                        None => (entry.as_str(), None),
                    };
                    model.eq_ignore_ascii_case(name).then_some(version)
                })
                .collect();
            let (label, message) = if entries.is_empty() {
                (
                    Label::new(deployment.model_name.span, "not an allowed model"),
                    format!("model `{name}` is not allowed by the policy"),
                )
            } else if entries.iter().any(Option::is_none) {
                continue;
            } else {
                let Some(version) = deployment.model_version.known() else {
                    continue;
                };
                if entries.iter().flatten().any(|v| v.eq_ignore_ascii_case(version)) {
                    continue;
                }
                (
                    Label::new(deployment.model_version.span, "not an allowed version"),
                    format!("`{name}` version `{version}` is not allowed by the policy"),
                )
            };
            out.push(
                Finding::new(&MODEL_NOT_ALLOWED, message, label)
                    .with_resource(&deployment.address)
                    .with_help(format!("allowed: {}", allowed.join(", "))),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{Case, account_with_deployment, assert_cases, assert_cases_with_config};

    fn with(model: &str, version: Option<&str>) -> String {
        account_with_deployment("\"swedencentral\"", model, version, "DataZoneStandard")
    }

    #[test]
    fn cases() {
        assert_cases(
            "AOAI307",
            &[Case::new(
                "no list, no finding",
                &[("main.tf", &with("gpt-4o", Some("2024-08-06")))],
                &[],
            )],
        );
        assert_cases_with_config(
            "AOAI307",
            "policy:\n  allowed_models: [gpt-4o@2024-11-20, text-embedding-3-large]\n",
            &[
                Case::new(
                    "another model",
                    &[("main.tf", &with("gpt-5.1", Some("2025-11-13")))],
                    &["main.tf:14:15"],
                ),
                Case::new(
                    "another version",
                    &[("main.tf", &with("gpt-4o", Some("2024-08-06")))],
                    &["main.tf:15:15"],
                ),
                Case::new(
                    "the allowed version",
                    &[("main.tf", &with("GPT-4o", Some("2024-11-20")))],
                    &[],
                ),
                Case::new(
                    "any version allowed",
                    &[("main.tf", &with("text-embedding-3-large", Some("1")))],
                    &[],
                ),
                Case::new("version not written", &[("main.tf", &with("gpt-4o", None))], &[]),
            ],
        );
    }
}
