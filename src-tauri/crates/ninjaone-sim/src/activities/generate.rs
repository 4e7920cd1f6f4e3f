//! The last 14 days of activity of one device: backup jobs (NinjaOne Backup from the same
//! job plan as the backup report, or CloudBerry), FileVault changes on Macs, condition
//! series (TRIGGERED, mostly followed by RESET) and the odd status code NinjaOne's enum
//! does not know yet. A few early devices get fixed activities so small tenants always
//! have an active alert and every kind of row.

use rand::Rng;

use super::{GenActivity, GenKind, CONDITIONS, UNKNOWN_STATUS_CODES};
use crate::clock::{millis, DAY, HOUR, MINUTE};
use crate::profile::Family;
use crate::reports::backup::{self, JobOutcome};
use crate::rng::{self, Purpose};
use crate::tenant::{Backup, Ctx, DeviceRecord};

/// Device index whose first condition never resets (an active alert).
const ALWAYS_ALERTING: usize = 0;
/// Device index with a condition that triggered and reset.
const ALWAYS_RESET: usize = 5;
/// Device index (a Mac) whose FileVault was turned off and on again.
const FILEVAULT_FLIP: usize = 2;

struct Emitter<'a> {
    out: &'a mut Vec<GenActivity>,
    series: &'a mut u32,
    device_id: i64,
}

impl Emitter<'_> {
    fn next_series(&mut self) -> u32 {
        let series = *self.series;
        *self.series += 1;
        series
    }

    fn push(&mut self, time: f64, kind: GenKind, series: u32, detail: u16) {
        self.out.push(GenActivity {
            id: 0,
            time: millis(time),
            device_id: self.device_id,
            kind,
            series,
            detail,
        });
    }

    fn single(&mut self, time: f64, kind: GenKind, detail: u16) {
        let series = self.next_series();
        self.push(time, kind, series, detail);
    }
}

/// Appends the device's activities (ids unset) to `out`; `index` is the device's position
/// in the generated tenant.
pub(crate) fn generate_for_device(
    ctx: Ctx,
    device: &DeviceRecord,
    index: usize,
    series: &mut u32,
    out: &mut Vec<GenActivity>,
) {
    let mut rng = rng::stream(ctx.seed, device.id, Purpose::Activities);
    let family = Family::of(&device.class);
    let mut emit = Emitter {
        out,
        series,
        device_id: device.id,
    };
    let anchor = ctx.anchor;

    match device.backup {
        Backup::Ninja => {
            for job in backup::job_plans(&ctx, device.id) {
                let detail = ((job.plan as u16) << 8) | (job.index & 0xff);
                emit.single(
                    job.end.unwrap_or(job.start),
                    GenKind::NinjaBackup(job.outcome),
                    detail,
                );
            }
        }
        Backup::Cloudberry => {
            for n in 0..rng.random_range(3..=6) {
                let time = anchor - f64::from(n) * 2.3 * DAY - rng.random_range(HOUR..10.0 * HOUR);
                let outcome = *rng::weighted(
                    &mut rng,
                    &[
                        (JobOutcome::Completed, 80),
                        (JobOutcome::Failed, 12),
                        (JobOutcome::CompletedWithWarning, 8),
                    ],
                );
                emit.single(time, GenKind::Cloudberry(outcome), 0);
            }
        }
        Backup::None => {}
    }

    if family == Family::Mac {
        if index == FILEVAULT_FLIP {
            emit.single(anchor - 9.0 * DAY, GenKind::FileVault { enabled: false }, 0);
            emit.single(anchor - 8.5 * DAY, GenKind::FileVault { enabled: true }, 0);
        } else if rng.random_bool(0.7) || device.posture.kept() {
            let enabled = rng.random_bool(0.8) || device.posture.kept();
            let time = anchor - rng.random_range(HOUR..13.5 * DAY);
            emit.single(time, GenKind::FileVault { enabled }, 0);
        }
    }

    let applicable: Vec<u8> = CONDITIONS
        .iter()
        .enumerate()
        .filter(|(_, c)| c.families.contains(&family))
        .map(|(i, _)| i as u8)
        .collect();
    let chance = if family.is_agent() { 0.15 } else { 0.1 };
    let count = match index {
        ALWAYS_ALERTING | ALWAYS_RESET => 1,
        _ if rng.random_bool(chance) => rng.random_range(1..=2),
        _ => 0,
    };
    if !applicable.is_empty() {
        for n in 0..count {
            let condition = *rng::pick(&mut rng, &applicable);
            let triggered_at = anchor - rng.random_range(10.0 * MINUTE..13.0 * DAY);
            let stays = match index {
                ALWAYS_ALERTING => n == 0,
                ALWAYS_RESET => false,
                _ => rng.random_bool(0.35),
            };
            let id = emit.next_series();
            emit.push(
                triggered_at,
                GenKind::Condition {
                    condition,
                    triggered: true,
                },
                id,
                0,
            );
            if !stays {
                let reset_at =
                    (triggered_at + rng.random_range(5.0 * MINUTE..2.0 * DAY)).min(anchor - MINUTE);
                emit.push(
                    reset_at,
                    GenKind::Condition {
                        condition,
                        triggered: false,
                    },
                    id,
                    0,
                );
            }
        }
    }

    if index == ALWAYS_ALERTING || (family.is_agent() && rng.random_bool(0.03)) {
        let code = rng.random_range(0..UNKNOWN_STATUS_CODES.len()) as u8;
        emit.single(
            anchor - rng.random_range(HOUR..12.0 * DAY),
            GenKind::Unknown(code),
            0,
        );
    }
}
