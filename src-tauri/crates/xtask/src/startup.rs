//! `cargo xtask bench startup`: the release app under Xvfb, against a bare WebKitGTK window
//! as the floor. Figures:
//! - first screen: time from spawning the process to the UI's report that its first screen
//!   has painted (the shell logs "first screen shown"). **Cold**: a fresh data folder and a
//!   fresh HOME (no store, no WebKit caches or local storage) and the page cache dropped
//!   (`echo 3 > /proc/sys/vm/drop_caches`, root only; the report says when it was not
//!   permitted), so the binary and every shared library are read from disk. **Warm**: the
//!   same data folder and HOME again, right after, with everything in the page cache.
//! - where the time went: the shell logs `startup: <phase> at <ms> ms` (since the process
//!   started, loading before `main` included); the cold run and the median warm run are shown.
//! - the Rust process's resident memory 5 s after the first screen (warm runs' maximum), split
//!   into anonymous memory (heap, stacks: what the process itself allocated), file-backed
//!   pages (code of the binary and of the shared libraries, clean and shared) and shared
//!   memory.
//! - the size of the .deb.
//!
//! Targets (issue 13): first screen < 1.5 s warm, < 3 s cold; RSS ≤ 80 MB; .deb ≤ 25 MB. The
//! floor (the same figures for a bare WebKitGTK window showing one heading, compiled from
//! `bare_webkit.c` when a C compiler and the WebKitGTK headers are present) shows what no app
//! built on WebKitGTK can go below on this machine. The figures are printed, not asserted:
//! timing belongs in benchmarks.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::bundle::{Reaped, Xvfb};

const WARM_RUNS: usize = 5;
/// How long the process idles after its first screen before its memory is read.
const IDLE: Duration = Duration::from_secs(5);

