//! The report's order: by file as displayed, then position, rule, resource and message; a
//! finding reported twice (the same module reached by two configurations) is kept once.
//!
//! After evaluation, sorting is the largest step of a big run: a 10,000-module monorepo
//! gives over 150,000 findings of about 180 bytes, and a merge sort of all of them moves each
//! one a dozen times. But each configuration's findings point almost only into that
//! configuration's own files, so they come as one part each: the parts are sorted on their
//! own, in parallel, and laid end to end by their first finding. Only parts whose ranges
//! overlap (a module that several configurations call) are sorted together. Findings that
//! belong to no configuration (unreadable files, unused ignore comments) are spread over the
//! whole range; they are sorted apart and merged in as the parts are laid down.

use std::cmp::Ordering;

use rayon::prelude::*;

use crate::diagnostic::{Finding, Findings, Label};
use crate::source::{FileId, SourceMap};

/// From this many findings, a configuration's are sorted on every core.
const PRESORT_IN_PARALLEL_FROM: usize = 4096;

/// The sort key of a finding; files rank by their displayed path.
struct Order {
    /// Each file's rank, indexed by its id less `first`.
    rank: Vec<usize>,
    /// The smallest file id ranked. A configuration's files were registered together: their
    /// ids are a narrow range far from 0, and a table from 0 would be filled for every
    /// configuration (on 10,000 modules, 1.6 GB written to sort 160,000 findings).
    first: u32,
}

impl Order {
    fn new(scattered: &[Finding], parts: &[Vec<Finding>], sources: &SourceMap) -> Order {
        let mut files: Vec<u32> = parts
            .par_iter()
            .with_max_len(super::PARTS_PER_JOB)
            .flat_map_iter(|part| files_of(part))
            .chain(files_of(scattered))
            .collect();
        files.sort_unstable();
        files.dedup();
        Order::of_files(files, sources)
    }

    /// The order of findings in `files` (sorted ids): each file's rank among them is its
    /// rank among any files, so that findings sorted with it stay sorted in the whole.
    fn of_files(files: Vec<u32>, sources: &SourceMap) -> Order {
        let (first, span) = match (files.first(), files.last()) {
            (Some(&first), Some(&last)) => (first, (last - first) as usize + 1),
            _ => (0, 0),
        };
        // The key borrows from the findings: no copies of paths and messages.
        let mut by_path: Vec<(&str, u32)> = files
            .into_iter()
            .map(|id| (sources.get(FileId(id)).display_path.as_str(), id))
            .collect();
        by_path.par_sort_unstable();
        // File ids are dense: a vector indexed by id is the cheapest lookup.
        let mut rank = vec![usize::MAX; span];
        for (position, (_, id)) in by_path.iter().enumerate() {
            rank[(id - first) as usize] = position;
        }
        Order { rank, first }
    }

    fn rank_of(&self, f: &Finding) -> usize {
        f.primary
            .span
            .file
            .0
            .checked_sub(self.first)
            .and_then(|i| self.rank.get(i as usize))
            .copied()
            .unwrap_or(usize::MAX)
    }

    /// The rest of the key, for findings with one position: rule id, resource, message.
    fn cmp_at_one_position(a: &Finding, b: &Finding) -> Ordering {
        let rules = if std::ptr::eq(a.rule, b.rule) {
            Ordering::Equal
        } else {
            a.rule.id.cmp(b.rule.id)
        };
        rules
            .then_with(|| resource(a).cmp(resource(b)))
            .then_with(|| a.message.cmp(&b.message))
    }

    /// The leading part of the key, the file's rank and the position, as one number:
    /// findings that differ there (nearly all pairs) compare without looking further.
    fn position(&self, f: &Finding) -> u128 {
        let span = f.primary.span;
        (self.rank_of(f) as u128) << 64 | u128::from(span.start) << 32 | u128::from(span.end)
    }

    /// By file as displayed, start, end, rule id, resource and message.
    fn cmp(&self, a: &Finding, b: &Finding) -> Ordering {
        self.position(a)
            .cmp(&self.position(b))
            .then_with(|| Order::cmp_at_one_position(a, b))
    }
}

fn resource(f: &Finding) -> &str {
    f.resource.as_deref().unwrap_or_default()
}

