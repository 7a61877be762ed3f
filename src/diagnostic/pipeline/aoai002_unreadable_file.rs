use crate::diagnostic::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a file that could not be read or parsed: a syntax error, invalid UTF-8, a
    /// file over the size limit, an object literal with more than 10,000 entries (hcl-edit's
    /// time grows with the square of one object's entries, and it may have to read the file),
    /// a symbolic link that leaves the scanned directory or loops.
    ///
    /// ## Why is this bad?
    /// What is in such a file is not linted. Terraform would refuse most of these files too;
    /// a link out of the scanned directory is never read, so that a pull request cannot make
    /// the linter print a file from elsewhere on the machine into public CI logs.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_cognitive_account" "this" {
    ///   name = "oai"
    /// # the closing brace is missing
    /// ```
    ///
    /// ## Use instead
    /// Fix the syntax (`terraform fmt` reports the same error), save the file as UTF-8,
    /// raise `--max-file-size` for a large generated file, or split a huge object into
    /// smaller maps joined with `merge()`.
    ///
    /// ## Configuration
    /// `--max-file-size BYTES` (default 10 MiB).
    ///
    /// ## Fix
    /// None: the file's syntax is the author's to mend.
    ///
    /// ## When it stays silent
    /// When every file reads and parses.
    pub static UNREADABLE_FILE = {
        id: "AOAI002",
        name: "unreadable-file",
        severity: Some(crate::diagnostic::Severity::Error),
        category: Meta,
        summary: "a file could not be read or parsed",
    };
}
