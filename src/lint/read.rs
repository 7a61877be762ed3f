//! Stage 1 and 2: discover the module directories, read every file once, and plan the
//! roots: the directories another one may call are parsed first and shared; every other
//! directory is a root nobody calls, streamed by the next stage.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use rayon::prelude::*;

use super::{MODULES_PER_JOB, RunError};
use crate::catalog::Catalog;
use crate::diagnostic::Finding;
use crate::discover::{self, Discovery};
use crate::eval::module::{self, ModuleSyntax};
use crate::eval::{ModuleSet, Note, terragrunt};
use crate::parse;
use crate::parse::syntax::Suppression;
use crate::progress::Counters;
use crate::source::{SourceMap, Span};

/// The tree's module directories, and the catalog overlay when one is named (read while the
/// tree is walked: the walk leaves a core partly idle).
pub(super) fn discover_and_load_catalog(options: &super::Options) -> Result<(Discovery, Option<Catalog>), RunError> {
    let (discovery, overlaid) = rayon::join(
        || discover::discover(&options.paths, options.exclude.as_ref()),
        || match &options.catalog_overlay {
            Some(path) => Some(load_overlay(path)),
            None => {
                Catalog::embedded();
                None
            }
        },
    );
    let discovery = discovery.map_err(|e| RunError(format!("{}: {}", e.path.display(), e.error)))?;
    Ok((discovery, overlaid.transpose()?))
}

/// The Terragrunt units of the tree: every `terragrunt.hcl` with a `terraform { source }`.
/// A unit whose module is a folder of the tree becomes a configuration; one whose source
/// cannot be followed gets a note; a file without a source is one the units include.
fn read_units(
    discovery: &Discovery,
    options: &super::Options,
    sources: &SourceMap,
) -> (Vec<terragrunt::Unit>, Vec<Finding>, Vec<Note>) {
    let mut units = Vec::new();
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    for path in &discovery.terragrunt_files {
        let Ok(path) = path.canonicalize() else { continue };
        let dir = path.parent().unwrap_or(&path).to_path_buf();
        let repository = discover::repository_of(&dir, &options.paths).unwrap_or_else(|| dir.clone());
        let unit = match terragrunt::read(&path, &repository, sources, options.limits) {
            Ok(unit) => unit,
            Err(problem) => {
                problems.push(*problem);
                continue;
            }
        };
        let why = match &unit.source {
            terragrunt::Source::None => continue,
            terragrunt::Source::Local(module) if discovery.modules.binary_search_by(|m| m.dir.cmp(module)).is_ok() => {
                units.push(unit);
                continue;
            }
            terragrunt::Source::Cached(_) => {
                units.push(unit);
                continue;
            }
            terragrunt::Source::Local(module) => (
                Span::new(unit.file, 0..0),
                format!(
                    "the Terragrunt unit's module {} holds no Terraform files the scan found; not linted",
                    crate::source::display_path(module)
                ),
            ),
            terragrunt::Source::NotFollowed(source, span) => (
                *span,
                format!(
                    "the Terragrunt unit's module comes from \"{source}\", which is not read (a git or registry source, or a path outside the repository); its resources are not linted"
                ),
            ),
            terragrunt::Source::Unknown(span) => (
                *span,
                "the Terragrunt unit's module source cannot be worked out; its resources are not linted".to_owned(),
            ),
        };
        notes.push(Note {
            span: why.0,
            message: why.1,
        });
    }
    (units, problems, notes)
}

/// What discovery could not walk into (a symbolic link out of the tree, a loop).
pub(super) fn skipped(discovery: &Discovery, sources: &SourceMap) -> Vec<Finding> {
    discovery
        .skipped
        .iter()
        .map(|s| parse::unreadable(sources, &s.path, &s.reason))
        .collect()
}

/// A variables file named on the command line applies to the configuration beside it;
/// beside none, it has nothing to apply to, and that is said rather than passed over.
pub(super) fn lone_var_file_notes(discovery: &Discovery, sources: &SourceMap) -> Vec<Note> {
    discovery
        .lone_var_files
        .iter()
        .map(|path| {
            let shown = crate::source::display_path(path);
            Note {
                span: Span::new(sources.add_virtual(&shown, ""), 0..0),
                message: format!(
                    "{shown} is a variables file beside no Terraform configuration; nothing was linted with it"
                ),
            }
        })
        .collect()
}

/// The tree read, and the roots planned.
pub(super) struct Tree<'d> {
    /// The directories nobody calls, read but not parsed: each is a root.
    pub own_dirs: Vec<module::ReadModule<'d>>,
    /// The directories another one may call, parsed (all of them in plan mode).
    pub modules: ModuleSet,
    /// What each shared module calls (its local module directories).
    pub shared_calls: BTreeMap<PathBuf, Vec<PathBuf>>,
    /// The shared modules' ignore comments: the run's to apply, evaluation does not read them.
    pub shared_suppressions: Vec<Suppression>,
    /// The shared modules' unreadable files, and how many of them are Terraform files.
    pub problems: Vec<Finding>,
    pub files_failed: usize,
    /// The Terragrunt units whose module was found among the directories, each a
    /// configuration; their modules are shared, not roots of their own.
    pub units: Vec<terragrunt::Unit>,
    /// What the units could not follow (a git source, a source outside the tree).
    pub notes: Vec<Note>,
}

