//! Terraform's JSON syntax (`*.tf.json`, what CDK for Terraform writes) lowered into the same
//! syntax tree as native files, with byte spans.
//!
//! serde_json keeps no positions, but a borrowed `RawValue` is the exact slice of the text a
//! value was read from, so its offset in the text is its span. Each level is read again from
//! its slice: a document nested N deep costs N passes over its deepest part, which the
//! nesting bound keeps small.

use std::fmt;
use std::ops::Range;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::hcl::{self, Lowering};
use super::syntax::*;
use crate::source::{FileId, Span};

/// Deeper documents are refused: no Terraform configuration nests this far, and each level
/// costs one more pass over the text below it.
pub const MAX_DEPTH: usize = 64;

/// A JSON value and the byte range of its text.
#[derive(Debug)]
pub struct Json {
    pub span: Range<usize>,
    pub value: JsonValue,
}

#[derive(Debug)]
pub enum JsonValue {
    Null,
    Bool(bool),
    Number(f64),
    /// The decoded string, and whether its text holds escapes (then offsets inside the
    /// decoded string no longer match the text).
    String(String, bool),
    Array(Vec<Json>),
    /// Members in document order, duplicates kept (Terraform allows repeated block keys).
    Object(Vec<(String, Json)>),
}

impl Json {
    /// The member `key` of an object (the last one, as JSON readers do).
    pub fn get(&self, key: &str) -> Option<&Json> {
        match &self.value {
            JsonValue::Object(members) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            JsonValue::String(s, _) => Some(s),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match &self.value {
            JsonValue::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn members(&self) -> &[(String, Json)] {
        match &self.value {
            JsonValue::Object(members) => members,
            _ => &[],
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, JsonValue::Null)
    }

    /// Whether `true` appears anywhere inside (an `after_unknown` tree marks unknown leaves
    /// with `true`).
    pub fn any_true(&self) -> bool {
        match &self.value {
            JsonValue::Bool(b) => *b,
            JsonValue::Array(items) => items.iter().any(Json::any_true),
            JsonValue::Object(members) => members.iter().any(|(_, v)| v.any_true()),
            _ => false,
        }
    }
}

/// Where and why a document could not be read.
#[derive(Debug)]
pub struct JsonError {
    pub offset: usize,
    pub message: String,
}

/// Reads a whole document (after an optional byte order mark).
pub fn read(text: &str) -> Result<Json, JsonError> {
    let root: &RawValue = serde_json::from_str(text).map_err(|err| JsonError {
        offset: offset_of(text, err.line(), err.column()),
        message: format!("invalid JSON: {err}"),
    })?;
    read_value(text, root, 0)
}

fn read_value<'t>(text: &'t str, raw: &'t RawValue, depth: usize) -> Result<Json, JsonError> {
    let slice = raw.get();
    let start = slice.as_ptr() as usize - text.as_ptr() as usize;
    let span = start..start + slice.len();
    if depth > MAX_DEPTH {
        return Err(JsonError {
            offset: start,
            message: format!("nested deeper than {MAX_DEPTH} levels; not linted"),
        });
    }
    // The whole document was validated on the way in: a slice of it reads back.
    let invalid = |err: serde_json::Error| JsonError {
        offset: start,
        message: format!("invalid JSON: {err}"),
    };
    let value = match slice.as_bytes().first() {
        Some(b'{') => {
            let Members(members) = serde_json::from_str(slice).map_err(invalid)?;
            let mut out = Vec::with_capacity(members.len());
            for (key, raw) in members {
                out.push((key, read_value(text, raw, depth + 1)?));
            }
            JsonValue::Object(out)
        }
        Some(b'[') => {
            let items: Vec<&RawValue> = serde_json::from_str(slice).map_err(invalid)?;
            let mut out = Vec::with_capacity(items.len());
            for raw in items {
                out.push(read_value(text, raw, depth + 1)?);
            }
            JsonValue::Array(out)
        }
        Some(b'"') => JsonValue::String(serde_json::from_str(slice).map_err(invalid)?, slice.contains('\\')),
        Some(b't') => JsonValue::Bool(true),
        Some(b'f') => JsonValue::Bool(false),
        Some(b'n') => JsonValue::Null,
        _ => JsonValue::Number(serde_json::from_str::<f64>(slice).map_err(invalid)?),
    };
    Ok(Json { span, value })
}

/// An object's members in order, repeated keys included (a map would drop them).
struct Members<'t>(Vec<(String, &'t RawValue)>);

