use std::borrow::Cow;

use super::{Context, Rule, RuleMeta, declare_rule};
use crate::catalog::lower_case;
use crate::diagnostic::{Finding, Label, Severity};
use crate::facts::{ConfigurationKind, Deployment, Known};

declare_rule! {
    /// ## What it does
    /// Sums the capacity of standard deployments per region, model and deployment type across
    /// every account of the configuration, and compares each sum with the default quota of
    /// the policy's quota tier (the highest documented tier unless set).
    ///
    /// ## Why is this bad?
    /// Quota is per subscription, region, model and deployment type, not per account: two
    /// accounts in one region share it. Above the default the apply fails with an
    /// InsufficientQuota error unless the subscription got an increase.
    ///
    /// ## Example
    /// Two `GlobalStandard` `gpt-realtime` deployments of 100 units each (200,000 TPM) in one
    /// region, where the default quota is 150,000 TPM.
    ///
    /// ## Use instead
    /// Lower the capacities, spread them over regions, or request a quota increase and record
    /// it in a catalog overlay.
    ///
    /// ## Configuration
    /// `policy.quota.tier` (`1` to `6`; default: the highest tier the catalog documents, so a
    /// finding means "above what any default quota allows"), or the rule's own option:
    /// `rules: { AOAI401: { tier: "2" } }`.
    ///
    /// ## Fix
    /// None: which deployment to shrink, or whether to ask for more quota, is the team's
    /// choice.
    ///
    /// ## When it stays silent
    /// For a reusable module scanned on its own; for provisioned and batch types (PTUs are a
    /// pool shared across models; batch quota is counted in enqueued tokens); and where the
    /// catalog has no default for the model and type. Deployments whose region, model, type
    /// or capacity is unknown are left out of the sums, so a sum is never larger than what the
    /// configuration asks for.
    ///
    /// ## Sources
    /// `rules/quotas.yaml`: the Azure OpenAI quota tier tables.
    pub static QUOTA_EXCEEDED = {
        id: "AOAI401",
        name: "quota-exceeded",
        severity: Some(Severity::Warning),
        category: Quota,
        summary: "summed capacity per region, model and type above the default quota",
    };
}

pub struct QuotaExceeded;

/// What a quota is counted per: region, model (in lower case) and deployment type.
type Quota<'c> = (&'c str, Cow<'c, str>, &'c str);

impl Rule for QuotaExceeded {
    fn meta(&self) -> &'static RuleMeta {
        &QUOTA_EXCEEDED
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        if cx.config.kind != ConfigurationKind::Root {
            return;
        }
        let Some(tier) = cx.policy.quota.tier.as_deref().or_else(|| cx.catalog.highest_tier()) else {
            return;
        };
        // (region, model in lower case, type) and the deployments that draw on that quota,
        // with their units: sorted and grouped, in the order of the deployments within a group.
        let mut draws: Vec<(Quota, usize, f64)> = Vec::new();
        for (index, deployment) in cx.config.deployments.iter().enumerate() {
            // A resource whose instances are unknown may have none, or many: not summed.
            if crate::facts::is_template(&deployment.address) {
                continue;
            }
            let (Some(model), Some(sku)) = (deployment.model_name.known(), deployment.sku_name.known()) else {
                continue;
            };
            let Some(kind) = cx.catalog.deployment_type(sku) else {
                continue;
            };
            if kind.provisioned || kind.batch {
                continue;
            }
            let Some(region) = cx.config.account(&deployment.account).and_then(|a| a.location.known()) else {
                continue;
            };
            let units = match deployment.sku_capacity.value {
                Known::Absent => 1.0,
                Known::Value(n) if n > 0.0 => n,
                _ => continue,
            };
            draws.push(((region, lower_case(model), sku), index, units));
        }
        draws.sort_unstable_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
        for group in draws.chunk_by(|a, b| a.0 == b.0) {
            let ((region, _, sku), _, _) = &group[0];
            let (region, sku) = (*region, *sku);
            let members: Vec<(&Deployment, f64)> = group
                .iter()
                .map(|&(_, index, units)| (&cx.config.deployments[index], units))
                .collect();
            let model = members[0].0.model_name.known().cloned().unwrap_or_default();
            let Some(tpm) = cx.catalog.default_tpm(tier, &model, sku) else {
                continue;
            };
            let units: f64 = members.iter().map(|(_, u)| u).sum();
            let asked = units * 1000.0;
            if asked <= tpm as f64 {
                continue;
            }
            let (last, _) = members[members.len() - 1];
            let count = members.len();
            let what = if count == 1 {
                "1 deployment asks".to_owned()
            } else {
                format!("{count} deployments ask")
            };
            out.push(
                Finding::new(
                    &QUOTA_EXCEEDED,
                    format!(
                        "{sku} `{model}` in {region}: {what} for {} TPM, above the default quota of {} TPM (tier {tier}, {})",
                        thousands(asked as u64),
                        thousands(tpm),
                        cx.catalog.table("quota-tiers")
                    ),
                    Label::new(last.sku_capacity.span, "brings the sum over the quota"),
                )
                .with_resource(&last.address)
                .with_related(
                    members[..count - 1]
                        .iter()
                        .map(|(d, u)| Label::new(d.sku_capacity.span, format!("{} asks for {} TPM", d.address, thousands((u * 1000.0) as u64)))),
                )
                .with_help("quota is shared by every account of the subscription in a region: lower the capacities, use another region, or request an increase (and record it in a catalog overlay)"),
            );
        }
    }
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::testing::{Case, account, assert_cases, deployment};

    // gpt-realtime GlobalStandard: 150,000 TPM at tier 6.
    fn two(first: i64, second: i64, second_account_location: &str) -> String {
        account("a", "\"eastus2\"")
            + &account("b", second_account_location)
            + &deployment(
                "d1",
                "a",
                "gpt-realtime",
                Some("2025-08-28"),
                "GlobalStandard",
                Some(first),
            )
            + &deployment(
                "d2",
                "b",
                "gpt-realtime",
                Some("2025-08-28"),
                "GlobalStandard",
                Some(second),
            )
    }

    #[test]
    fn cases() {
        assert_cases(
            "AOAI401",
            &[
                Case::new(
                    "two accounts share a region's quota",
                    &[("main.tf", &two(100, 100, "\"eastus2\""))],
                    &["main.tf:40:16"],
                ),
                Case::new("within quota", &[("main.tf", &two(70, 70, "\"eastus2\""))], &[]),
                Case::new(
                    "different regions",
                    &[("main.tf", &two(100, 100, "\"swedencentral\""))],
                    &[],
                ),
                Case::new(
                    "unknown capacity is left out",
                    &[(
                        "main.tf",
                        &two(100, 100, "\"eastus2\"").replace("capacity = 100\n  }\n}\n", "capacity = var.c\n  }\n}\n"),
                    )],
                    &[],
                ),
                Case::new(
                    "one deployment over",
                    &[("main.tf", &two(170, 1, "\"swedencentral\""))],
                    &["main.tf:27:16"],
                ),
            ],
        );
    }

    #[test]
    fn numbers_group_by_thousands() {
        assert_eq!(super::thousands(1_000_000), "1,000,000");
        assert_eq!(super::thousands(999), "999");
    }
}
