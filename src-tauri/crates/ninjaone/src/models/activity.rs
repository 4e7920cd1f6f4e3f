//! Activities and alerts (ninjaone-api.md §3.5, §3.6). `status`, `type` and `message` are
//! localised display text: never match on them; use `activityType` and `statusCode`.

use serde::{Deserialize, Serialize};

use super::{ActivityResult, ActivityType, Device, Extra, Priority, Severity};

/// `GET /v2/activities` → newest first.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActivityPage<A = Activity> {
    pub last_activity_id: Option<i64>,
    #[serde(default = "Vec::new")]
    pub activities: Vec<A>,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    pub id: Option<i64>,
    pub activity_time: Option<f64>,
    pub device_id: Option<i64>,
    pub severity: Option<Severity>,
    pub priority: Option<Priority>,
    pub series_uid: Option<String>,
    pub activity_type: Option<ActivityType>,
    /// One of ~677 codes (TRIGGERED, RESET, NINJA_BACKUP_BACKUPJOB_COMPLETED, …), kept as text
    /// because the list grows with every NinjaOne release.
    pub status_code: Option<String>,
    pub status: Option<String>,
    pub activity_result: Option<ActivityResult>,
    pub source_config_uid: Option<String>,
    pub source_name: Option<String>,
    pub subject: Option<String>,
    pub user_id: Option<i64>,
    pub message: Option<String>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub data: Option<serde_json::Value>,
    /// Present in webhook payloads when `expand` includes `device`.
    pub device: Option<Box<Device>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// An active alert (`GET /v2/alerts`, a bare array).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    /// Equals the `seriesUid` of the TRIGGERED activity.
    pub uid: Option<String>,
    pub device_id: Option<i64>,
    pub message: Option<String>,
    pub create_time: Option<f64>,
    pub update_time: Option<f64>,
    pub source_type: Option<String>,
    pub source_config_uid: Option<String>,
    pub source_name: Option<String>,
    pub subject: Option<String>,
    pub user_id: Option<i64>,
    pub psa_ticket_id: Option<serde_json::Value>,
    pub ticket_template_id: Option<i64>,
    pub data: Option<serde_json::Value>,
    pub device: Option<Box<Device>>,
    pub priority: Option<Priority>,
    pub severity: Option<Severity>,
    pub condition_name: Option<String>,
    pub condition_health_status: Option<String>,
    pub use_global_health_status: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}
