//! Terragrunt units: a folder whose `terragrunt.hcl` names a module (`terraform { source }`)
//! and the inputs it is given. A unit is a configuration: that module, evaluated with the
//! unit's `inputs` (merged over those of the files it `include`s) as its variables' values,
//! at the precedence Terraform gives them (Terragrunt passes them as `TF_VAR_*`: above the
//! environment, below variables files).
//!
//! Nothing runs: `run_cmd`, hooks and `sops_decrypt_file` are not evaluated (Unknown), and a
//! `dependency`'s outputs are Unknown (its `mock_outputs` are no real values).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::Budget;
use super::functions;
use super::module::VarValue;
use super::value::{Val, Value};
use crate::diagnostic::Finding;
use crate::parse::syntax::{Accessor, Body, Expr, ExprKind, ObjectKey, TemplatePart};
use crate::parse::{self, Limits};
use crate::source::{FileId, SourceMap, Span};

/// A unit as read from its `terragrunt.hcl`.
#[derive(Debug)]
pub struct Unit {
    /// Its folder (canonical).
    pub dir: PathBuf,
    pub file: FileId,
    pub source: Source,
    /// Its inputs, the included files' first, each by name once (the unit's win).
    pub inputs: Vec<(String, VarValue)>,
}

/// What `terraform { source }` names.
#[derive(Debug, PartialEq)]
pub enum Source {
    /// A folder on disk (canonical), inside the repository.
    Local(PathBuf),
    /// A git or registry module `terragrunt init` downloaded into the unit's
    /// `.terragrunt-cache` (canonical): the one copy there of the source's subfolder.
    Cached(PathBuf),
    /// A git or registry address, or a local one that does not exist or leaves the
    /// repository: not read, said in a note.
    NotFollowed(String, Span),
    /// Not a literal the linter can work out.
    Unknown(Span),
    /// No `terraform { source }`: a file other units include, not a unit.
    None,
}

/// Included files nested deeper than this are not read (Terragrunt allows one level).
const MAX_INCLUDE_DEPTH: usize = 2;

/// Reads the unit whose `terragrunt.hcl` is at `path`; `repository` is the folder that
/// bounds what it may read (`get_repo_root()`, included files, local sources).
pub fn read(path: &Path, repository: &Path, sources: &SourceMap, limits: Limits) -> Result<Unit, Box<Finding>> {
    let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let file = parse::read(sources, path, limits)?;
    let body = parse::parse_hcl(sources, file)?.body;
    let context = Context {
        unit_dir: &dir,
        repository,
        sources,
        limits,
        reads: std::cell::Cell::new(0),
    };
    let mut inputs: BTreeMap<String, (Val, Span)> = BTreeMap::new();
    let mut source = Source::None;
    context.merge(&body, &dir, &dir, 0, &mut inputs, &mut source);
    // Each input as a value given outside any variables file, at its place in the unit.
    let inputs = inputs
        .into_iter()
        .map(|(name, (value, span))| (name, VarValue::Given(value, span)))
        .collect();
    Ok(Unit {
        dir,
        file,
        source,
        inputs,
    })
}

struct Context<'a> {
    /// The unit's folder: `get_terragrunt_dir()`, in included files too.
    unit_dir: &'a Path,
    repository: &'a Path,
    sources: &'a SourceMap,
    limits: Limits,
    /// Files read for the unit so far: a file that reads itself through
    /// `read_terragrunt_config()` stops here.
    reads: std::cell::Cell<usize>,
}

/// The most Terragrunt files one unit may read besides its own.
const MAX_READS: usize = 32;

