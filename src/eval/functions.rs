//! The Terraform functions the evaluator knows. A function it does not know, or a call it
//! cannot complete (wrong arguments, an unknown argument), gives Unknown: a linter must
//! never fail on the user's code, and must never guess.
//!
//! `try` and `can` are not here: they need the unevaluated arguments (see the evaluator).

use std::collections::BTreeMap;

use super::Budget;
use super::value::{Origin, Val, Value, format_number};

/// A call whose result would be larger than the budget allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TooLarge {
    /// A list or map of this many elements (or arguments of this many in all).
    Elements(usize),
    /// A string of this many bytes.
    Bytes(usize),
}

/// Calls `name`. A function the evaluator does not implement (time, files, randomness,
/// hashing, regular expressions) gives Unknown. What a call would make is measured before it
/// is made wherever the result can be far larger than the arguments (`replace`, `join`,
/// `flatten`, `range`, ...), and checked after for the rest.
pub fn call(name: &str, args: &[Val], budget: &Budget) -> Result<Val, TooLarge> {
    let elements = |n: usize| {
        if n > budget.max_collection {
            Err(TooLarge::Elements(n))
        } else {
            Ok(())
        }
    };
    let bytes = |n: usize| {
        if n > budget.max_string {
            Err(TooLarge::Bytes(n))
        } else {
            Ok(())
        }
    };
    match name {
        "range" => elements(range_len(args).unwrap_or(0))?,
        "concat" | "merge" | "coalescelist" => {
            elements(args.iter().map(Val::shallow_len).fold(0, usize::saturating_add))?
        }
        "flatten" => elements(args.first().map_or(0, |l| flat_len(l, budget.max_collection + 1)))?,
        "split" => elements(split_len(args))?,
        "join" => bytes(joined_len(args))?,
        "replace" => bytes(replaced_len(args))?,
        "format" => bytes(formatted_len(args))?,
        "jsonencode" => bytes(args.first().map_or(0, |v| json_len(v, budget.max_string + 1)))?,
        _ => {}
    }
    let result = call_bounded(name, args);
    match &result.value {
        Value::String(s) => bytes(s.len())?,
        Value::List(_) | Value::Map(_) => elements(result.shallow_len())?,
        _ => {}
    }
    Ok(result)
}

/// Whether `name` returns one of its arguments or a part of one (shared, not built anew).
pub fn returns_an_argument(name: &str) -> bool {
    matches!(
        name,
        "try" | "can" | "coalesce" | "coalescelist" | "lookup" | "element" | "one" | "tomap" | "tolist"
    )
}

/// How many elements `range(...)` would make, when its arguments are known numbers.
fn range_len(args: &[Val]) -> Option<usize> {
    let nums = args.iter().map(Val::to_number).collect::<Option<Vec<_>>>()?;
    let (start, end, step) = match nums[..] {
        [end] => (0.0, end, 1.0),
        [start, end] => (start, end, 1.0),
        [start, end, step] if step != 0.0 => (start, end, step),
        _ => return None,
    };
    let n = ((end - start) / step).abs().ceil();
    Some(if n.is_finite() { n as usize } else { usize::MAX })
}

/// The leaves `flatten` would make, counted up to `limit`.
fn flat_len(value: &Val, limit: usize) -> usize {
    fn count(items: &[Val], n: &mut usize, limit: usize) {
        for item in items {
            if *n >= limit {
                return;
            }
            match &item.value {
                Value::List(inner) => count(inner, n, limit),
                _ => *n += 1,
            }
        }
    }
    let Value::List(items) = &value.value else { return 0 };
    let mut n = 0;
    count(items, &mut n, limit);
    n
}

fn split_len(args: &[Val]) -> usize {
    match args {
        [
            Val {
                value: Value::String(sep),
                ..
            },
            Val {
                value: Value::String(s),
                ..
            },
        ] if !sep.is_empty() => s.matches(sep.as_str()).count() + 1,
        _ => 0,
    }
}

