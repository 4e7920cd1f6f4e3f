//! `antivirus_posture` (SPEC §5): per Windows and macOS device, from the antivirus-status
//! report. Real-time protection is on when some row has `productState` `ON`; that row is
//! current when its `definitionStatus` is `UP_TO_DATE` and it is at most 7 days old; anything
//! else reported within 30 days is stale; a last report older than 30 days is expired; no
//! row at all counts as protection off. Every device current: pass. Any device off, without
//! antivirus or expired: fail. Otherwise warn.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use ninjaone::models::AntivirusStatus;

use super::rows::{within_days, PopulationDevice};
use super::signal::{AntivirusMetadata, Signal, SignalKind, SignalMetadata, SignalStatus};

pub const CURRENT_DAYS: f64 = 7.0;
pub const EXPIRED_AFTER_DAYS: f64 = 30.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Posture {
    Current,
    Stale,
    Expired,
    ProtectionOff,
    NotReported,
}

pub fn evaluate(
    devices: &[PopulationDevice],
    rows: &[AntivirusStatus],
    now: DateTime<Utc>,
) -> Signal {
    let mut by_device: HashMap<i64, Vec<&AntivirusStatus>> = HashMap::new();
    for row in rows {
        if let Some(id) = row.device_id {
            by_device.entry(id).or_default().push(row);
        }
    }
    let mut m = AntivirusMetadata::default();
    for device in devices
        .iter()
        .filter(|d| d.class.is_windows() || d.class.is_mac())
    {
        m.devices += 1;
        let rows = by_device.get(&device.id).map(Vec::as_slice).unwrap_or(&[]);
        let (posture, vendor) = posture(rows, now);
        if let Some(vendor) = vendor {
            *m.vendors.entry(vendor).or_default() += 1;
        }
        match posture {
            Posture::Current => m.current += 1,
            Posture::Stale => m.stale += 1,
            Posture::Expired => m.expired += 1,
            Posture::ProtectionOff => m.protection_off += 1,
            Posture::NotReported => m.not_reported += 1,
        }
    }
    let status = if m.devices == 0 {
        SignalStatus::NoData
    } else if m.expired + m.protection_off + m.not_reported > 0 {
        SignalStatus::Fail
    } else if m.stale > 0 {
        SignalStatus::Warn
    } else {
        SignalStatus::Pass
    };
    Signal {
        kind: SignalKind::AntivirusPosture,
        status,
        metadata: SignalMetadata::AntivirusPosture(m),
    }
}

fn is(value: &Option<String>, wanted: &str) -> bool {
    value
        .as_deref()
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(wanted))
}

/// One device's posture and the product that protects it (or that it reports).
fn posture(rows: &[&AntivirusStatus], now: DateTime<Utc>) -> (Posture, Option<String>) {
    let Some(first) = rows.first() else {
        return (Posture::NotReported, None);
    };
    let vendor = |row: &AntivirusStatus| {
        row.product_name
            .as_deref()
            .map(|n| n.trim().chars().take(80).collect::<String>())
            .filter(|n| !n.is_empty())
    };
    let reported_lately = rows
        .iter()
        .any(|r| within_days(r.timestamp, now, EXPIRED_AFTER_DAYS));
    if !reported_lately {
        return (Posture::Expired, vendor(first));
    }
    // Protection counts as on only as reported in the last 30 days: an old "on" next to a
    // recent "off" is protection off.
    let on: Vec<&&AntivirusStatus> = rows
        .iter()
        .filter(|r| is(&r.product_state, "ON") && within_days(r.timestamp, now, EXPIRED_AFTER_DAYS))
        .collect();
    let Some(best) = on.iter().find(|r| {
        is(&r.definition_status, "UP_TO_DATE") && within_days(r.timestamp, now, CURRENT_DAYS)
    }) else {
        return match on.first() {
            Some(row) => (Posture::Stale, vendor(row)),
            None => (Posture::ProtectionOff, vendor(first)),
        };
    };
    (Posture::Current, vendor(best))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compliance::rows::epoch;
    use ninjaone::models::NodeClass;

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

    fn row(device: i64, state: &str, definitions: &str, days_ago: f64) -> AntivirusStatus {
        AntivirusStatus {
            product_name: Some("Windows Defender".into()),
            product_state: Some(state.into()),
            definition_status: Some(definitions.into()),
            device_id: Some(device),
            timestamp: Some(epoch(now()) - days_ago * 86_400.0),
            ..AntivirusStatus::default()
        }
    }

    fn status_of(rows: &[AntivirusStatus]) -> SignalStatus {
        let devices = [
            device(1, NodeClass::WindowsWorkstation),
            device(2, NodeClass::Mac),
        ];
        let mut all = vec![row(2, "ON", "UP_TO_DATE", 0.5)];
        all.extend_from_slice(rows);
        evaluate(&devices, &all, now()).status
    }

    #[test]
    fn every_device_current_is_pass_and_seven_days_is_still_current() {
        assert_eq!(
            status_of(&[row(1, "ON", "UP_TO_DATE", 1.0)]),
            SignalStatus::Pass
        );
        assert_eq!(
            status_of(&[row(1, "ON", "UP_TO_DATE", 7.0)]),
            SignalStatus::Pass
        );
    }

    #[test]
    fn stale_signatures_within_30_days_are_warn() {
        assert_eq!(
            status_of(&[row(1, "ON", "UP_TO_DATE", 7.5)]),
            SignalStatus::Warn
        );
        assert_eq!(
            status_of(&[row(1, "ON", "OUT_OF_DATE", 1.0)]),
            SignalStatus::Warn
        );
        assert_eq!(
            status_of(&[row(1, "ON", "OUT_OF_DATE", 30.0)]),
            SignalStatus::Warn
        );
    }

    #[test]
    fn protection_off_no_antivirus_or_a_report_older_than_30_days_is_fail() {
        assert_eq!(
            status_of(&[row(1, "OFF", "UP_TO_DATE", 1.0)]),
            SignalStatus::Fail
        );
        assert_eq!(
            status_of(&[]),
            SignalStatus::Fail,
            "no row counts as protection off"
        );
        assert_eq!(
            status_of(&[row(1, "ON", "UP_TO_DATE", 30.5)]),
            SignalStatus::Fail
        );
        assert_eq!(
            status_of(&[
                row(1, "ON", "OUT_OF_DATE", 31.0),
                row(1, "OFF", "UP_TO_DATE", 1.0)
            ]),
            SignalStatus::Fail,
            "an expired 'on' does not outweigh a recent 'off'"
        );
    }

    #[test]
    fn one_product_with_protection_on_is_enough() {
        let rows = [
            row(1, "OFF", "OUT_OF_DATE", 1.0),
            row(1, "ON", "UP_TO_DATE", 1.0),
        ];
        assert_eq!(status_of(&rows), SignalStatus::Pass);
    }

    #[test]
    fn linux_is_out_of_scope_and_an_empty_scope_is_no_data() {
        let devices = [device(3, NodeClass::LinuxServer)];
        assert_eq!(evaluate(&devices, &[], now()).status, SignalStatus::NoData);
        let devices = [device(1, NodeClass::WindowsServer)];
        let signal = evaluate(&devices, &[row(1, "ON", "UP_TO_DATE", 0.0)], now());
        let SignalMetadata::AntivirusPosture(m) = signal.metadata else {
            panic!()
        };
        assert_eq!(m.vendors.get("Windows Defender"), Some(&1));
        assert_eq!((m.devices, m.current), (1, 1));
    }
}
