//! Start-up phases for the start-up benchmark (`cargo xtask bench startup`): each phase is
//! logged as `startup: <phase> at <ms> ms`, counted from the moment the process started (on
//! Linux from the kernel's start time of the process, so loading the binary and its shared
//! libraries before `main` is included), and read back from the log by the benchmark.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// When `main` ran, and how old the process already was then.
static ORIGIN: OnceLock<(Instant, Duration)> = OnceLock::new();

/// Call first thing in `main`: fixes the clock the phases are measured on.
pub fn begin() {
    ORIGIN.get_or_init(|| (Instant::now(), age_of_process().unwrap_or_default()));
}

/// Logs that `phase` was reached, in milliseconds since the process started.
pub fn mark(phase: &str) {
    let (main_at, age_at_main) = *ORIGIN.get_or_init(|| (Instant::now(), Duration::ZERO));
    let ms = (age_at_main + main_at.elapsed()).as_millis();
    tracing::info!("startup: {phase} at {ms} ms");
}

/// How long ago the kernel started this process: `/proc/self/stat`'s start time (in clock
/// ticks since boot; USER_HZ is 100 on every Linux architecture) against `/proc/uptime`.
/// Both have 10 ms resolution, good enough for the time before `main`.
fn age_of_process() -> Option<Duration> {
    if !cfg!(target_os = "linux") {
        return None;
    }
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) may hold spaces; fields after it are plain numbers.
    let after_name = &stat[stat.rfind(')')? + 2..];
    let started_ticks: f64 = after_name.split_whitespace().nth(19)?.parse().ok()?;
    let uptime: f64 = std::fs::read_to_string("/proc/uptime")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    let age = uptime - started_ticks / 100.0;
    (age >= 0.0).then(|| Duration::from_secs_f64(age))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_process_age_is_read_from_proc_and_is_plausible() {
        if !cfg!(target_os = "linux") {
            return;
        }
        let age = age_of_process().expect("/proc gives the process's start time");
        // A test process has run for less than an hour and the reading cannot be negative;
        // a wrong field would give the boot time (hours or days) or garbage.
        assert!(age < Duration::from_secs(3600), "age {age:?}");
    }
}