pub fn run(root: &Path) -> Result<(), String> {
    if !cfg!(target_os = "linux") {
        return Err("the start-up benchmark runs under Xvfb on Linux".into());
    }
    let target = crate::target_dir(root);
    let app = target.join("release/fleetward");
    let deb = crate::bundle::installers(&target.join("release/bundle"))
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "deb"));
    let (app, deb) = match (app.is_file(), deb) {
        (true, Some(deb)) => (app, deb),
        _ => {
            println!("No release build yet: building it with `cargo xtask bundle --bundles deb`.");
            crate::bundle::run(root, &["--bundles".into(), "deb".into()])?;
            let deb = crate::bundle::installers(&target.join("release/bundle"))
                .into_iter()
                .find(|p| p.extension().is_some_and(|e| e == "deb"))
                .ok_or("the release bundle wrote no .deb")?;
            (app, deb)
        }
    };
    let work = std::env::temp_dir().join(format!("fleetward-startup-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let xvfb = Xvfb::start()?;
    let display = xvfb.display;

    println!("load average before: {}", load_average());
    // Inside the app's run folder, so the cold run starts without a store.
    let data = work.join("app/data").to_string_lossy().into_owned();
    let app_command = |home: &Path| {
        let mut command = Command::new(&app);
        command.args(["--demo", "--data-dir", &data]);
        environment(&mut command, display, home);
        command
    };
    let app_runs = Runs::measure(&work.join("app"), app_command)?;
    let floor = match bare_webkit(root, &target) {
        Ok(bare) => {
            let bare_command = |home: &Path| {
                let mut command = Command::new(&bare);
                environment(&mut command, display, home);
                // Drawn the way the app draws (src-tauri/src/webview.rs): without accelerated
                // compositing unless the environment says otherwise.
                if std::env::var_os("WEBKIT_DISABLE_COMPOSITING_MODE").is_none() {
                    command.env("WEBKIT_DISABLE_COMPOSITING_MODE", "1");
                }
                command
            };
            Some(Runs::measure(&work.join("bare"), bare_command)?)
        }
        Err(err) => {
            println!("(no bare WebKitGTK floor: {err})");
            None
        }
    };
    let _ = std::fs::remove_dir_all(&work);

    let deb_mb = deb.metadata().map(|m| m.len()).unwrap_or(0) as f64 / 1_000_000.0;
    println!("startup ({}):", app.display());
    app_runs.print_times("  ", "first screen");
    if let Some(floor) = &floor {
        floor.print_times("    floor, bare WebKitGTK window: ", "first screen");
    }
    if !app_runs.dropped {
        println!(
            "  (page cache not dropped: not permitted; only the data folder and HOME were fresh)"
        );
    }
    let rss = app_runs.idle_rss();
    println!(
        "  idle RSS of the Rust process {}s after the first screen: {:.0} MB (target ≤ 80 MB)",
        IDLE.as_secs(),
        rss.total
    );
    println!(
        "    of which anonymous (heap, stacks) {:.0} MB, file-backed {:.0} MB (its own binary's code {:.0} MB, shared libraries {:.0} MB), shared memory {:.0} MB",
        rss.anon,
        rss.file,
        rss.own_binary,
        rss.file - rss.own_binary,
        rss.shmem
    );
    println!(
        "    beside it, WebKit's web and network processes: {:.0} MB",
        rss.children
    );
    if let Some(floor) = &floor {
        let bare = floor.idle_rss();
        println!(
            "    floor, bare WebKitGTK window: {:.0} MB (anonymous {:.0} MB, file-backed {:.0} MB, shared memory {:.0} MB); its WebKit processes {:.0} MB",
            bare.total, bare.anon, bare.file, bare.shmem, bare.children
        );
    }
    println!("  .deb: {} {deb_mb:.1} MB (target ≤ 25 MB)", deb.display());
    println!("  where the time went (ms since the process started; cold | median warm):");
    app_runs.print_phases("    ");
    println!("load average after: {}", load_average());
    Ok(())
}

/// One cold launch and `WARM_RUNS` warm ones of the same program.
struct Runs {
    cold: Launch,
    warm: Vec<Launch>,
    dropped: bool,
}

impl Runs {
    fn measure(work: &Path, command: impl Fn(&Path) -> Command) -> Result<Runs, String> {
        let home = work.join("home");
        let _ = std::fs::remove_dir_all(work);
        std::fs::create_dir_all(&home).map_err(|e| e.to_string())?;
        let dropped = drop_page_cache();
        let cold = launch(command(&home))?;
        let mut warm = Vec::new();
        for _ in 0..WARM_RUNS {
            warm.push(launch(command(&home))?);
        }
        Ok(Runs {
            cold,
            warm,
            dropped,
        })
    }

    /// The warm run with the median first-screen time.
    fn median_warm(&self) -> &Launch {
        let mut runs: Vec<&Launch> = self.warm.iter().collect();
        runs.sort_by(|a, b| a.first_screen.total_cmp(&b.first_screen));
        runs[runs.len() / 2]
    }

    fn print_times(&self, prefix: &str, what: &str) {
        let best = self
            .warm
            .iter()
            .map(|r| r.first_screen)
            .fold(f64::MAX, f64::min);
        println!(
            "{prefix}{what}: cold {:.2} s (target < 3 s); warm median {:.2} s, best {best:.2} s of {WARM_RUNS} (target < 1.5 s)",
            self.cold.first_screen,
            self.median_warm().first_screen,
        );
    }

    /// The warm runs' largest idle memory.
    fn idle_rss(&self) -> Memory {
        self.warm
            .iter()
            .map(|r| r.memory)
            .max_by(|a, b| a.total.total_cmp(&b.total))
            .unwrap_or(self.cold.memory)
    }

    fn print_phases(&self, prefix: &str) {
        let warm = self.median_warm();
        for (phase, cold_ms) in &self.cold.phases {
            let warm_ms = warm
                .phases
                .iter()
                .find(|(p, _)| p == phase)
                .map(|(_, ms)| format!("{ms:>5}"))
                .unwrap_or_else(|| "    –".into());
            println!("{prefix}{phase:<32} {cold_ms:>5} | {warm_ms}");
        }
    }
}

/// The environment of every launch: the private display, a HOME of the run's own (WebKit
/// keeps its caches and local storage under it), no session bus, and info logging.
fn environment(command: &mut Command, display: u32, home: &Path) {
    command
        .env("DISPLAY", format!(":{display}"))
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("FLEETWARD_LOG", "info")
        .env_remove("DBUS_SESSION_BUS_ADDRESS");
}

/// Compiles `bare_webkit.c` (the floor) into the target folder, once per change.
fn bare_webkit(root: &Path, target: &Path) -> Result<PathBuf, String> {
    let source = root.join("src-tauri/crates/xtask/src/bare_webkit.c");
    let out = target.join("xtask/bare-webkit");
    let fresh = |o: &Path| -> Option<bool> {
        Some(o.metadata().ok()?.modified().ok()? >= source.metadata().ok()?.modified().ok()?)
    };
    if fresh(&out) == Some(true) {
        return Ok(out);
    }
    std::fs::create_dir_all(target.join("xtask")).map_err(|e| e.to_string())?;
    let flags = Command::new("pkg-config")
        .args(["--cflags", "--libs", "webkit2gtk-4.1", "gtk+-3.0"])
        .output()
        .map_err(|e| format!("pkg-config is missing ({e})"))?;
    if !flags.status.success() {
        return Err("the WebKitGTK 4.1 headers are missing (libwebkit2gtk-4.1-dev)".into());
    }
    let flags = String::from_utf8_lossy(&flags.stdout).into_owned();
    let status = Command::new("cc")
        .arg("-O2")
        .arg(&source)
        .arg("-o")
        .arg(&out)
        .args(flags.split_whitespace())
        .status()
        .map_err(|e| format!("no C compiler ({e})"))?;
    if !status.success() {
        return Err(format!("{} did not compile", source.display()));
    }
    Ok(out)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

struct Launch {
    first_screen: f64,
    /// `startup: <phase> at <ms> ms` lines, in the order logged.
    phases: Vec<(String, u64)>,
    memory: Memory,
}

/// Resident memory in MB, from /proc/<pid>/status and smaps.
#[derive(Debug, Clone, Copy)]
struct Memory {
    total: f64,
    anon: f64,
    file: f64,
    shmem: f64,
    /// File-backed pages of the program's own executable.
    own_binary: f64,
    /// The program's child processes together: WebKit's web and network processes.
    children: f64,
}

/// Starts `command`, waits for "first screen shown", idles `IDLE`, reads its memory, stops it.
fn launch(mut command: Command) -> Result<Launch, String> {
    let program = PathBuf::from(command.get_program());
    let started = Instant::now();
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start {}: {e}", program.display()))?;
    let pid = child.id();
    let stderr = child.stderr.take().ok_or("no stderr")?;
    let app_guard = Reaped(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let event = if line.contains("first screen shown") {
                Line::Shown
            } else if let Some(phase) = phase_of(&line) {
                Line::Phase(phase)
            } else if line.contains("ERROR") || line.contains("panicked") {
                Line::Error(line)
            } else {
                continue;
            };
            if tx.send(event).is_err() {
                break;
            }
        }
    });
    let mut phases = Vec::new();
    let first_screen = loop {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(Line::Shown) => break started.elapsed().as_secs_f64(),
            Ok(Line::Phase(phase)) => phases.push(phase),
            Ok(Line::Error(line)) => eprintln!("  app: {line}"),
            Err(_) => return Err("the app did not report its first screen within 60 s".into()),
        }
    };
    std::thread::sleep(IDLE);
    // Phases logged after the first screen (the schedules' start) arrived meanwhile.
    while let Ok(line) = rx.try_recv() {
        if let Line::Phase(phase) = line {
            phases.push(phase);
        }
    }
    let memory = memory_of(pid, &program)?;
    drop(app_guard);
    Ok(Launch {
        first_screen,
        phases,
        memory,
    })
}