impl Context<'_> {
    /// Adds what `body` (a unit's file, or one it includes from `file_dir`) sets: its
    /// included files first (but those whose `merge_strategy` is `no_merge`), then its own
    /// inputs and source over theirs.
    fn merge(
        &self,
        body: &Body,
        file_dir: &Path,
        include_dir: &Path,
        depth: usize,
        inputs: &mut BTreeMap<String, (Val, Span)>,
        source: &mut Source,
    ) {
        // Includes are read before locals: their paths may not use them.
        let mut exposed = BTreeMap::new();
        if depth < MAX_INCLUDE_DEPTH {
            let bare = Scope {
                context: self,
                locals: &BTreeMap::new(),
                includes: &BTreeMap::new(),
                file_dir,
                include_dir,
            };
            for include in body.blocks_named("include") {
                let Some(path) = include.body.attribute("path") else {
                    continue;
                };
                let Some((included, dir)) = self.read_file(&bare.eval(&path.value), file_dir) else {
                    continue;
                };
                let strategy = include.body.attribute("merge_strategy").map(|a| bare.eval(&a.value));
                if strategy.as_ref().and_then(Val::as_str) != Some("no_merge") {
                    self.merge(&included, &dir, &dir, depth + 1, inputs, source);
                }
                // `include.NAME.locals.x` (an exposed include) reads the file's own values.
                if let Some(label) = include.labels.first() {
                    exposed.insert(label.clone(), self.values_of(&included, &dir));
                }
            }
        }
        let locals = self.locals(body, include_dir, &exposed);
        let scope = Scope {
            context: self,
            locals: &locals,
            includes: &exposed,
            file_dir,
            include_dir,
        };
        for block in body.blocks_named("terraform") {
            if let Some(attr) = block.body.attribute("source") {
                *source = self.source(&scope.eval(&attr.value), attr.value.span);
            }
        }
        if let Some(attr) = body.attribute("inputs") {
            match &scope.eval(&attr.value).value {
                Value::Map(map) => {
                    let spans = entry_spans(&attr.value);
                    for (name, value) in map.iter() {
                        let span = spans.get(name).copied().unwrap_or(attr.value.span);
                        inputs.insert(name.clone(), (value.clone(), span));
                    }
                }
                // Inputs of unknown shape (a `merge` with a dependency's outputs): what
                // they set is unknown, so every input this file set before is too.
                _ => {
                    for (value, _) in inputs.values_mut() {
                        *value = Val::unknown();
                    }
                }
            }
        }
    }

    /// The Terragrunt file `path` names (relative to `from`), parsed, when it lies inside
    /// the repository; and its folder.
    fn read_file(&self, path: &Val, from: &Path) -> Option<(Body, PathBuf)> {
        if self.reads.get() >= MAX_READS {
            return None;
        }
        self.reads.set(self.reads.get() + 1);
        let path = PathBuf::from(path.as_str()?);
        let path = if path.is_absolute() { path } else { from.join(path) };
        let path = path.canonicalize().ok()?;
        if !path.starts_with(self.repository) {
            return None;
        }
        let file = parse::read(self.sources, &path, self.limits).ok()?;
        let body = parse::parse_hcl(self.sources, file).ok()?.body;
        Some((body, path.parent().unwrap_or(Path::new("")).to_path_buf()))
    }

    /// A file's own `locals` and `inputs` as one object: what an exposed include and
    /// `read_terragrunt_config()` give.
    fn values_of(&self, body: &Body, dir: &Path) -> Val {
        let none = BTreeMap::new();
        let locals = self.locals(body, dir, &none);
        let scope = Scope {
            context: self,
            locals: &locals,
            includes: &none,
            file_dir: dir,
            include_dir: dir,
        };
        let inputs = body
            .attribute("inputs")
            .map_or_else(|| Value::Map(BTreeMap::new().into()).into(), |a| scope.eval(&a.value));
        let mut values = BTreeMap::new();
        values.insert("locals".to_owned(), Value::Map(locals.into_iter().collect()).into());
        values.insert("inputs".to_owned(), inputs);
        Value::Map(values.into()).into()
    }

    /// The file's `locals`, each evaluated in order (a local may use those before it).
    fn locals(&self, body: &Body, include_dir: &Path, includes: &BTreeMap<String, Val>) -> BTreeMap<String, Val> {
        let mut locals = BTreeMap::new();
        for block in body.blocks_named("locals") {
            for attr in &block.body.attributes {
                let scope = Scope {
                    context: self,
                    locals: &locals,
                    includes,
                    file_dir: include_dir,
                    include_dir,
                };
                let value = scope.eval(&attr.value);
                locals.insert(attr.name.clone(), value);
            }
        }
        locals
    }

    /// `terraform { source }` as the linter can follow it: a local folder inside the
    /// repository (`//` separates the module's subfolder, as in Terraform's sources).
    fn source(&self, value: &Val, span: Span) -> Source {
        let Some(text) = value.as_str() else {
            return Source::Unknown(span);
        };
        let remote =
            text.contains("::") || text.starts_with("git@") || text.starts_with("tfr:") || text.contains("://");
        if remote {
            return match self.cached(text) {
                Some(dir) => Source::Cached(dir),
                None => Source::NotFollowed(text.to_owned(), span),
            };
        }
        let path = text.replace("//", "/");
        let path = PathBuf::from(&path);
        let path = if path.is_absolute() {
            path
        } else {
            self.unit_dir.join(path)
        };
        match path.canonicalize() {
            Ok(dir) if dir.starts_with(self.repository) && dir.is_dir() => Source::Local(dir),
            _ => Source::NotFollowed(text.to_owned(), span),
        }
    }
}

