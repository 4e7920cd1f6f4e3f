//! `cargo xtask bench startup`: the release app under Xvfb. Figures: time from process start
//! to the first painted screen (the UI reports it to the shell, which logs "first screen
//! shown"), cold (fresh data folder and WebKit caches, page cache dropped when permitted) and
//! warm (the same folder again); the Rust process's resident memory after 5 s idle; and the
//! size of the .deb. Targets (issue 13): first screen < 1.5 s warm, < 3 s cold; RSS ≤ 80 MB;
//! .deb ≤ 25 MB. The figures are printed, not asserted: timing belongs in benchmarks.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use crate::bundle::{free_display, wait_for, Reaped};

const WARM_RUNS: usize = 3;

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
    let display = free_display();
    let _xvfb = Reaped(
        Command::new("Xvfb")
            .args([
                &format!(":{display}"),
                "-screen",
                "0",
                "1280x800x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("could not start Xvfb: {e}"))?,
    );
    let socket = PathBuf::from(format!("/tmp/.X11-unix/X{display}"));
    wait_for(Duration::from_secs(10), || socket.exists())
        .map_err(|_| "Xvfb did not open its display".to_string())?;

    let dropped = drop_page_cache();
    let cold = launch(&app, display, &work, true)?;
    let mut warm = Vec::new();
    for _ in 0..WARM_RUNS {
        warm.push(launch(&app, display, &work, false)?);
    }
    let _ = std::fs::remove_dir_all(&work);

    let deb_mb = deb.metadata().map(|m| m.len()).unwrap_or(0) as f64 / 1_000_000.0;
    let best_warm = warm.iter().map(|r| r.first_screen).fold(f64::MAX, f64::min);
    let median_warm = {
        let mut t: Vec<f64> = warm.iter().map(|r| r.first_screen).collect();
        t.sort_by(f64::total_cmp);
        t[t.len() / 2]
    };
    let rss = warm.iter().map(|r| r.idle_rss_mb).fold(0.0, f64::max);
    println!("startup ({}):", app.display());
    println!(
        "  first screen, cold: {:.2} s (target < 3 s){}",
        cold.first_screen,
        if dropped {
            ""
        } else {
            " — page cache not dropped (not permitted): only the data folder and WebKit caches were fresh"
        }
    );
    println!(
        "  first screen, warm: median {median_warm:.2} s, best {best_warm:.2} s of {WARM_RUNS} (target < 1.5 s)"
    );
    println!(
        "  idle RSS of the Rust process 5 s after the first screen: {rss:.0} MB (cold run {:.0} MB; target ≤ 80 MB)",
        cold.idle_rss_mb
    );
    println!("  .deb: {} {deb_mb:.1} MB (target ≤ 25 MB)", deb.display());
    Ok(())
}

struct Launch {
    first_screen: f64,
    idle_rss_mb: f64,
}

/// Starts the app in demo mode with its own HOME and data folder under `work` (fresh when
/// `cold`), waits for "first screen shown", then 5 s, reads VmRSS, and stops it.
fn launch(app: &Path, display: u32, work: &Path, cold: bool) -> Result<Launch, String> {
    let home = work.join("home");
    if cold {
        let _ = std::fs::remove_dir_all(&home);
        let _ = std::fs::remove_dir_all(work.join("data"));
    }
    std::fs::create_dir_all(&home).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut child = Command::new(app)
        .args(["--demo", "--data-dir", &work.join("data").to_string_lossy()])
        .env("DISPLAY", format!(":{display}"))
        .env("HOME", &home)
        .env("XDG_DATA_HOME", home.join(".local/share"))
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("FLEETWARD_LOG", "info")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start {}: {e}", app.display()))?;
    let pid = child.id();
    let stderr = child.stderr.take().ok_or("no stderr")?;
    let app_guard = Reaped(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("first screen shown") {
                let _ = tx.send(Ok(()));
            } else if line.contains("ERROR") || line.contains("panicked") {
                let _ = tx.send(Err(line));
            }
        }
    });
    let first_screen = loop {
        match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(Ok(())) => break started.elapsed().as_secs_f64(),
            Ok(Err(line)) => eprintln!("  app: {line}"),
            Err(_) => return Err("the app did not report its first screen within 60 s".into()),
        }
    };
    std::thread::sleep(Duration::from_secs(5));
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("cannot read the app's memory: {e}"))?;
    let idle_rss_mb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .ok_or("no VmRSS in /proc status")?;
    drop(app_guard);
    Ok(Launch {
        first_screen,
        idle_rss_mb,
    })
}

/// Drops the page cache (root only) so the cold run reads the binary from disk.
fn drop_page_cache() -> bool {
    let _ = Command::new("sync").status();
    std::fs::write("/proc/sys/vm/drop_caches", "3").is_ok()
}