fn files_of(findings: &[Finding]) -> Vec<u32> {
    let mut files: Vec<u32> = findings.iter().map(|f| f.primary.span.file.0).collect();
    files.sort_unstable();
    files.dedup();
    files
}

/// Drops the repeats of a part `presort` put in order (and waiving and filtering left in
/// order), the first of each kept: a module reached by two `module` blocks of one
/// configuration reports its findings twice.
pub fn dedup_presorted(findings: &mut Vec<Finding>) {
    findings.dedup_by(|later, earlier| {
        let same =
            later.primary.span == earlier.primary.span && Order::cmp_at_one_position(earlier, later) == Ordering::Equal;
        if same {
            earlier.join_fix(later);
        }
        same
    });
}

/// Findings in report order that differ only by which instance of one resource they are
/// about (the instances of one `count`/`for_each` block: same place, rule, severity,
/// message, help and origins) become one that names the other instances: one fix covers
/// them all, and a three-region block said every line three times. Findings whose values
/// came from different places stay apart (their origins differ), and so do the instances of
/// different module calls (a caller may need its own fix).
pub fn group_instances(findings: &mut Vec<Finding>) {
    let mut grouped: Vec<(Finding, Vec<String>)> = Vec::with_capacity(findings.len());
    for finding in findings.drain(..) {
        if let Some((first, keys)) = grouped.last_mut()
            && same_but_instance(first, &finding)
            && let Some(key) = finding.resource.as_deref().and_then(instance_key)
        {
            keys.push(key.to_owned());
            first.join_fix(&finding);
            continue;
        }
        grouped.push((finding, Vec::new()));
    }
    findings.extend(grouped.into_iter().map(|(mut finding, keys)| {
        if !keys.is_empty() {
            let more = if keys.len() == 1 { "instance" } else { "instances" };
            finding.message = format!(
                "{} (and {} more {more}: {})",
                finding.message,
                keys.len(),
                keys.join(", ")
            )
            .into();
        }
        finding
    }));
}

fn same_but_instance(a: &Finding, b: &Finding) -> bool {
    let (Some(x), Some(y)) = (a.resource.as_deref(), b.resource.as_deref()) else {
        return false;
    };
    x != y
        && without_instance(x).is_some()
        && without_instance(x) == without_instance(y)
        && a.rule.id == b.rule.id
        && a.primary == b.primary
        && a.severity == b.severity
        && a.message == b.message
        && a.help == b.help
        && a.related == b.related
}

/// `azurerm_x.y["a"]` → `azurerm_x.y`; `None` for an address without an instance key.
fn without_instance(address: &str) -> Option<&str> {
    address
        .strip_suffix(']')
        .and_then(|rest| rest.rfind('[').map(|i| &address[..i]))
}

/// `azurerm_x.y["a"]` → `["a"]`.
fn instance_key(address: &str) -> Option<&str> {
    without_instance(address).map(|base| &address[base.len()..])
}

/// One configuration's findings in report order (duplicates kept), sorted where they were
/// made: they are still in the cache, and the part is already in order when the report is
/// put together (waiving and filtering keep the order).
pub fn presort(findings: &mut [Finding], sources: &SourceMap) {
    let order = Order::of_files(files_of(findings), sources);
    if findings.len() >= PRESORT_IN_PARALLEL_FROM {
        // One configuration can hold most of a run's findings.
        findings.par_sort_by(|a, b| order.cmp(a, b));
        return;
    }
    // A finding is large: sorting the findings themselves moved each one many times (an
    // insertion sort, on a configuration's dozen or so), each comparison working out both
    // keys again. Their positions are sorted instead, stably, and the findings moved once.
    let mut positions: Vec<(u128, usize)> = findings.iter().map(|f| order.position(f)).zip(0..).collect();
    positions.sort_by(|(a, i), (b, j)| {
        a.cmp(b)
            .then_with(|| Order::cmp_at_one_position(&findings[*i], &findings[*j]))
    });
    // `from[k]` is where the finding that belongs at `k` is now; each cycle of that
    // permutation is walked once, a swap a step.
    let mut from: Vec<usize> = positions.into_iter().map(|(_, i)| i).collect();
    for start in 0..from.len() {
        let mut k = start;
        while from[k] != start && from[k] != usize::MAX {
            let next = from[k];
            findings.swap(k, next);
            from[k] = usize::MAX;
            k = next;
        }
        from[k] = usize::MAX;
    }
}

