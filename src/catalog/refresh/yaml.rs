//! The catalog files as YAML nodes that keep their keys in order, and the one way they are
//! written: mappings and lists of mappings in block style, lists of plain values in flow
//! style wrapped at 120 columns, strings plain where YAML reads them back as the same
//! string and double-quoted otherwise. A refresh that changes nothing rewrites every file
//! byte for byte.
//!
//! Hand-written because the YAML writers at hand (serde-saphyr's serializer) put every
//! region of a model on a line of its own: the model matrix would grow fivefold and a
//! reviewer would read a refresh's diff region by region.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// A YAML value whose mappings keep the order they were written in.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Node {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Node>),
    Map(IndexMap<String, Node>),
}

/// How wide a flow list may grow before it wraps.
const WIDTH: usize = 120;

impl Node {
    pub fn parse(text: &str) -> Result<Node, String> {
        serde_saphyr::from_str(text).map_err(|e| e.to_string())
    }

    pub fn str(text: impl Into<String>) -> Node {
        Node::Str(text.into())
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&IndexMap<String, Node>> {
        match self {
            Node::Map(map) => Some(map),
            _ => None,
        }
    }

    pub fn as_map_mut(&mut self) -> Option<&mut IndexMap<String, Node>> {
        match self {
            Node::Map(map) => Some(map),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Node]> {
        match self {
            Node::List(list) => Some(list),
            _ => None,
        }
    }

    /// The value at `key` of a mapping.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.get(key)
    }

    /// The file's text.
    pub fn to_yaml(&self) -> String {
        let mut out = String::new();
        match self {
            Node::Map(map) => write_map(&mut out, map, 0),
            other => {
                out.push_str(&inline(other, 0, 0).unwrap_or_default());
                out.push('\n');
            }
        }
        out
    }
}

/// A value written on its key's line (starting at `column`): scalars, empty collections,
/// and lists of scalars, whose wrapped lines indent two spaces past `indent`.
fn inline(node: &Node, column: usize, indent: usize) -> Option<String> {
    Some(match node {
        Node::Null => "null".to_owned(),
        Node::Bool(b) => b.to_string(),
        Node::Int(i) => i.to_string(),
        Node::Float(f) => float(*f),
        Node::Str(s) => string(s, false),
        Node::Map(map) if map.is_empty() => "{}".to_owned(),
        Node::List(list) if list.iter().all(is_scalar) => flow(list, column, indent),
        _ => return None,
    })
}

fn is_scalar(node: &Node) -> bool {
    !matches!(node, Node::List(_) | Node::Map(_))
}

fn float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{f:.1}")
    } else {
        f.to_string()
    }
}

/// `[a, b, c]` from `column` on, wrapped before `WIDTH` with continuation lines indented
/// two spaces past `indent`.
fn flow(list: &[Node], column: usize, indent: usize) -> String {
    let items: Vec<String> = list
        .iter()
        .filter_map(|n| match n {
            Node::Str(s) => Some(string(s, true)),
            other => inline(other, 0, 0),
        })
        .collect();
    let mut out = String::from("[");
    let mut column = column + 1;
    for (i, item) in items.iter().enumerate() {
        let piece = if i + 1 == items.len() {
            format!("{item}]")
        } else {
            format!("{item},")
        };
        if i > 0 {
            if column + 1 + piece.len() > WIDTH {
                out.push('\n');
                out.push_str(&" ".repeat(indent + 2));
                column = indent + 2;
            } else {
                out.push(' ');
                column += 1;
            }
        }
        out.push_str(&piece);
        column += piece.len();
    }
    if items.is_empty() {
        out.push(']');
    }
    out
}

fn write_map(out: &mut String, map: &IndexMap<String, Node>, indent: usize) {
    for (key, value) in map {
        out.push_str(&" ".repeat(indent));
        let key = string(key, false);
        out.push_str(&key);
        out.push(':');
        // A flow list starts after `key: `; its wrapped lines indent under the key.
        match inline(value, indent + key.len() + 2, indent) {
            Some(text) => {
                out.push(' ');
                out.push_str(&text);
                out.push('\n');
            }
            None => {
                out.push('\n');
                match value {
                    Node::Map(inner) => write_map(out, inner, indent + 2),
                    Node::List(items) => write_list(out, items, indent),
                    _ => unreachable!("scalars are written inline"),
                }
            }
        }
    }
}

