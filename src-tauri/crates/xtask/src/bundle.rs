//! Installers: `cargo xtask bundle` builds the release app and its Linux packages, and the test
//! command's install check builds a .deb from the debug app it already has, installs it with
//! dpkg, starts the installed app under Xvfb, sees its window, runs the installed
//! `fleetward-cli`, and removes the package again.
//!
//! `fleetward-cli` ships inside every installer beside the app (technicians script it from RMM
//! tasks). It goes in as a Tauri "external binary": the binary is staged as
//! `fleetward-cli-<target triple>` and a config overlay, merged over the committed
//! `tauri.conf.json` with `--config`, lists it. The committed config cannot list it itself:
//! tauri-build would then require the CLI to exist before any `cargo build` of the app.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::process;

/// The Debian package name and what it installs (tauri's deb bundler: `/usr/bin/<binary>`,
/// external binaries beside it, `/usr/share/applications/<productName>.desktop`).
const PACKAGE: &str = "fleetward";
pub const APP_PATH: &str = "/usr/bin/fleetward";
const CLI_PATH: &str = "/usr/bin/fleetward-cli";
const DESKTOP_PATH: &str = "/usr/share/applications/Fleetward.desktop";

/// `cargo xtask bundle [--debug] [--bundles deb,rpm]`.
pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    crate::setup::run(root)?;
    let debug = args.iter().any(|a| a == "--debug");
    let bundles = args
        .iter()
        .position(|a| a == "--bundles")
        .and_then(|i| args.get(i + 1))
        .map(String::as_str)
        .unwrap_or(default_bundles());
    let profile = if debug { "debug" } else { "release" };
    let started = Instant::now();
    let mut cli = vec!["build", "--locked", "-p", "fleetward-cli"];
    if !debug {
        cli.push("--release");
    }
    // On Windows and macOS the app's target-specific libsqlite3-sys features (vendored
    // OpenSSL) must reach the CLI too: build both in one invocation so features unify.
    if !cfg!(target_os = "linux") {
        cli.extend(["-p", "fleetward"]);
    }
    process::run(root, "cargo", &cli)?;
    // The UI build (tauri's beforeBuildCommand) copies the licence list into the app.
    crate::release::third_party_licences(root)?;
    let overlay = stage_cli(root, profile)?;
    let overlay = overlay.to_string_lossy().into_owned();
    let mut build = vec!["build", "--ci", "--bundles", bundles, "--config", &overlay];
    if debug {
        build.push("--debug");
    }
    process::run(root, &tauri_cli(root), &build)?;
    let folder = crate::target_dir(root).join(profile).join("bundle");
    println!(
        "Bundled in {:.0} s; installers are under {}:",
        started.elapsed().as_secs_f64(),
        folder.display()
    );
    for file in installers(&folder) {
        let size = file.metadata().map(|m| m.len()).unwrap_or(0);
        println!("  {} ({})", file.display(), megabytes(size));
    }
    Ok(())
}

fn default_bundles() -> &'static str {
    if cfg!(target_os = "linux") {
        // The AppImage downloads its tools from GitHub while bundling (feasibility.md §3), so
        // it is left to the release workflow.
        "deb,rpm"
    } else if cfg!(target_os = "macos") {
        "app,dmg"
    } else {
        "nsis,msi"
    }
}

