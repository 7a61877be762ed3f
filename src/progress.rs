//! Progress on stderr while a large tree is linted, and how long each stage took.
//!
//! Workers count what they finish in atomics; one thread redraws a single line a few times a
//! second. It is only started for an interactive stderr and a tree large enough to wait for,
//! so redirected output and CI logs never see it.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Below this many module directories a run is over before a progress line would help.
pub const LARGE_TREE: usize = 200;

const REDRAW: Duration = Duration::from_millis(150);

/// Counters the pipeline bumps as it goes.
#[derive(Debug, Default)]
pub struct Counters {
    pub directories: AtomicUsize,
    pub parsed: AtomicUsize,
    pub configurations: AtomicUsize,
    pub evaluated: AtomicUsize,
}

impl Counters {
    /// `parsing 120/400 directories`, then `evaluating 3/40 configurations`.
    pub fn line(&self) -> String {
        let (parsed, directories) = (
            self.parsed.load(Ordering::Relaxed),
            self.directories.load(Ordering::Relaxed),
        );
        let (evaluated, configurations) = (
            self.evaluated.load(Ordering::Relaxed),
            self.configurations.load(Ordering::Relaxed),
        );
        if configurations == 0 {
            format!("aoai-lint: parsing {parsed}/{directories} directories")
        } else {
            format!("aoai-lint: evaluating {evaluated}/{configurations} configurations")
        }
    }
}

/// Draws the counters' line on stderr until dropped, then clears it.
pub struct Display {
    done: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Display {
    pub fn start(counters: Arc<Counters>) -> Display {
        let done = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&done);
        let thread = std::thread::Builder::new()
            .name("progress".into())
            .spawn(move || {
                let mut width = 0;
                while !stop.load(Ordering::Relaxed) {
                    let line = counters.line();
                    width = width.max(line.len());
                    let _ = write!(std::io::stderr(), "\r{line:width$}");
                    std::thread::sleep(REDRAW);
                }
                let _ = write!(std::io::stderr(), "\r{:width$}\r", "");
            })
            .ok();
        Display { done, thread }
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        self.done.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// How long each stage of a run took (`--verbose`).
#[derive(Debug, Clone, Default)]
pub struct Timings {
    pub stages: Vec<(&'static str, Duration)>,
}

impl Timings {
    /// Records the time since `since` as `stage` and returns now.
    pub fn lap(&mut self, stage: &'static str, since: Instant) -> Instant {
        let now = Instant::now();
        self.stages.push((stage, now - since));
        now
    }

    pub fn total(&self) -> Duration {
        self.stages.iter().map(|(_, d)| *d).sum()
    }

    /// `discover 3 ms, parse 40 ms, evaluate and check 12 ms`.
    pub fn line(&self) -> String {
        self.stages
            .iter()
            .map(|(stage, d)| format!("{stage} {}", human(*d)))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `850 µs`, `12 ms`, `1.24 s`.
pub fn human(d: Duration) -> String {
    if d < Duration::from_millis(1) {
        format!("{} µs", d.as_micros())
    } else if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.2} s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_follows_the_stage() {
        let counters = Counters::default();
        counters.directories.store(400, Ordering::Relaxed);
        counters.parsed.store(120, Ordering::Relaxed);
        assert_eq!(counters.line(), "aoai-lint: parsing 120/400 directories");
        counters.configurations.store(40, Ordering::Relaxed);
        counters.evaluated.store(3, Ordering::Relaxed);
        assert_eq!(counters.line(), "aoai-lint: evaluating 3/40 configurations");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human(Duration::from_micros(850)), "850 µs");
        assert_eq!(human(Duration::from_millis(12)), "12 ms");
        assert_eq!(human(Duration::from_millis(1240)), "1.24 s");
        let timings = Timings {
            stages: vec![
                ("parse", Duration::from_millis(40)),
                ("check", Duration::from_millis(2)),
            ],
        };
        assert_eq!(timings.line(), "parse 40 ms, check 2 ms");
        assert_eq!(timings.total(), Duration::from_millis(42));
    }
}
