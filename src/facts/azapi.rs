//! `azapi_resource`: the same facts as the azurerm resources, read from the ARM shape of
//! `body` (`kind`, `sku.name`, `properties.disableLocalAuth`, ...).
//!
//! `body` may be an HCL object, `jsonencode({...})` or a JSON string; a finding points at the
//! entry inside it when the body is written inline, and at the nearest written expression
//! (with the places the value came through) when it is built elsewhere.

use crate::diagnostic::{Address, Label};
use crate::eval::functions::from_json;
use crate::eval::module::ResourceDecl;
use crate::eval::value::{Val, Value};
use crate::eval::{Evaluator, Expansion, Instance, InstanceId, Scope};
use crate::parse::syntax::{BinaryOp, Block, Expr, ExprKind, ForExpr, ObjectKey, TemplatePart};
use crate::source::Span;

use super::{
    Account, AccountResource, Attributes, Blocks, Configuration, ContentFilter, Deployment, DeploymentResource,
    Extractor, Field, Identity, Known, NetworkAcls, OPENAI_KINDS, RaiPolicy, View, normalize_location_field,
};

impl Extractor<'_, '_> {
    /// Every instance of an `azapi_resource`, read by what its `type` says it creates.
    pub(super) fn azapi(&self, decl: &ResourceDecl, id: InstanceId, instance: &Instance, config: &mut Configuration) {
        let block = &decl.block;
        let Expansion::Known(instances) = self.ev.expand(block, &Scope::module(id)) else {
            let label = Label::new(block.head, "how many instances this resource has is unknown");
            let arm_type = ArmType::of(self.ev, block, &Scope::module(id));
            unseen(
                arm_type,
                &format!("{}{}", instance.address, decl.address()),
                label,
                config,
            );
            return;
        };
        for (key, scope) in instances {
            let address = format!("{}{}{}", instance.address, decl.address(), key);
            let view = View {
                ev: self.ev,
                body: &block.body,
                head: block.head,
                block: Some(block.span),
                scope,
                all_unknown: false,
            };
            let arm_type = ArmType::of(self.ev, block, &view.scope);
            let body = Node::body(self.ev, block, &view.scope);
            let endpoint_targets = || {
                private_link_ids(&body).try_fold(Vec::new(), |mut out, id| {
                    out.extend(references(&id?.val)?);
                    Some(out)
                })
            };
            read_azapi(
                arm_type,
                address.into(),
                &view,
                &body,
                &instance.call_sites,
                endpoint_targets,
                config,
            );
        }
    }
}

/// The `privateLinkServiceId` of every connection of a private endpoint's body; `None` items
/// where the list itself is unknown.
pub(super) fn private_link_ids<'n, 'e, 'a>(body: &'n Node<'e, 'a>) -> impl Iterator<Item = Option<Node<'e, 'a>>> + 'n {
    ["privateLinkServiceConnections", "manualPrivateLinkServiceConnections"]
        .into_iter()
        .flat_map(move |list| match body.path(&["properties", list]).items() {
            Some(connections) => connections
                .into_iter()
                .map(|c| Some(c.path(&["properties", "privateLinkServiceId"])))
                .collect::<Vec<_>>(),
            None => vec![None],
        })
}

/// The facts one `azapi_resource` instance gives, by what its `type` says it creates.
/// `endpoint_targets` resolves a private endpoint's connections to accounts.
pub(super) fn read_azapi<A: Attributes>(
    arm_type: Option<ArmType>,
    address: Address,
    view: &A,
    body: &Node<'_, '_>,
    call_sites: &[Span],
    endpoint_targets: impl FnOnce() -> Option<Vec<String>>,
    config: &mut Configuration,
) {
    match arm_type {
        Some(ArmType::Account) => {
            let kind = body.get("kind").string();
            match kind.value {
                Known::Value(kind) if OPENAI_KINDS.contains(&kind.as_str()) => {
                    config.accounts.push(account(address, kind, view, body, call_sites));
                }
                Known::Value(_) => {}
                Known::Unknown | Known::Absent => config
                    .unseen_accounts
                    .push(Label::new(view.head(), "the kind of this account is unknown")),
            }
        }
        Some(ArmType::Deployment) => config
            .deployments
            .push(azapi_deployment(address, view, body, call_sites)),
        Some(ArmType::RaiPolicy) => config
            .rai_policies
            .push(azapi_rai_policy(address, view, body, call_sites)),
        Some(ArmType::PrivateEndpoint) => config.attachments.push(super::Attachment {
            address,
            resource_type: "azurerm_private_endpoint".to_owned(),
            targets: endpoint_targets(),
        }),
        Some(ArmType::DiagnosticSetting) => config.attachments.push(super::Attachment {
            targets: view.targets(&["parent_id"]),
            address,
            resource_type: "azurerm_monitor_diagnostic_setting".to_owned(),
        }),
        Some(ArmType::Router) => config.routes.push(super::Route {
            targets: view.referenced_accounts(),
            resource_type: "azapi_resource".to_owned(),
            head: view.head(),
            address,
        }),
        Some(ArmType::Other) => {}
        None => unseen(
            None,
            &address,
            Label::new(view.head(), "the type of this azapi resource is unknown"),
            config,
        ),
    }
}

