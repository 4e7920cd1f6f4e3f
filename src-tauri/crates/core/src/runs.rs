//! Runs as the history shows them (SPEC §4, §10 `runs list`): syncs and sweeps now, polls
//! with their capability.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::compliance::sweep::SweepCounts;
use crate::engine::Trigger;
use crate::ids::RunId;
use crate::sync::{RunStatus, SyncCounts};

/// How long run details are kept (SPEC §4: 90 days); the audit trail is never pruned.
pub const RETENTION_DAYS: i64 = 90;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum RunKind {
    Sync,
    Sweep,
    Poll,
    Discovery,
}

impl RunKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RunKind::Sync => "sync",
            RunKind::Sweep => "sweep",
            RunKind::Poll => "poll",
            RunKind::Discovery => "discovery",
        }
    }

    pub fn parse(text: &str) -> Option<RunKind> {
        [
            RunKind::Sync,
            RunKind::Sweep,
            RunKind::Poll,
            RunKind::Discovery,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// One row of `runs list` and the Sync history screen.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RunRow {
    pub id: RunId,
    pub kind: RunKind,
    pub trigger: Trigger,
    pub scope: String,
    pub status: RunStatus,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    #[ts(type = "number")]
    pub requests: u64,
    pub truncated_any: bool,
    /// For syncs: the totals over the run's mappings.
    pub counts: Option<SyncCounts>,
    /// For sweeps: companies swept, what was written, and requests per report.
    pub sweep: Option<SweepCounts>,
    /// What went wrong, each with what to do.
    pub errors: Vec<String>,
}
