//! HCL native syntax read straight into [`syntax`](super::syntax) trees, for the files that
//! keep to the common part of the language (nearly all Terraform).
//!
//! hcl-edit builds a lossless tree (every space and comment kept) at about 22 MB/s a core,
//! which the lowering then copies into the small tree and drops: that was most of the time
//! of a whole lint. This parser builds the small tree in one pass. It follows hcl-edit's
//! grammar exactly where it accepts, down to the spans and the comments that become ignore
//! comments (and the way it strips an indented heredoc), and gives up (`None`) on anything it
//! does not handle or that hcl-edit would reject: template directives, `~` strip markers,
//! non-ASCII identifiers, a lone carriage return, deep nesting, duplicate keys, every syntax
//! error. Then [`super::parse_hcl`] parses the file with hcl-edit as before, so hcl-edit
//! stays the reference: its error messages and its reading of every unusual file are
//! unchanged. The tests and the fuzz target `parse_native` check that whatever this parser
//! accepts, hcl-edit accepts too and lowers to the same tree.

use std::ops::Range;

use super::hcl::suppressions_before;
use super::syntax::*;
use crate::source::{FileId, Span};

/// hcl-edit refuses more than 64 nested levels; every level it counts is at least one here.
const MAX_DEPTH: usize = 64;
/// hcl-edit refuses more than 128 chained binary operators on a path through an expression;
/// no path has more than the expression's operators in all.
const MAX_OPERATORS: usize = 128;

/// The file's body and the ignore comments in front of its blocks and attributes, or
/// `None` when hcl-edit must read the file. `text` has no byte order mark; spans are shifted
/// by `shift` bytes (the mark's length) to point into the file.
pub fn parse(text: &str, file: FileId, shift: usize) -> Option<(Body, Vec<Suppression>)> {
    parse_with(text, file, shift, DuplicateKeys::Refuse)
}

/// What the parser does with a key given twice in one object constructor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateKeys {
    /// Leave the file to hcl-edit, which refuses it.
    Refuse,
    /// Keep both entries: Terraform reads `{ a = 1, a = 2 }` as `{ a = 2 }` (the evaluator
    /// keeps the last). For the files hcl-edit refuses for this alone.
    Keep,
}

/// As [`parse`], with duplicate object keys read as `duplicates` says.
pub fn parse_with(
    text: &str,
    file: FileId,
    shift: usize,
    duplicates: DuplicateKeys,
) -> Option<(Body, Vec<Suppression>)> {
    // A carriage return not followed by a line feed ends lines for some parsers and not for
    // others: not guessed at here.
    if memchr::memchr_iter(b'\r', text.as_bytes()).any(|at| text.as_bytes().get(at + 1) != Some(&b'\n')) {
        return None;
    }
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        file,
        shift,
        depth: 0,
        operators: 0,
        suppressions: Vec::new(),
        duplicates,
    };
    let body = parser.body(true)?;
    Some((body, parser.suppressions))
}

struct Parser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    file: FileId,
    shift: usize,
    depth: usize,
    /// Binary operators in the current attribute's expression.
    operators: usize,
    suppressions: Vec<Suppression>,
    duplicates: DuplicateKeys,
}

/// An expression and the text it was read from: the span of a parenthesised expression
/// leaves the parentheses out, but an operation or condition around it takes them in.
struct Spanned {
    expr: Expr,
    outer: Range<usize>,
}

fn is_id_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_id_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

