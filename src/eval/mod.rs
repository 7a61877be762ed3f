//! evaluate: Terraform expressions → values with origins, over whole configurations (a root
//! module and the local modules it calls, each call instantiated with its own inputs).

pub mod downloads;
mod evaluator;
pub mod functions;
pub mod module;
pub mod types;
pub mod value;

pub use evaluator::{
    BlockInstance, ChildCall, CliVariables, Evaluator, Expansion, Instance, InstanceId, InstanceKey, ModuleSet, Note,
    Scope,
};

/// Bounds that keep evaluation of hostile input finite. Hitting one is reported (AOAI005)
/// at the expression, and the value behind it is Unknown.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    /// Nested evaluation frames: expression depth plus chains of references.
    pub max_depth: u32,
    /// Expressions evaluated for one configuration.
    pub max_steps: u64,
    /// Instances one `count`/`for_each` may create.
    pub max_instances: usize,
    /// Elements one collection (`range`, a `for` expression) may hold.
    pub max_collection: usize,
    /// Nested module calls.
    pub max_module_depth: usize,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            // Real configurations nest a few levels; chains of locals rarely exceed 20.
            max_depth: 200,
            // A 1,000-resource root evaluates in well under 100,000 steps.
            max_steps: 5_000_000,
            // Azure OpenAI estates count deployments in tens; 10,000 is generous.
            max_instances: 10_000,
            max_collection: 100_000,
            max_module_depth: 16,
        }
    }
}

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;
