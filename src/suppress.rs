//! suppress: `aoai-lint-ignore` comments take findings out of the report, and comments
//! that take nothing out are reported (AOAI003).
//!
//! A comment on the line above a block or attribute covers every finding that points inside
//! it; `aoai-lint-ignore-file` covers the file. Rules are named by id or name, `all` matches
//! any, and `until=YYYY-MM-DD` ends a waiver on that day.

// Keyed by file id (a number the run assigns), looked up for every finding.
use hashbrown::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

use rayon::prelude::*;

use crate::diagnostic::{Finding, Label};
use crate::parse::syntax::Suppression;
use crate::rules::{self, RuleSettings, meta::UNUSED_SUPPRESSION};
use crate::source::{FileId, Span};

fn names(suppression: &Suppression, finding: &Finding) -> bool {
    suppression
        .rules
        .iter()
        .any(|r| r.eq_ignore_ascii_case("all") || r.eq_ignore_ascii_case(finding.rule.id) || r == finding.rule.name)
}

/// The targets of one file's comments, for finding those that contain a position without
/// looking at the others. Targets are blocks, attributes and whole files: two of them are
/// nested or apart, never overlapping, so they form a tree.
struct Targets {
    /// (target, the comment's index in the list), by start, outer before inner.
    targets: Vec<(Span, usize)>,
    /// The nearest target that contains each one.
    parent: Vec<Option<usize>>,
}

impl Targets {
    fn new(mut targets: Vec<(Span, usize)>) -> Targets {
        targets.sort_by_key(|(target, i)| (target.start, std::cmp::Reverse(target.end), *i));
        let mut parent = Vec::with_capacity(targets.len());
        let mut enclosing: Vec<usize> = Vec::new();
        for (k, (target, _)) in targets.iter().enumerate() {
            while let Some(&outer) = enclosing.last() {
                if targets[outer].0.end >= target.end {
                    break;
                }
                enclosing.pop();
            }
            parent.push(enclosing.last().copied());
            enclosing.push(k);
        }
        Targets { targets, parent }
    }

    /// The comments whose target contains `at`, innermost first. Every such target encloses
    /// the last one that starts at or before `at`, so the walk is up that one's ancestors.
    fn containing(&self, at: u32) -> impl Iterator<Item = usize> + '_ {
        let mut next = self
            .targets
            .partition_point(|(target, _)| target.start <= at)
            .checked_sub(1);
        std::iter::from_fn(move || {
            while let Some(k) = next {
                next = self.parent[k];
                let (target, i) = self.targets[k];
                if at <= target.end {
                    return Some(i);
                }
            }
            None
        })
    }
}

/// What the configuration says about waivers.
pub struct Policy<'a> {
    /// Expiry dates are compared with this day.
    pub today: jiff::civil::Date,
    /// Which rules cannot be waived (`ignorable: false`).
    pub rules: &'a RuleSettings,
    /// A comment without a reason waives nothing.
    pub require_reason: bool,
}

impl Policy<'_> {
    fn expired(&self, s: &Suppression) -> bool {
        s.until
            .as_deref()
            .and_then(|d| d.parse::<jiff::civil::Date>().ok())
            .is_some_and(|until| until < self.today)
    }

    fn unreasoned(&self, s: &Suppression) -> bool {
        self.require_reason && s.reason.as_deref().is_none_or(|r| r.trim().is_empty())
    }
}

/// A list of ignore comments, ready to find the one that waives a finding, and which of
/// them waived something.
///
/// A finding is compared only with the comments whose targets contain the places it points
/// at (a monorepo has hundreds of thousands of findings and thousands of comments, one file
/// can hold thousands of each); of those, the first comment in the list is the one credited,
/// as in a scan of them all.
pub struct Waivers<'s> {
    suppressions: &'s [Suppression],
    by_file: HashMap<FileId, Targets>,
    used: Vec<AtomicBool>,
}

