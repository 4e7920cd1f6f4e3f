//! OS and software patches, pending and installed (ninjaone-api.md §3.3). Pending rows are
//! "no successful installation yet" (MANUAL, APPROVED, FAILED, REJECTED); install rows are
//! the last 30 days of history (INSTALLED, FAILED). Filters use the value sets HOMO
//! validates against.

use ninjaone::models::{OsPatch, PatchSeverity, PatchStatus, SoftwarePatch, SoftwarePatchImpact};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::{allowed, RowQuery};
use crate::clock::{millis, DAY, MINUTE};
use crate::profile::{last_contact, Family};
use crate::rng::{self, Purpose};
use crate::tenant::{Ctx, DeviceRecord};

/// (name, KB number, type, severity)
const OS_PATCHES: &[(&str, &str, &str, PatchSeverity)] = &[
    (
        "2024-06 Cumulative Update for Windows 11 Version 23H2 for x64-based Systems",
        "KB5039212",
        "SECURITY_UPDATES",
        PatchSeverity::Critical,
    ),
    (
        "2024-06 Cumulative Update for .NET Framework 3.5 and 4.8.1",
        "KB5039894",
        "SECURITY_UPDATES",
        PatchSeverity::Important,
    ),
    (
        "Security Intelligence Update for Microsoft Defender Antivirus - KB2267602 (Version 1.413.89.0)",
        "KB2267602",
        "DEFINITION_UPDATES",
        PatchSeverity::Optional,
    ),
    (
        "2024-05 Servicing Stack Update for Windows Server 2022",
        "KB5037422",
        "CRITICAL_UPDATES",
        PatchSeverity::Important,
    ),
    ("Intel - System - 10.1.19444.8378", "", "DRIVER_UPDATES", PatchSeverity::Optional),
    (
        "Feature update to Windows 11, version 24H2",
        "KB5039239",
        "FEATURE_PACKS",
        PatchSeverity::Moderate,
    ),
    (
        "2024-06 Security Monthly Quality Rollup for Windows Server 2012 R2",
        "KB5039294",
        "UPDATE_ROLLUPS",
        PatchSeverity::Critical,
    ),
    (
        "Windows Malicious Software Removal Tool x64 - v5.125",
        "KB890830",
        "REGULAR_UPDATES",
        PatchSeverity::Moderate,
    ),
];

/// (product, version, impact, Windows only)
const SOFTWARE: &[(&str, &str, SoftwarePatchImpact, bool)] = &[
    (
        "Google Chrome",
        "126.0.6478.127",
        SoftwarePatchImpact::Critical,
        false,
    ),
    (
        "Mozilla Firefox",
        "127.0.2",
        SoftwarePatchImpact::Recommended,
        false,
    ),
    (
        "Adobe Acrobat Reader DC",
        "24.002.20857",
        SoftwarePatchImpact::Critical,
        false,
    ),
    (
        "Zoom Workplace",
        "6.1.1",
        SoftwarePatchImpact::Recommended,
        false,
    ),
    ("7-Zip", "24.07", SoftwarePatchImpact::Optional, true),
    ("Notepad++", "8.6.8", SoftwarePatchImpact::Optional, true),
    (
        "Microsoft Teams",
        "24124.2315.2911.3357",
        SoftwarePatchImpact::Recommended,
        false,
    ),
    ("Slack", "4.39.90", SoftwarePatchImpact::Optional, false),
];

const PENDING_STATUSES: &[(PatchStatus, u32)] = &[
    (PatchStatus::Manual, 40),
    (PatchStatus::Approved, 35),
    (PatchStatus::Failed, 15),
    (PatchStatus::Rejected, 10),
];

const INSTALL_STATUSES: &[(PatchStatus, u32)] =
    &[(PatchStatus::Installed, 85), (PatchStatus::Failed, 15)];

