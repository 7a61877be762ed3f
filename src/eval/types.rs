//! Variable type constraints, and the conversion Terraform applies to a variable's value
//! before the module sees it: `optional(T, default)` attributes filled in (nested in objects,
//! maps, lists, sets and tuples), attributes the type does not declare dropped, and
//! primitives converted (`"5"` to a number, `true` to `"true"`).

use std::collections::BTreeMap;

use crate::parse::syntax::{Expr, ExprKind, ObjectKey};

use super::value::{Val, Value};

/// A type constraint as written in a `variable` block.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    Any,
    String,
    Number,
    Bool,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Tuple(Vec<Type>),
    Object(Vec<Attribute>),
}

/// An attribute of an object type.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub ty: Type,
    /// `optional(...)`: the attribute may be left out.
    pub optional: bool,
    /// `optional(T, default)`'s default.
    pub default: Option<Expr>,
}

impl Type {
    /// The type an expression writes, or `None` for one this does not model (then the value
    /// is left as given).
    pub fn parse(expr: &Expr) -> Option<Type> {
        Some(match &expr.kind {
            ExprKind::Variable(name) => match name.as_str() {
                "any" => Type::Any,
                "string" => Type::String,
                "number" => Type::Number,
                "bool" => Type::Bool,
                _ => return None,
            },
            ExprKind::Call { name, args, .. } => match (name.as_str(), args.as_slice()) {
                ("list", [element]) => Type::List(Box::new(Type::parse(element)?)),
                ("set", [element]) => Type::Set(Box::new(Type::parse(element)?)),
                ("map", [element]) => Type::Map(Box::new(Type::parse(element)?)),
                ("tuple", [items]) => match &items.kind {
                    ExprKind::Tuple(items) => Type::Tuple(items.iter().map(Type::parse).collect::<Option<_>>()?),
                    _ => return None,
                },
                ("object", [attributes]) => match &attributes.kind {
                    ExprKind::Object(entries) => {
                        Type::Object(entries.iter().map(|(k, v)| attribute(k, v)).collect::<Option<_>>()?)
                    }
                    _ => return None,
                },
                _ => return None,
            },
            _ => return None,
        })
    }
}

fn attribute(key: &ObjectKey, value: &Expr) -> Option<Attribute> {
    let name = match key {
        ObjectKey::Name(name) => name.clone(),
        ObjectKey::Expr(e) => match &e.kind {
            ExprKind::String(s) => s.clone(),
            _ => return None,
        },
    };
    if let ExprKind::Call { name: call, args, .. } = &value.kind
        && call == "optional"
    {
        return match args.as_slice() {
            [ty] => Some(Attribute {
                name,
                ty: Type::parse(ty)?,
                optional: true,
                default: None,
            }),
            [ty, default] => Some(Attribute {
                name,
                ty: Type::parse(ty)?,
                optional: true,
                default: Some(default.clone()),
            }),
            _ => None,
        };
    }
    Some(Attribute {
        name,
        ty: Type::parse(value)?,
        optional: false,
        default: None,
    })
}

/// `value` converted to `ty` as Terraform converts a variable's value, with `default`
/// evaluating an `optional(...)` default. A null stays null (Terraform fills in no
/// attributes of a null object), an unknown stays unknown, and a value of another shape
/// than the type is left as it is: Terraform would refuse it, and no finding rests on it.
pub fn convert(value: Val, ty: &Type, default: &dyn Fn(&Expr) -> Val) -> Val {
    let Val { value, origin, open } = value;
    let converted = match (ty, value) {
        (_, value @ (Value::Null | Value::Unknown(_))) | (Type::Any, value) => value,
        (Type::String, Value::Number(n)) => {
            Value::String(Val::from(Value::Number(n)).to_terraform_string().unwrap_or_default())
        }
        (Type::String, Value::Bool(b)) => Value::String(b.to_string()),
        (Type::Number, Value::String(s)) => match Val::string(s.clone()).to_number() {
            Some(n) => Value::Number(n),
            None => Value::String(s),
        },
        (Type::Bool, Value::String(s)) if s == "true" || s == "false" => Value::Bool(s == "true"),
        (Type::List(element) | Type::Set(element), Value::List(items)) => Value::List(
            items
                .into_inner()
                .into_iter()
                .map(|item| convert(item, element, default))
                .collect::<Vec<_>>()
                .into(),
        ),
        (Type::Tuple(types), Value::List(items)) if types.len() == items.len() => Value::List(
            items
                .into_inner()
                .into_iter()
                .zip(types)
                .map(|(item, ty)| convert(item, ty, default))
                .collect::<Vec<_>>()
                .into(),
        ),
        (Type::Map(element), Value::Map(entries)) => Value::Map(
            entries
                .into_inner()
                .into_iter()
                .map(|(k, v)| (k, convert(v, element, default)))
                .collect::<BTreeMap<_, _>>()
                .into(),
        ),
        (Type::Object(attributes), Value::Map(entries)) => {
            Value::Map(object(entries.into_inner(), attributes, default).into())
        }
        (_, value) => value,
    };
    Val {
        value: converted,
        origin,
        open,
    }
}

