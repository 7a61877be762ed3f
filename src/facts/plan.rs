//! A plan's resolved values → the same facts static evaluation gives, through the same
//! mapping ([`read_resource`](super::read_resource)).
//!
//! Values come from `planned_values`; a value `after_unknown` marks stays Unknown. Findings
//! point at the configuration when it is given (the resource block found by its address
//! through the module calls), and into the plan file otherwise. Which account a deployment
//! or an endpoint belongs to comes from a known id, or from the references the plan's
//! `configuration` section records, followed through module inputs and outputs.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use super::azapi::{ArmType, Node, private_link_ids, read_azapi};
use super::{
    AccountLink, Attributes, Configuration, ConfigurationKind, Field, Known, ProviderRequirement, read_resource,
};
use crate::eval::module::ModuleSyntax;
use crate::eval::value::{Val, Value};
use crate::parse::json::{Json, JsonLowering, JsonValue};
use crate::parse::syntax::{Block, Body};
use crate::plan::{Plan, PlannedInstance};
use crate::source::Span;

/// Where an instance is written in the configuration.
pub struct Located {
    pub module: Arc<ModuleSyntax>,
    /// Index into `module.resources`.
    pub resource: usize,
    /// The `module` blocks that create it, outermost first.
    pub call_sites: Vec<Span>,
}

const ACCOUNT_TYPES: &[&str] = &["azurerm_cognitive_account", "azurerm_ai_services"];

const READ_TYPES: &[&str] = &[
    "azurerm_cognitive_account",
    "azurerm_ai_services",
    "azurerm_cognitive_deployment",
    "azurerm_cognitive_account_rai_policy",
    "azurerm_api_management_backend",
    "azurerm_cdn_frontdoor_origin",
    "azurerm_traffic_manager_azure_endpoint",
    "azurerm_traffic_manager_external_endpoint",
    "azurerm_application_gateway",
    "azurerm_monitor_diagnostic_setting",
    "azurerm_private_endpoint",
    "azurerm_cognitive_account_customer_managed_key",
];

/// Module calls nest at most this deep when following references through them.
const MAX_HOPS: usize = 16;

/// The facts of a plan. `locate` finds an instance in the configuration, when it is given.
pub fn extract(plan: &Plan, dir: PathBuf, locate: impl Fn(&PlannedInstance) -> Option<Located>) -> Configuration {
    let mut config = Configuration {
        dir,
        kind: ConfigurationKind::Root,
        accounts: Vec::new(),
        deployments: Vec::new(),
        rai_policies: Vec::new(),
        routes: Vec::new(),
        attachments: Vec::new(),
        providers: providers(plan),
        unseen_accounts: Vec::new(),
        unseen_deployments: Vec::new(),
    };
    let resolver = Resolver { plan };
    for instance in &plan.instances {
        let located = locate(instance);
        let written = located.as_ref().map(|l| &l.module.resources[l.resource].block);
        let call_sites = located.as_ref().map(|l| l.call_sites.clone()).unwrap_or_default();
        if !READ_TYPES.contains(&instance.resource_type.as_str()) && instance.resource_type != "azapi_resource" {
            continue;
        }
        let view = PlanView {
            resolver: &resolver,
            instance,
            values: Some(&instance.values),
            unknown: instance.unknown.as_ref(),
            all_unknown: false,
            written: written.map(|b| &b.body),
            head: written.map_or(instance.address_span, |b| b.head),
            path: Vec::new(),
        };
        if instance.resource_type == "azapi_resource" {
            read_azapi_instance(&resolver, instance, &view, written, &call_sites, &mut config);
            continue;
        }
        read_resource(
            &instance.resource_type,
            instance.address.as_str().into(),
            &view,
            &call_sites,
            &mut config,
        );
    }
    config.in_address_order();
    config
}

