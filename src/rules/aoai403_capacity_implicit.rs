use super::{Context, Rule, RuleMeta, declare_rule, fixes};
use crate::diagnostic::{Finding, Fix, Label, Safety, Severity};
use crate::facts::{Deployment, DeploymentResource, Known};

declare_rule! {
    /// ## What it does
    /// Flags a deployment whose `sku` (or 3.x `scale`) block sets no `capacity`, or a capacity
    /// of zero or less.
    ///
    /// ## Why is this bad?
    /// azurerm defaults `capacity` to 1: one unit is 1,000 tokens per minute for a standard
    /// deployment, a rate limit a single request can exhaust. It is almost never what was
    /// meant, and for a provisioned deployment it is below every minimum.
    ///
    /// ## Example
    /// ```hcl
    /// sku {
    ///   name = "GlobalStandard"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// sku {
    ///   name     = "GlobalStandard"
    ///   capacity = 50 # 50,000 tokens per minute
    /// }
    /// ```
    ///
    /// ## Configuration
    /// None.
    ///
    /// ## Fix
    /// Safe (`--fix`): where `capacity` is left out of an `azurerm_cognitive_deployment`'s
    /// `sku` (or `scale`) block, `capacity = 1`, the provider's default, is written after
    /// the block's `name`, aligned as `terraform fmt` aligns it. What is deployed does not
    /// change; the one unit is now in the diff for a reviewer to see and raise. Not for a
    /// block made by `dynamic`, written on one line, or beside a trailing comment.
    ///
    /// ## When it stays silent
    /// When the capacity is written, even as a value the linter cannot resolve, and when the
    /// `sku` block itself is behind an unknown `dynamic`.
    ///
    /// ## Sources
    /// azurerm `azurerm_cognitive_deployment`: `sku.capacity` defaults to 1; Azure OpenAI
    /// quota documentation: one capacity unit of a standard deployment is 1,000 TPM.
    pub static CAPACITY_IMPLICIT = {
        id: "AOAI403",
        name: "capacity-implicit",
        severity: Some(Severity::Warning),
        category: Quota,
        summary: "no capacity set (defaults to 1 unit = 1K TPM) or capacity <= 0",
    };
}

pub struct CapacityImplicit;

impl Rule for CapacityImplicit {
    fn meta(&self) -> &'static RuleMeta {
        &CAPACITY_IMPLICIT
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for deployment in &cx.config.deployments {
            // No sku block at all is a provider error, not an implicit capacity.
            if deployment.sku_name.is_absent() {
                continue;
            }
            let capacity = &deployment.sku_capacity;
            let (message, label) = match capacity.value {
                Known::Absent => (
                    "no capacity: azurerm deploys 1 unit (1,000 tokens per minute)".to_owned(),
                    "capacity not set",
                ),
                Known::Value(n) if n <= 0.0 => (format!("capacity {n} is not a usable capacity"), "capacity <= 0"),
                _ => continue,
            };
            let mut finding = Finding::new(&CAPACITY_IMPLICIT, message, Label::new(capacity.span, label))
                .with_resource(&deployment.address)
                .with_related(capacity.origin.labels())
                .with_help(
                    "set `capacity`: thousands of tokens per minute for standard types, PTUs for provisioned ones",
                );
            if let Some(fix) = default_written_out(cx, deployment) {
                finding = finding.with_fix(fix);
            }
            out.push(finding);
        }
    }
}

/// `capacity = 1` written where azurerm's default of 1 applies: what is deployed stays.
fn default_written_out(cx: &Context<'_>, deployment: &Deployment) -> Option<Fix> {
    if deployment.resource != DeploymentResource::CognitiveDeployment || !deployment.sku_capacity.is_absent() {
        return None;
    }
    fixes::insert_attribute(
        cx,
        deployment.sku_block?,
        ("capacity", "1"),
        &["name", "type"],
        Safety::Safe,
        "write `capacity = 1`, the provider's default".to_owned(),
    )
}

#[cfg(test)]
mod tests {
    use crate::testing::{Case, account, assert_cases, deployment};

    fn with(capacity: Option<i64>) -> String {
        account("a", "\"eastus2\"") + &deployment("d", "a", "gpt-5.1", Some("2025-11-13"), "GlobalStandard", capacity)
    }

    #[test]
    fn cases() {
        assert_cases(
            "AOAI403",
            &[
                Case::new("no capacity", &[("main.tf", &with(None))], &["main.tf:17:3"]),
                Case::new("zero", &[("main.tf", &with(Some(0)))], &["main.tf:19:16"]),
                Case::new("set", &[("main.tf", &with(Some(50)))], &[]),
                Case::new(
                    "unknown",
                    &[("main.tf", &with(Some(50)).replace("capacity = 50", "capacity = var.c"))],
                    &[],
                ),
            ],
        );
    }
}