impl<'de: 't, 't> Deserialize<'de> for Members<'t> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MembersVisitor<'t>(std::marker::PhantomData<&'t ()>);
        impl<'de: 't, 't> Visitor<'de> for MembersVisitor<'t> {
            type Value = Members<'t>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'t>, A::Error> {
                let mut out = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, &'de RawValue>()? {
                    out.push((key, value));
                }
                Ok(Members(out))
            }
        }
        deserializer.deserialize_map(MembersVisitor(std::marker::PhantomData))
    }
}

/// serde_json's 1-based line and column as a byte offset.
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(text.len())
}

/// Names that are nested blocks, not attributes, in the resources the linter reads. JSON
/// syntax cannot tell `"sku": {...}` the block from an attribute holding an object without
/// the provider's schema; these are the blocks the rules look into.
const BLOCK_NAMES: &[&str] = &[
    "backend",
    "cloud",
    "connection",
    "content",
    "content_filter",
    "customer_managed_key",
    "features",
    "identity",
    "lifecycle",
    "model",
    "network_acls",
    "network_injection",
    "postcondition",
    "precondition",
    "private_dns_zone_group",
    "private_service_connection",
    "provisioner",
    "required_providers",
    "scale",
    "sku",
    "storage",
    "timeouts",
    "validation",
    "virtual_network_rules",
];

/// How strings are read: Terraform evaluates most JSON strings as templates
/// (`"${var.location}"`), takes a variable's `default` literally, and reads its `type` as a
/// type expression.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Strings {
    Template,
    Literal,
    TypeExpression,
}

/// Lowers a `.tf.json` document; its suppressions come from `"//"` comment members.
pub struct JsonLowering<'t> {
    file: FileId,
    text: &'t str,
    /// Offsets of `text` within the file (after a byte order mark).
    shift: usize,
    pub suppressions: Vec<Suppression>,
}

