//! Stage 4: the run's own findings (unreadable files, the catalog's age) waived against the
//! comments of the files they point into, the comments nobody used reported, and every
//! configuration's part laid in report order.

use super::configuration::Evaluated;
use super::order;
use crate::catalog::Catalog;
use crate::diagnostic::{Finding, Findings};
use crate::eval::{Note, Work};
use crate::facts::Configuration;
use crate::parse::syntax::Suppression;
use crate::policy::ResiliencyScope;
use crate::rules;
use crate::source::SourceMap;
use crate::suppress;

/// What stage 4 takes.
pub(super) struct Run<'a> {
    pub sources: &'a SourceMap,
    pub options: &'a super::Options,
    pub catalog: &'a Catalog,
    pub waiving: &'a suppress::Policy<'a>,
    /// The run's own findings, scattered over every file.
    pub found: Vec<Finding>,
    pub notes: Vec<Note>,
    /// Every ignore comment, and which of them waived something already.
    pub suppressions: Vec<Suppression>,
    pub used: Vec<bool>,
    pub configurations: Vec<Evaluated>,
}

pub(super) struct Settled {
    pub findings: Findings,
    pub suppressed: Vec<(Finding, Suppression)>,
    pub notes: Vec<Note>,
    /// The configurations' facts, when kept.
    pub configurations: Vec<Configuration>,
    pub roots: usize,
    pub most_work: Work,
}

pub(super) fn settle(run: Run<'_>) -> Settled {
    let Run {
        sources,
        options,
        catalog,
        waiving,
        mut found,
        mut notes,
        suppressions,
        mut used,
        mut configurations,
    } = run;
    // With `policy.resiliency.scope: repository`, models fail over, and traffic is routed,
    // across configurations.
    if options.policy.resiliency.scope == ResiliencyScope::Repository {
        let failovers: Vec<_> = configurations.iter_mut().filter_map(|c| c.failover.take()).collect();
        found.extend(rules::aoai202_model_without_failover::across(&failovers, catalog));
        let routings: Vec<_> = configurations.iter_mut().filter_map(|c| c.routing.take()).collect();
        found.extend(rules::aoai203_no_failover_routing::across(&routings, catalog));
    }
    found.extend(rules::aoai004_stale_catalog::check(
        sources,
        catalog.oldest_table(),
        waiving.today,
        options.policy.catalog_max_age_days,
    ));
    // The run's own problems can be anywhere; the comments of every file are asked.
    let mut suppressed =
        suppress::waive_anywhere(&mut found, &suppressions, &mut used, waiving, options.show_suppressed);
    let roots = configurations.len();
    // With `policy.resiliency.scope: repository`, the regions of every configuration count.
    let across = (options.policy.resiliency.scope == ResiliencyScope::Repository).then(|| {
        rules::aoai201_single_region::Regions::of(
            configurations
                .iter()
                .filter_map(|c| Some((&c.dir, c.regions.as_ref()?))),
        )
    });
    let mut kept = Vec::new();
    // Each configuration's findings stay one part, laid in place by `sorted_unique`.
    let mut parts = Vec::with_capacity(configurations.len());
    let mut most_work = Work::default();
    for mut evaluated in configurations {
        most_work = most_work.max(evaluated.work);
        kept.extend(evaluated.config.map(|config| *config));
        if let Some(across) = &across {
            across.judge(
                &mut evaluated.found,
                &evaluated.dir,
                options.policy.resiliency.min_regions,
            );
        }
        parts.push(evaluated.found);
        suppressed.extend(evaluated.waived);
        notes.extend(evaluated.notes);
    }
    // The comments' own findings are spread over every file too.
    found.extend(suppress::unused(&suppressions, &used, waiving));
    options.rules.apply(&mut found);
    suppressed.sort_by(|(a, _), (b, _)| {
        let path = |f: &Finding| sources.get(f.primary.span.file).display_path.as_str();
        (path(a), a.primary.span.start, a.rule.id).cmp(&(path(b), b.primary.span.start, b.rule.id))
    });
    let findings = order::sorted_unique(found, parts, sources);
    notes.sort_by(|a, b| {
        let path = |n: &Note| sources.get(n.span.file).display_path.as_str();
        (path(a), a.span.start).cmp(&(path(b), b.span.start))
    });
    notes.dedup();
    Settled {
        findings,
        suppressed,
        notes,
        configurations: kept,
        roots,
        most_work,
    }
}