/// Records what an azapi resource the linter cannot read may create.
pub(super) fn unseen(arm_type: Option<ArmType>, address: &str, label: Label, config: &mut Configuration) {
    match arm_type {
        Some(ArmType::Account) => config.unseen_accounts.push(label),
        Some(ArmType::Deployment) => config.unseen_deployments.push(label),
        Some(ArmType::PrivateEndpoint | ArmType::DiagnosticSetting) => config.unseen_attachments(address, None),
        Some(ArmType::RaiPolicy | ArmType::Router | ArmType::Other) => {}
        None => {
            config.unseen_accounts.push(label.clone());
            config.unseen_deployments.push(label);
            config.unseen_attachments(address, None);
        }
    }
}

fn account<A: Attributes>(
    address: Address,
    kind: String,
    view: &A,
    body: &Node<'_, '_>,
    call_sites: &[Span],
) -> Account {
    let properties = body.get("properties");
    let mut location = view.string("location");
    if location.is_absent() {
        location = body.get("location").string();
    }
    normalize_location_field(&mut location);
    let mut local_auth_enabled = properties.get("disableLocalAuth").boolean();
    if let Known::Value(disabled) = local_auth_enabled.value {
        local_auth_enabled.value = Known::Value(!disabled);
    }
    let acls = properties.get("networkAcls");
    let network_acls = if acls.is_unknown() {
        Blocks::Unknown
    } else if acls.is_null() {
        Blocks::Known(Vec::new())
    } else {
        Blocks::Known(vec![NetworkAcls {
            default_action: acls.get("defaultAction").string(),
            span: acls.span(),
        }])
    };
    let identity = match view.first_block("identity") {
        Some(Some(_)) | None => view.each_block("identity", |b| Identity {
            identity_type: b.string("type"),
            span: b.head(),
        }),
        // azapi 1.x also took the identity inside `body`.
        Some(None) => {
            let identity = body.get("identity");
            if identity.is_unknown() {
                Blocks::Unknown
            } else if identity.is_null() {
                Blocks::Known(Vec::new())
            } else {
                Blocks::Known(vec![Identity {
                    identity_type: identity.get("type").string(),
                    span: identity.span(),
                }])
            }
        }
    };
    let encryption = properties.get("encryption");
    let customer_managed_key = match encryption.get("keySource").string().value {
        Known::Value(source) if source.eq_ignore_ascii_case("Microsoft.KeyVault") => {
            Blocks::Known(vec![encryption.span()])
        }
        Known::Value(_) | Known::Absent => Blocks::Known(Vec::new()),
        Known::Unknown => Blocks::Unknown,
    };
    Account {
        address,
        resource: AccountResource::Azapi,
        kind,
        location,
        sku_name: body.path(&["sku", "name"]).string(),
        custom_subdomain_name: properties.get("customSubDomainName").string(),
        local_auth_enabled,
        public_network_access_enabled: properties.get("publicNetworkAccess").field(|v| {
            let text = v.as_str()?;
            if text.eq_ignore_ascii_case("Enabled") {
                Some(true)
            } else if text.eq_ignore_ascii_case("Disabled") {
                Some(false)
            } else {
                None
            }
        }),
        outbound_network_access_restricted: properties.get("restrictOutboundNetworkAccess").boolean(),
        fqdns: properties.get("allowedFqdnList").strings(),
        dynamic_throttling_enabled: properties.get("dynamicThrottlingEnabled").boolean(),
        network_acls,
        identity,
        customer_managed_key,
        head: view.head(),
        block: None,
        call_sites: call_sites.to_vec(),
    }
}

