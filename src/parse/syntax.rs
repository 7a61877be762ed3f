//! The configuration language as the evaluator sees it: a small tree with a span on every
//! node and nothing else. hcl-edit's trees keep comments, whitespace and raw text (about 28
//! times the size of the source); this tree keeps what evaluation and diagnostics need, so
//! the hcl-edit tree can be dropped as soon as a file is lowered.

use crate::source::Span;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Body {
    pub attributes: Vec<Attribute>,
    pub blocks: Vec<Block>,
    /// `dynamic` blocks are kept apart: they expand into ordinary blocks during evaluation.
    pub dynamic_blocks: Vec<Block>,
}

impl Body {
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    pub fn blocks_named<'a, 'k>(&'a self, kind: &'k str) -> impl Iterator<Item = &'a Block> + use<'a, 'k> {
        self.blocks.iter().filter(move |b| b.kind == kind)
    }
}

/// An `# aoai-lint-ignore: RULES reason until=YYYY-MM-DD` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// Rule ids or names as written; `all` matches every rule.
    pub rules: Vec<String>,
    pub reason: Option<String>,
    /// After this day the suppression no longer applies (`until=2027-03-31`).
    pub until: Option<String>,
    /// The comment itself: where an unused suppression is reported.
    pub comment: Span,
    /// The block or attribute below it, or the whole file for `aoai-lint-ignore-file`.
    pub target: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub value: Expr,
    /// The whole `name = value` line(s).
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub kind: String,
    pub labels: Vec<String>,
    pub body: Body,
    /// From the identifier to the closing brace.
    pub span: Span,
    /// The identifier and labels: where a finding about a missing attribute points.
    pub head: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Template(Vec<TemplatePart>),
    Tuple(Vec<Expr>),
    Object(Vec<(ObjectKey, Expr)>),
    Variable(String),
    Traversal(Box<Expr>, Vec<Accessor>),
    Call {
        name: String,
        args: Vec<Expr>,
        expand_final: bool,
    },
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    Conditional(Box<Expr>, Box<Expr>, Box<Expr>),
    For(Box<ForExpr>),
    /// A construct evaluation does not model (template directives): always Unknown.
    Opaque,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TemplatePart {
    Literal(String),
    // Boxed, as in the other enums here: most parts are literals, and an inline `Expr`
    // would make every part as large as the largest expression node.
    Interpolation(Box<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum ObjectKey {
    /// A bare identifier key (`name = ...`) is the string `name`, not a variable.
    Name(String),
    Expr(Box<Expr>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Accessor {
    Attr(String, Span),
    Index(Box<Expr>),
    /// `.*` and `[*]`.
    Splat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    Neg,
    Not,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    Eq,
    NotEq,
    Less,
    LessEq,
    Greater,
    GreaterEq,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    And,
    Or,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ForExpr {
    pub key_var: Option<String>,
    pub value_var: String,
    pub collection: Expr,
    pub key: Option<Expr>,
    pub value: Expr,
    pub grouping: bool,
    pub condition: Option<Expr>,
}

impl Expr {
    /// `a.b.c` written as a plain reference, without indexes or calls.
    pub fn as_reference_path(&self) -> Option<Vec<&str>> {
        match &self.kind {
            ExprKind::Variable(name) => Some(vec![name.as_str()]),
            ExprKind::Traversal(base, accessors) => {
                let mut path = base.as_reference_path()?;
                for accessor in accessors {
                    match accessor {
                        Accessor::Attr(name, _) => path.push(name),
                        _ => return None,
                    }
                }
                Some(path)
            }
            _ => None,
        }
    }
}
