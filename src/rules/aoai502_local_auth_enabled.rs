use super::{Context, Rule, RuleMeta, declare_rule, fixes};
use crate::diagnostic::{Finding, Fix, Label, Safety, Severity, Texts};
use crate::facts::{Account, AccountResource, AccountSetting, Known};

declare_rule! {
    /// ## What it does
    /// Flags an OpenAI or AIServices account whose API keys work: `local_auth_enabled` set
    /// to `true`, or not set at all (the provider's default is `true`). On an
    /// `azapi_resource` account: `properties.disableLocalAuth` `false` or not set.
    ///
    /// ## Why is this bad?
    /// A key is a shared secret that does not expire, is not tied to a person or workload,
    /// and is copied into app settings, pipelines and laptops. Microsoft Entra ID with
    /// managed identities gives every caller its own revocable, audited identity.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_cognitive_account" "openai" {
    ///   kind     = "OpenAI"
    ///   sku_name = "S0"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "azurerm_cognitive_account" "openai" {
    ///   kind               = "OpenAI"
    ///   sku_name           = "S0"
    ///   local_auth_enabled = false
    /// }
    /// ```
    ///
    /// ## Configuration
    /// None.
    ///
    /// ## Fix
    /// Unsafe (`--fix --unsafe-fixes`), where `local_auth_enabled = true` is written (in the
    /// resource or where its value comes from): it becomes `false`. Where the attribute is
    /// left out, `local_auth_enabled = false` (`local_authentication_enabled` on
    /// `azurerm_ai_services`) is written into the resource block, aligned as `terraform fmt`
    /// aligns it. Callers that use keys stop working, so a reviewer must read it.
    ///
    /// Not on an `azapi_resource` account; not where the new line would sit beside a
    /// trailing comment; not where the module reads the account's key (`primary_access_key`,
    /// `secondary_access_key`, directly or through a data source), lists an account's keys
    /// (`listKeys`, `az cognitiveservices account keys list`) or hands the whole account on
    /// (to a module, an output, `lookup`), since what it hands the key to would stop working
    /// (keys read or listed in another module are not seen); and never
    /// where a variable or local the value passed through is also read elsewhere in its
    /// module, since rewriting it would change those too.
    ///
    /// ## When it stays silent
    /// When `local_auth_enabled` is `false` or its value is unknown.
    ///
    /// ## Sources
    /// azurerm documentation of `azurerm_cognitive_account` and `azurerm_ai_services`:
    /// `local_auth_enabled` defaults to `true`. ARM reference of
    /// `Microsoft.CognitiveServices/accounts`: `disableLocalAuth` (keys work unless it is `true`).
    pub static LOCAL_AUTH_ENABLED = {
        id: "AOAI502",
        name: "local-auth-enabled",
        severity: Some(Severity::Warning),
        category: Security,
        summary: "API keys are enabled on the account",
    };
}

pub struct LocalAuthEnabled;

/// By account resource type.
static DEFAULTED: Texts<3> = Texts::new();
static NOT_SET: Texts<3> = Texts::new();
static ENABLED: Texts<3> = Texts::new();

const HELP: &str =
    "turn API keys off and give callers a managed identity with the \"Cognitive Services OpenAI User\" role";

impl Rule for LocalAuthEnabled {
    fn meta(&self) -> &'static RuleMeta {
        &LOCAL_AUTH_ENABLED
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for account in &cx.config.accounts {
            let field = &account.local_auth_enabled;
            cx.note_unknown(
                out,
                &LOCAL_AUTH_ENABLED,
                field,
                "whether API keys are on",
                &account.address,
            );
            let resource = account.resource;
            let attribute = || resource.attribute(AccountSetting::LocalAuth);
            let keys_on = || resource.written(AccountSetting::LocalAuth, true);
            let (message, label) = match field.value {
                Known::Absent => (
                    DEFAULTED.get(resource as usize, || {
                        format!(
                            "API keys are enabled: `{}` is not set and defaults to {}",
                            attribute(),
                            keys_on().rsplit(" = ").next().unwrap_or_default()
                        )
                    }),
                    NOT_SET.get(resource as usize, || format!("{} not set", attribute())),
                ),
                Known::Value(true) => (
                    ENABLED.get(resource as usize, || format!("API keys are enabled: `{}`", keys_on())),
                    "keys enabled here",
                ),
                Known::Value(false) | Known::Unknown => continue,
            };
            let mut finding = Finding::new(&LOCAL_AUTH_ENABLED, message, Label::new(field.span, label))
                .with_resource(&account.address)
                .with_related(field.origin.labels())
                .with_help(HELP);
            if let Some(fix) = keys_off(cx, account) {
                finding = finding.with_fix(fix);
            }
            out.push(finding);
        }
    }
}