/// The Tauri CLI from the UI's npm dependencies (`@tauri-apps/cli`), installed by setup.
pub fn tauri_cli(root: &Path) -> String {
    let name = if cfg!(windows) { "tauri.cmd" } else { "tauri" };
    root.join("ui/node_modules/.bin")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

/// Copies the built CLI to `<target>/sidecar/fleetward-cli-<triple>` and writes the overlay
/// that ships it; returns the overlay's path.
pub fn stage_cli(root: &Path, profile: &str) -> Result<PathBuf, String> {
    let target = crate::target_dir(root);
    let exe = std::env::consts::EXE_SUFFIX;
    let built = target.join(profile).join(format!("fleetward-cli{exe}"));
    if !built.is_file() {
        return Err(format!(
            "{} is missing; build it with `cargo build -p fleetward-cli`",
            built.display()
        ));
    }
    let folder = target.join("sidecar");
    std::fs::create_dir_all(&folder)
        .map_err(|e| format!("cannot create {}: {e}", folder.display()))?;
    let triple = host_triple()?;
    let staged = folder.join(format!("fleetward-cli-{triple}{exe}"));
    std::fs::copy(&built, &staged).map_err(|e| {
        format!(
            "cannot copy {} to {}: {e}",
            built.display(),
            staged.display()
        )
    })?;
    let overlay = folder.join("tauri.bundle.conf.json");
    std::fs::write(&overlay, cli_overlay(&folder.join("fleetward-cli")))
        .map_err(|e| format!("cannot write {}: {e}", overlay.display()))?;
    Ok(overlay)
}

/// The config overlay listing the CLI as an external binary (Tauri appends the triple).
fn cli_overlay(cli_without_triple: &Path) -> String {
    let path = cli_without_triple.to_string_lossy().replace('\\', "/");
    format!(
        "{{\"bundle\": {{\"externalBin\": [{}]}}}}\n",
        json_string(&path)
    )
}

pub fn json_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn host_triple() -> Result<String, String> {
    let out = Command::new("rustc")
        .arg("-vV")
        .output()
        .map_err(|e| format!("could not run rustc -vV: {e}"))?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .map(str::to_string)
        .ok_or_else(|| "rustc -vV did not name the host triple".into())
}

pub fn installers(folder: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(kinds) = std::fs::read_dir(folder) else {
        return found;
    };
    for kind in kinds.flatten() {
        if let Ok(files) = std::fs::read_dir(kind.path()) {
            found.extend(
                files
                    .flatten()
                    .map(|f| f.path())
                    .filter(|p| p.is_file() && p.extension().is_none_or(|e| e != "sig")),
            );
        }
    }
    found.sort();
    found
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}

/// One named check of the install test: its outcome counts as one test.
pub struct Check {
    pub name: String,
    pub outcome: Result<(), String>,
}

/// The install test (Linux, Debian-based, as root or with sudo): every check it made, in
/// order. A check that could not run is a failed check, never a skipped one.
pub fn install_test(root: &Path) -> Vec<Check> {
    let mut checks = Vec::new();
    let mut check = |name: &str, outcome: Result<(), String>| {
        let ok = outcome.is_ok();
        match &outcome {
            Ok(()) => println!("  ✓ {name}"),
            Err(e) => eprintln!("  ✗ {name}: {e}"),
        }
        checks.push(Check {
            name: name.into(),
            outcome,
        });
        ok
    };
    let deb = match build_debug_deb(root) {
        Ok(deb) => deb,
        Err(e) => {
            check("a .deb is built from the debug app", Err(e));
            return checks;
        }
    };
    let size = deb.metadata().map(|m| m.len()).unwrap_or(0);
    check(
        &format!(
            "a .deb is built from the debug app ({}, {})",
            deb.display(),
            megabytes(size)
        ),
        Ok(()),
    );
    check(
        "the package declares its metadata and dependencies",
        package_fields(&deb),
    );
    check(
        "the package holds the app, fleetward-cli, a .desktop entry and icons",
        package_files(&deb),
    );
    if !check("dpkg -i installs the package", install(&deb)) {
        let _ = remove();
        return checks;
    }
    check(
        "the installed fleetward-cli runs and reports the package version",
        cli_version(),
    );
    check(
        "the installed .desktop entry is valid and starts /usr/bin/fleetward",
        desktop_entry(),
    );
    check(
        "the installed app opens its window under Xvfb",
        window_opens(root),
    );
    if !check("dpkg -r removes the app and the CLI", remove()) {
        return checks;
    }

    // The installed app updates itself to this package (selfupdate.rs).
    let older = crate::selfupdate::OLDER_VERSION;
    let prepared = match crate::selfupdate::prepare(root, &deb) {
        Ok(prepared) => prepared,
        Err(e) => {
            check(&format!("an older package ({older}) trusting a throw-away update key is built, and a loopback feed offers this package signed"), Err(e));
            return checks;
        }
    };
    check(
        &format!("an older package ({older}) trusting a throw-away update key is built, and a loopback feed offers this package signed"),
        Ok(()),
    );
    let installed = install(&prepared.older_deb).and_then(|()| match installed_version()? {
        v if v == older => Ok(()),
        v => Err(format!("dpkg lists fleetward {v}, expected {older}")),
    });
    if check(
        &format!("dpkg -i installs the older package ({older})"),
        installed,
    ) {
        check(
            &format!(
                "the installed app updates itself to {} in Settings → Updates: found with its notes, signature verified, installed by dpkg, relaunched",
                crate::test::app_version()
            ),
            crate::selfupdate::drive(root, &prepared),
        );
    }
    check("dpkg -r removes the updated package", remove());
    let _ = std::fs::remove_dir_all(&prepared.work);
    checks
}

/// The version dpkg lists for the installed package.
pub fn installed_version() -> Result<String, String> {
    output("dpkg-query", &["-W", "-f=${Version}", PACKAGE]).map(|v| v.trim().to_string())
}

/// `tauri bundle --debug --bundles deb` over the debug app. The build is a no-op after the
/// e2e built it, and rebuilds the shell when the self-update check left its older overlay
/// build in place (its `TAURI_CONFIG` differs).
fn build_debug_deb(root: &Path) -> Result<PathBuf, String> {
    build_debug_app(root, None)?;
    let overlay = stage_cli(root, "debug")?;
    bundle_debug_deb(root, &overlay)
}

/// `cargo build` of the app and the CLI (debug), with a config overlay compiled in when
/// given (`TAURI_CONFIG`; only the shell recompiles).
pub fn build_debug_app(root: &Path, tauri_config: Option<&str>) -> Result<(), String> {
    let mut build = process::command(
        root,
        "cargo",
        &[
            "build",
            "-p",
            "fleetward",
            "-p",
            "fleetward-cli",
            "--locked",
        ],
    );
    if let Some(config) = tauri_config {
        build.env("TAURI_CONFIG", config);
    }
    process::status(build)
}

/// Bundles the built debug app as a .deb with `overlay` (`tauri bundle --debug`, no compile)
/// and returns the package's path.
pub fn bundle_debug_deb(root: &Path, overlay: &Path) -> Result<PathBuf, String> {
    let folder = crate::target_dir(root).join("debug/bundle/deb");
    let _ = std::fs::remove_dir_all(&folder);
    let overlay = overlay.to_string_lossy().into_owned();
    process::run(
        root,
        &tauri_cli(root),
        &[
            "bundle",
            "--ci",
            "--debug",
            "--bundles",
            "deb",
            "--config",
            &overlay,
        ],
    )?;
    installers(&crate::target_dir(root).join("debug/bundle"))
        .into_iter()
        .find(|p| p.extension().is_some_and(|e| e == "deb"))
        .ok_or_else(|| format!("tauri bundle wrote no .deb under {}", folder.display()))
}

fn output(program: &str, args: &[&str]) -> Result<String, String> {
    let out = Command::new(program)
        .args(args)
        .output()
        .map_err(|e| format!("could not run {program}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`{program} {}` failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn package_fields(deb: &Path) -> Result<(), String> {
    let deb = deb.to_string_lossy();
    let field = |name: &str| output("dpkg-deb", &["-f", &deb, name]).map(|v| v.trim().to_string());
    let mut problems = Vec::new();
    let expect = |name: &str, wanted: &[&str], problems: &mut Vec<String>| match field(name) {
        Ok(value) => {
            for w in wanted {
                if !value.contains(w) {
                    problems.push(format!("{name} is '{value}', expected it to mention '{w}'"));
                }
            }
        }
        Err(e) => problems.push(e),
    };
    expect("Package", &[PACKAGE], &mut problems);
    expect("Version", &[crate::test::app_version()], &mut problems);
    expect(
        "Depends",
        &[
            "libwebkit2gtk-4.1-0",
            "libgtk-3-0",
            "libayatana-appindicator3-1",
            "libssl3",
            "libdbus-1-3",
        ],
        &mut problems,
    );
    expect("Maintainer", &["Fleetward"], &mut problems);
    expect("Homepage", &["https://"], &mut problems);
    expect("Description", &["NinjaOne"], &mut problems);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

fn package_files(deb: &Path) -> Result<(), String> {
    let listing = output("dpkg-deb", &["-c", &deb.to_string_lossy()])?;
    // dpkg-deb lists `usr/bin/fleetward` (or `./usr/bin/fleetward`) as the last word.
    let has = |path: &str| {
        let wanted = path.trim_start_matches('/');
        listing.lines().any(|l| {
            l.split_whitespace()
                .last()
                .is_some_and(|p| p.trim_start_matches("./") == wanted)
        })
    };
    let mut missing: Vec<String> = [APP_PATH, CLI_PATH, DESKTOP_PATH]
        .iter()
        .filter(|p| !has(p))
        .map(|p| p.to_string())
        .collect();
    for size in ["16x16", "32x32", "48x48", "128x128", "256x256", "512x512"] {
        let icon = format!("/usr/share/icons/hicolor/{size}/apps/fleetward.png");
        if !has(&icon) {
            missing.push(icon);
        }
    }
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!("missing from the package: {}", missing.join(", ")))
    }
}

/// Runs as root, or through sudo when not root.
fn privileged(args: &[&str]) -> Command {
    let root = output("id", &["-u"]).is_ok_and(|id| id.trim() == "0");
    let mut all: Vec<&str> = if root { vec![] } else { vec!["sudo", "-n"] };
    all.extend_from_slice(args);
    let mut cmd = Command::new(all[0]);
    cmd.args(&all[1..]).env("DEBIAN_FRONTEND", "noninteractive");
    cmd
}

fn install(deb: &Path) -> Result<(), String> {
    let deb = deb.to_string_lossy();
    if process::status(privileged(&["dpkg", "-i", &deb])).is_err() {
        // Missing dependencies leave the package unconfigured; apt brings them in.
        process::status(privileged(&[
            "apt-get",
            "-f",
            "install",
            "-y",
            "-q",
            "--no-install-recommends",
        ]))?;
    }
    let status = output("dpkg-query", &["-W", "-f=${Status} ${Version}", PACKAGE])?;
    if status.starts_with("install ok installed") {
        Ok(())
    } else {
        Err(format!("after dpkg -i the package is '{status}'"))
    }
}

fn cli_version() -> Result<(), String> {
    let version = output(CLI_PATH, &["--version"])?;
    if version.contains(crate::test::app_version()) {
        Ok(())
    } else {
        Err(format!(
            "`{CLI_PATH} --version` printed '{}', expected version {}",
            version.trim(),
            crate::test::app_version()
        ))
    }
}

fn desktop_entry() -> Result<(), String> {
    output("desktop-file-validate", &[DESKTOP_PATH])?;
    let text = std::fs::read_to_string(DESKTOP_PATH)
        .map_err(|e| format!("cannot read {DESKTOP_PATH}: {e}"))?;
    let exec = text
        .lines()
        .find_map(|l| l.strip_prefix("Exec="))
        .unwrap_or("");
    let program = exec.split_whitespace().next().unwrap_or("");
    let resolved = if program.starts_with('/') {
        PathBuf::from(program)
    } else {
        Path::new("/usr/bin").join(program)
    };
    if resolved != Path::new(APP_PATH) {
        return Err(format!("Exec= starts '{program}', not {APP_PATH}"));
    }
    if !text.contains("Icon=fleetward") {
        return Err("the entry names no fleetward icon".into());
    }
    Ok(())
}

/// Kills and reaps a child when dropped, so nothing started here outlives the check.
pub struct Reaped(pub Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the installed app in demo mode (its own throw-away data folder: no keychain, no
/// NinjaOne) on a private Xvfb display and waits for a window titled Fleetward, then keeps a
/// screenshot under target/e2e/.
fn window_opens(root: &Path) -> Result<(), String> {
    let work = std::env::temp_dir().join(format!("fleetward-deb-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let home = work.join("home");
    let data = work.join("data");
    std::fs::create_dir_all(&home).map_err(|e| format!("cannot create {}: {e}", home.display()))?;
    let result = (|| {
        let xvfb = Xvfb::start()?;
        let display = xvfb.display;
        let log = work.join("app.log");
        let log_file = std::fs::File::create(&log).map_err(|e| e.to_string())?;
        let started = Instant::now();
        let _app = Reaped(
            Command::new(APP_PATH)
                .args(["--demo", "--data-dir", &data.to_string_lossy()])
                .env("DISPLAY", format!(":{display}"))
                .env("HOME", &home)
                .env("XDG_DATA_HOME", home.join(".local/share"))
                .env("XDG_CONFIG_HOME", home.join(".config"))
                .env_remove("DBUS_SESSION_BUS_ADDRESS")
                .stdout(log_file.try_clone().map_err(|e| e.to_string())?)
                .stderr(log_file)
                .spawn()
                .map_err(|e| format!("could not start {APP_PATH}: {e}"))?,
        );
        let seen = wait_for(Duration::from_secs(60), || {
            main_window(display).is_some_and(|(w, h)| w >= 900 && h >= 500)
        });
        if seen.is_err() {
            let tail = std::fs::read_to_string(&log).unwrap_or_default();
            return Err(format!(
                "no Fleetward window of at least 900x500 appeared within 60 s; the app said:\n{tail}"
            ));
        }
        let mapped = started.elapsed().as_secs_f64();
        // A mapped window may still be blank: wait until the screen shows more than one
        // colour, i.e. the web view painted the first screen.
        let shots = root.join("target/e2e");
        let _ = std::fs::create_dir_all(&shots);
        let shot = shots.join("installed-deb.png");
        let painted = wait_for(Duration::from_secs(60), || {
            screen_varies(display, &shot).unwrap_or(false)
        });
        if painted.is_err() {
            return Err(format!(
                "the window opened after {mapped:.1} s but stayed blank for 60 s (see {})",
                shot.display()
            ));
        }
        println!(
            "    window mapped {mapped:.1} s and painted {:.1} s after start; screenshot {}",
            started.elapsed().as_secs_f64(),
            shot.display()
        );
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&work);
    result
}

/// Takes a screenshot to `shot` and says whether it has more than one colour (ImageMagick's
/// standard deviation over all channels, 0 for a uniform picture).
fn screen_varies(display: u32, shot: &Path) -> Result<bool, String> {
    let shot_text = shot.to_string_lossy();
    let taken = Command::new("import")
        .args(["-window", "root", &shot_text])
        .env("DISPLAY", format!(":{display}"))
        .status()
        .map_err(|e| format!("could not run import: {e}"))?;
    if !taken.success() {
        return Ok(false);
    }
    let deviation = output(
        "identify",
        &["-format", "%[fx:standard_deviation]", &shot_text],
    )?;
    Ok(deviation.trim().parse::<f64>().unwrap_or(0.0) > 0.02)
}

/// A private Xvfb display (1280×800), stopped when dropped.
pub struct Xvfb {
    pub display: u32,
    _server: Reaped,
}

impl Xvfb {
    /// Starts Xvfb on a free display number and waits (at most 10 s) for its socket.
    pub fn start() -> Result<Xvfb, String> {
        let display = free_display();
        let server = Reaped(
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
            .map_err(|_| format!("Xvfb did not open display :{display} within 10 s"))?;
        Ok(Xvfb {
            display,
            _server: server,
        })
    }
}

fn free_display() -> u32 {
    (120..400)
        .find(|n| {
            !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
                && !Path::new(&format!("/tmp/.X{n}-lock")).exists()
        })
        .unwrap_or(399)
}

/// The size of the top-level window titled "Fleetward", from `xwininfo -root -tree`.
fn main_window(display: u32) -> Option<(u32, u32)> {
    let out = Command::new("xwininfo")
        .args(["-root", "-tree"])
        .env("DISPLAY", format!(":{display}"))
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("\"Fleetward\""))
        .filter_map(window_size)
        .max()
}

/// Reads `WxH+X+Y` from an xwininfo tree line such as
/// `0x1200003 "Fleetward": ("fleetward" "Fleetward")  1280x820+0+0  +0+0`.
fn window_size(line: &str) -> Option<(u32, u32)> {
    // The geometry is the word shaped `WxH+X+Y`; the window id (`0x…`) has no `+`.
    line.split_whitespace().find_map(|word| {
        let (w, rest) = word.split_once('x')?;
        let h: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if !rest[h.len()..].starts_with('+') {
            return None;
        }
        Some((w.parse().ok()?, h.parse().ok()?))
    })
}

pub fn wait_for(limit: Duration, mut done: impl FnMut() -> bool) -> Result<(), ()> {
    let until = Instant::now() + limit;
    while Instant::now() < until {
        if done() {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err(())
}

fn remove() -> Result<(), String> {
    process::status(privileged(&["dpkg", "-r", PACKAGE]))?;
    let left: Vec<&str> = [APP_PATH, CLI_PATH, DESKTOP_PATH]
        .into_iter()
        .filter(|p| Path::new(p).exists())
        .collect();
    if left.is_empty() {
        Ok(())
    } else {
        Err(format!("still present after dpkg -r: {}", left.join(", ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cli_overlay_lists_the_staged_binary_as_an_external_binary() {
        let overlay = cli_overlay(Path::new("/t/sidecar/fleetward-cli"));
        assert_eq!(
            overlay,
            "{\"bundle\": {\"externalBin\": [\"/t/sidecar/fleetward-cli\"]}}\n"
        );
        let windows = cli_overlay(Path::new("C:\\t\\say \"hi\"\\fleetward-cli"));
        assert!(windows.contains("C:/t/say \\\"hi\\\"/fleetward-cli"));
    }

    #[test]
    fn window_sizes_are_read_from_xwininfo_tree_lines() {
        let line =
            "     0x1200003 \"Fleetward\": (\"fleetward\" \"Fleetward\")  1280x820+0+0  +0+0";
        assert_eq!(window_size(line), Some((1280, 820)));
        assert_eq!(
            window_size("0x1 (has no name): ()  1x1+-1+-1  +-1+-1"),
            Some((1, 1))
        );
        assert_eq!(window_size("no geometry here"), None);
    }
}
