//! Runs the whole pipeline (discover → parse → evaluate → facts → rules → report) over
//! files written to a temporary directory, and renders every output format. Returns how
//! many findings were rendered (none when the files could not be written or the run
//! stopped with an error).

use aoai_lint::lint::{self, Options};
use aoai_lint::report::{self, Format, HumanStyle, Report, Summary};

pub fn lint_files(files: &[(&str, &[u8])], plan: Option<&str>) -> usize {
    let Ok(dir) = tempfile::tempdir() else { return 0 };
    for (name, bytes) in files {
        if std::fs::write(dir.path().join(name), bytes).is_err() {
            return 0;
        }
    }
    let options = Options {
        paths: vec![dir.path().to_path_buf()],
        today: "2026-11-24".parse().ok(),
        plan: plan.map(|p| dir.path().join(p)),
        threads: Some(1),
        show_suppressed: true,
        ..Options::default()
    };
    let Ok(outcome) = lint::run(&options) else { return 0 };
    let summary = Summary::new(&outcome.findings, outcome.files_parsed);
    let findings = outcome.findings.ordered();
    let report = Report {
        findings: &findings,
        suppressed: &outcome.suppressed,
        notes: &outcome.notes,
        sources: &outcome.sources,
        summary,
        catalog_tables: &outcome.catalog_tables,
    };
    for format in [
        Format::Human,
        Format::Compact,
        Format::Json,
        Format::Sarif,
        Format::Github,
        Format::Checkstyle,
        Format::Junit,
    ] {
        let text = report::render(
            format,
            &report,
            HumanStyle {
                color: false,
                width: 100,
            },
        );
        assert!(!text.is_empty() || outcome.findings.is_empty());
    }
    findings.len()
}
