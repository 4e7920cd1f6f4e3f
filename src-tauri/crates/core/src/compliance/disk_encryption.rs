//! `disk_encryption` (SPEC §5): the share of in-scope volumes that are encrypted. Windows:
//! local disks with a drive letter from the volumes report, encrypted when BitLocker says
//! `PROTECTED` (no `bitLockerStatus` means not encrypted). macOS: one volume per Mac, per
//! its latest FileVault event of the last 30 days (the API has no FileVault field); without
//! one, unknown. Linux: unknown. Unknown volumes stay out of the percentage and are counted.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use ninjaone::models::{Activity, BitLockerProtectionStatus, Volume};

use super::rows::{within_days, PopulationDevice};
use super::signal::{
    percent, DiskEncryptionMetadata, Signal, SignalKind, SignalMetadata, SignalStatus,
};

/// ≥ 95 % pass, 80 % ≤ x < 95 % warn, below fail.
pub const PASS_PERCENT: u64 = 95;
pub const WARN_PERCENT: u64 = 80;
/// A Mac's FileVault state counts when its event is at most this old.
pub const FILEVAULT_DAYS: f64 = 30.0;

pub const FILEVAULT_ENABLED: &str = "FILEVAULT_ENABLED";
pub const FILEVAULT_DISABLED: &str = "FILEVAULT_DISABLED";

pub fn evaluate(
    devices: &[PopulationDevice],
    volumes: &[Volume],
    activities: &[Activity],
    now: DateTime<Utc>,
) -> Signal {
    let windows: HashSet<i64> = devices
        .iter()
        .filter(|d| d.class.is_windows())
        .map(|d| d.id)
        .collect();
    let linux: HashSet<i64> = devices
        .iter()
        .filter(|d| d.is_linux())
        .map(|d| d.id)
        .collect();
    let mut m = DiskEncryptionMetadata::default();

    let mut linux_with_rows: HashSet<i64> = HashSet::new();
    for volume in volumes {
        let Some(device) = volume.device_id else {
            continue;
        };
        let local = volume
            .device_type
            .as_deref()
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("Local Disk"));
        if windows.contains(&device) {
            let lettered = volume
                .drive_letter
                .as_deref()
                .is_some_and(|l| !l.trim().is_empty());
            if !(local && lettered) {
                continue;
            }
            let protected = volume
                .bit_locker_status
                .as_ref()
                .and_then(|b| b.protection_status.as_ref())
                == Some(&BitLockerProtectionStatus::Protected);
            count(&mut m, "bitLocker", protected);
        } else if linux.contains(&device) && local {
            linux_with_rows.insert(device);
            m.unknown_linux += 1;
        }
    }
    // A Linux device the report listed no local disk for still has one we cannot measure.
    m.unknown_linux += (linux.len() - linux_with_rows.len()) as u32;

    let filevault = latest_filevault(activities, now);
    for mac in devices.iter().filter(|d| d.class.is_mac()) {
        match filevault.get(&mac.id) {
            Some(enabled) => count(&mut m, "fileVault", *enabled),
            None => m.unknown_mac += 1,
        }
    }

    m.percent_encrypted = percent(m.encrypted, m.volumes_measured);
    let (encrypted, measured) = (u64::from(m.encrypted), u64::from(m.volumes_measured));
    let status = if measured == 0 {
        SignalStatus::NoData
    } else if encrypted * 100 >= PASS_PERCENT * measured {
        SignalStatus::Pass
    } else if encrypted * 100 >= WARN_PERCENT * measured {
        SignalStatus::Warn
    } else {
        SignalStatus::Fail
    };
    Signal {
        kind: SignalKind::DiskEncryption,
        status,
        metadata: SignalMetadata::DiskEncryption(m),
    }
}

fn count(m: &mut DiskEncryptionMetadata, method: &str, encrypted: bool) {
    m.volumes_measured += 1;
    *m.by_method.entry(method.to_string()).or_default() += 1;
    if encrypted {
        m.encrypted += 1;
    } else {
        m.not_encrypted += 1;
    }
}