/// How an install went; a well-looked-after device's installs all succeed.
fn install_status(rng: &mut ChaCha8Rng, device: &DeviceRecord) -> PatchStatus {
    let status = rng::weighted(rng, INSTALL_STATUSES).clone();
    if device.posture.kept() {
        PatchStatus::Installed
    } else {
        status
    }
}

const PENDING_COUNTS: &[(usize, u32)] = &[(0, 35), (1, 25), (2, 20), (3, 12), (4, 8)];

fn os_patch(
    rng: &mut ChaCha8Rng,
    device: &DeviceRecord,
    index: usize,
    status: PatchStatus,
    installed_at: Option<f64>,
    timestamp: f64,
) -> OsPatch {
    let (name, kb, kind, severity) = &OS_PATCHES[index];
    OsPatch {
        id: Some(rng::uuid(rng)),
        name: Some((*name).into()),
        severity: Some(severity.clone()),
        status: Some(status),
        kind: Some((*kind).into()),
        installed_at,
        kb_number: (!kb.is_empty()).then(|| (*kb).into()),
        device_id: Some(device.id),
        timestamp: Some(timestamp),
        ..OsPatch::default()
    }
}

/// Every pending OS patch of a device, before filters: the health report counts them.
pub(super) fn os_pending(ctx: &Ctx, device: &DeviceRecord) -> Vec<OsPatch> {
    if Family::of(&device.class) != Family::Windows || device.posture.kept() {
        return Vec::new();
    }
    let mut rng = rng::stream(ctx.seed, device.id, Purpose::OsPatches);
    let count = *rng::weighted(&mut rng, PENDING_COUNTS);
    let timestamp = last_contact(ctx, device);
    rng::distinct(&mut rng, OS_PATCHES.len(), count)
        .into_iter()
        .map(|index| {
            let status = rng::weighted(&mut rng, PENDING_STATUSES).clone();
            let attempted = (status == PatchStatus::Failed)
                .then(|| millis(ctx.anchor - rng.random_range(DAY..20.0 * DAY)));
            os_patch(&mut rng, device, index, status, attempted, timestamp)
        })
        .collect()
}

pub(super) fn os_pending_rows(ctx: &Ctx, device: &DeviceRecord, query: &RowQuery) -> Vec<OsPatch> {
    os_pending(ctx, device)
        .into_iter()
        .filter(|row| {
            allowed(&query.status, row.status.as_ref().map(PatchStatus::as_str))
                && allowed(&query.kind, row.kind.as_deref())
                && allowed(
                    &query.severity,
                    row.severity.as_ref().map(PatchSeverity::as_str),
                )
                && row.timestamp.is_some_and(|ts| query.fresh_enough(ts))
        })
        .collect()
}

pub(super) fn os_install_rows(ctx: &Ctx, device: &DeviceRecord, query: &RowQuery) -> Vec<OsPatch> {
    if Family::of(&device.class) != Family::Windows {
        return Vec::new();
    }
    let mut rng = rng::stream(ctx.seed, device.id, Purpose::OsPatchInstalls);
    let count = rng.random_range(0..=5);
    rng::distinct(&mut rng, OS_PATCHES.len(), count)
        .into_iter()
        .map(|index| {
            let status = install_status(&mut rng, device);
            let at = millis(ctx.anchor - rng.random_range(MINUTE * 30.0..29.5 * DAY));
            let timestamp = millis(at + rng.random_range(MINUTE..10.0 * MINUTE));
            os_patch(&mut rng, device, index, status, Some(at), timestamp)
        })
        .filter(|row| {
            allowed(&query.status, row.status.as_ref().map(PatchStatus::as_str))
                && query.installed_within(row.installed_at)
        })
        .collect()
}

