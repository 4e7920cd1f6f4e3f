//! `cargo xtask test`: every check, in the order that fails fastest, then one summary with
//! the test runners' counts. A run that executes no test fails (a silent suite proves
//! nothing).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::{process, setup};

#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
    failures: Vec<String>,
    timings: Vec<(String, f64)>,
}

impl Tally {
    /// A step made of named checks, each counted as one test.
    fn checks(&mut self, name: &str, checks: Vec<crate::bundle::Check>, started: Instant) {
        let failed: Vec<String> = checks
            .iter()
            .filter_map(|c| c.outcome.as_ref().err().map(|e| format!("{}: {e}", c.name)))
            .collect();
        self.passed += (checks.len() - failed.len()) as u64;
        self.failed += failed.len() as u64;
        let outcome = if checks.is_empty() {
            Err("no check ran".to_string())
        } else if failed.is_empty() {
            Ok(())
        } else {
            Err(failed.join("\n  "))
        };
        self.step(name, outcome, started);
    }

    fn step(&mut self, name: &str, outcome: Result<(), String>, started: Instant) {
        self.timings
            .push((name.to_string(), started.elapsed().as_secs_f64()));
        if let Err(message) = outcome {
            eprintln!("\n✗ {name}: {message}\n");
            self.failures.push(format!("{name}: {message}"));
        } else {
            println!("\n✓ {name}\n");
        }
    }
}

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    let with_e2e = !args.iter().any(|a| a == "--no-e2e");
    let with_windows = !args.iter().any(|a| a == "--no-windows");
    setup::run(root)?;
    let mut tally = Tally::default();
    let ui = root.join("ui");

    let t = Instant::now();
    tally.step(
        "rustfmt",
        process::run(root, "cargo", &["fmt", "--all", "--check"]),
        t,
    );

    // The UI ships the generated licence list (Settings → About), so it comes first.
    let t = Instant::now();
    let licences = crate::release::licence_checks(root);
    tally.checks("third-party licences", licences, t);

    // The shell embeds ui/dist, so the UI is built before anything compiles the shell.
    let t = Instant::now();
    tally.step("UI build", process::run(&ui, npm(), &["run", "build"]), t);

    let t = Instant::now();
    let clippy = process::run(
        root,
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--locked",
            "--",
            "-D",
            "warnings",
        ],
    );
    tally.step("clippy", clippy, t);

    let t = Instant::now();
    let cargo_test = counted(
        &mut tally,
        // Every test binary runs even after one fails, so the count is whole and the
        // summary names each binary that failed, and how (a crash prints no result line).
        with_keychain(
            root,
            &["cargo", "test", "--workspace", "--locked", "--no-fail-fast"],
        ),
        count_cargo,
    );
    tally.step("cargo test", cargo_test, t);

    let t = Instant::now();
    tally.step("IPC bindings up to date", bindings_unchanged(root), t);

    if with_windows {
        windows_leg(root, &mut tally);
    } else {
        println!("\n! the Windows leg skipped on request (--no-windows)\n");
    }

    let t = Instant::now();
    tally.step("benchmarks at tiny size", crate::bench::tiny(root), t);

    for (name, script) in [
        ("UI typecheck", "typecheck"),
        ("UI lint", "lint"),
        ("UI format", "format:check"),
    ] {
        let t = Instant::now();
        tally.step(name, process::run(&ui, npm(), &["run", script]), t);
    }
    let t = Instant::now();
    let mut vitest = process::command(&ui, npm(), &["test"]);
    vitest.env("NO_COLOR", "1").env("FORCE_COLOR", "0");
    let vitest = counted(&mut tally, vitest, count_vitest);
    tally.step("UI tests (Vitest)", vitest, t);

    let t = Instant::now();
    let lint = crate::release::lint_workflows(root);
    tally.checks("workflows (actionlint)", lint, t);

    if with_e2e {
        let t = Instant::now();
        let e2e = e2e(root, &mut tally);
        tally.step("e2e (WebDriver)", e2e, t);
        // After the e2e: it reuses the debug app and CLI built for it (no second compile).
        let t = Instant::now();
        let install = if cfg!(target_os = "linux") {
            crate::bundle::install_test(root)
        } else {
            vec![crate::bundle::Check {
                name: "the .deb install test".into(),
                outcome: Err("the .deb install test runs on Debian-based Linux only; run it on Linux or in CI".into()),
            }]
        };
        tally.checks(".deb install (dpkg, Xvfb)", install, t);
    } else {
        println!("\n! e2e and the .deb install test skipped on request (--no-e2e)\n");
    }

    summary(&tally)
}

