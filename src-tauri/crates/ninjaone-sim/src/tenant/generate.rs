//! Draws the initial tenant from the seed. The first ten devices have fixed classes and a
//! few fixed states, so that even a tiny tenant (2 organizations × 5 devices) has every
//! approval state, every device family, an offline device, both backup products and an
//! active alert; the rest is drawn with realistic weights.

use ninjaone::models::{ApprovalStatus, NodeApprovalMode, NodeClass};
use rand::Rng;

use super::{names, Backup, Ctx, DeviceRecord, LocationRecord, OrgPosture, OrgRecord, Tenant};
use crate::activities::{self, ActivityEntry, FIRST_ACTIVITY_ID};
use crate::config::SimConfig;
use crate::profile::Family;
use crate::rng::{self, Purpose};

/// An approval status NinjaOne does not document, to exercise clients' unknown-value paths.
pub(crate) const UNKNOWN_APPROVAL: &str = "QUARANTINED";

const FIRST_CLASSES: [NodeClass; 10] = [
    NodeClass::WindowsWorkstation,
    NodeClass::WindowsServer,
    NodeClass::Mac,
    NodeClass::LinuxWorkstation,
    NodeClass::LinuxServer,
    NodeClass::NmsSwitch,
    NodeClass::NmsPrinter,
    NodeClass::VmwareVmGuest,
    NodeClass::HypervVmmHost,
    NodeClass::CloudMonitorTarget,
];

/// Index of the device that is always offline.
const FIRST_OFFLINE: usize = 4;

fn first_approval(index: usize) -> Option<ApprovalStatus> {
    match index {
        3 => Some(ApprovalStatus::Pending),
        6 => Some(ApprovalStatus::Staged),
        8 => Some(ApprovalStatus::Decommissioned),
        9 => Some(ApprovalStatus::Unknown(UNKNOWN_APPROVAL.into())),
        _ => None,
    }
}

const CLASS_WEIGHTS: &[(NodeClass, u32)] = &[
    (NodeClass::WindowsWorkstation, 400),
    (NodeClass::WindowsServer, 110),
    (NodeClass::Mac, 140),
    (NodeClass::MacServer, 5),
    (NodeClass::LinuxWorkstation, 40),
    (NodeClass::LinuxServer, 100),
    (NodeClass::NmsSwitch, 30),
    (NodeClass::NmsPrinter, 30),
    (NodeClass::NmsRouter, 10),
    (NodeClass::NmsFirewall, 10),
    (NodeClass::NmsWap, 10),
    (NodeClass::VmwareVmGuest, 40),
    (NodeClass::HypervVmmGuest, 10),
    (NodeClass::VmwareVmHost, 10),
    (NodeClass::HypervVmmHost, 10),
    (NodeClass::CloudMonitorTarget, 20),
];

/// Approval states by weight; 4 stands for [`UNKNOWN_APPROVAL`], which cannot be a constant.
const APPROVAL_WEIGHTS: &[(u8, u32)] = &[(0, 880), (1, 40), (2, 30), (3, 30), (4, 20)];

fn approval(code: u8) -> ApprovalStatus {
    match code {
        0 => ApprovalStatus::Approved,
        1 => ApprovalStatus::Pending,
        2 => ApprovalStatus::Staged,
        3 => ApprovalStatus::Decommissioned,
        _ => ApprovalStatus::Unknown(UNKNOWN_APPROVAL.into()),
    }
}