fn azapi_deployment<A: Attributes>(address: Address, view: &A, body: &Node<'_, '_>, call_sites: &[Span]) -> Deployment {
    let properties = body.get("properties");
    let model = properties.get("model");
    let sku = body.get("sku");
    Deployment {
        address,
        resource: DeploymentResource::Azapi,
        name: view.string("name"),
        account: view.account_link("parent_id"),
        model_format: model.get("format").string(),
        model_name: model.get("name").string(),
        model_version: model.get("version").string(),
        sku_name: sku.get("name").string(),
        sku_capacity: sku.get("capacity").number(),
        uses_scale_block: false,
        scale_block: None,
        sku_block: None,
        rai_policy_name: properties.get("raiPolicyName").string(),
        version_upgrade_option: properties.get("versionUpgradeOption").string(),
        head: view.head(),
        block: None,
        call_sites: call_sites.to_vec(),
    }
}

fn azapi_rai_policy<A: Attributes>(address: Address, view: &A, body: &Node<'_, '_>, call_sites: &[Span]) -> RaiPolicy {
    let filters = body.path(&["properties", "contentFilters"]);
    let content_filters = match filters.items() {
        None => Blocks::Unknown,
        Some(items) => Blocks::Known(
            items
                .iter()
                .map(|f| ContentFilter {
                    name: f.get("name").string(),
                    filter_enabled: f.get("enabled").boolean(),
                    block_enabled: f.get("blocking").boolean(),
                    severity_threshold: f.get("severityThreshold").string(),
                    source: f.get("source").string(),
                    span: f.span(),
                })
                .collect(),
        ),
    };
    RaiPolicy {
        address,
        name: view.string("name"),
        account: view.account_link("parent_id"),
        content_filters,
        head: view.head(),
        call_sites: call_sites.to_vec(),
    }
}

/// The resources an id value refers to (`azapi_resource.openai.id`); `None` when it is
/// unknown for another reason, or a literal id the linter cannot match to a resource.
fn references(val: &Val) -> Option<Vec<String>> {
    match &val.value {
        Value::Unknown(unknown) => unknown.computed.as_ref().map(|c| vec![c.resource.clone()]),
        Value::Null => Some(Vec::new()),
        _ => None,
    }
}

/// What an `azapi_resource` creates, by its `type` (`Microsoft.CognitiveServices/accounts@2025-06-01`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArmType {
    Account,
    Deployment,
    RaiPolicy,
    PrivateEndpoint,
    DiagnosticSetting,
    /// Something that routes traffic to endpoints: an API Management backend, a Front Door
    /// origin, a Traffic Manager endpoint, an application gateway.
    Router,
    /// Anything else: a storage account, a role assignment, ...
    Other,
}

impl ArmType {
    /// ARM resource types are case-insensitive; the API version does not change the shape
    /// of the properties read here.
    pub fn parse(type_name: &str) -> ArmType {
        let resource_type = type_name.split('@').next().unwrap_or_default().to_ascii_lowercase();
        match resource_type.as_str() {
            "microsoft.cognitiveservices/accounts" => ArmType::Account,
            "microsoft.cognitiveservices/accounts/deployments" => ArmType::Deployment,
            "microsoft.cognitiveservices/accounts/raipolicies" => ArmType::RaiPolicy,
            "microsoft.network/privateendpoints" => ArmType::PrivateEndpoint,
            "microsoft.insights/diagnosticsettings" => ArmType::DiagnosticSetting,
            "microsoft.apimanagement/service/backends"
            | "microsoft.cdn/profiles/origingroups/origins"
            | "microsoft.network/frontdoors"
            | "microsoft.network/trafficmanagerprofiles/azureendpoints"
            | "microsoft.network/trafficmanagerprofiles/externalendpoints"
            | "microsoft.network/applicationgateways" => ArmType::Router,
            _ => ArmType::Other,
        }
    }

    /// The resource's `type` in this scope; `None` when it cannot be resolved.
    pub fn of(ev: &Evaluator<'_>, block: &Block, scope: &Scope) -> Option<ArmType> {
        let attr = block.body.attribute("type")?;
        ev.eval(&attr.value, scope).as_str().map(ArmType::parse)
    }
}