/// Every file is read and registered first (the reports need the text anyway), and the
/// paths its text mentions looked for while it is in the cache. Modules some other
/// directory may call are then parsed and shared; every other directory is a root nobody
/// calls, parsed, evaluated and freed in one go by the next stage, so that the trees of a
/// large monorepo never all exist at once. Plan mode parses everything here.
pub(super) fn read_and_plan<'d>(
    discovery: &'d Discovery,
    options: &super::Options,
    sources: &SourceMap,
    counters: &Counters,
) -> Tree<'d> {
    let (read, mentioned): (Vec<module::ReadModule>, Vec<Vec<PathBuf>>) = discovery
        .modules
        .par_iter()
        .with_max_len(MODULES_PER_JOB)
        .map(|dir| {
            let read = module::read(dir, sources, options.limits);
            let mentioned = match options.plan {
                Some(_) => Vec::new(),
                None => mentioned_local_paths(&read, sources),
            };
            (read, mentioned)
        })
        .unzip();
    let (units, unit_problems, notes) = match options.plan {
        Some(_) => (Vec::new(), Vec::new(), Vec::new()),
        None => read_units(discovery, options, sources),
    };
    let maybe_called: BTreeSet<PathBuf> = if options.plan.is_some() {
        discovery.modules.iter().map(|m| m.dir.clone()).collect()
    } else {
        // Discovery lists the directories in path order: a candidate is looked up, not every
        // directory put in a set.
        mentioned
            .into_iter()
            .flatten()
            .chain(units.iter().filter_map(|u| match &u.source {
                terragrunt::Source::Local(dir) => Some(dir.clone()),
                _ => None,
            }))
            .filter(|p| discovery.modules.binary_search_by(|m| m.dir.cmp(p)).is_ok())
            .collect()
    };
    let (shared_dirs, own_dirs): (Vec<module::ReadModule>, Vec<module::ReadModule>) =
        read.into_iter().partition(|m| maybe_called.contains(&m.dir.dir));
    let loaded: Vec<(ModuleSyntax, Vec<Finding>)> = shared_dirs
        .into_par_iter()
        .with_max_len(MODULES_PER_JOB)
        .map(|read| {
            let loaded = module::parse(read, sources);
            counters.parsed.fetch_add(1, Ordering::Relaxed);
            loaded
        })
        .collect();
    let mut tree = Tree {
        own_dirs,
        modules: HashMap::new(),
        shared_calls: BTreeMap::new(),
        shared_suppressions: Vec::new(),
        problems: unit_problems,
        files_failed: 0,
        units,
        notes,
    };
    // Modules `terragrunt init` downloaded into a unit's `.terragrunt-cache` (hidden, so
    // not discovered) are read here, as shared modules.
    let cached: Vec<(ModuleSyntax, Vec<Finding>)> = tree
        .units
        .iter()
        .filter_map(|u| match &u.source {
            terragrunt::Source::Cached(dir) => Some(dir),
            _ => None,
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|dir| module::load(&discover::module_files(dir).module, sources, options.limits))
        .collect();
    for (mut module, problems) in loaded.into_iter().chain(cached) {
        tree.files_failed += count_failed_files(&problems, sources);
        tree.problems.extend(problems);
        tree.shared_suppressions.append(&mut module.suppressions);
        tree.shared_calls.insert(module.dir.clone(), local_calls(&module));
        tree.modules.insert(module.dir.clone(), Arc::new(module));
    }
    tree
}

/// A catalog overlay larger than this is refused: the embedded catalog is under 1 MiB.
const MAX_OVERLAY_SIZE: u64 = 16 << 20;

/// The embedded catalog with the overlay file at `path` laid over it.
pub fn load_overlay(path: &std::path::Path) -> Result<Catalog, RunError> {
    let error = |e: String| RunError(format!("catalog {}: {e}", path.display()));
    let text = crate::supplied::read(path, crate::supplied::Chosen::ByUser, MAX_OVERLAY_SIZE)
        .map_err(|e| RunError(format!("catalog {e}")))?;
    let overlay = crate::catalog::Overlay::parse(&text).map_err(error)?;
    Catalog::load_embedded()
        .and_then(|c| c.with_overlay(overlay))
        .map_err(error)
}

/// The local module directories a module calls (`source = "./x"`), canonical.
pub(super) fn local_calls(module: &ModuleSyntax) -> Vec<PathBuf> {
    module
        .module_calls
        .iter()
        .filter_map(|c| c.source())
        .filter(|s| s.starts_with("./") || s.starts_with("../"))
        .filter_map(|s| module.dir.join(s).canonicalize().ok())
        .collect()
}

/// Every directory a quoted `"./..."` or `"../..."` in the module's files could name: a
/// superset of its local module calls, found without parsing (module sources are literal
/// strings), so that the directories nobody calls can be streamed.
pub(super) fn mentioned_local_paths(read: &module::ReadModule, sources: &SourceMap) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for file in read.files() {
        let text: &str = &sources.get(file).text;
        let bytes = text.as_bytes();
        // `./` is rare and found many bytes at a time; a quote is on nearly every line.
        for at in memchr::memmem::find_iter(bytes, b"./") {
            let start = match bytes[..at] {
                [.., b'"'] => at,
                [.., b'"', b'.'] => at - 1,
                _ => continue,
            };
            let end = memchr::memchr2(b'"', b'\n', &bytes[start..]).map_or(text.len(), |n| start + n);
            if let Ok(target) = read.dir.dir.join(&text[start..end]).canonicalize() {
                out.push(target);
            }
        }
    }
    out
}

/// Problems that mean a Terraform file was not linted (not a variables file).
pub(super) fn count_failed_files(problems: &[Finding], sources: &SourceMap) -> usize {
    problems
        .iter()
        .filter(|p| {
            let path = &sources.get(p.primary.span.file).path;
            let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
            crate::discover::is_configuration_file(&name)
        })
        .count()
}
