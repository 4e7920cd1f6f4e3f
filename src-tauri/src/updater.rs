//! Self-update through `tauri-plugin-updater`, but only when this build is configured for it.
//! The plugin refuses to initialise without `plugins.updater.pubkey`
//! (tauri-facts.md §3.3), and a development build has no signing key, so the plugin is
//! registered only when the configuration is complete and Settings says otherwise.

use std::sync::Mutex;

use fleetward_core::{ErrorKind, ErrorReport};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_updater::{Update, UpdaterExt};

use crate::{DownloadedUpdate, UpdateCheck, UpdateProgress, UpdatesStatus};

/// Event the shell emits while an update downloads (payload [`UpdateProgress`]).
pub const PROGRESS_EVENT: &str = "update-progress";

/// The update the last check found, and its bytes once downloaded and verified. Only
/// verified bytes are ever kept, so install can only install what the key signed.
#[derive(Default)]
pub struct Pending(Mutex<PendingState>);

#[derive(Default)]
struct PendingState {
    update: Option<Update>,
    verified: Option<Vec<u8>>,
}

impl Pending {
    fn lock(&self) -> std::sync::MutexGuard<'_, PendingState> {
        // A panic while holding the lock leaves plain data behind: keep using it.
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

pub fn register<R: Runtime>(app: &AppHandle<R>) -> UpdatesStatus {
    app.manage(Pending::default());
    let config = app.config().plugins.0.get("updater").cloned();
    let status = match configured_endpoints(config.as_ref()) {
        Err(reason) => off(reason),
        Ok(endpoints) => match app.plugin(tauri_plugin_updater::Builder::new().build()) {
            Ok(()) => UpdatesStatus {
                enabled: true,
                detail: format!("Signed updates from {endpoints} endpoint(s)."),
            },
            Err(err) => off(format!("The update configuration was rejected ({err}). Updates stay off until a corrected build is installed.")),
        },
    };
    tracing::info!(enabled = status.enabled, detail = %status.detail, "updater");
    status
}

fn off(reason: impl Into<String>) -> UpdatesStatus {
    UpdatesStatus {
        enabled: false,
        detail: reason.into(),
    }
}

/// Counts the configured endpoints, or says what is missing.
fn configured_endpoints(config: Option<&serde_json::Value>) -> Result<usize, String> {
    let config = config.ok_or("This build has no update endpoint configured, so it cannot update itself. Install new versions the way your organisation distributes software.")?;
    let pubkey = config.get("pubkey").and_then(|v| v.as_str()).unwrap_or("");
    if pubkey.trim().is_empty() {
        return Err("This build has no update signing key configured, so it cannot verify updates and does not look for them.".into());
    }
    match config.get("endpoints").and_then(|v| v.as_array()) {
        Some(list) if !list.is_empty() => Ok(list.len()),
        _ => Err("This build has no update endpoint configured, so it cannot update itself. Install new versions the way your organisation distributes software.".into()),
    }
}

/// Asks the update server for a newer version; remembers it for download.
pub async fn check<R: Runtime>(app: &AppHandle<R>) -> Result<UpdateCheck, ErrorReport> {
    let couldnt_check = |err: tauri_plugin_updater::Error| {
        tracing::warn!(error = %err, "update check failed");
        ErrorReport::new(
            ErrorKind::Unreachable,
            format!(
                "Couldn't check for updates: {}. Fleetward carries on with this version; check your internet connection and try again later.",
                plain(&err)
            ),
        )
    };
    let update = app
        .updater()
        .map_err(couldnt_check)?
        .check()
        .await
        .map_err(couldnt_check)?;
    let current_version = app.package_info().version.to_string();
    let answer = UpdateCheck {
        current_version,
        available_version: update.as_ref().map(|u| u.version.clone()),
        notes: update.as_ref().and_then(|u| u.body.clone()),
        date: update
            .as_ref()
            .and_then(|u| u.date)
            .map(|d| d.date().to_string()),
    };
    let pending = app.state::<Pending>();
    let mut pending = pending.lock();
    pending.update = update;
    pending.verified = None;
    Ok(answer)
}

/// Downloads the update the last check found, reporting progress, and verifies its
/// signature against the build's update key. Bytes that fail verification are dropped.
pub async fn download<R: Runtime>(app: &AppHandle<R>) -> Result<DownloadedUpdate, ErrorReport> {
    let update = app
        .state::<Pending>()
        .lock()
        .update
        .clone()
        .ok_or_else(|| {
            ErrorReport::new(
                ErrorKind::InvalidInput,
                "There is no update to download. Check for updates first.",
            )
        })?;
    let mut downloaded: u64 = 0;
    let progress = app.clone();
    let bytes = update
        .download(
            |chunk, total| {
                downloaded += chunk as u64;
                let _ = progress.emit(PROGRESS_EVENT, UpdateProgress { downloaded, total });
            },
            || {},
        )
        .await
        .map_err(|err| refused(&update.version, err))?;
    app.state::<Pending>().lock().verified = Some(bytes);
    Ok(DownloadedUpdate {
        version: update.version,
    })
}

/// Installs the downloaded, verified update. The UI relaunches afterwards
/// (`tauri-plugin-process`).
pub fn install<R: Runtime>(app: &AppHandle<R>) -> Result<(), ErrorReport> {
    let (update, bytes) = {
        let pending = app.state::<Pending>();
        let mut pending = pending.lock();
        match (pending.update.clone(), pending.verified.take()) {
            (Some(update), Some(bytes)) => (update, bytes),
            _ => return Err(ErrorReport::new(
                ErrorKind::InvalidInput,
                "There is no verified update to install. Check for updates and download it first.",
            )),
        }
    };
    update.install(bytes).map_err(|err| {
        tracing::error!(error = %err, "update install failed");
        ErrorReport::new(
            ErrorKind::Internal,
            format!(
                "Version {} could not be installed: {}. This version keeps running; install the new version the way your organisation distributes software, or ask your IT team.",
                update.version,
                plain(&err)
            ),
        )
    })
}

/// What a failed download tells the person: a signature that does not verify is a refusal,
/// anything else a failed download. Either way nothing is kept or installed.
fn refused(version: &str, err: tauri_plugin_updater::Error) -> ErrorReport {
    use tauri_plugin_updater::Error as E;
    tracing::warn!(error = %err, "update download refused");
    match err {
        E::Minisign(_) | E::SignatureUtf8(_) | E::Base64(_) => ErrorReport::new(
            ErrorKind::Internal,
            format!(
                "Version {version} was refused: its signature does not match Fleetward's update key, so it may have been altered. Nothing was installed; this version keeps running. Try again later, and tell your IT team if it happens again."
            ),
        ),
        other => ErrorReport::new(
            ErrorKind::Unreachable,
            format!(
                "Version {version} could not be downloaded: {}. Nothing was installed; check your internet connection and try again.",
                plain(&other)
            ),
        ),
    }
}

/// The plugin's message without the backticks some of its errors wrap around themselves.
fn plain(err: &tauri_plugin_updater::Error) -> String {
    err.to_string().trim_matches('`').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn missing_updater_section_turns_updates_off_with_a_reason() {
        assert_eq!(
            configured_endpoints(None).unwrap_err(),
            "This build has no update endpoint configured, so it cannot update itself. Install new versions the way your organisation distributes software."
        );
    }

    #[test]
    fn a_pubkey_and_endpoints_are_both_required() {
        let no_key = json!({"pubkey": "", "endpoints": ["https://u.example/x"]});
        assert!(configured_endpoints(Some(&no_key))
            .unwrap_err()
            .contains("signing key"));
        let no_endpoint = json!({"pubkey": "abc", "endpoints": []});
        assert!(configured_endpoints(Some(&no_endpoint))
            .unwrap_err()
            .contains("endpoint"));
        let full = json!({"pubkey": "abc", "endpoints": ["https://a", "https://b"]});
        assert_eq!(configured_endpoints(Some(&full)).unwrap(), 2);
    }
}
