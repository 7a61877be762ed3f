use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::{Context, Rule, RuleMeta, declare_rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::facts::ConfigurationKind;

declare_rule! {
    /// ## What it does
    /// Flags a configuration (a root module with the local modules it calls) whose Azure
    /// OpenAI and AIServices accounts all sit in fewer regions than the policy asks for
    /// (two by default).
    ///
    /// ## Why is this bad?
    /// An account lives in one region. When that region has an outage, or runs out of
    /// capacity for a model, every application behind the configuration stops. A second
    /// account in another region is what a failover, an APIM backend pool or a retry policy
    /// can switch to.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_cognitive_account" "openai" {
    ///   kind     = "OpenAI"
    ///   location = "eastus2"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_cognitive_account" "openai" {
    ///   for_each = toset(["eastus2", "swedencentral"])
    ///   kind     = "OpenAI"
    ///   location = each.key
    /// }
    /// ```
    ///
    /// ## Configuration
    /// `policy.resiliency.min_regions` (default 2), or the rule's own option:
    /// `rules: { AOAI201: { min_regions: 3 } }`.
    ///
    /// `policy.resiliency.scope`: `configuration` (the default) asks each configuration to
    /// span the regions on its own; `repository` counts the regions of every configuration
    /// of the run together, for a repository with one root per region
    /// (`envs/prod-eastus2`, `envs/prod-swedencentral`) whose roots fail over to each other.
    /// The trade-off: with `repository`, a root that is alone in its region passes as long as
    /// another root of the same run is elsewhere, whether or not anything routes between
    /// them (AOAI203 checks the routing), and linting one root on its own (a pre-commit
    /// hook on one folder) judges it alone. When the regions still fall short, the finding
    /// says which configuration holds which other region; when a root has an account of
    /// unknown region, or may hold accounts the linter cannot see, nothing is said.
    ///
    /// ## Fix
    /// None: a second region is new infrastructure.
    ///
    /// ## When it stays silent
    /// When accounts of unknown location could be in other regions (one account is always
    /// one region, but two accounts of unknown location are not known to share one); when
    /// the configuration may hold accounts the linter cannot see (an unknown `count` or
    /// `for_each`, an account of unknown kind, a module that is not followed, an `azapi_resource`
/// that creates Cognitive Services accounts); and for a
    /// reusable module scanned on its own (required inputs, no provider configuration),
    /// which is judged through the configurations that call it.
    ///
    /// ## Sources
    /// Azure OpenAI business continuity guidance: deploy to at least two regions.
    pub static SINGLE_REGION = {
        id: "AOAI201",
        name: "single-region",
        severity: Some(Severity::Warning),
        category: Resiliency,
        summary: "every OpenAI-capable account is in one region: a single point of failure",
    };
}

pub struct SingleRegion;

impl Rule for SingleRegion {
    fn meta(&self) -> &'static RuleMeta {
        &SINGLE_REGION
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let config = cx.config;
        if config.kind != ConfigurationKind::Root {
            return;
        }
        if let [first, rest @ ..] = config.unseen_accounts.as_slice() {
            // One line for the configuration, however many places hide accounts: each is a
            // label of it.
            let why = match rest.len() {
                0 => first.message.to_string(),
                n => format!("{} places may hold accounts the linter cannot see", n + 1),
            };
            out.push(
                Finding::new(
                    &crate::rules::meta::UNRESOLVED_VALUE,
                    format!("AOAI201 (single-region) could not judge the configuration: {why}"),
                    first.clone(),
                )
                .with_related(rest.iter().cloned()),
            );
            return;
        }
        let Some(first) = config.accounts.first() else { return };
        let known: BTreeSet<&str> = config
            .accounts
            .iter()
            .filter_map(|a| a.location.known())
            .map(String::as_str)
            .collect();
        let unknown = config.accounts.iter().filter(|a| a.location.known().is_none()).count();
        let min_regions = cx.policy.resiliency.min_regions;
        // The most regions the accounts could span: each unknown location may be another one.
        if known.len() + unknown >= min_regions {
            return;
        }
        let noun = accounts_noun(config.accounts.iter().map(|a| a.kind.as_str()));
        let message = match (known.iter().next(), config.accounts.len()) {
            (Some(region), 1) => {
                format!("the only {noun} is in {region}: one region is a single point of failure")
            }
            (Some(_), n) if known.len() == 1 => format!(
                "all {n} {noun}s are in {}: one region is a single point of failure",
                known.iter().next().copied().unwrap_or_default()
            ),
            (None, _) => format!("the only {noun} is in one region: a single point of failure"),
            (Some(_), n) => format!(
                "the {n} {noun}s span {} regions ({}), fewer than the {min_regions} the policy asks for",
                known.len(),
                known.iter().copied().collect::<Vec<_>>().join(", ")
            ),
        };
        let mut related: Vec<Label> = first.location.origin.labels();
        related.extend(
            config
                .accounts
                .iter()
                .skip(1)
                .map(|a| Label::new(a.location.span, format!("{} is here too", a.address))),
        );
        out.push(
            Finding::new(&SINGLE_REGION, message, Label::new(first.location.span, "the only region"))
                .with_resource(&first.address)
                .with_related(related)
                .with_help(format!(
                    "deploy a second account in another region (for example the paired region) and route between them; policy asks for {min_regions} regions"
                )),
        );
    }
}

