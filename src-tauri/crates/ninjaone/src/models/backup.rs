//! Backup jobs (`/v2/backup/jobs`, ninjaone-api.md §3.4).

use serde::{Deserialize, Serialize};

use super::Extra;

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BackupJob {
    pub job_id: Option<String>,
    pub job_start_time: Option<f64>,
    pub job_end_time: Option<f64>,
    /// `PROCESSING`, `RUNNING`, `COMPLETED`, `CANCELED`, `FAILED` (free text in the spec).
    pub job_status: Option<String>,
    pub destination: Option<String>,
    pub plan_name: Option<String>,
    pub plan_type: Option<String>,
    pub organization_id: Option<i64>,
    pub location_id: Option<i64>,
    pub device_id: Option<i64>,
    #[serde(flatten)]
    pub extra: Extra,
}
