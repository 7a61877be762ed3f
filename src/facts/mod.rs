//! extract: evaluated configurations → typed facts about Azure OpenAI resources.
//!
//! A fact field is Absent (not written), Unknown (written but not resolvable) or Known, and
//! always knows where it is written: rules read these, never the syntax.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use crate::diagnostic::{Address, Label};
use crate::eval::module::Mode;
use crate::eval::value::{Origin, Val, Value};
use crate::eval::{ChildCall, Evaluator, Expansion, InstanceId, Scope};
use crate::source::Span;

mod azapi;
pub mod plan;
mod view;

pub(crate) use view::{Attributes, View};

/// The state of one attribute.
#[derive(Debug, Clone, PartialEq)]
pub enum Known<T> {
    /// Not written: the provider's default applies.
    Absent,
    /// Written, but its value depends on something the linter cannot know.
    Unknown,
    Value(T),
}

/// One attribute of a resource instance: its value, where it is written (the expression,
/// or the block head when absent), and the places the value came through.
#[derive(Debug, Clone, PartialEq)]
pub struct Field<T> {
    pub value: Known<T>,
    pub span: Span,
    /// Kept as the evaluator's chain: most fields never become a finding.
    pub origin: Origin,
}

impl<T> Field<T> {
    pub fn known(&self) -> Option<&T> {
        match &self.value {
            Known::Value(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_absent(&self) -> bool {
        matches!(self.value, Known::Absent)
    }
}

/// Nested blocks such as `network_acls` or `identity`: a `dynamic` block over an unknown
/// collection makes their number unknown.
#[derive(Debug, Clone, PartialEq)]
pub enum Blocks<T> {
    Unknown,
    Known(Vec<T>),
}

impl<T> Blocks<T> {
    /// `Some(true)` when at least one block is known to exist.
    pub fn any(&self) -> Option<bool> {
        match self {
            Blocks::Unknown => None,
            Blocks::Known(items) => Some(!items.is_empty()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountResource {
    /// `azurerm_cognitive_account` with kind OpenAI or AIServices.
    CognitiveAccount,
    /// `azurerm_ai_services` (deprecated in azurerm 4.74, removed in 5.0): kind AIServices.
    AiServices,
    /// `azapi_resource` of type `Microsoft.CognitiveServices/accounts`.
    Azapi,
}

/// A setting of an account that rules name in messages; each resource type writes it its
/// own way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountSetting {
    Sku,
    LocalAuth,
    PublicNetworkAccess,
    CustomSubdomain,
    OutboundRestricted,
    Fqdns,
}

impl AccountResource {
    pub fn type_name(self) -> &'static str {
        match self {
            AccountResource::CognitiveAccount => "azurerm_cognitive_account",
            AccountResource::AiServices => "azurerm_ai_services",
            AccountResource::Azapi => "azapi_resource",
        }
    }

    /// The attribute (or `body` path) that holds `setting` in this resource type.
    pub fn attribute(self, setting: AccountSetting) -> &'static str {
        use AccountResource::*;
        use AccountSetting::*;
        match (self, setting) {
            (Azapi, Sku) => "sku.name",
            (_, Sku) => "sku_name",
            (CognitiveAccount, LocalAuth) => "local_auth_enabled",
            (AiServices, LocalAuth) => "local_authentication_enabled",
            (Azapi, LocalAuth) => "properties.disableLocalAuth",
            (CognitiveAccount, PublicNetworkAccess) => "public_network_access_enabled",
            (AiServices, PublicNetworkAccess) => "public_network_access",
            (Azapi, PublicNetworkAccess) => "properties.publicNetworkAccess",
            (Azapi, CustomSubdomain) => "properties.customSubDomainName",
            (_, CustomSubdomain) => "custom_subdomain_name",
            (Azapi, OutboundRestricted) => "properties.restrictOutboundNetworkAccess",
            (_, OutboundRestricted) => "outbound_network_access_restricted",
            (Azapi, Fqdns) => "properties.allowedFqdnList",
            (_, Fqdns) => "fqdns",
        }
    }

    /// `setting` written so that the fact reads `on` (keys enabled, public access on,
    /// outbound restricted), as this resource type spells it: `local_auth_enabled = false`,
    /// `properties.disableLocalAuth = true`.
    pub fn written(self, setting: AccountSetting, on: bool) -> String {
        let attribute = self.attribute(setting);
        let enabled = |on: bool| if on { "\"Enabled\"" } else { "\"Disabled\"" };
        match (self, setting) {
            (AccountResource::Azapi, AccountSetting::LocalAuth) => format!("{attribute} = {}", !on),
            (AccountResource::AiServices | AccountResource::Azapi, AccountSetting::PublicNetworkAccess) => {
                format!("{attribute} = {}", enabled(on))
            }
            _ => format!("{attribute} = {on}"),
        }
    }

    /// How to write network rules that deny by default.
    pub fn deny_by_default(self) -> &'static str {
        match self {
            AccountResource::Azapi => "properties.networkAcls = { defaultAction = \"Deny\" }",
            _ => "network_acls { default_action = \"Deny\" }",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeploymentResource {
    /// `azurerm_cognitive_deployment`.
    CognitiveDeployment,
    /// `azapi_resource` of type `Microsoft.CognitiveServices/accounts/deployments`.
    Azapi,
}

impl DeploymentResource {
    pub fn version_upgrade_option(self) -> &'static str {
        match self {
            DeploymentResource::CognitiveDeployment => "version_upgrade_option",
            DeploymentResource::Azapi => "properties.versionUpgradeOption",
        }
    }

    pub fn model_version(self) -> &'static str {
        match self {
            DeploymentResource::CognitiveDeployment => "model.version",
            DeploymentResource::Azapi => "properties.model.version",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NetworkAcls {
    pub default_action: Field<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    pub identity_type: Field<String>,
    pub span: Span,
}

/// The instance key of a resource read once for all of its instances, when how many there
/// are is unknown: what does not depend on `each` or `count` is the same in every one.
pub const TEMPLATE_KEY: &str = "[*]";

/// Whether an address stands for every instance of a resource whose instances are unknown.
pub fn is_template(address: &str) -> bool {
    address.ends_with(TEMPLATE_KEY)
}

/// An OpenAI-capable account instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    pub address: Address,
    pub resource: AccountResource,
    /// `OpenAI` or `AIServices` (known, or the account would not be here).
    pub kind: String,
    /// Normalised the way azurerm does: lower case, spaces removed.
    pub location: Field<String>,
    pub sku_name: Field<String>,
    pub custom_subdomain_name: Field<String>,
    pub local_auth_enabled: Field<bool>,
    pub public_network_access_enabled: Field<bool>,
    pub outbound_network_access_restricted: Field<bool>,
    pub fqdns: Field<Vec<String>>,
    pub dynamic_throttling_enabled: Field<bool>,
    pub network_acls: Blocks<NetworkAcls>,
    pub identity: Blocks<Identity>,
    pub customer_managed_key: Blocks<Span>,
    /// The resource block's head: where a finding about a missing attribute points.
    pub head: Span,
    /// The resource block as written (keyword to closing brace), when read from the
    /// configuration: where a fix writes a missing attribute.
    pub block: Option<Span>,
    /// The `module` blocks that created this instance, outermost first.
    pub call_sites: Vec<Span>,
}

/// Where a deployment lives.
#[derive(Debug, Clone, PartialEq)]
pub enum AccountLink {
    /// The address of an account instance in this configuration.
    Account(String),
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Deployment {
    pub address: Address,
    pub resource: DeploymentResource,
    /// The deployment's own name, which clients call it by.
    pub name: Field<String>,
    pub account: AccountLink,
    pub model_format: Field<String>,
    pub model_name: Field<String>,
    pub model_version: Field<String>,
    /// The 4.x `sku { name, capacity }` block, or the 3.x `scale { type, capacity }` block.
    pub sku_name: Field<String>,
    pub sku_capacity: Field<f64>,
    pub uses_scale_block: bool,
    /// Where a 3.x `scale` block's keyword and its `type` are written (for the fix to the
    /// 4.x `sku` block), when read from the configuration.
    pub scale_block: Option<(Span, Span)>,
    /// The `sku` (or `scale`) block as written, when read from the configuration and not
    /// made by a `dynamic` block.
    pub sku_block: Option<Span>,
    pub rai_policy_name: Field<String>,
    pub version_upgrade_option: Field<String>,
    pub head: Span,
    /// The resource block as written, when read from the configuration.
    pub block: Option<Span>,
    pub call_sites: Vec<Span>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ContentFilter {
    pub name: Field<String>,
    pub filter_enabled: Field<bool>,
    pub block_enabled: Field<bool>,
    pub severity_threshold: Field<String>,
    pub source: Field<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RaiPolicy {
    pub address: Address,
    pub name: Field<String>,
    pub account: AccountLink,
    pub content_filters: Blocks<ContentFilter>,
    pub head: Span,
    pub call_sites: Vec<Span>,
}

/// A resource that sends traffic to accounts: an APIM backend, a Front Door origin, a
/// Traffic Manager endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub address: Address,
    pub resource_type: String,
    /// Resources it refers to (an account's `id`, `endpoint`, ...); `None` when something
    /// it refers to cannot be resolved.
    pub targets: Option<Vec<String>>,
    pub head: Span,
}

/// `required_providers { azurerm = { version = "..." } }`.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderRequirement {
    pub name: String,
    pub source: Option<String>,
    pub version: Field<String>,
}

/// Resources a security rule looks for next to an account.
#[derive(Debug, Clone, PartialEq)]
pub struct Attachment {
    pub address: Address,
    pub resource_type: String,
    /// The resources it attaches to; `None` when the linter cannot tell.
    pub targets: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigurationKind {
    /// A root module (with the local modules it calls).
    Root,
    /// A directory nobody calls, with required inputs and no provider configuration: a
    /// module meant to be called. Configuration-wide rules do not judge it alone.
    ReusableModule,
}

/// Everything one configuration says about Azure OpenAI.
#[derive(Debug, Clone)]
pub struct Configuration {
    pub dir: PathBuf,
    pub kind: ConfigurationKind,
    /// In address order once extracted ([`in_address_order`](Self::in_address_order)).
    pub accounts: Vec<Account>,
    pub deployments: Vec<Deployment>,
    pub rai_policies: Vec<RaiPolicy>,
    pub routes: Vec<Route>,
    pub attachments: Vec<Attachment>,
    pub providers: Vec<ProviderRequirement>,
    /// Places where OpenAI-capable accounts may exist that the linter cannot see: a
    /// `count`/`for_each` that is unknown, an account whose kind is unknown, a module call
    /// not followed. Configuration-wide rules stay silent while this is not empty.
    pub unseen_accounts: Vec<Label>,
    /// Deployments whose number the linter cannot know (an unknown `count`/`for_each`).
    pub unseen_deployments: Vec<Label>,
}

impl Configuration {
    /// Terraform has no order between files or blocks; the facts take the order of their
    /// addresses, so that what a configuration-wide finding points at does not depend on
    /// file names.
    pub fn in_address_order(&mut self) {
        self.accounts.sort_by(|a, b| a.address.cmp(&b.address));
        self.deployments.sort_by(|a, b| a.address.cmp(&b.address));
        self.rai_policies.sort_by(|a, b| a.address.cmp(&b.address));
        self.routes.sort_by(|a, b| a.address.cmp(&b.address));
        self.attachments
            .sort_by(|a, b| (&a.address, &a.resource_type).cmp(&(&b.address, &b.resource_type)));
    }

    /// The `module` blocks that created each resource instance a module call created, by
    /// address, outermost first (the first of two instances with one address wins).
    pub fn call_sites_by_address(&self) -> HashMap<&str, &[Span]> {
        let accounts = self.accounts.iter().map(|a| (&a.address, &a.call_sites));
        let deployments = self.deployments.iter().map(|d| (&d.address, &d.call_sites));
        let policies = self.rai_policies.iter().map(|p| (&p.address, &p.call_sites));
        let resources = accounts.chain(deployments).chain(policies);
        let mut out = HashMap::new();
        // Most configurations call no module that makes these resources: no map to build.
        if resources.clone().all(|(_, sites)| sites.is_empty()) {
            return out;
        }
        for (address, sites) in resources {
            out.entry(&**address).or_insert(sites.as_slice());
        }
        out.retain(|_, sites| !sites.is_empty());
        out
    }

    /// Something the linter cannot see into (a module not followed, an azapi resource of
    /// unknown type) that may attach to the accounts in `targets` (any account when `None`).
    fn unseen_attachments(&mut self, address: &str, targets: Option<Vec<String>>) {
        for resource_type in ATTACHMENT_TYPES {
            self.attachments.push(Attachment {
                address: address.into(),
                resource_type: (*resource_type).to_owned(),
                targets: targets.clone(),
            });
        }
    }

    /// The account a deployment or RAI policy belongs to, when it is known. (The accounts
    /// are in address order, see [`in_address_order`](Self::in_address_order): found by
    /// binary search, the first of two with one address as a scan would.)
    pub fn account(&self, link: &AccountLink) -> Option<&Account> {
        match link {
            AccountLink::Account(address) => {
                let at = self.accounts.partition_point(|a| *a.address < **address);
                self.accounts.get(at).filter(|a| *a.address == **address)
            }
            AccountLink::Unknown => None,
        }
    }

    /// The accounts that attachments of `resource_type` (diagnostic settings, private
    /// endpoints, CMK resources) are known to attach to; `None` when one of them has a target
    /// the linter cannot resolve, so that it might attach to any account.
    pub fn attached_accounts(&self, resource_type: &str) -> Option<HashSet<&str>> {
        let mut out = HashSet::new();
        for attachment in self.attachments.iter().filter(|a| a.resource_type == resource_type) {
            out.extend(attachment.targets.as_ref()?.iter().map(String::as_str));
        }
        Some(out)
    }
}

const ROUTE_TYPES: &[&str] = &[
    "azurerm_api_management_backend",
    "azurerm_cdn_frontdoor_origin",
    "azurerm_traffic_manager_azure_endpoint",
    "azurerm_traffic_manager_external_endpoint",
    "azurerm_application_gateway",
];

const ATTACHMENT_TYPES: &[&str] = &[
    "azurerm_monitor_diagnostic_setting",
    "azurerm_private_endpoint",
    "azurerm_cognitive_account_customer_managed_key",
];

const OPENAI_KINDS: &[&str] = &["OpenAI", "AIServices"];

/// Arguments of a `module` block that are not inputs.
const MODULE_META_ARGUMENTS: &[&str] = &["source", "version", "providers", "depends_on", "count", "for_each"];

/// Walks every module instance of the configuration and extracts the facts.
pub fn extract(evaluator: &Evaluator<'_>, kind: ConfigurationKind) -> Configuration {
    let root = evaluator.instance(evaluator.root());
    let mut config = Configuration {
        dir: root.module.dir.clone(),
        kind,
        accounts: Vec::new(),
        deployments: Vec::new(),
        rai_policies: Vec::new(),
        routes: Vec::new(),
        attachments: Vec::new(),
        providers: Vec::new(),
        unseen_accounts: Vec::new(),
        unseen_deployments: Vec::new(),
    };
    let extractor = Extractor { ev: evaluator };
    config.providers = extractor.providers(evaluator.root());
    // Instances are added while walking (module calls): walk until none is left.
    let mut next = 0;
    while next < evaluator.instance_count() {
        let id = InstanceId(next);
        next += 1;
        extractor.instance(id, &mut config);
    }
    config.in_address_order();
    config
}

struct Extractor<'e, 'a> {
    ev: &'e Evaluator<'a>,
}

impl Extractor<'_, '_> {
    fn instance(&self, id: InstanceId, config: &mut Configuration) {
        let instance = self.ev.instance(id);
        // Terraform evaluates every local; so does the linter, so that a cycle or a bound
        // in one nobody reads is still reported.
        for name in instance.module.locals.keys() {
            self.ev.local(id, name);
        }
        for (call_index, call) in instance.module.module_calls.iter().enumerate() {
            let why = match &*self.ev.children(id, call_index) {
                ChildCall::Instances(_) => continue,
                ChildCall::NotFollowed => "this module is not followed",
                ChildCall::Unknown => "how many instances this module has is unknown",
            };
            config.unseen_accounts.push(Label::new(call.block.head, why));
            // What it creates is unseen: a private endpoint or a diagnostic setting for
            // an account it is given would be among them.
            let view = View {
                ev: self.ev,
                body: &call.block.body,
                head: call.block.head,
                block: Some(call.block.span),
                scope: Scope::module(id),
                all_unknown: false,
            };
            let targets = view.accounts_handed_to_module(MODULE_META_ARGUMENTS);
            let address = format!("{}module.{}", instance.address, call.name);
            config.unseen_attachments(&address, targets);
        }
        for decl in instance.module.resources.iter().filter(|d| d.mode == Mode::Managed) {
            if decl.resource_type == "azapi_resource" {
                self.azapi(decl, id, &instance, config);
                continue;
            }
            let interesting = matches!(
                decl.resource_type.as_str(),
                "azurerm_cognitive_account"
                    | "azurerm_ai_services"
                    | "azurerm_cognitive_deployment"
                    | "azurerm_cognitive_account_rai_policy"
            ) || ROUTE_TYPES.contains(&decl.resource_type.as_str())
                || ATTACHMENT_TYPES.contains(&decl.resource_type.as_str());
            if !interesting {
                continue;
            }
            let Expansion::Known(instances) = self.ev.expand(&decl.block, &Scope::module(id)) else {
                let label = Label::new(decl.block.head, "how many instances this resource has is unknown");
                let template =
                    is_account_type(&decl.resource_type) || decl.resource_type == "azurerm_cognitive_deployment";
                if is_account_type(&decl.resource_type) {
                    config.unseen_accounts.push(label);
                } else if decl.resource_type == "azurerm_cognitive_deployment" {
                    config.unseen_deployments.push(label);
                }
                // How many there are is unknown, but not what every instance has in common:
                // read once with `each` and `count` unknown, what does not depend on them is
                // checked (`azurerm_cognitive_deployment.this[*]`).
                if template {
                    let address = format!("{}{TEMPLATE_KEY}", instance.resource_address(decl));
                    let view = View {
                        ev: self.ev,
                        body: &decl.block.body,
                        head: decl.block.head,
                        block: Some(decl.block.span),
                        scope: Scope::module(id),
                        all_unknown: false,
                    };
                    read_resource(&decl.resource_type, address.into(), &view, &instance.call_sites, config);
                }
                continue;
            };
            for (key, scope) in instances {
                let mut address = instance.resource_address(decl);
                key.push_to(&mut address);
                let view = View {
                    ev: self.ev,
                    body: &decl.block.body,
                    head: decl.block.head,
                    block: Some(decl.block.span),
                    scope,
                    all_unknown: false,
                };
                read_resource(&decl.resource_type, address.into(), &view, &instance.call_sites, config);
            }
        }
    }

    fn providers(&self, id: InstanceId) -> Vec<ProviderRequirement> {
        let instance = self.ev.instance(id);
        let mut out = Vec::new();
        for block in &instance.module.terraform_blocks {
            for required in block.body.blocks_named("required_providers") {
                for attr in &required.body.attributes {
                    let view = View {
                        ev: self.ev,
                        body: &required.body,
                        head: required.head,
                        block: Some(required.span),
                        scope: Scope::module(id),
                        all_unknown: false,
                    };
                    let value = view.val(&attr.name);
                    let field = |key: &str| match &value.value {
                        Value::Map(map) => map.get(key).and_then(Val::as_str).map(str::to_owned),
                        _ => None,
                    };
                    let version = match (&attr.value.kind, field("version")) {
                        (_, Some(v)) => Field {
                            value: Known::Value(v),
                            span: attr.value.span,
                            origin: Origin::none(),
                        },
                        // The legacy `azurerm = "~> 3.0"` form.
                        (_, None) => match value.as_str() {
                            Some(v) => Field {
                                value: Known::Value(v.to_owned()),
                                span: attr.value.span,
                                origin: Origin::none(),
                            },
                            None => Field {
                                value: Known::Absent,
                                span: attr.span,
                                origin: Origin::none(),
                            },
                        },
                    };
                    out.push(ProviderRequirement {
                        name: attr.name.clone(),
                        source: field("source"),
                        version,
                    });
                }
            }
        }
        out
    }
}

/// The facts one azurerm resource instance gives, whatever its attributes are read from.
pub(crate) fn read_resource<A: Attributes>(
    resource_type: &str,
    address: Address,
    view: &A,
    call_sites: &[Span],
    config: &mut Configuration,
) {
    match resource_type {
        "azurerm_cognitive_account" | "azurerm_ai_services" => {
            let resource = if resource_type == "azurerm_ai_services" {
                AccountResource::AiServices
            } else {
                AccountResource::CognitiveAccount
            };
            let kind = match resource {
                AccountResource::AiServices => Known::Value("AIServices".to_owned()),
                _ => view.string("kind").value,
            };
            match kind {
                Known::Value(kind) if OPENAI_KINDS.contains(&kind.as_str()) => {
                    config
                        .accounts
                        .push(read_account(address, resource, kind, view, call_sites));
                }
                // Face, Speech, FormRecognizer...: not ours.
                Known::Value(_) => {}
                Known::Unknown | Known::Absent => config
                    .unseen_accounts
                    .push(Label::new(view.head(), "the kind of this account is unknown")),
            }
        }
        "azurerm_cognitive_deployment" => {
            let (sku, uses_scale_block) = match view.first_block("sku") {
                Some(Some(sku)) => (Some(sku), false),
                Some(None) => match view.first_block("scale") {
                    Some(Some(scale)) => (Some(scale), true),
                    Some(None) => (None, false),
                    None => (Some(view.unknown_block()), true),
                },
                None => (Some(view.unknown_block()), false),
            };
            let scale_block = match &sku {
                Some(scale) if uses_scale_block => scale.attribute_name("type").map(|name| (scale.head(), name)),
                _ => None,
            };
            let sku_block = sku.as_ref().and_then(Attributes::block);
            let (sku_name, sku_capacity) = match &sku {
                Some(sku) => (
                    sku.string(if uses_scale_block { "type" } else { "name" }),
                    sku.number("capacity"),
                ),
                None => (view.absent(), view.absent()),
            };
            let model = view.first_block("model");
            let model_field = |name: &str| match &model {
                Some(Some(m)) => m.string(name),
                Some(None) => view.absent(),
                None => view.unknown_field(),
            };
            config.deployments.push(Deployment {
                resource: DeploymentResource::CognitiveDeployment,
                name: view.string("name"),
                account: view.account_link("cognitive_account_id"),
                model_format: model_field("format"),
                model_name: model_field("name"),
                model_version: model_field("version"),
                sku_name,
                sku_capacity,
                uses_scale_block,
                scale_block,
                sku_block,
                rai_policy_name: view.string("rai_policy_name"),
                version_upgrade_option: view.string("version_upgrade_option"),
                head: view.head(),
                block: view.block(),
                call_sites: call_sites.to_vec(),
                address,
            });
        }
        "azurerm_cognitive_account_rai_policy" => {
            let content_filters = view.each_block("content_filter", |f| ContentFilter {
                name: f.string("name"),
                filter_enabled: f.boolean("filter_enabled"),
                block_enabled: f.boolean("block_enabled"),
                severity_threshold: f.string("severity_threshold"),
                source: f.string("source"),
                span: f.head(),
            });
            config.rai_policies.push(RaiPolicy {
                name: view.string("name"),
                account: view.account_link("cognitive_account_id"),
                content_filters,
                head: view.head(),
                call_sites: call_sites.to_vec(),
                address,
            });
        }
        other if ROUTE_TYPES.contains(&other) => config.routes.push(Route {
            targets: view.referenced_accounts(),
            resource_type: other.to_owned(),
            head: view.head(),
            address,
        }),
        other => config.attachments.push(Attachment {
            targets: match other {
                "azurerm_monitor_diagnostic_setting" => view.targets(&["target_resource_id"]),
                "azurerm_private_endpoint" => {
                    view.targets(&["private_service_connection", "private_connection_resource_id"])
                }
                _ => view.targets(&["cognitive_account_id"]),
            },
            resource_type: other.to_owned(),
            address,
        }),
    }
}

fn read_account<A: Attributes>(
    address: Address,
    resource: AccountResource,
    kind: String,
    view: &A,
    call_sites: &[Span],
) -> Account {
    let mut location = view.string("location");
    normalize_location_field(&mut location);
    let network_acls = view.each_block("network_acls", |b| NetworkAcls {
        default_action: b.string("default_action"),
        span: b.head(),
    });
    let identity = view.each_block("identity", |b| Identity {
        identity_type: b.string("type"),
        span: b.head(),
    });
    let customer_managed_key = view.each_block("customer_managed_key", |b| b.head());
    Account {
        address,
        resource,
        kind,
        location,
        sku_name: view.string("sku_name"),
        custom_subdomain_name: view.string("custom_subdomain_name"),
        // azurerm_ai_services names these differently (and takes Enabled/Disabled).
        local_auth_enabled: match resource {
            AccountResource::AiServices => view.boolean("local_authentication_enabled"),
            _ => view.boolean("local_auth_enabled"),
        },
        public_network_access_enabled: match resource {
            AccountResource::AiServices => view.field("public_network_access", |v| match v.as_str()? {
                "Enabled" => Some(true),
                "Disabled" => Some(false),
                _ => None,
            }),
            _ => view.boolean("public_network_access_enabled"),
        },
        outbound_network_access_restricted: view.boolean("outbound_network_access_restricted"),
        fqdns: view.strings("fqdns"),
        dynamic_throttling_enabled: view.boolean("dynamic_throttling_enabled"),
        network_acls,
        identity,
        customer_managed_key,
        head: view.head(),
        block: view.block(),
        call_sites: call_sites.to_vec(),
    }
}

fn is_account_type(resource_type: &str) -> bool {
    matches!(resource_type, "azurerm_cognitive_account" | "azurerm_ai_services")
}

/// azurerm's location normalisation: "West Europe" and "westeurope" are the same region.
pub fn normalize_location(raw: &str) -> String {
    if is_normalized(raw) {
        return raw.to_owned();
    }
    raw.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_lowercase()
}

/// A location field's value normalised where it stands (most are written as azurerm
/// normalises them already: nothing is copied then).
pub(crate) fn normalize_location_field(location: &mut Field<String>) {
    if let Known::Value(raw) = &mut location.value
        && !is_normalized(raw)
    {
        *raw = normalize_location(raw);
    }
}

fn is_normalized(location: &str) -> bool {
    location
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::{self, Options};

    fn configurations(fixture: &str) -> Vec<Configuration> {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures")
            .join(fixture);
        lint::run(&Options {
            paths: vec![path],
            keep_configurations: true,
            ..Options::default()
        })
        .expect("the fixture lints")
        .configurations
    }

    fn links(config: &Configuration) -> Vec<(String, AccountLink)> {
        config
            .deployments
            .iter()
            .map(|d| (d.address.to_string(), d.account.clone()))
            .collect()
    }

    fn account(address: &str) -> AccountLink {
        AccountLink::Account(address.to_owned())
    }

    #[test]
    fn the_seed_deployment_belongs_to_its_account() {
        let configs = configurations("seed");
        let config = &configs[0];
        assert_eq!(config.accounts.len(), 1);
        assert_eq!(config.accounts[0].location.known().map(String::as_str), Some("eastus2"));
        assert_eq!(
            links(config),
            [(
                "azurerm_cognitive_deployment.realtime".to_owned(),
                account("azurerm_cognitive_account.openai")
            )]
        );
        let deployment = &config.deployments[0];
        assert_eq!(deployment.sku_name.known().map(String::as_str), Some("GlobalStandard"));
        assert!(deployment.sku_capacity.is_absent());
        assert_eq!(
            deployment.model_name.known().map(String::as_str),
            Some("gpt-4o-realtime-preview")
        );
        assert_eq!(config.providers[0].name, "azurerm");
        assert_eq!(config.providers[0].version.known().map(String::as_str), Some("~> 4.0"));
    }

    #[test]
    fn chained_for_each_links_each_instance() {
        let configs = configurations("chained-for-each");
        assert_eq!(
            links(&configs[0]),
            [(
                "azurerm_cognitive_deployment.chat[\"us\"]".to_owned(),
                account("azurerm_cognitive_account.openai[\"us\"]")
            )]
        );
    }

    #[test]
    fn for_each_deployments_expand_with_their_values() {
        let configs = configurations("locals-for-each");
        let config = &configs[0];
        let names: Vec<_> = config
            .deployments
            .iter()
            .map(|d| d.model_name.known().cloned())
            .collect();
        assert_eq!(names, [Some("gpt-4o".into()), Some("text-embedding-3-large".into())]);
        assert_eq!(config.deployments[1].sku_capacity.known(), Some(&120.0));
        assert!(
            config
                .deployments
                .iter()
                .all(|d| d.account == account("azurerm_cognitive_account.openai[\"primary\"]"))
        );
        let locations: Vec<_> = config
            .accounts
            .iter()
            .filter_map(|a| a.location.known().cloned())
            .collect();
        assert_eq!(locations, ["eastus2", "swedencentral"]);
    }

    #[test]
    fn azapi_accounts_deployments_and_attachments_are_read_from_their_bodies() {
        let configs = configurations("azapi");
        let config = &configs[0];
        assert!(config.unseen_accounts.is_empty());
        let foundry = config
            .accounts
            .iter()
            .find(|a| &*a.address == "azapi_resource.foundry")
            .expect("the jsonencode body is read");
        assert_eq!(foundry.resource, AccountResource::Azapi);
        assert_eq!(foundry.kind, "AIServices");
        assert_eq!(foundry.location.known().map(String::as_str), Some("francecentral"));
        assert_eq!(foundry.local_auth_enabled.known(), Some(&false));
        assert_eq!(foundry.public_network_access_enabled.known(), Some(&false));
        assert_eq!(foundry.fqdns.known(), Some(&vec!["contoso.com".to_owned()]));
        assert_eq!(
            foundry.custom_subdomain_name.known().map(String::as_str),
            Some("ais-contoso-frc")
        );
        let openai = config
            .account(&account("azapi_resource.openai"))
            .expect("the HCL body is read");
        assert_eq!(openai.location.known().map(String::as_str), Some("swedencentral"));
        assert_eq!(openai.local_auth_enabled.known(), Some(&true));
        assert!(openai.custom_subdomain_name.is_absent());
        assert_eq!(
            links(config),
            [
                (
                    "azapi_resource.embeddings".to_owned(),
                    account("azapi_resource.foundry")
                ),
                (
                    "azurerm_cognitive_deployment.chat".to_owned(),
                    account("azapi_resource.openai")
                ),
            ]
        );
        assert_eq!(config.deployments[0].sku_capacity.known(), Some(&120.0));
        assert_eq!(config.rai_policies[0].account, account("azapi_resource.foundry"));
        let logs = config
            .attached_accounts("azurerm_monitor_diagnostic_setting")
            .expect("the diagnostic setting's parent is known");
        assert_eq!(logs, HashSet::from([&*foundry.address]));
        let setting = config
            .attachments
            .iter()
            .find(|a| a.resource_type == "azurerm_monitor_diagnostic_setting")
            .expect("the diagnostic setting is an attachment");
        assert_eq!(&*setting.address, "azapi_resource.foundry_logs");
    }

    #[test]
    fn a_module_called_twice_makes_two_accounts() {
        let configs = configurations("module-called-twice");
        assert_eq!(configs.len(), 1, "the called module is judged through its caller");
        let accounts: Vec<_> = configs[0]
            .accounts
            .iter()
            .map(|a| {
                (
                    &*a.address,
                    a.location.known().map(String::as_str),
                    a.local_auth_enabled.known(),
                )
            })
            .collect();
        assert_eq!(
            accounts,
            [
                (
                    "module.openai_eu.azurerm_cognitive_account.this",
                    Some("swedencentral"),
                    Some(&false)
                ),
                (
                    "module.openai_us.azurerm_cognitive_account.this",
                    Some("eastus2"),
                    Some(&true)
                ),
            ]
        );
        assert_eq!(configs[0].accounts[0].call_sites.len(), 1);
    }

    #[test]
    fn downloaded_modules_are_followed_through_modules_json() {
        let configs = configurations("downloaded-module");
        let config = &configs[0];
        assert_eq!(
            &*config.accounts[0].address,
            "module.openai.azurerm_cognitive_account.this"
        );
        assert_eq!(
            links(config),
            [(
                "module.openai.module.deployment.azurerm_cognitive_deployment.chat".to_owned(),
                account("module.openai.azurerm_cognitive_account.this")
            )]
        );
        // The git module that was not downloaded may hold accounts.
        assert_eq!(config.unseen_accounts.len(), 1);
    }

    #[test]
    fn dynamic_blocks_expand_and_unknown_ones_stay_unknown() {
        let configs = configurations("dynamic-blocks");
        let account = &configs[0].accounts[0];
        match &account.network_acls {
            Blocks::Known(acls) => {
                assert_eq!(acls.len(), 1);
                assert_eq!(acls[0].default_action.known().map(String::as_str), Some("Deny"));
            }
            Blocks::Unknown => panic!("the allowed_ips default is known"),
        }
        assert_eq!(account.identity, Blocks::Unknown, "for_each over an unknown variable");
        assert_eq!(account.public_network_access_enabled.value, Known::Unknown);
    }

    #[test]
    fn other_kinds_are_ignored() {
        let configs = configurations("count");
        assert_eq!(configs[0].accounts.len(), 2);
        assert!(configs[0].accounts.iter().all(|a| a.kind == "OpenAI"));
        assert!(configs[0].unseen_accounts.is_empty());
    }

    #[test]
    fn locations_normalise_like_azurerm() {
        assert_eq!(normalize_location("West Europe"), "westeurope");
        assert_eq!(normalize_location("eastus2"), "eastus2");
        assert_eq!(normalize_location("East US 2"), "eastus2");
        assert_eq!(normalize_location("ÖSTERREICH"), "österreich");
    }
}