/// The findings of every part and the scattered ones, in report order, each once. Each
/// part comes in report order without repeats (`presort`, then `dedup_presorted`): they were
/// put so where they were made, while in the cache, and are not looked at again here but
/// for their ends. Where two findings have the same key the first given is kept: scattered
/// findings before the parts, and parts in the order given.
pub fn sorted_unique(mut scattered: Vec<Finding>, mut parts: Vec<Vec<Finding>>, sources: &SourceMap) -> Findings {
    let order = Order::new(&scattered, &parts, sources);
    parts.retain(|part| !part.is_empty());
    debug_assert!(
        parts
            .iter()
            .all(|part| part.is_sorted_by(|a, b| order.cmp(a, b) == Ordering::Less))
    );
    // Stable sorts: of findings with equal keys the first given is kept. Parallel: the
    // parts that overlap can hold most of the findings.
    let sort_unique = |findings: &mut Vec<Finding>| {
        findings.par_sort_by(|a, b| order.cmp(a, b));
        findings.dedup_by(|later, earlier| {
            let same = order.cmp(earlier, later) == Ordering::Equal;
            if same {
                // A shared module's finding, made by several configurations: one, naming all
                // and every place they call it from.
                earlier.join_fix(later);
                let known: std::collections::HashSet<Label> = earlier.related.iter().cloned().collect();
                let new: Vec<Label> = later.related.drain(..).filter(|l| !known.contains(l)).collect();
                earlier.related.extend(new);
                for configuration in later.configurations.drain(..) {
                    if !earlier.configurations.contains(&configuration) {
                        earlier.configurations.push(configuration);
                    }
                }
            }
            same
        });
    };
    sort_unique(&mut scattered);

    let mut by_first: Vec<usize> = (0..parts.len()).collect();
    by_first.sort_by(|&a, &b| order.cmp(&parts[a][0], &parts[b][0]));
    // Parts whose first finding sorts before (or with) the last finding laid so far overlap
    // the group before them, and are sorted with it.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut greatest: Option<&Finding> = None;
    for index in by_first {
        let part = &parts[index];
        let (first, last) = (&part[0], &part[part.len() - 1]);
        match (greatest, groups.last_mut()) {
            (Some(laid), Some(group)) if order.cmp(first, laid) != Ordering::Greater => {
                group.push(index);
                if order.cmp(last, laid) == Ordering::Greater {
                    greatest = Some(last);
                }
            }
            _ => {
                groups.push(vec![index]);
                greatest = Some(last);
            }
        }
    }

    let mut parts: Vec<Option<Vec<Finding>>> = parts.into_iter().map(Some).collect();
    let mut out = Laid::with_capacity(groups.len());
    let mut scattered = scattered.into_iter().peekable();
    for mut group in groups {
        let sorted = if let [only] = group[..] {
            parts[only].take().unwrap_or_default()
        } else {
            // In the order the parts were given, so that the stable sort keeps it for equal keys.
            group.sort_unstable();
            let mut merged: Vec<Finding> = group
                .iter()
                .flat_map(|&i| parts[i].take().unwrap_or_default())
                .collect();
            sort_unique(&mut merged);
            merged
        };
        lay(&mut out, sorted, &mut scattered, &order);
    }
    for finding in scattered {
        push_unique(&mut out, finding, &order);
    }
    Findings::from_runs(out.runs)
}

/// The report as it is laid: sorted runs moved in whole, never copied into one vector.
struct Laid {
    runs: Vec<Vec<Finding>>,
    /// The last run takes single findings (it was not laid whole).
    open: bool,
}

impl Laid {
    fn with_capacity(runs: usize) -> Laid {
        Laid {
            runs: Vec::with_capacity(runs),
            open: false,
        }
    }

    fn last(&self) -> Option<&Finding> {
        self.runs.last().and_then(|run| run.last())
    }