/// Bytes of `join(sep, lists...)`: its strings, with a separator between each two.
fn joined_len(args: &[Val]) -> usize {
    let Some((sep, lists)) = args.split_first() else {
        return 0;
    };
    let sep = sep.as_str().map_or(0, str::len);
    let mut total = 0usize;
    for list in lists {
        let Value::List(items) = &list.value else { continue };
        for item in items.iter() {
            let len = text_len(item);
            total = total.saturating_add(len).saturating_add(sep);
        }
    }
    total
}

fn replaced_len(args: &[Val]) -> usize {
    let [
        Val {
            value: Value::String(s),
            ..
        },
        from,
        to,
    ] = args
    else {
        return 0;
    };
    let (Some(from), Some(to)) = (from.as_str(), to.as_str()) else {
        return 0;
    };
    if from.is_empty() {
        return 0;
    }
    let grows = to.len().saturating_sub(from.len());
    s.len().saturating_add(s.matches(from).count().saturating_mul(grows))
}

/// Bytes of `format(spec, args...)` at most: the spec and every argument's text.
fn formatted_len(args: &[Val]) -> usize {
    args.iter().map(text_len).fold(0, usize::saturating_add)
}

/// Bytes of a value's text as `tostring` would write it (0 when it has none).
fn text_len(v: &Val) -> usize {
    match &v.value {
        Value::String(s) => s.len(),
        Value::Number(n) => format_number(*n).len(),
        Value::Bool(_) => 5,
        _ => 0,
    }
}

/// Bytes of the JSON `jsonencode` would write, counted up to `limit` (every character
/// escaped as `\u00XX` at worst).
fn json_len(value: &Val, limit: usize) -> usize {
    fn count(v: &Val, n: &mut usize, limit: usize) {
        if *n >= limit {
            return;
        }
        match &v.value {
            Value::String(s) => *n = n.saturating_add(escaped_len(s)),
            Value::List(items) => {
                *n += 2;
                for item in items.iter() {
                    count(item, n, limit);
                    *n += 1;
                }
            }
            Value::Map(map) => {
                *n += 2;
                for (key, item) in map.iter() {
                    *n = n.saturating_add(escaped_len(key) + 2);
                    count(item, n, limit);
                }
            }
            _ => *n += text_len(v).max(4),
        }
    }
    let mut n = 0;
    count(value, &mut n, limit);
    n
}

/// Bytes of `s` as a quoted JSON string: a control character takes up to six.
fn escaped_len(s: &str) -> usize {
    let extra: usize = s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' => 1,
            0..0x20 => 5,
            _ => 0,
        })
        .sum();
    s.len() + extra + 2
}

fn call_bounded(name: &str, args: &[Val]) -> Val {
    let origin = Origin::merge(args.iter().map(|a| &a.origin));
    let result = match name {
        // Functions that look at known parts only.
        "coalesce" => coalesce(args),
        "length" => length(args),
        "lookup" => lookup(args),
        "element" => element(args),
        "keys" | "values" | "contains" | "concat" | "merge" | "tomap" | "toset" | "tolist" | "distinct" | "flatten"
        | "compact" | "zipmap" | "reverse" | "sort" | "one" | "slice" | "range" | "coalescelist" | "alltrue"
        | "anytrue" | "index" | "sum" | "max" | "min" | "jsonencode" => {
            if !args.iter().all(Val::is_wholly_known) {
                return Val::unknown().with_origin(origin);
            }
            collection(name, args)
        }
        _ => {
            let Some(string_fn) = string_function(name) else {
                return Val::unknown();
            };
            if args.iter().any(Val::is_unknown) {
                return Val::unknown().with_origin(origin);
            }
            string_fn(args)
        }
    };
    result.unwrap_or_else(Val::unknown).with_origin(origin)
}

type StringFn = fn(&[Val]) -> Option<Val>;