impl<'s> Waivers<'s> {
    /// The comments of `suppressions` that can waive anything.
    pub fn new(suppressions: &'s [Suppression], policy: &Policy<'_>) -> Waivers<'s> {
        Waivers::of(suppressions, policy, |_| true)
    }

    /// The comments of `suppressions` that can waive anything and target a file `wanted`
    /// accepts; the others are never asked, and stay unused.
    fn of(suppressions: &'s [Suppression], policy: &Policy<'_>, wanted: impl Fn(FileId) -> bool) -> Waivers<'s> {
        let mut by_file: HashMap<FileId, Vec<(Span, usize)>> = HashMap::new();
        for (i, suppression) in suppressions.iter().enumerate() {
            if !policy.expired(suppression) && !policy.unreasoned(suppression) && wanted(suppression.target.file) {
                by_file
                    .entry(suppression.target.file)
                    .or_default()
                    .push((suppression.target, i));
            }
        }
        Waivers {
            suppressions,
            by_file: by_file.into_iter().map(|(f, t)| (f, Targets::new(t))).collect(),
            used: suppressions.iter().map(|_| AtomicBool::new(false)).collect(),
        }
    }

    /// The first comment of the list that waives `finding`: inside the block or attribute
    /// below the comment, or created by the `module` block below it.
    fn waiver_for(&self, finding: &Finding) -> Option<usize> {
        if self.by_file.is_empty() {
            return None;
        }
        std::iter::once(finding.primary.span)
            .chain(finding.call_sites.iter().copied())
            .filter_map(|at| self.by_file.get(&at.file).map(|targets| (targets, at.start)))
            .flat_map(|(targets, at)| targets.containing(at))
            .filter(|&i| names(&self.suppressions[i], finding))
            .min()
    }

    /// Which comments of the list waived a finding.
    pub fn used(self) -> Vec<bool> {
        self.used.into_iter().map(AtomicBool::into_inner).collect()
    }
}

