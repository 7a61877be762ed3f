//! Where a resource's attributes are read from. [`Attributes`] is what the mapping to facts
//! needs; [`View`] reads the configuration through the evaluator, and the plan reader has its
//! own implementation, so one mapping serves both.

use std::collections::BTreeSet;

use super::{AccountLink, Blocks, Field, Known};
use crate::eval::value::{Unknown, Val, Value};
use crate::eval::{Evaluator, Scope};
use crate::parse::syntax::Body;
use crate::source::Span;

pub(crate) trait Attributes: Sized {
    /// Where a finding about a missing attribute points.
    fn head(&self) -> Span;
    /// The block the attributes are written in, when this reads the configuration and the
    /// block is written out (not made by a `dynamic` block).
    fn block(&self) -> Option<Span> {
        None
    }
    /// Where the name of attribute `name` is written, when this reads the configuration.
    fn attribute_name(&self, name: &str) -> Option<Span> {
        let _ = name;
        None
    }
    /// An attribute converted by `convert` (given the value, which it may keep: a string
    /// is moved into the fact, not copied); Unknown when it cannot be.
    fn field<T>(&self, name: &str, convert: impl FnOnce(Val) -> Option<T>) -> Field<T>;
    /// Nested blocks; `None` when their number is unknown.
    fn blocks(&self, kind: &str) -> Option<Vec<Self>>;
    /// A stand-in whose every attribute is unknown (a block behind an unknown `dynamic`).
    fn unknown_block(&self) -> Self;
    /// The account an id attribute names.
    fn account_link(&self, name: &str) -> AccountLink;
    /// Resources this one refers to, nested blocks included; `None` when something it
    /// refers to cannot be resolved (it might name an account).
    fn referenced_accounts(&self) -> Option<Vec<String>>;
    /// The account ids named in `path` (an attribute, or `block.attribute`); `None` when one
    /// of them cannot be resolved to a resource.
    fn targets(&self, path: &[&str]) -> Option<Vec<String>>;

    fn absent<T>(&self) -> Field<T> {
        Field {
            value: Known::Absent,
            span: self.head(),
            origin: crate::eval::value::Origin::none(),
        }
    }

    fn unknown_field<T>(&self) -> Field<T> {
        Field {
            value: Known::Unknown,
            span: self.head(),
            origin: crate::eval::value::Origin::none(),
        }
    }

    fn string(&self, name: &str) -> Field<String> {
        self.field(name, Val::into_terraform_string)
    }

    fn boolean(&self, name: &str) -> Field<bool> {
        self.field(name, |v| v.to_bool())
    }

    fn number(&self, name: &str) -> Field<f64> {
        self.field(name, |v| v.to_number())
    }

    fn strings(&self, name: &str) -> Field<Vec<String>> {
        self.field(name, |v| match &v.value {
            Value::List(items) => items.iter().map(Val::to_terraform_string).collect(),
            _ => None,
        })
    }

    /// Every nested block of `kind`, read by `read`.
    fn each_block<T>(&self, kind: &str, read: impl Fn(&Self) -> T) -> Blocks<T> {
        match self.blocks(kind) {
            None => Blocks::Unknown,
            Some(blocks) => Blocks::Known(blocks.iter().map(read).collect()),
        }
    }

    /// `Some(None)`: no such block; `None`: unknown.
    fn first_block(&self, kind: &str) -> Option<Option<Self>> {
        self.blocks(kind).map(|blocks| blocks.into_iter().next())
    }
}

/// A body to read attributes from, in the scope of one instance.
pub(crate) struct View<'e, 'a> {
    pub(crate) ev: &'e Evaluator<'a>,
    pub(crate) body: &'e Body,
    pub(crate) head: Span,
    /// The block the body is written in, keyword to closing brace (not a `dynamic` block's
    /// `content`, whose instances share it): where a fix writes a missing attribute.
    pub(crate) block: Option<Span>,
    pub(crate) scope: Scope,
    /// Stands for a block behind an unknown `dynamic`: every attribute is unknown.
    pub(crate) all_unknown: bool,
}

impl<'e, 'a> View<'e, 'a> {
    /// The nested blocks of `kind` as views; `None` when their number is unknown.
    fn views_of(&self, kind: &str) -> Option<impl Iterator<Item = View<'e, 'a>> + use<'e, 'a>> {
        if self.all_unknown {
            return None;
        }
        let ev = self.ev;
        let blocks = ev.blocks(self.body, kind, &self.scope)?;
        Some(blocks.into_iter().map(move |b| View {
            ev,
            body: b.body,
            head: b.block.head,
            block: std::ptr::eq(b.body, &b.block.body).then_some(b.block.span),
            scope: b.scope,
            all_unknown: false,
        }))
    }

    pub(crate) fn val(&self, name: &str) -> Val {
        match self.body.attribute(name) {
            Some(attr) => self.ev.eval(&attr.value, &self.scope),
            None => Val::from(Value::Null),
        }
    }

    /// The accounts a module call's inputs (but those in `skip`) may hand it; `None` when
    /// an unknown input might hold one. An input whose value can only come from outside the
    /// configuration (a root variable, a literal) hands it none, known or not: it cannot
    /// hold the id of a resource the configuration creates.
    pub(crate) fn accounts_handed_to_module(&self, skip: &[&str]) -> Option<Vec<String>> {
        let mut out = BTreeSet::new();
        self.collect_references(skip, true, &mut out)
            .then(|| out.into_iter().collect())
    }

