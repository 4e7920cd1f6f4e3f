//! Asset sync (SPEC §4): every mapped organization's devices become its company's assets,
//! matched by device `uid`, upserted and never deleted, one transaction per company.
//!
//! A provider driver (`ninjaone`) fetches and maps; `plan` decides, without I/O, what a fetch
//! means for the stored assets; `run` is the one orchestrator that owns scope, single flight
//! (`flight`), run records, audit, progress and per-company atomic writes. A second provider
//! is a new driver file, not a change to the orchestrator.

pub mod dedup;
pub mod fields;
pub mod flight;
pub mod ninjaone;
pub mod plan;
pub mod run;

use std::collections::BTreeMap;
use std::future::Future;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::assets::AssetSource;
use crate::ids::{CompanyId, ConnectionId, NinjaLocationId, NinjaOrgId, RunId};
use crate::Result;

/// One mapping to sync: a NinjaOne organization of a connection, into its company.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncTarget {
    pub connection: ConnectionId,
    pub org: NinjaOrgId,
    pub company: CompanyId,
    /// When non-empty, only devices of these locations sync.
    pub locations: Vec<NinjaLocationId>,
    /// Also network and non-agent devices (SPEC §4).
    pub include_non_agent: bool,
    /// Devices NinjaOne counted for the organization at the last discovery (0: unknown),
    /// to size fetch batches.
    pub expected_devices: u32,
    /// Which optional groups, custom fields and software the mapping keeps.
    pub fields: fields::FieldChoice,
}

/// One device mapped to what an asset stores. `fields` holds the curated fields by name
/// (`identity.systemName`, `os.name`, …); a change of any of them is one audit row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetDraft {
    /// Device `uid`, or the device id when NinjaOne sent no uid.
    pub external_id: String,
    pub uid: Option<String>,
    pub name: Option<String>,
    pub serial_number: Option<String>,
    pub mac_addresses: Vec<String>,
    pub node_class: Option<String>,
    pub fields: Fields,
    /// NinjaOne sent fields of this device that could not be read: an update keeps the
    /// stored values the draft lacks instead of dropping them.
    pub partly_read: bool,
}

/// A draft's fields as the store keeps them: one JSON object in name order. Equal fields are
/// equal text, so an unchanged device is found without parsing, and a draft costs one string
/// in memory instead of a map of dozens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fields(String);

impl Fields {
    pub fn from_map(map: &BTreeMap<String, String>) -> Fields {
        Fields(serde_json::to_string(map).unwrap_or_else(|_| "{}".into()))
    }

    /// Fields as stored (text the store wrote with [`Fields::from_map`]).
    pub fn from_json(json: String) -> Fields {
        Fields(json)
    }

    pub fn json(&self) -> &str {
        &self.0
    }

    pub fn to_map(&self) -> BTreeMap<String, String> {
        serde_json::from_str(&self.0).unwrap_or_default()
    }
}

/// What a driver brought for one target.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TargetFetch {
    pub drafts: Vec<AssetDraft>,
    pub skipped_pending: u32,
    pub skipped_rejected: u32,
    /// More devices than the per-organization cap: only the first ones (by id) came.
    pub truncated: bool,
    /// Devices NinjaOne sent for this target that could not be read whole (SPEC §11).
    pub unreadable: u32,
    /// A device NinjaOne sent could not be identified (its id or uid did not read), so
    /// absence proves nothing: nothing is marked stale, as with `truncated`.
    pub incomplete: bool,
    /// Assets, by external id, whose device NinjaOne sent but whose approval, class or
    /// location did not read: left exactly as they are.
    pub held: Vec<String>,
}

/// A provider: fetches the devices of many targets at once and maps them to drafts.
pub trait Driver: Send + Sync {
    fn source(&self) -> AssetSource;

    /// Fetches every target of one connection; `progress` is told the devices read so far.
    fn fetch(
        &self,
        targets: &[SyncTarget],
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> impl Future<Output = Result<BTreeMap<(ConnectionId, NinjaOrgId), TargetFetch>>> + Send;

    /// HTTP requests made so far, for the run record.
    fn requests(&self) -> u64;

    /// Items the provider sent that did not parse (skipped, counted).
    fn malformed_items(&self) -> u64;
}

/// Counts of one mapping's sync (SPEC §10 `sync` output).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SyncCounts {
    pub created: u32,
    pub updated: u32,
    pub unchanged: u32,
    pub stale: u32,
    pub retired_duplicates: u32,
    pub skipped_pending: u32,
    pub skipped_rejected: u32,
    /// Devices NinjaOne sent that could not be read whole: their assets were kept as they
    /// were, and updated only with what could be read. Any makes the run `partial`.
    #[serde(default)]
    pub unreadable: u32,
}