pub(crate) fn generate(config: &SimConfig, anchor: f64) -> Tenant {
    let ctx = Ctx {
        seed: config.seed,
        anchor,
    };
    let mut rng = rng::tenant_rng(config.seed);
    let mut orgs = Vec::with_capacity(config.orgs);
    let mut locations: Vec<LocationRecord> = Vec::new();
    for index in 0..config.orgs {
        let id = index as i64 + 1;
        let description = rng
            .random_bool(0.6)
            .then(|| rng::pick(&mut rng, names::ORG_DESCRIPTIONS).to_string());
        let approval_mode = rng::weighted(
            &mut rng,
            &[
                (NodeApprovalMode::Automatic, 6),
                (NodeApprovalMode::Manual, 3),
                (NodeApprovalMode::Reject, 1),
            ],
        )
        .clone();
        let posture = config.postures.get(index).copied().unwrap_or_default();
        // The first organization always has backup, so small tenants have backup data; a
        // well-looked-after Windows or Mac fleet is backed up too.
        let backup_enabled = index == 0
            || rng.random_bool(0.6)
            || matches!(posture, OrgPosture::WellKept | OrgPosture::Lagging);
        orgs.push(OrgRecord {
            id,
            name: names::org_name(index),
            description,
            approval_mode,
            backup_enabled,
            posture,
        });
        let first_name = rng.random_range(0..names::LOCATION_NAMES.len());
        for n in 0..rng.random_range(1..=3usize) {
            let address = rng
                .random_bool(0.7)
                .then(|| rng::pick(&mut rng, names::STREETS).to_string());
            locations.push(LocationRecord {
                id: locations.len() as i64 + 1,
                org_id: id,
                name: names::LOCATION_NAMES[(first_name + n) % names::LOCATION_NAMES.len()]
                    .to_string(),
                address,
                description: rng.random_bool(0.3).then(String::new),
            });
        }
    }

    let mut devices = Vec::with_capacity(config.orgs * config.devices_per_org);
    for org in &orgs {
        let org_locations: Vec<i64> = locations
            .iter()
            .filter(|l| l.org_id == org.id)
            .map(|l| l.id)
            .collect();
        for _ in 0..config.devices_per_org {
            let index = devices.len();
            let id = index as i64 + 1;
            let drawn = match FIRST_CLASSES.get(index) {
                Some(class) => class.clone(),
                None => rng::weighted(&mut rng, CLASS_WEIGHTS).clone(),
            };
            // Every value is drawn as for a typical organization, so that a posture changes
            // only its own organization's devices.
            let class = match org.posture {
                OrgPosture::LinuxOnly => NodeClass::LinuxServer,
                _ => drawn,
            };
            let approval = match first_approval(index) {
                Some(status) => status,
                None if index < FIRST_CLASSES.len() => ApprovalStatus::Approved,
                None => approval(*rng::weighted(&mut rng, APPROVAL_WEIGHTS)),
            };
            let offline = if index < FIRST_CLASSES.len() {
                index == FIRST_OFFLINE
            } else {
                rng.random_bool(0.1)
            } && !org.posture.kept();
            let location_id = Some(*rng::pick(&mut rng, &org_locations));
            let backup = match index {
                0 => Backup::Ninja,
                1 => Backup::Cloudberry,
                _ => backup_kind(config.seed, id, &class, org.backup_enabled),
            };
            devices.push(DeviceRecord {
                id,
                org_id: org.id,
                location_id,
                class,
                approval,
                offline,
                system_name: None,
                parent_id: None,
                backup,
                posture: org.posture,
            });
        }
    }
    for chunk in devices.chunk_by_mut(|a, b| a.org_id == b.org_id) {
        let parents: Vec<Option<i64>> = chunk
            .iter()
            .map(|d| vm_parent(&d.class, chunk.iter()))
            .collect();
        for (device, parent) in chunk.iter_mut().zip(parents) {
            device.parent_id = parent;
        }
    }

    let mut generated = Vec::new();
    let mut series = 0u32;
    for (index, device) in devices.iter().enumerate() {
        activities::generate_for_device(ctx, device, index, &mut series, &mut generated);
    }
    generated.sort_by(|a, b| {
        a.time
            .total_cmp(&b.time)
            .then(a.device_id.cmp(&b.device_id))
            .then(a.series.cmp(&b.series))
    });
    let activities: Vec<ActivityEntry> = generated
        .into_iter()
        .enumerate()
        .map(|(n, mut activity)| {
            activity.id = FIRST_ACTIVITY_ID + n as i64;
            ActivityEntry::Generated(activity)
        })
        .collect();

    Tenant {
        ctx,
        next_org: orgs.len() as i64 + 1,
        next_location: locations.len() as i64 + 1,
        next_device: devices.len() as i64 + 1,
        next_activity: FIRST_ACTIVITY_ID + activities.len() as i64,
        orgs: orgs.into(),
        locations: locations.into(),
        devices: devices.into(),
        activities: activities.into(),
    }
}

/// Windows and Mac agents of organizations with backup enabled are often protected: mostly
/// by NinjaOne Backup, a few by the legacy CloudBerry integration.
pub(crate) fn backup_kind(seed: u64, id: i64, class: &NodeClass, org_enabled: bool) -> Backup {
    let family = Family::of(class);
    if !org_enabled || !matches!(family, Family::Windows | Family::Mac) {
        return Backup::None;
    }
    let roll: f64 = rng::stream(seed, id, Purpose::BackupPlan).random();
    if roll < 0.45 {
        Backup::Ninja
    } else if roll < 0.5 {
        Backup::Cloudberry
    } else {
        Backup::None
    }
}