/// API keys written off: where the value is written when it is written `true`, else a new
/// line in the resource block. Callers that use keys stop working, so a reviewer must read it.
fn keys_off(cx: &Context<'_>, account: &Account) -> Option<Fix> {
    let field = &account.local_auth_enabled;
    let off = account.resource.written(AccountSetting::LocalAuth, false);
    let description = format!("turn API keys off (`{off}`)");
    match field.value {
        _ if account.resource == AccountResource::Azapi || keys_handed_on(cx, account) => None,
        Known::Value(true) => fixes::rewrite_where_written(
            cx,
            (field, account.block),
            ("true".to_owned(), "false".to_owned()),
            Safety::Unsafe,
            description,
        ),
        Known::Absent => fixes::insert_attribute(
            cx,
            account.block?,
            (account.resource.attribute(AccountSetting::LocalAuth), "false"),
            &[],
            Safety::Unsafe,
            description,
        ),
        _ => None,
    }
}

/// Whether the account's module reads a key, or may hand one on: turning keys off would break
/// what it builds. It reads this account's `primary_access_key` or `secondary_access_key`,
/// hands the whole account on (to a module, an output, a function such as `lookup`; not
/// `depends_on`, `replace_triggered_by`, `import`, `moved` or `removed`, which read nothing),
/// lists an account's keys (`listKeys` but on another provider's type, `az cognitiveservices
/// account keys list`), or reads a key through a data source of an account (which may be this
/// one).
fn keys_handed_on(cx: &Context<'_>, account: &Account) -> bool {
    let Some(reference) = fixes::reference(&account.address) else {
        return true;
    };
    // Once per module and resource: its instances ask the same.
    let question = format!("keys handed on by {reference}");
    let handed_on = || {
        let texts = fixes::module_texts(cx.sources, account.head.file);
        usize::from(texts.into_iter().any(|text| hands_keys_on(text, reference)))
    };
    cx.memo.count(cx.sources, account.head.file, question, handed_on) > 0
}

/// Whether one of the module's files hands the account's keys on (see [`keys_handed_on`]).
fn hands_keys_on(text: &str, reference: &str) -> bool {
    // `listKeys` on any account's id may be this account's (the id can come through a local
    // or a variable); only a block that names another provider's type is not.
    let listed = text.match_indices("listKeys").any(|(at, _)| {
        let block = block_around(text, at);
        !block.contains("Microsoft.") || block.contains("Microsoft.CognitiveServices")
    }) || text.contains("cognitiveservices account keys list");
    let through_data = ["data.azurerm_cognitive_account.", "data.azurerm_ai_services."]
        .iter()
        .flat_map(|data| text.match_indices(data))
        .any(|(at, _)| {
            let rest = &text[at..];
            let end = rest
                .find(|c: char| c.is_whitespace() || ",)}".contains(c))
                .unwrap_or(rest.len());
            rest[..end].contains("_access_key")
        });
    listed
        || through_data
        || text
            .match_indices(reference)
            .any(|(at, _)| reads_keys_or_whole(text, at, reference))
}

/// The top-level block around `at`: from the line that opens it to the line that closes it.
fn block_around(text: &str, at: usize) -> &str {
    let start = text[..at].rfind("\n}").map_or(0, |n| n + 2);
    let end = text[at..].find("\n}").map_or(text.len(), |n| at + n);
    &text[start..end]
}

