//! Forwards the engine's event channel to the window (as `engine-event`), to OS
//! notifications through the engine's rate-limit gate, and to the tray icon's state.

use std::time::Duration;

use fleetward_core::notifications::{Notification, NotificationGate};
use fleetward_core::{EngineEvent, NoticeSeverity};
use tauri::{AppHandle, Emitter};
use tauri_plugin_notification::NotificationExt;
use tokio::sync::broadcast::{error::RecvError, Receiver};

use crate::tray::{self, TrayState};

/// The event name the UI listens to.
pub const ENGINE_EVENT: &str = "engine-event";

/// How often held-back notifications are checked for a summary.
const FLUSH_EVERY: Duration = Duration::from_secs(15);

pub fn forward(app: AppHandle, mut events: Receiver<EngineEvent>) {
    tauri::async_runtime::spawn(async move {
        let mut gate = NotificationGate::default();
        let mut flush = tokio::time::interval(FLUSH_EVERY);
        loop {
            tokio::select! {
                received = events.recv() => match received {
                    Ok(event) => {
                        if let Err(err) = app.emit(ENGINE_EVENT, &event) {
                            tracing::warn!(error = %err, "could not forward an engine event to the window");
                        }
                        if let EngineEvent::Notice { severity: NoticeSeverity::Error, .. } = event {
                            tray::set_state(&app, TrayState::Attention);
                        }
                        let now = chrono::Utc::now();
                        if let Some(summary) = gate.flush(now) {
                            notify(&app, &summary);
                        }
                        if let Some(notification) = gate.offer(&event, now) {
                            notify(&app, &notification);
                        }
                    }
                    // A slow window missed intermediate events; later ones still arrive.
                    Err(RecvError::Lagged(missed)) => tracing::debug!(missed, "event forwarder lagged"),
                    Err(RecvError::Closed) => break,
                },
                _ = flush.tick() => {
                    if let Some(summary) = gate.flush(chrono::Utc::now()) {
                        notify(&app, &summary);
                    }
                }
            }
        }
    });
}

pub fn notify(app: &AppHandle, notification: &Notification) {
    // On desktop the plugin spawns the OS call and drops its error (tauri-facts.md §3.2), so
    // a failure here only means no notification daemon; nothing to recover.
    if let Err(err) = app
        .notification()
        .builder()
        .title(&notification.title)
        .body(&notification.body)
        .show()
    {
        tracing::warn!(error = %err, "could not show a notification");
    }
}
