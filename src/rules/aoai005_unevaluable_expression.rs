use super::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports an expression the evaluator stopped on: locals or outputs that refer to each
    /// other in a cycle, or a bound reached (nesting or reference depth, evaluation steps,
    /// a `count`/`for_each` with more instances than the limit, modules nested too deep).
    ///
    /// ## Why is this bad?
    /// The value of such an expression, and everything computed from it, is Unknown, so
    /// rules cannot check it. Terraform itself rejects cycles; the bounds keep a hostile or
    /// generated configuration from making the linter hang or run out of memory.
    ///
    /// ## Example
    /// ```hcl
    /// locals {
    ///   a = local.b
    ///   b = local.a
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Break the cycle. A bound is generous for real configurations: reaching one usually
    /// means generated code worth a look.
    ///
    /// ## Configuration
    /// None.
    ///
    /// ## When it stays silent
    /// When every expression evaluates within the bounds.
    pub static UNEVALUABLE_EXPRESSION = {
        id: "AOAI005",
        name: "unevaluable-expression",
        severity: Some(crate::diagnostic::Severity::Warning),
        category: Meta,
        summary: "an expression is a cycle or reached an evaluation bound",
    };
}