impl<'t> Parser<'t> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    fn starts_with(&self, s: &str) -> bool {
        self.bytes[self.pos..].starts_with(s.as_bytes())
    }

    fn eat(&mut self, b: u8) -> Option<()> {
        (self.peek() == Some(b)).then(|| self.pos += 1)
    }

    fn eat_str(&mut self, s: &str) -> Option<()> {
        self.starts_with(s).then(|| self.pos += s.len())
    }

    fn span(&self, range: Range<usize>) -> Span {
        Span::new(self.file, range.start + self.shift..range.end + self.shift)
    }

    /// One level deeper; `None` past the depth hcl-edit allows.
    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    // Whitespace and comments.

    /// Spaces, tabs and `/* */` comments (which may span lines): what may sit between the
    /// parts of a line.
    fn sp(&mut self) -> Option<()> {
        loop {
            while matches!(self.peek(), Some(b' ' | b'\t')) {
                self.pos += 1;
            }
            if self.starts_with("/*") {
                self.inline_comment()?;
            } else {
                return Some(());
            }
        }
    }

    /// Any whitespace, line breaks and comments.
    fn ws(&mut self) -> Option<()> {
        loop {
            while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
                self.pos += 1;
            }
            match self.peek() {
                Some(b'#') => self.line_comment(),
                Some(b'/') if self.peek_at(1) == Some(b'/') => self.line_comment(),
                Some(b'/') if self.peek_at(1) == Some(b'*') => self.inline_comment()?,
                _ => return Some(()),
            }
        }
    }

    /// Inside brackets, parentheses and after some terms an expression may go on over line
    /// breaks; elsewhere a line break ends it.
    fn ws_or_sp(&mut self, newlines: bool) -> Option<()> {
        if newlines { self.ws() } else { self.sp() }
    }

    /// A `#` or `//` comment up to (not including) the line break.
    fn line_comment(&mut self) {
        self.pos = memchr::memchr(b'\n', &self.bytes[self.pos..]).map_or(self.bytes.len(), |at| {
            // A carriage return before the line feed belongs to the line break.
            let end = self.pos + at;
            if end > self.pos && self.bytes[end - 1] == b'\r' {
                end - 1
            } else {
                end
            }
        });
    }

    /// `/* ... */`; an unclosed one is an error.
    fn inline_comment(&mut self) -> Option<()> {
        let close = memchr::memmem::find(&self.bytes[self.pos + 2..], b"*/")?;
        self.pos += 2 + close + 2;
        Some(())
    }

    fn line_ending(&mut self) -> Option<()> {
        if self.eat(b'\n').is_some() {
            return Some(());
        }
        self.eat_str("\r\n")
    }

    /// A trailing `#` or `//` comment, if one starts here.
    fn opt_line_comment(&mut self) {
        if self.peek() == Some(b'#') || self.starts_with("//") {
            self.line_comment();
        }
    }

    fn ident(&mut self) -> Option<&'t str> {
        let start = self.pos;
        if !self.peek().is_some_and(is_id_start) {
            return None;
        }
        self.pos += 1;
        while self.peek().is_some_and(is_id_continue) {
            self.pos += 1;
        }
        // A non-ASCII letter may go on with the name: not this parser's business.
        if self.peek().is_some_and(|b| !b.is_ascii()) {
            return None;
        }
        Some(&self.text[start..self.pos])
    }

    // Structure.

    /// Attributes and blocks up to the end of the file (`top`) or a closing brace.
    fn body(&mut self, top: bool) -> Option<Body> {
        let mut body = Body::default();
        loop {
            // The comments above a structure are its prefix, from the end of the line before.
            let prefix_start = self.pos;
            self.ws()?;
            match self.peek() {
                None if top => break,
                Some(b'}') if !top => break,
                Some(b) if is_id_start(b) => {}
                _ => return None,
            }
            let prefix = prefix_start..self.pos;
            self.structure(&mut body, prefix)?;
            self.sp()?;
            self.opt_line_comment();
            if self.peek().is_some() {
                self.line_ending()?;
            }
        }
        // Terraform and hcl-edit refuse an attribute set twice in one body.
        let mut names: Vec<&str> = body.attributes.iter().map(|a| a.name.as_str()).collect();
        names.sort_unstable();
        if names.windows(2).any(|pair| pair[0] == pair[1]) {
            return None;
        }
        Some(body)
    }

    fn structure(&mut self, body: &mut Body, prefix: Range<usize>) -> Option<()> {
        let start = self.pos;
        let name = self.ident()?;
        let name_end = self.pos;
        self.sp()?;
        match self.peek()? {
            b'=' => {
                self.pos += 1;
                self.sp()?;
                let value = self.root_expr()?;
                let span = self.span(start..self.pos);
                suppressions_before(&self.text[prefix], span, &mut self.suppressions);
                body.attributes.push(Attribute {
                    name: name.to_owned(),
                    value,
                    span,
                });
            }
            b'{' | b'"' => self.block(body, prefix, start, name, name_end)?,
            b if is_id_start(b) => self.block(body, prefix, start, name, name_end)?,
            _ => return None,
        }
        Some(())
    }

    fn block(
        &mut self,
        body: &mut Body,
        prefix: Range<usize>,
        start: usize,
        kind: &str,
        mut head_end: usize,
    ) -> Option<()> {
        let mut labels = Vec::new();
        while self.peek() != Some(b'{') {
            let label = match self.peek()? {
                b'"' => self.quoted_label()?,
                _ => self.ident()?.to_owned(),
            };
            head_end = self.pos;
            labels.push(label);
            self.sp()?;
        }
        self.pos += 1;
        self.enter()?;
        let save = self.pos;
        self.sp()?;
        self.opt_line_comment();
        let block_body = if self.line_ending().is_some() {
            self.body(false)?
        } else {
            // One line: `{}` or `{ name = value }`.
            self.pos = save;
            let mut one_line = Body::default();
            let before = self.pos;
            self.sp()?;
            if self.peek().is_some_and(is_id_start) {
                let attr_start = self.pos;
                let name = self.ident()?;
                self.sp()?;
                self.eat(b'=')?;
                self.sp()?;
                let value = self.root_expr()?;
                let span = self.span(attr_start..self.pos);
                suppressions_before(&self.text[before..attr_start], span, &mut self.suppressions);
                one_line.attributes.push(Attribute {
                    name: name.to_owned(),
                    value,
                    span,
                });
                self.sp()?;
            }
            one_line
        };
        self.eat(b'}')?;
        self.leave();
        let span = self.span(start..self.pos);
        // After the comments inside the block, as the lowering of hcl-edit's tree does.
        suppressions_before(&self.text[prefix], span, &mut self.suppressions);
        let block = Block {
            kind: kind.to_owned(),
            labels,
            body: block_body,
            span,
            head: self.span(start..head_end),
        };
        if block.kind == "dynamic" {
            body.dynamic_blocks.push(block);
        } else {
            body.blocks.push(block);
        }
        Some(())
    }

    /// A block label in quotes: a plain string, no template.
    fn quoted_label(&mut self) -> Option<String> {
        match self.quoted()? {
            ExprKind::String(s) => Some(s),
            _ => None,
        }
    }

    // Expressions.

    /// An attribute's value.
    fn root_expr(&mut self) -> Option<Expr> {
        self.operators = 0;
        Some(self.expr(false)?.expr)
    }

    /// A term, then binary operations and a condition. `newlines` says whether line breaks
    /// may sit between its parts; a bracketed term or a call at its start allows them for the
    /// rest of it (as hcl-edit's parse state does).
    fn expr(&mut self, newlines: bool) -> Option<Spanned> {
        self.enter()?;
        let start = self.pos;
        let mut newlines = newlines;
        let mut current = self.term(&mut newlines)?;
        loop {
            let save = self.pos;
            self.ws_or_sp(newlines)?;
            let (Some(first), Some(second)) = (self.peek(), self.peek_at(1)) else {
                self.pos = save;
                break;
            };
            if first == b'?' {
                self.pos += 1;
                self.ws_or_sp(newlines)?;
                let yes = self.expr(newlines)?;
                self.ws_or_sp(newlines)?;
                self.eat(b':')?;
                self.ws_or_sp(newlines)?;
                let no = self.expr(newlines)?;
                current = Spanned {
                    expr: Expr {
                        kind: ExprKind::Conditional(Box::new(current.expr), Box::new(yes.expr), Box::new(no.expr)),
                        span: self.span(start..self.pos),
                    },
                    outer: start..self.pos,
                };
                break;
            }
            let comment = first == b'/' && matches!(second, b'/' | b'*');
            let operator = (first == b'=' && second == b'=')
                || matches!(
                    first,
                    b'!' | b'<' | b'>' | b'+' | b'-' | b'*' | b'/' | b'%' | b'&' | b'|'
                );
            if operator && !comment {
                self.pos = save;
                current = self.binary_operations(current, newlines)?;
            } else {
                self.pos = save;
                break;
            }
        }
        self.leave();
        Some(current)
    }

    fn binary_operator(&mut self) -> Option<BinaryOp> {
        let (op, len) = match (self.peek()?, self.peek_at(1)) {
            (b'=', Some(b'=')) => (BinaryOp::Eq, 2),
            (b'!', Some(b'=')) => (BinaryOp::NotEq, 2),
            (b'<', Some(b'=')) => (BinaryOp::LessEq, 2),
            (b'>', Some(b'=')) => (BinaryOp::GreaterEq, 2),
            (b'<', _) => (BinaryOp::Less, 1),
            (b'>', _) => (BinaryOp::Greater, 1),
            (b'+', _) => (BinaryOp::Add, 1),
            (b'-', _) => (BinaryOp::Sub, 1),
            (b'*', _) => (BinaryOp::Mul, 1),
            (b'/', next) if !matches!(next, Some(b'/' | b'*')) => (BinaryOp::Div, 1),
            (b'%', _) => (BinaryOp::Mod, 1),
            (b'&', Some(b'&')) => (BinaryOp::And, 2),
            (b'|', Some(b'|')) => (BinaryOp::Or, 2),
            _ => return None,
        };
        self.pos += len;
        Some(op)
    }

    /// A chain of binary operations after `first`, grouped by precedence, left to right.
    fn binary_operations(&mut self, first: Spanned, newlines: bool) -> Option<Spanned> {
        let mut operands = vec![first];
        let mut operators = Vec::new();
        loop {
            let save = self.pos;
            self.ws_or_sp(newlines)?;
            let Some(op) = self.binary_operator() else {
                // The first operator must be one (hcl-edit fails otherwise); after it, anything
                // else ends the chain.
                if operators.is_empty() {
                    return None;
                }
                self.pos = save;
                break;
            };
            self.ws_or_sp(newlines)?;
            let mut operand_newlines = newlines;
            operands.push(self.term(&mut operand_newlines)?);
            operators.push(op);
            self.operators += 1;
            if self.operators > MAX_OPERATORS {
                return None;
            }
        }
        let mut operands = operands.into_iter();
        let first = operands.next()?;
        let mut rest = operators.into_iter().zip(operands).peekable();
        Some(self.climb(first, &mut rest, 0))
    }

    /// Precedence climbing: operators of at least `min` precedence, left-associative.
    fn climb(
        &self,
        mut lhs: Spanned,
        rest: &mut std::iter::Peekable<impl Iterator<Item = (BinaryOp, Spanned)>>,
        min: u8,
    ) -> Spanned {
        while let Some(&(op, _)) = rest.peek() {
            if precedence(op) < min {
                break;
            }
            let Some((op, mut rhs)) = rest.next() else { break };
            while rest.peek().is_some_and(|(next, _)| precedence(*next) > precedence(op)) {
                rhs = self.climb(rhs, rest, precedence(op) + 1);
            }
            let outer = lhs.outer.start..rhs.outer.end;
            lhs = Spanned {
                expr: Expr {
                    kind: ExprKind::Binary(op, Box::new(lhs.expr), Box::new(rhs.expr)),
                    span: self.span(outer.clone()),
                },
                outer,
            };
        }
        lhs
    }

    /// A term and the traversals after it (`.name`, `[index]`, splats).
    fn term(&mut self, newlines: &mut bool) -> Option<Spanned> {
        self.enter()?;
        let start = self.pos;
        let expr = match self.peek()? {
            b'"' => {
                let kind = self.quoted()?;
                Expr {
                    kind,
                    span: self.span(start..self.pos),
                }
            }
            b'[' => {
                *newlines = true;
                self.tuple()?
            }
            b'{' => self.object(newlines)?,
            b'0'..=b'9' => {
                let value = self.number()?;
                Expr {
                    kind: ExprKind::Number(value),
                    span: self.span(start..self.pos),
                }
            }
            b'<' => self.heredoc()?,
            b'-' => self.negative_number().map_or_else(|| self.unary(*newlines), Some)?,
            b'!' => self.unary(*newlines)?,
            b'(' => {
                self.pos += 1;
                self.ws()?;
                let inner = self.expr(true)?.expr;
                self.ws()?;
                self.eat(b')')?;
                inner
            }
            b if is_id_start(b) => self.identifier_or_call(newlines)?,
            _ => return None,
        };
        let mut term = Spanned {
            expr,
            outer: start..self.pos,
        };
        let save = self.pos;
        self.ws_or_sp(*newlines)?;
        let traversal = match (self.peek(), self.peek_at(1)) {
            (Some(b'.'), Some(b'.')) => false,
            (Some(b'.' | b'['), Some(_)) => true,
            _ => false,
        };
        if traversal {
            let mut accessors = Vec::new();
            loop {
                accessors.push(self.accessor()?);
                let save = self.pos;
                self.ws_or_sp(*newlines)?;
                let more = match (self.peek(), self.peek_at(1)) {
                    (Some(b'.'), Some(b'.')) => false,
                    (Some(b'.' | b'['), _) => true,
                    _ => false,
                };
                if !more {
                    self.pos = save;
                    break;
                }
            }
            term = Spanned {
                expr: Expr {
                    kind: ExprKind::Traversal(Box::new(term.expr), accessors),
                    span: self.span(start..self.pos),
                },
                outer: start..self.pos,
            };
        } else {
            self.pos = save;
        }
        self.leave();
        Some(term)
    }

    fn accessor(&mut self) -> Option<Accessor> {
        let start = self.pos;
        if self.eat(b'.').is_some() {
            self.ws()?;
            match self.peek()? {
                b'*' => {
                    self.pos += 1;
                    Some(Accessor::Splat)
                }
                b'0'..=b'9' => {
                    let digits = self.digits();
                    // A legacy index is a decimal without leading zeros: hcl-edit refuses `.01`.
                    if digits.len() > 1 && self.bytes[digits.start] == b'0' {
                        return None;
                    }
                    let index: u64 = self.text[digits].parse().ok()?;
                    Some(Accessor::Index(Box::new(Expr {
                        kind: ExprKind::Number(index as f64),
                        span: self.span(start..self.pos),
                    })))
                }
                _ => {
                    let name = self.ident()?;
                    Some(Accessor::Attr(name.to_owned(), self.span(start..self.pos)))
                }
            }
        } else {
            self.eat(b'[')?;
            self.ws()?;
            let accessor = if self.eat(b'*').is_some() {
                Accessor::Splat
            } else {
                Accessor::Index(Box::new(self.expr(true)?.expr))
            };
            self.ws()?;
            self.eat(b']')?;
            Some(accessor)
        }
    }

    fn digits(&mut self) -> Range<usize> {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        start..self.pos
    }

    /// Digits, an optional fraction and an optional exponent, as hcl-edit reads them: `1.`
    /// is the number 1 and a `.` traversal, `1e` is an error.
    fn number(&mut self) -> Option<f64> {
        let start = self.pos;
        self.digits();
        if self.peek() == Some(b'.') && self.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits().is_empty() {
                return None;
            }
        }
        let value: f64 = self.text[start..self.pos].parse().ok()?;
        value.is_finite().then_some(value)
    }

    /// `-` and a number are one negative number (hcl-edit's integers: `-0` is 0).
    fn negative_number(&mut self) -> Option<Expr> {
        let start = self.pos;
        self.pos += 1;
        self.sp()?;
        if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos = start;
            return None;
        }
        let value = self.number()?;
        Some(Expr {
            kind: ExprKind::Number(if value == 0.0 { 0.0 } else { -value }),
            span: self.span(start..self.pos),
        })
    }

    fn unary(&mut self, newlines: bool) -> Option<Expr> {
        let start = self.pos;
        let op = match self.peek()? {
            b'-' => UnaryOp::Neg,
            b'!' => UnaryOp::Not,
            _ => return None,
        };
        self.pos += 1;
        self.sp()?;
        self.enter()?;
        let mut operand_newlines = newlines;
        let operand = self.term(&mut operand_newlines)?;
        self.leave();
        Some(Expr {
            kind: ExprKind::Unary(op, Box::new(operand.expr)),
            span: self.span(start..self.pos),
        })
    }

    fn identifier_or_call(&mut self, newlines: &mut bool) -> Option<Expr> {
        let start = self.pos;
        let name = self.ident()?;
        let save = self.pos;
        self.ws_or_sp(*newlines)?;
        match (self.peek(), self.peek_at(1)) {
            // A provider's function: `provider::azapi::parse_resource_id(...)`, by its name.
            (Some(b':'), Some(b':')) => {
                let mut name = name;
                while self.eat_str("::").is_some() {
                    self.ws_or_sp(*newlines)?;
                    name = self.ident()?;
                    self.ws_or_sp(*newlines)?;
                }
                *newlines = true;
                self.call(start, name)
            }
            (Some(b'('), Some(_)) => {
                *newlines = true;
                self.call(start, name)
            }
            _ => {
                self.pos = save;
                let kind = match name {
                    "null" => ExprKind::Null,
                    "true" => ExprKind::Bool(true),
                    "false" => ExprKind::Bool(false),
                    _ => ExprKind::Variable(name.to_owned()),
                };
                Some(Expr {
                    kind,
                    span: self.span(start..self.pos),
                })
            }
        }
    }

    fn call(&mut self, start: usize, name: &str) -> Option<Expr> {
        self.eat(b'(')?;
        let mut args = Vec::new();
        let mut expand_final = false;
        self.ws()?;
        if !matches!(self.peek()?, b',' | b'.' | b')') {
            loop {
                args.push(self.expr(true)?.expr);
                self.ws()?;
                match self.peek()? {
                    b',' => {
                        self.pos += 1;
                        self.ws()?;
                        match self.peek()? {
                            b')' => break,
                            b',' | b'.' => return None,
                            _ => {}
                        }
                    }
                    b'.' => {
                        self.eat_str("...")?;
                        expand_final = true;
                        self.ws()?;
                        break;
                    }
                    b')' => break,
                    _ => return None,
                }
            }
        }
        self.eat(b')')?;
        Some(Expr {
            kind: ExprKind::Call {
                name: name.to_owned(),
                args,
                expand_final,
            },
            span: self.span(start..self.pos),
        })
    }

    /// `for`, then a space, a tab, a comment or a line break (so that `format(...)` is no
    /// `for`), after any whitespace.
    fn at_for(&mut self) -> Option<bool> {
        let save = self.pos;
        self.ws()?;
        let found = self.starts_with("for") && matches!(self.peek_at(3), Some(b' ' | b'\t' | b'#' | b'/' | b'\n'));
        self.pos = save;
        Some(found)
    }

    /// `for k, v in collection :` up to the colon.
    fn for_intro(&mut self) -> Option<(Option<String>, String, Expr)> {
        self.ws()?;
        self.eat_str("for")?;
        self.ws()?;
        let first = self.ident()?.to_owned();
        self.ws()?;
        let second = if self.eat(b',').is_some() {
            self.ws()?;
            let second = self.ident()?.to_owned();
            self.ws()?;
            Some(second)
        } else {
            None
        };
        self.eat_str("in")?;
        self.ws()?;
        let collection = self.expr(false)?.expr;
        self.ws()?;
        self.eat(b':')?;
        Some(match second {
            Some(value) => (Some(first), value, collection),
            None => (None, first, collection),
        })
    }

    /// ` if condition` at the end of a `for`, if one follows.
    fn for_condition(&mut self, newlines: bool) -> Option<Option<Expr>> {
        let save = self.pos;
        self.ws()?;
        if self.eat_str("if").is_none() {
            self.pos = save;
            return Some(None);
        }
        self.ws()?;
        let condition = self.expr(newlines)?.expr;
        self.ws()?;
        Some(Some(condition))
    }

    fn tuple(&mut self) -> Option<Expr> {
        let start = self.pos;
        self.eat(b'[')?;
        if self.at_for()? {
            let (key_var, value_var, collection) = self.for_intro()?;
            self.ws()?;
            let value = self.expr(true)?.expr;
            self.ws()?;
            let condition = self.for_condition(true)?;
            self.eat(b']')?;
            return Some(Expr {
                kind: ExprKind::For(Box::new(ForExpr {
                    key_var,
                    value_var,
                    collection,
                    key: None,
                    value,
                    grouping: false,
                    condition,
                })),
                span: self.span(start..self.pos),
            });
        }
        let mut items = Vec::new();
        self.ws()?;
        if self.peek()? != b']' {
            loop {
                items.push(self.expr(true)?.expr);
                self.ws()?;
                match self.peek()? {
                    b',' => {
                        self.pos += 1;
                        self.ws()?;
                        if self.peek()? == b']' {
                            break;
                        }
                    }
                    b']' => break,
                    _ => return None,
                }
            }
        }
        self.eat(b']')?;
        Some(Expr {
            kind: ExprKind::Tuple(items),
            span: self.span(start..self.pos),
        })
    }

    fn object(&mut self, newlines: &mut bool) -> Option<Expr> {
        let start = self.pos;
        self.eat(b'{')?;
        if self.at_for()? {
            *newlines = true;
            let (key_var, value_var, collection) = self.for_intro()?;
            self.ws()?;
            let key = self.expr(false)?.expr;
            self.ws()?;
            self.eat_str("=>")?;
            self.ws()?;
            let value = self.expr(false)?.expr;
            self.ws()?;
            let grouping = self.eat_str("...").is_some();
            if grouping {
                self.ws()?;
            }
            let condition = self.for_condition(true)?;
            self.eat(b'}')?;
            return Some(Expr {
                kind: ExprKind::For(Box::new(ForExpr {
                    key_var,
                    value_var,
                    collection,
                    key: Some(key),
                    value,
                    grouping,
                    condition,
                })),
                span: self.span(start..self.pos),
            });
        }
        let mut entries: Vec<(ObjectKey, Expr)> = Vec::new();
        loop {
            self.ws()?;
            if self.peek()? == b'}' {
                break;
            }
            // A bare name is the string of that name; `(name)` is the variable.
            let key = self.expr(false)?;
            let bare = self.span(key.outer) == key.expr.span;
            let key = match key.expr.kind {
                ExprKind::Variable(name) if bare => ObjectKey::Name(name),
                kind => ObjectKey::Expr(Box::new(Expr {
                    kind,
                    span: key.expr.span,
                })),
            };
            self.sp()?;
            if !matches!(self.peek()?, b'=' | b':') {
                return None;
            }
            self.pos += 1;
            self.sp()?;
            let value = self.expr(false)?.expr;
            self.sp()?;
            entries.push((key, value));
            match self.peek()? {
                b'}' => break,
                b'\n' | b',' => self.pos += 1,
                b'\r' => self.eat_str("\r\n")?,
                b'#' | b'/' => {
                    if !(self.peek() == Some(b'#') || self.starts_with("//")) {
                        return None;
                    }
                    self.line_comment();
                    self.line_ending()?;
                }
                _ => return None,
            }
        }
        self.eat(b'}')?;
        if self.duplicates == DuplicateKeys::Refuse && has_duplicate_keys(&entries) {
            return None;
        }
        Some(Expr {
            kind: ExprKind::Object(entries),
            span: self.span(start..self.pos),
        })
    }

    /// A quoted string: a plain string, or a template when it interpolates.
    fn quoted(&mut self) -> Option<ExprKind> {
        self.eat(b'"')?;
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut interpolates = false;
        loop {
            let run = self.pos;
            while !matches!(self.peek()?, b'"' | b'\\' | b'$' | b'%' | b'\n') {
                self.pos += 1;
            }
            literal.push_str(&self.text[run..self.pos]);
            match self.peek()? {
                b'"' => {
                    self.pos += 1;
                    break;
                }
                b'\\' => literal.push(self.escape()?),
                b'$' | b'%' => self.template_marker(&mut literal, &mut parts, &mut interpolates)?,
                // Terraform refuses a line break in a quoted string; hcl-edit decides.
                _ => return None,
            }
        }
        if !interpolates {
            return Some(ExprKind::String(literal));
        }
        if !literal.is_empty() {
            parts.push(TemplatePart::Literal(literal));
        }
        Some(ExprKind::Template(parts))
    }

    /// At a `$` or `%` in a template: `$${` and `%%{` are the literal `${` and `%{`, `${` an
    /// interpolation (a `%{` directive is left to hcl-edit); anything else is itself.
    fn template_marker(
        &mut self,
        literal: &mut String,
        parts: &mut Vec<TemplatePart>,
        interpolates: &mut bool,
    ) -> Option<()> {
        if self.eat_str("$${").is_some() {
            literal.push_str("${");
        } else if self.eat_str("%%{").is_some() {
            literal.push_str("%{");
        } else if self.starts_with("%{") {
            return None;
        } else if self.eat_str("${").is_some() {
            if self.peek()? == b'~' {
                return None;
            }
            self.ws()?;
            let expr = self.expr(true)?.expr;
            self.ws()?;
            self.eat(b'}')?;
            if !literal.is_empty() {
                parts.push(TemplatePart::Literal(std::mem::take(literal)));
            }
            parts.push(TemplatePart::Interpolation(Box::new(expr)));
            *interpolates = true;
        } else {
            literal.push(self.peek()? as char);
            self.pos += 1;
        }
        Some(())
    }

    fn escape(&mut self) -> Option<char> {
        self.eat(b'\\')?;
        let c = self.peek()?;
        self.pos += 1;
        Some(match c {
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'\\' => '\\',
            b'"' => '"',
            b'u' => self.hex_escape(4)?,
            b'U' => self.hex_escape(8)?,
            _ => return None,
        })
    }

    fn hex_escape(&mut self, len: usize) -> Option<char> {
        let hex = self.text.get(self.pos..self.pos + len)?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        self.pos += len;
        char::from_u32(u32::from_str_radix(hex, 16).ok()?)
    }

    /// `<<NAME` (or `<<-NAME`, indented) to a line holding only `NAME` after spaces.
    fn heredoc(&mut self) -> Option<Expr> {
        let start = self.pos;
        self.eat_str("<<")?;
        let indented = self.eat(b'-').is_some();
        let delimiter = self.ident()?;
        self.line_ending()?;
        let content = self.pos;
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut interpolates = false;
        loop {
            if let Some(end) = self.heredoc_end(delimiter)? {
                // The line break before the closing line ends the last literal.
                literal.push_str(&self.text[self.pos..end.line_break_end]);
                parts.push(TemplatePart::Literal(literal));
                self.pos = end.delimiter_end;
                break;
            }
            match self.peek() {
                None => {
                    // No closing line after any content: the heredoc is empty and closes on
                    // its first line.
                    self.pos = content;
                    while matches!(self.peek(), Some(b' ' | b'\t')) {
                        self.pos += 1;
                    }
                    self.eat_str(delimiter)?;
                    if self.peek().is_some_and(|b| is_id_continue(b) || !b.is_ascii()) {
                        return None;
                    }
                    parts.clear();
                    break;
                }
                Some(b'$' | b'%') => self.template_marker(&mut literal, &mut parts, &mut interpolates)?,
                Some(_) => {
                    let run = self.pos;
                    self.pos += 1;
                    while !matches!(self.peek(), None | Some(b'$' | b'%' | b'\n' | b'\r')) {
                        self.pos += 1;
                    }
                    literal.push_str(&self.text[run..self.pos]);
                }
            }
        }
        if indented {
            dedent(&mut parts);
        }
        Some(Expr {
            kind: ExprKind::Template(parts),
            span: self.span(start..self.pos),
        })
    }

    /// Whether a line break and the closing line start here; `None` when a non-ASCII
    /// character follows the delimiter (it may continue the name, or not).
    fn heredoc_end(&self, delimiter: &str) -> Option<Option<HeredocEnd>> {
        let line_break = match (self.peek(), self.peek_at(1)) {
            (Some(b'\n'), _) => 1,
            (Some(b'\r'), Some(b'\n')) => 2,
            _ => return Some(None),
        };
        let mut at = self.pos + line_break;
        while matches!(self.bytes.get(at), Some(b' ' | b'\t')) {
            at += 1;
        }
        if !self.bytes[at..].starts_with(delimiter.as_bytes()) {
            return Some(None);
        }
        let end = at + delimiter.len();
        match self.bytes.get(end) {
            Some(b) if !b.is_ascii() => None,
            Some(&b) if is_id_continue(b) => Some(None),
            _ => Some(Some(HeredocEnd {
                line_break_end: self.pos + line_break,
                delimiter_end: end,
            })),
        }
    }
}