/// An `azapi_resource` instance: its planned `body` read like a written one. Positions come
/// from the configuration's `body` expression, else from the body in the plan file.
fn read_azapi_instance(
    resolver: &Resolver<'_>,
    instance: &PlannedInstance,
    view: &PlanView<'_>,
    written: Option<&Block>,
    call_sites: &[Span],
    config: &mut Configuration,
) {
    let arm_type = if view.is_unknown("type") {
        None
    } else {
        instance.values.get("type").and_then(Json::as_str).map(ArmType::parse)
    };
    let planned = instance.values.get("body");
    let body_unknown = instance.unknown.as_ref().and_then(|u| u.get("body"));
    let in_plan = planned.map(|json| JsonLowering::new(resolver.plan.file, "", 0).literal(json));
    let expr = match written {
        Some(block) => block.body.attribute("body").map(|a| &a.value),
        None => in_plan.as_ref(),
    };
    let span = planned.map_or(view.head, |json| resolver.plan.span(json));
    let body = Node::resolved(with_unknowns(planned, body_unknown), expr, span, view.head);
    let endpoint_targets = || {
        let mut out = Refs::Accounts(BTreeSet::new());
        for id in private_link_ids(&body) {
            let found = match id.map(|node| node.value().value.clone()) {
                Some(Value::String(id)) => resolver.by_id(&id),
                Some(Value::Null) => Refs::Accounts(BTreeSet::new()),
                // Unknown until apply: what the body's expression refers to.
                _ => resolver.in_expressions(instance, &["body".to_owned()]),
            };
            out = out.union(found);
        }
        match out {
            Refs::Accounts(accounts) => Some(accounts.into_iter().collect()),
            Refs::Unknown => None,
        }
    };
    read_azapi(
        arm_type,
        instance.address.as_str().into(),
        view,
        &body,
        call_sites,
        endpoint_targets,
        config,
    );
}

/// A planned value with the parts `after_unknown` marks (and leaves out of the value) as
/// Unknown.
fn with_unknowns(json: Option<&Json>, unknown: Option<&Json>) -> Val {
    if unknown.is_some_and(|u| matches!(u.value, JsonValue::Bool(true))) {
        return Val::unknown();
    }
    let Some(json) = json else {
        return if unknown.is_some_and(Json::any_true) {
            Val::unknown()
        } else {
            Value::Null.into()
        };
    };
    match &json.value {
        JsonValue::Array(items) => {
            let unknown_items = unknown.and_then(Json::as_array);
            Value::List(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| with_unknowns(Some(item), unknown_items.and_then(|u| u.get(i))))
                    .collect(),
            )
            .into()
        }
        JsonValue::Object(members) => {
            let mut map: std::collections::BTreeMap<String, Val> = members
                .iter()
                .map(|(k, v)| (k.clone(), with_unknowns(Some(v), unknown.and_then(|u| u.get(k)))))
                .collect();
            for (key, marks) in unknown.map(Json::members).unwrap_or_default() {
                if !map.contains_key(key) && marks.any_true() {
                    map.insert(key.clone(), Val::unknown());
                }
            }
            Value::Map(map.into()).into()
        }
        _ => to_val(json),
    }
}

/// `configuration.provider_config` entries of the root module.
fn providers(plan: &Plan) -> Vec<ProviderRequirement> {
    let Some(config) = &plan.provider_config else {
        return Vec::new();
    };
    config
        .members()
        .iter()
        .filter(|(key, _)| !key.contains(':'))
        .map(|(key, provider)| {
            let constraint = provider.get("version_constraint");
            ProviderRequirement {
                name: provider.get("name").and_then(Json::as_str).unwrap_or(key).to_owned(),
                source: provider
                    .get("full_name")
                    .and_then(Json::as_str)
                    .map(|s| s.strip_prefix("registry.terraform.io/").unwrap_or(s).to_owned()),
                version: Field {
                    value: constraint
                        .and_then(Json::as_str)
                        .map_or(Known::Absent, |v| Known::Value(v.to_owned())),
                    span: plan.span(constraint.unwrap_or(provider)),
                    origin: crate::eval::value::Origin::none(),
                },
            }
        })
        .collect()
}

