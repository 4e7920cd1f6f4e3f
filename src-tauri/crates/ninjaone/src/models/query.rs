//! Rows of the `/v2/queries/*` reports (ninjaone-api.md §3.3) and their cursor envelope.

use serde::{Deserialize, Serialize};

use super::{
    BitLockerConversionStatus, BitLockerProtectionStatus, Extra, HealthStatus, PatchSeverity,
    PatchStatus, SoftwarePatchImpact,
};

/// `{"cursor": {...}, "results": [...]}`: the envelope of every query report and of
/// `/v2/backup/jobs`. The cursor may be absent or null.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CursorPage<T> {
    #[serde(default)]
    pub cursor: Option<Cursor>,
    #[serde(default = "Vec::new")]
    pub results: Vec<T>,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cursor {
    pub name: Option<String>,
    pub offset: Option<i64>,
    pub count: Option<i64>,
    pub expires: Option<f64>,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BitLockerStatus {
    pub conversion_status: Option<BitLockerConversionStatus>,
    pub encryption_method: Option<String>,
    pub protection_status: Option<BitLockerProtectionStatus>,
    pub lock_status: Option<String>,
    pub initialized_for_protection: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AntivirusStatus {
    pub product_name: Option<String>,
    /// Free text in the spec; `ON` means real-time protection is on.
    pub product_state: Option<String>,
    /// Free text in the spec; `UP_TO_DATE` means current signatures.
    pub definition_status: Option<String>,
    pub version: Option<String>,
    pub device_id: Option<i64>,
    pub timestamp: Option<f64>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A row of `/v2/queries/os-patches` or `/v2/queries/os-patch-installs`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OsPatch {
    pub id: Option<String>,
    pub name: Option<String>,
    pub severity: Option<PatchSeverity>,
    pub status: Option<PatchStatus>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub installed_at: Option<f64>,
    pub kb_number: Option<String>,
    pub device_id: Option<i64>,
    pub timestamp: Option<f64>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A row of `/v2/queries/software-patches` or `/v2/queries/software-patch-installs`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SoftwarePatch {
    pub id: Option<String>,
    pub product_identifier: Option<String>,
    pub title: Option<String>,
    pub impact: Option<SoftwarePatchImpact>,
    pub status: Option<PatchStatus>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub installed_at: Option<f64>,
    pub device_id: Option<i64>,
    pub timestamp: Option<f64>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceHealth {
    pub device_id: Option<i64>,
    pub health_status: Option<HealthStatus>,
    pub active_threats_count: Option<i64>,
    pub quarantined_threats_count: Option<i64>,
    pub blocked_threats_count: Option<i64>,
    #[serde(rename = "failedOSPatchesCount")]
    pub failed_os_patches_count: Option<i64>,
    #[serde(rename = "pendingOSPatchesCount")]
    pub pending_os_patches_count: Option<i64>,
    pub failed_software_patches_count: Option<i64>,
    pub pending_software_patches_count: Option<i64>,
    pub alert_count: Option<i64>,
    pub active_job_count: Option<i64>,
    pub pending_reboot_reason: Option<String>,
    pub av_install_status: Option<String>,
    pub offline: Option<bool>,
    pub parent_device_id: Option<i64>,
    pub parent_offline: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A row of `/v2/queries/custom-fields`: `{deviceId, fields: {name: value}}`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomFields {
    pub device_id: Option<i64>,
    pub fields: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A row of `/v2/queries/software`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Software {
    pub name: Option<String>,
    pub publisher: Option<String>,
    pub version: Option<String>,
    /// "YYYY-MM-DD".
    pub install_date: Option<String>,
    pub device_id: Option<i64>,
    pub timestamp: Option<f64>,
    #[serde(flatten)]
    pub extra: Extra,
}
