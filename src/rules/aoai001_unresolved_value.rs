use super::declare_rule;

declare_rule! {
    /// ## What it does
    /// Names an attribute a rule needed but could not resolve, with the expression that
    /// stayed unknown highlighted. Off unless `--report-unknowns` turns it on.
    ///
    /// ## Why is this bad?
    /// A value that comes from a data source, a computed attribute or a module that was not
    /// followed is Unknown, and rules never judge Unknown values. Silence is then not a pass:
    /// this diagnostic says where the linter could not look.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_cognitive_account" "this" {
    ///   location = data.azurerm_resource_group.rg.location # known only at plan time
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Nothing needs to change. To let the linter see the value, pass it as a variable with a
    /// default or in a `.tfvars` file.
    ///
    /// ## Configuration
    /// None.
    ///
    /// ## Fix
    /// None: the value is unknown, so there is nothing to rewrite.
    ///
    /// ## When it stays silent
    /// Always, unless `--report-unknowns` is given.
    pub static UNRESOLVED_VALUE = {
        id: "AOAI001",
        name: "unresolved-value",
        severity: None,
        category: Meta,
        summary: "a rule needed a value it could not resolve",
    };
}