/// One resource instance, or one of its nested blocks, read from the plan.
struct PlanView<'p> {
    resolver: &'p Resolver<'p>,
    instance: &'p PlannedInstance,
    values: Option<&'p Json>,
    /// The matching part of `after_unknown`.
    unknown: Option<&'p Json>,
    all_unknown: bool,
    /// The block in the configuration, when it is given and matches.
    written: Option<&'p Body>,
    head: Span,
    /// Nested block names from the resource down to this block.
    path: Vec<String>,
}

impl<'p> PlanView<'p> {
    fn is_unknown(&self, name: &str) -> bool {
        self.all_unknown
            || self
                .unknown
                .is_some_and(|u| matches!(u.value, JsonValue::Bool(true)) || u.get(name).is_some_and(Json::any_true))
    }

    /// The known string value of `name` (an id), if any.
    fn known_string(&self, name: &str) -> Option<&'p str> {
        if self.is_unknown(name) {
            return None;
        }
        self.values?.get(name)?.as_str()
    }

    /// The accounts the attribute `name` refers to: by its known id, or by the references
    /// its expression records.
    fn accounts_in(&self, name: &str) -> Refs {
        if let Some(id) = self.known_string(name) {
            return self.resolver.by_id(id);
        }
        if self.values.and_then(|v| v.get(name)).is_some_and(Json::is_null) && !self.is_unknown(name) {
            return Refs::Accounts(BTreeSet::new());
        }
        let mut path = self.path.clone();
        path.push(name.to_owned());
        self.resolver.in_expressions(self.instance, &path)
    }
}

