//! Windows from Linux: the engine, the CLI and the simulator cross-built for
//! x86_64-pc-windows-gnu with mingw-w64, and their tests run under Wine (SPEC §13).
//!
//! - `cargo xtask windows [--debug]`: the release (or debug) `fleetward-cli.exe` and
//!   `ninjaone-sim.exe`; the last line printed is the path of `fleetward-cli.exe`.
//! - `cargo xtask test` runs the Windows leg (`crate::test`), which `cargo xtask windows
//!   --test` runs alone.
//!
//! Wine runs in a prefix of its own under the target folder, made once. Wine 8 (Debian 12)
//! lacks `bcryptprimitives.dll`, whose `ProcessPrng` Rust's std imports, so a stand-in built
//! from `windows/bcryptprimitives.c` is put in the prefix's system32.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{process, setup};

pub const TARGET: &str = "x86_64-pc-windows-gnu";

/// What ships on Windows besides the app, with their tests: every crate the CLI is built from.
pub const PACKAGES: &[&str] = &[
    "ninjaone",
    "ninjaone-sim",
    "fleetward-core",
    "fleetward-receiver",
    "fleetward-cli",
];

/// mingw-w64 links, wine64 runs the tests; `wine` (only recommended by wine64) holds the
/// `wine` and `wineboot` commands.
const DEBIAN_PACKAGES: &[&str] = &["mingw-w64", "wine", "wine64"];

const LINKER: &str = "x86_64-w64-mingw32-gcc";

/// The cross toolchain: Debian packages and the Rust target, each installed when missing.
pub fn toolchain() -> Result<(), String> {
    if !cfg!(target_os = "linux") {
        return Err(
            "the Windows leg cross-builds from Linux (mingw-w64, Wine); run it on Linux or in CI"
                .into(),
        );
    }
    setup::debian(DEBIAN_PACKAGES)?;
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| format!("could not run rustup (needed to add the {TARGET} target): {e}"))?;
    if !String::from_utf8_lossy(&installed.stdout)
        .lines()
        .any(|l| l.trim() == TARGET)
    {
        let mut add = Command::new("rustup");
        add.args(["target", "add", TARGET]);
        process::status(add)?;
    }
    Ok(())
}

/// `cargo <args>` for the Windows target: mingw's linker, and Wine as the runner of test
/// binaries and `cargo run`, in the prefix made by [`wine_prefix`].
pub fn cargo(root: &Path, args: &[&str]) -> Command {
    let mut cmd = process::command(root, "cargo", args);
    cmd.env("CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER", LINKER)
        .env("CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER", "wine");
    wine_env(root, &mut cmd);
    cmd
}

/// Wine quiet and headless: its own prefix, no debug channels, no display (so no window
/// pops up), and no offer to install Mono or Gecko.
fn wine_env(root: &Path, cmd: &mut Command) {
    cmd.env("WINEPREFIX", prefix_dir(root))
        .env("WINEDEBUG", "-all")
        .env("WINEDLLOVERRIDES", "mscoree,mshtml=")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY");
}

fn prefix_dir(root: &Path) -> PathBuf {
    crate::target_dir(root).join("wine")
}

/// Makes the Wine prefix when missing and puts the `bcryptprimitives.dll` stand-in in it.
pub fn wine_prefix(root: &Path) -> Result<(), String> {
    let prefix = prefix_dir(root);
    if !prefix.join("system.reg").exists() {
        println!("Making the Wine prefix {}", prefix.display());
        let mut boot = Command::new("wineboot");
        boot.arg("-i");
        wine_env(root, &mut boot);
        process::status(boot)?;
        // wineboot returns before the prefix's registry is written out.
        let mut wait = Command::new("wineserver");
        wait.arg("-w");
        wine_env(root, &mut wait);
        process::status(wait)?;
    }
    let dll = prefix.join("drive_c/windows/system32/bcryptprimitives.dll");
    let source = root.join("src-tauri/crates/xtask/src/windows/bcryptprimitives.c");
    let modified = |p: &Path| p.metadata().and_then(|m| m.modified()).ok();
    if matches!((modified(&dll), modified(&source)), (Some(built), Some(src)) if built >= src) {
        return Ok(());
    }
    let mut gcc = Command::new(LINKER);
    gcc.arg("-shared")
        .arg("-O2")
        .arg("-s")
        .arg("-o")
        .arg(&dll)
        .arg(&source)
        .arg(source.with_extension("def"))
        .arg("-ladvapi32");
    process::status(gcc)
}

/// `cargo xtask windows [--debug]`, or `cargo xtask windows --test` for the test command's
/// Windows leg alone.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    if args.iter().any(|a| a == "--test") {
        return crate::test::windows_only(root);
    }
    let release = !args.iter().any(|a| a == "--debug");
    toolchain()?;
    let cli = build(root, release)?;
    println!("{}", cli.display());
    Ok(())
}

/// Builds `fleetward-cli.exe` and `ninjaone-sim.exe`; returns the path of the first.
pub fn build(root: &Path, release: bool) -> Result<PathBuf, String> {
    let mut args = vec![
        "build",
        "--locked",
        "--target",
        TARGET,
        "-p",
        "fleetward-cli",
        "-p",
        "ninjaone-sim",
    ];
    if release {
        args.push("--release");
    }
    process::status(cargo(root, &args))?;
    let profile = if release { "release" } else { "debug" };
    let cli = crate::target_dir(root)
        .join(TARGET)
        .join(profile)
        .join("fleetward-cli.exe");
    if cli.exists() {
        Ok(cli)
    } else {
        Err(format!("cargo built no {}", cli.display()))
    }
}

/// The demo of the README run by `fleetward-cli.exe` under Wine (in a temporary folder the
/// demo makes and removes): proves the .exe starts, makes an encrypted store, syncs from the
/// simulator over loopback and exits 0.
pub fn demo(root: &Path, cli: &Path) -> Result<(), String> {
    let mut cmd = Command::new("wine");
    cmd.arg(cli).arg("demo").current_dir(root);
    wine_env(root, &mut cmd);
    process::status(cmd)
}
