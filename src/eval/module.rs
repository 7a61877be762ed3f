//! A module directory's declarations, gathered from all its files: what the evaluator looks
//! up by name (`var.x`, `local.y`, `azurerm_x.z`, `module.m`).

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::diagnostic::Finding;
use crate::discover::ModuleDir;
use crate::parse::syntax::{Attribute, Block, Body, Expr, ExprKind};
use crate::parse::{self, FileError, Limits, ParsedFile};
use crate::source::{FileId, SourceMap, Span};

use super::value::Val;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mode {
    Managed,
    Data,
}

#[derive(Debug)]
pub struct VariableDecl {
    pub default: Option<Expr>,
    pub head: Span,
    /// The declared type uses `optional(...)` object attributes.
    pub has_optional_attributes: bool,
    /// The declared type, when it is one the evaluator models.
    pub ty: Option<super::types::Type>,
    /// `nullable = false`: a null value is replaced by the default.
    pub nullable: bool,
    /// `sensitive = true`: its value is never shown.
    pub sensitive: bool,
}

#[derive(Debug)]
pub struct ResourceDecl {
    pub mode: Mode,
    pub resource_type: String,
    pub name: String,
    pub block: Block,
}

impl ResourceDecl {
    pub fn address(&self) -> String {
        let mut address = String::new();
        self.push_address(&mut address);
        address
    }

    /// Appends `type.name` (`data.type.name`) to an address being built: addresses are made
    /// for every resource instance, and `format!` costs several times a copy.
    pub fn push_address(&self, out: &mut String) {
        if self.mode == Mode::Data {
            out.push_str("data.");
        }
        out.push_str(&self.resource_type);
        out.push('.');
        out.push_str(&self.name);
    }
}

#[derive(Debug)]
pub struct ModuleCallDecl {
    pub name: String,
    pub block: Block,
}

impl ModuleCallDecl {
    /// The `source` argument when it is a literal string (Terraform requires that).
    pub fn source(&self) -> Option<&str> {
        match &self.block.body.attribute("source")?.value.kind {
            ExprKind::String(s) => Some(s),
            _ => None,
        }
    }
}

/// A value assigned in a variables file.
#[derive(Debug, Clone)]
pub enum VarValue {
    /// `name = expr` in a `.tfvars` file (or a member of a `.tfvars.json` one), evaluated
    /// without any scope.
    Expr(Expr),
    /// A value given outside any file (`--var`, `TF_VAR_name`), and where to show it.
    Given(Val, Span),
}

#[derive(Debug)]
pub struct VarFileValues {
    pub file: FileId,
    pub auto_loaded: bool,
    /// Named on the command line: applied as `-var-file` would apply it.
    pub chosen: bool,
    pub values: BTreeMap<String, VarValue>,
}

/// A key of the resource index, borrowed: every reference to a resource is looked up, and
/// is not copied to be.
struct ResourceRef<'a>(Mode, &'a str, &'a str);

/// Hashed as the tuple it stands for.
impl std::hash::Hash for ResourceRef<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.0, self.1, self.2).hash(state);
    }
}

impl hashbrown::Equivalent<(Mode, String, String)> for ResourceRef<'_> {
    fn equivalent(&self, key: &(Mode, String, String)) -> bool {
        self.0 == key.0 && self.1 == key.1 && self.2 == key.2
    }
}

#[derive(Debug, Default)]
pub struct ModuleSyntax {
    pub dir: PathBuf,
    pub variables: BTreeMap<String, VariableDecl>,
    pub locals: BTreeMap<String, Attribute>,
    pub resources: Vec<ResourceDecl>,
    resource_index: hashbrown::HashMap<(Mode, String, String), usize>,
    pub module_calls: Vec<ModuleCallDecl>,
    module_call_index: hashbrown::HashMap<String, usize>,
    pub outputs: BTreeMap<String, Attribute>,
    /// `terraform {}` blocks: provider requirements.
    pub terraform_blocks: Vec<Block>,
    /// Whether any `provider` block configures a provider here (a sign of a root module).
    pub configures_provider: bool,
    /// Variables files in Terraform's load order.
    pub var_files: Vec<VarFileValues>,
    /// `aoai-lint-ignore` comments in the module's files.
    pub suppressions: Vec<crate::parse::syntax::Suppression>,
    /// Discovery saw a `.terraform` beside the files (see [`crate::discover::ModuleDir`]).
    pub has_terraform_dir: bool,
}

impl ModuleSyntax {
    pub fn resource(&self, mode: Mode, resource_type: &str, name: &str) -> Option<usize> {
        self.resource_index
            .get(&ResourceRef(mode, resource_type, name))
            .copied()
    }

    pub fn module_call(&self, name: &str) -> Option<usize> {
        self.module_call_index.get(name).copied()
    }

    /// A module whose inputs must come from a caller.
    pub fn has_required_variables(&self) -> bool {
        self.variables.values().any(|v| v.default.is_none())
    }

