//! The evaluator proper: scopes, references, expansion of `count`/`for_each`/`dynamic`,
//! module instances, and the bounds that keep it finite.
//!
//! Everything is lazy and memoised per module instance: a variable, local, output or
//! resource is evaluated the first time something refers to it. A reference that comes
//! back to itself is a cycle and gives Unknown.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use crate::diagnostic::pipeline::UNEVALUABLE_EXPRESSION;
use crate::diagnostic::{Finding, Label};
use crate::parse::syntax::{
    Accessor, Attribute, BinaryOp, Block, Body, Expr, ExprKind, ForExpr, ObjectKey, TemplatePart, UnaryOp,
};
use crate::source::Span;

use super::Budget;
use super::downloads::Downloads;
use super::functions;
use super::module::{Mode, ModuleSyntax, VarValue};
use super::value::{Origin, ResourceObject, Unknown, Val, Value, Via};

/// Every parsed module directory, by canonical path.
pub type ModuleSet = HashMap<PathBuf, Arc<ModuleSyntax>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InstanceId(pub usize);

/// `-var-file` and `-var` values for root modules, later entries winning.
#[derive(Debug, Default, Clone)]
pub struct CliVariables {
    pub values: Vec<(String, VarValue)>,
    /// `TF_VAR_name` environment variables: above defaults, below every file.
    pub environment: Vec<(String, VarValue)>,
    /// With an explicit `-var-file`, the non-auto-loaded `.tfvars` files beside a root are
    /// not candidates any more: the user chose.
    pub var_file_given: bool,
    /// The `-var-file` files inside the scanned repository: their values are shown. Every
    /// other value given outside the repository's files (`-var`, the environment, a file
    /// elsewhere) is hidden ([`Val::hidden_as`]).
    pub shown_files: Vec<crate::source::FileId>,
    /// A Terragrunt unit's inputs: passed as `TF_VAR_*`, so above the environment and below
    /// every variables file; the repository's own values, shown.
    pub unit_inputs: Vec<(String, VarValue)>,
}

/// Something the evaluator could not follow, said once (not a finding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub span: Span,
    pub message: String,
}

/// The key of one instance of an expanded resource or module.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum InstanceKey {
    None,
    Index(usize),
    Key(String),
}

impl InstanceKey {
    /// Appends the key as an address writes it (`[0]`, `["a"]`): an address is made for
    /// every resource instance, and formatting it cost several times the copy.
    pub fn push_to(&self, address: &mut String) {
        match self {
            InstanceKey::None => {}
            InstanceKey::Index(i) => {
                use std::fmt::Write;
                let _ = write!(address, "[{i}]");
            }
            // Nearly every key is plain text, written as is; `Debug` escapes char by char.
            InstanceKey::Key(k) if k.bytes().all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\') => {
                address.push_str("[\"");
                address.push_str(k);
                address.push_str("\"]");
            }
            InstanceKey::Key(k) => {
                use std::fmt::Write;
                // Writing to a `String` cannot fail.
                let _ = write!(address, "[{k:?}]");
            }
        }
    }
}

impl std::fmt::Display for InstanceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut text = String::new();
        self.push_to(&mut text);
        f.write_str(&text)
    }
}

/// What `count` / `for_each` make of a block.
#[derive(Debug, Clone)]
pub enum Expansion {
    /// The instances with their keys and the scope each is evaluated in.
    Known(Vec<(InstanceKey, Scope)>),
    /// The number or the keys of the instances depend on something unknown.
    Unknown,
}

/// A `dynamic` or ordinary nested block, with the scope its body is evaluated in.
#[derive(Debug, Clone)]
pub struct BlockInstance<'b> {
    pub block: &'b Block,
    pub body: &'b Body,
    pub scope: Scope,
}

#[derive(Debug)]
struct Binding {
    name: String,
    value: Val,
    next: Option<Rc<Binding>>,
}

/// Where an expression is evaluated: a module instance plus the names in force.
#[derive(Debug, Clone)]
pub struct Scope {
    pub instance: InstanceId,
    each: Option<Rc<(Val, Val)>>,
    count_index: Option<usize>,
    bindings: Option<Rc<Binding>>,
}

impl Scope {
    pub fn module(instance: InstanceId) -> Scope {
        Scope {
            instance,
            each: None,
            count_index: None,
            bindings: None,
        }
    }

    fn bind(&self, name: &str, value: Val) -> Scope {
        let mut scope = self.clone();
        scope.bindings = Some(Rc::new(Binding {
            name: name.to_owned(),
            value,
            next: self.bindings.clone(),
        }));
        scope
    }

    fn lookup(&self, name: &str) -> Option<&Val> {
        let mut current = self.bindings.as_deref();
        while let Some(binding) = current {
            if binding.name == name {
                return Some(&binding.value);
            }
            current = binding.next.as_deref();
        }
        None
    }
}

#[derive(Debug)]
pub enum ChildCall {
    /// The call's source is not a directory that was scanned (registry, git, outside).
    NotFollowed,
    /// `count`/`for_each` of the call is unknown.
    Unknown,
    Instances(Vec<(InstanceKey, InstanceId)>),
}

/// What an instance has evaluated (or is evaluating): each variable, local, output and
/// resource once.
#[derive(Debug, Clone, PartialEq, Eq)]
enum MemoKey {
    Var(String),
    Local(String),
    Output(String),
    Resource(usize),
    /// One attribute of a resource without `count` or `for_each`.
    ResourceAttribute(usize, String),
}

/// A `MemoKey` that borrows its name: every reference is looked up, and a copy of the name
/// for each lookup was an allocation per `var.x` and `local.y` read; a name is copied only
/// when it is first evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum MemoRef<'a> {
    Var(&'a str),
    Local(&'a str),
    Output(&'a str),
    Resource(usize),
    ResourceAttribute(usize, &'a str),
}

impl MemoKey {
    fn as_ref(&self) -> MemoRef<'_> {
        match self {
            MemoKey::Var(name) => MemoRef::Var(name),
            MemoKey::Local(name) => MemoRef::Local(name),
            MemoKey::Output(name) => MemoRef::Output(name),
            MemoKey::Resource(index) => MemoRef::Resource(*index),
            MemoKey::ResourceAttribute(index, name) => MemoRef::ResourceAttribute(*index, name),
        }
    }
}

impl MemoRef<'_> {
    fn to_key(self) -> MemoKey {
        match self {
            MemoRef::Var(name) => MemoKey::Var(name.to_owned()),
            MemoRef::Local(name) => MemoKey::Local(name.to_owned()),
            MemoRef::Output(name) => MemoKey::Output(name.to_owned()),
            MemoRef::Resource(index) => MemoKey::Resource(index),
            MemoRef::ResourceAttribute(index, name) => MemoKey::ResourceAttribute(index, name.to_owned()),
        }
    }
}

/// Hashed as its borrowed form, so that a `MemoRef` finds it.
impl std::hash::Hash for MemoKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_ref().hash(state);
    }
}

impl hashbrown::Equivalent<MemoKey> for MemoRef<'_> {
    fn equivalent(&self, key: &MemoKey) -> bool {
        *self == key.as_ref()
    }
}

#[derive(Debug, Clone)]
enum Slot {
    InProgress,
    Done(Val),
}

#[derive(Debug)]
struct Caller {
    parent: InstanceId,
    call: usize,
    scope: Scope,
}

#[derive(Debug)]
pub struct Instance {
    pub module: Arc<ModuleSyntax>,
    /// The call names from the root (`openai.network`): how `modules.json` names it.
    key: String,
    /// `""` for the root, `module.chat["a"].` for a child: prefix of every address inside.
    pub address: String,
    /// The `module` block that created this instance, outermost call first.
    pub call_sites: Vec<Span>,
    caller: Option<Caller>,
    depth: usize,
    memo: RefCell<hashbrown::HashMap<MemoKey, Slot>>,
    children: RefCell<hashbrown::HashMap<usize, Rc<ChildCall>>>,
}