/// `cargo xtask windows --test`: the Windows leg alone, with its own summary.
pub fn windows_only(root: &Path) -> Result<(), String> {
    // Clippy checks the desktop shell, which embeds the built UI.
    setup::npm_dependencies(&root.join("ui"))?;
    let mut tally = Tally::default();
    if !root.join("ui/dist/index.html").exists() {
        let t = Instant::now();
        tally.step(
            "UI build",
            process::run(&root.join("ui"), npm(), &["run", "build"]),
            t,
        );
    }
    windows_leg(root, &mut tally);
    summary(&tally)
}

/// Prints the step timings, the failed steps and the `tests: …` line; fails when a step
/// failed or no test ran.
fn summary(tally: &Tally) -> Result<(), String> {
    println!("Step timings:");
    for (name, secs) in &tally.timings {
        println!("  {secs:>7.1} s  {name}");
    }
    if !tally.failures.is_empty() {
        eprintln!("\nFailed steps:");
        for failure in &tally.failures {
            eprintln!("  - {failure}");
        }
    }
    let total = tally.passed + tally.failed;
    println!("tests: {} passed, {} failed", tally.passed, tally.failed);
    if total == 0 {
        return Err("no test ran".into());
    }
    if tally.failures.is_empty() && tally.failed == 0 {
        Ok(())
    } else {
        Err(format!("{} step(s) failed", tally.failures.len().max(1)))
    }
}

/// The version every package of the workspace carries (tauri.conf.json says the same).
pub fn app_version() -> &'static str {
    env!("CARGO_PKG_VERSION")
}

pub fn npm() -> &'static str {
    if cfg!(windows) {
        "npm.cmd"
    } else {
        "npm"
    }
}

/// Runs a test runner, echoing it, and adds its counts to the tally.
fn counted(
    tally: &mut Tally,
    cmd: Command,
    count: fn(&[String]) -> (u64, u64),
) -> Result<(), String> {
    let shown = process::describe(&cmd);
    let (ok, lines) = process::run_captured(cmd)?;
    let (passed, failed) = count(&lines);
    tally.passed += passed;
    tally.failed += failed;
    match (ok, passed + failed) {
        (false, _) => {
            let mut message = format!("`{shown}` failed ({failed} failed test(s))");
            for line in failure_lines(&lines) {
                message.push_str("\n      ");
                message.push_str(&line);
            }
            Err(message)
        }
        (true, 0) => Err(format!("`{shown}` ran no test")),
        (true, _) => Ok(()),
    }
}

/// The lines that say which part failed and how: cargo's `error: test failed, to rerun
/// pass …`, `process didn't exit successfully: … (signal: 6, SIGABRT …)`, the names of
/// failed tests and the `N targets failed` list. Repeated in the summary at the end of the
/// run, where they are read first.
fn failure_lines(lines: &[String]) -> Vec<String> {
    let mut picked: Vec<String> = Vec::new();
    let mut in_list = false;
    for line in lines {
        let trimmed = line.trim();
        let listed = in_list && (line.starts_with("    ") || trimmed.starts_with('`'));
        in_list = listed || trimmed.contains("targets failed:") || trimmed == "failures:";
        let wanted = listed
            || trimmed.starts_with("error:")
            || trimmed.contains("didn't exit successfully")
            || trimmed.contains("(signal:")
            || trimmed.contains("has overflowed its stack")
            || (trimmed.starts_with("test ") && trimmed.ends_with("... FAILED"));
        if wanted && !trimmed.is_empty() && !picked.iter().any(|p| p == trimmed) {
            picked.push(trimmed.to_string());
        }
    }
    const MOST: usize = 40;
    if picked.len() > MOST {
        let more = picked.len() - MOST;
        picked.truncate(MOST);
        picked.push(format!("… and {more} more line(s) above"));
    }
    picked
}