fn string_function(name: &str) -> Option<StringFn> {
    Some(match name {
        "lower" => |a| str1(a, |s| s.to_lowercase()),
        "upper" => |a| str1(a, |s| s.to_uppercase()),
        "trimspace" => |a| str1(a, |s| s.trim().to_owned()),
        "title" => |a| str1(a, title),
        "tostring" => |a| match &a.first()?.value {
            Value::Null => Some(Value::Null.into()),
            _ => a.first()?.to_terraform_string().map(Val::string),
        },
        "tonumber" => |a| a.first()?.to_number().map(|n| Value::Number(n).into()),
        "tobool" => |a| a.first()?.to_bool().map(|b| Value::Bool(b).into()),
        "trimprefix" => |a| str2(a, |s, p| s.strip_prefix(p).unwrap_or(s).to_owned()),
        "trimsuffix" => |a| str2(a, |s, p| s.strip_suffix(p).unwrap_or(s).to_owned()),
        "trim" => |a| str2(a, |s, cut| s.trim_matches(|c| cut.contains(c)).to_owned()),
        "startswith" => |a| bool2(a, |s, p| s.starts_with(p)),
        "endswith" => |a| bool2(a, |s, p| s.ends_with(p)),
        "strcontains" => |a| bool2(a, |s, p| s.contains(p)),
        "split" => split,
        "join" => join,
        "replace" => replace,
        "substr" => substr,
        "format" => format,
        "jsondecode" => |a| {
            let text = a.first()?.to_terraform_string()?;
            serde_json::from_str(&text).ok().map(|json| from_json(&json))
        },
        "abs" => |a| num1(a, f64::abs),
        "ceil" => |a| num1(a, f64::ceil),
        "floor" => |a| num1(a, f64::floor),
        _ => return None,
    })
}

fn str1(args: &[Val], f: impl Fn(&str) -> String) -> Option<Val> {
    let [arg] = args else { return None };
    Some(Val::string(f(&arg.to_terraform_string()?)))
}

fn str2(args: &[Val], f: impl Fn(&str, &str) -> String) -> Option<Val> {
    let [a, b] = args else { return None };
    Some(Val::string(f(&a.to_terraform_string()?, &b.to_terraform_string()?)))
}

fn bool2(args: &[Val], f: impl Fn(&str, &str) -> bool) -> Option<Val> {
    let [a, b] = args else { return None };
    Some(Value::Bool(f(&a.to_terraform_string()?, &b.to_terraform_string()?)).into())
}

fn num1(args: &[Val], f: impl Fn(f64) -> f64) -> Option<Val> {
    let [a] = args else { return None };
    Some(Value::Number(f(a.to_number()?)).into())
}

fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut at_word_start = true;
    for c in s.chars() {
        if at_word_start {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        at_word_start = !c.is_alphanumeric();
    }
    out
}

fn split(args: &[Val]) -> Option<Val> {
    let [sep, s] = args else { return None };
    let (sep, s) = (sep.to_terraform_string()?, s.to_terraform_string()?);
    let parts = if s.is_empty() {
        vec![Val::string("")]
    } else if sep.is_empty() {
        return None;
    } else {
        s.split(sep.as_str()).map(Val::string).collect()
    };
    Some(Value::List(parts.into()).into())
}

fn join(args: &[Val]) -> Option<Val> {
    let (sep, lists) = args.split_first()?;
    let sep = sep.to_terraform_string()?;
    let mut parts = Vec::new();
    for list in lists {
        let Value::List(items) = &list.value else { return None };
        for item in items {
            if item.is_unknown() {
                return Some(Val::unknown());
            }
            parts.push(item.to_terraform_string()?);
        }
    }
    Some(Val::string(parts.join(&sep)))
}

fn replace(args: &[Val]) -> Option<Val> {
    let [s, from, to] = args else { return None };
    let (s, from, to) = (
        s.to_terraform_string()?,
        from.to_terraform_string()?,
        to.to_terraform_string()?,
    );
    // A `/pattern/` is a regular expression: not modelled, so Unknown.
    if from.len() >= 2 && from.starts_with('/') && from.ends_with('/') {
        return None;
    }
    if from.is_empty() {
        return None;
    }
    Some(Val::string(s.replace(&from, &to)))
}