    fn push(&mut self, finding: Finding) {
        match self.runs.last_mut() {
            Some(run) if self.open => run.push(finding),
            _ => {
                self.runs.push(vec![finding]);
                self.open = true;
            }
        }
    }

    fn append(&mut self, run: Vec<Finding>) {
        if !run.is_empty() {
            self.runs.push(run);
            self.open = false;
        }
    }
}

/// Lays a sorted run of findings after `out`, with the scattered findings that sort before
/// or among them. Most runs have none among them and are moved in one copy.
fn lay(
    out: &mut Laid,
    mut run: Vec<Finding>,
    scattered: &mut std::iter::Peekable<std::vec::IntoIter<Finding>>,
    order: &Order,
) {
    let Some(last) = run.last() else {
        return;
    };
    if scattered
        .peek()
        .is_some_and(|s| order.cmp(s, last) != Ordering::Greater)
    {
        for finding in run {
            lay_scattered_up_to(out, scattered, &finding, order);
            push_unique(out, finding, order);
        }
        return;
    }
    lay_scattered_up_to(out, scattered, &run[0], order);
    if out
        .last()
        .is_some_and(|laid| order.cmp(laid, &run[0]) == Ordering::Equal)
    {
        run.remove(0);
    }
    out.append(run);
}

/// The scattered findings that sort before `next`, or with it (the first given is kept).
fn lay_scattered_up_to(
    out: &mut Laid,
    scattered: &mut std::iter::Peekable<std::vec::IntoIter<Finding>>,
    next: &Finding,
    order: &Order,
) {
    while let Some(earlier) = scattered.next_if(|s| order.cmp(s, next) != Ordering::Greater) {
        push_unique(out, earlier, order);
    }
}

