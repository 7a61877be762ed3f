use crate::diagnostic::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports an `aoai-lint-ignore` comment that suppresses nothing: no finding of the rules
    /// it names is inside the block or attribute below it (or in the file, for
    /// `aoai-lint-ignore-file`); a rule it names does not exist; or its `until=` date has
    /// passed, so it no longer applies.
    ///
    /// ## Why is this bad?
    /// A stale suppression hides the next real finding at that place, and one that outlived
    /// its expiry says a waiver is still in force when it is not.
    ///
    /// ## Example
    /// ```hcl
    /// # aoai-lint-ignore: AOAI502 keys are needed by the legacy app
    /// resource "azurerm_cognitive_account" "openai" {
    ///   local_auth_enabled = false
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Remove the comment, or correct the rule it names.
    ///
    /// ## Configuration
    /// None.
    ///
    /// ## Fix
    /// None: whether the comment is stale or the finding it waived will return is the author's
    /// call.
    ///
    /// ## When it stays silent
    /// While every suppression matches a finding.
    pub static UNUSED_SUPPRESSION = {
        id: "AOAI003",
        name: "unused-suppression",
        severity: Some(crate::diagnostic::Severity::Warning),
        category: Meta,
        summary: "an ignore comment that matches no finding",
    };
}