/// The host a VM guest runs on: one of the same vendor in the same organization if there
/// is one, else any host there.
pub(crate) fn vm_parent<'a>(
    class: &NodeClass,
    org_devices: impl Iterator<Item = &'a DeviceRecord> + Clone,
) -> Option<i64> {
    let preferred = match class {
        NodeClass::VmwareVmGuest => NodeClass::VmwareVmHost,
        NodeClass::HypervVmmGuest => NodeClass::HypervVmmHost,
        _ => return None,
    };
    org_devices
        .clone()
        .find(|d| d.class == preferred)
        .or_else(|| {
            org_devices
                .into_iter()
                .find(|d| Family::of(&d.class) == Family::VmHost)
        })
        .map(|d| d.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(orgs: usize, devices_per_org: usize) -> SimConfig {
        SimConfig {
            orgs,
            devices_per_org,
            ..SimConfig::default()
        }
    }

    #[test]
    fn small_tenants_have_every_approval_state_and_family() {
        let tenant = generate(&config(2, 5), 1_700_000_000.0);
        let view = tenant.view();
        for status in [
            "APPROVED",
            "PENDING",
            "STAGED",
            "DECOMMISSIONED",
            UNKNOWN_APPROVAL,
        ] {
            assert!(
                view.devices.iter().any(|d| d.approval.as_str() == status),
                "no {status} device"
            );
        }
        assert!(view.devices.iter().any(|d| !d.class.is_agent()));
        assert!(view.devices.iter().any(|d| d.offline));
        assert!(view.devices.iter().any(|d| d.backup == Backup::Ninja));
        assert!(view.devices.iter().any(|d| d.backup == Backup::Cloudberry));
        let ids: Vec<i64> = view.devices.iter().map(|d| d.id).collect();
        assert_eq!(ids, (1..=10).collect::<Vec<_>>());
    }

    #[test]
    fn each_org_has_one_to_three_locations() {
        let tenant = generate(&config(30, 0), 1_700_000_000.0);
        let view = tenant.view();
        for org in view.orgs.iter() {
            let count = view.locations_of(org.id).count();
            assert!((1..=3).contains(&count), "{count}");
        }
    }

    #[test]
    fn a_posture_shapes_its_own_organization_and_no_other() {
        let typical = generate(&config(4, 40), 1_700_000_000.0);
        let shaped = generate(
            &SimConfig {
                postures: vec![
                    OrgPosture::Typical,
                    OrgPosture::WellKept,
                    OrgPosture::LinuxOnly,
                ],
                ..config(4, 40)
            },
            1_700_000_000.0,
        );
        let (typical, shaped) = (typical.view(), shaped.view());
        let of = |view: &super::super::View, org: i64| -> Vec<DeviceRecord> {
            view.devices
                .iter()
                .filter(|d| d.org_id == org)
                .cloned()
                .collect()
        };
        for org in [1, 4] {
            let (a, b) = (of(&typical, org), of(&shaped, org));
            assert_eq!(
                a.iter()
                    .map(|d| (d.id, d.class.clone(), d.offline))
                    .collect::<Vec<_>>(),
                b.iter()
                    .map(|d| (d.id, d.class.clone(), d.offline))
                    .collect::<Vec<_>>(),
                "organization {org} is untouched"
            );
        }
        let kept = of(&shaped, 2);
        assert!(kept
            .iter()
            .all(|d| !d.offline && d.posture == OrgPosture::WellKept));
        assert!(
            of(&typical, 2).iter().any(|d| d.offline),
            "the typical draw had offline devices to clear"
        );
        let linux = of(&shaped, 3);
        assert!(linux
            .iter()
            .all(|d| d.class == NodeClass::LinuxServer && !d.offline));
        assert!(
            shaped.orgs[1].backup_enabled,
            "a well-kept fleet is backed up"
        );
    }

    #[test]
    fn activity_ids_ascend_with_time() {
        let tenant = generate(&config(3, 30), 1_700_000_000.0);
        let view = tenant.view();
        let entries = view.activities.as_slice();
        assert!(!entries.is_empty());
        for pair in entries.windows(2) {
            assert!(pair[0].id() < pair[1].id());
            assert!(pair[0].time() <= pair[1].time());
        }
    }
}
