//! Live alerts (the demo tenant): while the simulator runs, a monitoring condition triggers
//! on some device every period and resets on its own a few minutes later, on the configured
//! clock, so a polling client sees incidents open and resolve without anyone steering the
//! simulator. Each slot is derived from the seed and its number, so two simulators with the
//! same seed and start raise the same alerts.

use std::time::Duration;

use ninjaone::models::ApprovalStatus;
use rand::Rng;

use super::{GenActivity, GenKind, CONDITIONS};
use crate::clock::millis;
use crate::profile::Family;
use crate::rng::{self, Purpose};
use crate::tenant::DeviceRecord;

/// Series numbers of live alerts start here, far above any generated tenant's.
const FIRST_LIVE_SERIES: u32 = 3_000_000_000;
/// A live alert resets between these multiples of the period after it triggered: long
/// enough for a client polling every two minutes to see it open first.
const RESET_AFTER_PERIODS: (f64, f64) = (0.8, 2.4);

/// An activity scheduled for later.
#[derive(Clone, Copy, Debug)]
struct Scheduled {
    time: f64,
    device_id: i64,
    condition: u8,
    series: u32,
    triggered: bool,
}

#[derive(Debug)]
pub(crate) struct LiveAlerts {
    started: f64,
    period: f64,
    /// The next slot to schedule (slot `k` triggers at `started + k × period`, from 1).
    next_slot: u64,
    pending: Vec<Scheduled>,
}

impl LiveAlerts {
    pub fn new(started: f64, period: Duration) -> LiveAlerts {
        LiveAlerts {
            started,
            period: period.as_secs_f64().max(1.0),
            next_slot: 1,
            pending: Vec::new(),
        }
    }

    fn slot_time(&self, slot: u64) -> f64 {
        millis(self.started + slot as f64 * self.period)
    }

    /// Whether anything is due at `now` (cheap: the caller then takes the tenant's lock).
    pub fn due_by(&self, now: f64) -> bool {
        self.slot_time(self.next_slot) <= now || self.pending.iter().any(|s| s.time <= now)
    }

    /// The activities due by `now`, oldest first (ids unset), for approved devices of
    /// `devices` that a condition applies to.
    pub fn take_due(&mut self, seed: u64, now: f64, devices: &[DeviceRecord]) -> Vec<GenActivity> {
        while self.slot_time(self.next_slot) <= now {
            let slot = self.next_slot;
            self.next_slot += 1;
            self.schedule(seed, slot, devices);
        }
        let (mut due, later): (Vec<Scheduled>, Vec<Scheduled>) =
            self.pending.iter().partition(|s| s.time <= now);
        self.pending = later;
        due.sort_by(|a, b| a.time.total_cmp(&b.time));
        due.into_iter()
            .map(|s| GenActivity {
                id: 0,
                time: s.time,
                device_id: s.device_id,
                kind: GenKind::Condition {
                    condition: s.condition,
                    triggered: s.triggered,
                },
                series: s.series,
                detail: 0,
            })
            .collect()
    }

    fn schedule(&mut self, seed: u64, slot: u64, devices: &[DeviceRecord]) {
        let mut rng = rng::stream(seed, slot as i64, Purpose::Live);
        let candidates: Vec<(&DeviceRecord, Vec<u8>)> = devices
            .iter()
            .filter(|d| d.approval == ApprovalStatus::Approved)
            .map(|d| {
                let family = Family::of(&d.class);
                let applicable = CONDITIONS
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.families.contains(&family))
                    .map(|(i, _)| i as u8)
                    .collect();
                (d, applicable)
            })
            .filter(|(_, applicable): &(_, Vec<u8>)| !applicable.is_empty())
            .collect();
        if candidates.is_empty() {
            return;
        }
        let (device, applicable) = rng::pick(&mut rng, &candidates);
        let condition = *rng::pick(&mut rng, applicable);
        let series = FIRST_LIVE_SERIES.wrapping_add(slot as u32);
        let time = self.slot_time(slot);
        let (low, high) = RESET_AFTER_PERIODS;
        let reset = millis(time + rng.random_range(low..high) * self.period);
        for (time, triggered) in [(time, true), (reset, false)] {
            self.pending.push(Scheduled {
                time,
                device_id: device.id,
                condition,
                series,
                triggered,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ninjaone::models::NodeClass;

    fn device(id: i64, class: NodeClass) -> DeviceRecord {
        DeviceRecord {
            id,
            org_id: 1,
            location_id: None,
            class,
            approval: ApprovalStatus::Approved,
            offline: false,
            system_name: None,
            parent_id: None,
            backup: crate::tenant::Backup::None,
            posture: crate::tenant::OrgPosture::Typical,
        }
    }

    #[test]
    fn each_period_an_alert_triggers_and_later_resets_in_time_order() {
        let devices = [
            device(1, NodeClass::WindowsWorkstation),
            device(2, NodeClass::Mac),
        ];
        let mut live = LiveAlerts::new(1_000.0, Duration::from_secs(300));
        assert!(!live.due_by(1_299.0));
        assert!(live.take_due(7, 1_299.0, &devices).is_empty());
        assert!(live.due_by(1_300.0));
        let first = live.take_due(7, 1_300.0, &devices);
        assert_eq!(first.len(), 1, "slot 1 triggered");
        assert!(matches!(
            first[0].kind,
            GenKind::Condition {
                triggered: true,
                ..
            }
        ));
        // Three periods later slot 1 has reset (at most 2.4 periods after it triggered).
        let later = live.take_due(7, 1_300.0 + 3.0 * 300.0, &devices);
        assert!(later.windows(2).all(|w| w[0].time <= w[1].time));
        let reset = later
            .iter()
            .find(|a| a.series == first[0].series)
            .expect("the first alert reset");
        assert!(matches!(
            reset.kind,
            GenKind::Condition {
                triggered: false,
                ..
            }
        ));
        assert!(reset.time >= first[0].time + 0.8 * 300.0);
    }
}
