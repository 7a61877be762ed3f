//! Paths on the command line → module directories and their files.
//!
//! Terraform works on directories: every directory holding `.tf` files is a module, and a
//! file named on the command line (pre-commit passes changed files) stands for its whole
//! directory, because a file cannot be evaluated without its siblings' variables and locals.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A file that is auto-loaded or offered as variable values for its directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarFile {
    pub path: PathBuf,
    /// `terraform.tfvars` and `*.auto.tfvars`: Terraform loads these by itself. Other
    /// `*.tfvars` files are only used with `-var-file`, so their values are possibilities.
    pub auto_loaded: bool,
    /// Named on the command line (as pre-commit names changed files): applied as
    /// `-var-file` would apply it.
    pub chosen: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ModuleDir {
    /// Canonical path: module `source = "../x"` resolves against it.
    pub dir: PathBuf,
    pub tf_files: Vec<PathBuf>,
    pub var_files: Vec<VarFile>,
    /// A `.terraform` entry sits beside the files: `terraform init` may have downloaded
    /// modules here. (Without one there is nothing to look for, and no path to resolve.)
    pub has_terraform_dir: bool,
}

/// Something discovery could not or would not read; reported as AOAI002.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct Discovery {
    /// Sorted by directory, so every later stage sees the same order.
    pub modules: Vec<ModuleDir>,
    pub skipped: Vec<Skipped>,
    /// Variables files named on the command line beside no configuration.
    pub lone_var_files: Vec<PathBuf>,
    /// Every `terragrunt.hcl`, in path order: the Terragrunt units (and the files they
    /// include).
    pub terragrunt_files: Vec<PathBuf>,
}

/// Paths the configuration's `exclude` globs leave out, relative to its directory.
#[derive(Debug, Clone)]
pub struct Exclude {
    base: PathBuf,
    globs: globset::GlobSet,
}

impl Exclude {
    /// `base` is the configuration file's directory; globs are checked when it is read.
    pub fn new(base: &Path, patterns: &[String]) -> Result<Exclude, String> {
        let mut builder = globset::GlobSetBuilder::new();
        for pattern in patterns {
            let glob = globset::GlobBuilder::new(pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("exclude: `{pattern}` is not a valid glob: {e}"))?;
            builder.add(glob);
        }
        Ok(Exclude {
            base: base.canonicalize().unwrap_or_else(|_| base.to_path_buf()),
            globs: builder.build().map_err(|e| format!("exclude: {e}"))?,
        })
    }

    /// Whether `path` (a file or a directory, absolute) is excluded.
    pub fn excludes(&self, path: &Path) -> bool {
        path.strip_prefix(&self.base)
            .is_ok_and(|relative| !relative.as_os_str().is_empty() && self.globs.is_match(relative))
    }
}

/// An error that stops the run: a path on the command line that does not exist.
#[derive(Debug)]
pub struct PathError {
    pub path: PathBuf,
    pub error: std::io::Error,
}

/// The repository a module folder (canonical) belongs to: the nearest folder at or above it
/// that holds `.git`, else the scanned path (canonical) that holds it. Local modules are
/// read from anywhere inside it, and from nowhere outside it.
pub fn repository_of(dir: &Path, scanned: &[PathBuf]) -> Option<PathBuf> {
    if let Some(repository) = dir.ancestors().find(|a| a.join(".git").exists()) {
        return Some(repository.to_path_buf());
    }
    scanned_folders(scanned).into_iter().find(|p| dir.starts_with(p))
}

/// The folders the scanned paths name (canonical): a file stands for its folder.
pub fn scanned_folders(scanned: &[PathBuf]) -> Vec<PathBuf> {
    scanned
        .iter()
        .filter_map(|p| p.canonicalize().ok())
        .map(|p| {
            if p.is_file() {
                p.parent().map(Path::to_path_buf).unwrap_or(p)
            } else {
                p
            }
        })
        .collect()
}