impl<'t> JsonLowering<'t> {
    pub fn new(file: FileId, text: &'t str, shift: usize) -> JsonLowering<'t> {
        JsonLowering {
            file,
            text,
            shift,
            suppressions: Vec::new(),
        }
    }

    fn span(&self, range: &Range<usize>) -> Span {
        Span::new(self.file, range.start + self.shift..range.end + self.shift)
    }

    /// The top-level object: `resource`, `module`, `variable`, `locals`, ...
    pub fn file(&mut self, root: &Json) -> Result<Body, JsonError> {
        let JsonValue::Object(members) = &root.value else {
            return Err(JsonError {
                offset: root.span.start,
                message: "a Terraform JSON file must hold one object".to_owned(),
            });
        };
        let mut body = Body::default();
        for (kind, value) in members {
            match kind.as_str() {
                "resource" | "data" => {
                    for (type_name, named) in self.members(value) {
                        for (name, block) in self.members(named) {
                            self.blocks(kind, vec![type_name.clone(), name.clone()], block, &mut body);
                        }
                    }
                }
                "module" | "provider" | "variable" | "output" => {
                    for (name, block) in self.members(value) {
                        self.blocks(kind, vec![name.clone()], block, &mut body);
                    }
                }
                "locals" | "terraform" => self.blocks(kind, Vec::new(), value, &mut body),
                // `moved`, `import`, `check`, `removed` and `"//"` comments say nothing the
                // rules read.
                _ => {}
            }
        }
        Ok(body)
    }

    fn members<'j>(&self, value: &'j Json) -> &'j [(String, Json)] {
        match &value.value {
            JsonValue::Object(members) => members,
            _ => &[],
        }
    }

    /// A JSON value as a literal expression with its positions (a plan's values).
    pub fn literal(&self, value: &Json) -> Expr {
        self.expr(value, Strings::Literal)
    }

    /// The members of a `.tfvars.json` document as literal expressions.
    pub fn literal_members(&self, root: &Json) -> Result<Vec<(String, Expr)>, JsonError> {
        let JsonValue::Object(members) = &root.value else {
            return Err(JsonError {
                offset: root.span.start,
                message: "a variables file in JSON must hold one object".to_owned(),
            });
        };
        Ok(members
            .iter()
            .map(|(name, value)| (name.clone(), self.expr(value, Strings::Literal)))
            .collect())
    }

    /// One block, or several when the value is an array of objects.
    fn blocks(&mut self, kind: &str, labels: Vec<String>, value: &Json, out: &mut Body) {
        let objects: Vec<&Json> = match &value.value {
            JsonValue::Object(_) => vec![value],
            JsonValue::Array(items) => items
                .iter()
                .filter(|i| matches!(i.value, JsonValue::Object(_)))
                .collect(),
            _ => Vec::new(),
        };
        for object in objects {
            let block = self.block(kind, labels.clone(), object);
            if kind == "dynamic" {
                out.dynamic_blocks.push(block);
            } else {
                out.blocks.push(block);
            }
        }
    }

    fn block(&mut self, kind: &str, labels: Vec<String>, object: &Json) -> Block {
        let key = self.key_span(object.span.start);
        let head = key.start..object.span.start + 1;
        let strings = |name: &str| match (kind, name) {
            ("variable", "default") => Strings::Literal,
            ("variable", "type") => Strings::TypeExpression,
            _ => Strings::Template,
        };
        let mut body = Body::default();
        for (name, value) in self.members(object) {
            match name.as_str() {
                "//" => self.comment(value, self.span(&(key.start..object.span.end))),
                "dynamic" if kind != "locals" => {
                    for (label, block) in self.members(value) {
                        self.blocks("dynamic", vec![label.clone()], block, &mut body);
                    }
                }
                _ if kind != "locals" && BLOCK_NAMES.contains(&name.as_str()) && is_block(value) => {
                    self.blocks(name, Vec::new(), value, &mut body);
                }
                _ => {
                    let key = self.key_span(value.span.start);
                    body.attributes.push(Attribute {
                        name: name.clone(),
                        value: self.expr(value, strings(name)),
                        span: self.span(&(key.start..value.span.end)),
                    });
                }
            }
        }
        Block {
            kind: kind.to_owned(),
            labels,
            body,
            span: self.span(&(key.start..object.span.end)),
            head: self.span(&head),
        }
    }

    /// `"//": "aoai-lint-ignore: AOAI502 reason"` inside a block suppresses in that block.
    fn comment(&mut self, value: &Json, target: Span) {
        if let JsonValue::String(text, _) = &value.value
            && let Some((_, _, suppression)) = hcl::parse_comment(&format!("# {text}"), "aoai-lint-ignore:")
        {
            self.suppressions.push(Suppression {
                comment: self.span(&value.span),
                target,
                ..suppression
            });
        }
    }

    fn expr(&self, value: &Json, strings: Strings) -> Expr {
        let span = self.span(&value.span);
        let kind = match &value.value {
            JsonValue::Null => ExprKind::Null,
            JsonValue::Bool(b) => ExprKind::Bool(*b),
            JsonValue::Number(n) => ExprKind::Number(*n),
            JsonValue::String(s, escaped) => return self.string(s, *escaped, &value.span, strings),
            JsonValue::Array(items) => ExprKind::Tuple(items.iter().map(|i| self.expr(i, strings)).collect()),
            JsonValue::Object(members) => ExprKind::Object(
                members
                    .iter()
                    .filter(|(k, _)| k != "//")
                    .map(|(k, v)| (ObjectKey::Name(k.clone()), self.expr(v, strings)))
                    .collect(),
            ),
        };
        Expr { kind, span }
    }

    fn string(&self, text: &str, escaped: bool, range: &Range<usize>, strings: Strings) -> Expr {
        let span = self.span(range);
        let opaque = Expr {
            kind: ExprKind::Opaque,
            span,
        };
        // Past the opening quote; only valid while the text has no escapes.
        let lowering = Lowering::new(self.file, self.shift + range.start + 1);
        match strings {
            Strings::Literal => Expr {
                kind: ExprKind::String(text.to_owned()),
                span,
            },
            Strings::TypeExpression if escaped => opaque,
            Strings::TypeExpression => match hcl_edit::parser::parse_expr(text) {
                Ok(expr) => lowering.expr(&expr),
                Err(_) => opaque,
            },
            Strings::Template if !text.contains("${") && !text.contains("%{") => Expr {
                kind: ExprKind::String(text.to_owned()),
                span,
            },
            // Spans inside would not match the escaped text: the value is Unknown rather
            // than pointing at the wrong place.
            Strings::Template if escaped => opaque,
            Strings::Template => match hcl_edit::parser::parse_template(text) {
                Ok(template) => Expr {
                    kind: lowering.template(&template),
                    span,
                },
                Err(_) => opaque,
            },
        }
    }

    /// The member name in front of the value starting at `value_start`: `"openai"` of
    /// `"openai": {`. Falls back to the value itself for an array element.
    fn key_span(&self, value_start: usize) -> Range<usize> {
        let before = &self.text[..value_start];
        let trimmed = before.trim_end();
        let Some(colon) = trimmed.strip_suffix(':') else {
            return value_start..value_start;
        };
        let quoted = colon.trim_end();
        let Some(inner) = quoted.strip_suffix('"') else {
            return value_start..value_start;
        };
        // The opening quote: the last `"` not escaped by an odd run of backslashes.
        let bytes = inner.as_bytes();
        let mut at = inner.len();
        while let Some(pos) = inner[..at].rfind('"') {
            let backslashes = bytes[..pos].iter().rev().take_while(|b| **b == b'\\').count();
            if backslashes % 2 == 0 {
                return pos..quoted.len();
            }
            at = pos;
        }
        value_start..value_start
    }
}

