//! A plan in JSON (`terraform show -json PLANFILE`): every managed resource instance with
//! its planned values, which values stay unknown until apply, and the configuration the
//! instances came from. `facts::plan` turns it into the same facts static evaluation gives.

use std::collections::HashMap;
use std::path::Path;

use crate::diagnostic::pipeline::UNREADABLE_FILE;
use crate::diagnostic::{Finding, Label};
use crate::parse::json::{self, Json, JsonValue};
use crate::parse::{self, FileError};
use crate::source::{FileId, SourceMap, Span};

/// The plan format's major version this reader understands (Terraform promises to bump the
/// major version for incompatible changes).
const FORMAT_MAJOR: &str = "1";

pub struct Plan {
    pub file: FileId,
    pub instances: Vec<PlannedInstance>,
    /// `configuration.root_module`: module calls, resource expressions, outputs.
    pub configuration: Option<Json>,
    /// `configuration.provider_config`.
    pub provider_config: Option<Json>,
}

pub struct PlannedInstance {
    /// `module.openai.azurerm_cognitive_deployment.this["chat"]`.
    pub address: String,
    /// `module.openai` (`""` at the root), with instance keys.
    pub module_address: String,
    pub resource_type: String,
    pub name: String,
    /// `"chat"` or `0` for an instance of `for_each` or `count`.
    pub index: Option<Json>,
    /// The planned values: an object, unknown values left out.
    pub values: Json,
    /// `change.after_unknown` of the matching resource change: `true` where a value is
    /// only known after apply.
    pub unknown: Option<Json>,
    /// The `"address"` value in the plan file: where findings point without configuration.
    pub address_span: Span,
    /// The texts of the values `sensitive_values` marks, each with the attribute it is the
    /// value of (`azurerm_cognitive_account.a.location`): never to be shown.
    pub sensitive: Vec<(String, String)>,
}

impl Plan {
    pub fn span(&self, json: &Json) -> Span {
        Span::new(self.file, json.span.clone())
    }
}

/// Reads and checks a plan file. Anything but a JSON plan of format 1.x is an error that
/// points at the place.
pub fn read(sources: &SourceMap, path: &Path) -> Result<Plan, FileError> {
    let file = parse::read(sources, path, parse::Limits::NONE)?;
    let source = sources.get(file);
    let text = source.text.strip_prefix('\u{feff}').unwrap_or(&source.text);
    let shift = source.text.len() - text.len();
    let problem = |offset: usize, message: String, help: &str| -> FileError {
        let offset = (offset + shift).min(source.text.len());
        Box::new(
            Finding::new(
                &UNREADABLE_FILE,
                message,
                Label::new(Span::new(file, offset..offset), "here"),
            )
            .with_help(help.to_owned()),
        )
    };
    const HELP: &str = "write the plan with `terraform show -json PLANFILE > plan.json`";
    let mut root = json::read(text).map_err(|e| problem(e.offset, e.message, HELP))?;
    if shift > 0 {
        shift_spans(&mut root, shift);
    }
    let version = root.get("format_version").and_then(Json::as_str);
    match version {
        Some(v) if v.split('.').next() == Some(FORMAT_MAJOR) => {}
        Some(v) => {
            return Err(problem(
                0,
                format!("plan format {v} is not supported (this version reads 1.x)"),
                "use a Terraform version whose `show -json` writes format 1.x",
            ));
        }
        None => {
            return Err(problem(
                0,
                "not a Terraform plan in JSON: no `format_version`".to_owned(),
                HELP,
            ));
        }
    }
    let mut unknown = take_changes(&mut root);
    let mut instances = Vec::new();
    if let Some(module) = take(&mut root, "planned_values").and_then(|mut p| take(&mut p, "root_module")) {
        collect(module, file, &mut unknown, &mut instances, 0);
    }
    let mut configuration = take(&mut root, "configuration");
    let provider_config = configuration.as_mut().and_then(|c| take(c, "provider_config"));
    let configuration = configuration.and_then(|mut c| take(&mut c, "root_module"));
    Ok(Plan {
        file,
        instances,
        configuration,
        provider_config,
    })
}

/// Modules nest at most this deep in a plan the linter reads (Terraform has no limit; a
/// hostile file could).
const MAX_MODULE_DEPTH: usize = 32;

fn collect(
    mut module: Json,
    file: FileId,
    unknown: &mut HashMap<String, Json>,
    out: &mut Vec<PlannedInstance>,
    depth: usize,
) {
    if depth > MAX_MODULE_DEPTH {
        return;
    }
    let module_address = module
        .get("address")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_owned();
    if let Some(resources) = take(&mut module, "resources") {
        for mut resource in into_items(resources) {
            if resource.get("mode").and_then(Json::as_str) != Some("managed") {
                continue;
            }
            let text = |r: &Json, key: &str| r.get(key).and_then(Json::as_str).unwrap_or_default().to_owned();
            let Some(address_json) = resource.get("address") else {
                continue;
            };
            let address_span = Span::new(file, address_json.span.clone());
            let address = text(&resource, "address");
            let values = take(&mut resource, "values").unwrap_or(Json {
                span: resource.span.clone(),
                value: JsonValue::Object(Vec::new()),
            });
            let change = unknown.remove(&address);
            let mut sensitive = Vec::new();
            if let Some(marks) = take(&mut resource, "sensitive_values") {
                sensitive_texts(&values, &marks, &address, &mut sensitive);
            }
            out.push(PlannedInstance {
                sensitive,
                module_address: module_address.clone(),
                resource_type: text(&resource, "type"),
                name: text(&resource, "name"),
                index: take(&mut resource, "index"),
                values,
                unknown: change,
                address_span,
                address,
            });
        }
    }
    if let Some(children) = take(&mut module, "child_modules") {
        for child in into_items(children) {
            collect(child, file, unknown, out, depth + 1);
        }
    }
}