pub fn discover(paths: &[PathBuf], exclude: Option<&Exclude>) -> Result<Discovery, PathError> {
    let mut walked = Walk::default();
    for path in paths {
        let canonical = path.canonicalize().map_err(|error| PathError {
            path: path.clone(),
            error,
        })?;
        if canonical.is_file() {
            let dir = canonical.parent().map(Path::to_path_buf).unwrap_or_default();
            walk(&dir, Some(1), exclude, &mut walked);
        } else {
            walk(&canonical, None, exclude, &mut walked);
        }
    }
    let Walk {
        groups,
        mut skipped,
        terraform_dirs,
        mut terragrunt_files,
    } = walked;
    terragrunt_files.sort();
    terragrunt_files.dedup();
    let mut modules = merge_groups(groups, &terraform_dirs);
    modules.retain(|m| !m.tf_files.is_empty());
    for module in &mut modules {
        module.tf_files.sort();
        module.tf_files.dedup();
        drop_files_tofu_replaces(&mut module.tf_files);
        module.var_files.sort_by_key(var_file_order);
        module.var_files.dedup();
    }
    // The walk finds in no fixed order: the reason is part of the key.
    skipped.sort_by(|a, b| (&a.path, &a.reason).cmp(&(&b.path, &b.reason)));
    skipped.dedup();
    let mut lone_var_files = Vec::new();
    for path in paths {
        let Ok(canonical) = path.canonicalize() else { continue };
        if !matches!(classify(&canonical), Some(FileKind::Vars { .. })) {
            continue;
        }
        let chosen = modules
            .iter_mut()
            .flat_map(|m| m.var_files.iter_mut())
            .find(|f| f.path == canonical);
        match chosen {
            Some(file) => file.chosen = true,
            None => lone_var_files.push(path.clone()),
        }
    }
    Ok(Discovery {
        modules,
        skipped,
        lone_var_files,
        terragrunt_files,
    })
}

/// The `.tf` files of one directory, not its subdirectories (a downloaded module).
pub struct Listing {
    pub module: ModuleDir,
    pub skipped: Vec<Skipped>,
}

pub fn module_files(dir: &Path) -> Listing {
    let mut walked = Walk::default();
    walk(dir, Some(1), None, &mut walked);
    let Walk { groups, skipped, .. } = walked;
    let mut module = merge_groups(groups, &[])
        .into_iter()
        .find(|m| m.dir == dir)
        .unwrap_or_else(|| ModuleDir {
            dir: dir.to_path_buf(),
            ..ModuleDir::default()
        });
    // Variables files belong to roots only.
    module.var_files.clear();
    module.tf_files.sort();
    drop_files_tofu_replaces(&mut module.tf_files);
    Listing { module, skipped }
}