fn substr(args: &[Val]) -> Option<Val> {
    let [s, offset, length] = args else { return None };
    let s = s.to_terraform_string()?;
    let chars: Vec<char> = s.chars().collect();
    let offset = offset.to_number()? as i64;
    let length = length.to_number()? as i64;
    let count = chars.len() as i64;
    // Lengths and offsets come from the scanned code: `1e300` saturates to i64::MAX, and
    // sums saturate too rather than overflow.
    let start = if offset < 0 {
        count.saturating_add(offset)
    } else {
        offset
    };
    if start < 0 || start > count {
        return None;
    }
    let end = if length < 0 {
        count
    } else {
        start.saturating_add(length).min(count)
    };
    Some(Val::string(
        chars[start as usize..end as usize].iter().collect::<String>(),
    ))
}

/// `format` with the verbs configuration code uses: %s, %d, %v, %q, %f and %%. Anything else
/// (widths, flags) gives Unknown rather than a wrong string.
fn format(args: &[Val]) -> Option<Val> {
    let (spec, rest) = args.split_first()?;
    let spec = spec.to_terraform_string()?;
    let mut out = String::new();
    let mut rest = rest.iter();
    let mut chars = spec.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            '%' => out.push('%'),
            's' | 'v' => out.push_str(&rest.next()?.to_terraform_string()?),
            'd' => {
                let n = rest.next()?.to_number()?;
                if n.fract() != 0.0 {
                    return None;
                }
                out.push_str(&format_number(n));
            }
            'f' => out.push_str(&format!("{:.6}", rest.next()?.to_number()?)),
            'q' => out.push_str(&format!("{:?}", rest.next()?.to_terraform_string()?)),
            _ => return None,
        }
    }
    Some(Val::string(out))
}

fn coalesce(args: &[Val]) -> Option<Val> {
    for arg in args {
        match &arg.value {
            Value::Unknown(_) => return None,
            Value::Null => continue,
            Value::String(s) if s.is_empty() => continue,
            _ => return Some(arg.clone()),
        }
    }
    None
}

fn length(args: &[Val]) -> Option<Val> {
    let [arg] = args else { return None };
    let n = match &arg.value {
        Value::List(items) => items.len(),
        Value::Map(map) => map.len(),
        Value::String(s) => s.chars().count(),
        _ => return None,
    };
    Some(Value::Number(n as f64).into())
}

fn lookup(args: &[Val]) -> Option<Val> {
    let (map, key, default) = match args {
        [map, key] => (map, key, None),
        [map, key, default] => (map, key, Some(default)),
        _ => return None,
    };
    let Value::Map(map) = &map.value else { return None };
    let key = key.to_terraform_string()?;
    map.get(&key).or(default).cloned()
}

fn element(args: &[Val]) -> Option<Val> {
    let [list, index] = args else { return None };
    let Value::List(items) = &list.value else { return None };
    let index = index.to_number()?;
    if items.is_empty() || index < 0.0 {
        return None;
    }
    items.get(index as usize % items.len()).cloned()
}