/// Sums `test result: ok. 5 passed; 0 failed; …` lines.
fn count_cargo(lines: &[String]) -> (u64, u64) {
    lines
        .iter()
        .filter_map(|l| l.trim().strip_prefix("test result: "))
        .fold((0, 0), |(p, f), rest| {
            (
                p + number_before(rest, " passed"),
                f + number_before(rest, " failed"),
            )
        })
}

/// Reads Vitest's summary: `Tests  2 failed | 10 passed (12)`.
fn count_vitest(lines: &[String]) -> (u64, u64) {
    lines
        .iter()
        .map(|l| l.trim())
        .filter(|l| l.starts_with("Tests "))
        .fold((0, 0), |(p, f), l| {
            (
                p + number_before(l, " passed"),
                f + number_before(l, " failed"),
            )
        })
}

/// Reads node's test runner summary: `# pass 3` / `# fail 0` (TAP) or `ℹ pass 3` (spec).
fn count_node(lines: &[String]) -> (u64, u64) {
    let value = |key: &str| {
        lines
            .iter()
            .filter_map(|l| {
                let l = l.trim();
                let rest = l.strip_prefix("# ").or_else(|| l.strip_prefix("ℹ "))?;
                rest.strip_prefix(key)?.trim().parse::<u64>().ok()
            })
            .sum::<u64>()
    };
    (value("pass "), value("fail "))
}

/// The number written just before `marker`, e.g. `12` in "… 12 passed …"; 0 when absent.
fn number_before(text: &str, marker: &str) -> u64 {
    let Some(end) = text.find(marker) else {
        return 0;
    };
    let digits: String = text[..end]
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    digits.parse().unwrap_or(0)
}

/// On Linux, runs `program` inside a private D-Bus session with an unlocked gnome-keyring
/// whose files live in a throw-away folder, so that the keychain tests use the real Secret
/// Service without touching the developer's own keyring (feasibility.md §7).
pub fn with_keychain(root: &Path, program: &[&str]) -> Command {
    if !cfg!(target_os = "linux") {
        return process::command(root, program[0], &program[1..]);
    }
    let script = "set -e; export XDG_DATA_HOME=\"$(mktemp -d)\"; \
                  printf 'fleetward-test' | gnome-keyring-daemon --unlock --components=secrets >/dev/null; \
                  set +e; \"$@\"; status=$?; rm -rf \"$XDG_DATA_HOME\"; exit $status";
    let mut args = vec!["--", "bash", "-c", script, "keychain"];
    args.extend_from_slice(program);
    process::command(root, "dbus-run-session", &args)
}

/// `cargo test` regenerates `ui/src/bindings` (ts-rs). Committed bindings that differ from
/// what the Rust types produce would let the UI and the engine disagree silently.
fn bindings_unchanged(root: &Path) -> Result<(), String> {
    let out = Command::new("git")
        .args(["status", "--porcelain", "--", "ui/src/bindings"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("could not run git: {e}"))?;
    let changed = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if changed.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the generated IPC bindings differ from the committed ones; commit the regenerated files:\n{changed}"
        ))
    }
}

/// The engine, the CLI and the simulator built for Windows and tested under Wine, clippy for
/// the Windows target (which checks the desktop shell too), and the CLI's demo as a Windows
/// .exe. Its steps' times are summed as one more line of the timings.
fn windows_leg(root: &Path, tally: &mut Tally) {
    use crate::windows;
    let leg = Instant::now();
    let before = tally.timings.len();

    let t = Instant::now();
    let ready = windows::toolchain().and_then(|()| windows::wine_prefix(root));
    let ready_ok = ready.is_ok();
    tally.step("Windows: mingw-w64, Wine, Rust target", ready, t);
    if ready_ok {
        let mut args = vec![
            "clippy",
            "--locked",
            "--target",
            windows::TARGET,
            "--all-targets",
            // The desktop shell: clippy checks it, so it needs no `cargo check` of its own.
            "-p",
            "fleetward",
        ];
        for package in windows::PACKAGES {
            args.extend(["-p", package]);
        }
        args.extend(["--", "-D", "warnings"]);
        let t = Instant::now();
        let clippy = process::status(windows::cargo(root, &args));
        tally.step("Windows: clippy (shell, engine, CLI, simulator)", clippy, t);

        let mut args = vec![
            "test",
            "--locked",
            "--no-fail-fast",
            "--target",
            windows::TARGET,
        ];
        for package in windows::PACKAGES {
            args.extend(["-p", package]);
        }
        let t = Instant::now();
        let tests = counted(tally, windows::cargo(root, &args), count_cargo);
        tally.step("Windows: cargo test (Wine)", tests, t);

        // The debug build, which the tests above mostly built (the CLI's .exe is theirs; the
        // simulator's is linked here): `cargo xtask windows` makes the release one the same
        // way, and an optimised, LTO'd build of its own would double the leg's cold time.
        let t = Instant::now();
        let demo = windows::build(root, false).and_then(|cli| windows::demo(root, &cli));
        tally.step("Windows: fleetward-cli.exe demo (Wine)", demo, t);
    }
    let steps = tally.timings.len() - before;
    tally.timings.push((
        format!("Windows leg in all ({steps} steps above)"),
        leg.elapsed().as_secs_f64(),
    ));
}