    fn add_file(&mut self, body: Body) {
        for block in body.blocks {
            match (block.kind.as_str(), block.labels.as_slice()) {
                ("variable", [name]) => {
                    let name = name.clone();
                    let ty = block.body.attribute("type").map(|t| &t.value);
                    self.variables.entry(name).or_insert(VariableDecl {
                        default: block.body.attribute("default").map(|a| a.value.clone()),
                        head: block.head,
                        has_optional_attributes: ty.is_some_and(|t| mentions_call(t, "optional")),
                        ty: ty.and_then(super::types::Type::parse),
                        nullable: !block
                            .body
                            .attribute("nullable")
                            .is_some_and(|n| matches!(n.value.kind, ExprKind::Bool(false))),
                        sensitive: block
                            .body
                            .attribute("sensitive")
                            .is_some_and(|n| matches!(n.value.kind, ExprKind::Bool(true))),
                    });
                }
                ("locals", []) => {
                    for attr in block.body.attributes {
                        self.locals.entry(attr.name.clone()).or_insert(attr);
                    }
                }
                ("output", [name]) => {
                    if let Some(value) = block.body.attributes.into_iter().find(|a| a.name == "value") {
                        self.outputs.entry(name.clone()).or_insert(value);
                    }
                }
                ("resource" | "data", [resource_type, name]) => {
                    let mode = if block.kind == "data" {
                        Mode::Data
                    } else {
                        Mode::Managed
                    };
                    let key = (mode, resource_type.clone(), name.clone());
                    if !self.resource_index.contains_key(&key) {
                        self.resource_index.insert(key, self.resources.len());
                        self.resources.push(ResourceDecl {
                            mode,
                            resource_type: resource_type.clone(),
                            name: name.clone(),
                            block,
                        });
                    }
                }
                ("module", [name]) if self.module_call(name).is_none() => {
                    self.module_call_index.insert(name.clone(), self.module_calls.len());
                    self.module_calls.push(ModuleCallDecl {
                        name: name.clone(),
                        block,
                    });
                }
                ("terraform", []) => self.terraform_blocks.push(block),
                ("provider", [_]) => self.configures_provider = true,
                _ => {}
            }
        }
    }

    /// An override file: its blocks merge into the ones already declared.
    fn add_override(&mut self, body: Body) {
        for block in body.blocks {
            match (block.kind.as_str(), block.labels.as_slice()) {
                ("variable", [name]) => {
                    if let Some(variable) = self.variables.get_mut(name) {
                        if let Some(default) = block.body.attribute("default") {
                            variable.default = Some(default.value.clone());
                        }
                        if let Some(t) = block.body.attribute("type") {
                            variable.has_optional_attributes = mentions_call(&t.value, "optional");
                            variable.ty = super::types::Type::parse(&t.value);
                        }
                        if let Some(n) = block.body.attribute("nullable") {
                            variable.nullable = !matches!(n.value.kind, ExprKind::Bool(false));
                        }
                        if let Some(n) = block.body.attribute("sensitive") {
                            variable.sensitive = matches!(n.value.kind, ExprKind::Bool(true));
                        }
                    }
                }
                ("locals", []) => {
                    for attr in block.body.attributes {
                        self.locals.insert(attr.name.clone(), attr);
                    }
                }
                ("output", [name]) => {
                    if let Some(value) = block.body.attributes.into_iter().find(|a| a.name == "value") {
                        self.outputs.insert(name.clone(), value);
                    }
                }
                ("resource" | "data", [resource_type, name]) => {
                    let mode = if block.kind == "data" {
                        Mode::Data
                    } else {
                        Mode::Managed
                    };
                    if let Some(index) = self.resource(mode, resource_type, name) {
                        merge_body(&mut self.resources[index].block.body, block.body);
                    }
                }
                ("module", [name]) => {
                    if let Some(index) = self.module_call(name) {
                        merge_body(&mut self.module_calls[index].block.body, block.body);
                    }
                }
                ("terraform", []) => self.terraform_blocks.push(block),
                ("provider", [_]) => self.configures_provider = true,
                _ => {}
            }
        }
    }
}

/// `override.tf` and `*_override.tf` (and their `.tf.json`, `.tofu` and `.tofu.json` kin).
fn is_override_file(path: &std::path::Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    let name = name.strip_suffix(".json").unwrap_or(&name);
    let stem = name.strip_suffix(".tf").or_else(|| name.strip_suffix(".tofu"));
    stem.is_some_and(|s| s == "override" || s.ends_with("_override"))
}

