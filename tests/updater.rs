//! Signed self-update on loopback, through the real `tauri-plugin-updater` and the shell's
//! commands on Tauri's mock runtime. A throw-away key pair comes from the Tauri CLI
//! (`tauri signer generate`, the tool the release uses); a local HTTP server plays the
//! release feed; the app's config carries the test public key (an overlay on the mock
//! context, never the committed tauri.conf.json).
//!
//! Proven here: a newer version is found with its notes; its download verifies; a tampered
//! artifact and a signature from another key are refused with a clear message and nothing
//! is kept to install; an unreachable or malformed feed is "Couldn't check" and the app
//! carries on. Installing is not exercised here: on Linux outside a package the plugin would
//! replace the running test binary. The .deb install test (`cargo xtask test`, xtask's
//! selfupdate.rs) installs an update into an installed package through the real app.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use fleetward_lib::{invoke_handler, register_updater, AppState};
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{
    get_ipc_response, mock_builder, mock_context, noop_assets, MockRuntime, INVOKE_KEY,
};
use tauri::webview::InvokeRequest;
use tauri::{Listener, Manager, WebviewWindow};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// The origin the app's pages are served from: Tauri's custom scheme, which WebView2 on
/// Windows reaches as `http://tauri.localhost` instead.
const APP_ORIGIN: &str = if cfg!(windows) {
    "http://tauri.localhost"
} else {
    "tauri://localhost"
};

const ARTIFACT: &[u8] = b"Fleetward 0.2.0 update package (test bytes)";

/// A throw-away key pair and signatures made with the Tauri CLI.
struct Keys {
    _dir: tempfile::TempDir,
    public: String,
    /// The artifact's signature by the configured key.
    good: String,
    /// The same artifact signed by another key.
    foreign: String,
}

