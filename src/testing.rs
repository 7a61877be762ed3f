//! Test tables for rules: Terraform snippets written to a temporary directory and linted
//! through the whole pipeline, with the expected findings as `file:line:column`.

use std::path::Path;

use crate::lint::{self, Options};

pub struct Case<'a> {
    pub name: &'a str,
    pub files: &'a [(&'a str, &'a str)],
    pub expected: &'a [&'a str],
}

impl<'a> Case<'a> {
    pub fn new(name: &'a str, files: &'a [(&'a str, &'a str)], expected: &'a [&'a str]) -> Case<'a> {
        Case { name, files, expected }
    }
}

/// Lints files written to a temporary directory; returns `RULE file:line:column` for
/// every finding, paths relative to that directory.
pub fn lint_files(files: &[(&str, &str)]) -> Vec<String> {
    let dir = tempfile::tempdir().expect("temporary directory");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create directory");
        std::fs::write(&path, text).expect("write fixture");
    }
    let root = dir.path().canonicalize().expect("canonical temporary directory");
    let outcome = lint::run(&Options {
        paths: vec![root.clone()],
        ..Options::default()
    })
    .expect("the run succeeds");
    outcome
        .findings
        .iter()
        .map(|f| {
            let file = outcome.sources.get(f.primary.span.file);
            let at = file.line_col(f.primary.span.start as usize);
            let path = file.path.strip_prefix(&root).unwrap_or(Path::new(&file.display_path));
            format!("{} {}:{}:{}", f.rule.id, path.display(), at.line, at.column)
        })
        .collect()
}

/// Checks every case: the findings of `rule` are exactly the expected ones.
pub fn assert_cases(rule: &str, cases: &[Case<'_>]) {
    let mut failures = Vec::new();
    for case in cases {
        let found: Vec<String> = lint_files(case.files)
            .into_iter()
            .filter_map(|f| f.strip_prefix(rule).map(|rest| rest.trim().to_owned()))
            .collect();
        if found != case.expected {
            failures.push(format!(
                "{}: expected {:?}, found {:?}",
                case.name, case.expected, found
            ));
        }
    }
    assert!(failures.is_empty(), "{rule}:\n{}", failures.join("\n"));
}
