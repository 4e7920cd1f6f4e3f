//! How a device record looks on the wire: the base shape of `/v2/devices` and the detailed
//! shape of `/v2/devices-detailed` and `/v2/device/{id}` (ninjaone-api.md §4), built from
//! the stored record, its organization and location, and the generated [`Profile`].

use ninjaone::models::{Device, DeviceReferences, Location, Memory, Organization};
use serde_json::json;

use crate::profile::{last_contact, profile, role_id, role_policy_id, Family, Profile};
use crate::reports::security;
use crate::tenant::{Backup, DeviceRecord, View};

/// The host name served now: a rename wins over the generated one.
pub(crate) fn system_name<'a>(device: &'a DeviceRecord, profile: &'a Profile) -> &'a str {
    device.system_name.as_deref().unwrap_or(&profile.hostname)
}

pub(crate) fn base(view: &View, device: &DeviceRecord) -> Device {
    base_with(view, device, &profile(&view.ctx, device))
}

fn base_with(view: &View, device: &DeviceRecord, profile: &Profile) -> Device {
    let name = system_name(device, profile);
    let last_contact = last_contact(&view.ctx, device);
    let windows = profile.family == Family::Windows;
    Device {
        id: Some(device.id),
        uid: Some(profile.uid.clone()),
        assigned_owner_uid: profile.owner_uid.clone(),
        parent_device_id: device.parent_id,
        organization_id: Some(device.org_id),
        location_id: device.location_id,
        node_class: Some(device.class.clone()),
        node_role_id: Some(role_id(&device.class)),
        role_policy_id: Some(role_policy_id(&device.class)),
        policy_id: profile.policy_override,
        approval_status: Some(device.approval.clone()),
        offline: Some(device.offline),
        display_name: profile.display_name.clone(),
        system_name: Some(name.to_string()),
        dns_name: profile
            .dns_suffix
            .map(|suffix| format!("{}.{suffix}", name.to_lowercase())),
        netbios_name: windows.then(|| name.to_uppercase().chars().take(15).collect()),
        created: Some(profile.created),
        last_contact: Some(last_contact),
        last_update: Some(last_contact),
        user_data: profile.user_data.clone(),
        tags: profile.tags.clone(),
        maintenance: profile.maintenance.clone(),
        ..Device::default()
    }
}

pub(crate) fn detailed(view: &View, device: &DeviceRecord) -> Device {
    let ctx = &view.ctx;
    let profile = profile(ctx, device);
    let mut out = base_with(view, device, &profile);
    let organization = view.org(device.org_id).map(|org| Organization {
        id: Some(org.id),
        name: Some(org.name.clone()),
        description: org.description.clone(),
        node_approval_mode: Some(org.approval_mode.clone()),
        ..Organization::default()
    });
    let location = device
        .location_id
        .and_then(|id| view.location(id))
        .map(|location| Location {
            id: Some(location.id),
            name: Some(location.name.clone()),
            address: location.address.clone(),
            description: location.description.clone(),
            ..Location::default()
        });
    let class = device.class.as_str();
    let policy = |id: i64, name: String, default: bool| {
        json!({
            "id": id,
            "name": name,
            "nodeClass": class,
            "updated": ctx.anchor - 86_400.0 * 12.0,
            "nodeClassDefault": default,
        })
    };
    let role_policy = role_policy_id(&device.class);
    let chassis = profile
        .system
        .as_ref()
        .and_then(|s| s.chassis_type.clone())
        .unwrap_or_else(|| "UNKNOWN".into());
    let mut references = DeviceReferences {
        organization,
        location,
        role_policy: Some(policy(role_policy, format!("{class} default policy"), true)),
        policy: profile.policy_override.map(|id| {
            let mut custom = policy(id, format!("{class} custom policy"), false);
            custom["parentPolicyId"] = json!(role_policy);
            custom
        }),
        role: Some(json!({
            "id": role_id(&device.class),
            "name": class,
            "nodeClass": class,
            "custom": false,
            "chassisType": chassis,
            "created": ctx.anchor - 86_400.0 * 1000.0,
        })),
        warranty: profile.warranty.clone(),
        assigned_owner: profile.owner.clone(),
        ..DeviceReferences::default()
    };
    if device.backup == Backup::Ninja {
        references.backup_usage = Some(json!({
            "revisionsCurrentSize": 52_428_800_000_i64,
            "revisionsPreviousSize": 1_073_741_824_i64,
            "revisionsDeletedSize": 0,
            "cloudImageSize": 48_318_382_080_i64,
            "cloudTotalSize": 52_428_800_000_i64,
            "localTotalSize": 0,
            "revisionsTotalSize": 53_502_541_824_i64,
        }));
    }
    out.references = Some(references);
    out.ip_addresses = (!profile.ip_addresses.is_empty()).then(|| profile.ip_addresses.clone());
    out.mac_addresses = (!profile.mac_addresses.is_empty()).then(|| profile.mac_addresses.clone());
    out.public_ip = profile.public_ip.clone();
    out.notes = profile.notes.clone();
    out.device_type = Some(profile.family.device_type().to_string());
    out.os = profile.os.clone();
    out.system = profile.system.clone().map(|mut system| {
        system.name = Some(system_name(device, &profile).to_string());
        system
    });
    out.memory = profile
        .system
        .as_ref()
        .and_then(|s| s.total_physical_memory)
        .map(|capacity| Memory {
            capacity: Some(capacity),
            ..Memory::default()
        });
    out.processors = (!profile.processors.is_empty()).then(|| profile.processors.clone());
    if profile.family.is_agent() {
        let volumes = security::volumes(ctx, device)
            .into_iter()
            .map(|mut volume| {
                volume.bit_locker_status = None;
                volume
            })
            .collect();
        out.volumes = Some(volumes);
    }
    out.last_logged_in_user = profile.last_logged_in_user.clone();
    out.extra = profile.extension;
    out
}