/// The regions of every configuration of a run, for `policy.resiliency.scope: repository`:
/// each region with the configurations (their folders) that hold an account there.
pub struct Regions {
    held: BTreeMap<String, Vec<String>>,
    /// A root may hold accounts in regions the linter does not know.
    unknown: bool,
}

/// What one configuration brings to AOAI201 across configurations.
pub enum Across {
    /// Not a root: judged through the roots that call it.
    Skipped,
    /// An account of unknown location, or accounts the linter cannot see.
    Unknown,
    Known(BTreeSet<String>),
}

impl Across {
    pub fn of(config: &crate::facts::Configuration) -> Across {
        if config.kind != ConfigurationKind::Root {
            return Across::Skipped;
        }
        if !config.unseen_accounts.is_empty() {
            return Across::Unknown;
        }
        config
            .accounts
            .iter()
            .map(|a| a.location.known().cloned())
            .collect::<Option<_>>()
            .map_or(Across::Unknown, Across::Known)
    }
}

impl Regions {
    pub fn of<'c>(configurations: impl Iterator<Item = (&'c PathBuf, &'c Across)>) -> Regions {
        let mut regions = Regions {
            held: BTreeMap::new(),
            unknown: false,
        };
        for (dir, across) in configurations {
            match across {
                Across::Skipped => {}
                Across::Unknown => regions.unknown = true,
                Across::Known(known) => {
                    for region in known {
                        regions
                            .held
                            .entry(region.clone())
                            .or_default()
                            .push(crate::source::display_path(dir));
                    }
                }
            }
        }
        regions
    }

    /// The configuration at `dir`'s AOAI201 findings judged across the run: dropped when its
    /// configurations together span the regions the policy asks for, or when a root may hold
    /// accounts elsewhere; else saying which configurations hold which region.
    pub fn judge(&self, found: &mut Vec<Finding>, dir: &Path, min_regions: usize) {
        if self.unknown || self.held.len() >= min_regions {
            found.retain(|f| f.rule.id != SINGLE_REGION.id);
            return;
        }
        let here = crate::source::display_path(dir);
        let elsewhere: Vec<String> = self
            .held
            .iter()
            .flat_map(|(region, dirs)| {
                dirs.iter()
                    .filter(|d| **d != here)
                    .map(move |d| format!("{region} ({d})"))
            })
            .collect();
        for finding in found.iter_mut().filter(|f| f.rule.id == SINGLE_REGION.id) {
            let across = match elsewhere.as_slice() {
                [] => "no other configuration of the run holds an account".to_owned(),
                others => format!("the run's other configurations add only {}", others.join(", ")),
            };
            finding.message = format!("{} ({across})", finding.message).into();
        }
    }
}