/// Takes the findings a comment waives out of `findings`, in place (a large report is not
/// copied to drop a few), and gives them back with their comment when `keep` asks for them.
/// `lists` are searched in turn: they hold the comments in the run's order, so that the
/// first list with a waiver holds the first comment that waives the finding.
pub fn waive(
    findings: &mut Vec<Finding>,
    lists: &[&Waivers<'_>],
    policy: &Policy<'_>,
    keep: bool,
) -> Vec<(Finding, Suppression)> {
    if lists.iter().all(|list| list.by_file.is_empty()) {
        return Vec::new();
    }
    let mut credited = Vec::new();
    let taken = findings.extract_if(.., |finding| {
        // A report about suppressions is never suppressed itself.
        if finding.rule.id == UNUSED_SUPPRESSION.id || !policy.rules.ignorable(finding.rule) {
            return false;
        }
        let waiver = lists
            .iter()
            .enumerate()
            .find_map(|(l, list)| list.waiver_for(finding).map(|i| (l, i)));
        if let Some((l, i)) = waiver {
            lists[l].used[i].store(true, Ordering::Relaxed);
            credited.push((l, i));
        }
        waiver.is_some()
    });
    if !keep {
        taken.for_each(drop);
        return Vec::new();
    }
    let taken: Vec<Finding> = taken.collect();
    taken
        .into_iter()
        .zip(credited)
        .map(|(finding, (l, i))| (finding, lists[l].suppressions[i].clone()))
        .collect()
}

/// Takes out of `findings` what the comments of `suppressions` waive, wherever in the run the
/// findings point, and marks the comments that waived them in `used`.
pub fn waive_anywhere(
    findings: &mut Vec<Finding>,
    suppressions: &[Suppression],
    used: &mut [bool],
    policy: &Policy<'_>,
    keep: bool,
) -> Vec<(Finding, Suppression)> {
    let files: hashbrown::HashSet<FileId> = findings
        .iter()
        .flat_map(|f| std::iter::once(f.primary.span).chain(f.call_sites.iter().copied()))
        .map(|span| span.file)
        .collect();
    let waivers = Waivers::of(suppressions, policy, |file| files.contains(&file));
    let waived = waive(findings, &[&waivers], policy, keep);
    for (used, now) in used.iter_mut().zip(waivers.used()) {
        *used |= now;
    }
    waived
}

/// AOAI003 for the comments of `suppressions` that waived nothing (`used` says which did) or
/// cannot waive anything.
pub fn unused(suppressions: &[Suppression], used: &[bool], policy: &Policy<'_>) -> Vec<Finding> {
    // In parallel: every comment's rules are looked up, and a monorepo has thousands.
    suppressions
        .par_iter()
        .zip(used)
        .filter_map(|(suppression, &used)| unused_one(suppression, used, policy))
        .collect()
}

fn unused_one(suppression: &Suppression, used: bool, policy: &Policy<'_>) -> Option<Finding> {
    let unknown: Vec<&str> = suppression
        .rules
        .iter()
        .filter(|r| !r.eq_ignore_ascii_case("all") && rules::find(r).is_none())
        .map(String::as_str)
        .collect();
    let not_ignorable: Vec<&str> = suppression
        .rules
        .iter()
        .filter_map(|r| rules::find(r))
        .filter(|rule| !policy.rules.ignorable(rule))
        .map(|rule| rule.id)
        .collect();
    let message = if suppression.rules.is_empty() {
        "this ignore comment names no rule".to_owned()
    } else if !unknown.is_empty() {
        format!("this ignore comment names no known rule: {}", unknown.join(", "))
    } else if policy.unreasoned(suppression) {
        "this ignore comment gives no reason, and the configuration requires one; it waives nothing".to_owned()
    } else if !not_ignorable.is_empty() {
        format!(
            "{} cannot be waived: the configuration makes it non-ignorable",
            not_ignorable.join(", ")
        )
    } else if policy.expired(suppression) {
        format!(
            "this suppression expired on {}; the findings it covered are reported again",
            suppression.until.as_deref().unwrap_or_default()
        )
    } else if !used {
        format!(
            "this ignore comment ({}) matches no finding",
            suppression.rules.join(", ")
        )
    } else {
        return None;
    };
    Some(
        Finding::new(
            &UNUSED_SUPPRESSION,
            message,
            Label::new(suppression.comment, "ignore comment"),
        )
        .with_help("remove the comment, or name the rule that fires here (`aoai-lint rules` lists them)"),
    )
}

#[cfg(test)]
mod tests {
    use crate::testing::{Case, account, assert_cases_on};

    #[test]
    fn cases() {
        let base = account("a", "\"eastus2\"");
        let above = |comment: &str| format!("{comment}\n{base}");
        let on_location = base.replace(
            "  location",
            "  # aoai-lint-ignore: single-region one region by design\n  location",
        );
        for (rule, cases) in [
            (
                "AOAI201",
                vec![
                    Case::new(
                        "fires without a comment",
                        &[("main.tf", base.as_str())],
                        &["main.tf:5:27"],
                    ),
                    Case::new(
                        "waived on the block",
                        &[("main.tf", &above("# aoai-lint-ignore: AOAI201 one region by design"))],
                        &[],
                    ),
                    Case::new("waived on the attribute by name", &[("main.tf", &on_location)], &[]),
                    Case::new("all", &[("main.tf", &above("// aoai-lint-ignore: all"))], &[]),
                    Case::new(
                        "several ids",
                        &[("main.tf", &above("/* aoai-lint-ignore: AOAI505, AOAI201 */"))],
                        &[],
                    ),
                    Case::new(
                        "file-wide",
                        &[("main.tf", &format!("{base}# aoai-lint-ignore-file: AOAI201\n"))],
                        &[],
                    ),
                    Case::new(
                        "expired",
                        &[(
                            "main.tf",
                            &above("# aoai-lint-ignore: AOAI201 until=2026-01-01 temporary"),
                        )],
                        &["main.tf:6:27"],
                    ),
                ],
            ),
            (
                "AOAI003",
                vec![
                    Case::new("used", &[("main.tf", &above("# aoai-lint-ignore: AOAI201"))], &[]),
                    Case::new(
                        "matches nothing",
                        &[("main.tf", &above("# aoai-lint-ignore: AOAI303"))],
                        &["main.tf:1:1"],
                    ),
                    Case::new(
                        "the nearer of two comments that cover a finding is the one used",
                        &[("main.tf", &format!("# aoai-lint-ignore: AOAI201 block\n{on_location}"))],
                        &["main.tf:1:1"],
                    ),
                    Case::new(
                        "a comment in another file covers nothing here",
                        &[
                            ("main.tf", base.as_str()),
                            ("other.tf", "# aoai-lint-ignore: AOAI201\nlocals {}\n"),
                        ],
                        &["other.tf:1:1"],
                    ),
                    Case::new(
                        "unknown rule",
                        &[("main.tf", &above("# aoai-lint-ignore: AOAI999"))],
                        &["main.tf:1:1"],
                    ),
                    Case::new(
                        "expired",
                        &[("main.tf", &above("# aoai-lint-ignore: AOAI201 until=2026-01-01"))],
                        &["main.tf:1:1"],
                    ),
                ],
            ),
        ] {
            assert_cases_on(rule, "2026-11-24", &cases);
        }
    }

    #[test]
    fn the_targets_that_contain_a_position_are_found_up_the_tree() {
        let file = crate::source::FileId(0);
        let span = |start: usize, end: usize| crate::source::Span::new(file, start..end);
        // A whole file (comment 0), two blocks (1, 3), an attribute in the first (2), and a
        // second comment on the first block (4).
        let targets = super::Targets::new(vec![
            (span(0, 100), 0),
            (span(10, 40), 1),
            (span(20, 25), 2),
            (span(50, 60), 3),
            (span(10, 40), 4),
        ]);
        let containing = |at: u32| targets.containing(at).collect::<Vec<_>>();
        assert_eq!(containing(22), [2, 4, 1, 0]);
        assert_eq!(containing(30), [4, 1, 0]);
        assert_eq!(containing(45), [0]);
        assert_eq!(containing(55), [3, 0]);
        assert_eq!(containing(100), [0]);
        assert_eq!(containing(101), Vec::<usize>::new());
    }

    #[test]
    fn a_comment_on_a_module_block_covers_what_the_module_creates() {
        let module = format!("variable \"location\" {{}}\n{}", account("this", "var.location"));
        let caller = |comment: &str| {
            format!(
                "{comment}\nmodule \"openai\" {{\n  source   = \"./modules/openai\"\n  location = \"eastus2\"\n}}\n"
            )
        };
        let files = |comment: &str| {
            vec![
                ("main.tf".to_owned(), caller(comment)),
                ("modules/openai/main.tf".to_owned(), module.clone()),
            ]
        };
        let found = |comment: &str| {
            let files = files(comment);
            let borrowed: Vec<(&str, &str)> = files.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
            crate::testing::lint_places(&borrowed)
        };
        assert!(
            found("")
                .iter()
                .any(|p| p.starts_with("AOAI201 modules/openai/main.tf")),
            "{:?}",
            found("")
        );
        let waived = found("# aoai-lint-ignore: AOAI201 one region, by design");
        assert!(
            !waived
                .iter()
                .any(|p| p.starts_with("AOAI201") || p.starts_with("AOAI003")),
            "{waived:?}"
        );
    }

    #[test]
    fn of_a_comment_in_a_module_and_one_on_its_call_the_module_s_is_credited() {
        // The module's files are read before its caller's, so its comment comes first in the
        // run's order, as when every comment was compared with every finding.
        let module = format!(
            "variable \"location\" {{}}\n# aoai-lint-ignore: AOAI201 one region here\n{}",
            account("this", "var.location")
        );
        let caller = "# aoai-lint-ignore: AOAI201 and here\nmodule \"openai\" {\n  source   = \"./modules/openai\"\n  location = \"eastus2\"\n}\n";
        let found = crate::testing::lint_places(&[("main.tf", caller), ("modules/openai/main.tf", &module)]);
        assert!(!found.iter().any(|p| p.starts_with("AOAI201")), "{found:?}");
        let unused: Vec<&String> = found.iter().filter(|p| p.starts_with("AOAI003")).collect();
        assert_eq!(unused, ["AOAI003 main.tf:1:1"], "{found:?}");
    }

    #[test]
    fn the_configuration_can_require_reasons_and_forbid_waivers() {
        let base = account("a", "\"eastus2\"");
        let above = |comment: &str| format!("{comment}\n{base}");
        let strict = "suppressions:\n  require_reason: true\nrules:\n  AOAI201: { ignorable: false }\n  AOAI505: { severity: warning }\n";
        for (rule, cases) in [
            (
                "AOAI201",
                vec![Case::new(
                    "not ignorable",
                    &[("main.tf", &above("# aoai-lint-ignore: AOAI201 one region by design"))],
                    &["main.tf:6:27"],
                )],
            ),
            (
                "AOAI505",
                vec![
                    Case::new(
                        "no reason waives nothing",
                        &[("main.tf", &above("# aoai-lint-ignore: AOAI505"))],
                        &["main.tf:2:1"],
                    ),
                    Case::new(
                        "a reason waives",
                        &[(
                            "main.tf",
                            &above("# aoai-lint-ignore: AOAI505 keys are rotated by a job"),
                        )],
                        &[],
                    ),
                ],
            ),
            (
                "AOAI003",
                vec![
                    Case::new(
                        "says why the waiver does not work",
                        &[("main.tf", &above("# aoai-lint-ignore: AOAI201 one region by design"))],
                        &["main.tf:1:1"],
                    ),
                    Case::new(
                        "no reason",
                        &[("main.tf", &above("# aoai-lint-ignore: AOAI505"))],
                        &["main.tf:1:1"],
                    ),
                ],
            ),
        ] {
            crate::testing::assert_cases_with_config(rule, strict, &cases);
        }
    }
}