fn tauri_cli() -> PathBuf {
    // npm makes a .cmd launcher on Windows.
    let launcher = if cfg!(windows) { "tauri.cmd" } else { "tauri" };
    let cli = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("ui/node_modules/.bin")
        .join(launcher);
    assert!(
        cli.exists(),
        "{} is missing: run `cargo xtask setup` (npm ci in ui/) first",
        cli.display()
    );
    cli
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("the Tauri CLI runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn sign(cli: &Path, key: &Path, file: &Path) -> String {
    run(Command::new(cli)
        .args(["signer", "sign", "-f"])
        .arg(key)
        .arg(file)
        .env("TAURI_SIGNING_PRIVATE_KEY_PASSWORD", "")
        .env_remove("TAURI_SIGNING_PRIVATE_KEY"));
    let sig = PathBuf::from(format!("{}.sig", file.display()));
    std::fs::read_to_string(sig).unwrap()
}

fn keys() -> Keys {
    let cli = tauri_cli();
    let dir = tempfile::tempdir().unwrap();
    for name in ["release.key", "other.key"] {
        run(Command::new(&cli)
            .args(["signer", "generate", "--ci", "-p", "", "-w"])
            .arg(dir.path().join(name)));
    }
    let artifact = dir.path().join("update.bin");
    std::fs::write(&artifact, ARTIFACT).unwrap();
    let good = sign(&cli, &dir.path().join("release.key"), &artifact);
    let foreign = sign(&cli, &dir.path().join("other.key"), &artifact);
    let public = std::fs::read_to_string(dir.path().join("release.key.pub")).unwrap();
    Keys {
        _dir: dir,
        public,
        good,
        foreign,
    }
}

/// A loopback HTTP server answering `/latest.json` with whatever the test sets and
/// `/artifact` with the artifact's bytes (or tampered ones).
#[derive(Clone)]
struct Feed {
    url: String,
    latest: Arc<Mutex<(u16, String)>>,
    artifact: Arc<Mutex<Vec<u8>>>,
}

impl Feed {
    async fn start() -> Feed {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let feed = Feed {
            url,
            latest: Arc::new(Mutex::new((404, String::new()))),
            artifact: Arc::new(Mutex::new(ARTIFACT.to_vec())),
        };
        let serving = feed.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let feed = serving.clone();
                tokio::spawn(async move {
                    let mut request = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => request.extend_from_slice(&buf[..n]),
                        }
                    }
                    let line = String::from_utf8_lossy(&request);
                    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
                    let (status, body) = if path.starts_with("/latest.json") {
                        let (status, text) = feed.latest.lock().unwrap().clone();
                        (status, text.into_bytes())
                    } else if path == "/artifact" {
                        (200, feed.artifact.lock().unwrap().clone())
                    } else {
                        (404, b"not found".to_vec())
                    };
                    let head = format!(
                        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = socket.write_all(head.as_bytes()).await;
                    let _ = socket.write_all(&body).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        feed
    }

    fn publish(&self, version: &str, signature: &str) {
        let target = format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH)
            .replace("macos", "darwin");
        let manifest = json!({
            "version": version,
            "notes": "Faster sync.\nA new About page.",
            "pub_date": "2026-11-27T12:00:00Z",
            "platforms": { target: { "signature": signature, "url": format!("{}/artifact", self.url) } }
        });
        *self.latest.lock().unwrap() = (200, manifest.to_string());
    }
}

struct Shell {
    _dir: tempfile::TempDir,
    app: tauri::App<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
}

/// The app as built with the test key and feed: the committed config is untouched; the
/// overlay goes into the mock context's config, as `--config` would at build time.
async fn shell(endpoint: &str, public_key: &str) -> Shell {
    let dir = tempfile::tempdir().unwrap();
    let engine =
        fleetward_core::Engine::start(fleetward_core::testing::config(dir.path().join("data")))
            .await
            .unwrap();
    let mut context = mock_context(noop_assets());
    context.config_mut().plugins.0.insert(
        "updater".into(),
        json!({
            "pubkey": public_key,
            "endpoints": [endpoint],
            "dangerousInsecureTransportProtocol": true
        }),
    );
    let app = mock_builder()
        .invoke_handler(invoke_handler())
        .build(context)
        .unwrap();
    let updates = register_updater(app.handle());
    app.manage(AppState::new(engine, updates, None));
    let window = tauri::WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    Shell {
        _dir: dir,
        app,
        window,
    }
}

fn invoke(shell: &Shell, cmd: &str) -> Result<Value, Value> {
    let window = shell.window.clone();
    let cmd = cmd.to_string();
    // The commands are async and the plugin does blocking-free I/O on Tauri's runtime; the
    // IPC helper blocks, so it runs off the test's runtime thread.
    std::thread::spawn(move || {
        get_ipc_response(
            &window,
            InvokeRequest {
                cmd,
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: APP_ORIGIN.parse().unwrap(),
                body: InvokeBody::Json(json!({})),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        )
        .map(|body| body.deserialize::<Value>().unwrap())
    })
    .join()
    .unwrap()
}

fn message(error: &Value) -> &str {
    error["message"].as_str().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_newer_signed_version_is_found_with_its_notes_and_its_download_verifies() {
    let keys = keys();
    let feed = Feed::start().await;
    feed.publish("0.2.0", &keys.good);
    let shell = shell(&format!("{}/latest.json", feed.url), &keys.public).await;
    let progress = Arc::new(Mutex::new(Vec::<Value>::new()));
    let seen = Arc::clone(&progress);
    shell.app.listen_any("update-progress", move |event| {
        seen.lock()
            .unwrap()
            .push(serde_json::from_str(event.payload()).unwrap());
    });

    let info = invoke(&shell, "app_info").unwrap();
    assert_eq!(info["updates"]["enabled"], true);
    let check = invoke(&shell, "check_for_updates").unwrap();
    assert_eq!(check["currentVersion"], "0.1.0");
    assert_eq!(check["availableVersion"], "0.2.0");
    assert_eq!(check["notes"], "Faster sync.\nA new About page.");
    assert_eq!(check["date"], "2026-11-27");

    let downloaded = invoke(&shell, "download_update").unwrap();
    assert_eq!(downloaded["version"], "0.2.0");
    let progress = progress.lock().unwrap();
    let last = progress.last().expect("download progress was reported");
    assert_eq!(last["downloaded"], ARTIFACT.len());
    assert_eq!(last["total"], ARTIFACT.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn the_same_version_is_no_update() {
    let keys = keys();
    let feed = Feed::start().await;
    feed.publish("0.1.0", &keys.good);
    let shell = shell(&format!("{}/latest.json", feed.url), &keys.public).await;
    let check = invoke(&shell, "check_for_updates").unwrap();
    assert!(check["availableVersion"].is_null());
    let nothing = invoke(&shell, "download_update").unwrap_err();
    assert!(message(&nothing).contains("no update to download"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_tampered_artifact_is_refused_and_nothing_is_kept_to_install() {
    let keys = keys();
    let feed = Feed::start().await;
    feed.publish("0.2.0", &keys.good);
    let mut tampered = ARTIFACT.to_vec();
    tampered[0] ^= 0x20;
    *feed.artifact.lock().unwrap() = tampered;
    let shell = shell(&format!("{}/latest.json", feed.url), &keys.public).await;

    invoke(&shell, "check_for_updates").unwrap();
    let refused = invoke(&shell, "download_update").unwrap_err();
    assert_eq!(refused["kind"], "internal");
    assert!(
        message(&refused).starts_with("Version 0.2.0 was refused: its signature does not match"),
        "{refused}"
    );
    assert!(message(&refused).contains("Nothing was installed"));
    let install = invoke(&shell, "install_update").unwrap_err();
    assert!(message(&install).contains("no verified update to install"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_signature_from_another_key_is_refused() {
    let keys = keys();
    let feed = Feed::start().await;
    feed.publish("0.2.0", &keys.foreign);
    let shell = shell(&format!("{}/latest.json", feed.url), &keys.public).await;

    invoke(&shell, "check_for_updates").unwrap();
    let refused = invoke(&shell, "download_update").unwrap_err();
    assert!(
        message(&refused).contains("signature does not match Fleetward's update key"),
        "{refused}"
    );
    let install = invoke(&shell, "install_update").unwrap_err();
    assert!(message(&install).contains("no verified update to install"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_or_malformed_feed_is_couldnt_check_and_the_app_carries_on() {
    let keys = keys();
    // Nothing listens on a port just freed.
    let closed = {
        let socket = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        socket.local_addr().unwrap()
    };
    let offline = shell(&format!("http://{closed}/latest.json"), &keys.public).await;
    let unreachable = invoke(&offline, "check_for_updates").unwrap_err();
    assert_eq!(unreachable["kind"], "unreachable");
    assert!(message(&unreachable).starts_with("Couldn't check for updates"));
    assert!(invoke(&offline, "app_info").unwrap()["engine"].is_object());

    let feed = Feed::start().await;
    *feed.latest.lock().unwrap() = (200, "<html>maintenance</html>".into());
    let broken = shell(&format!("{}/latest.json", feed.url), &keys.public).await;
    let malformed = invoke(&broken, "check_for_updates").unwrap_err();
    assert_eq!(malformed["kind"], "unreachable");
    assert!(message(&malformed).starts_with("Couldn't check for updates"));
    assert!(invoke(&broken, "companies").unwrap().is_array());
}
