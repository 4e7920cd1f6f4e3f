//! The engine's one event channel (SPEC §1). Run progress, finished runs, new incidents and
//! changed signals all travel through it; the shell forwards every event to the UI and to
//! notifications, and the CLI prints them as progress. Later capabilities add variants here
//! rather than opening side channels.

use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum NoticeSeverity {
    Info,
    Warning,
    Error,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
#[ts(export)]
pub enum EngineEvent {
    /// The scheduled runs were paused or resumed (tray menu or Settings).
    SchedulesChanged { paused: bool },
    /// Something a technician should read, with what to do next.
    Notice {
        severity: NoticeSeverity,
        title: String,
        message: String,
    },
}
