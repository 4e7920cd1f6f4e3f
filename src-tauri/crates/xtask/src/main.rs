//! `cargo xtask …`: the developer tasks behind the README's two commands.
//!
//! - `setup`: installs what building and testing need, idempotently (Debian packages, npm
//!   dependencies); on macOS and Windows it says what to install.
//! - `demo`: builds the UI and launches the app; without a display on Linux it says so and
//!   runs the headless demo instead.
//! - `test`: every check CI runs, in order, with the test runners' counts summed at the end.
//! - `bench`: the benchmarks, printing their figures.
//! - `bundle`: the release app and its installers, `fleetward-cli` inside.
//! - `windows`: `fleetward-cli.exe` and `ninjaone-sim.exe` cross-built for Windows.
//! - `latest-json`: the updater's manifest for a release, from its signed installers.
//!
//! std only, so that `cargo xtask` compiles in seconds on a fresh machine before any system
//! package is installed.

mod bench;
mod bundle;
mod process;
mod release;
mod selfupdate;
mod setup;
mod startup;
mod test;
mod windows;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let root = workspace_root();
    let result = match args.first().map(String::as_str) {
        Some("setup") => setup::run(&root),
        Some("demo") => demo(&root, &args[1..]),
        Some("test") => test::run(&root, &args[1..]),
        Some("bench") => bench::run(&root, &args[1..]),
        Some("bundle") => bundle::run(&root, &args[1..]),
        Some("windows") => windows::run(&root, &args[1..]),
        Some("install-test") => install_test(&root),
        Some("licenses") => release::third_party_licences(&root),
        Some("lint-workflows") => counted_checks(release::lint_workflows(&root)),
        Some("latest-json") => release::latest_json(&args[1..]),
        Some("help" | "--help" | "-h") | None => {
            print_help();
            Ok(())
        }
        Some(other) => Err(format!("unknown task '{other}'; run `cargo xtask help`")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The test command's .deb install test on its own (after `cargo build -p fleetward -p
/// fleetward-cli`).
fn install_test(root: &std::path::Path) -> Result<(), String> {
    setup::run(root)?;
    counted_checks(bundle::install_test(root))
}

fn counted_checks(checks: Vec<bundle::Check>) -> Result<(), String> {
    for check in &checks {
        if let Err(e) = &check.outcome {
            eprintln!("✗ {}: {e}", check.name);
        }
    }
    let failed = checks.iter().filter(|c| c.outcome.is_err()).count();
    println!("tests: {} passed, {failed} failed", checks.len() - failed);
    if failed == 0 && !checks.is_empty() {
        Ok(())
    } else {
        Err(format!("{failed} check(s) failed"))
    }
}

fn print_help() {
    println!(
        "cargo xtask <task>\n\n\
         setup              install system packages and npm dependencies (idempotent)\n\
         demo [-- ARGS]     build the UI and launch the app (headless demo without a display)\n\
         test [--no-e2e] [--no-windows]\n\
                            everything: fmt, clippy, cargo test, bindings, the Windows leg\n\
                            (tests under Wine), UI checks, e2e\n\
         bench [NAME]       run benchmarks and print their figures\n\
         bundle [--debug]   build the app and its installers, fleetward-cli inside (--bundles deb,rpm)\n\
         windows [--debug]  fleetward-cli.exe and ninjaone-sim.exe for Windows (mingw-w64); prints the .exe's path last\n\
         windows --test     the test command's Windows leg alone (tests under Wine, clippy, the .exe's demo)\n\
         install-test       the .deb install test alone (after building the debug app and CLI)\n\
         lint-workflows     actionlint over .github/workflows\n\
         licenses           generate the third-party licence list About shows\n\
         latest-json        the updater's latest.json from signed installers (see release.rs)"
    );
}

/// The repository root: xtask lives at `src-tauri/crates/xtask`. `cargo run` sets
/// CARGO_MANIFEST_DIR at run time; it wins over the compile-time value because a shared
/// CARGO_TARGET_DIR may hold an xtask binary built from another checkout.
fn workspace_root() -> PathBuf {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    manifest
        .ancestors()
        .nth(3)
        .map(PathBuf::from)
        .unwrap_or(manifest)
}

/// Cargo's output folder: `CARGO_TARGET_DIR` when set (CI keeps it outside the clone).
fn target_dir(root: &std::path::Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"))
}

fn has_display() -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|var| std::env::var(var).is_ok_and(|v| !v.is_empty()))
}

fn demo(root: &std::path::Path, args: &[String]) -> Result<(), String> {
    setup::run(root)?;
    let app_args: Vec<&str> = args
        .iter()
        .skip_while(|a| *a == "--")
        .map(String::as_str)
        .collect();
    if !has_display() {
        println!("No display found (DISPLAY and WAYLAND_DISPLAY are unset): running the headless demo instead.");
        println!("To see the window on a server, run `xvfb-run -a cargo xtask demo` or connect with a desktop session.");
        let mut cli = vec![
            "cargo",
            "run",
            "--quiet",
            "-p",
            "fleetward-cli",
            "--",
            "demo",
        ];
        cli.extend(app_args);
        // The demo keeps its key beside its own store: no keychain is needed.
        return process::run(root, cli[0], &cli[1..]);
    }
    process::run(&root.join("ui"), test::npm(), &["run", "build"])?;
    process::run(root, "cargo", &["build", "-p", "fleetward"])?;
    let app = target_dir(root)
        .join("debug")
        .join(format!("fleetward{}", std::env::consts::EXE_SUFFIX));
    // A folder of the demo's own; `app-data` rather than the `data` of older versions, whose
    // store kept its key in the keychain.
    let data = target_dir(root).join("demo").join("app-data");
    let data = data.to_string_lossy().into_owned();
    let app = app.to_string_lossy().into_owned();
    let mut command = vec![app.as_str(), "--demo", "--data-dir", data.as_str()];
    command.extend(app_args);
    println!("Launching {app} in demo mode (data folder {data}) …");
    // The demo's folder keeps its made-up store's key beside the store, so the app needs no
    // keychain (none, locked, or without a default collection all work).
    process::run(root, command[0], &command[1..])
}
