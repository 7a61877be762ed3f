//! Lowering hcl-edit's lossless trees into [`syntax`](super::syntax) trees.

use hcl_edit::expr::{self as hexpr, Expression, TraversalOperator};
use hcl_edit::structure::{self as hstruct, Structure};
use hcl_edit::template::{Element, Template};
use hcl_edit::{Decorate, Span as _};

use super::syntax::*;
use crate::source::{FileId, Span};

pub struct Lowering {
    file: FileId,
    /// The parser ran on text without a BOM; offsets shift back by its length.
    shift: usize,
    /// Suppression comments found in the prefixes of blocks and attributes.
    suppressions: std::cell::RefCell<Vec<Suppression>>,
}

impl Lowering {
    pub fn new(file: FileId, shift: usize) -> Lowering {
        Lowering {
            file,
            shift,
            suppressions: std::cell::RefCell::default(),
        }
    }

    pub fn into_suppressions(self) -> Vec<Suppression> {
        self.suppressions.into_inner()
    }

    fn suppressions_before(&self, prefix: Option<&hcl_edit::RawString>, node: Span) {
        if let Some(prefix) = prefix {
            suppressions_before(prefix, node, &mut self.suppressions.borrow_mut());
        }
    }

    fn span(&self, range: Option<std::ops::Range<usize>>) -> Span {
        let range = range.unwrap_or(0..0);
        Span::new(self.file, range.start + self.shift..range.end + self.shift)
    }

    pub fn body(&self, body: &hstruct::Body) -> Body {
        let mut out = Body::default();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(attr) => {
                    let span = self.span(attr.span());
                    self.suppressions_before(attr.decor().prefix(), span);
                    out.attributes.push(Attribute {
                        name: attr.key.as_str().to_owned(),
                        value: self.expr(&attr.value),
                        span,
                    });
                }
                Structure::Block(hcl_block) => {
                    let block = self.block(hcl_block);
                    // After the comments inside the block: the nearest comment to a finding
                    // comes first, and the first that covers a finding is the one it uses.
                    self.suppressions_before(hcl_block.decor().prefix(), block.span);
                    if block.kind == "dynamic" {
                        out.dynamic_blocks.push(block);
                    } else {
                        out.blocks.push(block);
                    }
                }
            }
        }
        // Lowered trees live for the whole run: the room pushes leave over (up to half of
        // every vector) was the largest share of the linter's memory.
        out.attributes.shrink_to_fit();
        out.blocks.shrink_to_fit();
        out.dynamic_blocks.shrink_to_fit();
        out
    }

    fn block(&self, block: &hstruct::Block) -> Block {
        let span = self.span(block.span());
        let head_end = block
            .labels
            .last()
            .and_then(|l| l.span())
            .or_else(|| block.ident.span())
            .map_or(span.end as usize - self.shift, |r| r.end);
        Block {
            kind: block.ident.as_str().to_owned(),
            labels: block.labels.iter().map(|l| l.as_str().to_owned()).collect(),
            body: self.body(&block.body),
            head: Span::new(self.file, span.start as usize..head_end + self.shift),
            span,
        }
    }

    pub fn expr(&self, expr: &Expression) -> Expr {
        let span = self.span(expr.span());
        let kind = match expr {
            Expression::Null(_) => ExprKind::Null,
            Expression::Bool(b) => ExprKind::Bool(*b.value()),
            Expression::Number(n) => n.value().as_f64().map_or(ExprKind::Opaque, ExprKind::Number),
            Expression::String(s) => ExprKind::String(s.value().clone()),
            Expression::Array(array) => ExprKind::Tuple(array.iter().map(|e| self.expr(e)).collect()),
            Expression::Object(object) => ExprKind::Object(
                object
                    .iter()
                    .map(|(key, value)| {
                        let key = match key {
                            hexpr::ObjectKey::Ident(ident) => ObjectKey::Name(ident.as_str().to_owned()),
                            hexpr::ObjectKey::Expression(e) => ObjectKey::Expr(Box::new(self.expr(e))),
                        };
                        (key, self.expr(value.expr()))
                    })
                    .collect(),
            ),
            Expression::StringTemplate(t) => self.template(t),
            Expression::HeredocTemplate(h) => self.template(&h.template),
            Expression::Parenthesis(p) => return self.expr(p.inner()),
            Expression::Variable(v) => ExprKind::Variable(v.as_str().to_owned()),
            Expression::Conditional(c) => ExprKind::Conditional(
                Box::new(self.expr(&c.cond_expr)),
                Box::new(self.expr(&c.true_expr)),
                Box::new(self.expr(&c.false_expr)),
            ),
            Expression::FuncCall(call) => ExprKind::Call {
                name: call.name.name.as_str().to_owned(),
                args: call.args.iter().map(|e| self.expr(e)).collect(),
                expand_final: call.args.expand_final(),
            },
            Expression::Traversal(t) => ExprKind::Traversal(
                Box::new(self.expr(&t.expr)),
                t.operators
                    .iter()
                    .map(|op| match op.value() {
                        TraversalOperator::GetAttr(name) => {
                            Accessor::Attr(name.as_str().to_owned(), self.span(op.span()))
                        }
                        TraversalOperator::Index(e) => Accessor::Index(Box::new(self.expr(e))),
                        TraversalOperator::LegacyIndex(i) => Accessor::Index(Box::new(Expr {
                            kind: ExprKind::Number(*i.value() as f64),
                            span: self.span(op.span()),
                        })),
                        TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => Accessor::Splat,
                    })
                    .collect(),
            ),
            Expression::UnaryOp(op) => ExprKind::Unary(
                match op.operator.value() {
                    hexpr::UnaryOperator::Neg => UnaryOp::Neg,
                    hexpr::UnaryOperator::Not => UnaryOp::Not,
                },
                Box::new(self.expr(&op.expr)),
            ),
            Expression::BinaryOp(op) => {
                use hexpr::BinaryOperator as B;
                let operator = match op.operator.value() {
                    B::Eq => BinaryOp::Eq,
                    B::NotEq => BinaryOp::NotEq,
                    B::LessEq => BinaryOp::LessEq,
                    B::GreaterEq => BinaryOp::GreaterEq,
                    B::Less => BinaryOp::Less,
                    B::Greater => BinaryOp::Greater,
                    B::Plus => BinaryOp::Add,
                    B::Minus => BinaryOp::Sub,
                    B::Mul => BinaryOp::Mul,
                    B::Div => BinaryOp::Div,
                    B::Mod => BinaryOp::Mod,
                    B::And => BinaryOp::And,
                    B::Or => BinaryOp::Or,
                };
                ExprKind::Binary(
                    operator,
                    Box::new(self.expr(&op.lhs_expr)),
                    Box::new(self.expr(&op.rhs_expr)),
                )
            }
            Expression::ForExpr(f) => ExprKind::For(Box::new(ForExpr {
                key_var: f.intro.key_var.as_ref().map(|k| k.as_str().to_owned()),
                value_var: f.intro.value_var.as_str().to_owned(),
                collection: self.expr(&f.intro.collection_expr),
                key: f.key_expr.as_ref().map(|k| self.expr(k)),
                value: self.expr(&f.value_expr),
                grouping: f.grouping,
                condition: f.cond.as_ref().map(|c| self.expr(&c.expr)),
            })),
        };
        Expr { kind, span }
    }

    pub fn template(&self, template: &Template) -> ExprKind {
        let mut parts = Vec::with_capacity(template.len());
        for element in template.iter() {
            match element {
                Element::Literal(literal) => parts.push(TemplatePart::Literal(literal.value().clone())),
                Element::Interpolation(interp) => {
                    parts.push(TemplatePart::Interpolation(Box::new(self.expr(&interp.expr))))
                }
                Element::Directive(_) => return ExprKind::Opaque,
            }
        }
        ExprKind::Template(parts)
    }
}