impl Attributes for PlanView<'_> {
    fn head(&self) -> Span {
        self.head
    }

    fn field<T>(&self, name: &str, convert: impl FnOnce(Val) -> Option<T>) -> Field<T> {
        let value = self.values.and_then(|v| v.get(name));
        let state = if self.is_unknown(name) {
            Known::Unknown
        } else {
            match value {
                Some(json) if !json.is_null() => convert(to_val(json)).map_or(Known::Unknown, Known::Value),
                _ => Known::Absent,
            }
        };
        let span = match (self.written, value) {
            (Some(body), _) => body.attribute(name).map_or(self.head, |a| a.value.span),
            (None, Some(json)) if !matches!(state, Known::Absent) => self.resolver.plan.span(json),
            (None, _) => self.head,
        };
        Field {
            value: state,
            span,
            origin: crate::eval::value::Origin::none(),
        }
    }

    fn blocks(&self, kind: &str) -> Option<Vec<Self>> {
        if self.all_unknown
            || self
                .unknown
                .and_then(|u| u.get(kind))
                .is_some_and(|u| matches!(u.value, JsonValue::Bool(true)))
        {
            return None;
        }
        let items: Vec<&Json> = match self.values.and_then(|v| v.get(kind)) {
            Some(Json {
                value: JsonValue::Array(items),
                ..
            }) => items.iter().collect(),
            Some(
                object @ Json {
                    value: JsonValue::Object(_),
                    ..
                },
            ) => vec![object],
            _ => Vec::new(),
        };
        let unknown_items = self.unknown.and_then(|u| u.get(kind)).and_then(Json::as_array);
        // The written blocks match the planned ones one to one unless `dynamic` made them.
        let written: Option<Vec<_>> = self.written.and_then(|body| {
            let dynamic = body
                .dynamic_blocks
                .iter()
                .any(|b| b.labels.first().is_some_and(|l| l == kind));
            let blocks: Vec<_> = body.blocks_named(kind).collect();
            (!dynamic && blocks.len() == items.len()).then_some(blocks)
        });
        let mut path = self.path.clone();
        path.push(kind.to_owned());
        Some(
            items
                .into_iter()
                .enumerate()
                .map(|(i, item)| {
                    let block = written.as_ref().map(|w| w[i]);
                    PlanView {
                        resolver: self.resolver,
                        instance: self.instance,
                        values: Some(item),
                        unknown: unknown_items.and_then(|u| u.get(i)),
                        all_unknown: false,
                        written: block.map(|b| &b.body),
                        head: match (block, self.written) {
                            (Some(b), _) => b.head,
                            (None, Some(_)) => self.head,
                            (None, None) => self.resolver.plan.span(item),
                        },
                        path: path.clone(),
                    }
                })
                .collect(),
        )
    }

    fn unknown_block(&self) -> Self {
        PlanView {
            resolver: self.resolver,
            instance: self.instance,
            values: None,
            unknown: None,
            all_unknown: true,
            written: None,
            head: self.head,
            path: self.path.clone(),
        }
    }

    fn account_link(&self, name: &str) -> AccountLink {
        match self.accounts_in(name) {
            Refs::Accounts(accounts) if accounts.len() == 1 => {
                AccountLink::Account(accounts.into_iter().next().unwrap_or_default())
            }
            _ => AccountLink::Unknown,
        }
    }

    fn referenced_accounts(&self) -> Option<Vec<String>> {
        match self.resolver.in_expressions(self.instance, &[]) {
            Refs::Accounts(accounts) => Some(accounts.into_iter().collect()),
            Refs::Unknown => None,
        }
    }

    fn targets(&self, path: &[&str]) -> Option<Vec<String>> {
        match path {
            [attribute] => match self.accounts_in(attribute) {
                Refs::Accounts(accounts) => Some(accounts.into_iter().collect()),
                Refs::Unknown => None,
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

/// A plan value as the evaluator's value, for the shared conversions.
fn to_val(json: &Json) -> Val {
    match &json.value {
        JsonValue::Null => Value::Null.into(),
        JsonValue::Bool(b) => Value::Bool(*b).into(),
        JsonValue::Number(n) => Value::Number(*n).into(),
        JsonValue::String(s, _) => Val::string(s.clone()),
        JsonValue::Array(items) => Value::List(items.iter().map(to_val).collect()).into(),
        JsonValue::Object(members) => Value::Map(members.iter().map(|(k, v)| (k.clone(), to_val(v))).collect()).into(),
    }
}

/// What a set of references names.
#[derive(Debug, PartialEq)]
enum Refs {
    /// These account instances, and nothing else that could be one.
    Accounts(BTreeSet<String>),
    /// Something the plan does not resolve (a local, an ambiguous module instance).
    Unknown,
}

impl Refs {
    fn union(self, other: Refs) -> Refs {
        match (self, other) {
            (Refs::Accounts(mut a), Refs::Accounts(b)) => {
                a.extend(b);
                Refs::Accounts(a)
            }
            _ => Refs::Unknown,
        }
    }
}

struct Resolver<'p> {
    plan: &'p Plan,
}

impl<'p> Resolver<'p> {
    /// The account instance an ARM id names, matched by account name and resource group.
    fn by_id(&self, id: &str) -> Refs {
        let lower = id.to_ascii_lowercase();
        let Some(at) = lower.find("/providers/microsoft.cognitiveservices/accounts/") else {
            return Refs::Accounts(BTreeSet::new());
        };
        let name = id[at + "/providers/microsoft.cognitiveservices/accounts/".len()..]
            .split('/')
            .next()
            .unwrap_or_default();
        let group = segment_after(id, "resourcegroups");
        let matches: BTreeSet<String> = self
            .plan
            .instances
            .iter()
            .filter(|i| is_account(i))
            .filter(|i| {
                let value = |key: &str| i.values.get(key).and_then(Json::as_str);
                // azapi accounts name their resource group in `parent_id`.
                let own_group = value("resource_group_name")
                    .map(str::to_owned)
                    .or_else(|| value("parent_id").and_then(|p| segment_after(p, "resourcegroups")));
                value("name").is_some_and(|n| n.eq_ignore_ascii_case(name))
                    && match (own_group, &group) {
                        (Some(rg), Some(group)) => rg.eq_ignore_ascii_case(group),
                        _ => true,
                    }
            })
            .map(|i| i.address.clone())
            .collect();
        // An id that matches no account here names one outside this configuration.
        Refs::Accounts(matches)
    }

    /// The configuration of the module at `module_address` (instance keys ignored).
    fn config_module(&self, module_address: &str) -> Option<&'p Json> {
        let mut module = self.plan.configuration.as_ref()?;
        for call in module_calls(module_address) {
            module = module.get("module_calls")?.get(&call)?.get("module")?;
        }
        Some(module)
    }

    fn config_resource(&self, instance: &PlannedInstance) -> Option<&'p Json> {
        self.config_module(&instance.module_address)?
            .get("resources")?
            .as_array()?
            .iter()
            .find(|r| {
                r.get("mode").and_then(Json::as_str) == Some("managed")
                    && r.get("type").and_then(Json::as_str) == Some(&instance.resource_type)
                    && r.get("name").and_then(Json::as_str) == Some(&instance.name)
            })
    }

    /// The accounts the expressions at `path` (all of them when empty) refer to.
    fn in_expressions(&self, instance: &PlannedInstance, path: &[String]) -> Refs {
        let Some(resource) = self.config_resource(instance) else {
            return Refs::Unknown;
        };
        let Some(expressions) = resource.get("expressions") else {
            return Refs::Accounts(BTreeSet::new());
        };
        let mut at = vec![expressions];
        for step in path {
            at = at
                .into_iter()
                .flat_map(|e| match e.get(step.as_str()) {
                    // Nested blocks are arrays of expression objects.
                    Some(Json {
                        value: JsonValue::Array(items),
                        ..
                    }) => items.iter().collect(),
                    Some(other) => vec![other],
                    None => Vec::new(),
                })
                .collect();
        }
        let mut references = Vec::new();
        for expression in at {
            collect_references(expression, &mut references, 0);
        }
        self.resolve(&instance.module_address, instance.index.as_ref(), &references, 0)
    }

    fn resolve(&self, module_address: &str, index: Option<&Json>, references: &[&str], hops: usize) -> Refs {
        if hops > MAX_HOPS {
            return Refs::Unknown;
        }
        let by_key = references.contains(&"each.key");
        let mut out = Refs::Accounts(BTreeSet::new());
        for reference in references {
            let parts = Reference::parse(reference);
            let found = match parts.root {
                "each" | "count" | "path" | "terraform" | "self" => continue,
                "local" => Refs::Unknown,
                "var" => self.through_input(module_address, parts.name, hops),
                "module" => self.through_output(module_address, parts.name, parts.attribute, hops),
                "data" if ACCOUNT_TYPES.contains(&parts.name) => Refs::Unknown,
                "data" => continue,
                resource_type if ACCOUNT_TYPES.contains(&resource_type) || resource_type == "azapi_resource" => self
                    .account_instances(
                        module_address,
                        resource_type,
                        parts.name,
                        parts.index,
                        by_key.then_some(index).flatten(),
                    ),
                _ => continue,
            };
            out = out.union(found);
            if out == Refs::Unknown {
                return out;
            }
        }
        out
    }

    fn account_instances(
        &self,
        module_address: &str,
        resource_type: &str,
        name: &str,
        index: Option<&str>,
        same_key_as: Option<&Json>,
    ) -> Refs {
        let candidates: Vec<&PlannedInstance> = self
            .plan
            .instances
            .iter()
            .filter(|i| i.module_address == module_address && i.resource_type == resource_type && i.name == name)
            .filter(|i| is_account(i))
            .filter(|i| index.is_none_or(|written| index_text(i.index.as_ref()).as_deref() == Some(written)))
            .collect();
        let chosen: Vec<&PlannedInstance> = match (candidates.len(), same_key_as) {
            (0 | 1, _) => candidates,
            (_, Some(key)) => candidates
                .into_iter()
                .filter(|i| index_text(i.index.as_ref()) == index_text(Some(key)))
                .collect(),
            _ => return Refs::Unknown,
        };
        match chosen.len() {
            // Not planned (count = 0): nothing to link to.
            0 | 1 => Refs::Accounts(chosen.iter().map(|i| i.address.clone()).collect()),
            _ => Refs::Unknown,
        }
    }

    /// `var.name` inside a module: the caller's expression for that input.
    fn through_input(&self, module_address: &str, name: &str, hops: usize) -> Refs {
        let Some((parent, call)) = split_last_call(module_address) else {
            // A root variable the plan does not know as a value is not a resource here.
            return Refs::Unknown;
        };
        let Some(call_config) = self
            .config_module(parent)
            .and_then(|m| m.get("module_calls"))
            .and_then(|c| c.get(&call))
        else {
            return Refs::Unknown;
        };
        let Some(expression) = call_config.get("expressions").and_then(|e| e.get(name)) else {
            // Not passed: the variable's default, a constant.
            return Refs::Accounts(BTreeSet::new());
        };
        let mut references = Vec::new();
        collect_references(expression, &mut references, 0);
        self.resolve(parent, None, &references, hops + 1)
    }

    /// `module.name.output`: the child's output expression, inside the child.
    fn through_output(&self, module_address: &str, call: &str, output: Option<&str>, hops: usize) -> Refs {
        let prefix = if module_address.is_empty() {
            format!("module.{call}")
        } else {
            format!("{module_address}.module.{call}")
        };
        let children: BTreeSet<&str> = self
            .plan
            .instances
            .iter()
            .map(|i| i.module_address.as_str())
            .filter(|m| {
                m.strip_prefix(prefix.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('[') || rest.starts_with('.'))
            })
            .map(|m| child_address(m, &prefix))
            .collect();
        let [child] = children.into_iter().collect::<Vec<_>>()[..] else {
            return Refs::Unknown;
        };
        let Some(expression) =
            output.and_then(|o| self.config_module(child)?.get("outputs")?.get(o)?.get("expression"))
        else {
            return Refs::Unknown;
        };
        let mut references = Vec::new();
        collect_references(expression, &mut references, 0);
        self.resolve(child, None, &references, hops + 1)
    }
}

