//! Modules read only when a module call needs them: those `terraform init` downloaded into a
//! root's `.terraform/modules` (found through its `modules.json` manifest), and local
//! modules of the repository that discovery did not walk (outside the scanned folder, or in
//! a hidden one such as `.modules`).
//!
//! Discovery skips `.terraform` (it is not the user's code), so these directories are read
//! here, and only inside that folder or the repository: a manifest or a module source in a
//! pull request could name any path.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use super::module::{self, ModuleSyntax};
use crate::diagnostic::Finding;
use crate::discover;
use crate::parse::Limits;
use crate::source::SourceMap;

#[derive(Deserialize)]
struct Manifest {
    #[serde(rename = "Modules", default)]
    modules: Vec<Entry>,
}

#[derive(Deserialize)]
struct Entry {
    #[serde(rename = "Key")]
    key: String,
    #[serde(rename = "Dir")]
    dir: String,
}

/// Manifests are a few kilobytes; a larger one is not a manifest.
const MAX_MANIFEST_SIZE: u64 = 4 * 1024 * 1024;

pub struct Downloads<'a> {
    /// Canonical `<root>/.terraform/modules`, when it exists.
    modules_dir: Option<PathBuf>,
    /// The root's `.terraform/modules` leads outside the root (a symlink): not read.
    pub leaves_root: bool,
    /// Module key (`openai`, `openai.network`) → canonical directory.
    by_key: HashMap<String, PathBuf>,
    sources: Option<&'a SourceMap>,
    limits: Limits,
    loaded: RefCell<HashMap<PathBuf, Arc<ModuleSyntax>>>,
    problems: RefCell<Vec<Finding>>,
    /// The root's folder and the scanned paths, from which the repository is found the
    /// first time a call needs it (most roots never do).
    scanned: Option<(PathBuf, Vec<PathBuf>)>,
    /// The canonical repository folder: local modules are read from inside it only.
    repository: std::cell::OnceCell<Option<PathBuf>>,
}

impl<'a> Downloads<'a> {
    /// No downloaded modules (tests, or a root without `.terraform`).
    pub fn none() -> Downloads<'static> {
        Downloads {
            modules_dir: None,
            leaves_root: false,
            by_key: HashMap::new(),
            sources: None,
            limits: Limits::default(),
            loaded: RefCell::default(),
            problems: RefCell::default(),
            scanned: None,
            repository: std::cell::OnceCell::new(),
        }
    }

    /// Local module sources are also read from anywhere inside the repository of the root
    /// at `root_dir` (see [`discover::repository_of`]).
    pub fn with_repository_of(mut self, root_dir: &Path, scanned: &[PathBuf]) -> Downloads<'a> {
        self.scanned = Some((root_dir.to_path_buf(), scanned.to_vec()));
        self
    }

    /// The repository local modules are read from, when one is known.
    pub fn repository(&self) -> Option<&Path> {
        self.repository
            .get_or_init(|| {
                let (root, scanned) = self.scanned.as_ref()?;
                discover::repository_of(root, scanned)
            })
            .as_deref()
    }

    pub fn for_root(root: &ModuleSyntax, sources: &'a SourceMap, limits: Limits) -> Downloads<'a> {
        let mut downloads = Downloads {
            sources: Some(sources),
            limits,
            ..Downloads::none()
        };
        // Most roots have no downloads: discovery saw no `.terraform`, or one stat says so
        // (resolving the path would look at every component of it).
        if !root.has_terraform_dir {
            return downloads;
        }
        let root_dir = &root.dir;
        let candidate = root_dir.join(".terraform/modules");
        if !candidate.is_dir() {
            return downloads;
        }
        let Ok(modules_dir) = candidate.canonicalize() else {
            return downloads;
        };
        // `terraform init` makes a folder; a committed symlink could make it any folder.
        if !modules_dir.starts_with(root_dir) {
            downloads.leaves_root = true;
            return downloads;
        }
        let manifest_path = modules_dir.join("modules.json");
        let manifest: Option<Manifest> = std::fs::metadata(&manifest_path)
            .ok()
            .filter(|m| m.is_file() && m.len() <= MAX_MANIFEST_SIZE)
            .and_then(|_| std::fs::read(&manifest_path).ok())
            .and_then(|bytes| serde_json::from_slice(&bytes).ok());
        for entry in manifest.map(|m| m.modules).unwrap_or_default() {
            if entry.key.is_empty() {
                continue;
            }
            // Dir is relative to the directory `terraform init` ran in: the root.
            if let Ok(dir) = root_dir.join(&entry.dir).canonicalize()
                && dir.starts_with(&modules_dir)
            {
                downloads.by_key.insert(entry.key, dir);
            }
        }
        downloads.modules_dir = Some(modules_dir);
        downloads
    }

    /// The module downloaded for the call with this key.
    pub fn by_key(&self, key: &str) -> Option<Arc<ModuleSyntax>> {
        let dir = self.by_key.get(key)?.clone();
        self.load(&dir)
    }

    /// A local source inside a downloaded module (`./modules/x` of a registry module), or
    /// anywhere inside the repository. The path is resolved first, so that a symbolic link
    /// cannot lead out of either.
    pub fn by_dir(&self, dir: &Path) -> Option<Arc<ModuleSyntax>> {
        let dir = dir.canonicalize().ok()?;
        let downloaded = self.modules_dir.as_ref().is_some_and(|m| dir.starts_with(m));
        let in_repository = || self.repository().is_some_and(|r| dir.starts_with(r));
        if !(downloaded || in_repository()) || !dir.is_dir() {
            return None;
        }
        self.load(&dir)
    }

    fn load(&self, dir: &Path) -> Option<Arc<ModuleSyntax>> {
        if let Some(module) = self.loaded.borrow().get(dir) {
            return Some(Arc::clone(module));
        }
        let sources = self.sources?;
        let listing = discover::module_files(dir);
        let (module, problems) = module::load(&listing.module, sources, self.limits);
        let mut found = self.problems.borrow_mut();
        found.extend(problems);
        found.extend(
            listing
                .skipped
                .iter()
                .map(|s| crate::parse::unreadable(sources, &s.path, &s.reason)),
        );
        let module = Arc::new(module);
        self.loaded.borrow_mut().insert(dir.to_path_buf(), Arc::clone(&module));
        Some(module)
    }

    /// Files in downloaded modules that could not be read.
    pub fn take_problems(&self) -> Vec<Finding> {
        std::mem::take(&mut self.problems.borrow_mut())
    }
}
