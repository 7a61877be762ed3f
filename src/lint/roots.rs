//! Which shared directories are configurations of their own, and the configurations in
//! path order.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::configuration::Evaluated;

/// Two lists of configurations in path order as one. The streamed ones come in the order
/// discovery lists their directories, which is path order, and the few shared ones are put
/// among them where they belong, rather than ten thousand long paths compared again.
pub(super) fn merged_by_dir(streamed: Vec<Evaluated>, shared: Vec<Evaluated>) -> Vec<Evaluated> {
    debug_assert!(streamed.is_sorted_by(|a, b| a.dir <= b.dir));
    debug_assert!(shared.is_sorted_by(|a, b| a.dir <= b.dir));
    if shared.is_empty() {
        return streamed;
    }
    let places: Vec<usize> = shared
        .iter()
        .map(|one| streamed.partition_point(|s| s.dir < one.dir))
        .collect();
    let mut merged = Vec::with_capacity(streamed.len() + shared.len());
    let mut streamed = streamed.into_iter();
    let mut laid = 0;
    for (one, place) in shared.into_iter().zip(places) {
        merged.extend(streamed.by_ref().take(place - laid));
        laid = place;
        merged.push(one);
    }
    merged.extend(streamed);
    merged
}

/// The shared module directories that are configurations of their own. A directory nobody
/// calls is a root; one that only other scanned directories call is judged through them.
/// Directories left over (calls in a cycle) are roots too, so that nothing goes unlinted.
/// `shared_calls` holds every shared directory with the local module directories it calls;
/// `called_by_streamed`, what the streamed directories call (those are roots already:
/// nothing mentions them, so nothing calls them). Returned in path order.
pub(super) fn shared_roots<'d>(
    shared_calls: &'d BTreeMap<PathBuf, Vec<PathBuf>>,
    called_by_streamed: &[PathBuf],
) -> Vec<&'d PathBuf> {
    // Directories are numbered in the map's (path) order, so that the walk compares numbers.
    // Only the shared directories are in the graph: the tens of thousands of streamed ones
    // of a monorepo only start the walk.
    let dirs: Vec<&PathBuf> = shared_calls.keys().collect();
    let index_of = |target: &PathBuf| dirs.binary_search_by(|d| d.as_path().cmp(target)).ok();
    let calls: Vec<Vec<usize>> = shared_calls
        .values()
        .enumerate()
        .map(|(i, targets)| targets.iter().filter_map(index_of).filter(|&t| t != i).collect())
        .collect();
    let from_streamed: Vec<usize> = called_by_streamed.iter().filter_map(index_of).collect();
    let mut called = vec![false; dirs.len()];
    for &target in calls.iter().flatten().chain(&from_streamed) {
        called[target] = true;
    }
    let mut roots: Vec<usize> = (0..dirs.len()).filter(|&i| !called[i]).collect();
    let mut reached = vec![false; dirs.len()];
    let mut stack = roots.clone();
    stack.extend(from_streamed);
    let mut unreached_from = 0;
    loop {
        while let Some(dir) = stack.pop() {
            if !reached[dir] {
                reached[dir] = true;
                stack.extend(&calls[dir]);
            }
        }
        match (unreached_from..dirs.len()).find(|&i| !reached[i]) {
            Some(left) => {
                unreached_from = left;
                roots.push(left);
                stack.push(left);
            }
            None => break,
        }
    }
    roots.sort_unstable();
    roots.into_iter().map(|i| dirs[i]).collect()
}
