//! NinjaOne Backup jobs (`/v2/backup/jobs`, ninjaone-api.md §3.4). The same job plan
//! feeds the `NINJA_BACKUP` activities ([`crate::activities`]), so a failed job in the
//! report is also a `NINJA_BACKUP_BACKUPJOB_FAILED` activity with the same job id.

use ninjaone::models::BackupJob;
use rand::Rng;
use serde_json::json;

use super::RowQuery;
use crate::clock::{millis, DAY, HOUR, MINUTE};
use crate::rng::{self, Purpose};
use crate::tenant::{Backup, Ctx, DeviceRecord};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JobOutcome {
    Completed,
    CompletedWithWarning,
    Failed,
    Cancelled,
    Running,
}

impl JobOutcome {
    pub fn job_status(self) -> &'static str {
        match self {
            JobOutcome::Completed | JobOutcome::CompletedWithWarning => "COMPLETED",
            JobOutcome::Failed => "FAILED",
            JobOutcome::Cancelled => "CANCELED",
            JobOutcome::Running => "RUNNING",
        }
    }
}

/// (name, type, destination)
pub(crate) const PLANS: &[(&str, &str, &str)] = &[
    ("Daily image backup", "IMAGE", "CLOUD"),
    ("Documents to cloud", "FILE_FOLDER", "CLOUD"),
    ("Nightly local image", "IMAGE", "LOCAL"),
];

/// One job of a device's plan, newest first.
#[derive(Clone, Copy, Debug)]
pub(crate) struct JobPlan {
    pub index: u16,
    pub plan: usize,
    pub start: f64,
    pub end: Option<f64>,
    pub outcome: JobOutcome,
    pub bytes: i64,
    pub files: i64,
}

/// The jobs of the last two weeks, one every two days or so.
pub(crate) fn job_plans(ctx: &Ctx, device_id: i64) -> Vec<JobPlan> {
    let mut rng = rng::stream(ctx.seed, device_id, Purpose::Backup);
    let plan = rng.random_range(0..PLANS.len());
    let count = rng.random_range(3..=7u16);
    (0..count)
        .map(|index| {
            let start = millis(
                ctx.anchor
                    - f64::from(index) * 2.0 * DAY
                    - rng.random_range(0.5 * HOUR..8.0 * HOUR),
            );
            let outcome = if index == 0 && rng.random_bool(0.05) {
                JobOutcome::Running
            } else {
                *rng::weighted(
                    &mut rng,
                    &[
                        (JobOutcome::Completed, 80),
                        (JobOutcome::CompletedWithWarning, 7),
                        (JobOutcome::Failed, 10),
                        (JobOutcome::Cancelled, 3),
                    ],
                )
            };
            let duration = rng.random_range(5.0 * MINUTE..3.0 * HOUR);
            let end = (outcome != JobOutcome::Running)
                .then(|| millis((start + duration).min(ctx.anchor - MINUTE)));
            JobPlan {
                index,
                plan,
                start,
                end,
                outcome,
                bytes: rng.random_range(50_000_000..80_000_000_000_i64),
                files: rng.random_range(10..200_000),
            }
        })
        .collect()
}

pub(crate) fn job_id(seed: u64, device_id: i64, index: u16) -> String {
    rng::hashed_uuid(
        seed,
        ((device_id as u64) << 16) | u64::from(index),
        Purpose::Job,
    )
}

pub(crate) fn plan_guid(seed: u64, device_id: i64, plan: usize) -> String {
    rng::hashed_uuid(
        seed,
        ((device_id as u64) << 8) | plan as u64,
        Purpose::BackupPlan,
    )
}

pub(super) fn job_rows(ctx: &Ctx, device: &DeviceRecord, _query: &RowQuery) -> Vec<BackupJob> {
    if device.backup != Backup::Ninja {
        return Vec::new();
    }
    job_plans(ctx, device.id)
        .into_iter()
        .map(|job| {
            let (name, kind, destination) = PLANS[job.plan];
            let mut row = BackupJob {
                job_id: Some(job_id(ctx.seed, device.id, job.index)),
                job_start_time: Some(job.start),
                job_end_time: job.end,
                job_status: Some(job.outcome.job_status().into()),
                destination: Some(destination.into()),
                plan_name: Some(name.into()),
                plan_type: Some(kind.into()),
                organization_id: Some(device.org_id),
                location_id: device.location_id,
                device_id: Some(device.id),
                ..BackupJob::default()
            };
            let extra = &mut row.extra;
            extra.insert(
                "planGuid".into(),
                json!(plan_guid(ctx.seed, device.id, job.plan)),
            );
            extra.insert("totalActualStorageBytes".into(), json!(job.bytes));
            extra.insert("totalStoredBytes".into(), json!(job.bytes / 10 * 7));
            extra.insert("filesUploaded".into(), json!(job.files));
            if destination == "LOCAL" {
                if let Some(end) = job.end {
                    extra.insert(
                        "upsyncJob".into(),
                        json!({
                            "startTime": end,
                            "endTime": end + 1200.0,
                            "status": "COMPLETED",
                            "filesUploaded": job.files,
                            "bytesUploaded": job.bytes / 10 * 7,
                        }),
                    );
                }
            }
            row
        })
        .collect()
}