fn collection(name: &str, args: &[Val]) -> Option<Val> {
    let list = |v: &Val| match &v.value {
        Value::List(items) => Some(items.clone()),
        _ => None,
    };
    let map = |v: &Val| match &v.value {
        Value::Map(map) => Some(map.clone()),
        _ => None,
    };
    let value = match (name, args) {
        ("keys", [m]) => Value::List(map(m)?.keys().cloned().map(Val::string).collect()),
        ("values", [m]) => Value::List(map(m)?.values().cloned().collect()),
        ("contains", [l, v]) => Value::Bool(list(l)?.iter().any(|x| x.equals(v) == Some(true))),
        ("concat", lists) => Value::List(
            lists
                .iter()
                .map(list)
                .collect::<Option<Vec<_>>>()?
                .iter()
                .flat_map(|items| items.iter().cloned())
                .collect(),
        ),
        ("merge", maps) => {
            let mut out = BTreeMap::new();
            for m in maps {
                match &m.value {
                    Value::Null => {}
                    _ => out.extend(map(m)?),
                }
            }
            Value::Map(out.into())
        }
        ("tomap", [m]) => Value::Map(map(m)?),
        ("toset", [l]) | ("distinct", [l]) => {
            let mut out: Vec<Val> = Vec::new();
            let mut seen_strings = std::collections::HashSet::new();
            for item in list(l)? {
                // Sets of strings are the common case: hash them instead of comparing pairs.
                let fresh = match item.as_str() {
                    Some(s) => seen_strings.insert(s.to_owned()),
                    None => !out.iter().any(|x| x.equals(&item) == Some(true)),
                };
                if fresh {
                    out.push(item);
                }
            }
            if name == "toset" {
                // Sets of strings iterate in lexical order.
                if out.iter().all(|v| v.as_str().is_some()) {
                    out.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
                }
            }
            Value::List(out.into())
        }
        ("tolist", [l]) => Value::List(list(l)?),
        ("flatten", [l]) => {
            fn flat(items: &[Val], out: &mut Vec<Val>) {
                for item in items {
                    match &item.value {
                        Value::List(inner) => flat(inner, out),
                        _ => out.push(item.clone()),
                    }
                }
            }
            let mut out = Vec::new();
            flat(&list(l)?, &mut out);
            Value::List(out.into())
        }
        ("compact", [l]) => Value::List(
            list(l)?
                .into_iter()
                .filter(|v| !matches!(&v.value, Value::Null) && v.as_str() != Some(""))
                .collect(),
        ),
        ("zipmap", [k, v]) => {
            let (k, v) = (list(k)?, list(v)?);
            if k.len() != v.len() {
                return None;
            }
            Value::Map(
                k.iter()
                    .map(|k| k.to_terraform_string())
                    .zip(v)
                    .map(|(k, v)| Some((k?, v)))
                    .collect::<Option<_>>()?,
            )
        }
        ("reverse", [l]) => Value::List(list(l)?.into_iter().rev().collect()),
        ("sort", [l]) => {
            let mut strings = list(l)?
                .iter()
                .map(Val::to_terraform_string)
                .collect::<Option<Vec<_>>>()?;
            strings.sort();
            Value::List(strings.into_iter().map(Val::string).collect())
        }
        ("one", [l]) => {
            let items = list(l)?;
            match items.len() {
                0 => Value::Null,
                1 => return items.into_iter().next(),
                _ => return None,
            }
        }
        ("slice", [l, start, end]) => {
            let items = list(l)?;
            let (start, end) = (start.to_number()? as usize, end.to_number()? as usize);
            Value::List(items.get(start..end)?.to_vec().into())
        }
        ("range", bounds) => {
            let nums = bounds.iter().map(Val::to_number).collect::<Option<Vec<_>>>()?;
            let (start, end, step) = match nums[..] {
                [end] => (0.0, end, 1.0),
                [start, end] => (start, end, if end >= start { 1.0 } else { -1.0 }),
                [start, end, step] => (start, end, step),
                _ => return None,
            };
            // `call` has checked the length against the budget.
            if step == 0.0 {
                return None;
            }
            // Counted, not stepped until the end: a step below the values' precision
            // (`range(1e16, 10000000000000004)`) would never arrive.
            let count = ((end - start) / step).ceil();
            if !(count.is_finite() && count > 0.0) {
                return Some(Value::List(Vec::new().into()).into());
            }
            let out: Vec<Val> = (0..count as usize)
                .map(|i| Value::Number(start + step * i as f64).into())
                .collect();
            Value::List(out.into())
        }
        ("coalescelist", lists) => return lists.iter().find(|l| list(l).is_some_and(|x| !x.is_empty())).cloned(),
        ("alltrue", [l]) => Value::Bool(
            list(l)?
                .iter()
                .map(Val::to_bool)
                .collect::<Option<Vec<_>>>()?
                .iter()
                .all(|b| *b),
        ),
        ("anytrue", [l]) => Value::Bool(
            list(l)?
                .iter()
                .map(Val::to_bool)
                .collect::<Option<Vec<_>>>()?
                .iter()
                .any(|b| *b),
        ),
        ("index", [l, v]) => Value::Number(list(l)?.iter().position(|x| x.equals(v) == Some(true))? as f64),
        ("sum", [l]) => Value::Number(list(l)?.iter().map(Val::to_number).sum::<Option<f64>>()?),
        ("max", nums) => Value::Number(
            nums.iter()
                .map(Val::to_number)
                .collect::<Option<Vec<_>>>()?
                .into_iter()
                .reduce(f64::max)?,
        ),
        ("min", nums) => Value::Number(
            nums.iter()
                .map(Val::to_number)
                .collect::<Option<Vec<_>>>()?
                .into_iter()
                .reduce(f64::min)?,
        ),
        ("jsonencode", [v]) => Value::String(to_json(v)?.to_string()),
        _ => return None,
    };
    Some(value.into())
}

