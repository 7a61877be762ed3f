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

/// What suppression did to a report.
pub struct Outcome {
    /// What is left of each part of the report, in the order given.
    pub kept: Vec<Vec<Finding>>,
    /// Findings a comment waived, with the comment: for audits.
    pub suppressed: Vec<(Finding, Suppression)>,
    /// Comments that waived nothing, or cannot waive anything (AOAI003).
    pub comments: Vec<Finding>,
}

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

/// Takes the waived findings out of each part of a report (a configuration's findings stay
/// together, so that the parts are sorted on their own afterwards).
pub fn apply(mut parts: Vec<Vec<Finding>>, suppressions: &[Suppression], policy: &Policy<'_>) -> Outcome {
    let expired = |s: &Suppression| {
        s.until
            .as_deref()
            .and_then(|d| d.parse::<jiff::civil::Date>().ok())
            .is_some_and(|until| until < policy.today)
    };
    let unreasoned = |s: &Suppression| policy.require_reason && s.reason.as_deref().is_none_or(|r| r.trim().is_empty());
    let used: Vec<AtomicBool> = suppressions.iter().map(|_| AtomicBool::new(false)).collect();
    let mut suppressed = Vec::new();
    if !suppressions.is_empty() {
        // A finding is compared only with the comments whose targets contain the places it
        // points at (a monorepo has hundreds of thousands of findings and thousands of
        // comments, one file can hold thousands of each); of those, the first comment in
        // the list is the one credited, as in a scan of them all.
        let mut by_file: HashMap<FileId, Vec<(Span, usize)>> = HashMap::new();
        for (i, suppression) in suppressions.iter().enumerate() {
            if !expired(suppression) && !unreasoned(suppression) {
                by_file
                    .entry(suppression.target.file)
                    .or_default()
                    .push((suppression.target, i));
            }
        }
        let by_file: HashMap<FileId, Targets> = by_file.into_iter().map(|(f, t)| (f, Targets::new(t))).collect();
        // Inside the block or attribute below the comment, or created by the `module` block
        // below it.
        let waiver_for = |finding: &Finding| {
            std::iter::once(finding.primary.span)
                .chain(finding.call_sites.iter().copied())
                .filter_map(|at| by_file.get(&at.file).map(|targets| (targets, at.start)))
                .flat_map(|(targets, at)| targets.containing(at))
                .filter(|&i| names(&suppressions[i], finding))
                .min()
        };
        // Waived findings are taken out in place: a large report is not copied to drop a few.
        let waived: Vec<Vec<(Finding, usize)>> = parts
            .par_iter_mut()
            .with_max_len(crate::lint::PARTS_PER_JOB)
            .map(|part| {
                let mut waivers = Vec::new();
                let taken: Vec<Finding> = part
                    .extract_if(.., |finding| {
                        // A report about suppressions is never suppressed itself.
                        let waiver = (finding.rule.id != UNUSED_SUPPRESSION.id && policy.rules.ignorable(finding.rule))
                            .then(|| waiver_for(finding))
                            .flatten();
                        if let Some(i) = waiver {
                            used[i].store(true, Ordering::Relaxed);
                            waivers.push(i);
                        }
                        waiver.is_some()
                    })
                    .collect();
                taken.into_iter().zip(waivers).collect()
            })
            .collect();
        suppressed = waived
            .into_iter()
            .flatten()
            .map(|(finding, i)| (finding, suppressions[i].clone()))
            .collect();
    }
    let mut comments = Vec::new();
    for (i, suppression) in suppressions.iter().enumerate() {
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
        } else if unreasoned(suppression) {
            "this ignore comment gives no reason, and the configuration requires one; it waives nothing".to_owned()
        } else if !not_ignorable.is_empty() {
            format!(
                "{} cannot be waived: the configuration makes it non-ignorable",
                not_ignorable.join(", ")
            )
        } else if expired(suppression) {
            format!(
                "this suppression expired on {}; the findings it covered are reported again",
                suppression.until.as_deref().unwrap_or_default()
            )
        } else if !used[i].load(Ordering::Relaxed) {
            format!(
                "this ignore comment ({}) matches no finding",
                suppression.rules.join(", ")
            )
        } else {
            continue;
        };
        comments.push(
            Finding::new(
                &UNUSED_SUPPRESSION,
                message,
                Label::new(suppression.comment, "ignore comment"),
            )
            .with_help("remove the comment, or name the rule that fires here (`aoai-lint rules` lists them)"),
        );
    }
    Outcome {
        kept: parts,
        suppressed,
        comments,
    }
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