enum Line {
    Shown,
    Phase((String, u64)),
    Error(String),
}

/// `… startup: engine opened at 412 ms` → ("engine opened", 412).
fn phase_of(line: &str) -> Option<(String, u64)> {
    let rest = &line[line.rfind("startup: ")? + "startup: ".len()..];
    let (phase, at) = rest.rsplit_once(" at ")?;
    let ms = at.strip_suffix(" ms")?.trim().parse().ok()?;
    Some((phase.to_string(), ms))
}

fn memory_of(pid: u32, program: &Path) -> Result<Memory, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("cannot read the app's memory: {e}"))?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .map(|kb| kb / 1024.0)
            .ok_or_else(|| format!("no {name} in /proc status"))
    };
    let own_binary = std::fs::read_to_string(format!("/proc/{pid}/smaps"))
        .map(|smaps| own_binary_rss(&smaps, program))
        .unwrap_or(0.0);
    Ok(Memory {
        total: field("VmRSS:")?,
        anon: field("RssAnon:")?,
        file: field("RssFile:")?,
        shmem: field("RssShmem:")?,
        own_binary,
        children: children_rss(pid),
    })
}

/// The resident MB of `pid`'s direct children (read from /proc/*/stat and status).
fn children_rss(pid: u32) -> f64 {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0.0;
    };
    let mut kb = 0.0;
    for entry in entries.flatten() {
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // "pid (comm) state ppid …": the command may hold spaces, so read after its ')'.
        let parent = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1)?.parse::<u32>().ok());
        if parent != Some(pid) {
            continue;
        }
        let status = std::fs::read_to_string(entry.path().join("status")).unwrap_or_default();
        kb += status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
            .unwrap_or(0.0);
    }
    kb / 1024.0
}

