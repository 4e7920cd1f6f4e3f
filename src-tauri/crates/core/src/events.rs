//! The engine's one event channel (SPEC §1). Run progress, finished runs, new incidents and
//! changed signals all travel through it; the shell forwards every event to the UI and to
//! notifications, and the CLI prints them as progress. Later capabilities add variants here
//! rather than opening side channels.

use serde::Serialize;
use ts_rs::TS;

/// The names of the events the shell emits to the window, so that TypeScript gets them
/// generated, not hand-copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub enum EventChannel {
    /// Carries every [`EngineEvent`].
    #[serde(rename = "engine-event")]
    EngineEvent,
    /// Asks the UI to open a screen (payload: the route, e.g. "/connection").
    #[serde(rename = "navigate")]
    Navigate,
}

impl EventChannel {
    pub const ALL: [EventChannel; 2] = [EventChannel::EngineEvent, EventChannel::Navigate];

    pub fn name(self) -> &'static str {
        match self {
            EventChannel::EngineEvent => "engine-event",
            EventChannel::Navigate => "navigate",
        }
    }
}

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
    /// Work is waiting on NinjaOne, and why ("NinjaOne asked to wait 30 s …, attempt 2 of 6").
    Waiting { message: String },
    /// An asset sync is under way: devices read so far, organizations written of how many.
    /// `runId` is absent for a preview.
    SyncProgress {
        run_id: Option<crate::ids::RunId>,
        /// What the run covers, as its record names it (`all`, `company:7`): a company page
        /// follows only its own run.
        scope: String,
        /// The company written last (`None` until the first is written).
        company: Option<crate::ids::CompanyId>,
        /// Pages read from NinjaOne so far (one request each).
        #[ts(type = "number")]
        pages: u64,
        #[ts(type = "number")]
        devices: u64,
        organizations_done: u32,
        organizations_total: u32,
    },
    /// An asset sync finished (its details are in the run).
    SyncFinished {
        run_id: crate::ids::RunId,
        status: crate::sync::RunStatus,
    },
    /// A compliance sweep is under way: tenants written of how many.
    SweepProgress {
        run_id: crate::ids::RunId,
        companies_done: u32,
        companies_total: u32,
        /// Pages read from NinjaOne so far (one request each); they move while the reports
        /// are read, before any company is written.
        #[ts(type = "number")]
        pages: u64,
    },
    /// A compliance sweep finished (its details are in the run).
    SweepFinished {
        run_id: crate::ids::RunId,
        status: crate::sync::RunStatus,
    },
    /// A company's signal turned `fail` (it was not `fail` at the previous sweep), for the
    /// rate-limited notification gate. Aggregate numbers only.
    SignalFailed {
        company_id: crate::ids::CompanyId,
        company_name: String,
        compliance_tenant_id: crate::ids::ComplianceTenantId,
        signal: crate::compliance::SignalKind,
        summary: String,
    },
    /// A poll of NinjaOne's activities finished (its details are in the run).
    PollFinished {
        run_id: crate::ids::RunId,
        status: crate::sync::RunStatus,
    },
    /// A new or reopened incident at or above the chosen severity whose rule notifies
    /// (repeats of an open incident never raise one).
    IncidentRaised {
        incident: crate::incidents::IncidentNotice,
    },
    /// Incidents changed; the tray shows "attention" while a high or critical one is open.
    IncidentsChanged {
        tally: crate::incidents::IncidentTally,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channel_names_serialise_to_what_the_shell_emits() {
        for channel in EventChannel::ALL {
            assert_eq!(
                serde_json::to_value(channel).unwrap(),
                serde_json::json!(channel.name())
            );
        }
    }
}
