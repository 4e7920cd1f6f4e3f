//! Incidents from NinjaOne alerts (SPEC §7): NinjaOne's activity stream, by polling or by
//! the local webhook receiver, turned into a short list of incidents a technician can act
//! on — one per problem, closing itself when NinjaOne says the condition reset.
//!
//! `grouping` and `rules` are the pure rules; `payload` reads what a webhook sends; `ingest`
//! places activities (organization, company, asset) and writes them through `store/`;
//! `polling` is the orchestrator of polls (runs, watermark, seeding and reconciliation
//! against `/v2/alerts`).

pub mod grouping;
pub mod handling;
pub mod ingest;
pub mod payload;
pub mod polling;
pub mod rules;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ids::{AssetId, CompanyId, ConnectionId, NinjaOrgId, RunId};
use crate::sync::RunStatus;

pub use rules::{AlertRule, Decision, RuleMatch};

/// An incident's id in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[ts(export, type = "number")]
pub struct IncidentId(pub i64);

impl std::fmt::Display for IncidentId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum IncidentStatus {
    Open,
    Resolved,
}

impl IncidentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            IncidentStatus::Open => "open",
            IncidentStatus::Resolved => "resolved",
        }
    }

    pub fn parse(text: &str) -> Option<IncidentStatus> {
        [IncidentStatus::Open, IncidentStatus::Resolved]
            .into_iter()
            .find(|s| s.as_str() == text)
    }
}

/// Fleetward's incident severity, least to most severe (so `>=` means "at least").
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS,
)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum IncidentSeverity {
    #[default]
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl IncidentSeverity {
    pub const ALL: [IncidentSeverity; 5] = [
        IncidentSeverity::Info,
        IncidentSeverity::Low,
        IncidentSeverity::Medium,
        IncidentSeverity::High,
        IncidentSeverity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            IncidentSeverity::Info => "info",
            IncidentSeverity::Low => "low",
            IncidentSeverity::Medium => "medium",
            IncidentSeverity::High => "high",
            IncidentSeverity::Critical => "critical",
        }
    }

    pub fn parse(text: &str) -> Option<IncidentSeverity> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }

    /// High and critical incidents put the tray into "attention".
    pub fn needs_attention(self) -> bool {
        self >= IncidentSeverity::High
    }
}

/// How an incident was resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Resolution {
    /// NinjaOne sent RESET for the series.
    Reset,
    /// The action set completed.
    Completed,
    /// A technician resolved it by hand.
    Manual,
    /// It was no longer among NinjaOne's active alerts (its RESET was missed).
    Reconciled,
}

impl Resolution {
    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::Reset => "reset",
            Resolution::Completed => "completed",
            Resolution::Manual => "manual",
            Resolution::Reconciled => "reconciled",
        }
    }

    pub fn parse(text: &str) -> Option<Resolution> {
        [
            Resolution::Reset,
            Resolution::Completed,
            Resolution::Manual,
            Resolution::Reconciled,
        ]
        .into_iter()
        .find(|r| r.as_str() == text)
    }
}

/// What an alert rule does with a matching event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum RuleAction {
    /// A native notification (for incidents at or above the chosen severity).
    Notify,
    /// A ticket in the local queue (for incidents of a mapped company).
    Ticket,
    /// No incident at all.
    Ignore,
}

/// Which incidents a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum StatusFilter {
    Open,
    Resolved,
    All,
}

/// One incident, with everything the Incidents screen shows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Incident {
    pub id: IncidentId,
    pub key: String,
    pub connection_id: Option<ConnectionId>,
    pub status: IncidentStatus,
    pub severity: IncidentSeverity,
    /// TRIGGERED activities seen (repeats included).
    pub count: u32,
    pub title: String,
    pub first_seen: DateTime<Utc>,
    pub last_seen: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: Option<Resolution>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub company_id: Option<CompanyId>,
    pub company_name: Option<String>,
    pub org_id: Option<NinjaOrgId>,
    #[ts(type = "number | null")]
    pub device_id: Option<i64>,
    pub device_name: Option<String>,
    pub device_class: Option<String>,
    /// The synced asset of the device, when there is one.
    pub asset_id: Option<AssetId>,
    pub activity_type: Option<String>,
    pub status_code: Option<String>,
    pub source_name: Option<String>,
    pub ninja_severity: Option<String>,
    pub ninja_priority: Option<String>,
    pub actions: Vec<RuleAction>,
}

/// An activity as it was received, for the alert rules' "what would this match" preview.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct EventSummary {
    #[ts(type = "number")]
    pub activity_id: i64,
    pub connection_id: Option<ConnectionId>,
    pub received_at: Option<DateTime<Utc>>,
    pub activity_type: String,
    pub status_code: String,
    pub severity: Option<String>,
    pub priority: Option<String>,
    pub source_name: Option<String>,
    pub org_id: Option<NinjaOrgId>,
    pub device_class: Option<String>,
    pub title: String,
    /// What became of it: applied, ignored, informational, unmapped, ignoredOrganization,
    /// unplaced (no device, or a device NinjaOne does not place in an organization).
    pub outcome: String,
}

