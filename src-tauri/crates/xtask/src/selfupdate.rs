//! The installed app updates itself (part of the .deb install test, Linux, as root).
//!
//! 1. The package of this version, just built and tested by the install test, is the update.
//!    It is signed with a throw-away key (`tauri signer`, as the release does).
//! 2. An older package is built from the same sources with a config overlay: an older
//!    version, that key as the update key, and a loopback feed as the endpoint. The committed
//!    tauri.conf.json is never touched.
//! 3. The feed serves `latest.json` with the `linux-x86_64-deb` target only (the target a
//!    .deb install looks for first) and the package.
//! 4. The older package is installed with dpkg; the WebDriver script `tests/e2e/selfupdate.mjs`
//!    drives its Settings → Updates: check, download (signature verified), install and restart.
//!    The plugin installs a .deb with pkexec, a zenity/kdialog prompt, or `sudo dpkg -i`; run
//!    by root, sudo asks nothing.
//! 5. dpkg then lists the newer version, and the feed saw both requests.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use crate::bundle::{json_string, stage_cli, tauri_cli};
use crate::process;

/// The version the overlay build claims: lower than any release.
pub const OLDER_VERSION: &str = "0.0.9";

/// Everything the check needs, made before the older package is installed.
pub struct Prepared {
    pub work: PathBuf,
    pub older_deb: PathBuf,
    pub feed: Feed,
}

/// Signs `newer_deb`, builds the older package that trusts the signing key and looks for
/// updates on a loopback feed, and starts that feed.
pub fn prepare(root: &Path, newer_deb: &Path) -> Result<Prepared, String> {
    let work = std::env::temp_dir().join(format!("fleetward-selfupdate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&work);
    let served = work.join("feed");
    std::fs::create_dir_all(&served)
        .map_err(|e| format!("cannot create {}: {e}", served.display()))?;
    let file_name = newer_deb
        .file_name()
        .ok_or("the newer package has no file name")?
        .to_string_lossy()
        .into_owned();
    let update = served.join(&file_name);
    std::fs::copy(newer_deb, &update)
        .map_err(|e| format!("cannot copy {} to the feed: {e}", newer_deb.display()))?;

    let cli = tauri_cli(root);
    let key = work.join("update.key");
    process::status(signer(&cli, &["generate", "--ci", "-p", "", "-w"], &key))?;
    let mut sign = signer(&cli, &["sign", "-f"], &key);
    sign.arg(&update);
    process::status(sign)?;
    let public = read(&key.with_extension("key.pub"))?;
    let signature = read(&PathBuf::from(format!("{}.sig", update.display())))?;

    let feed = Feed::start(served.clone())?;
    let manifest = format!(
        "{{\"version\": {}, \"notes\": \"Signed by the install test: the package of this build.\", \"pub_date\": \"2026-11-28T00:00:00Z\", \"platforms\": {{\"linux-x86_64-deb\": {{\"signature\": {}, \"url\": {}}}}}}}\n",
        json_string(crate::test::app_version()),
        json_string(signature.trim()),
        json_string(&format!("{}/{file_name}", feed.url)),
    );
    write(&served.join("latest.json"), &manifest)?;

    let older_deb = build_older(root, &work, &public, &feed.url)?;
    Ok(Prepared {
        work,
        older_deb,
        feed,
    })
}

fn signer(cli: &str, args: &[&str], key: &Path) -> Command {
    let mut cmd = Command::new(cli);
    cmd.arg("signer")
        .args(args)
        .arg(key)
        .env("TAURI_SIGNING_PRIVATE_KEY_PASSWORD", "")
        .env_remove("TAURI_SIGNING_PRIVATE_KEY")
        .env_remove("TAURI_SIGNING_PRIVATE_KEY_PATH");
    cmd
}

/// The overlay the older build is compiled and bundled with (`TAURI_CONFIG` at compile time,
/// `--config` when bundling, which also ships the CLI).
fn overlay(public_key: &str, endpoint: &str, cli_without_triple: &Path) -> String {
    format!(
        "{{\"version\": {}, \"bundle\": {{\"externalBin\": [{}]}}, \"plugins\": {{\"updater\": {{\"pubkey\": {}, \"endpoints\": [{}], \"dangerousInsecureTransportProtocol\": true}}}}}}",
        json_string(OLDER_VERSION),
        json_string(&cli_without_triple.to_string_lossy().replace('\\', "/")),
        json_string(public_key.trim()),
        json_string(endpoint),
    )
}

/// `cargo build` with the overlay in `TAURI_CONFIG` (only the shell recompiles), then
/// `tauri bundle --debug` with the same overlay.
fn build_older(
    root: &Path,
    work: &Path,
    public_key: &str,
    feed_url: &str,
) -> Result<PathBuf, String> {
    stage_cli(root, "debug")?;
    let target = crate::target_dir(root);
    let cli_without_triple = target.join("sidecar/fleetward-cli");
    let overlay = overlay(
        public_key,
        &format!("{feed_url}/latest.json"),
        &cli_without_triple,
    );
    let overlay_file = work.join("older.conf.json");
    write(&overlay_file, &overlay)?;
    crate::bundle::build_debug_app(root, Some(&overlay))?;
    crate::bundle::bundle_debug_deb(root, &overlay_file)
}

/// Drives the installed older app through Settings → Updates (WebDriver, Xvfb); then dpkg
/// must list the newer version and the feed must have served the manifest and the package.
pub fn drive(root: &Path, prepared: &Prepared) -> Result<(), String> {
    let newer = crate::test::app_version();
    let mut cmd = process::command(
        root,
        "dbus-run-session",
        &["--", "bash", "tests/e2e/run.sh"],
    );
    cmd.env("NO_COLOR", "1")
        .env("FLEETWARD_APP", crate::bundle::APP_PATH)
        .env("E2E_TESTS", "tests/e2e/selfupdate.mjs")
        .env("FLEETWARD_FROM_VERSION", OLDER_VERSION)
        .env("FLEETWARD_TO_VERSION", newer);
    let driven = process::status(cmd);
    stop_installed_apps();
    driven?;
    let installed = crate::bundle::installed_version()?;
    if installed != newer {
        return Err(format!(
            "after the update dpkg lists fleetward {installed}, expected {newer}"
        ));
    }
    let served = prepared.feed.served();
    let wanted = [
        "/latest.json".to_string(),
        format!("/{}", deb_name(prepared)?),
    ];
    let missing: Vec<&String> = wanted.iter().filter(|w| !served.contains(w)).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the feed never served {missing:?} (it served {served:?})"
        ))
    }
}