impl Context<'_> {
    /// Where `terragrunt init` put a remote `source` in the unit's `.terragrunt-cache`:
    /// `<hash>/<hash>/<subfolder>` (the part after `//`, without `?ref=`), when exactly one
    /// such folder holds Terraform files and it lies inside the unit's folder.
    fn cached(&self, source: &str) -> Option<PathBuf> {
        let cache = self.unit_dir.join(".terragrunt-cache").canonicalize().ok()?;
        if !cache.starts_with(self.unit_dir) {
            return None;
        }
        let address = source.split('?').next().unwrap_or(source);
        // `git::https://host/repo.git//sub/dir`: the subfolder follows the second `//`.
        let after_scheme = address.split_once("://").map_or(address, |(_, rest)| rest);
        let subfolder = after_scheme.split_once("//").map_or("", |(_, sub)| sub);
        let children = |dir: &Path| -> Vec<PathBuf> {
            std::fs::read_dir(dir)
                .map(|entries| entries.flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect())
                .unwrap_or_default()
        };
        let mut found = Vec::new();
        for first in children(&cache) {
            for second in children(&first) {
                let candidate = second.join(subfolder);
                let holds_terraform = std::fs::read_dir(&candidate).is_ok_and(|entries| {
                    entries
                        .flatten()
                        .any(|e| crate::discover::is_configuration_file(&e.file_name().to_string_lossy()))
                });
                if holds_terraform
                    && let Ok(dir) = candidate.canonicalize()
                    && dir.starts_with(&cache)
                {
                    found.push(dir);
                }
            }
        }
        // Two copies (two versions downloaded): which one Terragrunt uses is not known.
        match found.as_slice() {
            [one] => Some(one.clone()),
            _ => None,
        }
    }
}

/// Each entry's value span in an object literal, by key.
fn entry_spans(expr: &Expr) -> BTreeMap<String, Span> {
    let ExprKind::Object(entries) = &expr.kind else {
        return BTreeMap::new();
    };
    entries
        .iter()
        .filter_map(|(key, value)| match key {
            ObjectKey::Name(name) => Some((name.clone(), value.span)),
            ObjectKey::Expr(e) => match &e.kind {
                ExprKind::String(name) => Some((name.clone(), value.span)),
                _ => None,
            },
        })
        .collect()
}

/// What an expression of a Terragrunt file can see.
struct Scope<'a> {
    context: &'a Context<'a>,
    locals: &'a BTreeMap<String, Val>,
    /// Exposed includes by label (`include.root.locals.region`).
    includes: &'a BTreeMap<String, Val>,
    /// The folder of the file being read (`find_in_parent_folders` starts above it).
    file_dir: &'a Path,
    /// The folder of the included file (`path_relative_to_include`).
    include_dir: &'a Path,
}