/// Each device's latest FileVault state within the window: `true` when enabled.
fn latest_filevault(activities: &[Activity], now: DateTime<Utc>) -> HashMap<i64, bool> {
    let mut latest: HashMap<i64, (f64, i64, bool)> = HashMap::new();
    for a in activities {
        let enabled = match a.status_code.as_deref() {
            Some(FILEVAULT_ENABLED) => true,
            Some(FILEVAULT_DISABLED) => false,
            _ => continue,
        };
        let (Some(device), Some(time)) = (a.device_id, a.activity_time) else {
            continue;
        };
        if !within_days(Some(time), now, FILEVAULT_DAYS) {
            continue;
        }
        // Later time wins; at the same second, the larger (later) activity id.
        let key = (time, a.id.unwrap_or_default());
        let slot = latest
            .entry(device)
            .or_insert((f64::MIN, i64::MIN, enabled));
        if (key.0, key.1) > (slot.0, slot.1) {
            *slot = (key.0, key.1, enabled);
        }
    }
    latest.into_iter().map(|(d, (_, _, e))| (d, e)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compliance::rows::epoch;
    use ninjaone::models::{BitLockerStatus, NodeClass};

    fn now() -> DateTime<Utc> {
        "2026-03-01T12:00:00Z".parse().unwrap()
    }

    fn device(id: i64, class: NodeClass) -> PopulationDevice {
        PopulationDevice {
            id,
            class,
            offline: false,
        }
    }

    fn volume(device: i64, letter: Option<&str>, kind: &str, protection: Option<&str>) -> Volume {
        Volume {
            device_id: Some(device),
            drive_letter: letter.map(String::from),
            device_type: Some(kind.into()),
            bit_locker_status: protection.map(|p| BitLockerStatus {
                protection_status: Some(p.into()),
                ..BitLockerStatus::default()
            }),
            ..Volume::default()
        }
    }

    fn filevault(device: i64, days_ago: f64, enabled: bool, id: i64) -> Activity {
        Activity {
            id: Some(id),
            device_id: Some(device),
            activity_time: Some(epoch(now()) - days_ago * 86_400.0),
            status_code: Some(
                if enabled {
                    FILEVAULT_ENABLED
                } else {
                    FILEVAULT_DISABLED
                }
                .into(),
            ),
            ..Activity::default()
        }
    }

    /// `protected` of `total` Windows system volumes protected, one device each.
    fn windows_share(protected: usize, total: usize) -> SignalStatus {
        let devices: Vec<_> = (0..total as i64)
            .map(|i| device(i, NodeClass::WindowsWorkstation))
            .collect();
        let volumes: Vec<_> = (0..total as i64)
            .map(|i| {
                let state = if (i as usize) < protected {
                    "PROTECTED"
                } else {
                    "UNPROTECTED"
                };
                volume(i, Some("C:"), "Local Disk", Some(state))
            })
            .collect();
        evaluate(&devices, &volumes, &[], now()).status
    }

    #[test]
    fn thresholds_are_exact_at_95_and_80_percent() {
        assert_eq!(windows_share(20, 20), SignalStatus::Pass);
        assert_eq!(windows_share(19, 20), SignalStatus::Pass, "95.0 % is pass");
        assert_eq!(
            windows_share(189, 200),
            SignalStatus::Warn,
            "94.5 % is warn"
        );
        assert_eq!(windows_share(16, 20), SignalStatus::Warn, "80.0 % is warn");
        assert_eq!(
            windows_share(159, 200),
            SignalStatus::Fail,
            "79.5 % is fail"
        );
        assert_eq!(windows_share(0, 3), SignalStatus::Fail);
        assert_eq!(windows_share(0, 0), SignalStatus::NoData);
    }

    #[test]
    fn a_volume_without_bitlocker_status_is_not_encrypted() {
        let devices = [device(1, NodeClass::WindowsServer)];
        let volumes = [
            volume(1, Some("C:"), "Local Disk", Some("PROTECTED")),
            volume(1, Some("D:"), "Local Disk", None),
        ];
        let signal = evaluate(&devices, &volumes, &[], now());
        let SignalMetadata::DiskEncryption(m) = &signal.metadata else {
            panic!("wrong metadata")
        };
        assert_eq!(
            (m.encrypted, m.not_encrypted, m.volumes_measured),
            (1, 1, 2)
        );
        assert_eq!(m.percent_encrypted, Some(50.0));
        assert_eq!(signal.status, SignalStatus::Fail);
    }

    #[test]
    fn only_local_lettered_windows_volumes_of_the_population_count() {
        let devices = [device(1, NodeClass::WindowsWorkstation)];
        let volumes = [
            volume(1, Some("C:"), "Local Disk", Some("PROTECTED")),
            volume(1, Some("E:"), "Removable Disk", None),
            volume(1, None, "Local Disk", None),
            volume(99, Some("C:"), "Local Disk", None),
        ];
        let signal = evaluate(&devices, &volumes, &[], now());
        assert_eq!(signal.status, SignalStatus::Pass);
        let SignalMetadata::DiskEncryption(m) = signal.metadata else {
            panic!()
        };
        assert_eq!(m.volumes_measured, 1);
    }

    #[test]
    fn macs_count_by_their_latest_filevault_event_of_30_days_and_are_unknown_without_one() {
        let devices = [
            device(1, NodeClass::Mac),
            device(2, NodeClass::Mac),
            device(3, NodeClass::MacServer),
            device(4, NodeClass::Mac),
        ];
        let activities = [
            // Mac 1: disabled, then enabled again: encrypted.
            filevault(1, 9.0, false, 10),
            filevault(1, 8.5, true, 11),
            // Mac 2: enabled long ago, disabled lately: not encrypted.
            filevault(2, 20.0, true, 12),
            filevault(2, 1.0, false, 13),
            // Mac 3: only an event older than 30 days: unknown.
            filevault(3, 30.5, true, 14),
            // Mac 4: exactly 30 days ago still counts.
            filevault(4, 30.0, true, 15),
        ];
        let signal = evaluate(&devices, &[], &activities, now());
        let SignalMetadata::DiskEncryption(m) = &signal.metadata else {
            panic!()
        };
        assert_eq!((m.encrypted, m.not_encrypted, m.unknown_mac), (2, 1, 1));
        assert_eq!(m.by_method.get("fileVault"), Some(&3));
        assert_eq!(signal.status, SignalStatus::Fail, "2 of 3 = 66.7 %");
    }

    #[test]
    fn linux_disks_and_unknown_macs_stay_out_of_the_percentage() {
        let devices = [
            device(1, NodeClass::WindowsWorkstation),
            device(2, NodeClass::LinuxServer),
            device(3, NodeClass::LinuxWorkstation),
            device(4, NodeClass::Mac),
        ];
        let volumes = [
            volume(1, Some("C:"), "Local Disk", Some("PROTECTED")),
            volume(2, None, "Local Disk", None),
            volume(2, None, "Local Disk", None),
        ];
        let signal = evaluate(&devices, &volumes, &[], now());
        let SignalMetadata::DiskEncryption(m) = &signal.metadata else {
            panic!()
        };
        assert_eq!(
            m.unknown_linux, 3,
            "two disks of one, one of a device without rows"
        );
        assert_eq!(m.unknown_mac, 1);
        assert_eq!(m.percent_encrypted, Some(100.0));
        assert_eq!(signal.status, SignalStatus::Pass);
        let only_unknown = evaluate(&devices[1..], &volumes[1..], &[], now());
        assert_eq!(only_unknown.status, SignalStatus::NoData);
    }
}