/// A row of the rule preview: a recent event and what the rules would do with it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RulePreviewRow {
    pub event: EventSummary,
    pub decision: Decision,
}

/// What one batch of activities did (a webhook delivery, `webhook ingest`, one poll).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct IngestCounts {
    /// Activities in the batch.
    pub received: u32,
    /// Already processed (same activity id): nothing changed.
    pub duplicates: u32,
    pub opened: u32,
    pub reopened: u32,
    /// Repeat TRIGGERED while open: counted, nobody notified.
    pub repeated: u32,
    pub resolved: u32,
    /// Matched a rule that ignores them.
    pub ignored: u32,
    /// Activities that are not about an incident (a backup finished, a device created…).
    pub informational: u32,
    /// Of organizations that are not mapped to a company (pending, or unknown).
    pub dropped_unmapped: u32,
    /// Of organizations the technician chose to ignore.
    pub dropped_ignored: u32,
    /// Whose device could not be placed in any organization (kept for a later poll).
    pub unplaced: u32,
    /// Tickets opened in the local queue.
    pub tickets: u32,
}

impl IngestCounts {
    pub fn add(&mut self, o: &IngestCounts) {
        self.received += o.received;
        self.duplicates += o.duplicates;
        self.opened += o.opened;
        self.reopened += o.reopened;
        self.repeated += o.repeated;
        self.resolved += o.resolved;
        self.ignored += o.ignored;
        self.informational += o.informational;
        self.dropped_unmapped += o.dropped_unmapped;
        self.dropped_ignored += o.dropped_ignored;
        self.unplaced += o.unplaced;
        self.tickets += o.tickets;
    }
}

/// `webhook ingest` and the receiver's work: the counts and the incidents touched.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct IngestReport {
    #[serde(flatten)]
    #[ts(flatten)]
    pub counts: IngestCounts,
    pub incidents: Vec<IncidentId>,
}

/// One connection's part of a poll.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectionPoll {
    pub connection_id: ConnectionId,
    /// The first poll sets the watermark and seeds open incidents from `/v2/alerts`
    /// instead of replaying history.
    pub first_poll: bool,
    /// The newest activity id seen (the next poll asks for newer ones).
    #[ts(type = "number | null")]
    pub watermark: Option<i64>,
    #[serde(flatten)]
    #[ts(flatten)]
    pub counts: IngestCounts,
    /// Incidents opened from `/v2/alerts` (first poll, or a missed TRIGGERED).
    pub seeded: u32,
    /// Incidents resolved because their alert is no longer active (a missed RESET).
    pub reconciled: u32,
    pub error: Option<String>,
    /// The kind of `error` (the CLI's exit code when every connection failed the same way).
    #[serde(skip)]
    #[ts(skip)]
    pub error_kind: Option<crate::ErrorKind>,
}

/// `activities poll`, and the poll in the run history.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PollRun {
    pub run_id: RunId,
    pub status: RunStatus,
    #[ts(type = "number")]
    pub requests: u64,
    pub connections: Vec<ConnectionPoll>,
    /// When every failed connection failed the same way: that kind.
    #[serde(skip)]
    #[ts(skip)]
    pub failure_kind: Option<crate::ErrorKind>,
}

/// The open incidents' weight, for the tray ("attention" while a high or critical one is
/// open) and the sidebar badge.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct IncidentTally {
    pub open: u32,
    pub open_high_or_critical: u32,
    pub attention: bool,
}

/// Settings of incidents: polling and notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct IncidentSettings {
    /// Seconds between polls of `/v2/activities` (SPEC §7: 2 minutes by default).
    pub poll_every_secs: u32,
    /// New and reopened incidents at or above this severity notify.
    pub notify_at: IncidentSeverity,
}

impl Default for IncidentSettings {
    fn default() -> Self {
        IncidentSettings {
            poll_every_secs: polling::DEFAULT_POLL_EVERY_SECS,
            notify_at: IncidentSeverity::High,
        }
    }
}

/// Settings of the local webhook receiver (never the secret itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WebhookSettings {
    /// Off by default (SPEC §7): polling needs no inbound network.
    pub enabled: bool,
    /// 127.0.0.1 unless the technician chooses another address.
    pub bind: String,
    pub port: u16,
    /// Whether every request must carry a valid `X-Fleetward-Signature`.
    pub require_signature: bool,
    /// Whether a secret has been generated (it is shown only once).
    #[serde(default)]
    pub secret_set: bool,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        WebhookSettings {
            enabled: false,
            bind: "127.0.0.1".into(),
            port: 8787,
            require_signature: false,
            secret_set: false,
        }
    }
}

/// A freshly generated webhook secret, shown once, with what to configure in NinjaOne or a
/// relay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WebhookSecretShown {
    pub secret: String,
    pub url: String,
    pub header_name: String,
    pub header_value: String,
}

/// A new or reopened incident, as the event channel announces it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct IncidentNotice {
    pub id: IncidentId,
    pub title: String,
    pub severity: IncidentSeverity,
    pub reopened: bool,
    pub company_name: Option<String>,
    pub device_name: Option<String>,
}
