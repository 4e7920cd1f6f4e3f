//! Forwards the engine's event channel to the window (as `engine-event`), to OS
//! notifications through the engine's rate-limit gate, and to the tray (its icon state and
//! its pause check mark, which follows `SchedulesChanged` whoever paused).

use std::sync::Arc;
use std::time::Duration;

use fleetward_core::notifications::{Notification, NotificationGate};
use fleetward_core::sync::RunStatus;
use fleetward_core::{Engine, EngineEvent, EventChannel, NoticeSeverity};
use tauri::{AppHandle, Emitter};
use tauri_plugin_notification::NotificationExt;
use tokio::sync::broadcast::error::RecvError;

use crate::tray::{self, TrayState};

/// How often held-back notifications are checked for a summary, and held incidents for
/// their notification (due 10 s after the first, `notifications::INCIDENT_HOLD`).
const FLUSH_EVERY: Duration = Duration::from_secs(2);

/// The forwarding task. It stops when this handle is dropped (with the app's state), or when
/// the engine's channel closes.
pub struct EventForwarder {
    task: tauri::async_runtime::JoinHandle<()>,
}

impl Drop for EventForwarder {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub fn forward(app: AppHandle, engine: &Arc<Engine>) -> EventForwarder {
    let mut events = engine.subscribe();
    let clock = engine.clock();
    let engine = engine.clone();
    let task = tauri::async_runtime::spawn(async move {
        let mut gate = NotificationGate::default();
        let mut look = TrayLook::default();
        // Incidents left open by the last session put the tray into attention at once.
        if let Ok(tally) = engine.incident_tally().await {
            if let Some(state) = look.follow(&EngineEvent::IncidentsChanged { tally }) {
                tray::set_state(&app, state);
            }
        }
        drop(engine);
        let mut flush = tokio::time::interval(FLUSH_EVERY);
        loop {
            tokio::select! {
                received = events.recv() => match received {
                    Ok(event) => {
                        if let Err(err) = app.emit(EventChannel::EngineEvent.name(), &event) {
                            tracing::warn!(error = %err, "could not forward an engine event to the window");
                        }
                        if let EngineEvent::SchedulesChanged { paused } = &event {
                            tray::show_paused(&app, *paused);
                        }
                        if let Some(state) = look.follow(&event) {
                            tray::set_state(&app, state);
                        }
                        let now = clock.now();
                        for summary in gate.flush(now) {
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
                    for summary in gate.flush(clock.now()) {
                        notify(&app, &summary);
                    }
                }
            }
        }
    });
    EventForwarder { task }
}

/// What the tray icon shows, from the events seen so far: attention while a high or critical
/// incident is open (from `IncidentsChanged`'s tally) or after a failed sync or an error
/// notice, syncing while any sync runs, ok otherwise.
#[derive(Debug, Default)]
struct TrayLook {
    /// The syncs under way (several companies can sync at once).
    syncing: std::collections::BTreeSet<fleetward_core::ids::RunId>,
    failed: bool,
    incidents: bool,
}

impl TrayLook {
    /// The new icon state when `event` changes it.
    fn follow(&mut self, event: &EngineEvent) -> Option<TrayState> {
        match event {
            EngineEvent::Notice {
                severity: NoticeSeverity::Error,
                ..
            } => self.failed = true,
            EngineEvent::SyncProgress {
                run_id: Some(run), ..
            } => {
                self.syncing.insert(*run);
            }
            EngineEvent::SyncFinished { run_id, status } => {
                self.syncing.remove(run_id);
                // A cancelled sync is what the user asked for, not a failure.
                match status {
                    RunStatus::Succeeded => self.failed = false,
                    RunStatus::Partial | RunStatus::Failed => self.failed = true,
                    RunStatus::Cancelled | RunStatus::Running => {}
                }
            }
            EngineEvent::IncidentsChanged { tally } => self.incidents = tally.attention,
            _ => return None,
        }
        Some(self.state())
    }

    fn state(&self) -> TrayState {
        if self.incidents {
            TrayState::Attention
        } else if !self.syncing.is_empty() {
            TrayState::Syncing
        } else if self.failed {
            TrayState::Attention
        } else {
            TrayState::Ok
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use fleetward_core::ids::RunId;
    use fleetward_core::incidents::IncidentTally;

    fn progress(run: i64) -> EngineEvent {
        EngineEvent::SyncProgress {
            run_id: Some(RunId(run)),
            scope: "all".into(),
            company: None,
            pages: 1,
            devices: 10,
            organizations_done: 0,
            organizations_total: 2,
        }
    }

    fn finished(run: i64, status: RunStatus) -> EngineEvent {
        EngineEvent::SyncFinished {
            run_id: RunId(run),
            status,
        }
    }

    fn incidents(attention: bool) -> EngineEvent {
        EngineEvent::IncidentsChanged {
            tally: IncidentTally {
                attention,
                ..IncidentTally::default()
            },
        }
    }

    #[test]
    fn the_tray_syncs_while_any_sync_runs_and_a_failure_asks_for_attention() {
        let mut look = TrayLook::default();
        assert_eq!(look.follow(&progress(1)), Some(TrayState::Syncing));
        assert_eq!(look.follow(&progress(2)), Some(TrayState::Syncing));
        assert_eq!(
            look.follow(&finished(1, RunStatus::Succeeded)),
            Some(TrayState::Syncing),
            "the other company still syncs"
        );
        assert_eq!(
            look.follow(&finished(2, RunStatus::Partial)),
            Some(TrayState::Attention)
        );
        assert_eq!(
            look.follow(&finished(3, RunStatus::Succeeded)),
            Some(TrayState::Ok),
            "a good sync clears it"
        );
        look.follow(&progress(4));
        assert_eq!(
            look.follow(&finished(4, RunStatus::Cancelled)),
            Some(TrayState::Ok),
            "a cancel is not a failure"
        );
    }

    #[test]
    fn open_high_incidents_win_over_everything_and_a_preview_changes_nothing() {
        let mut look = TrayLook::default();
        assert_eq!(look.follow(&incidents(true)), Some(TrayState::Attention));
        assert_eq!(look.follow(&progress(1)), Some(TrayState::Attention));
        assert_eq!(look.follow(&incidents(false)), Some(TrayState::Syncing));
        let preview = EngineEvent::SyncProgress {
            run_id: None,
            scope: "company:1".into(),
            company: None,
            pages: 1,
            devices: 1,
            organizations_done: 0,
            organizations_total: 1,
        };
        assert_eq!(look.follow(&preview), None);
        assert_eq!(
            look.follow(&EngineEvent::Waiting {
                message: "throttled".into()
            }),
            None
        );
    }
}
