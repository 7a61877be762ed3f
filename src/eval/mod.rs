//! evaluate: Terraform expressions → values with origins, over whole configurations (a root
//! module and the local modules it calls, each call instantiated with its own inputs).

pub mod downloads;
mod evaluator;
pub mod functions;
pub mod module;
pub mod terragrunt;
pub mod types;
pub mod value;

pub use evaluator::{
    BlockInstance, ChildCall, CliVariables, Evaluator, Expansion, Hidden, Instance, InstanceId, InstanceKey, ModuleSet,
    Note, Scope, Work,
};

/// Bounds that keep evaluation of hostile input finite in time and memory, whatever the
/// input's size. Hitting one is reported (AOAI005) at the expression, and the value behind
/// it is Unknown; the rest of the run goes on.
///
/// The defaults leave real configurations far inside: the largest configuration of the
/// public corpus and the benchmarks uses under a hundredth of each (docs/performance.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Nested evaluation frames: expression depth plus chains of references.
    pub max_depth: u32,
    /// Expressions evaluated for one configuration.
    pub max_steps: u64,
    /// Bytes of values one configuration may build (strings, and a few words per element
    /// of a list or map), counted as they are made, freed or not.
    pub max_built: u64,
    /// Instances one `count`/`for_each` may create.
    pub max_instances: usize,
    /// Instances of resources and modules one configuration may expand, all blocks together.
    pub max_instances_in_all: usize,
    /// Module instances one configuration may hold, all calls and depths together.
    pub max_module_instances: usize,
    /// Elements one collection (`range`, a `for` expression, `flatten`) may hold.
    pub max_collection: usize,
    /// Bytes of one string.
    pub max_string: usize,
    /// Nested module calls.
    pub max_module_depth: usize,
    /// Steps and bytes for the whole run, shared out among its configurations.
    pub run_steps: u64,
    pub run_built: u64,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            // Real configurations nest a few levels; chains of locals rarely exceed 20.
            max_depth: 200,
            max_steps: 5_000_000,
            max_built: 128 << 20,
            // Azure OpenAI estates count deployments in tens; 10,000 is generous.
            max_instances: 10_000,
            max_instances_in_all: 50_000,
            max_module_instances: 10_000,
            max_collection: 100_000,
            max_string: 1 << 20,
            max_module_depth: 16,
            run_steps: 50_000_000,
            run_built: 1 << 30,
        }
    }
}

impl Budget {
    /// The budget of each of `configurations` configurations of one run: an equal share of
    /// the run's, never more than one configuration's own bound, never less than a floor
    /// that a small configuration needs. The share is fixed before any configuration runs,
    /// so that which one reaches a bound never depends on threads or timing.
    pub fn per_configuration(self, configurations: usize) -> Budget {
        const MIN_STEPS: u64 = 100_000;
        const MIN_BUILT: u64 = 4 << 20;
        let n = configurations.max(1) as u64;
        Budget {
            max_steps: (self.run_steps / n).clamp(MIN_STEPS.min(self.max_steps), self.max_steps),
            max_built: (self.run_built / n).clamp(MIN_BUILT.min(self.max_built), self.max_built),
            ..self
        }
    }
}

#[cfg(test)]
mod budget_tests {
    use super::Budget;

    #[test]
    fn each_configuration_gets_an_equal_share_of_the_run_within_a_floor_and_a_ceiling() {
        let run = Budget::default();
        assert_eq!(run.per_configuration(1), run, "one configuration: its own bounds");
        let twenty = run.per_configuration(20);
        assert_eq!((twenty.max_steps, twenty.max_built), (2_500_000, (1 << 30) / 20));
        let many = run.per_configuration(1_000_000);
        assert_eq!((many.max_steps, many.max_built), (100_000, 4 << 20));
        assert_eq!(run.per_configuration(0), run);
    }
}

#[cfg(test)]
mod properties;
#[cfg(test)]
mod tests;