impl Scope<'_> {
    fn eval(&self, expr: &Expr) -> Val {
        self.eval_at(expr, 0)
    }

    fn eval_at(&self, expr: &Expr, depth: usize) -> Val {
        /// Terragrunt files are small; deeper nesting is not worth following.
        const MAX_DEPTH: usize = 64;
        if depth > MAX_DEPTH {
            return Val::unknown();
        }
        let eval = |e: &Expr| self.eval_at(e, depth + 1);
        match &expr.kind {
            ExprKind::Null => Value::Null.into(),
            ExprKind::Bool(b) => Value::Bool(*b).into(),
            ExprKind::Number(n) => Value::Number(*n).into(),
            ExprKind::String(s) => Val::string(s.clone()),
            ExprKind::Template(parts) => {
                let mut out = String::new();
                for part in parts {
                    match part {
                        TemplatePart::Literal(s) => out.push_str(s),
                        TemplatePart::Interpolation(e) => match eval(e).to_terraform_string() {
                            Some(s) => out.push_str(&s),
                            None => return Val::unknown(),
                        },
                    }
                }
                Val::string(out)
            }
            ExprKind::Tuple(items) => Value::List(items.iter().map(eval).collect()).into(),
            ExprKind::Object(entries) => {
                let mut map = BTreeMap::new();
                for (key, value) in entries {
                    let key = match key {
                        ObjectKey::Name(name) => name.clone(),
                        ObjectKey::Expr(e) => match eval(e).to_terraform_string() {
                            Some(k) => k,
                            None => return Val::unknown(),
                        },
                    };
                    map.insert(key, eval(value));
                }
                Value::Map(map.into()).into()
            }
            ExprKind::Traversal(base, accessors) => self.traversal(base, accessors, depth),
            ExprKind::Call { name, args, .. } => self.call(name, args, depth),
            // Conditionals, `for` and operators are rare in units: not worked out.
            _ => Val::unknown(),
        }
    }

    /// `local.x` (and what follows it); `dependency.x.outputs` and the rest are Unknown.
    fn traversal(&self, base: &Expr, accessors: &[Accessor], depth: usize) -> Val {
        let ExprKind::Variable(root) = &base.kind else {
            return Val::unknown();
        };
        let (root, rest) = match (root.as_str(), accessors) {
            ("local", [Accessor::Attr(name, _), rest @ ..]) => match self.locals.get(name) {
                Some(value) => (value.clone(), rest),
                None => return Val::unknown(),
            },
            ("include", [Accessor::Attr(label, _), rest @ ..]) => match self.includes.get(label) {
                Some(value) => (value.clone(), rest),
                None => return Val::unknown(),
            },
            _ => return Val::unknown(),
        };
        let mut value = root;
        for accessor in rest {
            value = match accessor {
                Accessor::Attr(name, _) => value.get_attr(name),
                Accessor::Index(index) => match (self.eval_at(index, depth + 1).to_terraform_string(), &value.value) {
                    (Some(key), Value::Map(map)) => map.get(&key).cloned().unwrap_or_else(Val::unknown),
                    _ => Val::unknown(),
                },
                Accessor::Splat => Val::unknown(),
            };
        }
        value
    }

    fn call(&self, name: &str, args: &[Expr], depth: usize) -> Val {
        let context = self.context;
        let path = |p: &Path| Val::string(p.to_string_lossy().into_owned());
        match name {
            "get_terragrunt_dir" | "get_original_terragrunt_dir" => path(context.unit_dir),
            "get_repo_root" => path(context.repository),
            "get_parent_terragrunt_dir" => path(self.include_dir),
            "path_relative_to_include" => match context.unit_dir.strip_prefix(self.include_dir) {
                Ok(relative) if relative.as_os_str().is_empty() => Val::string("."),
                Ok(relative) => path(relative),
                Err(_) => Val::unknown(),
            },
            "find_in_parent_folders" => {
                let wanted = match args.first() {
                    Some(arg) => self.eval_at(arg, depth + 1).as_str().map(str::to_owned),
                    None => Some("terragrunt.hcl".to_owned()),
                };
                let Some(wanted) = wanted else { return Val::unknown() };
                // Only inside the repository: the linter reads nothing outside it.
                self.file_dir
                    .ancestors()
                    .skip(1)
                    .take_while(|dir| dir.starts_with(context.repository))
                    .map(|dir| dir.join(&wanted))
                    .find(|candidate| candidate.is_file())
                    .map_or_else(Val::unknown, |found| path(&found))
            }
            // The environment is not the repository's: its value is not shown.
            "get_env" => {
                let name = args
                    .first()
                    .and_then(|a| self.eval_at(a, depth + 1).as_str().map(str::to_owned));
                let default = args.get(1).map(|a| self.eval_at(a, depth + 1));
                match name.and_then(|n| std::env::var(&n).ok().map(|v| (n, v))) {
                    Some((n, value)) => Val::string(value).hidden_as(&Arc::new(format!("get_env(\"{n}\")"))),
                    None => default.unwrap_or_else(Val::unknown),
                }
            }
            // Another Terragrunt file of the repository: its own locals and inputs.
            "read_terragrunt_config" => {
                let Some(path) = args.first().map(|a| self.eval_at(a, depth + 1)) else {
                    return Val::unknown();
                };
                match context.read_file(&path, self.file_dir) {
                    Some((body, dir)) => context.values_of(&body, &dir),
                    None => Val::unknown(),
                }
            }
            // What runs code or decrypts is not followed.
            "run_cmd" | "sops_decrypt_file" | "local_exec" => Val::unknown(),
            _ => {
                let values: Vec<Val> = args.iter().map(|a| self.eval_at(a, depth + 1)).collect();
                functions::call(name, &values, &Budget::default()).unwrap_or_else(|_| Val::unknown())
            }
        }
    }
}