impl Instance {
    /// The address of a resource of this instance (`module.m["a"].azurerm_x.name`); an
    /// instance key of the resource's own is appended by the caller.
    pub fn resource_address(&self, decl: &super::module::ResourceDecl) -> String {
        // Room for a short instance key: addresses are made for every resource instance.
        let mut address = String::with_capacity(self.address.len() + decl.resource_type.len() + decl.name.len() + 16);
        address.push_str(&self.address);
        decl.push_address(&mut address);
        address
    }
}

/// Evaluates one configuration: a root module and every module instance under it.
pub struct Evaluator<'a> {
    modules: &'a ModuleSet,
    downloads: &'a Downloads<'a>,
    cli: &'a CliVariables,
    budget: Budget,
    instances: RefCell<Vec<Rc<Instance>>>,
    steps: Cell<u64>,
    built: Cell<u64>,
    /// A configuration-wide bound (steps, bytes built) was reached: nothing more is evaluated.
    exhausted: Cell<bool>,
    module_limit_reported: Cell<bool>,
    /// Instances expanded so far (`count`, `for_each`), and whether their bound was reported.
    expanded: Cell<usize>,
    expansion_limit_reported: Cell<bool>,
    depth: Cell<u32>,
    problems: RefCell<Vec<Finding>>,
    notes: RefCell<Vec<Note>>,
    /// Where a problem (true) or a note (false) was said: once per place, looked up in
    /// constant time (200,000 module calls may each have one).
    said: RefCell<hashbrown::HashSet<(Span, bool)>>,
    hidden: RefCell<hashbrown::HashSet<Hidden>>,
}

/// A text a finding must not show, and the variable it stands for (see [`Val::hidden_as`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Hidden {
    pub text: String,
    pub variable: Arc<String>,
}

/// Steps taken, bytes of values built and instances expanded by one configuration.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Work {
    pub steps: u64,
    pub built: u64,
    pub instances: u64,
}

impl Work {
    /// The larger of each.
    pub fn max(self, other: Work) -> Work {
        Work {
            steps: self.steps.max(other.steps),
            built: self.built.max(other.built),
            instances: self.instances.max(other.instances),
        }
    }
}

struct DepthGuard<'e>(&'e Cell<u32>);

impl Drop for DepthGuard<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

const RESOURCE_META_ARGUMENTS: &[&str] = &["count", "for_each", "depends_on", "provider", "lifecycle"];
const META_BLOCKS: &[&str] = &[
    "lifecycle",
    "provisioner",
    "connection",
    "precondition",
    "postcondition",
];

impl<'a> Evaluator<'a> {
    pub fn new(
        modules: &'a ModuleSet,
        downloads: &'a Downloads<'a>,
        cli: &'a CliVariables,
        budget: Budget,
        root: Arc<ModuleSyntax>,
    ) -> Self {
        let evaluator = Evaluator {
            modules,
            downloads,
            cli,
            budget,
            instances: RefCell::new(Vec::new()),
            steps: Cell::new(0),
            built: Cell::new(0),
            exhausted: Cell::new(false),
            module_limit_reported: Cell::new(false),
            expanded: Cell::new(0),
            expansion_limit_reported: Cell::new(false),
            depth: Cell::new(0),
            problems: RefCell::new(Vec::new()),
            notes: RefCell::new(Vec::new()),
            said: RefCell::default(),
            hidden: RefCell::default(),
        };
        let memo = memo_for(&root);
        evaluator.add_instance(Instance {
            module: root,
            key: String::new(),
            address: String::new(),
            call_sites: Vec::new(),
            caller: None,
            depth: 0,
            memo,
            children: RefCell::default(),
        });
        evaluator
    }

    pub fn root(&self) -> InstanceId {
        InstanceId(0)
    }

    pub fn instance(&self, id: InstanceId) -> Rc<Instance> {
        Rc::clone(&self.instances.borrow()[id.0])
    }

    /// Whether `expr`, in instance `id`, can only ever hold values from outside the
    /// configuration: literals, the root module's variables, `path` and `terraform`, and
    /// locals made of those. Such a value cannot be the id of a resource the configuration
    /// creates, whatever it turns out to be. Conservative: anything else (resources, data
    /// sources, module outputs, a child module's variables) may.
    pub fn holds_only_outside_values(&self, id: InstanceId, expr: &Expr) -> bool {
        /// Locals followed through at most this many steps (a cycle is evaluated elsewhere).
        const MAX_STEPS: usize = 16;
        let instance = self.instance(id);
        let root = instance.call_sites.is_empty();
        outside_only(expr, &instance.module, root, &mut Vec::new(), MAX_STEPS)
    }

    pub fn instance_count(&self) -> usize {
        self.instances.borrow().len()
    }

    fn add_instance(&self, instance: Instance) -> InstanceId {
        let mut instances = self.instances.borrow_mut();
        instances.push(Rc::new(instance));
        InstanceId(instances.len() - 1)
    }

    /// Findings about evaluation itself (cycles, bounds), notes about what was not followed,
    /// and the texts of hidden values the facts hold.
    pub fn finish(self) -> (Vec<Finding>, Vec<Note>, Vec<Hidden>) {
        let mut problems = self.problems.into_inner();
        problems.extend(self.downloads.take_problems());
        let mut hidden: Vec<Hidden> = self.hidden.into_inner().into_iter().collect();
        hidden.sort();
        (problems, self.notes.into_inner(), hidden)
    }

    /// Records the texts of `value` when it is hidden: a fact holds it, so a finding may
    /// quote it, and the finding must say `(value of var.NAME, not shown)` instead.
    pub fn remember_hidden(&self, value: &Val) {
        /// A few texts per value: a list of hundreds of secrets is not a configuration.
        const TEXTS_PER_VALUE: usize = 64;
        let Some(variable) = value.origin.hidden() else { return };
        let mut texts = Vec::new();
        value.texts(TEXTS_PER_VALUE, &mut texts);
        let mut hidden = self.hidden.borrow_mut();
        for text in texts {
            // Rules quote a value as written and as they normalise it.
            for text in [text.to_lowercase(), text] {
                let entry = Hidden {
                    text,
                    variable: Arc::clone(variable),
                };
                if !entry.text.is_empty() {
                    hidden.insert(entry);
                }
            }
        }
    }

    fn problem(&self, span: Span, message: String, label: &'static str) {
        // One report per place is enough; a bound hit inside a loop would repeat it.
        if self.said.borrow_mut().insert((span, true)) {
            let finding = Finding::new(&UNEVALUABLE_EXPRESSION, message, Label::new(span, label));
            self.problems.borrow_mut().push(finding);
        }
    }

    fn note(&self, span: Span, message: String) {
        if self.said.borrow_mut().insert((span, false)) {
            self.notes.borrow_mut().push(Note { span, message });
        }
    }