/// An OpenAI-capable account's resource, azurerm or azapi (its kind is checked later).
fn is_account(instance: &PlannedInstance) -> bool {
    ACCOUNT_TYPES.contains(&instance.resource_type.as_str())
        || (instance.resource_type == "azapi_resource"
            && instance.values.get("type").and_then(Json::as_str).map(ArmType::parse) == Some(ArmType::Account))
}

/// Every `references` entry inside an expression (nested blocks included).
fn collect_references<'j>(json: &'j Json, out: &mut Vec<&'j str>, depth: usize) {
    if depth > 64 {
        return;
    }
    match &json.value {
        JsonValue::Object(members) => {
            for (key, value) in members {
                if key == "references" {
                    out.extend(value.as_array().unwrap_or_default().iter().filter_map(Json::as_str));
                } else {
                    collect_references(value, out, depth + 1);
                }
            }
        }
        JsonValue::Array(items) => items.iter().for_each(|i| collect_references(i, out, depth + 1)),
        _ => {}
    }
}

/// `azurerm_cognitive_account.openai["us"].id` → root `azurerm_cognitive_account`, name
/// `openai`, index `"us"`, attribute `id`.
struct Reference<'r> {
    root: &'r str,
    name: &'r str,
    index: Option<&'r str>,
    attribute: Option<&'r str>,
}

