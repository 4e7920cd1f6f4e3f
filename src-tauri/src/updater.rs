//! Self-update through `tauri-plugin-updater`, but only when this build is configured for it.
//! The plugin refuses to initialise without `plugins.updater.pubkey`
//! (tauri-facts.md §3.3), and a development build has no signing key, so the plugin is
//! registered only when the configuration is complete and Settings says otherwise.

use fleetward_core::{ErrorKind, ErrorReport};
use tauri::{AppHandle, Runtime};
use tauri_plugin_updater::UpdaterExt;

use crate::{UpdateCheck, UpdatesStatus};

pub fn register(app: &AppHandle) -> UpdatesStatus {
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

pub async fn check<R: Runtime>(app: &AppHandle<R>) -> Result<UpdateCheck, ErrorReport> {
    let unreachable = |err: tauri_plugin_updater::Error| {
        ErrorReport::new(
            ErrorKind::Unreachable,
            format!(
                "Could not check for updates: {err}. Check your internet connection and try again."
            ),
        )
    };
    let update = app
        .updater()
        .map_err(unreachable)?
        .check()
        .await
        .map_err(unreachable)?;
    Ok(UpdateCheck {
        available_version: update.map(|u| u.version),
    })
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
