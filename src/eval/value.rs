//! Terraform values as far as a static reader can know them.
//!
//! `Unknown` is an ordinary value: it flows through every operation and every function, so
//! a rule only ever sees a known value when the configuration really determines it.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::diagnostic::Label;
use crate::source::Span;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    /// Tuples, lists and sets alike: the checks never depend on the difference.
    List(Shared<Vec<Val>>),
    /// Objects and maps alike; keys in lexical order as Terraform iterates them.
    Map(Shared<BTreeMap<String, Val>>),
    /// One instance of a resource declared in the configuration.
    Resource(Arc<ResourceObject>),
    Unknown(Unknown),
}

/// A list or map shared between the values that hold it. A configuration reads one element
/// of a collection that may hold thousands (`azurerm_cognitive_account.this[each.key]`,
/// `local.deployments[each.key]`) once per instance: a copy per read would make that quadratic.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shared<T>(Arc<T>);

impl<T: Clone> Shared<T> {
    /// The collection itself, copied only when another value still shares it.
    pub fn into_inner(self) -> T {
        Arc::unwrap_or_clone(self.0)
    }

    /// A collection to change in place, copied first when another value shares it.
    pub fn make_mut(&mut self) -> &mut T {
        Arc::make_mut(&mut self.0)
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> From<T> for Shared<T> {
    fn from(collection: T) -> Shared<T> {
        Shared(Arc::new(collection))
    }
}

impl<T: FromIterator<A>, A> FromIterator<A> for Shared<T> {
    fn from_iter<I: IntoIterator<Item = A>>(iter: I) -> Shared<T> {
        Shared(Arc::new(iter.into_iter().collect()))
    }
}

impl<T: Clone + IntoIterator> IntoIterator for Shared<T> {
    type Item = T::Item;
    type IntoIter = T::IntoIter;

    fn into_iter(self) -> T::IntoIter {
        self.into_inner().into_iter()
    }
}

impl<'a, T> IntoIterator for &'a Shared<T>
where
    &'a T: IntoIterator,
{
    type Item = <&'a T as IntoIterator>::Item;
    type IntoIter = <&'a T as IntoIterator>::IntoIter;

    fn into_iter(self) -> Self::IntoIter {
        self.0.as_ref().into_iter()
    }
}

/// Why a value is not known. Only the one case the extractor needs is kept: a computed
/// attribute of a resource (`azurerm_cognitive_account.x.id`), which links a deployment to
/// its account without ever knowing the id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Unknown {
    pub computed: Option<Arc<ComputedAttribute>>,
    /// Terraform would report an error here (a key missing from a known map): `try` and
    /// `can` treat this differently from a value that is merely not known yet.
    pub invalid: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ComputedAttribute {
    pub resource: String,
    pub attribute: String,
}

/// The attributes written in a resource instance's configuration; anything else is computed.
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceObject {
    pub address: String,
    pub attributes: BTreeMap<String, Val>,
}

/// Where a value came from: the places it was written and passed through, innermost first;
/// and whether it comes from a variable whose value must never be shown (see
/// [`Val::hidden_as`]), which every value computed from it inherits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Origin {
    chain: Option<Arc<OriginLink>>,
    hidden: Option<Arc<String>>,
}

#[derive(Debug, PartialEq)]
struct OriginLink {
    label: Label,
    via: Option<Via>,
    next: Option<Arc<OriginLink>>,
}

/// What a value passed through at a place: a name other expressions may read too (a fix
/// that writes where the value is written changes every reader), or an entry of a literal
/// object or map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// `var.NAME`, declared at `declared`: read in that module.
    Variable { name: Arc<str>, declared: Span },
    /// `local.NAME`, defined at `declared`.
    Local { name: Arc<str>, declared: Span },
    /// An output, read as `module.CALL.NAME` by the calling module.
    Output,
    /// Another resource's attribute: that resource's to change.
    Attribute,
    /// An entry of an object or map written as a literal: inside whatever holds the literal.
    Entry,
}

/// Bounds the chain of places kept per value; past this the innermost ones are enough.
const MAX_ORIGIN_LINKS: usize = 6;

impl Origin {
    pub fn none() -> Origin {
        Origin::default()
    }

    /// No place is known (a value may still be hidden).
    pub fn is_empty(&self) -> bool {
        self.chain.is_none()
    }

    /// `self` with `label` added as the outermost step.
    pub fn through(&self, label: Label) -> Origin {
        self.step(label, None)
    }

    /// `self` with `label` added as the outermost step, where the value passed through a name.
    pub fn through_via(&self, label: Label, via: Via) -> Origin {
        self.step(label, Some(via))
    }

