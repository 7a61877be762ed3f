use super::versions::Version;
use super::{Context, Rule, RuleMeta, declare_rule, fixes};
use crate::diagnostic::{Finding, Fix, Label, Safety, Severity};
use crate::facts::{Deployment, DeploymentResource, Known};
use crate::source::Span;
use std::collections::HashMap;

declare_rule! {
    /// ## What it does
    /// Says when a deployment's model can change under a running application: no `version`
    /// (the service deploys its default version), or a `version_upgrade_option` other than
    /// `NoAutoUpgrade` (the provider's default, `OnceNewDefaultVersionAvailable`, moves the
    /// deployment to every new default version).
    ///
    /// ## Why is this bad?
    /// A new model version answers differently: prompts, evaluations and content filters that
    /// were tuned for one version can regress without a change in the repository.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_cognitive_deployment" "chat" {
    ///   model {
    ///     format = "OpenAI"
    ///     name   = "gpt-4o"
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_cognitive_deployment" "chat" {
    ///   version_upgrade_option = "NoAutoUpgrade"
    ///   model {
    ///     format  = "OpenAI"
    ///     name    = "gpt-4o"
    ///     version = "2024-11-20"
    ///   }
    /// }
    /// ```
    /// `OnceCurrentVersionExpired` is a middle way: the version changes only when it retires.
    ///
    /// ## Configuration
    /// None.
    ///
    /// ## Fix
    /// Unsafe (`--fix --unsafe-fixes`), when the version is pinned and the configuration
    /// requires an azurerm that has the attribute (3.80.0 or later): a
    /// `version_upgrade_option` written as another value becomes `"NoAutoUpgrade"` where it
    /// is written, and one left out is written into the resource block after its last
    /// attribute, aligned as `terraform fmt` aligns it. The deployment then stays on its
    /// version until someone moves it, or until the version retires, so a reviewer must read
    /// it. Not for `azapi_resource` deployments, and no version is ever chosen for one left
    /// out: every instance the change reaches must have its version. Never where a variable or local the value passed
    /// through is also read elsewhere in its module: rewriting it would change those too.
    ///
    /// ## When it stays silent
    /// With `NoAutoUpgrade` and a version, and when the option's value is unknown; when
    /// AOAI301 or AOAI302 already reports the version as an error (unknown to the catalog's
    /// tables, or retired): how it would be upgraded is then beside the point.
    ///
    /// ## Sources
    /// azurerm `azurerm_cognitive_deployment`: `version_upgrade_option` defaults to
    /// `OnceNewDefaultVersionAvailable`; `rules/models.yaml` for retirement dates.
    pub static VERSION_NOT_PINNED = {
        id: "AOAI306",
        name: "version-not-pinned",
        severity: Some(Severity::Info),
        category: Availability,
        summary: "no model version, or version_upgrade_option lets the model change under you",
    };
}

pub struct VersionNotPinned;

