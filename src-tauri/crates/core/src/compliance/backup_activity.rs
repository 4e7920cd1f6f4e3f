//! `backup_activity` (SPEC §5): backup activities (`NINJA_BACKUP`, `CLOUDBERRY_BACKUP`) of the
//! last 7 days. The population is the devices with at least one such activity. A device whose
//! jobs all failed is "only failed": 10 % or more is fail, fewer is warn. Pass needs every
//! device to have a success: devices whose jobs neither succeeded nor failed yet (started,
//! cancelled) are counted apart and keep the signal at warn, since nothing shows they
//! are backed up.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use ninjaone::models::{Activity, ActivityResult, ActivityType};

use super::rows::{within_days, PopulationDevice};
use super::signal::{percent, BackupMetadata, Signal, SignalKind, SignalMetadata, SignalStatus};

pub const WINDOW_DAYS: f64 = 7.0;
/// This share of only-failed devices, or more, is a failure.
pub const FAIL_PERCENT: u64 = 10;

const SUCCESS_CODES: [&str; 2] = [
    "NINJA_BACKUP_BACKUPJOB_COMPLETED",
    "NINJA_BACKUP_BACKUPJOB_COMPLETED_WITH_WARNING",
];
const FAILURE_CODE: &str = "NINJA_BACKUP_BACKUPJOB_FAILED";

#[derive(Default)]
struct Outcomes {
    success: bool,
    failure: bool,
    product: &'static str,
}