/// An object's attributes as the type declares them: each given one converted, each
/// optional one left out or null given its default (itself converted, so that its nested
/// defaults apply too); undeclared attributes dropped.
fn object(
    mut given: BTreeMap<String, Val>,
    attributes: &[Attribute],
    default: &dyn Fn(&Expr) -> Val,
) -> BTreeMap<String, Val> {
    let mut out = BTreeMap::new();
    for attribute in attributes {
        let value = given.remove(&attribute.name);
        let missing = value.as_ref().is_none_or(|v| matches!(v.value, Value::Null));
        let value = match (value, missing && attribute.optional, &attribute.default) {
            (_, true, Some(expr)) => Some(default(expr)),
            (_, true, None) => Some(Value::Null.into()),
            (value, false, _) => value,
        };
        if let Some(value) = value {
            out.insert(attribute.name.clone(), convert(value, &attribute.ty, default));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::syntax::Expr;
    use crate::source::SourceMap;

    fn expr(text: &str) -> Expr {
        let sources = SourceMap::default();
        let file = sources.add(
            std::path::Path::new("t.tf"),
            std::sync::Arc::from(format!("x = {text}\n")),
        );
        let parsed = crate::parse::parse_hcl(&sources, file).unwrap();
        parsed.body.attributes[0].value.clone()
    }

    fn literal(e: &Expr) -> Val {
        match &e.kind {
            ExprKind::String(s) => Val::string(s.clone()),
            ExprKind::Bool(b) => Value::Bool(*b).into(),
            ExprKind::Number(n) => Value::Number(*n).into(),
            ExprKind::Object(entries) if entries.is_empty() => Value::Map(BTreeMap::new().into()).into(),
            _ => Val::unknown(),
        }
    }

    fn map(entries: &[(&str, Val)]) -> Val {
        Value::Map(
            entries
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect::<BTreeMap<_, _>>()
                .into(),
        )
        .into()
    }

    fn get(value: &Val, key: &str) -> Val {
        match &value.value {
            Value::Map(m) => m.get(key).cloned().unwrap_or_else(Val::invalid),
            _ => Val::invalid(),
        }
    }

    #[test]
    fn optional_attributes_take_their_defaults_at_every_depth() {
        let ty = Type::parse(&expr(
            "map(object({ name = string, public = optional(bool, true), sku = optional(object({ name = optional(string, \"S0\") }), {}), tags = optional(map(string)) }))",
        ))
        .unwrap();
        let given = map(&[(
            "a",
            map(&[("name", Val::string("x")), ("extra", Val::string("dropped"))]),
        )]);
        let converted = convert(given, &ty, &|e| literal(e));
        let a = get(&converted, "a");
        assert_eq!(get(&a, "public").value, Value::Bool(true));
        assert_eq!(
            get(&get(&a, "sku"), "name").value,
            Value::String("S0".into()),
            "the default's own defaults"
        );
        assert_eq!(get(&a, "tags").value, Value::Null, "optional without a default is null");
        assert!(get(&a, "extra").is_unknown(), "undeclared attributes are dropped");
    }

    #[test]
    fn a_null_attribute_takes_the_default_and_a_given_one_is_kept() {
        let ty = Type::parse(&expr("object({ a = optional(bool, true), b = optional(bool, true) })")).unwrap();
        let given = map(&[("a", Value::Null.into()), ("b", Value::Bool(false).into())]);
        let converted = convert(given, &ty, &|e| literal(e));
        assert_eq!(get(&converted, "a").value, Value::Bool(true));
        assert_eq!(get(&converted, "b").value, Value::Bool(false));
    }

    #[test]
    fn lists_sets_tuples_and_primitives_convert() {
        let ty = Type::parse(&expr(
            "tuple([string, number, list(object({ x = optional(bool, false) }))])",
        ))
        .unwrap();
        let given = Val::from(Value::List(
            vec![
                Value::Number(5.0).into(),
                Val::string("7"),
                Value::List(vec![map(&[])].into()).into(),
            ]
            .into(),
        ));
        let converted = convert(given, &ty, &|e| literal(e));
        let Value::List(items) = &converted.value else {
            panic!("{converted:?}")
        };
        assert_eq!(items[0].value, Value::String("5".into()));
        assert_eq!(items[1].value, Value::Number(7.0));
        let Value::List(inner) = &items[2].value else { panic!() };
        assert_eq!(get(&inner[0], "x").value, Value::Bool(false));
    }

    #[test]
    fn unknowns_nulls_and_unmodelled_types_are_left_alone() {
        assert!(Type::parse(&expr("object({ a = optional(string, \"x\", 3) })")).is_none());
        assert!(Type::parse(&expr("list(whatever)")).is_none());
        let ty = Type::parse(&expr("object({ a = optional(string, \"x\") })")).unwrap();
        assert!(convert(Val::unknown(), &ty, &|e| literal(e)).is_unknown());
        assert_eq!(convert(Value::Null.into(), &ty, &|e| literal(e)).value, Value::Null);
    }
}
