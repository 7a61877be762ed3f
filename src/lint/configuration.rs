//! Stage 3: each configuration evaluated into facts, checked by every rule, and its findings
//! settled (sorted, waived, filtered, each kept once) while they are still in the cache.
//! Roots nobody calls are parsed, checked and freed a batch at a time, so that memory stays
//! flat on a monorepo; shared modules nobody calls after all are configurations too.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use rayon::prelude::*;

use super::{CONFIGURATIONS_PER_BATCH, hide, order, read, roots};
use crate::catalog::Catalog;
use crate::diagnostic::{Finding, Label};
use crate::eval::downloads::Downloads;
use crate::eval::module::{self, ModuleSyntax};
use crate::eval::{Budget, CliVariables, Evaluator, ModuleSet, Note, terragrunt};
use crate::facts::{self, Configuration, ConfigurationKind};
use crate::parse::syntax::Suppression;
use crate::progress::Counters;
use crate::rules;
use crate::source::SourceMap;
use crate::suppress;

/// What every configuration of the run is judged with.
pub(super) struct Checker<'a> {
    pub options: &'a super::Options,
    pub sources: &'a SourceMap,
    pub catalog: &'a Catalog,
    pub today: jiff::civil::Date,
    pub cli: &'a CliVariables,
    /// One configuration's share of the run's budget.
    pub budget: Budget,
    pub waiving: &'a suppress::Policy<'a>,
    /// The shared modules' ignore comments: a configuration's findings point into its own
    /// files and the shared modules' (all the local modules it can call).
    pub shared_waivers: suppress::Waivers<'a>,
    /// The shared modules, parsed.
    pub modules: &'a ModuleSet,
    pub counters: &'a Counters,
}

/// Every configuration checked, in path order, and what the streamed roots left.
#[derive(Default)]
pub(super) struct Checked {
    pub configurations: Vec<Evaluated>,
    /// The streamed roots' unreadable files, and how many of them are Terraform files.
    pub problems: Vec<Finding>,
    pub files_failed: usize,
    /// The comments of the roots' own files, in their order, and which of them waived
    /// something.
    pub own_suppressions: Vec<Suppression>,
    pub own_used: Vec<bool>,
}

/// A configuration checked, and what is kept of it.
pub(super) struct Evaluated {
    pub dir: PathBuf,
    /// Evaluation steps taken and bytes built.
    pub work: crate::eval::Work,
    /// Its facts, when kept (boxed, so that the ten thousand entries of a monorepo that keeps
    /// none are small).
    pub config: Option<Box<Configuration>>,
    /// Its findings in report order, each once (`order::sorted_unique` takes them so).
    pub found: Vec<Finding>,
    /// Its findings an ignore comment waived, when they are shown.
    pub waived: Vec<(Finding, Suppression)>,
    pub notes: Vec<Note>,
    /// Its regions as AOAI201 counts them across configurations, when the policy's
    /// resiliency scope is the repository.
    pub regions: Option<rules::aoai201_single_region::Across>,
    /// Its deployments and regions as AOAI202 judges them across configurations, when the
    /// policy's resiliency scope is the repository.
    pub failover: Option<rules::aoai202_model_without_failover::Across>,
    /// Its routing as AOAI203 judges it across configurations (same scope).
    pub routing: Option<rules::aoai203_no_failover_routing::Across>,
}

/// A configuration evaluated and its facts extracted, its rules still to run.
struct Extracted {
    dir: PathBuf,
    /// Texts of hidden values its findings must not show.
    hidden: Vec<crate::eval::Hidden>,
    work: crate::eval::Work,
    config: Configuration,
    /// The evaluator's own findings (cycles, bounds).
    found: Vec<Finding>,
    notes: Vec<Note>,
}

/// A root parsed, evaluated and freed in one go, and what is kept of it.
struct Streamed {
    evaluated: Evaluated,
    problems: Vec<Finding>,
    suppressions: Vec<Suppression>,
    /// Which of `suppressions` waived something.
    used: Vec<bool>,
    calls: Vec<PathBuf>,
}

