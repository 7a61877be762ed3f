use crate::diagnostic::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports an expression the evaluator stopped on: locals or outputs that refer to each
    /// other in a cycle, modules that call themselves or each other, or a bound reached.
    /// The bounds, per configuration unless said otherwise:
    ///
    /// | bound | default |
    /// |---|---|
    /// | nesting or reference depth | 200 levels |
    /// | one string | 1 MiB |
    /// | one list or map (`range`, `for`, `flatten`, `concat`, ...) | 100,000 elements |
    /// | instances of one `count` / `for_each` | 10,000 |
    /// | resource and module instances in all | 50,000 |
    /// | module instances | 10,000 |
    /// | module nesting | 16 levels |
    /// | evaluation steps | 5,000,000, and 50,000,000 for the whole run |
    /// | bytes of values built | 128 MiB, and 1 GiB for the whole run |
    ///
    /// The run's steps and bytes are shared out equally among its directories before any is
    /// evaluated (never fewer than 100,000 steps and 4 MiB each), so that a pull request of
    /// many small roots cannot buy more time than one large one, and which configuration
    /// reaches a bound never depends on threads. A result too large is refused before it is
    /// made (`replace(s, "a", s)` nested three times is one finding, not 13 GB).
    ///
    /// ## Why is this bad?
    /// The value of such an expression, and everything computed from it, is Unknown, so
    /// rules cannot check it. Terraform itself rejects cycles; the bounds keep a hostile or
    /// generated configuration from making the linter hang or run out of memory. A bound of
    /// the whole configuration (steps, bytes built) makes every value after it Unknown; the
    /// other configurations of the run go on.
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
    /// Break the cycle. A bound is generous for real configurations (the largest of 46 public
    /// repositories used 4,537 steps, 95 KiB and 18 instances): reaching one usually means
    /// generated code worth a look.
    ///
    /// ## Configuration
    /// None.
    ///
    /// ## Fix
    /// None: the expression is the author's.
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
