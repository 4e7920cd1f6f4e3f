//! What a sweep produces per company: five signals (SPEC §5), each a status, the controls it
//! is evidence for, and aggregate-only metadata. Shared by the five aggregators, the store,
//! tickets, exports and the screens.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// The five signals, in the order SPEC §5 lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SignalKind {
    DiskEncryption,
    AntivirusPosture,
    PatchSla,
    BackupActivity,
    DeviceInventory,
}

impl SignalKind {
    pub const ALL: [SignalKind; 5] = [
        SignalKind::DiskEncryption,
        SignalKind::AntivirusPosture,
        SignalKind::PatchSla,
        SignalKind::BackupActivity,
        SignalKind::DeviceInventory,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SignalKind::DiskEncryption => "disk_encryption",
            SignalKind::AntivirusPosture => "antivirus_posture",
            SignalKind::PatchSla => "patch_sla",
            SignalKind::BackupActivity => "backup_activity",
            SignalKind::DeviceInventory => "device_inventory",
        }
    }

    pub fn parse(text: &str) -> Option<SignalKind> {
        SignalKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The controls a signal is evidence for (SPEC §5 table).
    pub fn controls(self) -> &'static [&'static str] {
        match self {
            SignalKind::DiskEncryption => &["IC-024", "IC-052"],
            SignalKind::AntivirusPosture => &["IC-013", "IC-051"],
            SignalKind::PatchSla => &["IC-038", "IC-053"],
            SignalKind::BackupActivity => &["IC-060", "IC-061"],
            SignalKind::DeviceInventory => &["IC-031", "IC-032"],
        }
    }

    /// How a person reads the signal's name (tickets, notifications).
    pub fn title(self) -> &'static str {
        match self {
            SignalKind::DiskEncryption => "Disk encryption",
            SignalKind::AntivirusPosture => "Antivirus posture",
            SignalKind::PatchSla => "Patch SLA",
            SignalKind::BackupActivity => "Backup activity",
            SignalKind::DeviceInventory => "Device inventory",
        }
    }
}

impl std::fmt::Display for SignalKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `no_data`: nothing in scope to measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SignalStatus {
    Pass,
    Warn,
    Fail,
    NoData,
}

impl SignalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SignalStatus::Pass => "pass",
            SignalStatus::Warn => "warn",
            SignalStatus::Fail => "fail",
            SignalStatus::NoData => "no_data",
        }
    }

    pub fn parse(text: &str) -> Option<SignalStatus> {
        [
            SignalStatus::Pass,
            SignalStatus::Warn,
            SignalStatus::Fail,
            SignalStatus::NoData,
        ]
        .into_iter()
        .find(|s| s.as_str() == text)
    }

    /// Worst first: fail, warn, no data, pass (the dashboard's sort order).
    pub fn severity(self) -> u8 {
        match self {
            SignalStatus::Fail => 3,
            SignalStatus::Warn => 2,
            SignalStatus::NoData => 1,
            SignalStatus::Pass => 0,
        }
    }
}