/// The resident MB of the mappings of `program` in an smaps listing.
fn own_binary_rss(smaps: &str, program: &Path) -> f64 {
    let program = std::fs::canonicalize(program).unwrap_or_else(|_| program.to_path_buf());
    let program = program.to_string_lossy();
    let mut inside = false;
    let mut kb = 0.0;
    for line in smaps.lines() {
        let first = line.split_whitespace().next().unwrap_or("");
        if first.contains('-') && !first.ends_with(':') {
            // A mapping's header: "start-end perms offset dev inode [path]".
            inside = line.split_whitespace().nth(5) == Some(&*program);
        } else if inside {
            if let Some(rss) = line.strip_prefix("Rss:") {
                kb += rss
                    .split_whitespace()
                    .next()
                    .and_then(|v| v.parse::<f64>().ok())
                    .unwrap_or(0.0);
            }
        }
    }
    kb / 1024.0
}

/// Drops the page cache (root only) so the cold run reads the binary from disk.
fn drop_page_cache() -> bool {
    let _ = Command::new("sync").status();
    std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phases_are_read_from_the_shell_log() {
        let line = "2026-11-28T00:01:02.345Z  INFO fleetward_lib::startup: startup: engine opened at 412 ms";
        assert_eq!(phase_of(line), Some(("engine opened".into(), 412)));
        assert_eq!(
            phase_of("… startup: first screen painted at 1234 ms"),
            Some(("first screen painted".into(), 1234))
        );
        assert_eq!(
            phase_of("INFO fleetward_core::engine: engine started"),
            None
        );
    }

    #[test]
    fn only_the_programs_own_mappings_count_as_its_binary() {
        let smaps = "\
55d0-55e0 r--p 00000000 08:01 12 /opt/app/fleetward
Size:               1024 kB
Rss:                 512 kB
55e0-55f0 r-xp 00001000 08:01 12 /opt/app/fleetward
Rss:                1536 kB
7f00-7f10 r-xp 00000000 08:01 99 /usr/lib/libwebkit2gtk-4.1.so.0
Rss:                4096 kB
7f20-7f30 rw-p 00000000 00:00 0
Rss:                 100 kB
";
        assert_eq!(own_binary_rss(smaps, Path::new("/opt/app/fleetward")), 2.0);
    }
}
