//! `patch_sla` (SPEC §5): outstanding critical and important patches. Outstanding: OS patch
//! rows of severity `CRITICAL` or `IMPORTANT` and software patch rows of impact `CRITICAL`,
//! with status `MANUAL` or `APPROVED`, counted as distinct (device, patch). A failure: any
//! `FAILED` row of those two reports, or a `FAILED` install of the last 7 days. None and no
//! failure: pass; 1–5 and no failure: warn; 6 or more, or any failure: fail.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use ninjaone::models::{OsPatch, PatchSeverity, PatchStatus, SoftwarePatch, SoftwarePatchImpact};

use super::rows::{within_days, PopulationDevice};
use super::signal::{PatchSlaMetadata, Signal, SignalKind, SignalMetadata, SignalStatus};

/// Up to this many outstanding patches (and no failure) is a warning; more is a failure.
pub const WARN_MAX_OUTSTANDING: u32 = 5;
pub const FAILED_INSTALL_DAYS: f64 = 7.0;

pub struct Reports<'a> {
    pub os_patches: &'a [OsPatch],
    pub software_patches: &'a [SoftwarePatch],
    pub os_installs: &'a [OsPatch],
    pub software_installs: &'a [SoftwarePatch],
}

fn outstanding_status(status: Option<&PatchStatus>) -> bool {
    matches!(status, Some(PatchStatus::Manual | PatchStatus::Approved))
}