impl std::fmt::Display for SignalStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A count → how many: vendor, OS, class or method distributions. Keys are product or class
/// names, never a device's own name.
pub type Distribution = BTreeMap<String, u32>;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DiskEncryptionMetadata {
    /// Volumes whose state is known (the percentage's base).
    pub volumes_measured: u32,
    pub encrypted: u32,
    pub not_encrypted: u32,
    /// `encrypted / volumes_measured`, one decimal; absent when nothing was measured.
    pub percent_encrypted: Option<f64>,
    /// Macs without a FileVault event in the last 30 days.
    pub unknown_mac: u32,
    /// Linux disks: the API reports no encryption state for them.
    pub unknown_linux: u32,
    /// Measured volumes by method: `bitLocker` (Windows), `fileVault` (macOS).
    pub by_method: Distribution,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AntivirusMetadata {
    /// Windows and macOS devices in scope.
    pub devices: u32,
    /// Real-time protection on, signatures up to date and reported within 7 days.
    pub current: u32,
    /// Protection on but signatures not current, reported within 30 days.
    pub stale: u32,
    /// Last report older than 30 days.
    pub expired: u32,
    /// Reported, but no product with real-time protection on.
    pub protection_off: u32,
    /// No antivirus row at all (counts as protection off).
    pub not_reported: u32,
    /// Devices by the product that protects them.
    pub vendors: Distribution,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct PatchSlaMetadata {
    pub devices: u32,
    /// Distinct (device, patch) critical or important patches waiting to be installed.
    pub outstanding: u32,
    pub outstanding_os: u32,
    pub outstanding_software: u32,
    pub devices_with_outstanding: u32,
    /// Pending patches whose last attempt failed.
    pub failed_pending: u32,
    /// Installs that failed in the last 7 days.
    pub failed_installs: u32,
    /// Outstanding patches by severity (`CRITICAL`, `IMPORTANT`).
    pub by_severity: Distribution,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct BackupMetadata {
    /// Devices with backup activity in the last 7 days (the population).
    pub devices: u32,
    /// Of those, devices with at least one successful job.
    pub with_success: u32,
    /// Devices whose jobs all failed.
    pub only_failed: u32,
    /// Devices with jobs that neither succeeded nor failed yet (started, cancelled).
    pub no_result: u32,
    pub percent_only_failed: Option<f64>,
    /// Devices by backup product (`ninjaBackup`, `cloudberry`).
    pub by_product: Distribution,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DeviceInventoryMetadata {
    pub devices: u32,
    pub online: u32,
    pub offline: u32,
    pub percent_offline: Option<f64>,
    /// Devices by NinjaOne node class.
    pub by_class: Distribution,
}

/// Aggregates only (SPEC §5): counts, percentages and distributions, never a name, address,
/// serial, drive letter, user or device id.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(untagged)]
#[ts(export)]
pub enum SignalMetadata {
    DiskEncryption(DiskEncryptionMetadata),
    AntivirusPosture(AntivirusMetadata),
    PatchSla(PatchSlaMetadata),
    BackupActivity(BackupMetadata),
    DeviceInventory(DeviceInventoryMetadata),
}

impl SignalMetadata {
    /// Reads stored metadata back by the signal it belongs to; unreadable metadata (from a
    /// newer version) reads as the signal's empty metadata rather than failing a screen.
    pub fn from_stored(kind: SignalKind, json: &str) -> SignalMetadata {
        fn read<T: serde::de::DeserializeOwned + Default>(json: &str) -> T {
            serde_json::from_str(json).unwrap_or_default()
        }
        match kind {
            SignalKind::DiskEncryption => SignalMetadata::DiskEncryption(read(json)),
            SignalKind::AntivirusPosture => SignalMetadata::AntivirusPosture(read(json)),
            SignalKind::PatchSla => SignalMetadata::PatchSla(read(json)),
            SignalKind::BackupActivity => SignalMetadata::BackupActivity(read(json)),
            SignalKind::DeviceInventory => SignalMetadata::DeviceInventory(read(json)),
        }
    }

    /// The numbers in plain words, for ticket details and the CLI.
    pub fn summary(&self) -> String {
        match self {
            SignalMetadata::DiskEncryption(m) => format!(
                "{} of {} measured volumes encrypted ({}); unknown: {} Macs without a recent FileVault event, {} Linux disks",
                m.encrypted,
                m.volumes_measured,
                percent_text(m.percent_encrypted),
                m.unknown_mac,
                m.unknown_linux
            ),
            SignalMetadata::AntivirusPosture(m) => format!(
                "{} devices: {} current, {} stale signatures, {} not reporting for over 30 days, {} protection off, {} without antivirus",
                m.devices, m.current, m.stale, m.expired, m.protection_off, m.not_reported
            ),
            SignalMetadata::PatchSla(m) => format!(
                "{} outstanding critical or important patches on {} of {} devices; {} failed pending, {} failed installs in 7 days",
                m.outstanding, m.devices_with_outstanding, m.devices, m.failed_pending, m.failed_installs
            ),
            SignalMetadata::BackupActivity(m) => format!(
                "{} devices backed up in 7 days: {} with a success, {} only failed ({}), {} without a result",
                m.devices,
                m.with_success,
                m.only_failed,
                percent_text(m.percent_only_failed),
                m.no_result
            ),
            SignalMetadata::DeviceInventory(m) => format!(
                "{} approved devices, {} offline ({})",
                m.devices,
                m.offline,
                percent_text(m.percent_offline)
            ),
        }
    }
}

fn percent_text(value: Option<f64>) -> String {
    value.map_or("n/a".into(), |p| format!("{p:.1} %"))
}

/// One signal of one company, as an aggregator computes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Signal {
    pub kind: SignalKind,
    pub status: SignalStatus,
    pub metadata: SignalMetadata,
}

/// `part / whole` in percent with one decimal, for display; statuses compare integers.
pub fn percent(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| (f64::from(part) * 1000.0 / f64::from(whole)).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_statuses_are_stored_by_the_names_they_serialise_to() {
        for kind in SignalKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
            assert_eq!(SignalKind::parse(kind.as_str()), Some(kind));
            assert_eq!(kind.controls().len(), 2);
        }
        assert_eq!(
            serde_json::to_value(SignalStatus::NoData).unwrap(),
            "no_data"
        );
        assert_eq!(SignalStatus::parse("no_data"), Some(SignalStatus::NoData));
    }

    #[test]
    fn metadata_reads_back_as_stored() {
        let m = SignalMetadata::DeviceInventory(DeviceInventoryMetadata {
            devices: 4,
            offline: 2,
            online: 2,
            percent_offline: percent(2, 4),
            by_class: [("MAC".to_string(), 4)].into(),
        });
        let json = serde_json::to_string(&m).unwrap();
        assert_eq!(
            SignalMetadata::from_stored(SignalKind::DeviceInventory, &json),
            m
        );
        assert_eq!(percent(1, 3), Some(33.3));
        assert_eq!(percent(0, 0), None);
    }
}
