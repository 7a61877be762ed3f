use super::{Context, Rule, RuleMeta, declare_rule, fixes};
use crate::catalog::Scope;
use crate::diagnostic::{Finding, Fix, Label, Safety, Severity};
use crate::facts::Deployment;
use crate::source::Span;
use std::collections::HashMap;

declare_rule! {
    /// ## What it does
    /// Checks a provisioned deployment's capacity (PTUs) against the model's minimum and
    /// increment for the deployment's scope: global and data zone provisioned deployments
    /// have one minimum and step, regional ones another.
    ///
    /// ## Why is this bad?
    /// Azure rejects a provisioned deployment below the minimum or off the increment, and the
    /// error arrives only at apply time. PTUs are billed by the hour or reserved for a month or
    /// a year, so the size is worth getting right in review.
    ///
    /// ## Example
    /// ```hcl
    /// sku {
    ///   name     = "ProvisionedManaged"
    ///   capacity = 40 # gpt-4o regional: minimum 50, in steps of 50
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// sku {
    ///   name     = "ProvisionedManaged"
    ///   capacity = 50
    /// }
    /// ```
    ///
    /// ## Configuration
    /// None.
    ///
    /// ## Fix
    /// Unsafe (`--fix --unsafe-fixes`): the PTUs are rounded up to the minimum, or to the
    /// next multiple of the increment, where the number is written (in the resource or where
    /// its value comes from). It costs more, so a reviewer must read it. Only where the
    /// number is written as a plain whole number and every deployment that reads it there
    /// rounds it the same way. Never where a variable or local the value passed
    /// through is also read elsewhere in its module: rewriting it would change those too.
    ///
    /// ## When it stays silent
    /// When the model, the type or the capacity is unknown, when the capacity is not written
    /// (AOAI403 reports that), and for models the catalog has no PTU sizing for.
    ///
    /// ## Sources
    /// `rules/quotas.yaml`: minimum PTUs and increments from the Azure OpenAI provisioned
    /// throughput onboarding guide.
    pub static PROVISIONED_CAPACITY = {
        id: "AOAI402",
        name: "provisioned-capacity",
        severity: Some(Severity::Error),
        category: Quota,
        summary: "provisioned PTUs below the minimum or not a multiple of the increment",
    };
}

pub struct ProvisionedCapacity;

impl Rule for ProvisionedCapacity {
    fn meta(&self) -> &'static RuleMeta {
        &PROVISIONED_CAPACITY
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let deployments = &cx.config.deployments;
        let agreed = fixes::agreed(
            deployments
                .iter()
                .map(|d| (fixes::written_at(&d.sku_capacity), rounded(cx, d))),
        );
        for deployment in deployments {
            cx.note_unknown(
                out,
                &PROVISIONED_CAPACITY,
                &deployment.sku_capacity,
                "the capacity",
                &deployment.address,
            );
            let (Some(sku), Some(model), Some(&ptus)) = (
                deployment.sku_name.known(),
                deployment.model_name.known(),
                deployment.sku_capacity.known(),
            ) else {
                continue;
            };
            let Some(kind) = cx.catalog.deployment_type(sku).filter(|t| t.provisioned) else {
                continue;
            };
            let Some(rule) = cx.catalog.ptu_rule(model) else {
                continue;
            };
            let Some((minimum, step)) = rule.sizing(kind.scope) else {
                continue;
            };
            let scope = match kind.scope {
                Scope::Regional => "regional",
                Scope::Datazone | Scope::Global => "global and data zone",
            };
            let table = cx.catalog.table("ptu-sizing");
            let whole = ptus.fract() == 0.0;
            let problem = if ptus < minimum as f64 {
                format!("{ptus} PTUs is below the minimum of {minimum} for {scope} provisioned `{model}` ({table})")
            } else if !whole || !(ptus as u64).is_multiple_of(step) {
                format!(
                    "{ptus} PTUs is not a multiple of {step}, the increment for {scope} provisioned `{model}` ({table})"
                )
            } else {
                continue;
            };
            let finding = Finding::new(
                &PROVISIONED_CAPACITY,
                problem,
                Label::new(deployment.sku_capacity.span, "PTUs"),
            )
            .with_resource(&deployment.address)
            .with_related(deployment.sku_capacity.origin.labels())
            .with_help(format!(
                "{sku} `{model}` takes at least {minimum} PTUs, in steps of {step}"
            ));
            out.push(finding.with_fix(round_up(cx, deployment, &agreed)));
        }
    }
}

/// The PTUs `deployment` needs: its capacity rounded up to the minimum, or to the next
/// multiple of the increment; `None` when it is on size or cannot be told.
fn rounded(cx: &Context<'_>, deployment: &Deployment) -> Option<u64> {
    let kind = cx
        .catalog
        .deployment_type(deployment.sku_name.known()?)
        .filter(|t| t.provisioned)?;
    let (minimum, step) = cx
        .catalog
        .ptu_rule(deployment.model_name.known()?)?
        .sizing(kind.scope)?;
    let ptus = *deployment.sku_capacity.known()?;
    let step = step.max(1);
    let rounded = ((ptus / step as f64).ceil() as u64 * step).max(minimum);
    (rounded as f64 != ptus).then_some(rounded)
}

/// The capacity rounded up where it is written, when it is written as the plain number it is
/// read as (anything else, `4e1` or an expression, is left to the reader) and every
/// deployment that reads it there rounds it the same way (`agreed`, by place).
fn round_up(cx: &Context<'_>, deployment: &Deployment, agreed: &HashMap<Span, Option<u64>>) -> Option<Fix> {
    let ptus = *deployment.sku_capacity.known()?;
    let at = fixes::written_at(&deployment.sku_capacity);
    let to = (*agreed.get(&at)?)?;
    let text = fixes::text_at(cx.sources, at).filter(|t| t.parse::<u64>().is_ok_and(|n| n as f64 == ptus))?;
    fixes::rewrite_where_written(
        cx,
        (&deployment.sku_capacity, deployment.block),
        (text.to_owned(), to.to_string()),
        Safety::Unsafe,
        format!("round up to {to} PTUs"),
    )
}

#[cfg(test)]
mod tests {
    use crate::testing::{Case, account, assert_cases, deployment};

    fn with(sku: &str, capacity: i64) -> String {
        account("a", "\"eastus2\"") + &deployment("d", "a", "gpt-4o", Some("2024-11-20"), sku, Some(capacity))
    }

    #[test]
    fn cases() {
        assert_cases(
            "AOAI402",
            &[
                Case::new(
                    "regional below the minimum",
                    &[("main.tf", &with("ProvisionedManaged", 40))],
                    &["main.tf:19:16"],
                ),
                Case::new(
                    "regional off the step",
                    &[("main.tf", &with("ProvisionedManaged", 75))],
                    &["main.tf:19:16"],
                ),
                Case::new("regional right", &[("main.tf", &with("ProvisionedManaged", 100))], &[]),
                Case::new(
                    "global below the minimum",
                    &[("main.tf", &with("GlobalProvisionedManaged", 10))],
                    &["main.tf:19:16"],
                ),
                Case::new(
                    "global right",
                    &[("main.tf", &with("GlobalProvisionedManaged", 20))],
                    &[],
                ),
                Case::new(
                    "data zone off the step",
                    &[("main.tf", &with("DataZoneProvisionedManaged", 17))],
                    &["main.tf:19:16"],
                ),
                Case::new(
                    "standard types are not provisioned",
                    &[("main.tf", &with("GlobalStandard", 7))],
                    &[],
                ),
            ],
        );
    }
}
