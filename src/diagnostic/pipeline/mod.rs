//! The rules the pipeline's own stages raise (a file that cannot be read, an ignore comment
//! that waives nothing, an expression evaluation stopped on): one file each, declared here,
//! below the stages that raise them. The rules module lists them with every other rule.

mod aoai002_unreadable_file;
mod aoai003_unused_suppression;
mod aoai005_unevaluable_expression;

pub use aoai002_unreadable_file::UNREADABLE_FILE;
pub use aoai003_unused_suppression::UNUSED_SUPPRESSION;
pub use aoai005_unevaluable_expression::UNEVALUABLE_EXPRESSION;