impl Rule for VersionNotPinned {
    fn meta(&self) -> &'static RuleMeta {
        &VERSION_NOT_PINNED
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let pinned = Pinned::of(&cx.config.deployments);
        for deployment in &cx.config.deployments {
            cx.note_unknown(
                out,
                &VERSION_NOT_PINNED,
                &deployment.version_upgrade_option,
                "the version upgrade option",
                &deployment.address,
            );
            let option = match &deployment.version_upgrade_option.value {
                Known::Absent => "OnceNewDefaultVersionAvailable",
                Known::Value(option) => option.as_str(),
                Known::Unknown => continue,
            };
            let (label, message) = match (&deployment.model_version.value, option) {
                (Known::Unknown, _) | (Known::Value(_), "NoAutoUpgrade") => continue,
                (Known::Value(version), _) if an_error_speaks_first(cx, deployment, version) => continue,
                (Known::Absent, _) => (
                    Label::new(deployment.model_version.span, "no version"),
                    "no model version: the service deploys its current default version, which changes over time"
                        .to_owned(),
                ),
                (Known::Value(version), "OnceCurrentVersionExpired") => {
                    let retires = deployment
                        .model_name
                        .known()
                        .and_then(|name| cx.catalog.model(name, version))
                        .and_then(|m| m.retirement(deployment.sku_name.known().map(String::as_str)))
                        .map(|date| format!(" (on {date})"))
                        .unwrap_or_default();
                    (
                        Label::new(
                            deployment.version_upgrade_option.span,
                            "upgrades when the version retires",
                        ),
                        format!("the model moves to the default version when `{version}` retires{retires}"),
                    )
                }
                (Known::Value(version), _) => (
                    Label::new(
                        if deployment.version_upgrade_option.is_absent() {
                            deployment.model_version.span
                        } else {
                            deployment.version_upgrade_option.span
                        },
                        "upgrades with every new default version",
                    ),
                    format!(
                        "`{}` is {option}{}: the service moves this deployment off `{version}` whenever a new default version ships",
                        deployment.resource.version_upgrade_option(),
                        if deployment.version_upgrade_option.is_absent() {
                            " (the default)"
                        } else {
                            ""
                        }
                    ),
                ),
            };
            let finding = Finding::new(&VERSION_NOT_PINNED, message, label)
                .with_resource(&deployment.address)
                .with_help(help(cx, deployment));
            out.push(finding.with_fix(no_auto_upgrade(cx, deployment, &pinned)));
        }
    }
}

fn help(cx: &Context<'_>, deployment: &Deployment) -> String {
    let (version, option) = (
        deployment.resource.model_version(),
        deployment.resource.version_upgrade_option(),
    );
    let since = &cx.catalog.provider.version_upgrade_option_since;
    let too_old = deployment.resource == DeploymentResource::CognitiveDeployment
        && Version::parse(since).is_some_and(|(since, _)| {
            super::versions::azurerm(cx.config)
                .and_then(|(_, range)| range)
                .is_some_and(|range| range.entirely_below(since))
        });
    if too_old {
        format!("pin `{version}`, and move to azurerm {since} or later to set `{option} = \"NoAutoUpgrade\"`")
    } else {
        format!("pin `{version}` and set `{option} = \"NoAutoUpgrade\"`, then upgrade on your schedule")
    }
}

/// `version_upgrade_option = "NoAutoUpgrade"`, for a deployment whose version is pinned.
/// Whether every deployment that shares a resource block, or a place its
/// `version_upgrade_option` is written, has its version: they are pinned together.
struct Pinned {
    by_block: HashMap<Option<Span>, Option<bool>>,
    by_option: HashMap<Span, Option<bool>>,
}

impl Pinned {
    fn of(deployments: &[Deployment]) -> Pinned {
        let has_version = |d: &Deployment| Some(d.model_version.known().is_some());
        Pinned {
            by_block: fixes::agreed(deployments.iter().map(|d| (d.block, has_version(d)))),
            by_option: fixes::agreed(
                deployments
                    .iter()
                    .map(|d| (fixes::written_at(&d.version_upgrade_option), has_version(d))),
            ),
        }
    }
}