    /// Counts one step of work and one level of depth; `None` when a bound is reached.
    fn enter(&self, span: Span) -> Option<DepthGuard<'_>> {
        if self.exhausted.get() {
            return None;
        }
        let steps = self.steps.get() + 1;
        self.steps.set(steps);
        if steps > self.budget.max_steps {
            self.exhaust(
                span,
                format!(
                    "evaluation stopped after {} steps; values from here on are unknown",
                    self.budget.max_steps
                ),
                "step limit reached here",
            );
            return None;
        }
        let depth = self.depth.get() + 1;
        if depth > self.budget.max_depth {
            self.problem(
                span,
                format!(
                    "expression nests or refers deeper than {} levels; its value is unknown",
                    self.budget.max_depth
                ),
                "depth limit reached here",
            );
            return None;
        }
        self.depth.set(depth);
        Some(DepthGuard(&self.depth))
    }

    /// Counts `value`'s own bytes against the configuration's budget: a string is a copy
    /// wherever it goes, a list or map is counted where it is made (shared after that).
    fn built(&self, span: Span, value: Val, made_here: bool) -> Val {
        let bytes = match &value.value {
            Value::String(_) => value.shallow_bytes(),
            Value::List(_) | Value::Map(_) if made_here => value.shallow_bytes(),
            _ => return value,
        };
        let built = self.built.get().saturating_add(bytes);
        self.built.set(built);
        if built <= self.budget.max_built {
            return value;
        }
        self.exhaust(
            span,
            format!(
                "evaluation built more than {} MiB of values; values from here on are unknown",
                self.budget.max_built >> 20
            ),
            "memory limit reached here",
        );
        Val::unknown()
    }

    /// A bound of the whole configuration is reached at `span`: reported once, and every
    /// value evaluated after it is Unknown.
    fn exhaust(&self, span: Span, message: String, label: &'static str) {
        if !self.exhausted.replace(true) {
            self.problem(span, message, label);
        }
    }

    /// What evaluation has used of its budget so far (`--verbose`, and measuring the budget's
    /// headroom).
    pub fn work(&self) -> Work {
        Work {
            steps: self.steps.get(),
            built: self.built.get(),
            instances: self.expanded.get() as u64,
        }
    }

    // ----- expressions -------------------------------------------------------------------

    pub fn eval(&self, expr: &Expr, scope: &Scope) -> Val {
        let Some(_guard) = self.enter(expr.span) else {
            return Val::unknown();
        };
        let made_here = match &expr.kind {
            ExprKind::Tuple(_) | ExprKind::Object(_) | ExprKind::For(_) => true,
            ExprKind::Call { name, .. } => !functions::returns_an_argument(name),
            _ => false,
        };
        let value = self.eval_kind(expr, scope);
        self.built(expr.span, value, made_here)
    }

    fn eval_kind(&self, expr: &Expr, scope: &Scope) -> Val {
        match &expr.kind {
            ExprKind::Null => Value::Null.into(),
            ExprKind::Bool(b) => Value::Bool(*b).into(),
            ExprKind::Number(n) => Value::Number(*n).into(),
            ExprKind::String(s) => Val::string(s.clone()),
            ExprKind::Template(parts) => self.template(parts, scope, expr.span),
            ExprKind::Tuple(items) => Value::List(items.iter().map(|e| self.eval(e, scope)).collect()).into(),
            ExprKind::Object(entries) => self.object(entries, scope),
            ExprKind::Variable(name) => scope.lookup(name).cloned().unwrap_or_else(Val::unknown),
            ExprKind::Traversal(base, accessors) => self.traversal(base, accessors, scope),
            ExprKind::Call {
                name,
                args,
                expand_final,
            } => self.call(name, args, *expand_final, scope, expr.span),
            ExprKind::Unary(op, operand) => {
                let v = self.eval(operand, scope);
                let origin = v.origin.clone();
                let out = match op {
                    UnaryOp::Neg => v.to_number().map(|n| Value::Number(-n)),
                    UnaryOp::Not => v.to_bool().map(|b| Value::Bool(!b)),
                };
                match out {
                    Some(value) => Val::from(value).with_origin(origin),
                    // `!null`, `-"abc"`: Terraform rejects these (and `try` skips them).
                    None if !matches!(v.value, Value::Unknown(_)) => Val::invalid(),
                    None => Val::unknown().with_origin(origin),
                }
            }
            ExprKind::Binary(op, lhs, rhs) => self.binary(*op, lhs, rhs, scope),
            ExprKind::Conditional(cond, yes, no) => {
                let c = self.eval(cond, scope);
                match c.to_bool() {
                    Some(true) => self.eval(yes, scope),
                    Some(false) => self.eval(no, scope),
                    None => {
                        // Both branches alike: the condition does not matter.
                        let (a, b) = (self.eval(yes, scope), self.eval(no, scope));
                        if a.equals(&b) == Some(true) { a } else { Val::unknown() }
                    }
                }
            }
            ExprKind::For(f) => self.for_expr(f, scope, expr.span),
            ExprKind::Opaque => Val::unknown(),
        }
    }

    fn template(&self, parts: &[TemplatePart], scope: &Scope, span: Span) -> Val {
        // `"${x}"` is x itself, not its string form (Terraform keeps the type).
        if let [TemplatePart::Interpolation(e)] = parts {
            return self.eval(e, scope);
        }
        let mut out = String::new();
        let mut origins = Vec::new();
        for part in parts {
            match part {
                TemplatePart::Literal(s) => out.push_str(s),
                TemplatePart::Interpolation(e) => {
                    let v = self.eval(e, scope);
                    origins.push(v.origin.clone());
                    match v.to_terraform_string() {
                        Some(s) if out.len() + s.len() > self.budget.max_string => {
                            self.string_too_long(span, out.len() + s.len());
                            return Val::unknown();
                        }
                        Some(s) => out.push_str(&s),
                        None => {
                            // `"${azurerm_cognitive_account.a.endpoint}openai"` still says
                            // which account it points at, though not its text.
                            let computed = match v.value {
                                Value::Unknown(u) => u.computed,
                                _ => None,
                            };
                            let unknown = Value::Unknown(Unknown {
                                computed,
                                invalid: false,
                            });
                            return Val::from(unknown).with_origin(Origin::merge(&origins));
                        }
                    }
                }
            }
        }
        Val::string(out).with_origin(Origin::merge(&origins))
    }

    fn object(&self, entries: &[(ObjectKey, Expr)], scope: &Scope) -> Val {
        let mut map = BTreeMap::new();
        for (key, value) in entries {
            let key = match key {
                ObjectKey::Name(name) => name.clone(),
                ObjectKey::Expr(e) => match self.eval(e, scope).to_terraform_string() {
                    Some(k) => k,
                    None => return Val::unknown(),
                },
            };
            let mut element = self.eval(value, scope);
            // A literal keeps where it is written, so that a value picked out of a map (a
            // `for_each` entry, a lookup) is shown, and fixed, where it is written.
            if matches!(
                value.kind,
                ExprKind::Number(_) | ExprKind::String(_) | ExprKind::Bool(_)
            ) {
                element = element.passed_via(Label::new(value.span, "written here"), Via::Entry);
            }
            map.insert(key, element);
        }
        Value::Map(map.into()).into()
    }

    fn binary(&self, op: BinaryOp, lhs: &Expr, rhs: &Expr, scope: &Scope) -> Val {
        let a = self.eval(lhs, scope);
        // `false && x` and `true || x` do not depend on x.
        match (op, a.to_bool()) {
            (BinaryOp::And, Some(false)) => return Value::Bool(false).into(),
            (BinaryOp::Or, Some(true)) => return Value::Bool(true).into(),
            _ => {}
        }
        let b = self.eval(rhs, scope);
        let origin = Origin::merge([&a.origin, &b.origin]);
        let num = |f: fn(f64, f64) -> f64| Some(Value::Number(f(a.to_number()?, b.to_number()?)));
        let cmp = |f: fn(f64, f64) -> bool| Some(Value::Bool(f(a.to_number()?, b.to_number()?)));
        let value = match op {
            BinaryOp::Eq => a.equals(&b).map(Value::Bool),
            BinaryOp::NotEq => a.equals(&b).map(|e| Value::Bool(!e)),
            BinaryOp::Add => num(|x, y| x + y),
            BinaryOp::Sub => num(|x, y| x - y),
            BinaryOp::Mul => num(|x, y| x * y),
            BinaryOp::Div => num(|x, y| x / y).filter(|v| matches!(v, Value::Number(n) if n.is_finite())),
            BinaryOp::Mod => num(|x, y| x % y).filter(|v| matches!(v, Value::Number(n) if n.is_finite())),
            BinaryOp::Less => cmp(|x, y| x < y),
            BinaryOp::LessEq => cmp(|x, y| x <= y),
            BinaryOp::Greater => cmp(|x, y| x > y),
            BinaryOp::GreaterEq => cmp(|x, y| x >= y),
            BinaryOp::And => match (a.to_bool(), b.to_bool()) {
                (Some(x), Some(y)) => Some(Value::Bool(x && y)),
                (_, Some(false)) => Some(Value::Bool(false)),
                _ => None,
            },
            BinaryOp::Or => match (a.to_bool(), b.to_bool()) {
                (Some(x), Some(y)) => Some(Value::Bool(x || y)),
                (_, Some(true)) => Some(Value::Bool(true)),
                _ => None,
            },
        };
        value.map_or_else(Val::unknown, Val::from).with_origin(origin)
    }

    fn for_expr(&self, f: &ForExpr, scope: &Scope, span: Span) -> Val {
        let collection = self.eval(&f.collection, scope);
        let elements: Vec<(Val, Val)> = match &collection.value {
            Value::List(items) => items
                .iter()
                .enumerate()
                .map(|(i, v)| (Value::Number(i as f64).into(), v.clone()))
                .collect(),
            Value::Map(map) => map.iter().map(|(k, v)| (Val::string(k.clone()), v.clone())).collect(),
            Value::Resource(object) => object
                .attributes
                .iter()
                .map(|(k, v)| (Val::string(k.clone()), v.clone()))
                .collect(),
            _ => return Val::unknown(),
        };
        if elements.len() > self.budget.max_collection {
            self.problem(
                span,
                format!(
                    "`for` over more than {} elements; its value is unknown",
                    self.budget.max_collection
                ),
                "collection limit reached here",
            );
            return Val::unknown();
        }
        let mut list = Vec::new();
        let mut map: BTreeMap<String, Val> = BTreeMap::new();
        let mut groups: BTreeMap<String, Vec<Val>> = BTreeMap::new();
        for (key, value) in elements {
            let mut inner = scope.bind(&f.value_var, value);
            if let Some(key_var) = &f.key_var {
                inner = inner.bind(key_var, key);
            }
            if let Some(cond) = &f.condition {
                match self.eval(cond, &inner).to_bool() {
                    Some(true) => {}
                    Some(false) => continue,
                    // Which elements survive is unknown, so the whole result is.
                    None => return Val::unknown(),
                }
            }
            let value = self.eval(&f.value, &inner);
            match &f.key {
                None => list.push(value),
                Some(key_expr) => {
                    let Some(key) = self.eval(key_expr, &inner).to_terraform_string() else {
                        return Val::unknown();
                    };
                    if f.grouping {
                        groups.entry(key).or_default().push(value);
                    } else if map.insert(key, value).is_some() {
                        // Duplicate keys are an error in Terraform.
                        return Val::unknown();
                    }
                }
            }
        }
        match (&f.key, f.grouping) {
            (None, _) => Value::List(list.into()).into(),
            (Some(_), false) => Value::Map(map.into()).into(),
            (Some(_), true) => Value::Map(
                groups
                    .into_iter()
                    .map(|(k, v)| (k, Value::List(v.into()).into()))
                    .collect(),
            )
            .into(),
        }
    }

    fn call(&self, name: &str, args: &[Expr], expand_final: bool, scope: &Scope, span: Span) -> Val {
        match name {
            // `try` returns the first argument that evaluates without an error.
            "try" => {
                for arg in args {
                    let v = self.eval(arg, scope);
                    match &v.value {
                        Value::Unknown(u) if u.invalid => continue,
                        _ => return v,
                    }
                }
                Val::unknown()
            }
            "can" => {
                let [arg] = args else { return Val::unknown() };
                match &self.eval(arg, scope).value {
                    Value::Unknown(u) if u.invalid => Value::Bool(false).into(),
                    Value::Unknown(_) => Val::unknown(),
                    _ => Value::Bool(true).into(),
                }
            }
            _ => {
                let mut values: Vec<Val> = args.iter().map(|a| self.eval(a, scope)).collect();
                if expand_final {
                    match values.pop().map(|v| v.value) {
                        Some(Value::List(items)) => values.extend(items),
                        _ => return Val::unknown(),
                    }
                }
                match functions::call(name, &values, &self.budget) {
                    Ok(value) => value,
                    Err(functions::TooLarge::Elements(n)) => {
                        self.problem(
                            span,
                            format!(
                                "{name}() would make {n} elements, more than the limit of {}; its value is unknown",
                                self.budget.max_collection
                            ),
                            "collection limit reached here",
                        );
                        Val::unknown()
                    }
                    Err(functions::TooLarge::Bytes(n)) => {
                        self.string_too_long(span, n);
                        Val::unknown()
                    }
                }
            }
        }
    }

    fn string_too_long(&self, span: Span, bytes: usize) {
        self.problem(
            span,
            format!(
                "this would make a string of {bytes} bytes, more than the limit of {} MiB; its value is unknown",
                self.budget.max_string >> 20
            ),
            "string limit reached here",
        );
    }

    // ----- references ---------------------------------------------------------------------

    fn traversal(&self, base: &Expr, accessors: &[Accessor], scope: &Scope) -> Val {
        let ExprKind::Variable(root) = &base.kind else {
            let value = self.eval(base, scope);
            return self.apply(value, accessors, scope);
        };
        if let Some(bound) = scope.lookup(root) {
            return self.apply(bound.clone(), accessors, scope);
        }
        let attr = |i: usize| match accessors.get(i) {
            Some(Accessor::Attr(name, _)) => Some(name.as_str()),
            _ => None,
        };
        let instance = self.instance(scope.instance);
        match root.as_str() {
            "var" => match attr(0) {
                Some(name) => {
                    let value = self.variable(scope.instance, name);
                    self.apply(value, &accessors[1..], scope)
                }
                None => Val::unknown(),
            },
            "local" => match attr(0) {
                Some(name) => {
                    let value = self.local(scope.instance, name);
                    self.apply(value, &accessors[1..], scope)
                }
                None => Val::unknown(),
            },
            "each" => match (&scope.each, attr(0)) {
                (Some(each), Some("key")) => self.apply(each.0.clone(), &accessors[1..], scope),
                (Some(each), Some("value")) => self.apply(each.1.clone(), &accessors[1..], scope),
                _ => Val::unknown(),
            },
            "count" => match (scope.count_index, attr(0)) {
                (Some(i), Some("index")) => self.apply(Value::Number(i as f64).into(), &accessors[1..], scope),
                _ => Val::unknown(),
            },
            "module" => match attr(0).and_then(|name| instance.module.module_call(name)) {
                Some(call) => self.module_reference(scope.instance, call, &accessors[1..], scope),
                None => Val::unknown(),
            },
            // Data sources are read at plan time; path, terraform and self are not static.
            "data" | "path" | "terraform" | "self" => Val::unknown(),
            resource_type => {
                match attr(0).and_then(|name| instance.module.resource(Mode::Managed, resource_type, name)) {
                    Some(index) => {
                        if let Some(value) =
                            attr(1).and_then(|name| self.single_resource_attribute(scope.instance, index, name))
                        {
                            return self.apply(value, &accessors[2..], scope);
                        }
                        let value = self.resource_value(scope.instance, index);
                        self.apply(value, &accessors[1..], scope)
                    }
                    None => Val::unknown(),
                }
            }
        }
    }

    fn apply(&self, mut value: Val, accessors: &[Accessor], scope: &Scope) -> Val {
        for (i, accessor) in accessors.iter().enumerate() {
            let origin = value.origin.clone();
            value = match accessor {
                Accessor::Attr(name, _) => carry(value.get_attr(name), &origin),
                Accessor::Index(index) => {
                    let index = self.eval(index, scope);
                    carry(self.index(&value, &index), &origin)
                }
                Accessor::Splat => {
                    let rest = &accessors[i + 1..];
                    let items = match value.value {
                        Value::List(items) => items,
                        Value::Null => Vec::new().into(),
                        Value::Unknown(_) => return Val::unknown(),
                        _ => vec![value].into(),
                    };
                    let mapped = items.into_iter().map(|item| self.apply(item, rest, scope)).collect();
                    return Val::from(Value::List(mapped)).with_origin(origin);
                }
            };
        }
        value
    }

    fn index(&self, value: &Val, index: &Val) -> Val {
        if index.is_unknown() {
            return Val::unknown();
        }
        let found = match &value.value {
            Value::List(items) => index
                .to_number()
                .filter(|n| n.fract() == 0.0 && *n >= 0.0)
                .and_then(|n| items.get(n as usize)),
            Value::Map(map) => index.to_terraform_string().and_then(|k| map.get(&k)),
            Value::Resource(_) => {
                return index
                    .to_terraform_string()
                    .map_or_else(Val::unknown, |k| value.get_attr(&k));
            }
            _ => return Val::unknown(),
        };
        found.cloned().unwrap_or_else(Val::invalid)
    }

    /// `var.name` in an instance: a caller's argument, or for a root the variables files and
    /// command line in Terraform's precedence, else the default.
    pub fn variable(&self, id: InstanceId, name: &str) -> Val {
        self.memoized(id, MemoRef::Var(name), None, || self.compute_variable(id, name))
    }

    fn compute_variable(&self, id: InstanceId, name: &str) -> Val {
        let instance = self.instance(id);
        let Some(decl) = instance.module.variables.get(name) else {
            return Val::unknown();
        };
        let mut value = self.variable_value(&instance, id, name);
        if !decl.nullable && matches!(value.value, Value::Null) {
            value = self.variable_default(id, name);
        }
        // A value hidden upstream keeps the name it was hidden under (the variable the user
        // set); marked again, since converting it to the type may rebuild it.
        let hidden = match (value.origin.hidden(), decl.sensitive) {
            (Some(upstream), _) => Some(Arc::clone(upstream)),
            (None, true) => Some(Arc::new(["var.", name].concat())),
            (None, false) => None,
        };
        let value = self.typed(decl, id, name, value);
        match hidden {
            Some(hidden) => value.hidden_as(&hidden),
            None => value,
        }
    }

    /// `value` converted to the variable's declared type.
    fn typed(&self, decl: &super::module::VariableDecl, id: InstanceId, name: &str, value: Val) -> Val {
        match &decl.ty {
            // Terraform converts the value to the declared type: `optional(...)` defaults
            // filled in, undeclared attributes dropped.
            Some(ty) => {
                let default = |expr: &Expr| {
                    let label = Label::new(expr.span, ["default in the type of var.", name].concat());
                    self.eval(expr, &Scope::module(id))
                        .passed_via(label, variable(name, decl))
                };
                super::types::convert(value, ty, &default)
            }
            // A type this does not model: a missing key may be one Terraform fills in, so it
            // reads as unknown rather than as an error `try` would skip.
            None if decl.has_optional_attributes => value.opened(),
            None => value,
        }
    }

    /// The variable's `default`, or unknown when it has none.
    fn variable_default(&self, id: InstanceId, name: &str) -> Val {
        let instance = self.instance(id);
        let decl = instance.module.variables.get(name);
        match decl.and_then(|d| Some((d, d.default.as_ref()?))) {
            Some((decl, expr)) => {
                let label = Label::new(expr.span, ["default of var.", name].concat());
                self.eval(expr, &Scope::module(id))
                    .passed_via(label, variable(name, decl))
            }
            None => Val::unknown(),
        }
    }

    fn variable_value(&self, instance: &Instance, id: InstanceId, name: &str) -> Val {
        let Some(decl) = instance.module.variables.get(name) else {
            return Val::unknown();
        };
        let default = || match &decl.default {
            Some(expr) => {
                let value = self.eval(expr, &Scope::module(id));
                let label = Label::new(expr.span, ["default of var.", name].concat());
                value.passed_via(label, variable(name, decl))
            }
            None => Val::unknown(),
        };
        if let Some(caller) = &instance.caller {
            let parent = self.instance(caller.parent);
            let call = &parent.module.module_calls[caller.call];
            return match call.block.body.attribute(name) {
                Some(argument) => {
                    let value = self.eval(&argument.value, &caller.scope);
                    let label = Label::new(
                        argument.value.span,
                        ["passed to var.", name, " of module.", &call.name].concat(),
                    );
                    value.passed_via(label, variable(name, decl))
                }
                None => default(),
            };
        }
        // Root module: later sources win.
        if let Some((_, value)) = self.cli.values.iter().rev().find(|(n, _)| n == name) {
            let value_here = self.var_value(value, decl, name, "set on the command line");
            let file = match value {
                VarValue::Expr(e) => e.span.file,
                VarValue::Given(_, span) => span.file,
            };
            if self.cli.shown_files.contains(&file) {
                return value_here;
            }
            return value_here.hidden_as(&Arc::new(["var.", name].concat()));
        }
        // A variables file named on the command line is applied as `-var-file` would be.
        let chosen = instance.module.var_files.iter().filter(|f| f.chosen);
        if let Some(value) = chosen.clone().rev().find_map(|f| f.values.get(name)) {
            return self.var_value(
                value,
                decl,
                name,
                "set here (the variables file named on the command line)",
            );
        }
        let candidates = instance.module.var_files.iter().filter(|f| !f.auto_loaded);
        if !self.cli.var_file_given && chosen.count() == 0 {
            for file in candidates {
                if let Some(value) = file.values.get(name) {
                    // This file is used only when someone passes it: the value is one of several.
                    let span = match value {
                        VarValue::Expr(e) => e.span,
                        VarValue::Given(_, span) => *span,
                    };
                    return Val::unknown().with_origin(
                        Origin::none().through(Label::new(span, format!("var.{name} may be set here with -var-file"))),
                    );
                }
            }
        }
        let auto = instance.module.var_files.iter().filter(|f| f.auto_loaded);
        if let Some(value) = auto.rev().find_map(|f| f.values.get(name)) {
            return self.var_value(value, decl, name, "set here");
        }
        if let Some((_, value)) = self.cli.unit_inputs.iter().find(|(n, _)| n == name) {
            return self.var_value(value, decl, name, "set by the Terragrunt unit's inputs");
        }
        if let Some((_, value)) = self.cli.environment.iter().find(|(n, _)| n == name) {
            let value = self.var_value(value, decl, name, "set by this environment variable");
            return value.hidden_as(&Arc::new(["var.", name].concat()));
        }
        default()
    }

    fn var_value(&self, value: &VarValue, decl: &super::module::VariableDecl, name: &str, how: &str) -> Val {
        let (value, span) = match value {
            // A variables file may hold literal values only: no scope.
            VarValue::Expr(expr) => (self.eval_constant(expr), expr.span),
            VarValue::Given(value, span) => (value.clone(), *span),
        };
        let label = Label::new(span, ["var.", name, " ", how].concat());
        value.passed_via(label, variable(name, decl))
    }

    /// An expression that may refer to nothing (variables files, `--var`).
    fn eval_constant(&self, expr: &Expr) -> Val {
        // Instance 0 has the root's names, but a constant never looks them up: traversal of
        // `var`/`local` in a tfvars file is not valid Terraform, so refuse it here.
        if contains_reference(expr) {
            return Val::unknown();
        }
        self.eval(expr, &Scope::module(self.root()))
    }

    pub fn local(&self, id: InstanceId, name: &str) -> Val {
        let instance = self.instance(id);
        let Some(attr) = instance.module.locals.get(name) else {
            return Val::unknown();
        };
        let span = attr.span;
        self.memoized(
            id,
            MemoRef::Local(name),
            Some((span, &|| format!("local.{name}"))),
            || {
                let value = self.eval(&attr.value, &Scope::module(id));
                let label = Label::new(attr.value.span, ["local.", name, " is defined here"].concat());
                let via = Via::Local {
                    name: name.into(),
                    declared: attr.span,
                };
                value.passed_via(label, via)
            },
        )
    }

    pub fn output(&self, id: InstanceId, name: &str) -> Val {
        let instance = self.instance(id);
        let Some(attr) = instance.module.outputs.get(name) else {
            return Val::unknown();
        };
        self.memoized(
            id,
            MemoRef::Output(name),
            Some((attr.span, &|| format!("output {name}"))),
            || {
                let value = self.eval(&attr.value, &Scope::module(id));
                let label = Label::new(attr.value.span, format!("output {name} of {}", module_label(&instance)));
                value.passed_via(label, Via::Output)
            },
        )
    }

    fn memoized(
        &self,
        id: InstanceId,
        key: MemoRef<'_>,
        // What is reported when the value turns out to need itself (named only then).
        cycle: Option<(Span, &dyn Fn() -> String)>,
        compute: impl FnOnce() -> Val,
    ) -> Val {
        let instance = self.instance(id);
        match instance.memo.borrow().get(&key) {
            Some(Slot::Done(v)) => return v.clone(),
            Some(Slot::InProgress) => {
                if let Some((span, what)) = cycle {
                    self.problem(
                        span,
                        format!("{} refers to itself through a cycle; its value is unknown", what()),
                        "part of a cycle",
                    );
                }
                return Val::unknown();
            }
            None => {}
        }
        instance.memo.borrow_mut().insert(key.to_key(), Slot::InProgress);
        let value = compute();
        {
            let mut memo = instance.memo.borrow_mut();
            match memo.get_mut(&key) {
                Some(slot) => *slot = Slot::Done(value.clone()),
                None => {
                    memo.insert(key.to_key(), Slot::Done(value.clone()));
                }
            }
        }
        value
    }

    // ----- resources ----------------------------------------------------------------------

    /// `count` / `for_each` of a resource or module block, evaluated in `scope`.
    pub fn expand(&self, block: &Block, scope: &Scope) -> Expansion {
        if let Some(count) = block.body.attribute("count") {
            let value = self.eval(&count.value, scope);
            let Some(n) = value.to_number().filter(|n| n.fract() == 0.0 && *n >= 0.0) else {
                return Expansion::Unknown;
            };
            if n as usize > self.budget.max_instances {
                self.too_many(count.value.span, n as usize);
                return Expansion::Unknown;
            }
            if !self.admit(count.value.span, n as usize) {
                return Expansion::Unknown;
            }
            return Expansion::Known(
                (0..n as usize)
                    .map(|i| {
                        let mut s = scope.clone();
                        s.count_index = Some(i);
                        (InstanceKey::Index(i), s)
                    })
                    .collect(),
            );
        }
        let Some(for_each) = block.body.attribute("for_each") else {
            return Expansion::Known(vec![(InstanceKey::None, scope.clone())]);
        };
        let value = self.eval(&for_each.value, scope);
        // Its keys would be shown in every address (Terraform refuses sensitive ones too).
        if value.origin.hidden().is_some() {
            return Expansion::Unknown;
        }
        let entries: Vec<(String, Val)> = match &value.value {
            Value::Map(map) => map
                .iter()
                .map(|(k, v)| {
                    let within = v.origin.within(&value.origin);
                    (k.clone(), v.clone().with_origin(within))
                })
                .collect(),
            Value::List(items) => {
                let mut keys = Vec::with_capacity(items.len());
                for item in items {
                    match item.as_str() {
                        Some(s) => keys.push((s.to_owned(), item.clone())),
                        None => return Expansion::Unknown,
                    }
                }
                keys.sort_by(|a, b| a.0.cmp(&b.0));
                keys.dedup_by(|a, b| a.0 == b.0);
                keys
            }
            _ => return Expansion::Unknown,
        };
        if entries.len() > self.budget.max_instances {
            self.too_many(for_each.value.span, entries.len());
            return Expansion::Unknown;
        }
        if !self.admit(for_each.value.span, entries.len()) {
            return Expansion::Unknown;
        }
        Expansion::Known(
            entries
                .into_iter()
                .map(|(key, value)| {
                    let mut s = scope.clone();
                    s.each = Some(Rc::new((Val::string(key.clone()), value)));
                    (InstanceKey::Key(key), s)
                })
                .collect(),
        )
    }

    /// Counts `n` more instances against the configuration's bound; false past it.
    fn admit(&self, span: Span, n: usize) -> bool {
        let total = self.expanded.get().saturating_add(n);
        self.expanded.set(total);
        if total <= self.budget.max_instances_in_all {
            return true;
        }
        // One report: every expansion after this one is past the bound too.
        if !self.expansion_limit_reported.replace(true) {
            self.problem(
                span,
                format!(
                    "this would take the configuration past {} resource and module instances; from here on, instances are not evaluated",
                    self.budget.max_instances_in_all
                ),
                "instance limit reached here",
            );
        }
        false
    }

    fn too_many(&self, span: Span, n: usize) {
        self.problem(
            span,
            format!(
                "this expands into {n} instances, more than the limit of {}; they are not evaluated",
                self.budget.max_instances
            ),
            "expansion limit reached here",
        );
    }

    /// `azurerm_x.name.attribute` of a resource without `count` or `for_each`, with only that
    /// attribute evaluated: references are mostly to one attribute (often a computed one like
    /// `.id`), and building the whole object evaluated every attribute of the resource. None
    /// when the whole object is at hand or under way (a reference back into the resource is
    /// the cycle `resource_value` reports), or the resource has instances.
    fn single_resource_attribute(&self, id: InstanceId, index: usize, name: &str) -> Option<Val> {
        let instance = self.instance(id);
        let decl = &instance.module.resources[index];
        let body = &decl.block.body;
        if body.attribute("count").is_some()
            || body.attribute("for_each").is_some()
            || instance.memo.borrow().contains_key(&MemoRef::Resource(index))
        {
            return None;
        }
        let key = MemoRef::ResourceAttribute(index, name);
        Some(self.memoized(id, key, None, || {
            // While one attribute is evaluated the resource is under way, as when the whole
            // object is built: any reference back into it is a cycle.
            instance
                .memo
                .borrow_mut()
                .insert(MemoKey::Resource(index), Slot::InProgress);
            let address = instance.resource_address(decl);
            let value = match self.body_member(body, name, &Scope::module(id), RESOURCE_META_ARGUMENTS) {
                Some(mut value) => {
                    for attr in body.attributes.iter().filter(|a| a.name == name) {
                        value.origin = value.origin.through_via(set_here(attr, &address), Via::Attribute);
                    }
                    value
                }
                None => Val::computed(address, name),
            };
            instance.memo.borrow_mut().remove(&MemoRef::Resource(index));
            value
        }))
    }

    /// The value `azurerm_x.name` has: one object, a list (count) or a map (for_each).
    fn resource_value(&self, id: InstanceId, index: usize) -> Val {
        let instance = self.instance(id);
        let decl = &instance.module.resources[index];
        self.memoized(
            id,
            MemoRef::Resource(index),
            Some((decl.block.head, &|| decl.address())),
            || {
                let base = instance.resource_address(decl);
                match self.expand(&decl.block, &Scope::module(id)) {
                    Expansion::Unknown => Val::unknown(),
                    Expansion::Known(instances) => {
                        let object = |key: &InstanceKey, scope: &Scope| {
                            let address = format!("{base}{key}");
                            let mut attributes = self.body_attributes(&decl.block.body, scope, RESOURCE_META_ARGUMENTS);
                            for attr in &decl.block.body.attributes {
                                if let Some(value) = attributes.get_mut(&attr.name) {
                                    value.origin = value.origin.through_via(set_here(attr, &address), Via::Attribute);
                                }
                            }
                            Val::from(Value::Resource(Arc::new(ResourceObject { address, attributes })))
                        };
                        match instances.first() {
                            Some((InstanceKey::None, scope)) => object(&InstanceKey::None, scope),
                            Some((InstanceKey::Index(_), _)) => {
                                Value::List(instances.iter().map(|(k, s)| object(k, s)).collect()).into()
                            }
                            _ => Value::Map(
                                instances
                                    .iter()
                                    .map(|(k, s)| match k {
                                        InstanceKey::Key(key) => (key.clone(), object(k, s)),
                                        _ => (String::new(), object(k, s)),
                                    })
                                    .collect(),
                            )
                            .into(),
                        }
                    }
                }
            },
        )
    }

    /// A body as an object: its attributes and its nested blocks (lists of objects).
    fn body_attributes(&self, body: &Body, scope: &Scope, skip: &[&str]) -> BTreeMap<String, Val> {
        let mut out = BTreeMap::new();
        for attr in &body.attributes {
            if !skip.contains(&attr.name.as_str()) {
                out.insert(attr.name.clone(), self.eval(&attr.value, scope));
            }
        }
        let mut kinds: Vec<&str> = body
            .blocks
            .iter()
            .map(|b| b.kind.as_str())
            .chain(
                body.dynamic_blocks
                    .iter()
                    .filter_map(|b| b.labels.first().map(String::as_str)),
            )
            .filter(|k| !META_BLOCKS.contains(k))
            .collect();
        kinds.sort_unstable();
        kinds.dedup();
        for kind in kinds {
            out.insert(kind.to_owned(), self.block_list(body, kind, scope));
        }
        out
    }

    /// What `body_attributes(body, scope, skip)` has under `name`, evaluating nothing else.
    fn body_member(&self, body: &Body, name: &str, scope: &Scope, skip: &[&str]) -> Option<Val> {
        // Blocks go in after the attributes: a block kind wins over an attribute of its name.
        let is_block_kind = !META_BLOCKS.contains(&name)
            && (body.blocks_named(name).next().is_some()
                || body
                    .dynamic_blocks
                    .iter()
                    .any(|b| b.labels.first().is_some_and(|l| l == name)));
        if is_block_kind {
            return Some(self.block_list(body, name, scope));
        }
        if skip.contains(&name) {
            return None;
        }
        // A repeated attribute is evaluated each time and the last one kept, as the map does.
        body.attributes
            .iter()
            .filter(|a| a.name == name)
            .map(|attr| self.eval(&attr.value, scope))
            .last()
    }

    /// The nested blocks of `kind` as a list of objects, Unknown when a `dynamic` block's
    /// collection is.
    fn block_list(&self, body: &Body, kind: &str, scope: &Scope) -> Val {
        match self.blocks(body, kind, scope) {
            Some(blocks) => Value::List(
                blocks
                    .iter()
                    .map(|b| Value::Map(self.body_attributes(b.body, &b.scope, &[]).into()).into())
                    .collect(),
            )
            .into(),
            None => Val::unknown(),
        }
    }

    /// The nested blocks of `kind` in `body`, `dynamic` ones expanded. `None` when a
    /// `dynamic` block's collection is unknown: then nobody knows how many blocks exist.
    pub fn blocks<'b>(&self, body: &'b Body, kind: &str, scope: &Scope) -> Option<Vec<BlockInstance<'b>>> {
        let mut out: Vec<BlockInstance<'b>> = body
            .blocks_named(kind)
            .map(|block| BlockInstance {
                block,
                body: &block.body,
                scope: scope.clone(),
            })
            .collect();
        for dynamic in body
            .dynamic_blocks
            .iter()
            .filter(|b| b.labels.first().is_some_and(|l| l == kind))
        {
            let content = dynamic.body.blocks_named("content").next()?;
            let iterator = match dynamic.body.attribute("iterator").map(|a| &a.value.kind) {
                Some(ExprKind::Variable(name)) => name.as_str(),
                _ => kind,
            };
            let collection = self.eval(&dynamic.body.attribute("for_each")?.value, scope);
            let elements: Vec<(Val, Val)> = match collection.value {
                Value::List(items) => items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (Value::Number(i as f64).into(), v))
                    .collect(),
                Value::Map(map) => map.into_iter().map(|(k, v)| (Val::string(k), v)).collect(),
                _ => return None,
            };
            if elements.len() > self.budget.max_instances {
                self.too_many(dynamic.head, elements.len());
                return None;
            }
            for (key, value) in elements {
                let iter_value =
                    Value::Map(BTreeMap::from([("key".to_owned(), key), ("value".to_owned(), value)]).into());
                out.push(BlockInstance {
                    block: dynamic,
                    body: &content.body,
                    scope: scope.bind(iterator, iter_value.into()),
                });
            }
        }
        Some(out)
    }

    // ----- modules ------------------------------------------------------------------------

    /// The instances a `module` block creates, instantiated on first use.
    pub fn children(&self, id: InstanceId, call: usize) -> Rc<ChildCall> {
        let instance = self.instance(id);
        if let Some(existing) = instance.children.borrow().get(&call) {
            return Rc::clone(existing);
        }
        // Mark first: a call whose expansion refers back to its own outputs is a cycle.
        instance.children.borrow_mut().insert(call, Rc::new(ChildCall::Unknown));
        let result = Rc::new(self.instantiate(&instance, id, call));
        instance.children.borrow_mut().insert(call, Rc::clone(&result));
        result
    }

    fn instantiate(&self, parent: &Instance, parent_id: InstanceId, call_index: usize) -> ChildCall {
        let call = &parent.module.module_calls[call_index];
        let Some(module) = self.resolve_source(parent, call_index) else {
            return ChildCall::NotFollowed;
        };
        if parent.depth + 1 > self.budget.max_module_depth {
            self.problem(
                call.block.head,
                format!(
                    "modules nest deeper than {} levels (a module calling itself?); not followed",
                    self.budget.max_module_depth
                ),
                "module depth limit reached here",
            );
            return ChildCall::NotFollowed;
        }
        if self.on_call_path(parent_id, &module) {
            self.problem(
                call.block.head,
                format!(
                    "module \"{}\" calls a module already on its own call path (modules that call themselves or each other); not followed",
                    call.name
                ),
                "recursive module call here",
            );
            return ChildCall::NotFollowed;
        }
        let instances = match self.expand(&call.block, &Scope::module(parent_id)) {
            Expansion::Unknown => return ChildCall::Unknown,
            Expansion::Known(instances) => instances,
        };
        if self.instance_count() + instances.len() > self.budget.max_module_instances {
            // One report: every call after this one is past the bound too.
            if self.module_limit_reported.replace(true) {
                return ChildCall::NotFollowed;
            }
            self.problem(
                call.block.head,
                format!(
                    "this call would take the configuration past {} module instances; not followed",
                    self.budget.max_module_instances
                ),
                "module instance limit reached here",
            );
            return ChildCall::NotFollowed;
        }
        let mut children = Vec::with_capacity(instances.len());
        for (key, scope) in instances {
            let mut call_sites = parent.call_sites.clone();
            call_sites.push(call.block.head);
            let child = self.add_instance(Instance {
                module: Arc::clone(&module),
                key: child_key(parent, &call.name),
                address: format!("{}module.{}{}.", parent.address, call.name, key),
                call_sites,
                caller: Some(Caller {
                    parent: parent_id,
                    call: call_index,
                    scope,
                }),
                depth: parent.depth + 1,
                memo: memo_for(&module),
                children: RefCell::default(),
            });
            children.push((key, child));
        }
        ChildCall::Instances(children)
    }

    /// Whether `module` is the module of instance `id` or of one of its callers.
    fn on_call_path(&self, id: InstanceId, module: &Arc<ModuleSyntax>) -> bool {
        let mut current = Some(id);
        while let Some(id) = current {
            let instance = self.instance(id);
            if Arc::ptr_eq(&instance.module, module) || instance.module.dir == module.dir {
                return true;
            }
            current = instance.caller.as_ref().map(|c| c.parent);
        }
        false
    }

    fn resolve_source(&self, parent: &Instance, call_index: usize) -> Option<Arc<ModuleSyntax>> {
        let call = &parent.module.module_calls[call_index];
        let span = call
            .block
            .body
            .attribute("source")
            .map_or(call.block.head, |a| a.value.span);
        let Some(source) = call.source() else {
            self.note(
                span,
                format!("module \"{}\" has no literal source; not followed", call.name),
            );
            return None;
        };
        if !(source.starts_with("./") || source.starts_with("../")) {
            if let Some(module) = self.downloads.by_key(&child_key(parent, &call.name)) {
                return Some(module);
            }
            let message = if self.downloads.leaves_root {
                format!(
                    "module \"{}\" comes from \"{source}\"; this configuration's .terraform/modules leads outside its folder and is not read, so the module's resources are not linted",
                    call.name
                )
            } else {
                format!(
                    "module \"{}\" comes from \"{source}\" and is not downloaded; its resources are not linted (run `terraform init` to lint them)",
                    call.name
                )
            };
            self.note(span, message);
            return None;
        }
        let target = parent.module.dir.join(source);
        let discovered = target
            .canonicalize()
            .ok()
            .and_then(|dir| self.modules.get(&dir).cloned());
        match discovered.or_else(|| self.downloads.by_dir(&target)) {
            Some(module) => Some(module),
            None => {
                let shown = crate::source::display_path(&normalize(&target));
                let message = match (target.canonicalize(), self.downloads.repository()) {
                    (Err(_), _) => format!("points at {shown}, which does not exist"),
                    // Where it leads is not shown: it is not the repository's to show.
                    (Ok(dir), Some(repository)) if !dir.starts_with(repository) => format!(
                        "has the source \"{source}\", outside the repository at {}; not followed (lint a folder that holds both)",
                        crate::source::display_path(repository)
                    ),
                    _ => format!("points at {shown}, which holds no Terraform files"),
                };
                self.note(span, format!("module \"{}\" {message}", call.name));
                None
            }
        }
    }

    fn module_reference(&self, id: InstanceId, call: usize, accessors: &[Accessor], scope: &Scope) -> Val {
        let children = self.children(id, call);
        let ChildCall::Instances(children) = &*children else {
            return Val::unknown();
        };
        // The usual shapes: `module.m.out` and `module.m["k"].out` evaluate one output only.
        match (children.as_slice(), accessors) {
            ([(InstanceKey::None, child)], [Accessor::Attr(out, _), rest @ ..]) => {
                let value = self.output(*child, out);
                return self.apply(value, rest, scope);
            }
            (_, [Accessor::Index(index), Accessor::Attr(out, _), rest @ ..]) => {
                let key = self.eval(index, scope);
                let wanted = match (&children.first().map(|c| &c.0), key.to_terraform_string()) {
                    (Some(InstanceKey::Index(_)), Some(k)) => k.parse().ok().map(InstanceKey::Index),
                    (Some(InstanceKey::Key(_)), Some(k)) => Some(InstanceKey::Key(k)),
                    _ => None,
                };
                let Some(wanted) = wanted else { return Val::unknown() };
                return match children.iter().find(|(k, _)| *k == wanted) {
                    Some((_, child)) => {
                        let value = self.output(*child, out);
                        self.apply(value, rest, scope)
                    }
                    None => Val::invalid(),
                };
            }
            _ => {}
        }
        let object = |child: InstanceId| {
            let outputs = self.instance(child).module.outputs.keys().cloned().collect::<Vec<_>>();
            Val::from(Value::Map(
                outputs
                    .into_iter()
                    .map(|name| {
                        let v = self.output(child, &name);
                        (name, v)
                    })
                    .collect(),
            ))
        };
        let value = match children.first() {
            Some((InstanceKey::None, child)) => object(*child),
            Some((InstanceKey::Index(_), _)) => Value::List(children.iter().map(|(_, c)| object(*c)).collect()).into(),
            _ => Value::Map(
                children
                    .iter()
                    .map(|(k, c)| {
                        (
                            if let InstanceKey::Key(k) = k {
                                k.clone()
                            } else {
                                String::new()
                            },
                            object(*c),
                        )
                    })
                    .collect(),
            )
            .into(),
        };
        self.apply(value, accessors, scope)
    }
}