impl Checker<'_> {
    /// Every root nobody calls, parsed, evaluated, checked and freed a batch at a time; then
    /// the shared modules nobody calls after all (or that call each other in a cycle).
    pub fn stream(
        &self,
        own_dirs: Vec<module::ReadModule<'_>>,
        shared_calls: &BTreeMap<PathBuf, Vec<PathBuf>>,
        units: Vec<terragrunt::Unit>,
    ) -> Checked {
        let streamed: Vec<Streamed> = own_dirs
            .into_par_iter()
            .chunks(CONFIGURATIONS_PER_BATCH)
            .with_max_len(1)
            .flat_map_iter(|batch| self.stream_batch(batch))
            .collect();
        let mut checked = Checked::default();
        let mut evaluated = Vec::with_capacity(streamed.len());
        let mut called_by_streamed = Vec::new();
        for one in streamed {
            checked.files_failed += read::count_failed_files(&one.problems, self.sources);
            checked.problems.extend(one.problems);
            checked.own_suppressions.extend(one.suppressions);
            checked.own_used.extend(one.used);
            called_by_streamed.extend(one.calls);
            evaluated.push(one.evaluated);
        }
        // A module a Terragrunt unit names is judged through the unit, not on its own.
        called_by_streamed.extend(units.iter().filter_map(|u| match &u.source {
            terragrunt::Source::Local(dir) => Some(dir.clone()),
            _ => None,
        }));
        let shared_roots = roots::shared_roots(shared_calls, &called_by_streamed);
        let shared_evaluated = shared_roots
            .par_chunks(CONFIGURATIONS_PER_BATCH)
            .with_max_len(1)
            .flat_map_iter(|dirs| {
                let batch = dirs
                    .iter()
                    .map(|dir| self.extract(dir, Arc::clone(&self.modules[*dir])))
                    .collect();
                self.check(batch, &[])
            })
            .collect::<Vec<_>>();
        let mut others: Vec<Evaluated> = units
            .into_par_iter()
            .with_max_len(1)
            .filter_map(|unit| self.unit(unit))
            .collect();
        others.extend(shared_evaluated);
        others.sort_by(|a, b| a.dir.cmp(&b.dir));
        checked.configurations = roots::merged_by_dir(evaluated, others);
        checked
    }

    /// A Terragrunt unit: its module evaluated as a root with the unit's inputs, each
    /// finding naming the unit.
    fn unit(&self, unit: terragrunt::Unit) -> Option<Evaluated> {
        let (terragrunt::Source::Local(dir) | terragrunt::Source::Cached(dir)) = &unit.source else {
            return None;
        };
        let module = Arc::clone(self.modules.get(dir)?);
        let mut cli = self.cli.clone();
        cli.unit_inputs = unit.inputs;
        let extracted = self.evaluate(&unit.dir, module, &cli, ConfigurationKind::Root);
        let mut evaluated = self.check(vec![extracted], &[]).pop()?;
        let shown: crate::diagnostic::Address = crate::source::display_path(&unit.dir).into();
        for finding in &mut evaluated.found {
            if finding.configurations.is_empty() {
                finding.configurations = thin_vec::thin_vec![Arc::clone(&shown)];
            }
        }
        Some(evaluated)
    }

    /// One batch of roots: each parsed and its facts extracted, then the batch checked rule
    /// by rule, each root's findings waived by its own comments too.
    fn stream_batch(&self, batch: Vec<module::ReadModule<'_>>) -> Vec<Streamed> {
        let mut kept = Vec::with_capacity(batch.len());
        let mut extracted = Vec::with_capacity(batch.len());
        for read in batch {
            let dir = read.dir.dir.clone();
            let (mut module, problems) = module::parse(read, self.sources);
            self.counters.parsed.fetch_add(1, Ordering::Relaxed);
            let suppressions = std::mem::take(&mut module.suppressions);
            kept.push((suppressions, read::local_calls(&module), problems));
            extracted.push(self.extract(&dir, Arc::new(module)));
        }
        let own: Vec<suppress::Waivers> = kept
            .iter()
            .map(|(suppressions, _, _)| suppress::Waivers::new(suppressions, self.waiving))
            .collect();
        let evaluated = self.check(extracted, &own);
        let used: Vec<Vec<bool>> = own.into_iter().map(suppress::Waivers::used).collect();
        evaluated
            .into_iter()
            .zip(kept)
            .zip(used)
            .map(|((evaluated, (suppressions, calls, problems)), used)| Streamed {
                evaluated,
                problems,
                suppressions,
                used,
                calls,
            })
            .collect()
    }

    /// Plan mode: one configuration, its facts from the plan.
    pub fn plan(&self, plan: &Path) -> Result<Checked, Box<Finding>> {
        let (config, mut found, notes) = super::plan_mode::lint_plan(
            plan,
            self.options,
            self.modules,
            self.sources,
            self.cli,
            self.catalog,
            self.today,
        )?;
        let waived = self.settle(&mut found, &[&self.shared_waivers]);
        let evaluated = Evaluated {
            regions: self.regions_of(&config),
            failover: self.failover_of(&config),
            routing: self.routing_of(&config),
            work: crate::eval::Work::default(),
            dir: PathBuf::new(),
            config: self.options.keep_configurations.then(|| Box::new(config)),
            found,
            waived,
            notes,
        };
        Ok(Checked {
            configurations: vec![evaluated],
            ..Checked::default()
        })
    }

    /// The configuration rooted at `dir`, evaluated into facts.
    fn extract(&self, dir: &Path, root: Arc<ModuleSyntax>) -> Extracted {
        let kind = if !root.configures_provider && root.has_required_variables() {
            ConfigurationKind::ReusableModule
        } else {
            ConfigurationKind::Root
        };
        self.evaluate(dir, root, self.cli, kind)
    }

    /// The configuration of module `root` under `dir`, evaluated with `cli`'s variables.
    fn evaluate(&self, dir: &Path, root: Arc<ModuleSyntax>, cli: &CliVariables, kind: ConfigurationKind) -> Extracted {
        let downloads = Downloads::for_root(&root, self.sources, self.options.limits)
            .with_repository_of(&root.dir, &self.options.paths);
        let evaluator = Evaluator::new(self.modules, &downloads, cli, self.budget, root);
        let config = facts::extract(&evaluator, kind);
        let work = evaluator.work();
        let (found, notes, hidden) = evaluator.finish();
        Extracted {
            hidden,
            work,
            dir: dir.to_path_buf(),
            config,
            found,
            notes,
        }
    }

    /// The rules of a batch of configurations, run check by check (`rules::check_each`);
    /// each configuration's findings are then settled (`own` holds each configuration's own
    /// comments, when it has files of its own).
    fn check(&self, batch: Vec<Extracted>, own: &[suppress::Waivers<'_>]) -> Vec<Evaluated> {
        let contexts: Vec<rules::Context> = batch
            .iter()
            .map(|extracted| rules::Context {
                config: &extracted.config,
                catalog: self.catalog,
                policy: &self.options.policy,
                today: self.today,
                sources: self.sources,
                memo: Default::default(),
            })
            .collect();
        let checked = rules::check_each(&contexts, &self.options.rules);
        drop(contexts);
        batch
            .into_iter()
            .zip(checked)
            .enumerate()
            .map(|(k, (mut extracted, checked))| {
                extracted.found.extend(checked);
                hide::hide(&mut extracted.found, &extracted.hidden);
                name_calling_modules(&mut extracted.found, &extracted.config, self.sources);
                first_lines_of_places(&mut extracted.found, self.sources);
                let waived = match own.get(k) {
                    Some(own) => self.settle(&mut extracted.found, &[&self.shared_waivers, own]),
                    None => self.settle(&mut extracted.found, &[&self.shared_waivers]),
                };
                self.counters.evaluated.fetch_add(1, Ordering::Relaxed);
                Evaluated {
                    regions: self.regions_of(&extracted.config),
                    failover: self.failover_of(&extracted.config),
                    routing: self.routing_of(&extracted.config),
                    work: extracted.work,
                    dir: extracted.dir,
                    config: self.options.keep_configurations.then(|| Box::new(extracted.config)),
                    found: extracted.found,
                    waived,
                    notes: extracted.notes,
                }
            })
            .collect()
    }

    fn regions_of(&self, config: &Configuration) -> Option<rules::aoai201_single_region::Across> {
        self.across().then(|| rules::aoai201_single_region::Across::of(config))
    }

    /// The policy judges resiliency across every configuration of the run.
    fn across(&self) -> bool {
        self.options.policy.resiliency.scope == crate::policy::ResiliencyScope::Repository
    }

    fn failover_of(&self, config: &Configuration) -> Option<rules::aoai202_model_without_failover::Across> {
        self.across()
            .then(|| rules::aoai202_model_without_failover::Across::of(config))
    }

    fn routing_of(&self, config: &Configuration) -> Option<rules::aoai203_no_failover_routing::Across> {
        self.across()
            .then(|| rules::aoai203_no_failover_routing::Across::of(config))
    }

    /// One configuration's findings put in report order, waived, filtered by the rules'
    /// settings and each kept once: a part of the report as `order::sorted_unique` takes it.
    fn settle(&self, found: &mut Vec<Finding>, lists: &[&suppress::Waivers<'_>]) -> Vec<(Finding, Suppression)> {
        order::presort(found, self.sources);
        let waived = suppress::waive(found, lists, self.waiving, self.options.show_suppressed);
        self.options.rules.apply(found);
        order::dedup_presorted(found);
        order::group_instances(found);
        waived
    }
}

pub(super) fn check_rules(
    config: &Configuration,
    catalog: &Catalog,
    options: &super::Options,
    today: jiff::civil::Date,
    sources: &SourceMap,
) -> Vec<Finding> {
    let context = rules::Context {
        config,
        catalog,
        policy: &options.policy,
        today,
        sources,
        memo: Default::default(),
    };
    rules::check(&context, &options.rules)
}

/// A place a value came from is shown by its first line: a map of thirty lines, or eight
/// module arguments of twenty, around a value that may be none of them, is noise. The finding
/// itself keeps its whole span.
pub(super) fn first_lines_of_places(findings: &mut [Finding], sources: &SourceMap) {
    for label in findings.iter_mut().flat_map(|f| f.related.iter_mut()) {
        let text = &sources.get(label.span.file).text;
        let first_line = text
            .get(label.span.range())
            .and_then(|placed| placed.find('\n'))
            .map(|n| text[..label.span.start as usize + n].trim_end().len())
            .filter(|&end| end > label.span.start as usize);
        if let Some(end) = first_line {
            label.span = crate::source::Span::new(label.span.file, label.span.start as usize..end);
        }
    }
}

/// A finding inside a module that `terraform init` downloaded points at code nobody edits
/// in place: the `module` block in the user's code that creates the instance is where the
/// fix goes, so it is named too.
///
/// Every finding also learns its call sites, so that an ignore comment on a `module` block
/// covers what that module creates.
pub(super) fn name_calling_modules(findings: &mut [Finding], config: &Configuration, sources: &SourceMap) {
    let downloaded = |file| {
        sources
            .get(file)
            .path
            .components()
            .any(|c| c.as_os_str() == ".terraform")
    };
    // Looked up by address: a configuration can hold thousands of resources and findings.
    let call_sites = config.call_sites_by_address();
    if call_sites.is_empty() {
        return;
    }
    let mut configuration: Option<crate::diagnostic::Address> = None;
    for finding in findings {
        let Some(&sites) = finding.resource.as_deref().and_then(|a| call_sites.get(a)) else {
            continue;
        };
        finding.call_sites = sites.into();
        if downloaded(finding.primary.span.file) {
            if let Some(site) = sites.iter().find(|s| !downloaded(s.file)) {
                finding
                    .related
                    .push(Label::new(*site, "created by this module call: change its inputs here"));
            }
        } else if !sources.get(finding.primary.span.file).path.starts_with(&config.dir)
            && let Some(site) = sites.first()
        {
            // A module outside the configuration's folder may be shared by several roots:
            // the finding says which one's call made it.
            finding
                .related
                .push(Label::new(*site, "through this configuration's module call"));
            let shown = configuration.get_or_insert_with(|| crate::source::display_path(&config.dir).into());
            finding.configurations = thin_vec::thin_vec![std::sync::Arc::clone(shown)];
        }
    }
}
