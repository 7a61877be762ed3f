//! aoai-lint: a linter for Terraform that manages Azure OpenAI.
//!
//! The pipeline runs in one direction, one module per stage:
//! [`discover`] → [`parse`] → [`eval`] → [`facts`] → [`rules`] (with [`catalog`] and
//! [`policy`]) → [`report`]. [`lint::run`] drives it.

pub mod baseline;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod eval;
pub mod facts;
pub mod fix;
pub mod lint;
pub mod parse;
pub mod plan;
pub mod policy;
pub mod progress;
pub mod report;
pub mod rules;
pub mod source;
pub mod supplied;
pub mod suppress;

#[cfg(test)]
mod testing;