fn child_key(parent: &Instance, call: &str) -> String {
    if parent.key.is_empty() {
        call.to_owned()
    } else {
        format!("{}.{call}", parent.key)
    }
}

/// An instance's memo, sized for the names its module declares: most are read, and one
/// grown from empty rehashed several times per module.
fn memo_for(module: &ModuleSyntax) -> RefCell<hashbrown::HashMap<MemoKey, Slot>> {
    let names = module.variables.len() + module.locals.len() + module.outputs.len() + module.resources.len();
    RefCell::new(hashbrown::HashMap::with_capacity(names))
}

/// Where a resource instance's attribute is written.
fn set_here(attr: &Attribute, address: &str) -> Label {
    Label::new(attr.value.span, [address, ".", &attr.name, " is set here"].concat())
}

/// What a value read as `var.NAME` passed through.
fn variable(name: &str, decl: &super::module::VariableDecl) -> Via {
    Via::Variable {
        name: name.into(),
        declared: decl.head,
    }
}

fn carry(mut value: Val, origin: &Origin) -> Val {
    value.origin = value.origin.within(origin);
    value
}

fn module_label(instance: &Instance) -> String {
    let address = instance.address.trim_end_matches('.');
    if address.is_empty() {
        "the root module".into()
    } else {
        address.into()
    }
}