impl<'r> Reference<'r> {
    fn parse(text: &'r str) -> Reference<'r> {
        let (root, rest) = text.split_once('.').unwrap_or((text, ""));
        let name_end = rest.find(['.', '[']).unwrap_or(rest.len());
        let name = &rest[..name_end];
        let mut rest = &rest[name_end..];
        let mut index = None;
        if let Some(inner) = rest.strip_prefix('[') {
            let end = inner.find(']').unwrap_or(inner.len());
            index = Some(inner[..end].trim_matches('"'));
            rest = inner.get(end + 1..).unwrap_or_default();
        }
        let attribute = rest.strip_prefix('.').map(|a| a.split(['.', '[']).next().unwrap_or(a));
        Reference {
            root,
            name,
            index,
            attribute,
        }
    }
}

/// An instance key as the text a reference writes in brackets.
fn index_text(index: Option<&Json>) -> Option<String> {
    match &index?.value {
        JsonValue::String(s, _) => Some(s.clone()),
        JsonValue::Number(n) => Some(format!("{n}")),
        _ => None,
    }
}

/// `module.a["x"].module.b[0]` → `["a", "b"]`.
pub fn module_calls(module_address: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = module_address;
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after.find(['.', '[']).unwrap_or(after.len());
        out.push(after[..end].to_owned());
        rest = skip_index(&after[end..]);
        rest = rest.strip_prefix('.').unwrap_or(rest);
    }
    out
}