/// What to call the accounts, by their kinds: "Azure OpenAI account" when all are OpenAI,
/// "AI Services account" when all are AIServices, else "OpenAI-capable account".
fn accounts_noun<'k>(kinds: impl Iterator<Item = &'k str>) -> &'static str {
    let kinds: BTreeSet<&str> = kinds.collect();
    match kinds.iter().copied().collect::<Vec<_>>().as_slice() {
        ["OpenAI"] => "Azure OpenAI account",
        ["AIServices"] => "AI Services account",
        _ => "OpenAI-capable account",
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::{Case, assert_cases};

    fn account(name: &str, location: &str) -> String {
        format!(
            "resource \"azurerm_cognitive_account\" \"{name}\" {{\n  name     = \"{name}\"\n  kind     = \"OpenAI\"\n  sku_name = \"S0\"\n  location = {location}\n}}\n"
        )
    }

    #[test]
    fn the_accounts_are_called_what_their_kinds_are() {
        assert_eq!(
            super::accounts_noun(["OpenAI", "OpenAI"].into_iter()),
            "Azure OpenAI account"
        );
        assert_eq!(super::accounts_noun(["AIServices"].into_iter()), "AI Services account");
        assert_eq!(
            super::accounts_noun(["OpenAI", "AIServices"].into_iter()),
            "OpenAI-capable account"
        );
    }

    #[test]
    fn cases() {
        assert_cases(
            "AOAI201",
            &[
                Case::new(
                    "one account",
                    &[("main.tf", &account("a", "\"eastus2\""))],
                    &["main.tf:5:14"],
                ),
                Case::new(
                    "one account of unknown location",
                    &[("main.tf", &account("a", "data.x.y.location"))],
                    &["main.tf:5:14"],
                ),
                Case::new(
                    "two accounts in one region",
                    &[(
                        "main.tf",
                        &(account("a", "\"eastus2\"") + &account("b", "\"East US 2\"")),
                    )],
                    &["main.tf:5:14"],
                ),
                Case::new(
                    "two regions",
                    &[(
                        "main.tf",
                        &(account("a", "\"eastus2\"") + &account("b", "\"swedencentral\"")),
                    )],
                    &[],
                ),
                Case::new(
                    "second account of unknown location may be elsewhere",
                    &[(
                        "main.tf",
                        &(account("a", "\"eastus2\"") + &account("b", "data.x.y.location")),
                    )],
                    &[],
                ),
                Case::new(
                    "for_each over two regions",
                    &[(
                        "main.tf",
                        &account("a", "each.key").replace(
                            "name     = \"a\"",
                            "for_each = toset([\"eastus2\", \"swedencentral\"])\n  name     = each.key",
                        ),
                    )],
                    &[],
                ),
                Case::new(
                    "unknown for_each may add regions",
                    &[(
                        "main.tf",
                        &(account("a", "\"eastus2\"")
                            + &account("b", "\"eastus2\"")
                                .replace("name     = \"b\"", "for_each = data.x.y.regions\n  name     = \"b\"")),
                    )],
                    &[],
                ),
                Case::new(
                    "a module that is not followed may hold accounts",
                    &[(
                        "main.tf",
                        &(account("a", "\"eastus2\"") + "module \"more\" {\n  source = \"Azure/openai/azurerm\"\n}\n"),
                    )],
                    &[],
                ),
                Case::new(
                    "an azapi account is not read yet but may be elsewhere",
                    &[(
                        "main.tf",
                        &(account("a", "\"eastus2\"")
                            + "resource \"azapi_resource\" \"b\" {\n  type = \"Microsoft.CognitiveServices/accounts@2024-10-01\"\n}\n"),
                    )],
                    &[],
                ),
                Case::new(
                    "other azapi resources do not matter",
                    &[(
                        "main.tf",
                        &(account("a", "\"eastus2\"")
                            + "resource \"azapi_resource\" \"b\" {\n  type = \"Microsoft.Storage/storageAccounts@2023-01-01\"\n}\n"),
                    )],
                    &["main.tf:5:14"],
                ),
                Case::new(
                    "a reusable module is judged through its callers",
                    &[(
                        "main.tf",
                        &(account("a", "var.location") + "variable \"location\" {}\n"),
                    )],
                    &[],
                ),
                Case::new(
                    "an account of another kind does not count",
                    &[(
                        "main.tf",
                        &(account("a", "\"eastus2\"")
                            + &account("b", "\"westeurope\"").replace("OpenAI", "SpeechServices")),
                    )],
                    &["main.tf:5:14"],
                ),
            ],
        );
    }
}