pub fn evaluate(
    devices: &[PopulationDevice],
    activities: &[Activity],
    now: DateTime<Utc>,
) -> Signal {
    let scope: HashSet<i64> = devices.iter().map(|d| d.id).collect();
    let mut per_device: BTreeMap<i64, Outcomes> = BTreeMap::new();
    for a in activities {
        let product = match a.activity_type {
            Some(ActivityType::NinjaBackup) => "ninjaBackup",
            Some(ActivityType::CloudberryBackup) => "cloudberry",
            _ => continue,
        };
        let Some(device) = a.device_id.filter(|d| scope.contains(d)) else {
            continue;
        };
        if !within_days(a.activity_time, now, WINDOW_DAYS) {
            continue;
        }
        let code = a.status_code.as_deref().unwrap_or_default();
        let slot = per_device.entry(device).or_default();
        slot.product = product;
        if SUCCESS_CODES.contains(&code) || a.activity_result == Some(ActivityResult::Success) {
            slot.success = true;
        } else if code == FAILURE_CODE || a.activity_result == Some(ActivityResult::Failure) {
            slot.failure = true;
        }
    }
    let mut m = BackupMetadata {
        devices: per_device.len() as u32,
        ..BackupMetadata::default()
    };
    for outcome in per_device.values() {
        *m.by_product.entry(outcome.product.into()).or_default() += 1;
        match (outcome.success, outcome.failure) {
            (true, _) => m.with_success += 1,
            (false, true) => m.only_failed += 1,
            (false, false) => m.no_result += 1,
        }
    }
    m.percent_only_failed = percent(m.only_failed, m.devices);
    let status = if m.devices == 0 {
        SignalStatus::NoData
    } else if u64::from(m.only_failed) * 100 >= FAIL_PERCENT * u64::from(m.devices) {
        SignalStatus::Fail
    } else if m.only_failed > 0 || m.with_success < m.devices {
        SignalStatus::Warn
    } else {
        SignalStatus::Pass
    };
    Signal {
        kind: SignalKind::BackupActivity,
        status,
        metadata: SignalMetadata::BackupActivity(m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compliance::rows::epoch;
    use ninjaone::models::NodeClass;

    fn now() -> DateTime<Utc> {
        "2026-03-01T12:00:00Z".parse().unwrap()
    }

    fn devices(n: i64) -> Vec<PopulationDevice> {
        (1..=n)
            .map(|id| PopulationDevice {
                id,
                class: NodeClass::WindowsServer,
                offline: false,
            })
            .collect()
    }

    fn activity(
        device: i64,
        kind: &str,
        code: &str,
        result: Option<&str>,
        days_ago: f64,
    ) -> Activity {
        Activity {
            device_id: Some(device),
            activity_type: Some(kind.into()),
            status_code: Some(code.into()),
            activity_result: result.map(Into::into),
            activity_time: Some(epoch(now()) - days_ago * 86_400.0),
            ..Activity::default()
        }
    }

    fn ok(device: i64) -> Activity {
        activity(
            device,
            "NINJA_BACKUP",
            "NINJA_BACKUP_BACKUPJOB_COMPLETED",
            None,
            1.0,
        )
    }

    fn failed(device: i64) -> Activity {
        activity(
            device,
            "NINJA_BACKUP",
            "NINJA_BACKUP_BACKUPJOB_FAILED",
            None,
            1.0,
        )
    }

    /// `only_failed` of `total` devices only failed; the rest succeeded.
    fn share(only_failed: i64, total: i64) -> SignalStatus {
        let activities: Vec<_> = (1..=total)
            .map(|d| if d <= only_failed { failed(d) } else { ok(d) })
            .collect();
        evaluate(&devices(total), &activities, now()).status
    }

    #[test]
    fn exactly_ten_percent_only_failed_is_fail_and_less_is_warn() {
        assert_eq!(share(0, 10), SignalStatus::Pass);
        assert_eq!(share(1, 11), SignalStatus::Warn, "9.1 %");
        assert_eq!(share(1, 10), SignalStatus::Fail, "10.0 %");
        assert_eq!(share(3, 10), SignalStatus::Fail);
    }

    #[test]
    fn a_device_with_one_success_among_failures_is_not_only_failed() {
        let activities = [failed(1), ok(1), failed(1)];
        assert_eq!(
            evaluate(&devices(1), &activities, now()).status,
            SignalStatus::Pass
        );
    }

    #[test]
    fn cloudberry_counts_by_activity_result_and_other_types_or_old_activities_do_not() {
        let activities = [
            activity(
                1,
                "CLOUDBERRY_BACKUP",
                "CLOUDBERRY_BACKUPJOB_SUCCEEDED",
                Some("SUCCESS"),
                2.0,
            ),
            activity(
                2,
                "CLOUDBERRY_BACKUP",
                "CLOUDBERRY_BACKUPJOB_FAILED",
                Some("FAILURE"),
                7.5,
            ),
            activity(
                3,
                "SYSTEM",
                "NINJA_BACKUP_BACKUPJOB_FAILED",
                Some("FAILURE"),
                1.0,
            ),
            activity(
                4,
                "NINJA_BACKUP",
                "NINJA_BACKUP_BACKUPJOB_STARTED",
                None,
                1.0,
            ),
        ];
        let signal = evaluate(&devices(4), &activities, now());
        let SignalMetadata::BackupActivity(m) = &signal.metadata else {
            panic!()
        };
        assert_eq!(
            (m.devices, m.with_success, m.only_failed, m.no_result),
            (2, 1, 0, 1)
        );
        assert_eq!(m.by_product.get("cloudberry"), Some(&1));
        assert_eq!(
            signal.status,
            SignalStatus::Warn,
            "a device whose job only started has no success to show"
        );
    }

    #[test]
    fn pass_needs_a_success_on_every_device() {
        let started = |device| {
            activity(
                device,
                "NINJA_BACKUP",
                "NINJA_BACKUP_BACKUPJOB_STARTED",
                None,
                1.0,
            )
        };
        assert_eq!(
            evaluate(&devices(2), &[ok(1), ok(2)], now()).status,
            SignalStatus::Pass
        );
        assert_eq!(
            evaluate(&devices(2), &[ok(1), started(2)], now()).status,
            SignalStatus::Warn
        );
        assert_eq!(
            evaluate(&devices(1), &[started(1)], now()).status,
            SignalStatus::Warn
        );
    }

    #[test]
    fn no_backup_activity_is_no_data() {
        assert_eq!(
            evaluate(&devices(3), &[], now()).status,
            SignalStatus::NoData
        );
    }
}
