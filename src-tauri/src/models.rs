//! Types the shell adds to the IPC contract. Generated into `ui/src/bindings/` by ts-rs
//! (`cargo test` writes them; `cargo xtask test` fails when that leaves a diff).

use fleetward_core::connection::{Connection, Region};
use fleetward_core::{EngineStatus, ErrorReport};

use crate::DemoTenant;
use serde::Serialize;
use ts_rs::TS;

/// Whether this build can update itself. Off when no update endpoint and public key are
/// configured (a development or unsigned build); Settings says so instead of offering a
/// button that cannot work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UpdatesStatus {
    pub enabled: bool,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AppInfo {
    pub version: String,
    /// Absent when the engine could not start; `startError` then says why.
    pub engine: Option<EngineStatus>,
    pub start_error: Option<ErrorReport>,
    pub updates: UpdatesStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UpdateCheck {
    /// The running version.
    pub current_version: String,
    /// The newer version on offer, or absent when this one is current.
    pub available_version: Option<String>,
    /// What's new in the offered version (release notes), when the server gives them.
    pub notes: Option<String>,
    /// The offered version's publication date (YYYY-MM-DD), when given.
    pub date: Option<String>,
}

/// Download progress of an update (event `update-progress`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UpdateProgress {
    #[ts(type = "number")]
    pub downloaded: u64,
    /// Absent when the server does not say the size.
    #[ts(type = "number | null")]
    pub total: Option<u64>,
}

/// An update downloaded and verified, ready to install.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DownloadedUpdate {
    pub version: String,
}

/// A region of the picker, with the host it talks to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RegionOption {
    pub code: Region,
    pub label: String,
    pub host: String,
}

/// Everything the Connection screen needs to open.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectionSetup {
    pub regions: Vec<RegionOption>,
    pub connections: Vec<Connection>,
    /// Present in demo mode: the built-in simulator's ready-made tenant.
    pub demo: Option<DemoTenant>,
}

/// Settings → webhook receiver: what is saved, whether it listens, the last events received.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WebhookPanel {
    pub settings: fleetward_core::incidents::WebhookSettings,
    pub receiver: crate::receiver::ReceiverState,
    /// The newest events received, by webhook or by poll, newest first.
    pub recent: Vec<fleetward_core::incidents::EventSummary>,
}
