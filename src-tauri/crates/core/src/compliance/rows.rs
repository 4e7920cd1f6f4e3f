//! The inputs of one company's signals: its device population and the NinjaOne report rows
//! of those devices, already fetched and split per company. Aggregators read only this, so
//! each is a pure function of rows and the sweep time.

use chrono::{DateTime, Utc};
use ninjaone::models::{Activity, AntivirusStatus, NodeClass, OsPatch, SoftwarePatch, Volume};

use super::signal::Signal;
use super::{antivirus_posture, backup_activity, device_inventory, disk_encryption, patch_sla};

/// One approved device in a company's scope.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationDevice {
    pub id: i64,
    pub class: NodeClass,
    pub offline: bool,
}

impl PopulationDevice {
    pub fn is_linux(&self) -> bool {
        matches!(
            self.class,
            NodeClass::LinuxWorkstation | NodeClass::LinuxServer
        )
    }
}

/// Everything one company's sweep reads.
#[derive(Debug, Clone, Default)]
pub struct CompanyRows {
    /// Approved agent devices of the mapped organizations, location restrictions applied:
    /// the population of the first four signals.
    pub agents: Vec<PopulationDevice>,
    /// Approved devices of every class that syncs for the company (`device_inventory`).
    pub inventory: Vec<PopulationDevice>,
    pub volumes: Vec<Volume>,
    pub antivirus: Vec<AntivirusStatus>,
    pub os_patches: Vec<OsPatch>,
    pub software_patches: Vec<SoftwarePatch>,
    pub os_installs: Vec<OsPatch>,
    pub software_installs: Vec<SoftwarePatch>,
    /// Backup activities (`NINJA_BACKUP`, `CLOUDBERRY_BACKUP`) and FileVault events.
    pub activities: Vec<Activity>,
}

/// The five signals of one company at `now`, in [`super::SignalKind::ALL`] order.
pub fn evaluate(rows: &CompanyRows, now: DateTime<Utc>) -> Vec<Signal> {
    vec![
        disk_encryption::evaluate(&rows.agents, &rows.volumes, &rows.activities, now),
        antivirus_posture::evaluate(&rows.agents, &rows.antivirus, now),
        patch_sla::evaluate(
            &rows.agents,
            &patch_sla::Reports {
                os_patches: &rows.os_patches,
                software_patches: &rows.software_patches,
                os_installs: &rows.os_installs,
                software_installs: &rows.software_installs,
            },
            now,
        ),
        backup_activity::evaluate(&rows.agents, &rows.activities, now),
        device_inventory::evaluate(&rows.inventory),
    ]
}

/// NinjaOne times are epoch seconds (fractions occur; ninjaone-api.md §2.1).
pub fn epoch(at: DateTime<Utc>) -> f64 {
    at.timestamp_millis() as f64 / 1000.0
}

pub const DAY_SECS: f64 = 86_400.0;

/// Whether `time` (epoch seconds) lies within the `days` before `now`, both ends included.
pub fn within_days(time: Option<f64>, now: DateTime<Utc>, days: f64) -> bool {
    let now = epoch(now);
    time.is_some_and(|t| t >= now - days * DAY_SECS && t <= now + DAY_SECS)
}