fn no_auto_upgrade(cx: &Context<'_>, deployment: &Deployment, pinned: &Pinned) -> Option<Fix> {
    if deployment.resource != DeploymentResource::CognitiveDeployment || deployment.model_version.known().is_none() {
        return None;
    }
    // The attribute arrived in azurerm 3.80.0: every version the configuration allows must
    // have it.
    let since = Version::parse(&cx.catalog.provider.version_upgrade_option_since)?.0;
    let (_, range) = super::versions::azurerm(cx.config)?;
    if !range?.at_least(since) {
        return None;
    }
    let option = &deployment.version_upgrade_option;
    // The instances that share the block, or the place the option is written, are pinned
    // together: each must have its version.
    let all_pinned = match option.value {
        Known::Absent => pinned.by_block.get(&deployment.block),
        _ => pinned.by_option.get(&fixes::written_at(option)),
    };
    if all_pinned != Some(&Some(true)) {
        return None;
    }
    let description = "keep the pinned version: `version_upgrade_option = \"NoAutoUpgrade\"`".to_owned();
    match &option.value {
        Known::Value(written) => fixes::rewrite_where_written(
            cx,
            (option, deployment.block),
            (format!("\"{written}\""), "\"NoAutoUpgrade\"".to_owned()),
            Safety::Unsafe,
            description,
        ),
        Known::Absent => fixes::insert_attribute(
            cx,
            deployment.block?,
            ("version_upgrade_option", "\"NoAutoUpgrade\""),
            &[],
            Safety::Unsafe,
            description,
        ),
        Known::Unknown => None,
    }
}

/// Whether AOAI301 or AOAI302 already reports the version as an error (a version the
/// catalog's tables should list but do not, or one retired): how it would be upgraded is
/// then beside the point.
fn an_error_speaks_first(cx: &Context<'_>, deployment: &Deployment, version: &str) -> bool {
    let Some(name) = deployment.model_name.known() else {
        return false;
    };
    let versions = cx.catalog.model_versions(name);
    let Some(model) = versions.iter().find(|m| m.has_version(version)) else {
        // A known model without this version: AOAI301 speaks, unless the version is newer
        // than the catalog (an info there) or the model's versions are unconfirmed.
        let newer = cx.catalog.is_newer_than_models(version);
        return !versions.is_empty() && !newer && !versions.iter().any(|m| m.version_unconfirmed);
    };
    let retired = model
        .retirement(deployment.sku_name.known().map(String::as_str))
        .is_some_and(|date| date <= cx.today);
    retired && model.disputed_retirements().is_empty() && !model.retirement_is_earliest()
}

#[cfg(test)]
mod tests {
    use crate::testing::{Case, account, assert_cases, deployment};

    fn with(version: Option<&str>, option: Option<&str>) -> String {
        let mut d = deployment("d", "a", "gpt-5.1", version, "GlobalStandard", Some(10));
        if let Some(option) = option {
            d = d.replace("  model {", &format!("  version_upgrade_option = {option}\n  model {{"));
        }
        account("a", "\"eastus2\"") + &d
    }

    #[test]
    fn cases() {
        assert_cases(
            "AOAI306",
            &[
                Case::new("no version", &[("main.tf", &with(None, None))], &["main.tf:12:3"]),
                Case::new(
                    "default option",
                    &[("main.tf", &with(Some("2025-11-13"), None))],
                    &["main.tf:15:15"],
                ),
                Case::new(
                    "pinned",
                    &[("main.tf", &with(Some("2025-11-13"), Some("\"NoAutoUpgrade\"")))],
                    &[],
                ),
                Case::new(
                    "on expiry",
                    &[(
                        "main.tf",
                        &with(Some("2025-11-13"), Some("\"OnceCurrentVersionExpired\"")),
                    )],
                    &["main.tf:12:28"],
                ),
                Case::new(
                    "unknown option",
                    &[("main.tf", &with(Some("2025-11-13"), Some("var.option")))],
                    &[],
                ),
                Case::new(
                    "no version even when pinned",
                    &[("main.tf", &with(None, Some("\"NoAutoUpgrade\"")))],
                    &["main.tf:13:3"],
                ),
                Case::new(
                    "a version AOAI301 reports is not judged again",
                    &[("main.tf", &with(Some("2025-11-02"), None))],
                    &[],
                ),
                Case::new(
                    "a retired version AOAI302 reports is not judged again",
                    &[(
                        "main.tf",
                        &with(Some("2024-12-17"), None).replace("\"gpt-5.1\"", "\"gpt-4o-realtime-preview\""),
                    )],
                    &[],
                ),
            ],
        );
    }
}