/// A value inside `body`, with the expression it is written as when that is known.
#[derive(Clone)]
pub struct Node<'e, 'a> {
    /// Reads entries of a body Unknown as a whole; absent for a body whose value is given.
    eval: Option<(&'e Evaluator<'a>, &'e Scope)>,
    val: Val,
    expr: Option<&'e Expr>,
    /// Where a finding about this value points: its own expression, or the nearest
    /// enclosing one that is written out.
    span: Span,
    /// Where a finding about a missing value points: the resource's head.
    head: Span,
}

impl<'e, 'a> Node<'e, 'a> {
    /// The resource's `body`: absent, an object, `jsonencode(object)` or a JSON string.
    pub fn body(ev: &'e Evaluator<'a>, block: &'e Block, scope: &'e Scope) -> Node<'e, 'a> {
        let Some(attr) = block.body.attribute("body") else {
            return Node {
                eval: Some((ev, scope)),
                val: Value::Null.into(),
                expr: None,
                span: block.head,
                head: block.head,
            };
        };
        let expr = unwrap_jsonencode(&attr.value);
        let mut val = ev.eval(expr, scope);
        if let Value::String(text) = &val.value {
            val = match serde_json::from_str::<serde_json::Value>(text) {
                Ok(json) => from_json(&json).with_origin(val.origin.clone()),
                // Not JSON: azapi would refuse it; nothing can be read from it.
                Err(_) => Val::unknown(),
            };
        }
        Node {
            eval: Some((ev, scope)),
            val,
            expr: Some(expr),
            span: expr.span,
            head: block.head,
        }
    }

    /// A body whose value is already resolved (a plan's), with the configuration's `body`
    /// expression for positions when it is known.
    pub fn resolved(val: Val, written: Option<&'e Expr>, span: Span, head: Span) -> Node<'e, 'a> {
        let mut val = val;
        if let Value::String(text) = &val.value {
            // azapi 1.x kept the body as a JSON string.
            val = serde_json::from_str::<serde_json::Value>(text)
                .map_or_else(|_| Val::unknown(), |json| from_json(&json));
        }
        let expr = written.map(unwrap_jsonencode);
        Node {
            eval: None,
            val,
            expr,
            span: expr.map_or(span, |e| e.span),
            head,
        }
    }

    pub fn value(&self) -> &Val {
        &self.val
    }

    /// The value under `key`; null when the key is missing, unknown when this is.
    pub fn get(&self, key: &str) -> Node<'e, 'a> {
        let expr = self.expr.and_then(|e| entry(e, key));
        let mut val = match (&self.val.value, expr) {
            (Value::Map(map), _) => map.get(key).cloned().unwrap_or_else(|| Value::Null.into()),
            // `{ for k, v in {...} : k => v if v != null }` is unknown as a whole as soon as
            // one entry is; the entry asked for may still be known, and then it is kept
            // exactly when it is not null.
            (Value::Unknown(_), Some(entry)) if self.expr.is_some_and(is_null_filter) => match self.eval {
                Some((ev, scope)) => ev.eval(entry, scope),
                None => Val::unknown(),
            },
            (Value::Unknown(_), _) => Val::unknown(),
            _ => Value::Null.into(),
        };
        if val.origin.is_empty() {
            val.origin = self.val.origin.clone();
        }
        Node {
            eval: self.eval,
            val,
            expr,
            span: expr.map_or(self.span, |e| e.span),
            head: self.head,
        }
    }

    /// `get` along a path: `node.path(&["properties", "networkAcls"])`.
    pub fn path(&self, keys: &[&str]) -> Node<'e, 'a> {
        keys.iter().fold(self.clone(), |node, key| node.get(key))
    }

    /// The elements of a list; `None` when the list itself is unknown.
    pub fn items(&self) -> Option<Vec<Node<'e, 'a>>> {
        let written = self.expr.map(|e| &e.kind);
        match &self.val.value {
            Value::Null => Some(Vec::new()),
            Value::List(items) => Some(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, val)| {
                        let expr = match written {
                            Some(ExprKind::Tuple(elements)) if elements.len() == items.len() => Some(&elements[i]),
                            _ => None,
                        };
                        Node {
                            eval: self.eval,
                            val: val.clone(),
                            expr,
                            span: expr.map_or(self.span, |e| e.span),
                            head: self.head,
                        }
                    })
                    .collect(),
            ),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.val.value, Value::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self.val.value, Value::Unknown(_))
    }

    pub fn span(&self) -> Span {
        self.span
    }

    pub fn field<T>(&self, convert: impl Fn(&Val) -> Option<T>) -> Field<T> {
        // A hidden value a finding may quote (as `View::field` records its own).
        if let Some((ev, _)) = self.eval {
            ev.remember_hidden(&self.val);
        }
        let value = match &self.val.value {
            Value::Null => Known::Absent,
            _ => convert(&self.val).map_or(Known::Unknown, Known::Value),
        };
        Field {
            span: if matches!(value, Known::Absent) {
                self.head
            } else {
                self.span
            },
            value,
            origin: self.val.origin.clone(),
        }
    }

    pub fn string(&self) -> Field<String> {
        self.field(Val::to_terraform_string)
    }

    pub fn boolean(&self) -> Field<bool> {
        self.field(Val::to_bool)
    }

    pub fn number(&self) -> Field<f64> {
        self.field(Val::to_number)
    }

    pub fn strings(&self) -> Field<Vec<String>> {
        self.field(|v| match &v.value {
            Value::List(items) => items.iter().map(Val::to_terraform_string).collect(),
            _ => None,
        })
    }
}