/// Terraform's override merge: arguments replace arguments of the same name, and nested
/// blocks replace every nested block of the same type.
fn merge_body(original: &mut Body, over: Body) {
    let mut by_name: hashbrown::HashMap<String, usize> = original
        .attributes
        .iter()
        .enumerate()
        .map(|(i, a)| (a.name.clone(), i))
        .collect();
    for attr in over.attributes {
        match by_name.get(&attr.name) {
            Some(&i) => original.attributes[i] = attr,
            None => {
                by_name.insert(attr.name.clone(), original.attributes.len());
                original.attributes.push(attr);
            }
        }
    }
    let replaced: Vec<String> = over
        .blocks
        .iter()
        .map(|b| b.kind.clone())
        .chain(over.dynamic_blocks.iter().filter_map(|b| b.labels.first().cloned()))
        .collect();
    original.blocks.retain(|b| !replaced.contains(&b.kind));
    original
        .dynamic_blocks
        .retain(|b| b.labels.first().is_none_or(|l| !replaced.contains(l)));
    original.blocks.extend(over.blocks);
    original.dynamic_blocks.extend(over.dynamic_blocks);
}

/// Reads and parses every file of a module directory. Files that fail are reported and
/// left out; the rest of the module is still evaluated.
pub fn load(dir: &ModuleDir, sources: &SourceMap, limits: Limits) -> (ModuleSyntax, Vec<Finding>) {
    parse(read(dir, sources, limits), sources)
}

/// A module directory's Terraform files, read and registered in the source map but not
/// parsed yet: a scan can look at the text before anything is parsed.
pub struct ReadModule<'d> {
    pub dir: &'d ModuleDir,
    /// One for each of `dir.tf_files`, in that order.
    files: Vec<Result<FileId, FileError>>,
    /// The variables files are read with the same limits when the module is parsed.
    limits: Limits,
}

impl ReadModule<'_> {
    /// The files that could be read.
    pub fn files(&self) -> impl Iterator<Item = FileId> + '_ {
        self.files.iter().filter_map(|f| f.as_ref().ok().copied())
    }
}

pub fn read<'d>(dir: &'d ModuleDir, sources: &SourceMap, limits: Limits) -> ReadModule<'d> {
    ReadModule {
        dir,
        files: dir
            .tf_files
            .iter()
            .map(|path| parse::read(sources, path, limits))
            .collect(),
        limits,
    }
}

/// Parses what [`read`] read, and reads and parses the variable files.
pub fn parse(read: ReadModule<'_>, sources: &SourceMap) -> (ModuleSyntax, Vec<Finding>) {
    let dir = read.dir;
    let mut module = ModuleSyntax {
        dir: dir.dir.clone(),
        has_terraform_dir: dir.has_terraform_dir,
        ..ModuleSyntax::default()
    };
    let mut problems = Vec::new();
    // Terraform merges override files into the rest after reading all of it.
    let (overrides, files): (Vec<_>, Vec<_>) = dir
        .tf_files
        .iter()
        .zip(read.files)
        .partition(|(path, _)| is_override_file(path));
    for ((path, file), is_override) in files
        .into_iter()
        .map(|f| (f, false))
        .chain(overrides.into_iter().map(|f| (f, true)))
    {
        match file.and_then(|file| parse::parse_file(sources, file, path)) {
            Ok(ParsedFile { body, suppressions, .. }) => {
                module.suppressions.extend(suppressions);
                if is_override {
                    module.add_override(body);
                } else {
                    module.add_file(body);
                }
            }
            Err(finding) => problems.push(*finding),
        }
    }
    for var_file in &dir.var_files {
        match read_var_file(sources, &var_file.path, read.limits) {
            Ok((file, values)) => module.var_files.push(VarFileValues {
                file,
                auto_loaded: var_file.auto_loaded,
                chosen: var_file.chosen,
                values,
            }),
            Err(finding) => problems.push(*finding),
        }
    }
    module.resources.shrink_to_fit();
    module.module_calls.shrink_to_fit();
    module.terraform_blocks.shrink_to_fit();
    module.suppressions.shrink_to_fit();
    (module, problems)
}

/// A `.tfvars` (HCL attributes) or `.tfvars.json` (one JSON object) file.
pub fn read_var_file(
    sources: &SourceMap,
    path: &std::path::Path,
    limits: Limits,
) -> Result<(FileId, BTreeMap<String, VarValue>), FileError> {
    let file = parse::read(sources, path, limits)?;
    let values = if parse::is_json(path) {
        parse::parse_tfvars_json(sources, file)?
            .into_iter()
            .map(|(name, expr)| (name, VarValue::Expr(expr)))
            .collect()
    } else {
        parse::parse_hcl(sources, file)?
            .body
            .attributes
            .into_iter()
            .map(|a| (a.name, VarValue::Expr(a.value)))
            .collect()
    };
    Ok((file, values))
}

/// Whether `expr` calls `name` anywhere (type expressions are calls: `map(object({...}))`).
fn mentions_call(expr: &Expr, name: &str) -> bool {
    match &expr.kind {
        ExprKind::Call { name: n, args, .. } => n == name || args.iter().any(|a| mentions_call(a, name)),
        ExprKind::Object(entries) => entries.iter().any(|(_, v)| mentions_call(v, name)),
        ExprKind::Tuple(items) => items.iter().any(|i| mentions_call(i, name)),
        _ => false,
    }
}