/// Terraform's order: `terraform.tfvars`, `terraform.tfvars.json`, then `*.auto.tfvars` and
/// `*.auto.tfvars.json` in lexical order of file name; later files win.
fn var_file_order(file: &VarFile) -> (u8, String) {
    let name = file_name(&file.path);
    let rank = match name.as_str() {
        _ if !file.auto_loaded => 2,
        "terraform.tfvars" | "terraform.tfvars.json" => 0,
        _ => 1,
    };
    (rank, name)
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

enum FileKind {
    Terraform,
    Vars { auto_loaded: bool },
    Terragrunt,
}

/// What the parallel walk reports, put in order afterwards. (A file's size is checked when
/// it is read, on the open file: a stat here would walk the whole path once more per file,
/// about a third of the walk.)
enum Walked {
    File(PathBuf, FileKind),
    Skipped(Skipped),
}

impl Walked {
    fn path(&self) -> &Path {
        match self {
            Walked::File(path, ..) => path,
            Walked::Skipped(skip) => &skip.path,
        }
    }
}

/// Whether a file name is a configuration file: Terraform's `.tf` and `.tf.json`, and
/// OpenTofu's `.tofu` and `.tofu.json`.
pub fn is_configuration_file(name: &str) -> bool {
    [".tf", ".tf.json", ".tofu", ".tofu.json"]
        .iter()
        .any(|ext| name.ends_with(ext))
}

/// OpenTofu reads `main.tofu` instead of a `main.tf` beside it (and `main.tofu.json`
/// instead of `main.tf.json`): the `.tf` twin is dropped.
fn drop_files_tofu_replaces(files: &mut Vec<PathBuf>) {
    let tofu: std::collections::HashSet<String> = files
        .iter()
        .map(|p| file_name(p))
        .filter(|n| n.ends_with(".tofu") || n.ends_with(".tofu.json"))
        .collect();
    if tofu.is_empty() {
        return;
    }
    files.retain(|p| {
        let name = file_name(p);
        let twin = match (name.strip_suffix(".tf"), name.strip_suffix(".tf.json")) {
            (Some(stem), _) => format!("{stem}.tofu"),
            (_, Some(stem)) => format!("{stem}.tofu.json"),
            _ => return true,
        };
        !tofu.contains(&twin)
    });
}

fn classify(path: &Path) -> Option<FileKind> {
    let name = file_name(path);
    if is_configuration_file(&name) {
        return Some(FileKind::Terraform);
    }
    if name == "terragrunt.hcl" {
        return Some(FileKind::Terragrunt);
    }
    let stem = name
        .strip_suffix(".tfvars")
        .or_else(|| name.strip_suffix(".tfvars.json"))?;
    Some(FileKind::Vars {
        auto_loaded: stem == "terraform" || stem.ends_with(".auto"),
    })
}

/// What the walks of the paths given found, before it is put in order.
#[derive(Default)]
struct Walk {
    /// A directory's files as found together; one directory can have several groups.
    groups: Vec<ModuleDir>,
    skipped: Vec<Skipped>,
    /// Directories with a `.terraform` beside their files.
    terraform_dirs: Vec<PathBuf>,
    terragrunt_files: Vec<PathBuf>,
}

fn walk(root: &Path, max_depth: Option<usize>, exclude: Option<&Exclude>, out: &mut Walk) {
    let escapes: Arc<Mutex<Vec<Skipped>>> = Arc::default();
    let terraform_dirs: Arc<Mutex<Vec<PathBuf>>> = Arc::default();
    let root_for_filter = root.to_path_buf();
    let escapes_for_filter = Arc::clone(&escapes);
    let terraform_dirs_for_filter = Arc::clone(&terraform_dirs);
    let exclude = exclude.cloned();
    let walker = ignore::WalkBuilder::new(root)
        .max_depth(max_depth)
        .follow_links(true)
        .hidden(false)
        .git_global(false)
        .git_exclude(false)
        .filter_entry(move |entry| {
            // Hidden entries (.terraform, .git, editor caches) are not the user's code; a
            // `.terraform` is noted for its directory, so that only the configurations that
            // have one are looked at for downloaded modules.
            if entry.depth() > 0 && entry.file_name().as_encoded_bytes().starts_with(b".") {
                if entry.file_name() == ".terraform"
                    && let Some(dir) = entry.path().parent()
                {
                    terraform_dirs_for_filter
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(dir.to_path_buf());
                }
                return false;
            }
            if exclude.as_ref().is_some_and(|e| e.excludes(entry.path())) {
                return false;
            }
            if !entry.path_is_symlink() {
                return true;
            }
            match entry.path().canonicalize() {
                Ok(target) if target.starts_with(&root_for_filter) => true,
                Ok(_) => {
                    escapes_for_filter
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(Skipped {
                            path: entry.path().to_path_buf(),
                            reason: "symbolic link points outside the scanned directory; not followed".into(),
                        });
                    false
                }
                Err(err) => {
                    escapes_for_filter
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(Skipped {
                            path: entry.path().to_path_buf(),
                            reason: format!("symbolic link cannot be resolved: {err}"),
                        });
                    false
                }
            }
        })
        .build_parallel();
    // The walk runs on the walker's own threads; what it finds is ordered afterwards.
    let found: Arc<Mutex<Vec<Walked>>> = Arc::default();
    walker.run(|| {
        let found = Arc::clone(&found);
        let root = root.to_path_buf();
        Box::new(move |entry| {
            let walked = match entry {
                Err(err) => Some(Walked::Skipped(walk_error(&root, &err))),
                Ok(entry) if entry.file_type().is_some_and(|t| t.is_file()) => {
                    classify(entry.path()).map(|kind| Walked::File(entry.path().to_path_buf(), kind))
                }
                Ok(_) => None,
            };
            if let Some(walked) = walked {
                found.lock().unwrap_or_else(|e| e.into_inner()).push(walked);
            }
            ignore::WalkState::Continue
        })
    });
    let mut found = std::mem::take(&mut *found.lock().unwrap_or_else(|e| e.into_inner()));
    // Byte order keeps each directory's files together, but for its subdirectories' (a file
    // named after a subdirectory and `-` sorts after it), and is much cheaper than comparing
    // paths component by component; the groups are put in order afterwards, and the files
    // of a directory in Terraform's order.
    {
        use rayon::slice::ParallelSliceMut;
        found.par_sort_unstable_by(|a, b| a.path().as_os_str().cmp(b.path().as_os_str()));
    }
    let mut group: Option<ModuleDir> = None;
    for walked in found {
        let (path, kind) = match walked {
            Walked::Skipped(skip) => {
                out.skipped.push(skip);
                continue;
            }
            Walked::File(path, FileKind::Terragrunt) => {
                out.terragrunt_files.push(path);
                continue;
            }
            Walked::File(path, kind) => (path, kind),
        };
        // Keep the path as walked under the canonical root, so a link inside the root is
        // reported where the user sees it.
        let dir = path.parent().unwrap_or(Path::new(""));
        if group.as_ref().is_some_and(|g| g.dir.as_os_str() != dir.as_os_str()) {
            out.groups.extend(group.take());
        }
        let module = group.get_or_insert_with(|| ModuleDir {
            dir: dir.to_path_buf(),
            ..ModuleDir::default()
        });
        match kind {
            FileKind::Terraform => module.tf_files.push(path),
            FileKind::Terragrunt => {}
            FileKind::Vars { auto_loaded } => module.var_files.push(VarFile {
                path,
                auto_loaded,
                chosen: false,
            }),
        }
    }
    out.groups.extend(group);
    out.terraform_dirs
        .append(&mut terraform_dirs.lock().unwrap_or_else(|e| e.into_inner()));
    out.skipped
        .append(&mut escapes.lock().unwrap_or_else(|e| e.into_inner()));
}

/// One module per directory, in `Path` order (component by component), from the groups the
/// walks found (a directory's files can be split by a subdirectory's, and two paths given can
/// reach one directory).
fn merge_groups(mut groups: Vec<ModuleDir>, terraform_dirs: &[PathBuf]) -> Vec<ModuleDir> {
    // Ten thousand directories compared as `Path`s (component by component, on every
    // comparison) were a twentieth of a second of the walk's one-threaded end.
    groups.sort_by_cached_key(|group| component_order_key(&group.dir));
    let mut modules: Vec<ModuleDir> = Vec::with_capacity(groups.len());
    for group in groups {
        match modules.last_mut() {
            Some(module) if module.dir == group.dir => {
                module.tf_files.extend(group.tf_files);
                module.var_files.extend(group.var_files);
            }
            _ => modules.push(group),
        }
    }
    let terraform_dirs: std::collections::HashSet<&PathBuf> = terraform_dirs.iter().collect();
    for module in &mut modules {
        module.has_terraform_dir = terraform_dirs.contains(&module.dir);
    }
    modules
}

/// A key whose byte order is `Path`'s order for the clean paths a walk yields: each
/// component after a zero byte, which sorts before any byte a name can hold, so that a name
/// sorts before every longer name it begins (`x` < `x-y`, as `x/z` < `x-y`).
fn component_order_key(path: &Path) -> Vec<u8> {
    let mut key = Vec::with_capacity(path.as_os_str().len() + 1);
    for component in path.components() {
        key.push(0);
        key.extend_from_slice(component.as_os_str().as_encoded_bytes());
    }
    key
}

fn walk_error(root: &Path, err: &ignore::Error) -> Skipped {
    let mut path = root.to_path_buf();
    let mut current = err;
    let reason = loop {
        match current {
            ignore::Error::WithPath { path: p, err } => {
                path = p.clone();
                current = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => current = err,
            ignore::Error::Loop { child, ancestor } => {
                path = child.clone();
                break format!(
                    "symbolic link loop: {} leads back to {}; not followed",
                    crate::source::display_path(child),
                    crate::source::display_path(ancestor)
                );
            }
            ignore::Error::Io(io) => break format!("cannot read: {io}"),
            other => break other.to_string(),
        }
    };
    Skipped { path, reason }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    fn touch(path: &Path, text: &str) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    #[test]
    fn directories_whose_names_sort_between_each_others_files_stay_whole() {
        // In byte order `x-y/` and `x.d/` fall between `x/a.tf` and `x/z/`; each directory
        // must still get all of its own files, and two paths given apart are merged.
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        for file in [
            "x/a.tf",
            "x/b.tf",
            "x-y/main.tf",
            "x.d/main.tf",
            "x/z/main.tf",
            "x/zz.tf",
        ] {
            touch(&root.join(file), "");
        }
        let found = discover(&[root.join("x"), root.join("x-y"), root.clone()], None).unwrap();
        let files: Vec<(String, Vec<String>)> = found
            .modules
            .iter()
            .map(|m| {
                let dir = m.dir.strip_prefix(&root).unwrap().display().to_string();
                (dir, m.tf_files.iter().map(|f| file_name(f)).collect())
            })
            .collect();
        let expected = |dir: &str, names: &[&str]| (dir.to_owned(), names.iter().map(|n| n.to_string()).collect());
        assert_eq!(
            files,
            vec![
                expected("x", &["a.tf", "b.tf", "zz.tf"]),
                expected("x/z", &["main.tf"]),
                expected("x-y", &["main.tf"]),
                expected("x.d", &["main.tf"]),
            ]
        );
    }

    proptest::proptest! {
        #[test]
        fn the_component_order_key_sorts_as_paths_do(
            // Names made of the bytes around the separator in ASCII, so that names that
            // begin one another and sort on either side of `/` are common.
            a in proptest::collection::vec("[-./0a-c]{1,3}", 1..5),
            b in proptest::collection::vec("[-./0a-c]{1,3}", 1..5),
        ) {
            let path = |names: &[String]| {
                let mut path = PathBuf::from("/root");
                for name in names.iter().filter(|n| !n.contains('/') && *n != "." && *n != "..") {
                    path.push(name);
                }
                path
            };
            let (a, b) = (path(&a), path(&b));
            proptest::prop_assert_eq!(component_order_key(&a).cmp(&component_order_key(&b)), a.cmp(&b));
        }
    }

    #[test]
    fn groups_files_by_directory_and_orders_var_files_like_terraform() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        touch(&root.join("main.tf"), "");
        touch(&root.join("b.auto.tfvars"), "");
        touch(&root.join("a.auto.tfvars.json"), "{}");
        touch(&root.join("terraform.tfvars"), "");
        touch(&root.join("prod.tfvars"), "");
        touch(&root.join("modules/openai/main.tf"), "");
        touch(&root.join(".terraform/modules/x/main.tf"), "");
        touch(&root.join("only-vars/terraform.tfvars"), "");
        let found = discover(std::slice::from_ref(&root), None).unwrap();
        let dirs: Vec<_> = found.modules.iter().map(|m| m.dir.clone()).collect();
        assert_eq!(dirs, vec![root.clone(), root.join("modules/openai")]);
        // Only the directory with a `.terraform` is looked at for downloaded modules.
        let downloads: Vec<_> = found.modules.iter().map(|m| m.has_terraform_dir).collect();
        assert_eq!(downloads, vec![true, false]);
        let names: Vec<_> = found.modules[0]
            .var_files
            .iter()
            .map(|f| (file_name(&f.path), f.auto_loaded))
            .collect();
        assert_eq!(
            names,
            vec![
                ("terraform.tfvars".to_string(), true),
                ("a.auto.tfvars.json".to_string(), true),
                ("b.auto.tfvars".to_string(), true),
                ("prod.tfvars".to_string(), false),
            ]
        );
    }

    #[test]
    fn a_file_argument_stands_for_its_directory() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        touch(&root.join("main.tf"), "");
        touch(&root.join("variables.tf"), "");
        touch(&root.join("sub/other.tf"), "");
        touch(&root.join(".terraform/modules/modules.json"), "{}");
        let found = discover(&[root.join("main.tf")], None).unwrap();
        assert_eq!(found.modules.len(), 1);
        assert_eq!(found.modules[0].tf_files.len(), 2);
        assert!(found.modules[0].has_terraform_dir);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_leaving_the_root_and_loops_are_reported_not_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let base = tmp.path().canonicalize().unwrap();
        let root = base.join("scan");
        touch(&root.join("main.tf"), "");
        touch(&base.join("secret/creds.tf"), "secret");
        std::os::unix::fs::symlink(base.join("secret"), root.join("escape")).unwrap();
        std::os::unix::fs::symlink(base.join("secret/creds.tf"), root.join("creds.tf")).unwrap();
        std::os::unix::fs::symlink(&root, root.join("loop")).unwrap();
        let found = discover(std::slice::from_ref(&root), None).unwrap();
        assert_eq!(found.modules.len(), 1);
        assert_eq!(found.modules[0].tf_files, vec![root.join("main.tf")]);
        let reasons: Vec<_> = found.skipped.iter().map(|s| s.reason.as_str()).collect();
        assert_eq!(reasons.iter().filter(|r| r.contains("outside the scanned")).count(), 2);
        assert!(reasons.iter().any(|r| r.contains("loop")), "{reasons:?}");
    }

    #[test]
    fn excluded_globs_are_not_walked() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().canonicalize().unwrap();
        touch(&root.join("main.tf"), "");
        touch(&root.join("examples/basic/main.tf"), "");
        touch(&root.join("modules/openai/main.tf"), "");
        touch(&root.join("modules/openai/tests/fixture.tf"), "");
        let exclude = Exclude::new(&root, &["examples".into(), "**/tests/**".into()]).unwrap();
        let found = discover(std::slice::from_ref(&root), Some(&exclude)).unwrap();
        let dirs: Vec<_> = found
            .modules
            .iter()
            .map(|m| m.dir.strip_prefix(&root).unwrap().to_path_buf())
            .collect();
        assert_eq!(dirs, [PathBuf::new(), PathBuf::from("modules/openai")]);
        assert!(Exclude::new(&root, &["a[".into()]).is_err());
    }

    #[test]
    fn a_missing_path_is_an_error() {
        assert!(discover(&[PathBuf::from("/definitely/not/here")], None).is_err());
    }
}
