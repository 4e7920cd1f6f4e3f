//! The device-health roll-up (`/v2/queries/device-health`): one row per device, with patch
//! counts taken from the patch reports so the two never contradict each other.

use ninjaone::models::{DeviceHealth, HealthStatus, PatchStatus};
use rand::Rng;
use serde_json::json;

use super::{allowed, patches, RowQuery};
use crate::profile::Family;
use crate::rng::{self, Purpose};
use crate::tenant::{Backup, DeviceRecord, View};

pub(super) fn rows(view: &View, device: &DeviceRecord, query: &RowQuery) -> Vec<DeviceHealth> {
    let ctx = &view.ctx;
    let family = Family::of(&device.class);
    let mut rng = rng::stream(ctx.seed, device.id, Purpose::Health);
    let count = |rows: &[PatchStatus], wanted: &[PatchStatus]| {
        rows.iter().filter(|s| wanted.contains(s)).count() as i64
    };
    let os: Vec<PatchStatus> = patches::os_pending(ctx, device)
        .into_iter()
        .filter_map(|p| p.status)
        .collect();
    let software: Vec<PatchStatus> = patches::software_pending(ctx, device)
        .into_iter()
        .filter_map(|p| p.status)
        .collect();
    let pending = [PatchStatus::Manual, PatchStatus::Approved];
    let failed = [PatchStatus::Failed];
    let active_threats = if family.is_agent() && rng.random_bool(0.03) {
        rng.random_range(1..=2)
    } else {
        0
    };
    let alert_count = if rng.random_bool(0.1) {
        rng.random_range(1..=3)
    } else {
        0
    };
    let reboot =
        (family.is_agent() && rng.random_bool(0.1)).then(|| "OS patches installed".to_string());
    let failed_os = count(&os, &failed);
    let status = if !family.is_agent() && device.offline {
        HealthStatus::Undetermined
    } else if active_threats > 0 || failed_os > 1 {
        HealthStatus::Unhealthy
    } else if failed_os > 0 || count(&os, &pending) > 2 || reboot.is_some() || alert_count > 0 {
        HealthStatus::NeedsAttention
    } else {
        HealthStatus::Healthy
    };
    if !allowed(&query.health, Some(status.as_str())) {
        return Vec::new();
    }
    let parent = device.parent_id.and_then(|id| view.device(id));
    let mut row = DeviceHealth {
        device_id: Some(device.id),
        health_status: Some(status),
        active_threats_count: Some(active_threats),
        quarantined_threats_count: Some(if family.is_agent() {
            rng.random_range(0..=5)
        } else {
            0
        }),
        blocked_threats_count: Some(if family.is_agent() {
            rng.random_range(0..=3)
        } else {
            0
        }),
        failed_os_patches_count: Some(failed_os),
        pending_os_patches_count: Some(count(&os, &pending)),
        failed_software_patches_count: Some(count(&software, &failed)),
        pending_software_patches_count: Some(count(&software, &pending)),
        alert_count: Some(alert_count),
        active_job_count: Some(rng.random_range(0..=1)),
        pending_reboot_reason: reboot,
        av_install_status: (family == Family::Windows && rng.random_bool(0.6)).then(|| {
            rng::weighted(&mut rng, &[("INSTALLED", 95), ("INSTALL_FAILED", 5)]).to_string()
        }),
        offline: Some(device.offline),
        parent_device_id: parent.map(|p| p.id),
        parent_offline: parent.map(|p| p.offline),
        ..DeviceHealth::default()
    };
    if family.is_agent() {
        for (key, max) in [
            ("criticalVulnerabilityCount", 2),
            ("highVulnerabilityCount", 5),
            ("mediumVulnerabilityCount", 10),
            ("lowVulnerabilityCount", 20),
        ] {
            row.extra
                .insert(key.into(), json!(rng.random_range(0..=max)));
        }
        row.extra.insert("installationIssuesCount".into(), json!(0));
    }
    if device.backup == Backup::Ninja {
        row.extra.insert(
            "productsInstallationStatuses".into(),
            json!({ "ninjaBackup": "INSTALLED" }),
        );
    }
    vec![row]
}
