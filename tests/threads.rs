//! The run's worker threads have all ended when `lint::run` returns (alone in its own test
//! binary: no other test's threads to tell apart).

#[cfg(target_os = "linux")]
#[test]
fn no_worker_thread_outlives_the_run() {
    let workers = || {
        std::fs::read_dir("/proc/self/task")
            .unwrap()
            .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
            .filter(|name| name.starts_with(aoai_lint::lint::WORKER_PREFIX))
            .count()
    };
    let options = aoai_lint::lint::Options {
        paths: vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/seed")],
        threads: Some(4),
        ..aoai_lint::lint::Options::default()
    };
    for _ in 0..3 {
        let outcome = aoai_lint::lint::run(&options).unwrap();
        assert!(!outcome.findings.is_empty());
        assert_eq!(workers(), 0);
    }
}