/// The JSON text Terraform's `jsonencode` would give, for known values.
pub fn to_json(v: &Val) -> Option<serde_json::Value> {
    Some(match &v.value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        // Terraform writes whole numbers without a fraction.
        Value::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => serde_json::Value::Number((*n as i64).into()),
        Value::Number(n) => serde_json::Number::from_f64(*n).map(serde_json::Value::Number)?,
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::List(items) => serde_json::Value::Array(items.iter().map(to_json).collect::<Option<_>>()?),
        Value::Map(map) => serde_json::Value::Object(
            map.iter()
                .map(|(k, v)| Some((k.clone(), to_json(v)?)))
                .collect::<Option<_>>()?,
        ),
        Value::Resource(_) | Value::Unknown(_) => return None,
    })
}

/// A JSON document as a Terraform value (tfvars.json, `jsondecode`).
pub fn from_json(json: &serde_json::Value) -> Val {
    match json {
        serde_json::Value::Null => Value::Null.into(),
        serde_json::Value::Bool(b) => Value::Bool(*b).into(),
        serde_json::Value::Number(n) => n.as_f64().map_or_else(Val::unknown, |n| Value::Number(n).into()),
        serde_json::Value::String(s) => Val::string(s.clone()),
        serde_json::Value::Array(items) => Value::List(items.iter().map(from_json).collect()).into(),
        serde_json::Value::Object(map) => {
            Value::Map(map.iter().map(|(k, v)| (k.clone(), from_json(v))).collect()).into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every function the evaluator implements (`try` and `can` live in the evaluator).
    const FUNCTIONS: &[&str] = &[
        "coalesce",
        "length",
        "lookup",
        "element",
        "keys",
        "values",
        "contains",
        "concat",
        "merge",
        "tomap",
        "toset",
        "tolist",
        "distinct",
        "flatten",
        "compact",
        "zipmap",
        "reverse",
        "sort",
        "one",
        "slice",
        "range",
        "coalescelist",
        "alltrue",
        "anytrue",
        "index",
        "sum",
        "max",
        "min",
        "jsonencode",
        "lower",
        "upper",
        "trimspace",
        "title",
        "tostring",
        "tonumber",
        "tobool",
        "trimprefix",
        "trimsuffix",
        "trim",
        "startswith",
        "endswith",
        "strcontains",
        "split",
        "join",
        "replace",
        "substr",
        "format",
        "jsondecode",
        "abs",
        "ceil",
        "floor",
    ];

    fn list(items: Vec<Val>) -> Val {
        Value::List(items.into()).into()
    }

    /// Arguments chosen to break a careless implementation: huge and negative numbers, a
    /// number below its own precision, strings and lists past the budget, and a list that
    /// shares one large list many times over.
    fn extreme_values(budget: &Budget) -> Vec<Val> {
        let long = "a".repeat(budget.max_string);
        let many: Vec<Val> = (0..budget.max_collection)
            .map(|i| Value::Number(i as f64).into())
            .collect();
        let shared = list(many.clone());
        vec![
            Value::Number(1e300).into(),
            Value::Number(-1e300).into(),
            Value::Number(1e16).into(),
            Value::Number(-1.5).into(),
            Value::Number(0.0).into(),
            Val::string("a"),
            Val::string("%"),
            Val::string(long),
            list(many),
            list(vec![shared; budget.max_collection]),
            Value::Map(
                (0..budget.max_collection)
                    .map(|i| (format!("k{i}"), Val::string("a")))
                    .collect(),
            )
            .into(),
            list(Vec::new()),
            Value::Bool(true).into(),
            Value::Null.into(),
            Val::unknown(),
        ]
    }

    #[test]
    fn every_function_is_total_and_keeps_to_the_budget_with_extreme_arguments() {
        let budget = Budget {
            max_string: 2048,
            max_collection: 200,
            ..Budget::default()
        };
        let values = extreme_values(&budget);
        let mut calls = 0;
        for name in FUNCTIONS {
            let mut answered = false;
            for a in &values {
                for b in &values {
                    for args in [
                        vec![a.clone()],
                        vec![a.clone(), b.clone()],
                        vec![a.clone(), b.clone(), a.clone()],
                        vec![a.clone(), b.clone(), b.clone()],
                    ] {
                        calls += 1;
                        let Ok(result) = call(name, &args, &budget) else {
                            continue;
                        };
                        answered |= !result.is_unknown();
                        match &result.value {
                            Value::String(s) => assert!(s.len() <= budget.max_string, "{name}: {} bytes", s.len()),
                            Value::List(_) | Value::Map(_) => {
                                assert!(result.shallow_len() <= budget.max_collection, "{name}")
                            }
                            _ => {}
                        }
                    }
                }
            }
            assert!(answered, "{name} is implemented: some arguments give a known value");
        }
        assert_eq!(calls, FUNCTIONS.len() * values.len() * values.len() * 4);
    }

    #[test]
    fn results_larger_than_the_budget_are_refused_before_they_are_made() {
        let budget = Budget::default();
        let s = Val::string("a".repeat(1000));
        let a = Val::string("a");
        // Each would be a gigabyte or more.
        assert_eq!(
            call(
                "replace",
                &[s.clone(), a.clone(), Val::string("b".repeat(1_000_000))],
                &budget
            ),
            Err(TooLarge::Bytes(1_000_000_000))
        );
        let strings = list(vec![Val::string("x".repeat(1000)); 10_000]);
        assert!(matches!(
            call("join", &[a.clone(), strings], &budget),
            Err(TooLarge::Bytes(_))
        ));
        let nested = list(vec![list(vec![a.clone(); 100_000]); 100_000]);
        assert!(matches!(
            call("flatten", std::slice::from_ref(&nested), &budget),
            Err(TooLarge::Elements(_))
        ));
        assert!(matches!(
            call("jsonencode", &[nested], &budget),
            Err(TooLarge::Bytes(_))
        ));
        let range = [Value::Number(1e16).into(), Value::Number(10000000000000004.0).into()];
        assert_eq!(call("range", &range, &budget).map(|v| v.shallow_len()), Ok(4));
    }

    #[test]
    fn strings_and_numbers_at_the_extremes_give_terraforms_answer_or_unknown() {
        let budget = Budget::default();
        let n = |x: f64| -> Val { Value::Number(x).into() };
        let s = Val::string("eastus");
        let text = |args: &[Val], name: &str| call(name, args, &budget).ok().map(|v| v.to_string());
        assert_eq!(text(&[s.clone(), n(1.0), n(1e300)], "substr"), Some("\"astus\"".into()));
        assert_eq!(
            text(&[s.clone(), n(-1e300), n(2.0)], "substr"),
            Some("(unknown)".into())
        );
        assert_eq!(
            text(&[list(vec![s.clone()]), n(1e300)], "element"),
            Some("\"eastus\"".into())
        );
        assert_eq!(
            text(&[list(vec![s]), n(1e300), n(-1.0)], "slice"),
            Some("(unknown)".into())
        );
    }
}