/// The texts (strings and numbers) of `values` where `marks` (a resource's
/// `sensitive_values`, shaped like its values) says `true`, each named by its path.
fn sensitive_texts(values: &Json, marks: &Json, path: &str, out: &mut Vec<(String, String)>) {
    match &marks.value {
        JsonValue::Bool(true) => texts_in(values, path, out),
        JsonValue::Object(members) => {
            for (key, mark) in members {
                if let Some(value) = values.get(key) {
                    sensitive_texts(value, mark, &format!("{path}.{key}"), out);
                }
            }
        }
        JsonValue::Array(items) => {
            if let JsonValue::Array(values) = &values.value {
                for (i, (value, mark)) in values.iter().zip(items).enumerate() {
                    sensitive_texts(value, mark, &format!("{path}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

fn texts_in(value: &Json, path: &str, out: &mut Vec<(String, String)>) {
    match &value.value {
        JsonValue::String(text, _) if !text.is_empty() => out.push((path.to_owned(), text.clone())),
        JsonValue::Number(number) => out.push((path.to_owned(), number.to_string())),
        JsonValue::Array(items) => items.iter().for_each(|item| texts_in(item, path, out)),
        JsonValue::Object(members) => members.iter().for_each(|(_, item)| texts_in(item, path, out)),
        _ => {}
    }
}

/// `resource_changes[].change.after_unknown` by address.
fn take_changes(root: &mut Json) -> HashMap<String, Json> {
    let Some(changes) = take(root, "resource_changes") else {
        return HashMap::new();
    };
    into_items(changes)
        .into_iter()
        .filter_map(|mut change| {
            let address = change.get("address").and_then(Json::as_str)?.to_owned();
            let unknown = take(&mut change, "change").and_then(|mut c| take(&mut c, "after_unknown"))?;
            Some((address, unknown))
        })
        .collect()
}

fn take(json: &mut Json, key: &str) -> Option<Json> {
    match &mut json.value {
        JsonValue::Object(members) => {
            let at = members.iter().rposition(|(k, _)| k == key)?;
            Some(members.swap_remove(at).1)
        }
        _ => None,
    }
}

fn into_items(json: Json) -> Vec<Json> {
    match json.value {
        JsonValue::Array(items) => items,
        _ => Vec::new(),
    }
}

fn shift_spans(json: &mut Json, shift: usize) {
    json.span = json.span.start + shift..json.span.end + shift;
    match &mut json.value {
        JsonValue::Array(items) => items.iter_mut().for_each(|i| shift_spans(i, shift)),
        JsonValue::Object(members) => members.iter_mut().for_each(|(_, v)| shift_spans(v, shift)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> Result<Plan, FileError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.json");
        std::fs::write(&path, text).unwrap();
        read(&SourceMap::default(), &path)
    }

    #[test]
    fn instances_carry_their_values_and_unknowns() {
        let plan = read_text(
            r#"{"format_version": "1.2",
                "planned_values": {"root_module": {"resources": [
                  {"address": "azurerm_cognitive_account.a", "mode": "managed", "type": "azurerm_cognitive_account", "name": "a", "values": {"kind": "OpenAI"}},
                  {"address": "data.x.y", "mode": "data", "type": "x", "name": "y", "values": {}}
                ], "child_modules": [{"address": "module.m", "resources": [
                  {"address": "module.m.azurerm_cognitive_deployment.d[0]", "mode": "managed", "type": "azurerm_cognitive_deployment", "name": "d", "index": 0, "values": {}}
                ]}]}},
                "resource_changes": [{"address": "azurerm_cognitive_account.a", "change": {"after_unknown": {"id": true}}}]}"#,
        )
        .unwrap();
        let addresses: Vec<&str> = plan.instances.iter().map(|i| i.address.as_str()).collect();
        assert_eq!(
            addresses,
            [
                "azurerm_cognitive_account.a",
                "module.m.azurerm_cognitive_deployment.d[0]"
            ]
        );
        assert_eq!(plan.instances[1].module_address, "module.m");
        assert!(
            plan.instances[0]
                .unknown
                .as_ref()
                .unwrap()
                .get("id")
                .unwrap()
                .any_true()
        );
        assert!(plan.instances[1].unknown.is_none());
    }

    #[test]
    fn other_formats_are_refused_with_a_reason() {
        let cases = [
            (r#"{"format_version": "2.0"}"#, "plan format 2.0 is not supported"),
            (r#"{"version": 4, "resources": []}"#, "no `format_version`"),
            ("{", "invalid JSON"),
        ];
        for (text, expected) in cases {
            let err = read_text(text).err().expect("refused");
            assert!(err.message.contains(expected), "{text}: {}", err.message);
        }
    }
}