fn software_patch(
    rng: &mut ChaCha8Rng,
    ctx: &Ctx,
    device: &DeviceRecord,
    index: usize,
    status: PatchStatus,
    installed_at: Option<f64>,
    timestamp: f64,
) -> SoftwarePatch {
    let (product, version, impact, _) = &SOFTWARE[index];
    SoftwarePatch {
        id: Some(rng::uuid(rng)),
        product_identifier: Some(rng::hashed_uuid(ctx.seed, index as u64, Purpose::Product)),
        title: Some(format!("{product} {version}")),
        impact: Some(impact.clone()),
        status: Some(status),
        kind: Some(rng::weighted(rng, &[("PATCH", 8), ("INSTALLER", 2)]).to_string()),
        installed_at,
        device_id: Some(device.id),
        timestamp: Some(timestamp),
        ..SoftwarePatch::default()
    }
}

fn software_candidates(device: &DeviceRecord) -> Option<Vec<usize>> {
    let windows = match Family::of(&device.class) {
        Family::Windows => true,
        Family::Mac => false,
        _ => return None,
    };
    Some(
        SOFTWARE
            .iter()
            .enumerate()
            .filter(|(_, entry)| windows || !entry.3)
            .map(|(index, _)| index)
            .collect(),
    )
}

pub(super) fn software_pending(ctx: &Ctx, device: &DeviceRecord) -> Vec<SoftwarePatch> {
    let Some(candidates) = software_candidates(device) else {
        return Vec::new();
    };
    if device.posture.kept() {
        return Vec::new();
    }
    let mut rng = rng::stream(ctx.seed, device.id, Purpose::SoftwarePatches);
    let count = *rng::weighted(&mut rng, PENDING_COUNTS);
    let timestamp = last_contact(ctx, device);
    rng::distinct(&mut rng, candidates.len(), count.min(3))
        .into_iter()
        .map(|pick| {
            let status = rng::weighted(&mut rng, PENDING_STATUSES).clone();
            let attempted = (status == PatchStatus::Failed)
                .then(|| millis(ctx.anchor - rng.random_range(DAY..20.0 * DAY)));
            software_patch(
                &mut rng,
                ctx,
                device,
                candidates[pick],
                status,
                attempted,
                timestamp,
            )
        })
        .collect()
}

fn software_filter(query: &RowQuery, row: &SoftwarePatch) -> bool {
    allowed(&query.status, row.status.as_ref().map(PatchStatus::as_str))
        && allowed(&query.kind, row.kind.as_deref())
        && allowed(
            &query.impact,
            row.impact.as_ref().map(SoftwarePatchImpact::as_str),
        )
        && allowed(&query.product_identifier, row.product_identifier.as_deref())
}

pub(super) fn software_pending_rows(
    ctx: &Ctx,
    device: &DeviceRecord,
    query: &RowQuery,
) -> Vec<SoftwarePatch> {
    software_pending(ctx, device)
        .into_iter()
        .filter(|row| {
            software_filter(query, row) && row.timestamp.is_some_and(|ts| query.fresh_enough(ts))
        })
        .collect()
}

pub(super) fn software_install_rows(
    ctx: &Ctx,
    device: &DeviceRecord,
    query: &RowQuery,
) -> Vec<SoftwarePatch> {
    let Some(candidates) = software_candidates(device) else {
        return Vec::new();
    };
    let mut rng = rng::stream(ctx.seed, device.id, Purpose::SoftwarePatchInstalls);
    let count = rng.random_range(0..=4);
    rng::distinct(&mut rng, candidates.len(), count)
        .into_iter()
        .map(|pick| {
            let status = install_status(&mut rng, device);
            let at = millis(ctx.anchor - rng.random_range(MINUTE * 30.0..29.5 * DAY));
            let timestamp = millis(at + rng.random_range(MINUTE..10.0 * MINUTE));
            software_patch(
                &mut rng,
                ctx,
                device,
                candidates[pick],
                status,
                Some(at),
                timestamp,
            )
        })
        .filter(|row| software_filter(query, row) && query.installed_within(row.installed_at))
        .collect()
}
