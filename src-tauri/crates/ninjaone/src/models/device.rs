//! Devices (ninjaone-api.md §4). One struct serves `/v2/devices` (base fields only) and
//! `/v2/devices-detailed` / `/v2/device/{id}` (plus `references`, `os`, `system`, volumes,
//! network and the per-type extension fields, which land in `extra`).

use serde::{Deserialize, Serialize};

use super::{ApprovalStatus, Extra, Location, MaintenanceStatus, NodeClass, Organization};

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    pub id: Option<i64>,
    pub uid: Option<String>,
    pub assigned_owner_uid: Option<String>,
    pub parent_device_id: Option<i64>,
    pub organization_id: Option<i64>,
    pub location_id: Option<i64>,
    pub node_class: Option<NodeClass>,
    pub node_role_id: Option<i64>,
    pub role_policy_id: Option<i64>,
    pub policy_id: Option<i64>,
    pub approval_status: Option<ApprovalStatus>,
    pub offline: Option<bool>,
    pub display_name: Option<String>,
    pub system_name: Option<String>,
    pub dns_name: Option<String>,
    pub netbios_name: Option<String>,
    /// Epoch seconds.
    pub created: Option<f64>,
    pub last_contact: Option<f64>,
    pub last_update: Option<f64>,
    pub user_data: Option<serde_json::Value>,
    pub tags: Option<Vec<String>>,
    pub maintenance: Option<Maintenance>,
    pub references: Option<DeviceReferences>,
    pub ip_addresses: Option<Vec<String>>,
    pub mac_addresses: Option<Vec<String>>,
    #[serde(rename = "publicIP")]
    pub public_ip: Option<String>,
    pub notes: Option<Vec<serde_json::Value>>,
    /// Discriminator of the detailed shape: `AgentDevice`, `VMGuest`, `NMSTarget`, …
    pub device_type: Option<String>,
    pub os: Option<OperatingSystem>,
    pub system: Option<ComputerSystem>,
    pub memory: Option<Memory>,
    pub processors: Option<Vec<Processor>>,
    pub volumes: Option<Vec<Volume>>,
    pub last_logged_in_user: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Maintenance {
    pub status: Option<MaintenanceStatus>,
    pub start: Option<f64>,
    pub end: Option<f64>,
    pub reason_message: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeviceReferences {
    pub organization: Option<Organization>,
    pub location: Option<Location>,
    pub role_policy: Option<serde_json::Value>,
    pub policy: Option<serde_json::Value>,
    pub role: Option<serde_json::Value>,
    pub warranty: Option<Warranty>,
    pub assigned_owner: Option<serde_json::Value>,
    pub backup_usage: Option<serde_json::Value>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Warranty {
    pub start_date: Option<f64>,
    pub end_date: Option<f64>,
    pub manufacturer_fulfillment_date: Option<f64>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// The `os` object of an agent device, also a row of `/v2/queries/operating-systems`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OperatingSystem {
    pub manufacturer: Option<String>,
    pub name: Option<String>,
    pub architecture: Option<String>,
    pub last_boot_time: Option<f64>,
    pub build_number: Option<String>,
    pub release_id: Option<String>,
    pub service_pack_major_version: Option<i64>,
    pub service_pack_minor_version: Option<i64>,
    pub locale: Option<String>,
    pub language: Option<String>,
    pub needs_reboot: Option<bool>,
    /// Query rows only.
    pub device_id: Option<i64>,
    pub timestamp: Option<f64>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// The `system` object of an agent device, also a row of `/v2/queries/computer-systems`.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ComputerSystem {
    pub name: Option<String>,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub bios_serial_number: Option<String>,
    pub serial_number: Option<String>,
    pub asset_serial_number: Option<String>,
    pub domain: Option<String>,
    pub domain_role: Option<String>,
    pub number_of_processors: Option<i64>,
    pub total_physical_memory: Option<i64>,
    pub virtual_machine: Option<bool>,
    pub chassis_type: Option<String>,
    /// Query rows only.
    pub device_id: Option<i64>,
    pub timestamp: Option<f64>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Memory {
    pub capacity: Option<i64>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Processor {
    pub architecture: Option<String>,
    pub max_clock_speed: Option<i64>,
    pub clock_speed: Option<i64>,
    pub name: Option<String>,
    pub num_cores: Option<i64>,
    pub num_logical_cores: Option<i64>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// A volume of a detailed device, and a row of `/v2/queries/volumes` (which adds `deviceId`,
/// `timestamp` and, with `include=bl`, `bitLockerStatus`).
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Volume {
    pub name: Option<String>,
    pub drive_letter: Option<String>,
    pub label: Option<String>,
    pub device_type: Option<String>,
    pub file_system: Option<String>,
    pub auto_mount: Option<bool>,
    pub compressed: Option<bool>,
    pub capacity: Option<i64>,
    pub free_space: Option<i64>,
    pub serial_number: Option<String>,
    pub bit_locker_status: Option<super::BitLockerStatus>,
    pub device_id: Option<i64>,
    pub timestamp: Option<f64>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `GET /v2/device/{id}/dashboard-url`: a short-lived link that opens the device in NinjaOne.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DashboardUrl {
    pub url: Option<String>,
    pub expires: Option<f64>,
    #[serde(flatten)]
    pub extra: Extra,
}