/// Where a heredoc's last literal ends (after its line break) and where the closing
/// delimiter ends.
struct HeredocEnd {
    line_break_end: usize,
    delimiter_end: usize,
}

/// The indentation an indented heredoc's lines share, taken off, as hcl-edit takes it off:
/// the least indentation over the literal parts' lines counts, but not the first line of a
/// part that goes on from an interpolation, nor empty lines; a part with a line that has no
/// indentation at all does not count (and is stripped all the same); an interpolation at
/// the start of a line means nothing is taken off.
fn dedent(parts: &mut [TemplatePart]) {
    let mut indent: Option<usize> = None;
    let mut continues_line = false;
    for part in parts.iter() {
        match part {
            TemplatePart::Literal(text) => {
                if let Some(least) = least_indentation(text, continues_line) {
                    indent = Some(indent.map_or(least, |indent| indent.min(least)));
                }
                continues_line = !text.ends_with('\n');
            }
            TemplatePart::Interpolation(_) if !continues_line => return,
            TemplatePart::Interpolation(_) => {}
        }
    }
    let Some(indent) = indent else { return };
    let mut continues_line = false;
    for part in parts.iter_mut() {
        match part {
            TemplatePart::Literal(text) => {
                let mut out = String::with_capacity(text.len());
                for (i, line) in text.lines().enumerate() {
                    if i == 0 && continues_line {
                        out.push_str(line);
                    } else {
                        out.extend(line.chars().skip(indent));
                    }
                    out.push('\n');
                }
                if !text.ends_with('\n') {
                    out.pop();
                }
                *text = out;
                continues_line = !text.ends_with('\n');
            }
            TemplatePart::Interpolation(_) => continues_line = true,
        }
    }
}