impl SyncCounts {
    pub fn add(&mut self, other: &SyncCounts) {
        self.created += other.created;
        self.updated += other.updated;
        self.unchanged += other.unchanged;
        self.stale += other.stale;
        self.retired_duplicates += other.retired_duplicates;
        self.skipped_pending += other.skipped_pending;
        self.skipped_rejected += other.skipped_rejected;
        self.unreadable += other.unreadable;
    }
}

/// One mapping's part of a run.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct CompanySync {
    pub company_id: CompanyId,
    pub connection_id: ConnectionId,
    pub org_id: NinjaOrgId,
    #[serde(flatten)]
    #[ts(flatten)]
    pub counts: SyncCounts,
    pub truncated: bool,
    /// What went wrong for this mapping, with what to do; the others went on.
    pub error: Option<String>,
    /// The kind of `error`, so a run whose mappings all failed the same way can say why
    /// (the CLI's exit code).
    #[serde(skip)]
    #[ts(skip)]
    pub error_kind: Option<crate::ErrorKind>,
    /// Left alone because another process is syncing this mapping: not a failure.
    #[serde(skip)]
    #[ts(skip)]
    pub busy: bool,
}

impl CompanySync {
    /// Whether this mapping counts against the run: busy mappings were left to their holder.
    pub fn failed(&self) -> bool {
        self.error.is_some() && !self.busy
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum RunStatus {
    Running,
    Succeeded,
    /// Some mappings failed, the others were synced; or NinjaOne sent devices that could
    /// not be read whole (`unreadable`), whose assets were kept as they were.
    Partial,
    Failed,
    Cancelled,
}

impl RunStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Running => "running",
            RunStatus::Succeeded => "succeeded",
            RunStatus::Partial => "partial",
            RunStatus::Failed => "failed",
            RunStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<RunStatus> {
        [
            RunStatus::Running,
            RunStatus::Succeeded,
            RunStatus::Partial,
            RunStatus::Failed,
            RunStatus::Cancelled,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    /// The status of a finished run from how many of its mappings failed.
    pub fn of(total: usize, failed: usize) -> RunStatus {
        match failed {
            0 => RunStatus::Succeeded,
            f if f >= total => RunStatus::Failed,
            _ => RunStatus::Partial,
        }
    }

    /// [`RunStatus::of`], made `partial` when a succeeded run left devices unread.
    pub fn with_unreadable(self, unreadable: u32) -> RunStatus {
        match self {
            RunStatus::Succeeded if unreadable > 0 => RunStatus::Partial,
            status => status,
        }
    }
}

/// A sync (or its preview): `sync` prints this (SPEC §10).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SyncRun {
    /// `None` for a preview, which records nothing.
    pub run_id: Option<RunId>,
    pub preview: bool,
    pub status: RunStatus,
    pub truncated_any: bool,
    #[ts(type = "number")]
    pub requests: u64,
    /// Items NinjaOne sent that did not fit the model (skipped, counted).
    #[ts(type = "number")]
    pub malformed_items: u64,
    pub companies: Vec<CompanySync>,
    /// When every failed mapping failed the same way (say, NinjaOne unreachable): that kind.
    #[serde(skip)]
    #[ts(skip)]
    pub failure_kind: Option<crate::ErrorKind>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_fails_only_when_every_mapping_failed() {
        assert_eq!(RunStatus::of(3, 0), RunStatus::Succeeded);
        assert_eq!(RunStatus::of(3, 1), RunStatus::Partial);
        assert_eq!(RunStatus::of(3, 3), RunStatus::Failed);
        assert_eq!(RunStatus::of(0, 0), RunStatus::Succeeded);
    }

    #[test]
    fn a_run_that_left_devices_unread_is_partial_never_better() {
        assert_eq!(RunStatus::of(3, 0).with_unreadable(2), RunStatus::Partial);
        assert_eq!(RunStatus::of(3, 0).with_unreadable(0), RunStatus::Succeeded);
        assert_eq!(RunStatus::of(3, 3).with_unreadable(2), RunStatus::Failed);
    }

    #[test]
    fn company_results_print_their_counts_flat_as_the_cli_contract_says() {
        let row = CompanySync {
            company_id: CompanyId(1),
            connection_id: ConnectionId(2),
            org_id: NinjaOrgId(3),
            counts: SyncCounts {
                created: 4,
                ..SyncCounts::default()
            },
            truncated: false,
            error: None,
            error_kind: None,
            busy: false,
        };
        let json = serde_json::to_value(row).unwrap();
        assert_eq!(json["created"], 4);
        assert_eq!(json["skippedPending"], 0);
        assert_eq!(json["orgId"], 3);
    }
}