    fn step(&self, label: Label, via: Option<Via>) -> Origin {
        if self.is_full() {
            return self.clone();
        }
        Origin {
            chain: Some(Arc::new(OriginLink {
                label,
                via,
                next: self.chain.clone(),
            })),
            hidden: self.hidden.clone(),
        }
    }

    /// The origin of a part of a value whose origin is `outer` (an element picked out of a
    /// map, a `for_each` entry): the part's own places, inside the names the whole passed
    /// through, since whoever reads that name reads this part too. The whole's origin when
    /// the part has none.
    pub fn within(&self, outer: &Origin) -> Origin {
        if self.chain.is_none() {
            return outer.clone();
        }
        // The names the whole passed through, and the entries it was picked out of.
        let named: Vec<(&Label, &Via)> = outer.steps().filter_map(|(l, via)| Some((l, via?))).collect();
        let mut origin = named.into_iter().rev().fold(self.clone(), |origin, (label, via)| {
            origin.through_via(label.clone(), via.clone())
        });
        if origin.hidden.is_none() {
            origin.hidden = outer.hidden.clone();
        }
        origin
    }

    /// Whether steps were dropped: the outermost places are then not known.
    pub fn is_full(&self) -> bool {
        self.links() >= MAX_ORIGIN_LINKS
    }

    /// Each place with the name the value passed through there, outermost first.
    pub fn steps(&self) -> impl Iterator<Item = (&Label, Option<&Via>)> {
        std::iter::successors(self.chain.as_deref(), |link| link.next.as_deref())
            .map(|link| (&link.label, link.via.as_ref()))
    }

    fn links(&self) -> usize {
        std::iter::successors(self.chain.as_ref(), |link| link.next.as_ref()).count()
    }

    /// Outermost first: the order a reader follows from the use site back to the value.
    ///
    /// A definition that holds the entry picked out of it (`local.accounts` and its
    /// `us = "eastus2"`) is said on the entry's label rather than shown whole: a map of
    /// thirty lines around the one line that matters is noise.
    pub fn labels(&self) -> Vec<Label> {
        let steps: Vec<(&Label, Option<&Via>)> = self.steps().collect();
        let mut out = Vec::with_capacity(steps.len());
        let mut holder: Option<&Label> = None;
        for (i, &(label, via)) in steps.iter().enumerate() {
            let holds_next = steps.get(i + 1).is_some_and(|(next, next_via)| {
                matches!(next_via, Some(Via::Entry))
                    && label.span.file == next.span.file
                    && label.span.start <= next.span.start
                    && next.span.end <= label.span.end
            });
            match via {
                Some(Via::Variable { .. } | Via::Local { .. }) if holds_next => holder = Some(label),
                // An entry inside an entry: the inner one says more.
                Some(Via::Entry) if holds_next => {}
                Some(Via::Entry) => match holder.take() {
                    Some(holder) => out.push(Label::new(
                        label.span,
                        format!("{} ({})", label.message, holder.message),
                    )),
                    None => out.push(label.clone()),
                },
                _ => out.push(label.clone()),
            }
        }
        out
    }

    /// The variable (`var.client_secret`) whose value this one is, or is computed from, when
    /// that value must not be shown.
    pub fn hidden(&self) -> Option<&Arc<String>> {
        self.hidden.as_ref()
    }