/// Past a `["key"]` or `[0]` at the start of `text`.
fn skip_index(text: &str) -> &str {
    let Some(inner) = text.strip_prefix('[') else {
        return text;
    };
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in inner.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            ']' if !in_string => return &inner[i + 1..],
            _ => {}
        }
    }
    ""
}

/// `module.a.module.b["x"]` → (`module.a`, `b`).
fn split_last_call(module_address: &str) -> Option<(&str, String)> {
    let at = module_address.rfind("module.")?;
    let parent = module_address[..at].trim_end_matches('.');
    let call = module_calls(&module_address[at..]).into_iter().next()?;
    Some((parent, call))
}

/// The child module instance address within `address` that starts with `prefix`:
/// `module.a["x"].module.b` with prefix `module.a` → `module.a["x"]`.
fn child_address<'a>(address: &'a str, prefix: &str) -> &'a str {
    let rest = &address[prefix.len()..];
    let after_index = skip_index(rest);
    &address[..address.len() - after_index.len()]
}

fn segment_after(id: &str, key: &str) -> Option<String> {
    let mut parts = id.split('/');
    while let Some(part) = parts.next() {
        if part.eq_ignore_ascii_case(key) {
            return parts.next().map(str::to_owned);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_addresses_are_taken_apart() {
        let r = Reference::parse("azurerm_cognitive_account.openai[\"us\"].id");
        assert_eq!(
            (r.root, r.name, r.index, r.attribute),
            ("azurerm_cognitive_account", "openai", Some("us"), Some("id"))
        );
        let r = Reference::parse("module.acct.account_id");
        assert_eq!(
            (r.root, r.name, r.index, r.attribute),
            ("module", "acct", None, Some("account_id"))
        );
        let r = Reference::parse("var.x");
        assert_eq!((r.root, r.name, r.index, r.attribute), ("var", "x", None, None));
        assert_eq!(module_calls("module.a[\"x.y]\"].module.b[0]"), ["a", "b"]);
        assert_eq!(module_calls(""), Vec::<String>::new());
        assert_eq!(
            split_last_call("module.a.module.b[\"k\"]"),
            Some(("module.a", "b".to_owned()))
        );
        assert_eq!(split_last_call("module.a"), Some(("", "a".to_owned())));
        assert_eq!(child_address("module.a[\"x\"].module.b", "module.a"), "module.a[\"x\"]");
        assert_eq!(
            segment_after("/subscriptions/s/resourceGroups/rg/providers/x", "resourcegroups").as_deref(),
            Some("rg")
        );
    }
}
