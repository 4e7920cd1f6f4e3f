//! Types the shell adds to the IPC contract. Generated into `ui/src/bindings/` by ts-rs
//! (`cargo test` writes them; `cargo xtask test` fails when that leaves a diff).

use fleetward_core::{EngineStatus, ErrorReport};
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
    /// `None` when the engine could not start; `start_error` then says why.
    pub engine: Option<EngineStatus>,
    pub start_error: Option<ErrorReport>,
    pub updates: UpdatesStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct UpdateCheck {
    /// The newer version on offer, or `None` when this one is current.
    pub available_version: Option<String>,
}