fn unwrap_jsonencode(expr: &Expr) -> &Expr {
    match &expr.kind {
        ExprKind::Call { name, args, .. } if name == "jsonencode" && args.len() == 1 => &args[0],
        _ => expr,
    }
}

/// The expression written for `key` inside an object expression. Looks through
/// `jsonencode(...)` and the null-filtering `{ for k, v in {...} : k => v if v != null }`
/// that modules use to leave unset properties out.
fn entry<'e>(expr: &'e Expr, key: &str) -> Option<&'e Expr> {
    match &expr.kind {
        ExprKind::Object(entries) => entries
            .iter()
            .rev()
            .find(|(k, _)| key_name(k) == Some(key))
            .map(|(_, v)| v),
        ExprKind::Call { name, args, .. } if name == "jsonencode" && args.len() == 1 => entry(&args[0], key),
        ExprKind::For(for_expr) if passes_through(for_expr) => entry(&for_expr.collection, key),
        _ => None,
    }
}

/// `{ for k, v in COLLECTION : k => v ... }`: the entries of the collection, maybe fewer.
fn passes_through(for_expr: &ForExpr) -> bool {
    let is_var = |expr: &Expr, name: &str| matches!(&expr.kind, ExprKind::Variable(v) if v == name);
    is_var(&for_expr.value, &for_expr.value_var)
        && matches!((&for_expr.key, &for_expr.key_var), (Some(key), Some(key_var)) if is_var(key, key_var))
        && !for_expr.grouping
}

/// A pass-through `for` that drops exactly the null entries: `if v != null`.
fn is_null_filter(expr: &Expr) -> bool {
    let ExprKind::For(for_expr) = &expr.kind else {
        return false;
    };
    let is_value = |e: &Expr| matches!(&e.kind, ExprKind::Variable(v) if *v == for_expr.value_var);
    let is_null = |e: &Expr| matches!(e.kind, ExprKind::Null);
    passes_through(for_expr)
        && match for_expr.condition.as_ref().map(|c| &c.kind) {
            Some(ExprKind::Binary(BinaryOp::NotEq, left, right)) => {
                (is_value(left) && is_null(right)) || (is_null(left) && is_value(right))
            }
            _ => false,
        }
}

fn key_name(key: &ObjectKey) -> Option<&str> {
    match key {
        ObjectKey::Name(name) => Some(name),
        ObjectKey::Expr(expr) => match &expr.kind {
            ExprKind::String(s) => Some(s),
            ExprKind::Template(parts) => match parts.as_slice() {
                [TemplatePart::Literal(s)] => Some(s),
                _ => None,
            },
            ExprKind::Variable(name) => Some(name),
            _ => None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arm_types_are_matched_without_case_or_api_version() {
        let cases = [
            ("Microsoft.CognitiveServices/accounts@2025-06-01", ArmType::Account),
            ("microsoft.cognitiveservices/ACCOUNTS@2023-05-01", ArmType::Account),
            (
                "Microsoft.CognitiveServices/accounts/deployments@2024-10-01",
                ArmType::Deployment,
            ),
            (
                "Microsoft.CognitiveServices/accounts/raiPolicies@2024-10-01",
                ArmType::RaiPolicy,
            ),
            (
                "Microsoft.Network/privateEndpoints@2024-05-01",
                ArmType::PrivateEndpoint,
            ),
            (
                "Microsoft.Insights/diagnosticSettings@2021-05-01-preview",
                ArmType::DiagnosticSetting,
            ),
            (
                "Microsoft.CognitiveServices/accounts/projects@2025-06-01",
                ArmType::Other,
            ),
            ("Microsoft.Storage/storageAccounts@2023-01-01", ArmType::Other),
            (
                "Microsoft.ApiManagement/service/backends@2024-06-01-preview",
                ArmType::Router,
            ),
            ("", ArmType::Other),
        ];
        for (type_name, expected) in cases {
            assert_eq!(ArmType::parse(type_name), expected, "{type_name}");
        }
    }
}