/// The least indentation of a literal's lines, or `None` when a line has none.
fn least_indentation(text: &str, skip_first_line: bool) -> Option<usize> {
    let mut least: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        if (i == 0 && skip_first_line) || line.is_empty() {
            continue;
        }
        match line.chars().take_while(|c| c.is_whitespace()).count() {
            0 => return None,
            n => least = Some(least.map_or(n, |least| least.min(n))),
        }
    }
    least
}

fn precedence(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => 6,
        BinaryOp::Add | BinaryOp::Sub => 5,
        BinaryOp::Less | BinaryOp::LessEq | BinaryOp::Greater | BinaryOp::GreaterEq => 4,
        BinaryOp::Eq | BinaryOp::NotEq => 3,
        BinaryOp::And => 2,
        BinaryOp::Or => 1,
    }
}

/// A key given twice in one object literal, which hcl-edit refuses. Keys are compared as
/// trees without their spans: hcl-edit tells apart at least what these trees tell apart (it
/// also keeps parentheses and spacing), so a pair this finds equal may be one it allows, and
/// the object is then left to it; a pair this finds different, it finds different too.
fn has_duplicate_keys(entries: &[(ObjectKey, Expr)]) -> bool {
    let mut names: Vec<&str> = Vec::new();
    let mut strings: Vec<&str> = Vec::new();
    let mut others: Vec<&Expr> = Vec::new();
    for (key, _) in entries {
        match key {
            ObjectKey::Name(name) => names.push(name),
            ObjectKey::Expr(expr) => match &expr.kind {
                ExprKind::String(s) => strings.push(s),
                _ => others.push(expr),
            },
        }
    }
    let repeats = |list: &mut Vec<&str>| {
        list.sort_unstable();
        list.windows(2).any(|pair| pair[0] == pair[1])
    };
    // Compared pair by pair, each pair down to where the keys differ: past a few dozen keys
    // (rare in real code, and a way for hostile code to make the pairs many and long) the
    // object is left to hcl-edit.
    const MAX_COMPUTED_KEYS: usize = 64;
    repeats(&mut names)
        || repeats(&mut strings)
        || others.len() > MAX_COMPUTED_KEYS
        || others
            .iter()
            .enumerate()
            .any(|(i, a)| others[i + 1..].iter().any(|b| same_shape(a, b)))
}

