//! Assets in companies' inventories (SPEC §4): one row per machine per source, never
//! deleted. `retirement` says why one stops counting; `import` reads other sources' files.

pub mod import;
pub mod importing;
pub mod retirement;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use retirement::RetiredReason;

use crate::ids::{AssetId, CompanyId, ConnectionId, NinjaOrgId, RunId};

/// Where an asset came from. Order is dedup precedence (SPEC §4): NinjaOne wins over Level,
/// Level over Intune, Intune over Entra.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum AssetSource {
    Ninjaone,
    Level,
    Intune,
    Entra,
}

impl AssetSource {
    pub const ALL: [AssetSource; 4] = [
        AssetSource::Ninjaone,
        AssetSource::Level,
        AssetSource::Intune,
        AssetSource::Entra,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AssetSource::Ninjaone => "ninjaone",
            AssetSource::Level => "level",
            AssetSource::Intune => "intune",
            AssetSource::Entra => "entra",
        }
    }

    pub fn parse(text: &str) -> Option<AssetSource> {
        AssetSource::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum AssetStatus {
    Active,
    /// Gone from its source; kept, shown greyed, active again if it comes back.
    Stale,
    /// No longer counted (its connection was disconnected, or a duplicate of a better copy).
    Retired,
}

impl AssetStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AssetStatus::Active => "active",
            AssetStatus::Stale => "stale",
            AssetStatus::Retired => "retired",
        }
    }

    pub fn parse(text: &str) -> Option<AssetStatus> {
        [
            AssetStatus::Active,
            AssetStatus::Stale,
            AssetStatus::Retired,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }
}

/// One asset as lists show it (`assets list`, SPEC §10, plus what the screens need).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Asset {
    pub id: AssetId,
    pub company_id: CompanyId,
    pub source: AssetSource,
    pub external_id: String,
    pub uid: Option<String>,
    pub name: Option<String>,
    pub serial_number: Option<String>,
    pub node_class: Option<String>,
    pub status: AssetStatus,
    pub retired_reason: Option<String>,
    pub connection_id: Option<ConnectionId>,
    pub org_id: Option<NinjaOrgId>,
    pub first_seen_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One changed field of an asset (SPEC §4: one audit row per changed field, old → new).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct FieldChange {
    pub at: DateTime<Utc>,
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub run_id: Option<RunId>,
}

/// Everything `assets show` and the asset page show: the asset, its curated fields (by
/// name, e.g. `os.name`), and its field history, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AssetDetail {
    pub asset: Asset,
    pub fields: BTreeMap<String, String>,
    pub history: Vec<FieldChange>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_and_statuses_are_stored_by_the_names_they_serialise_to() {
        for source in AssetSource::ALL {
            assert_eq!(serde_json::to_value(source).unwrap(), source.as_str());
            assert_eq!(AssetSource::parse(source.as_str()), Some(source));
        }
        assert!(
            AssetSource::Ninjaone < AssetSource::Entra,
            "precedence order"
        );
        assert_eq!(AssetStatus::parse("stale"), Some(AssetStatus::Stale));
        assert_eq!(AssetStatus::parse("gone"), None);
    }
}

/// A line of an import file that was not imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportLineError {
    /// The file's line (the CSV header is line 1).
    pub line: u32,
    pub message: String,
}

/// What `assets import` did: good rows are kept, bad ones reported by line (SPEC §4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ImportReport {
    pub source: AssetSource,
    /// Rows written (created or updated).
    pub imported: u32,
    pub created: u32,
    pub updated: u32,
    /// Assets retired as duplicates of better copies after the import.
    pub retired_duplicates: u32,
    pub errors: Vec<ImportLineError>,
}