pub fn evaluate(devices: &[PopulationDevice], r: &Reports<'_>, now: DateTime<Utc>) -> Signal {
    let scope: HashSet<i64> = devices.iter().map(|d| d.id).collect();
    let in_scope = |device: Option<i64>| device.is_some_and(|d| scope.contains(&d));
    let mut m = PatchSlaMetadata {
        devices: scope.len() as u32,
        ..PatchSlaMetadata::default()
    };
    let mut seen: HashSet<(i64, String)> = HashSet::new();
    let mut devices_with: HashSet<i64> = HashSet::new();

    for p in r.os_patches.iter().filter(|p| in_scope(p.device_id)) {
        if p.status == Some(PatchStatus::Failed) {
            m.failed_pending += 1;
            continue;
        }
        let severe = matches!(
            p.severity,
            Some(PatchSeverity::Critical | PatchSeverity::Important)
        );
        if !(severe && outstanding_status(p.status.as_ref())) {
            continue;
        }
        let device = p.device_id.unwrap_or_default();
        let patch =
            p.id.clone()
                .or_else(|| p.kb_number.clone())
                .or_else(|| p.name.clone());
        if seen.insert((device, format!("os:{}", patch.unwrap_or_default()))) {
            m.outstanding_os += 1;
            devices_with.insert(device);
            let severity = p.severity.as_ref().map_or("", |s| s.as_str()).to_string();
            *m.by_severity.entry(severity).or_default() += 1;
        }
    }
    for p in r.software_patches.iter().filter(|p| in_scope(p.device_id)) {
        if p.status == Some(PatchStatus::Failed) {
            m.failed_pending += 1;
            continue;
        }
        if !(p.impact == Some(SoftwarePatchImpact::Critical)
            && outstanding_status(p.status.as_ref()))
        {
            continue;
        }
        let device = p.device_id.unwrap_or_default();
        let patch =
            p.id.clone()
                .or_else(|| p.product_identifier.clone())
                .or_else(|| p.title.clone());
        if seen.insert((device, format!("software:{}", patch.unwrap_or_default()))) {
            m.outstanding_software += 1;
            devices_with.insert(device);
            *m.by_severity.entry("CRITICAL".into()).or_default() += 1;
        }
    }
    let failed_install = |device: Option<i64>, status: Option<&PatchStatus>, at: Option<f64>| {
        in_scope(device)
            && status == Some(&PatchStatus::Failed)
            && within_days(at, now, FAILED_INSTALL_DAYS)
    };
    m.failed_installs = r
        .os_installs
        .iter()
        .filter(|p| failed_install(p.device_id, p.status.as_ref(), p.installed_at))
        .count() as u32
        + r.software_installs
            .iter()
            .filter(|p| failed_install(p.device_id, p.status.as_ref(), p.installed_at))
            .count() as u32;
    m.outstanding = m.outstanding_os + m.outstanding_software;
    m.devices_with_outstanding = devices_with.len() as u32;

    let status = if m.devices == 0 {
        SignalStatus::NoData
    } else if m.failed_pending + m.failed_installs > 0 || m.outstanding > WARN_MAX_OUTSTANDING {
        SignalStatus::Fail
    } else if m.outstanding > 0 {
        SignalStatus::Warn
    } else {
        SignalStatus::Pass
    };
    Signal {
        kind: SignalKind::PatchSla,
        status,
        metadata: SignalMetadata::PatchSla(m),
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

    fn devices() -> Vec<PopulationDevice> {
        (1..=3)
            .map(|id| PopulationDevice {
                id,
                class: NodeClass::WindowsWorkstation,
                offline: false,
            })
            .collect()
    }

    fn os(device: i64, id: &str, severity: &str, status: &str) -> OsPatch {
        OsPatch {
            id: Some(id.into()),
            device_id: Some(device),
            severity: Some(severity.into()),
            status: Some(status.into()),
            ..OsPatch::default()
        }
    }

    fn software(device: i64, id: &str, impact: &str, status: &str) -> SoftwarePatch {
        SoftwarePatch {
            id: Some(id.into()),
            device_id: Some(device),
            impact: Some(impact.into()),
            status: Some(status.into()),
            ..SoftwarePatch::default()
        }
    }

    fn install(device: i64, status: &str, days_ago: f64) -> OsPatch {
        OsPatch {
            device_id: Some(device),
            status: Some(status.into()),
            installed_at: Some(epoch(now()) - days_ago * 86_400.0),
            ..OsPatch::default()
        }
    }

    fn run(os_patches: &[OsPatch], sw: &[SoftwarePatch], installs: &[OsPatch]) -> Signal {
        evaluate(
            &devices(),
            &Reports {
                os_patches,
                software_patches: sw,
                os_installs: installs,
                software_installs: &[],
            },
            now(),
        )
    }

    fn outstanding(n: usize) -> Vec<OsPatch> {
        (0..n)
            .map(|i| os((i % 3) as i64 + 1, &format!("p{i}"), "CRITICAL", "APPROVED"))
            .collect()
    }

    #[test]
    fn five_outstanding_is_warn_and_six_is_fail() {
        assert_eq!(run(&outstanding(0), &[], &[]).status, SignalStatus::Pass);
        assert_eq!(run(&outstanding(1), &[], &[]).status, SignalStatus::Warn);
        assert_eq!(run(&outstanding(5), &[], &[]).status, SignalStatus::Warn);
        assert_eq!(run(&outstanding(6), &[], &[]).status, SignalStatus::Fail);
    }

    #[test]
    fn only_critical_and_important_manual_or_approved_patches_are_outstanding() {
        let rows = [
            os(1, "a", "CRITICAL", "MANUAL"),
            os(1, "b", "IMPORTANT", "APPROVED"),
            os(1, "c", "MODERATE", "APPROVED"),
            os(1, "d", "CRITICAL", "REJECTED"),
            os(1, "a", "CRITICAL", "MANUAL"),
            os(99, "e", "CRITICAL", "MANUAL"),
        ];
        let sw = [
            software(2, "s1", "CRITICAL", "APPROVED"),
            software(2, "s2", "RECOMMENDED", "APPROVED"),
        ];
        let signal = run(&rows, &sw, &[]);
        let SignalMetadata::PatchSla(m) = &signal.metadata else {
            panic!()
        };
        assert_eq!((m.outstanding_os, m.outstanding_software), (2, 1), "{m:?}");
        assert_eq!(m.devices_with_outstanding, 2);
        assert_eq!(signal.status, SignalStatus::Warn);
    }

    #[test]
    fn any_failure_is_fail_whatever_the_count() {
        let failed_pending = [os(1, "a", "OPTIONAL", "FAILED")];
        assert_eq!(run(&failed_pending, &[], &[]).status, SignalStatus::Fail);
        let failed_software = [software(1, "s", "OPTIONAL", "FAILED")];
        assert_eq!(run(&[], &failed_software, &[]).status, SignalStatus::Fail);
        assert_eq!(
            run(&[], &[], &[install(1, "FAILED", 6.9)]).status,
            SignalStatus::Fail
        );
    }

    #[test]
    fn failed_installs_older_than_seven_days_and_successes_do_not_count() {
        assert_eq!(
            run(
                &[],
                &[],
                &[install(1, "FAILED", 7.1), install(2, "INSTALLED", 1.0)]
            )
            .status,
            SignalStatus::Pass
        );
    }

    #[test]
    fn a_failed_software_install_of_the_last_seven_days_is_fail() {
        let sw_install = |device: i64, status: &str, days_ago: f64| SoftwarePatch {
            device_id: Some(device),
            status: Some(status.into()),
            installed_at: Some(epoch(now()) - days_ago * 86_400.0),
            ..SoftwarePatch::default()
        };
        let status = |installs: &[SoftwarePatch]| {
            evaluate(
                &devices(),
                &Reports {
                    os_patches: &[],
                    software_patches: &[],
                    os_installs: &[],
                    software_installs: installs,
                },
                now(),
            )
            .status
        };
        assert_eq!(status(&[sw_install(1, "FAILED", 6.9)]), SignalStatus::Fail);
        assert_eq!(
            status(&[
                sw_install(1, "FAILED", 7.1),
                sw_install(2, "INSTALLED", 1.0)
            ]),
            SignalStatus::Pass
        );
        assert_eq!(
            status(&[sw_install(99, "FAILED", 1.0)]),
            SignalStatus::Pass,
            "a device out of scope"
        );
    }

    #[test]
    fn no_device_in_scope_is_no_data() {
        let signal = evaluate(
            &[],
            &Reports {
                os_patches: &outstanding(2),
                software_patches: &[],
                os_installs: &[],
                software_installs: &[],
            },
            now(),
        );
        assert_eq!(signal.status, SignalStatus::NoData);
    }
}