/// Two expressions alike but for their spans.
fn same_shape(a: &Expr, b: &Expr) -> bool {
    let all = |a: &[Expr], b: &[Expr]| a.len() == b.len() && a.iter().zip(b).all(|(a, b)| same_shape(a, b));
    let opt = |a: &Option<Expr>, b: &Option<Expr>| match (a, b) {
        (Some(a), Some(b)) => same_shape(a, b),
        (None, None) => true,
        _ => false,
    };
    match (&a.kind, &b.kind) {
        (ExprKind::Null, ExprKind::Null) | (ExprKind::Opaque, ExprKind::Opaque) => true,
        (ExprKind::Bool(a), ExprKind::Bool(b)) => a == b,
        (ExprKind::Number(a), ExprKind::Number(b)) => a == b,
        (ExprKind::String(a), ExprKind::String(b)) | (ExprKind::Variable(a), ExprKind::Variable(b)) => a == b,
        (ExprKind::Template(a), ExprKind::Template(b)) => {
            a.len() == b.len()
                && a.iter().zip(b).all(|pair| match pair {
                    (TemplatePart::Literal(a), TemplatePart::Literal(b)) => a == b,
                    (TemplatePart::Interpolation(a), TemplatePart::Interpolation(b)) => same_shape(a, b),
                    _ => false,
                })
        }
        (ExprKind::Tuple(a), ExprKind::Tuple(b)) => all(a, b),
        (ExprKind::Object(a), ExprKind::Object(b)) => {
            a.len() == b.len()
                && a.iter().zip(b).all(|((ka, va), (kb, vb))| {
                    let keys = match (ka, kb) {
                        (ObjectKey::Name(a), ObjectKey::Name(b)) => a == b,
                        (ObjectKey::Expr(a), ObjectKey::Expr(b)) => same_shape(a, b),
                        _ => false,
                    };
                    keys && same_shape(va, vb)
                })
        }
        (ExprKind::Traversal(a, ops_a), ExprKind::Traversal(b, ops_b)) => {
            same_shape(a, b)
                && ops_a.len() == ops_b.len()
                && ops_a.iter().zip(ops_b).all(|pair| match pair {
                    (Accessor::Attr(a, _), Accessor::Attr(b, _)) => a == b,
                    (Accessor::Index(a), Accessor::Index(b)) => same_shape(a, b),
                    (Accessor::Splat, Accessor::Splat) => true,
                    _ => false,
                })
        }
        (
            ExprKind::Call {
                name: na,
                args: aa,
                expand_final: ea,
            },
            ExprKind::Call {
                name: nb,
                args: ab,
                expand_final: eb,
            },
        ) => na == nb && ea == eb && all(aa, ab),
        (ExprKind::Unary(oa, a), ExprKind::Unary(ob, b)) => oa == ob && same_shape(a, b),
        (ExprKind::Binary(oa, la, ra), ExprKind::Binary(ob, lb, rb)) => {
            oa == ob && same_shape(la, lb) && same_shape(ra, rb)
        }
        (ExprKind::Conditional(ca, ta, fa), ExprKind::Conditional(cb, tb, fb)) => {
            same_shape(ca, cb) && same_shape(ta, tb) && same_shape(fa, fb)
        }
        (ExprKind::For(a), ExprKind::For(b)) => {
            a.key_var == b.key_var
                && a.value_var == b.value_var
                && a.grouping == b.grouping
                && same_shape(&a.collection, &b.collection)
                && opt(&a.key, &b.key)
                && same_shape(&a.value, &b.value)
                && opt(&a.condition, &b.condition)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the native parser made of `text`, after checking it against hcl-edit: `true` when
    /// it read the text (and then hcl-edit reads it the same way), `false` when it left it.
    pub(crate) fn agrees_with_hcl_edit(text: &str) -> bool {
        let file = FileId(0);
        let Some(native) = parse(text, file, 0) else {
            return false;
        };
        match super::super::hcl_edit_lowered(text, file, 0) {
            Ok(reference) => assert_eq!(native, reference, "the two parsers differ on:\n{text}"),
            Err(err) => panic!("the native parser read what hcl-edit refuses ({err}):\n{text}"),
        }
        true
    }

    /// Each text is read by the native parser, as hcl-edit reads it.
    fn read_all<'a>(texts: impl IntoIterator<Item = &'a str>) {
        let left: Vec<(&str, bool)> = texts
            .into_iter()
            .filter(|text| !agrees_with_hcl_edit(text))
            .map(|text| (text, super::super::hcl_edit_lowered(text, FileId(0), 0).is_ok()))
            .collect();
        assert!(
            left.is_empty(),
            "left to hcl-edit (and whether it reads them): {left:#?}"
        );
    }

    /// Each text is left to hcl-edit.
    fn left_all<'a>(texts: impl IntoIterator<Item = &'a str>) {
        let read: Vec<&str> = texts.into_iter().filter(|text| agrees_with_hcl_edit(text)).collect();
        assert!(read.is_empty(), "read by the native parser: {read:#?}");
    }

    #[test]
    fn structure_reads_as_hcl_edit_reads_it() {
        read_all([
            "",
            "\n\n# only a comment\n",
            "a = 1",
            "a = 1\nb = \"x\"\n",
            "a = 1 # trailing\nb = 2 // trailing\nc = 3 /* inline */\n",
            "resource \"azurerm_cognitive_account\" \"this\" {\n  name = \"x\"\n}\n",
            "locals {\n}\n",
            "terraform {}\nprovider \"azurerm\" {\n  features {}\n}\n",
            "block {}\nblock { }\nblock { a = 1 }\nblock label { a = [1, 2] }\n",
            "block \"a\" ident \"b\" {\n  nested {\n    deeper {\n      x = 1\n    }\n  }\n}\n",
            "dynamic \"ip_rules\" {\n  for_each = var.ips\n  content {\n    ip = ip_rules.value\n  }\n}\n",
            "block { # a comment after the brace\n  a = 1\n}\n",
            "a = 1\r\nblock {\r\n  b = \"x\"\r\n}\r\n",
            "/* a comment\n   over lines */\na = 1\n",
            "a = /* before */ 1\n",
            "x = \"no newline at the end\"",
        ]);
    }

    #[test]
    fn ignore_comments_are_found_where_hcl_edit_puts_them() {
        read_all([
            "# aoai-lint-ignore: AOAI201 one region\nresource \"a\" \"b\" {\n  x = 1\n}\n",
            "resource \"a\" \"b\" {\n  # aoai-lint-ignore: AOAI502\n  local_auth_enabled = true\n  // aoai-lint-ignore: AOAI503 until=2027-01-01 later\n  y = 2\n}\n",
            "resource \"a\" \"b\" { # aoai-lint-ignore: AOAI502 on the brace's line\n  x = 1\n}\n",
            "block { /* aoai-lint-ignore: AOAI502 */ a = 1 }\n",
            "outer {\n  # aoai-lint-ignore: AOAI001\n  inner {\n    # aoai-lint-ignore: AOAI002\n    x = 1\n  }\n}\n",
            "a = 1 # aoai-lint-ignore: AOAI001 after, not before\nb = 2\n",
            "/* aoai-lint-ignore: AOAI001 */\na = 1\n",
        ]);
    }

    #[test]
    fn expressions_read_as_hcl_edit_reads_them() {
        let texts: Vec<String> = [
            "null",
            "true",
            "false",
            "0",
            "42",
            "1.5",
            "1e3",
            "2.5E-3",
            "007",
            "18446744073709551616",
            "-1",
            "- 1",
            "-0",
            "-0.0",
            "-1.5e2",
            "-x",
            "!x",
            "- /* c */ 2",
            "!!x",
            "-(1)",
            "\"\"",
            "\"plain\"",
            "\"esc \\n \\t \\r \\\\ \\\" \\u00e9 \\U0001F600\"",
            "\"$${not} %%{this}\"",
            "\"a $ b % c $$ d\"",
            "\"${x}\"",
            "\"a${x}b${y}\"",
            "\"${x}${y}\"",
            "\"nested ${\"in ${z}\"}\"",
            "\"é and ${var.x} ü\"",
            "[]",
            "[1]",
            "[1, 2,]",
            "[\n  1,\n  2\n]",
            "[\n  # c\n  1, // d\n]",
            "[[1], [2]]",
            "{}",
            "{ a = 1 }",
            "{ a = 1, b = 2 }",
            "{\n  a = 1\n  b = 2\n}",
            "{ a: 1 }",
            "{ \"k\" = 1 }",
            "{\n  a = 1 # c\n  b = 2 // d\n}",
            "{ (var.k) = 1 }",
            "{ a.b = 1, a.c = 2 }",
            "{ \"${x}-a\" = 1, \"${x}-b\" = 2 }",
            "{ a = 1, (a) = 2 }",
            "{ true = 1 }",
            "{\r\n  a = 1\r\n}",
            "x",
            "x.y",
            "x.y.z",
            "x[0]",
            "x[\"k\"]",
            "x.0",
            "x.0.1",
            "x.*.id",
            "x[*].id",
            "x . y",
            "x.\n  y",
            "x[\n  0\n]",
            "(x).y",
            "1.foo",
            "f()",
            "f(1)",
            "f(1, 2)",
            "f(1, 2,)",
            "f(list...)",
            "f(a, b...)",
            "f(\n  1,\n  2\n)",
            "f (1)",
            "provider::azapi::parse_resource_id(\"t\", x)",
            "a + b",
            "a - b - c",
            "a * b + c",
            "a + b * c",
            "a / b % c",
            "a == b",
            "a != b",
            "a < b",
            "a <= b",
            "a > b",
            "a >= 1 == false",
            "a && b || c",
            "a || b && c",
            "!a && b",
            "-a.b * c",
            "(a + b) * c",
            "a+b",
            "a -1",
            "a - -1",
            "a /* x */ + b",
            "a ? b : c",
            "a ? b : c ? d : e",
            "a == 1 ? \"x\" : \"y\"",
            "(a ? b : c).d",
            "length(var.x) > 0\n    ? \"a\"\n    : \"b\"",
            "[for x in xs : x]",
            "[for i, x in xs : x if i > 0]",
            "[for x in xs :\n  x\n  if x != null\n]",
            "{for k, v in m : k => v}",
            "{for k, v in m : v.name => k...}",
            "{for k, v in m : k => v if v}",
            "{ for k, v in m : k => v }",
            "[for x in [1, 2] : [for y in x : y]]",
            "[format(\"%s\", x)]",
            "{ format = 1 }",
            "[forx]",
            "<<EOT\nline\nEOT",
            "<<EOT\nEOT",
            "<<EOT\n\nEOT",
            "<<EOT\n${x}\nEOT",
            "<<EOT\na ${x} b\n  c\n  EOT",
            "<<EOT\n$${x} %%{y}\nEOT",
            "<<EOT\r\nline\r\nEOT",
            "<<-EOT\n  a\n    b\n  EOT",
            "<<-EOT\n  a ${x}\n  b\n  EOT",
            "<<-EOT\n  ${x}\n  EOT",
            "<<-EOT\nnot indented\nEOT",
            "<<-EOT\n  a${x}\nb\n  EOT",
            "<<EOT\nEOTX\nEOT",
            "<<EOT\n  EOT",
            "jsonencode({\n  a = <<EOT\nx\nEOT\n})",
            "[a\n[0]]",
            "f(x)\n  [0]",
        ]
        .iter()
        .map(|value| format!("x = {value}\n"))
        .collect();
        read_all(texts.iter().map(String::as_str));
    }

    #[test]
    fn what_it_does_not_read_is_left_to_hcl_edit() {
        let deep = format!("x = {}1{}\n", "[".repeat(40), "]".repeat(40));
        let computed_keys: String = (0..65).map(|i| format!("  (k.a{i}) = {i}\n")).collect();
        let computed_keys = format!("x = {{\n{computed_keys}}}\n");
        left_all([
            // Constructs hcl-edit reads by rules not repeated here.
            "x = \"%{ if a }b%{ endif }\"\n",
            "x = \"${~ a ~}\"\n",
            "x = <<EOT\n%{ for a in b }${a}%{ endfor }\nEOT\n",
            "π = 3.14\n",
            "a = b\rc = d\n",
            "x = { a = 1, a = 2 }\n",
            "x = { \"a\" = 1, \"a\" = 2 }\n",
            "a = 1\na = 2\n",
            "x = { (k) = 1, (k) = 2 }\n",
            // Errors, in hcl-edit's words and with its positions.
            "a = x.01\n",
            "a = [0 .00]\n",
            "a = [000\n.00]\n",
            "a =\n",
            "a = 1 b = 2\n",
            "block {\n  a = 1 }\n",
            "provider \"azurerm\" { features {} }\n",
            "block {\n  a = 1\n",
            "x = \"unterminated\n",
            "x = [1, 2\n",
            "x = f(,)\n",
            "x = 1e\n",
            "x = a !b\n",
            "x = \"\\q\"\n",
            "x = /* unclosed\n",
            "x = a.\n",
            "x = {\n  a = 1\n  + 2\n}\n",
            "x = -\n",
            "x = <<EOT\nno end\n",
            "}\n",
            "x = 1\n\0\n",
            &deep,
            &computed_keys,
        ]);
    }

    #[test]
    fn every_fixture_reads_as_hcl_edit_reads_it() {
        let mut files = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures"
        ))];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "tf" || e == "tfvars") {
                    files.push(path);
                }
            }
        }
        files.sort();
        let mut left_to_hcl_edit = Vec::new();
        for path in &files {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            if !agrees_with_hcl_edit(text) && super::super::hcl_edit_lowered(text, FileId(0), 0).is_ok() {
                left_to_hcl_edit.push(
                    path.strip_prefix(env!("CARGO_MANIFEST_DIR"))
                        .unwrap()
                        .display()
                        .to_string(),
                );
            }
        }
        assert!(files.len() >= 30, "{} files", files.len());
        assert_eq!(left_to_hcl_edit, Vec::<String>::new());
    }

    /// Terraform-like text: expressions of every kind nested a few levels, in attributes and
    /// blocks with comments, spaced with and without line breaks.
    fn hcl_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let name = "[a-z_][a-z0-9_-]{0,5}";
        let space = prop_oneof![Just(""), Just(" "), Just("\n"), Just(" # c\n"), Just("/* c */")];
        let leaf = prop_oneof![
            name.prop_map(|n| n),
            "[0-9]{1,3}(\\.[0-9]{1,2})?(e[0-9])?",
            "-[0-9]{1,2}",
            "\"[a-z $%{}\\\\\\\\n\"é]{0,8}\"",
            Just("null".to_owned()),
            Just("true".to_owned()),
        ];
        let inner_space = space.clone();
        let expr = leaf.prop_recursive(4, 48, 4, move |inner| {
            let space = inner_space.clone();
            let op = prop_oneof![
                Just("+"),
                Just("-"),
                Just("*"),
                Just("/"),
                Just("%"),
                Just("=="),
                Just("!="),
                Just("<"),
                Just(">="),
                Just("&&"),
                Just("||"),
                Just("!"),
                Just("=")
            ];
            prop_oneof![
                (inner.clone(), space.clone(), op, space.clone(), inner.clone())
                    .prop_map(|(a, s, o, t, b)| format!("{a}{s}{o}{t}{b}")),
                (inner.clone(), space.clone(), inner.clone(), inner.clone())
                    .prop_map(|(a, s, b, c)| format!("{a}{s}? {b} :{s}{c}")),
                (proptest::collection::vec(inner.clone(), 0..3), space.clone())
                    .prop_map(|(items, s)| format!("[{s}{}]", items.join(&format!(",{s}")))),
                (
                    proptest::collection::vec((name, inner.clone()), 0..3),
                    prop_oneof![Just(", "), Just("\n")]
                )
                    .prop_map(|(entries, sep)| {
                        let entries: Vec<String> = entries.iter().map(|(k, v)| format!("{k} = {v}")).collect();
                        format!("{{{}}}", entries.join(sep))
                    }),
                (
                    name,
                    proptest::collection::vec(inner.clone(), 0..3),
                    prop_oneof![Just(""), Just("..."), Just(",")]
                )
                    .prop_map(|(f, args, tail)| format!("{f}({}{tail})", args.join(", "))),
                inner.clone().prop_map(|e| format!("({e})")),
                (inner.clone(), name, space.clone()).prop_map(|(e, a, s)| format!("{e}{s}.{a}")),
                (inner.clone(), inner.clone()).prop_map(|(e, i)| format!("{e}[{i}]")),
                inner.clone().prop_map(|e| format!("{e}[*].id")),
                inner.clone().prop_map(|e| format!("\"a${{{e}}}b\"")),
                (inner.clone(), inner.clone()).prop_map(|(c, v)| format!("[for k, v in {c} : {v} if k]")),
                (inner.clone(), inner.clone()).prop_map(|(c, v)| format!("{{for k, v in {c} : k => {v}...}}")),
                (inner.clone(), prop_oneof![Just("<<"), Just("<<-")], "[ a-z]{0,4}")
                    .prop_map(|(e, start, text)| format!("{start}EOT\n  {text}${{{e}}}\n {text}\n  EOT")),
            ]
        });
        let attribute = (name, space.clone(), expr).prop_map(|(n, s, e)| format!("{s}{n} = {e}\n"));
        let block = (
            name,
            "( \"[a-z]{1,4}\"){0,2}",
            proptest::collection::vec(attribute.clone(), 0..3),
            space,
        )
            .prop_map(|(kind, labels, attrs, s)| {
                format!(
                    "{s}# aoai-lint-ignore: AOAI201 why\n{kind}{labels} {{\n{}}}\n",
                    attrs.concat()
                )
            });
        proptest::collection::vec(prop_oneof![attribute, block], 0..4).prop_map(|items| items.concat())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        #[test]
        fn whatever_it_reads_hcl_edit_reads_the_same(
            text in hcl_text(),
            cut in 0usize..400,
            insert in proptest::sample::select(&["", "\n", " ", "\"", "{", "}", "[", "]", "(", ")", ",", ".", ":", "?", "=", "#", "/*", "$", "${", "\\", "-", "<<", "\r\n", "..."][..]),
        ) {
            // The text as generated, and with one piece put in somewhere (near-misses are
            // where two parsers part ways).
            agrees_with_hcl_edit(&text);
            let mut at = cut.min(text.len());
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            let mutated = format!("{}{insert}{}", &text[..at], &text[at..]);
            agrees_with_hcl_edit(&mutated);
        }
    }
}