/// Whether the reference to the account at `at` reads a key or the whole account.
fn reads_keys_or_whole(text: &str, at: usize, reference: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    if text[..at].chars().next_back().is_some_and(|c| word(c) || c == '.') {
        return false;
    }
    let mut rest = &text[at + reference.len()..];
    if rest.starts_with(word) {
        return false;
    }
    // An instance (`[0]`, `["a"]`, `[*]`) is still the account.
    if rest.starts_with('[') {
        let Some(end) = rest.find(']') else {
            return true;
        };
        rest = &rest[end + 1..];
    }
    match rest.strip_prefix('.') {
        Some(attribute) => attribute.starts_with("primary_access_key") || attribute.starts_with("secondary_access_key"),
        None => !names_without_reading(&text[..at]),
    }
}

/// Whether a whole-resource reference ending `before` is one that reads nothing: in a
/// `depends_on` or `replace_triggered_by` list, or the `to`/`from` of an `import`, `moved` or
/// `removed` block.
fn names_without_reading(before: &str) -> bool {
    let in_list = ["depends_on", "replace_triggered_by"]
        .iter()
        .any(|list| before.rfind(list).is_some_and(|start| !before[start..].contains(']')));
    let line = before[before.rfind('\n').map_or(0, |n| n + 1)..].trim();
    let target = ["to", "from"]
        .iter()
        .any(|key| line.strip_prefix(key).is_some_and(|rest| rest.trim_start() == "="));
    in_list || target
}

#[cfg(test)]
mod tests {
    use crate::testing::{Case, assert_cases, azapi_account};

    fn account(extra: &str) -> String {
        format!(
            "resource \"azurerm_cognitive_account\" \"a\" {{\n  name     = \"a\"\n  kind     = \"OpenAI\"\n  location = \"eastus\"\n  sku_name = \"S0\"\n{extra}}}\n"
        )
    }

    #[test]
    fn cases() {
        assert_cases(
            "AOAI502",
            &[
                Case::new("unset defaults to true", &[("main.tf", &account(""))], &["main.tf:1:1"]),
                Case::new(
                    "explicit true",
                    &[("main.tf", &account("  local_auth_enabled = true\n"))],
                    &["main.tf:6:24"],
                ),
                Case::new(
                    "explicit false",
                    &[("main.tf", &account("  local_auth_enabled = false\n"))],
                    &[],
                ),
                Case::new(
                    "false from a tfvars file",
                    &[
                        (
                            "main.tf",
                            &format!(
                                "variable \"keys\" {{\n  default = true\n}}\n{}",
                                account("  local_auth_enabled = var.keys\n")
                            ),
                        ),
                        ("terraform.tfvars", "keys = false\n"),
                    ],
                    &[],
                ),
                Case::new(
                    "unknown value",
                    &[("main.tf", &account("  local_auth_enabled = data.x.y.z\n"))],
                    &[],
                ),
                Case::new(
                    "ai_services accounts are checked too",
                    &[(
                        "main.tf",
                        "resource \"azurerm_ai_services\" \"a\" {\n  name     = \"a\"\n  location = \"eastus\"\n  sku_name = \"S0\"\n}\n",
                    )],
                    &["main.tf:1:1"],
                ),
                Case::new(
                    "null means not set",
                    &[("main.tf", &account("  local_auth_enabled = null\n"))],
                    &["main.tf:6:24"],
                ),
                Case::new("azapi: unset defaults to keys on", &[("main.tf", &azapi_account(""))], &["main.tf:1:1"]),
                Case::new(
                    "azapi: disableLocalAuth = false",
                    &[("main.tf", &azapi_account("      disableLocalAuth = false\n"))],
                    &["main.tf:9:26"],
                ),
                Case::new(
                    "azapi: disableLocalAuth = true",
                    &[("main.tf", &azapi_account("      disableLocalAuth = true\n"))],
                    &[],
                ),
                Case::new(
                    "azapi: body as a JSON string",
                    &[(
                        "main.tf",
                        &azapi_account("").replace(
                            "body = {\n    kind = \"OpenAI\"\n    sku  = { name = \"S0\" }\n    properties = {\n    }\n  }",
                            "body = <<JSON\n{\"kind\": \"OpenAI\", \"properties\": {\"disableLocalAuth\": false}}\nJSON",
                        ),
                    )],
                    &["main.tf:5:10"],
                ),
            ],
        );
    }
}