fn deb_name(prepared: &Prepared) -> Result<String, String> {
    std::fs::read_dir(prepared.work.join("feed"))
        .map_err(|e| e.to_string())?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.ends_with(".deb"))
        .ok_or_else(|| "the feed holds no .deb".into())
}

/// The relaunched app outlives the WebDriver session: stop every process running the
/// installed binary before the package is removed.
fn stop_installed_apps() {
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return;
    };
    for entry in procs.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        let exe = std::fs::read_link(entry.path().join("exe")).unwrap_or_default();
        let exe = exe.to_string_lossy();
        if exe == crate::bundle::APP_PATH || exe == format!("{} (deleted)", crate::bundle::APP_PATH)
        {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
    }
}

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// A loopback HTTP server for the files of one folder, remembering the paths it served. It
/// stops when dropped.
pub struct Feed {
    pub url: String,
    served: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Feed {
    fn start(folder: PathBuf) -> Result<Feed, String> {
        let listener = TcpListener::bind("127.0.0.1:0")
            .map_err(|e| format!("cannot listen on loopback: {e}"))?;
        let address = listener.local_addr().map_err(|e| e.to_string())?;
        let served = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let served = served.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        if let Some(path) = answer(stream, &folder) {
                            served.lock().unwrap_or_else(|p| p.into_inner()).push(path);
                        }
                    }
                }
            })
        };
        Ok(Feed {
            url: format!("http://{address}"),
            served,
            stop,
            thread: Some(thread),
        })
    }

    fn served(&self) -> Vec<String> {
        self.served
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl Drop for Feed {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wakes the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Answers one GET with a file of `folder` (by its name only) or 404; returns the path asked
/// for when it was served.
fn answer(mut stream: TcpStream, folder: &Path) -> Option<String> {
    let _ = stream.set_read_timeout(Some(std::time::Duration::from_secs(10)));
    let mut request = Vec::new();
    let mut buf = [0u8; 4096];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") && request.len() < 64 * 1024 {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return None,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&request);
    let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
    let name = path.trim_start_matches('/');
    let file = (!name.is_empty() && !name.contains('/') && !name.contains(".."))
        .then(|| std::fs::read(folder.join(name)).ok())
        .flatten();
    let (status, body) = match &file {
        Some(bytes) => ("200 OK", bytes.as_slice()),
        None => ("404 Not Found", b"not found".as_slice()),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let sent = stream
        .write_all(head.as_bytes())
        .and_then(|_| stream.write_all(body));
    (file.is_some() && sent.is_ok()).then_some(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_overlay_sets_an_older_version_the_key_and_the_loopback_feed() {
        let text = overlay(
            "KEY\n",
            "http://127.0.0.1:5/latest.json",
            Path::new("/t/sidecar/fleetward-cli"),
        );
        assert!(text.starts_with("{\"version\": \"0.0.9\""), "{text}");
        assert!(text.contains("\"pubkey\": \"KEY\""), "{text}");
        assert!(
            text.contains("\"endpoints\": [\"http://127.0.0.1:5/latest.json\"]"),
            "{text}"
        );
        assert!(
            text.contains("\"externalBin\": [\"/t/sidecar/fleetward-cli\"]"),
            "{text}"
        );
    }

    #[test]
    fn the_feed_serves_its_files_by_name_only_and_remembers_them() {
        let dir = std::env::temp_dir().join(format!("fleetward-feed-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("latest.json"), "{}").unwrap();
        let feed = Feed::start(dir.clone()).unwrap();
        let get = |path: &str| {
            let mut stream = TcpStream::connect(feed.url.trim_start_matches("http://")).unwrap();
            write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            let mut answer = String::new();
            stream.read_to_string(&mut answer).unwrap();
            answer
        };
        assert!(get("/latest.json").starts_with("HTTP/1.1 200 OK"));
        assert!(get("/../etc/passwd").starts_with("HTTP/1.1 404"));
        assert!(get("/missing.deb").starts_with("HTTP/1.1 404"));
        assert_eq!(feed.served(), vec!["/latest.json".to_string()]);
        drop(feed);
        let _ = std::fs::remove_dir_all(dir);
    }
}
