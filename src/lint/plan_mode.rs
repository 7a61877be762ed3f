//! `--plan`: the facts come from a plan (`terraform show -json`) instead of evaluation.

use std::collections::HashMap;
use std::sync::Arc;

use super::configuration::{check_rules, first_lines_of_places, name_calling_modules};
use super::hide;
use crate::catalog::Catalog;
use crate::diagnostic::Finding;
use crate::eval::downloads::Downloads;
use crate::eval::module::Mode;
use crate::eval::{CliVariables, Evaluator, InstanceId, ModuleSet, Note};
use crate::facts::{self, Configuration, ConfigurationKind};
use crate::source::SourceMap;

/// Plan mode: the facts come from the plan; the configuration (the first path, when it is a
/// module directory) gives positions, call sites and the evaluator's own problems.
pub(super) fn lint_plan(
    path: &std::path::Path,
    options: &super::Options,
    modules: &ModuleSet,
    sources: &SourceMap,
    cli: &CliVariables,
    catalog: &Catalog,
    today: jiff::civil::Date,
) -> Result<(Configuration, Vec<Finding>, Vec<Note>), crate::parse::FileError> {
    let plan = crate::plan::read(sources, path)?;
    let config_dir = options.paths.first().and_then(|p| {
        let dir = if p.is_file() {
            p.parent()?.to_path_buf()
        } else {
            p.clone()
        };
        dir.canonicalize().ok()
    });
    let root = config_dir.as_ref().and_then(|d| modules.get(d).map(|m| (d, m)));
    let mut found = Vec::new();
    let mut hidden_in_plan = Vec::new();
    let config = match root {
        Some((dir, root)) => {
            let downloads =
                Downloads::for_root(root, sources, options.limits).with_repository_of(&root.dir, &options.paths);
            let evaluator = Evaluator::new(modules, &downloads, cli, options.budget, Arc::clone(root));
            // Walking the configuration instantiates every module call it can follow.
            facts::extract(&evaluator, ConfigurationKind::Root);
            let instances: HashMap<String, InstanceId> = (0..evaluator.instance_count())
                .map(|i| {
                    let address = evaluator
                        .instance(InstanceId(i))
                        .address
                        .trim_end_matches('.')
                        .to_owned();
                    (address, InstanceId(i))
                })
                .collect();
            let config = facts::plan::extract(&plan, dir.clone(), |planned| {
                let id = instances.get(&planned.module_address).copied().or_else(|| {
                    // A module instance static evaluation could not expand: any instance of
                    // the same call has the same source.
                    let calls = facts::plan::module_calls(&planned.module_address);
                    let mut matching: Vec<(&String, &InstanceId)> = instances
                        .iter()
                        .filter(|(address, _)| facts::plan::module_calls(address) == calls)
                        .collect();
                    matching.sort();
                    matching.first().map(|(_, id)| **id)
                })?;
                let instance = evaluator.instance(id);
                let resource = instance
                    .module
                    .resource(Mode::Managed, &planned.resource_type, &planned.name)?;
                Some(facts::plan::Located {
                    module: Arc::clone(&instance.module),
                    resource,
                    call_sites: instance.call_sites.clone(),
                })
            });
            // Notes say what static evaluation could not follow; the plan saw it.
            let (problems, _notes, hidden) = evaluator.finish();
            found.extend(problems);
            hidden_in_plan = hidden;
            config
        }
        None => {
            let dir = path.parent().map(std::path::Path::to_path_buf).unwrap_or_default();
            facts::plan::extract(&plan, dir, |_| None)
        }
    };
    // What the plan marks sensitive is shown as Terraform shows it: not at all. The plan
    // file holds it in plain text, so no part of the file is quoted either.
    let sensitive = plan.instances.iter().flat_map(|i| &i.sensitive);
    for (attribute, text) in sensitive {
        hidden_in_plan.push(crate::eval::Hidden {
            text: text.clone(),
            variable: Arc::new(attribute.clone()),
        });
        sources.keep_private(plan.file);
    }
    found.extend(check_rules(&config, catalog, options, today, sources));
    name_calling_modules(&mut found, &config, sources);
    first_lines_of_places(&mut found, sources);
    hide::hide(&mut found, &hidden_in_plan);
    Ok((config, found, Vec::new()))
}