    /// One origin for a value computed from several: the places of the first operand that
    /// has any, hidden when any operand is.
    pub fn merge<'a>(origins: impl IntoIterator<Item = &'a Origin>) -> Origin {
        let mut merged = Origin::none();
        for origin in origins {
            if merged.chain.is_none() {
                merged.chain = origin.chain.clone();
            }
            if merged.hidden.is_none() {
                merged.hidden = origin.hidden.clone();
            }
        }
        merged
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Val {
    pub value: Value,
    pub origin: Origin,
    /// A map whose type declares optional attributes: a missing key has a value Terraform
    /// fills in, so it reads as unknown rather than as an error.
    pub open: bool,
}

impl From<Value> for Val {
    fn from(value: Value) -> Val {
        Val {
            value,
            origin: Origin::none(),
            open: false,
        }
    }
}

impl Val {
    pub fn unknown() -> Val {
        Value::Unknown(Unknown::default()).into()
    }

    /// What Terraform would reject (a missing key of a known map): `try` skips it.
    pub fn invalid() -> Val {
        Value::Unknown(Unknown {
            computed: None,
            invalid: true,
        })
        .into()
    }

    pub fn string(s: impl Into<String>) -> Val {
        Value::String(s.into()).into()
    }

    pub fn with_origin(mut self, origin: Origin) -> Val {
        self.origin = origin;
        self
    }

    /// This value, having passed through `label` on its way.
    pub fn passed_through(mut self, label: Label) -> Val {
        self.origin = self.origin.through(label);
        self
    }

    /// This value, having passed through the variable, local or output `via` at `label`.
    pub fn passed_via(mut self, label: Label, via: Via) -> Val {
        self.origin = self.origin.through_via(label, via);
        self
    }

    /// This value and everything inside it marked as the value of `variable`, never to be
    /// shown: it came from outside the repository (the environment, `--var`, a variables file
    /// outside it) or from a variable declared `sensitive`. What is computed from it inherits
    /// the mark through [`Origin::merge`].
    pub fn hidden_as(mut self, variable: &Arc<String>) -> Val {
        self.origin.hidden = Some(Arc::clone(variable));
        match &mut self.value {
            Value::List(items) => {
                for item in items.make_mut() {
                    *item = std::mem::replace(item, Val::unknown()).hidden_as(variable);
                }
            }
            Value::Map(map) => {
                for item in map.make_mut().values_mut() {
                    *item = std::mem::replace(item, Val::unknown()).hidden_as(variable);
                }
            }
            _ => {}
        }
        self
    }

    /// The texts a hidden value would be shown as (itself, or the strings inside it), at most
    /// `limit` of them.
    pub fn texts(&self, limit: usize, out: &mut Vec<String>) {
        if out.len() >= limit {
            return;
        }
        match &self.value {
            Value::List(items) => items.iter().for_each(|v| v.texts(limit, out)),
            Value::Map(map) => map.values().for_each(|v| v.texts(limit, out)),
            _ => out.extend(self.to_terraform_string()),
        }
    }

    /// This value and everything inside it marked [`open`](Val::open).
    pub fn opened(mut self) -> Val {
        self.open = true;
        match &mut self.value {
            Value::List(items) => items
                .make_mut()
                .iter_mut()
                .for_each(|v| *v = std::mem::replace(v, Val::unknown()).opened()),
            Value::Map(map) => map
                .make_mut()
                .values_mut()
                .for_each(|v| *v = std::mem::replace(v, Val::unknown()).opened()),
            _ => {}
        }
        self
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self.value, Value::Unknown(_))
    }

    /// True when neither the value nor anything inside it is unknown. A value of more than
    /// [`MAX_WALK`] parts counts as not wholly known: lists shared by reference can describe
    /// far more parts than were ever built (a list of a hundred thousand copies of one
    /// large list), and nothing that needs the whole value is worth walking them all.
    pub fn is_wholly_known(&self) -> bool {
        let mut left = MAX_WALK;
        self.known_within(&mut left)
    }

    fn known_within(&self, left: &mut usize) -> bool {
        let Some(rest) = left.checked_sub(1) else {
            return false;
        };
        *left = rest;
        match &self.value {
            Value::Unknown(_) => false,
            Value::List(items) => items.iter().all(|v| v.known_within(left)),
            Value::Map(map) => map.values().all(|v| v.known_within(left)),
            _ => true,
        }
    }

    /// Bytes this level of the value holds: its text, or a few words per element. What
    /// evaluation counts against [`Budget::max_built`](super::Budget) as it builds values.
    pub fn shallow_bytes(&self) -> u64 {
        const ELEMENT: u64 = std::mem::size_of::<Val>() as u64;
        match &self.value {
            Value::String(s) => s.len() as u64,
            Value::List(items) => items.len() as u64 * ELEMENT,
            // A key is a string beside each element.
            Value::Map(map) => map.len() as u64 * (ELEMENT + std::mem::size_of::<String>() as u64),
            _ => 0,
        }
    }

    /// Elements of a list or map, bytes of a string; 0 for anything else.
    pub fn shallow_len(&self) -> usize {
        match &self.value {
            Value::String(s) => s.len(),
            Value::List(items) => items.len(),
            Value::Map(map) => map.len(),
            _ => 0,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Terraform's automatic conversion to string (numbers and bools convert).
    pub fn to_terraform_string(&self) -> Option<String> {
        match &self.value {
            Value::String(s) => Some(s.clone()),
            Value::Number(n) => Some(format_number(*n)),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// [`to_terraform_string`](Self::to_terraform_string) of a value no longer needed: a
    /// string is moved out rather than copied.
    pub fn into_terraform_string(self) -> Option<String> {
        match self.value {
            Value::String(s) => Some(s),
            _ => self.to_terraform_string(),
        }
    }

    /// Terraform's automatic conversion to bool (the strings "true" and "false" convert).
    pub fn to_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s == "true" => Some(true),
            Value::String(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    /// Terraform's automatic conversion to number (numeric strings convert).
    pub fn to_number(&self) -> Option<f64> {
        match &self.value {
            Value::Number(n) => Some(*n),
            Value::String(s) => s.trim().parse().ok().filter(|n: &f64| n.is_finite()),
            _ => None,
        }
    }

    /// The attribute `name` of `resource` that its configuration does not write: known only
    /// after apply.
    pub fn computed(resource: String, name: &str) -> Val {
        Value::Unknown(Unknown {
            computed: Some(Arc::new(ComputedAttribute {
                resource,
                attribute: name.to_owned(),
            })),
            invalid: false,
        })
        .into()
    }

    /// The attribute `name` of an object, map or resource instance. A resource's attribute
    /// that is not written is computed: Unknown, but remembered for linking.
    pub fn get_attr(&self, name: &str) -> Val {
        match &self.value {
            Value::Map(map) => match map.get(name) {
                Some(v) => v.clone(),
                None if self.open => Val::unknown(),
                None => Val::invalid(),
            },
            Value::Resource(object) => object
                .attributes
                .get(name)
                .cloned()
                .unwrap_or_else(|| Val::computed(object.address.clone(), name)),
            _ => Val::unknown(),
        }
    }

    /// Terraform's equality, or None when either side is unknown.
    pub fn equals(&self, other: &Val) -> Option<bool> {
        if !self.is_wholly_known() || !other.is_wholly_known() {
            return None;
        }
        Some(self.same_known(other))
    }

    /// Equality of two wholly known values (walked once, not once per level).
    fn same_known(&self, other: &Val) -> bool {
        match (&self.value, &other.value) {
            (Value::List(a), Value::List(b)) => {
                Arc::ptr_eq(&a.0, &b.0) || (a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.same_known(y)))
            }
            (Value::Map(a), Value::Map(b)) => {
                Arc::ptr_eq(&a.0, &b.0)
                    || (a.len() == b.len()
                        && a.keys().eq(b.keys())
                        && a.values().zip(b.values()).all(|(x, y)| x.same_known(y)))
            }
            (Value::Resource(a), Value::Resource(b)) => a.address == b.address,
            (a, b) => a == b,
        }
    }
}

/// The most parts of one value a whole-value operation walks (see [`Val::is_wholly_known`]).
pub const MAX_WALK: usize = 1_000_000;

/// Terraform prints whole numbers without a fraction.
pub fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

impl fmt::Display for Val {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.value {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => f.write_str(&format_number(*n)),
            Value::String(s) => write!(f, "{s:?}"),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Value::Map(map) => {
                f.write_str("{")?;
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{k} = {v}")?;
                }
                f.write_str("}")
            }
            Value::Resource(object) => f.write_str(&object.address),
            Value::Unknown(_) => f.write_str("(unknown)"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_like_terraform() {
        assert_eq!(format_number(10.0), "10");
        assert_eq!(format_number(1.5), "1.5");
    }

    #[test]
    fn a_shared_collection_is_copied_only_when_one_holder_changes_it() {
        let list: Shared<Vec<i32>> = vec![1, 2].into();
        let mut copy = list.clone();
        assert!(std::ptr::eq(&*list, &*copy), "a clone shares the elements");
        copy.make_mut().push(3);
        assert_eq!((&*list, &*copy), (&vec![1, 2], &vec![1, 2, 3]));
        assert_eq!(copy.into_inner(), vec![1, 2, 3]);
    }

    #[test]
    fn equality_with_an_unknown_is_unknown() {
        assert_eq!(Val::string("a").equals(&Val::unknown()), None);
        assert_eq!(Val::string("a").equals(&Val::string("a")), Some(true));
        let list = Val::from(Value::List(vec![Val::string("a"), Val::unknown()].into()));
        assert_eq!(list.equals(&list.clone()), None);
    }

    #[test]
    fn a_resource_attribute_not_written_is_computed() {
        let object = Val::from(Value::Resource(Arc::new(ResourceObject {
            address: "azurerm_cognitive_account.a".into(),
            attributes: BTreeMap::from([("location".into(), Val::string("eastus"))]),
        })));
        assert_eq!(object.get_attr("location").as_str(), Some("eastus"));
        let Value::Unknown(unknown) = object.get_attr("id").value else {
            panic!("id must be unknown")
        };
        assert_eq!(unknown.computed.unwrap().resource, "azurerm_cognitive_account.a");
    }
}
#[cfg(test)]
#[test]
fn tmp_size() {
    eprintln!("VAL SIZE {}", std::mem::size_of::<Val>());
}