fn contains_reference(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Variable(_) | ExprKind::Traversal(..) | ExprKind::For(_) | ExprKind::Opaque => true,
        ExprKind::Null | ExprKind::Bool(_) | ExprKind::Number(_) | ExprKind::String(_) => false,
        ExprKind::Template(parts) => parts.iter().any(|p| match p {
            TemplatePart::Literal(_) => false,
            TemplatePart::Interpolation(e) => contains_reference(e),
        }),
        ExprKind::Tuple(items) => items.iter().any(contains_reference),
        ExprKind::Object(entries) => entries
            .iter()
            .any(|(k, v)| matches!(k, ObjectKey::Expr(e) if contains_reference(e)) || contains_reference(v)),
        ExprKind::Call { args, .. } => args.iter().any(contains_reference),
        ExprKind::Unary(_, e) => contains_reference(e),
        ExprKind::Binary(_, a, b) => contains_reference(a) || contains_reference(b),
        ExprKind::Conditional(a, b, c) => contains_reference(a) || contains_reference(b) || contains_reference(c),
    }
}

/// `a/b/../c` → `a/c` without touching the file system (for messages only).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// See [`Evaluator::holds_only_outside_values`]; `bound` holds the names a `for` binds.
fn outside_only(expr: &Expr, module: &ModuleSyntax, root: bool, bound: &mut Vec<String>, steps: usize) -> bool {
    let all =
        |items: &[Expr], bound: &mut Vec<String>| items.iter().all(|e| outside_only(e, module, root, bound, steps));
    match &expr.kind {
        ExprKind::Null | ExprKind::Bool(_) | ExprKind::Number(_) | ExprKind::String(_) => true,
        ExprKind::Opaque => false,
        ExprKind::Template(parts) => parts.iter().all(|p| match p {
            TemplatePart::Literal(_) => true,
            TemplatePart::Interpolation(e) => outside_only(e, module, root, bound, steps),
        }),
        ExprKind::Tuple(items) => all(items, bound),
        ExprKind::Object(entries) => entries.iter().all(|(k, v)| {
            let key = match k {
                ObjectKey::Name(_) => true,
                ObjectKey::Expr(e) => outside_only(e, module, root, bound, steps),
            };
            key && outside_only(v, module, root, bound, steps)
        }),
        ExprKind::Variable(name) => bound.contains(name),
        ExprKind::Traversal(base, accessors) => {
            let indexes_ok = accessors.iter().all(|a| match a {
                Accessor::Index(e) => outside_only(e, module, root, bound, steps),
                _ => true,
            });
            let base_ok = match (&base.kind, accessors.first()) {
                (ExprKind::Variable(v), _) if bound.contains(v) => true,
                (ExprKind::Variable(v), _) if v == "path" || v == "terraform" => true,
                (ExprKind::Variable(v), _) if v == "var" => root,
                (ExprKind::Variable(v), Some(Accessor::Attr(name, _))) if v == "local" => {
                    steps > 0
                        && module
                            .locals
                            .get(name)
                            .is_some_and(|l| outside_only(&l.value, module, root, bound, steps - 1))
                }
                (ExprKind::Variable(_), _) => false,
                _ => outside_only(base, module, root, bound, steps),
            };
            indexes_ok && base_ok
        }
        ExprKind::Call { args, .. } => all(args, bound),
        ExprKind::Unary(_, e) => outside_only(e, module, root, bound, steps),
        ExprKind::Binary(_, a, b) => {
            outside_only(a, module, root, bound, steps) && outside_only(b, module, root, bound, steps)
        }
        ExprKind::Conditional(c, a, b) => [c, a, b].iter().all(|e| outside_only(e, module, root, bound, steps)),
        ExprKind::For(f) => {
            if !outside_only(&f.collection, module, root, bound, steps) {
                return false;
            }
            let before = bound.len();
            bound.extend(f.key_var.iter().cloned());
            bound.push(f.value_var.clone());
            let inner = [Some(&f.value), f.key.as_ref(), f.condition.as_ref()]
                .into_iter()
                .flatten()
                .all(|e| outside_only(e, module, root, bound, steps));
            bound.truncate(before);
            inner
        }
    }
}
