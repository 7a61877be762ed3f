use super::{Context, Rule, RuleMeta, declare_rule, fixes};
use crate::catalog::Model;
use crate::diagnostic::{Finding, Fix, Label, Safety, Severity};
use crate::facts::Deployment;
use crate::source::Span;
use std::collections::HashMap;

declare_rule! {
    /// ## What it does
    /// Flags a deployment of a model version that is retired (error) or retires within the
    /// policy's horizon (warning, 90 days by default), with the retirement date and the
    /// documented replacement. A model the retirement table lists by name only (the GPT-3
    /// family: `text-davinci-003`, `ada`, `text-search-ada-doc-001`, ...) is retired whatever
    /// the version written.
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
    /// ## Fix
    /// Unsafe (`--fix --unsafe-fixes`): the version, and the model name when the replacement
    /// is another model, become the replacement the retirement table documents, where each
    /// is written (in the resource or where its value comes from). Only when the replacement
    /// is one version the catalog knows, that is not itself retired or retiring within the
    /// horizon, and that the catalog lists in the account's region for the deployment type;
    /// a replacement named without a version is taken only when the catalog has exactly one
    /// such version of it; not where the deployment's own name is written in the same place
    /// (clients call it by that name). Every deployment whose version (or renamed name) is written in the
    /// same place, through any module call, must move to the same replacement. The model
    /// answers differently, so a reviewer must read it. Never where a variable or local the value passed
    /// through is also read elsewhere in its module: rewriting it would change those too.
    ///
    /// ## When it stays silent
    /// When the model name or version is unknown or not in the catalog (AOAI301 reports the
    /// latter), and when no version is given (AOAI306 says what the service will deploy).
    /// Where a deployment type retires on its own date and the type is unknown, the latest
    /// date applies.
    ///
    /// Where the sources disagree on a row's date (the schedule lists it twice with two
    /// dates, or an older schedule gave a date the newest does not), the finding names the
    /// dates and is a warning at most.
    ///
    /// ## Sources
    /// `rules/models.yaml`: the Azure OpenAI model retirement schedule (its `lifecycle`
    /// table; the finding names the table's date).
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
        let deployments = &cx.config.deployments;
        let wants: Vec<Option<(&str, &str)>> = deployments.iter().map(|d| replacement(cx, d, row(cx, d)?)).collect();
        let agreed = Agreed {
            by_version: fixes::agreed(
                deployments
                    .iter()
                    .zip(&wants)
                    .map(|(d, w)| (fixes::written_at(&d.model_version), *w)),
            ),
            by_name: fixes::agreed(
                deployments
                    .iter()
                    .zip(&wants)
                    .map(|(d, w)| (fixes::written_at(&d.model_name), *w)),
            ),
        };
        for (deployment, want) in deployments.iter().zip(&wants) {
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
            let Some(model) = row(cx, deployment) else {
                continue;
            };
            let deployment_type = deployment.sku_name.known().map(String::as_str);
            let disputed = model.disputed_retirements();
            let earliest_disputed = disputed.iter().filter_map(|d| d.parse().ok()).min();
            let Some(date) = retirement(model, deployment_type).or(earliest_disputed) else {
                continue;
            };
            let days = i64::from((date - cx.today).get_days());
            let earliest = model.retirement_is_earliest();
            let (severity, when) = if !disputed.is_empty() && days <= cx.policy.lifecycle.warn_days {
                // The sources disagree on the date: a warning at most.
                let when = if model.retirement(deployment_type).is_some() {
                    format!("retires on {}: the schedule lists each", disputed.join(" or "))
                } else {
                    format!(
                        "may have retired on {}: an older schedule gives that date, the newest none",
                        disputed.join(" or ")
                    )
                };
                (Severity::Warning, when)
            } else if days <= 0 && !earliest {
                (Severity::Error, format!("retired on {date}"))
            } else if days <= 0 {
                (Severity::Warning, format!("may retire any day: no earlier than {date}"))
            } else if days <= cx.policy.lifecycle.warn_days {
                let on = if earliest {
                    "retires no earlier than"
                } else {
                    "retires on"
                };
                (Severity::Warning, format!("{on} {date}, in {days} days"))
            } else {
                continue;
            };
            let stage = match model.status() {
                Some(status) if status.eq_ignore_ascii_case("legacy") => " (Legacy)",
                _ => "",
            };
            let message = format!(
                "`{name}` version `{version}`{stage} {when} ({})",
                cx.catalog.lifecycle_citation(model)
            );
            let replacement = match model.replacement() {
                Some(replacement) => format!("move to {replacement}"),
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
            finding = finding.with_fix(replace(cx, deployment, *want, &agreed));
            out.push(finding);
        }
    }
}

/// The catalog's row for a deployment's model version, or for the model when it is retired
/// as a whole.
fn row<'c>(cx: &Context<'c>, deployment: &Deployment) -> Option<&'c Model> {
    let name = deployment.model_name.known()?;
    let version = deployment.model_version.known()?;
    cx.catalog
        .model(name, version)
        .or_else(|| cx.catalog.retired_by_name(name))
}

/// What the deployments that share each place a model's name or version is written in would
/// move to, when they agree.
struct Agreed<'c> {
    by_version: HashMap<Span, Option<(&'c str, &'c str)>>,
    by_name: HashMap<Span, Option<(&'c str, &'c str)>>,
}

