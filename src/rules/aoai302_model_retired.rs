use super::{Context, Rule, RuleMeta, declare_rule};
use crate::catalog::Model;
use crate::diagnostic::{Finding, Label, Severity};

declare_rule! {
    /// ## What it does
    /// Flags a deployment of a model version that is retired (error) or retires within the
    /// policy's horizon (warning, 90 days by default), with the retirement date and the
    /// documented replacement.
    ///
    /// ## Why is this bad?
    /// A retired model version cannot be deployed, and existing deployments stop answering or
    /// are upgraded by the service. A retirement inside the horizon leaves too little time to
    /// test the replacement.
    ///
    /// ## Example
    /// ```hcl
    /// model {
    ///   format  = "OpenAI"
    ///   name    = "gpt-4o-realtime-preview"
    ///   version = "2024-12-17"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// model {
    ///   format  = "OpenAI"
    ///   name    = "gpt-realtime"
    ///   version = "2025-08-28"
    /// }
    /// ```
    ///
    /// ## Configuration
    /// `policy.lifecycle.warn_days` (default 90), or the rule's own option:
    /// `rules: { AOAI302: { warn_days: 30 } }`. "Today" is `--as-of` or the current date.
    ///
    /// ## When it stays silent
    /// When the model name or version is unknown or not in the catalog (AOAI301 reports the
    /// latter), and when no version is given (AOAI306 says what the service will deploy).
    /// Where a deployment type retires on its own date and the type is unknown, the latest
    /// date applies.
    ///
    /// ## Sources
    /// `rules/models.yaml`: the Azure OpenAI model retirement tables.
    pub static MODEL_RETIRED = {
        id: "AOAI302",
        name: "model-retired",
        severity: Some(Severity::Error),
        category: Availability,
        summary: "model version retired, or retiring within the policy's horizon",
    };
}

pub struct ModelRetired;

/// The retirement date that applies: the type's own, or when the type is unknown the
/// latest of all, so that an unknown never makes a date earlier.
fn retirement(model: &Model, deployment_type: Option<&str>) -> Option<jiff::civil::Date> {
    if deployment_type.is_some() {
        return model.retirement(deployment_type);
    }
    let lifecycle = model.lifecycle.as_ref()?;
    lifecycle
        .retirement
        .iter()
        .chain(lifecycle.retirement_by_type.values())
        .filter_map(|d| d.parse().ok())
        .max()
}

impl Rule for ModelRetired {
    fn meta(&self) -> &'static RuleMeta {
        &MODEL_RETIRED
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for deployment in &cx.config.deployments {
            cx.note_unknown(
                out,
                &MODEL_RETIRED,
                &deployment.model_version,
                "the model version",
                &deployment.address,
            );
            let (Some(name), Some(version)) = (deployment.model_name.known(), deployment.model_version.known()) else {
                continue;
            };
            let Some(model) = cx.catalog.model(name, version) else {
                continue;
            };
            let deployment_type = deployment.sku_name.known().map(String::as_str);
            let Some(date) = retirement(model, deployment_type) else {
                continue;
            };
            let days = i64::from((date - cx.today).get_days());
            let earliest = model.retirement_is_earliest();
            let (severity, when) = if days <= 0 && !earliest {
                (Severity::Error, ["retired on ", &date.to_string()].concat())
            } else if days <= 0 {
                (
                    Severity::Warning,
                    ["may retire any day: no earlier than ", &date.to_string()].concat(),
                )
            } else if days <= cx.policy.lifecycle.warn_days {
                let on = if earliest {
                    "retires no earlier than "
                } else {
                    "retires on "
                };
                let mut digits = itoa::Buffer::new();
                let in_days = [on, &date.to_string(), ", in ", digits.format(days), " days"];
                (Severity::Warning, in_days.concat())
            } else {
                continue;
            };
            let message = ["`", name, "` version `", version, "` ", &when].concat();
            let replacement = match model.replacement() {
                Some(replacement) => ["move to ", replacement].concat(),
                None => "move to a current version (`az cognitiveservices model list`)".to_owned(),
            };
            let mut finding = Finding::new(
                &MODEL_RETIRED,
                message,
                Label::new(deployment.model_version.span, "this version"),
            )
            .with_resource(&deployment.address)
            .with_related(deployment.model_version.origin.labels())
            .with_help(replacement);
            finding.severity = severity;
            out.push(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{Case, account, assert_cases_on, deployment};

    fn with(model: &str, version: &str, sku: &str) -> String {
        account("a", "\"eastus2\"") + &deployment("d", "a", model, Some(version), sku, Some(10))
    }

    #[test]
    fn cases() {
        assert_cases_on(
            "AOAI302",
            "2026-11-24",
            &[
                Case::new(
                    "retired",
                    &[(
                        "main.tf",
                        &with("gpt-4o-realtime-preview", "2024-12-17", "GlobalStandard"),
                    )],
                    &["main.tf:15:15"],
                ),
                Case::new(
                    "current",
                    &[("main.tf", &with("gpt-5.1", "2025-11-13", "GlobalStandard"))],
                    &[],
                ),
                Case::new(
                    "unknown version is another rule's",
                    &[("main.tf", &with("gpt-4o", "1999-01-01", "GlobalStandard"))],
                    &[],
                ),
            ],
        );
        // gpt-4o 2024-11-20 retires 2026-10-01.
        let gpt4o = with("gpt-4o", "2024-11-20", "GlobalStandard");
        assert_cases_on(
            "AOAI302",
            "2026-07-15",
            &[Case::new(
                "inside the horizon",
                &[("main.tf", &gpt4o)],
                &["main.tf:15:15"],
            )],
        );
        assert_cases_on(
            "AOAI302",
            "2026-01-15",
            &[Case::new("outside the horizon", &[("main.tf", &gpt4o)], &[])],
        );
        // gpt-4o 2024-08-06 retires 2026-03-31 as Standard and 2026-10-01 as other types.
        let standard = with("gpt-4o", "2024-08-06", "Standard");
        let global = with("gpt-4o", "2024-08-06", "GlobalStandard");
        let unknown_type = with("gpt-4o", "2024-08-06", "GlobalStandard").replace("\"GlobalStandard\"", "var.sku");
        assert_cases_on(
            "AOAI302",
            "2026-05-01",
            &[
                Case::new("the type's own date", &[("main.tf", &standard)], &["main.tf:15:15"]),
                Case::new("other types retire later", &[("main.tf", &global)], &[]),
                Case::new(
                    "unknown type takes the latest date",
                    &[("main.tf", &(unknown_type.clone() + "variable \"sku\" {}\n"))],
                    &[],
                ),
            ],
        );
    }
}
