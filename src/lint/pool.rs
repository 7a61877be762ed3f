//! The run's worker threads.

/// The parser and evaluator recurse; hostile nesting is bounded by them, and these threads
/// get the stack those bounds need (a debug build needs about 2 MiB at hcl-edit's limit).
const STACK_SIZE: usize = 64 * 1024 * 1024;

/// How the run's worker threads are named (`ps -L`, a profiler's per-thread view).
pub const WORKER_PREFIX: &str = "aoai-lint-";

/// `work` on worker threads of its own, which have all ended when this returns. A pool that
/// is only dropped lets its threads end in their own time, after the run; so does a scoped
/// pool (a scope waits for its threads' work, not for their thread-local destructors), and
/// whoever looks at the process then (a leak checker under the fuzzer, a test listing
/// threads) sees them half gone. Each thread is joined.
pub(super) fn in_pool<T: Send>(
    options: &super::Options,
    work: impl FnOnce() -> T + Send,
) -> Result<T, super::RunError> {
    std::thread::scope(|scope| {
        let mut threads = Vec::new();
        let pool = rayon::ThreadPoolBuilder::new()
            .stack_size(STACK_SIZE)
            .num_threads(options.threads.unwrap_or(0))
            .thread_name(|i| format!("{WORKER_PREFIX}{i}"))
            .spawn_handler(|thread| {
                let mut builder = std::thread::Builder::new();
                if let Some(name) = thread.name() {
                    builder = builder.name(name.to_owned());
                }
                if let Some(size) = thread.stack_size() {
                    builder = builder.stack_size(size);
                }
                threads.push(builder.spawn_scoped(scope, || thread.run())?);
                Ok(())
            })
            .build();
        let result = pool
            .map(|pool| pool.install(work))
            .map_err(|e| super::RunError(format!("cannot start worker threads: {e}")));
        // The pool is gone (dropped above): its threads end once idle.
        for thread in threads {
            // A worker's panic already reached `install`; nothing is left to report.
            let _ = thread.join();
        }
        result
    })
}