/// A block list under a key, its dashes at the key's indentation.
fn write_list(out: &mut String, items: &[Node], indent: usize) {
    for item in items {
        out.push_str(&" ".repeat(indent));
        out.push_str("- ");
        match item {
            Node::Map(map) if !map.is_empty() => {
                let mut inner = String::new();
                write_map(&mut inner, map, indent + 2);
                // The first entry goes on the dash's line.
                out.push_str(&inner[indent + 2..]);
            }
            Node::List(list) if !list.iter().all(is_scalar) => {
                out.push('\n');
                write_list(out, list, indent + 2);
            }
            other => {
                out.push_str(&inline(other, indent + 2, indent + 2).unwrap_or_default());
                out.push('\n');
            }
        }
    }
}

/// A string as written: plain when YAML reads it back as this same string (in a flow list,
/// `flow`, where commas and brackets end it), else double-quoted with JSON's escapes (which
/// YAML's double-quoted style shares).
fn string(s: &str, flow: bool) -> String {
    if plain_is_safe(s, flow) {
        s.to_owned()
    } else {
        serde_json::to_string(s).expect("a string serializes")
    }
}

fn plain_is_safe(s: &str, flow: bool) -> bool {
    // What YAML 1.1 or 1.2 would read as something other than a string.
    const RESERVED: &[&str] = &[
        "null", "Null", "NULL", "~", "true", "True", "TRUE", "false", "False", "FALSE", "yes", "Yes", "YES", "no",
        "No", "NO", "on", "On", "ON", "off", "Off", "OFF", "y", "Y", "n", "N",
    ];
    let Some(first) = s.chars().next() else {
        return false;
    };
    let indicator = "-?:,[]{}#&*!|>'\"%@`~. +".contains(first);
    let number_like = first.is_ascii_digit()
        && (!s.bytes().any(|b| b.is_ascii_alphabetic())
            || s.parse::<f64>().is_ok()
            || s.starts_with("0x")
            || s.starts_with("0o"));
    !indicator
        && !number_like
        && !RESERVED.contains(&s)
        && !s.starts_with(".inf")
        && !s.ends_with([' ', ':'])
        && !s.contains(": ")
        && !s.contains(" #")
        && !(flow && s.contains([',', '[', ']', '{', '}']))
        && s.chars().all(|c| !c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_read_back_as_written() {
        for s in [
            "gpt-4o",
            "2024-11-20",
            "0914",
            "3",
            "1.5",
            "true",
            "off",
            "a: b",
            "x #y",
            "[list]",
            "",
            " lead",
            "trail ",
            "quote\"d",
            "back\\slash",
            "new\nline",
            "- dash",
            "Legacy",
            "Azure OpenAI",
            "é",
            "100%",
            "1e5",
            "0x1f",
            "00bb5540c9",
            "a, b",
            "T@52",
            "~2026-05 (x)",
            "yes",
            "Y",
            ".5",
            "#x",
            "a:b",
            "a:",
            "[x]",
            "{x}",
            "2026-09-02",
        ] {
            let mut map = IndexMap::new();
            map.insert(s.to_owned(), Node::List(vec![Node::str(s), Node::str(s)]));
            map.insert("k".to_owned(), Node::str(s));
            let node = Node::Map(map);
            assert_eq!(Node::parse(&node.to_yaml()).unwrap(), node, "{s:?}: {}", node.to_yaml());
        }
    }

    #[test]
    fn long_flow_lists_wrap_under_their_key() {
        let regions: Vec<Node> = (0..30).map(|i| Node::str(format!("region{i:02}"))).collect();
        let mut map = IndexMap::new();
        map.insert("GlobalStandard".to_owned(), Node::List(regions));
        let text = Node::Map(map.clone()).to_yaml();
        assert!(text.lines().all(|l| l.len() <= WIDTH), "{text}");
        assert!(text.lines().nth(1).unwrap().starts_with("  region"), "{text}");
        assert_eq!(Node::parse(&text).unwrap(), Node::Map(map));
    }

    #[test]
    fn every_shape_of_the_catalog_round_trips() {
        let text = "a: 1\nb: 1.5\nc: null\nd: true\ne: {}\nf: []\ng:\n  h: x\nlist:\n- name: m\n  version: \"1\"\n  nested:\n    k: [a, b]\n- plain\n";
        let node = Node::parse(text).unwrap();
        assert_eq!(node.to_yaml(), text);
    }
}