fn push_unique(out: &mut Laid, finding: Finding, order: &Order) {
    if out
        .last()
        .is_none_or(|last| order.cmp(last, &finding) != Ordering::Equal)
    {
        out.push(finding);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::sorted_unique;
    use crate::diagnostic::{Finding, Label};
    use crate::rules::meta::UNUSED_SUPPRESSION;
    use crate::source::{FileId, SourceMap, Span};

    #[test]
    fn instances_of_one_resource_with_one_finding_become_one() {
        let span = Span::new(FileId(0), 3..9);
        let finding = |resource: &str, origin: Option<Span>| {
            let f = Finding::new(&UNUSED_SUPPRESSION, "same", Label::new(span, "here")).with_resource(&resource.into());
            f.with_related(origin.map(|o| Label::new(o, "set here")))
        };
        let mut found = vec![
            finding("a.b[\"x\"]", None),
            finding("a.b[\"y\"]", None),
            finding("a.b[\"z\"]", Some(Span::new(FileId(0), 20..21))),
            finding("module.m[\"1\"].a.b", None),
            finding("module.m[\"2\"].a.b", None),
        ];
        super::group_instances(&mut found);
        let messages: Vec<&str> = found.iter().map(|f| &*f.message).collect();
        assert_eq!(
            messages,
            ["same (and 1 more instance: [\"y\"])", "same", "same", "same"],
            "an instance whose value came from elsewhere, and other module calls, stay apart"
        );
    }

    /// Findings named `file:start:message`; each file is registered once.
    fn findings(sources: &SourceMap, files: &mut HashMap<String, FileId>, names: &[&str]) -> Vec<Finding> {
        names
            .iter()
            .map(|name| {
                let mut fields = name.split(':');
                let (file, start, message) = (
                    fields.next().unwrap_or_default(),
                    fields.next().and_then(|s| s.parse().ok()).unwrap_or(0),
                    fields.next().unwrap_or_default().to_owned(),
                );
                let id = *files
                    .entry(file.to_owned())
                    .or_insert_with(|| sources.add_virtual(file, &"x".repeat(100)));
                Finding::new(
                    &UNUSED_SUPPRESSION,
                    message,
                    Label::new(Span::new(id, start..start + 1), "here"),
                )
            })
            .collect()
    }

    fn names<'f>(sources: &SourceMap, findings: impl IntoIterator<Item = &'f Finding>) -> Vec<String> {
        findings
            .into_iter()
            .map(|f| {
                let file = &sources.get(f.primary.span.file).display_path;
                format!("{file}:{}:{}", f.primary.span.start, f.message)
            })
            .collect()
    }

    /// Each part as a configuration's findings come: in order, each once.
    fn settled(sources: &SourceMap, parts: Vec<Vec<Finding>>) -> Vec<Vec<Finding>> {
        parts
            .into_iter()
            .map(|mut part| {
                super::presort(&mut part, sources);
                super::dedup_presorted(&mut part);
                part
            })
            .collect()
    }

    fn check(scattered: &[&str], parts: &[&[&str]], expected: &[&str]) {
        let sources = SourceMap::default();
        let mut files = HashMap::new();
        let scattered = findings(&sources, &mut files, scattered);
        let parts = settled(
            &sources,
            parts.iter().map(|p| findings(&sources, &mut files, p)).collect(),
        );
        assert_eq!(names(&sources, &sorted_unique(scattered, parts, &sources)), expected);
    }

    #[test]
    fn parts_apart_are_laid_end_to_end() {
        check(
            &[],
            &[
                &["b/main.tf:5:x", "b/main.tf:1:y"],
                &["a/main.tf:3:z"],
                &[],
                &["c/main.tf:0:w"],
            ],
            &["a/main.tf:3:z", "b/main.tf:1:y", "b/main.tf:5:x", "c/main.tf:0:w"],
        );
    }

    #[test]
    fn overlapping_parts_are_sorted_together() {
        // Two configurations that call the module in `m/`.
        check(
            &[],
            &[
                &["a/main.tf:1:x", "m/main.tf:7:x"],
                &["b/main.tf:1:x", "m/main.tf:2:x"],
                &["z/main.tf:0:x"],
            ],
            &[
                "a/main.tf:1:x",
                "b/main.tf:1:x",
                "m/main.tf:2:x",
                "m/main.tf:7:x",
                "z/main.tf:0:x",
            ],
        );
    }

    #[test]
    fn scattered_findings_are_merged_in() {
        check(
            &["z/main.tf:0:late", "a/main.tf:0:early", "b/main.tf:3:middle"],
            &[&["a/main.tf:1:x"], &["b/main.tf:1:x", "b/main.tf:9:x"]],
            &[
                "a/main.tf:0:early",
                "a/main.tf:1:x",
                "b/main.tf:1:x",
                "b/main.tf:3:middle",
                "b/main.tf:9:x",
                "z/main.tf:0:late",
            ],
        );
    }

    #[test]
    fn a_finding_reported_twice_is_kept_once() {
        check(
            &["m/main.tf:2:x"],
            &[&["a/main.tf:1:x", "m/main.tf:2:x"], &["m/main.tf:2:x", "m/main.tf:4:x"]],
            &["a/main.tf:1:x", "m/main.tf:2:x", "m/main.tf:4:x"],
        );
    }

    #[test]
    fn of_equal_findings_the_first_given_is_kept() {
        let sources = SourceMap::default();
        let mut files = HashMap::new();
        let tagged = |files: &mut HashMap<String, FileId>, name: &str, tag: &'static str| {
            findings(&sources, files, &[name]).remove(0).with_help(tag)
        };
        let scattered = vec![tagged(&mut files, "m/main.tf:2:x", "scattered")];
        let parts = vec![
            vec![tagged(&mut files, "m/main.tf:4:x", "first part")],
            vec![
                tagged(&mut files, "m/main.tf:2:x", "second part"),
                tagged(&mut files, "m/main.tf:4:x", "second part"),
            ],
        ];
        let kept: Vec<String> = sorted_unique(scattered, settled(&sources, parts), &sources)
            .iter()
            .map(|f| f.help.as_deref().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(kept, ["scattered", "first part"]);
    }

    #[test]
    fn a_configuration_whose_files_came_late_is_sorted_by_path() {
        // Other configurations' files took the first ids; this one's ids start far from 0,
        // and its files were registered out of path order.
        let sources = SourceMap::default();
        let mut files = HashMap::new();
        findings(
            &sources,
            &mut files,
            &["a/main.tf:0:x", "b/main.tf:0:x", "c/main.tf:0:x"],
        );
        let mut part = findings(&sources, &mut files, &["y/z.tf:1:x", "y/main.tf:9:x", "y/z.tf:0:x"]);
        super::presort(&mut part, &sources);
        assert_eq!(names(&sources, &part), ["y/main.tf:9:x", "y/z.tf:0:x", "y/z.tf:1:x"]);
    }

    /// `presort` as one stable sort by the whole key would leave them: messages tell apart
    /// findings with one position, tags tell apart equal findings.
    fn presorted_as_one_stable_sort(sources: &SourceMap, mut part: Vec<Finding>) {
        let order = super::Order::of_files(super::files_of(&part), sources);
        let mut expected = part.clone();
        expected.sort_by(|a, b| order.cmp(a, b));
        super::presort(&mut part, sources);
        let tags = |found: &[Finding]| {
            found
                .iter()
                .map(|f| (f.message.to_string(), f.help.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(tags(&part), tags(&expected));
    }

    #[test]
    fn a_configuration_with_many_findings_is_presorted_in_parallel_alike() {
        let sources = SourceMap::default();
        let mut files = HashMap::new();
        let names: Vec<String> = (0..super::PRESORT_IN_PARALLEL_FROM + 100)
            .map(|i| format!("{}/main.tf:{}:{}", ["b", "a", "c"][i % 3], (i * 7919) % 61, i % 5))
            .collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let part = findings(&sources, &mut files, &names);
        let part = part
            .into_iter()
            .enumerate()
            .map(|(i, f)| f.with_help(i.to_string()))
            .collect();
        presorted_as_one_stable_sort(&sources, part);
    }

    proptest::proptest! {
        #[test]
        fn a_configuration_is_presorted_as_one_stable_sort(
            found in proptest::collection::vec((0..3usize, 0..5u32, 0..2usize), 0..40),
        ) {
            let sources = SourceMap::default();
            let mut files = HashMap::new();
            let names: Vec<String> = found.iter().map(|(file, start, message)| format!("{}/main.tf:{start}:{}", ["b", "a", "c"][*file], ["x", "y"][*message])).collect();
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let part = findings(&sources, &mut files, &names);
            let part = part.into_iter().enumerate().map(|(i, f)| f.with_help(i.to_string())).collect();
            presorted_as_one_stable_sort(&sources, part);
        }

        /// Whatever the parts hold, the result is that of one stable sort of everything
        /// (scattered findings first, then the parts in order) with repeats dropped.
        #[test]
        fn same_as_one_sort_of_everything(
            scattered in proptest::collection::vec((0..4usize, 0..6u32, 0..2usize), 0..6),
            parts in proptest::collection::vec(proptest::collection::vec((0..4usize, 0..6u32, 0..2usize), 0..6), 0..6),
        ) {
            let sources = SourceMap::default();
            let mut files = HashMap::new();
            let name = |(file, start, message): (usize, u32, usize)| format!("{}/main.tf:{start}:{}", ["a", "b", "m", "z"][file], ["x", "y"][message]);
            let tagged = |files: &mut HashMap<String, FileId>, which: (usize, u32, usize), tag: String| {
                findings(&sources, files, &[&name(which)]).remove(0).with_help(tag)
            };
            let scattered_findings: Vec<Finding> = scattered.iter().enumerate().map(|(i, &w)| tagged(&mut files, w, format!("s{i}"))).collect();
            let part_findings: Vec<Vec<Finding>> = parts.iter().enumerate().map(|(p, part)| {
                part.iter().enumerate().map(|(i, &w)| tagged(&mut files, w, format!("p{p}.{i}"))).collect()
            }).collect();
            let mut everything: Vec<Finding> = scattered_findings.iter().chain(part_findings.iter().flatten()).cloned().collect();
            let key = |f: &Finding| (sources.get(f.primary.span.file).display_path.clone(), f.primary.span.start, f.message.to_string());
            everything.sort_by_key(key);
            everything.dedup_by(|later, earlier| key(later) == key(earlier));
            let tags = |found: Vec<&Finding>| found.iter().map(|f| f.help.as_deref().unwrap_or_default().to_owned()).collect::<Vec<_>>();
            proptest::prop_assert_eq!(tags(sorted_unique(scattered_findings, settled(&sources, part_findings), &sources).ordered()), tags(everything.iter().collect()));
        }
    }
}