/// Reads `aoai-lint-ignore:` comments in the text just before a node (the comments above
/// a block or attribute), which ends where the node starts.
pub fn suppressions_before(prefix: &str, node: Span, out: &mut Vec<Suppression>) {
    let start = (node.start as usize).saturating_sub(prefix.len());
    let mut offset = 0;
    for line in prefix.split_inclusive('\n') {
        if let Some((at, len, suppression)) = parse_comment(line, "aoai-lint-ignore:") {
            let comment = Span::new(node.file, start + offset + at..start + offset + at + len);
            out.push(Suppression {
                comment,
                target: node,
                ..suppression
            });
        }
        offset += line.len();
    }
}

/// A comment line holding `marker` (`# `, `// ` or `/* */`): the byte offset and length of
/// the comment's text within the line, and what it says.
pub fn parse_comment(line: &str, marker: &str) -> Option<(usize, usize, Suppression)> {
    let trimmed = line.trim_start();
    let lead = line.len() - trimmed.len();
    let body = trimmed
        .strip_prefix('#')
        .or_else(|| trimmed.strip_prefix("//"))
        .or_else(|| trimmed.strip_prefix("/*"))?;
    let body = body.trim_end().trim_end_matches("*/").trim();
    let rest = body.strip_prefix(marker)?.trim();
    let mut rules = Vec::new();
    let mut until = None;
    let mut reason = Vec::new();
    let mut tokens = rest.split_whitespace().peekable();
    // Ids come first, separated by commas (with or without spaces).
    while let Some(token) = tokens.peek() {
        let more = token.ends_with(',');
        rules.extend(token.split(',').filter(|t| !t.is_empty()).map(str::to_owned));
        tokens.next();
        if !more && !tokens.peek().is_some_and(|t| t.starts_with(',')) {
            break;
        }
    }
    for token in tokens {
        match token.strip_prefix("until=") {
            Some(date) => until = Some(date.to_owned()),
            None => reason.push(token),
        }
    }
    let text_len = trimmed.trim_end().len();
    Some((
        lead,
        text_len,
        Suppression {
            rules,
            reason: (!reason.is_empty()).then(|| reason.join(" ")),
            until,
            comment: Span::new(FileId(0), 0..0),
            target: Span::new(FileId(0), 0..0),
        },
    ))
}