/// Builds the real app and drives it over WebDriver under Xvfb (tests/e2e/run.sh).
fn e2e(root: &Path, tally: &mut Tally) -> Result<(), String> {
    if !cfg!(target_os = "linux") {
        return Err("the WebDriver suite runs on Linux only (there is no macOS WebKit driver); run it on Linux or in CI".into());
    }
    // The CLI too: the .deb install test ships this build of both.
    crate::bundle::build_debug_app(root, None)?;
    let mut cmd = process::command(
        root,
        "dbus-run-session",
        &["--", "bash", "tests/e2e/run.sh"],
    );
    cmd.env("NO_COLOR", "1");
    counted(tally, cmd, count_node)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(String::from).collect()
    }

    #[test]
    fn cargo_counts_are_summed_over_test_binaries() {
        let out = lines(
            "test result: ok. 5 passed; 0 failed; 0 ignored\n\
             test result: FAILED. 3 passed; 2 failed; 0 ignored\n\
             test result: ok. 0 passed; 0 failed; 0 ignored",
        );
        assert_eq!(count_cargo(&out), (8, 2));
    }

    #[test]
    fn a_crashed_test_binary_is_named_in_the_summary() {
        let out = lines(
            "     Running tests/time.rs (target/debug/deps/time-c6d9)\n\
             \n\
             running 2 tests\n\
             error: test failed, to rerun pass `-p fleetward-core --test time`\n\
             \n\
             Caused by:\n  process didn't exit successfully: `target/debug/deps/time-c6d9` (signal: 6, SIGABRT: process abort signal)\n\
             test result: FAILED. 1 passed; 1 failed; 0 ignored\n\
             test a::b ... FAILED\n\
             error: 2 targets failed:\n    `-p fleetward-core --test time`\n    `-p ninjaone --lib`\n\
             test result: ok. 3 passed; 0 failed",
        );
        let picked = failure_lines(&out);
        assert!(
            picked.contains(
                &"error: test failed, to rerun pass `-p fleetward-core --test time`".to_string()
            ),
            "{picked:?}"
        );
        assert!(picked.iter().any(|l| l.contains("SIGABRT")), "{picked:?}");
        assert!(
            picked.contains(&"test a::b ... FAILED".to_string()),
            "{picked:?}"
        );
        assert!(
            picked.contains(&"`-p ninjaone --lib`".to_string()),
            "{picked:?}"
        );
        assert!(!picked.iter().any(|l| l.contains("3 passed")), "{picked:?}");
    }

    #[test]
    fn vitest_summary_is_read_with_and_without_failures() {
        assert_eq!(count_vitest(&lines("      Tests  12 passed (12)")), (12, 0));
        assert_eq!(
            count_vitest(&lines(" Tests  2 failed | 10 passed (12)")),
            (10, 2)
        );
        assert_eq!(count_vitest(&lines(" Test Files  3 passed (3)")), (0, 0));
    }

    #[test]
    fn node_summary_is_read_in_tap_and_spec_form() {
        assert_eq!(count_node(&lines("# pass 3\n# fail 1")), (3, 1));
        assert_eq!(count_node(&lines("ℹ pass 4\nℹ fail 0")), (4, 0));
    }
}