/// The deployment moved to `want`, the replacement its model's retirement table documents,
/// where its name and version are written.
fn replace(cx: &Context<'_>, deployment: &Deployment, want: Option<(&str, &str)>, agreed: &Agreed<'_>) -> Option<Fix> {
    let (name, version) = want?;
    let old_name = deployment.model_name.known()?;
    let old_version = deployment.model_version.known()?;
    let renamed = !name.eq_ignore_ascii_case(old_name);
    if (renamed && fixes::renames(deployment, &deployment.model_name))
        || fixes::renames(deployment, &deployment.model_version)
    {
        return None;
    }
    // Every deployment whose version (or, when it is renamed, name) is written in the same
    // place moves with this one: each must move the same way, or none does.
    let same =
        |agreed: &HashMap<Span, Option<(&str, &str)>>, field| agreed.get(&fixes::written_at(field)) == Some(&want);
    if !same(&agreed.by_version, &deployment.model_version)
        || (renamed && !same(&agreed.by_name, &deployment.model_name))
    {
        return None;
    }
    let mut edits = Vec::new();
    if renamed {
        let quoted = (format!("\"{old_name}\""), format!("\"{name}\""));
        edits.push(fixes::rewrite(
            cx,
            (&deployment.model_name, deployment.block),
            quoted.0,
            quoted.1,
        )?);
    }
    let quoted = (format!("\"{old_version}\""), format!("\"{version}\""));
    edits.push(fixes::rewrite(
        cx,
        (&deployment.model_version, deployment.block),
        quoted.0,
        quoted.1,
    )?);
    Some(Fix {
        safety: Safety::Unsafe,
        description: format!("move to `{name}` version `{version}`, the documented replacement").into(),
        edits,
    })
}

/// The one model version the replacement names that the deployment can move to: known to
/// the catalog, not retiring within the horizon, and listed in the account's region for the
/// deployment type.
fn replacement<'c>(cx: &Context<'c>, deployment: &Deployment, model: &Model) -> Option<(&'c str, &'c str)> {
    let mut words = model.replacement()?.split_whitespace();
    let (name, version, None) = (words.next()?, words.next(), words.next()) else {
        return None;
    };
    let sku = deployment.sku_name.known()?;
    let region = cx.config.account(&deployment.account)?.location.known()?;
    let horizon = cx
        .today
        .checked_add(jiff::Span::new().days(cx.policy.lifecycle.warn_days))
        .ok()?;
    let mut fitting = cx.catalog.model_versions(name).into_iter().filter(|m| {
        let named = version.is_none_or(|v| m.has_version(v));
        let lasting = retirement(m, Some(sku)).is_none_or(|date| date > horizon) && m.disputed_retirements().is_empty();
        named && lasting && m.offered(sku, region)
    });
    let (Some(one), None) = (fitting.next(), fitting.next()) else {
        return None;
    };
    Some((one.name.as_str(), one.version.as_deref()?))
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
                    "a model retired as a whole, whatever the version",
                    &[("main.tf", &with("text-davinci-003", "1", "Standard"))],
                    &["main.tf:15:15"],
                ),
                Case::new(
                    "unknown version is another rule's",
                    &[("main.tf", &with("gpt-4o", "1999-01-01", "GlobalStandard"))],
                    &[],
                ),
            ],
        );
        // The retirement schedule of 2026-09-02 moved gpt-4o 2024-11-20 to 2027-04-14.
        let gpt4o = with("gpt-4o", "2024-11-20", "GlobalStandard");
        assert_cases_on(
            "AOAI302",
            "2027-02-01",
            &[Case::new(
                "inside the horizon",
                &[("main.tf", &gpt4o)],
                &["main.tf:15:15"],
            )],
        );
        assert_cases_on(
            "AOAI302",
            "2026-12-03",
            &[
                Case::new("outside the horizon", &[("main.tf", &gpt4o)], &[]),
                Case::new(
                    "retired since the catalog's last schedule",
                    &[("main.tf", &with("gpt-chat-latest", "2026-05-28", "GlobalStandard"))],
                    &["main.tf:15:15"],
                ),
                Case::new(
                    "a date only an older schedule gives is reported, as a warning",
                    &[("main.tf", &with("gpt-realtime-2", "2026-05-06", "GlobalStandard"))],
                    &["main.tf:15:15"],
                ),
                Case::new(
                    "a disputed date is reported, as a warning",
                    &[("main.tf", &with("gpt-realtime-mini", "2025-10-06", "GlobalStandard"))],
                    &["main.tf:15:15"],
                ),
            ],
        );
    }

    #[test]
    fn a_type_that_retires_on_its_own_date_uses_it_and_an_unknown_type_the_latest() {
        let model: crate::catalog::Model = serde_json::from_str(
            r#"{"name": "m", "version": "1", "lifecycle": {"retirement": "2026-10-01", "retirement_by_type": {"Standard": "2026-03-31"}}}"#,
        )
        .unwrap();
        let day = |d: &str| Some(d.parse::<jiff::civil::Date>().unwrap());
        assert_eq!(super::retirement(&model, Some("Standard")), day("2026-03-31"));
        assert_eq!(super::retirement(&model, Some("GlobalStandard")), day("2026-10-01"));
        assert_eq!(super::retirement(&model, None), day("2026-10-01"));
    }
}
