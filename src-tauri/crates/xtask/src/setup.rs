//! `cargo xtask setup`: everything a fresh machine needs to build, run and test Fleetward.
//! Safe to run again and again: it installs only what is missing.

use std::path::Path;
use std::process::{Command, Stdio};

use crate::process;

/// Debian/Ubuntu packages: Tauri's build dependencies (tauri-facts.md §3.6), the e2e tools
/// (Xvfb, WebKitWebDriver), the Secret Service stack for keyring tests, and ImageMagick for
/// screenshots and icons.
const DEBIAN_PACKAGES: &[&str] = &[
    "build-essential",
    "curl",
    "file",
    "pkg-config",
    "libwebkit2gtk-4.1-dev",
    "libxdo-dev",
    "libssl-dev",
    "libayatana-appindicator3-dev",
    "librsvg2-dev",
    "libdbus-1-dev",
    "xvfb",
    "xauth",
    "webkit2gtk-driver",
    "dbus",
    "dbus-x11",
    "gnome-keyring",
    "libsecret-tools",
    "imagemagick",
    "x11-utils",
    "fonts-dejavu-core",
    // The .deb install test validates the installed .desktop entry.
    "desktop-file-utils",
    // The updater installs a .deb with `pkexec`, a zenity/kdialog password prompt, or
    // `sudo dpkg -i`, in that order (tauri-plugin-updater). Run by root, sudo asks nothing:
    // the install test's self-update installs through it.
    "sudo",
];

/// Folders with a package.json whose dependencies are installed with `npm ci`.
pub const NPM_PROJECTS: &[&str] = &["ui", "tests/e2e", "tools/workflow-lint"];

pub fn run(root: &Path) -> Result<(), String> {
    if cfg!(target_os = "linux") {
        debian_packages()?;
    } else if cfg!(target_os = "macos") {
        println!("macOS: install Xcode Command Line Tools (`xcode-select --install`) and Node.js 20 or newer.");
    } else if cfg!(windows) {
        println!("Windows: install Microsoft C++ Build Tools, WebView2 (preinstalled on Windows 11) and Node.js 20 or newer.");
    }
    if !process::found(crate::test::npm()) {
        return Err("npm was not found. Install Node.js 20 or newer, then run this again.".into());
    }
    for project in NPM_PROJECTS {
        npm_dependencies(&root.join(project))?;
    }
    Ok(())
}

fn debian_packages() -> Result<(), String> {
    debian(DEBIAN_PACKAGES)
}

/// Installs those of `packages` that are missing (none installed: no apt call at all).
pub fn debian(packages: &[&str]) -> Result<(), String> {
    if !process::found("dpkg-query") {
        println!(
            "This Linux is not Debian-based; install the equivalents of: {}",
            packages.join(" ")
        );
        return Ok(());
    }
    let missing: Vec<&str> = packages
        .iter()
        .copied()
        .filter(|pkg| !debian_package_installed(pkg))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    println!("Installing Debian packages: {}", missing.join(" "));
    let sudo: &[&str] = if is_root() { &[] } else { &["sudo"] };
    let apt = |args: &[&str]| {
        let mut all: Vec<&str> = sudo.to_vec();
        all.extend_from_slice(args);
        let mut cmd = Command::new(all[0]);
        cmd.args(&all[1..]).env("DEBIAN_FRONTEND", "noninteractive");
        process::status(cmd)
    };
    apt(&["apt-get", "update", "-q"])?;
    let mut install = vec!["apt-get", "install", "-y", "-q", "--no-install-recommends"];
    install.extend(missing.iter());
    apt(&install)
}

fn debian_package_installed(pkg: &str) -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", pkg])
        .stderr(Stdio::null())
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).contains("install ok installed"))
        .unwrap_or(false)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|out| String::from_utf8_lossy(&out.stdout).trim() == "0")
        .unwrap_or(false)
}

/// `npm ci` when node_modules is missing or older than the lock file.
pub fn npm_dependencies(dir: &Path) -> Result<(), String> {
    let lock = dir.join("package-lock.json");
    let marker = dir.join("node_modules/.package-lock.json");
    let modified = |p: &Path| p.metadata().and_then(|m| m.modified()).ok();
    let fresh = match (modified(&lock), modified(&marker)) {
        (Some(lock), Some(installed)) => installed >= lock,
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    println!("Installing npm dependencies in {}", dir.display());
    process::run(dir, crate::test::npm(), &["ci", "--no-audit", "--no-fund"])
}