    /// Adds the references found; false when an unknown value hides what it refers to (but,
    /// with `outside_names_none`, a value only from outside the configuration).
    fn collect_references(&self, skip: &[&str], outside_names_none: bool, out: &mut BTreeSet<String>) -> bool {
        fn walk(v: &Val, out: &mut BTreeSet<String>) -> bool {
            match &v.value {
                Value::Unknown(u) => match &u.computed {
                    Some(c) => {
                        out.insert(c.resource.clone());
                        true
                    }
                    None => false,
                },
                // Every element is walked (no short cut): all references are wanted.
                Value::List(items) => items
                    .iter()
                    .map(|i| walk(i, out))
                    .collect::<Vec<_>>()
                    .into_iter()
                    .all(|ok| ok),
                Value::Map(map) => map
                    .values()
                    .map(|i| walk(i, out))
                    .collect::<Vec<_>>()
                    .into_iter()
                    .all(|ok| ok),
                _ => true,
            }
        }
        let mut known = true;
        for attr in self.body.attributes.iter().filter(|a| !skip.contains(&a.name.as_str())) {
            // A value from outside the configuration (a root variable without a value, say)
            // is unknown, but it cannot name a resource the configuration creates.
            known &= walk(&self.ev.eval(&attr.value, &self.scope), out)
                || (outside_names_none && self.ev.holds_only_outside_values(self.scope.instance, &attr.value));
        }
        let mut kinds: Vec<&str> = self.body.blocks.iter().map(|b| b.kind.as_str()).collect();
        kinds.extend(
            self.body
                .dynamic_blocks
                .iter()
                .filter_map(|b| b.labels.first().map(String::as_str)),
        );
        kinds.sort_unstable();
        kinds.dedup();
        for kind in kinds {
            match self.blocks(kind) {
                Some(blocks) => {
                    for block in blocks {
                        known &= block.collect_references(&[], outside_names_none, out);
                    }
                }
                None => known = false,
            }
        }
        known
    }
}

impl Attributes for View<'_, '_> {
    fn head(&self) -> Span {
        self.head
    }

    fn block(&self) -> Option<Span> {
        self.block
    }

    fn attribute_name(&self, name: &str) -> Option<Span> {
        let attr = self.body.attribute(name)?;
        let start = attr.span.start as usize;
        Some(Span::new(attr.span.file, start..start + name.len()))
    }

    fn field<T>(&self, name: &str, convert: impl FnOnce(Val) -> Option<T>) -> Field<T> {
        if self.all_unknown {
            return self.unknown_field();
        }
        let Some(attr) = self.body.attribute(name) else {
            return self.absent();
        };
        let mut value = self.ev.eval(&attr.value, &self.scope);
        self.ev.remember_hidden(&value);
        let origin = std::mem::take(&mut value.origin);
        let state = match &value.value {
            // `null` means "not set": the provider's default applies.
            Value::Null => Known::Absent,
            _ => convert(value).map_or(Known::Unknown, Known::Value),
        };
        Field {
            value: state,
            span: attr.value.span,
            origin,
        }
    }

    fn blocks(&self, kind: &str) -> Option<Vec<Self>> {
        Some(self.views_of(kind)?.collect())
    }

    // The views of nested blocks read where they are made, rather than collected first.
    fn each_block<T>(&self, kind: &str, read: impl Fn(&Self) -> T) -> Blocks<T> {
        match self.views_of(kind) {
            None => Blocks::Unknown,
            Some(views) => Blocks::Known(views.map(|view| read(&view)).collect()),
        }
    }

    fn first_block(&self, kind: &str) -> Option<Option<Self>> {
        self.views_of(kind).map(|mut views| views.next())
    }

    fn unknown_block(&self) -> Self {
        View {
            ev: self.ev,
            body: &EMPTY,
            head: self.head,
            block: None,
            scope: self.scope.clone(),
            all_unknown: true,
        }
    }

    fn account_link(&self, name: &str) -> AccountLink {
        let value = self.val(name);
        match &value.value {
            Value::Unknown(unknown) => match &unknown.computed {
                Some(computed) if computed.attribute == "id" => AccountLink::Account(computed.resource.clone()),
                _ => AccountLink::Unknown,
            },
            _ => AccountLink::Unknown,
        }
    }

    fn referenced_accounts(&self) -> Option<Vec<String>> {
        let mut out = BTreeSet::new();
        self.collect_references(&[], false, &mut out)
            .then(|| out.into_iter().collect())
    }

    fn targets(&self, path: &[&str]) -> Option<Vec<String>> {
        match path {
            [attribute] => match &self.val(attribute).value {
                Value::Unknown(Unknown { computed: Some(c), .. }) if c.attribute == "id" => {
                    Some(vec![c.resource.clone()])
                }
                _ => None,
            },
            [block, rest @ ..] => {
                let mut out = Vec::new();
                for view in self.blocks(block)? {
                    out.extend(view.targets(rest)?);
                }
                Some(out)
            }
            [] => None,
        }
    }
}

static EMPTY: Body = Body {
    attributes: Vec::new(),
    blocks: Vec::new(),
    dynamic_blocks: Vec::new(),
};