fn is_block(value: &Json) -> bool {
    match &value.value {
        JsonValue::Object(_) => true,
        JsonValue::Array(items) => !items.is_empty() && items.iter().all(|i| matches!(i.value, JsonValue::Object(_))),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_the_values_text() {
        let text = "{\n  \"a\": [1, \"x\"],\n  \"b\": {\"c\": null}\n}";
        let json = read(text).unwrap();
        let JsonValue::Object(members) = &json.value else {
            panic!("an object")
        };
        assert_eq!(&text[members[0].1.span.clone()], "[1, \"x\"]");
        assert_eq!(&text[members[1].1.span.clone()], "{\"c\": null}");
        let JsonValue::Array(items) = &members[0].1.value else {
            panic!("an array")
        };
        assert_eq!(&text[items[1].span.clone()], "\"x\"");
    }

    #[test]
    fn repeated_keys_are_kept_in_order() {
        let json = read(r#"{"resource": {"a": {}}, "resource": {"b": {}}}"#).unwrap();
        let JsonValue::Object(members) = &json.value else {
            panic!("an object")
        };
        assert_eq!(members.len(), 2);
    }

    #[test]
    fn errors_say_where() {
        let err = read("{\n  \"a\": [1,\n}").unwrap_err();
        assert_eq!(err.offset, 13);
        assert!(err.message.starts_with("invalid JSON"), "{}", err.message);
    }

    #[test]
    fn nesting_is_bounded() {
        let text = format!("{}{}", "[".repeat(100), "]".repeat(100));
        let err = read(&text).unwrap_err();
        assert!(err.message.contains("nested deeper"), "{}", err.message);
    }
}
