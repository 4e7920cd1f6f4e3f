//! Volumes with BitLocker state, and antivirus status: the two reports a disk-encryption
//! and endpoint-protection check reads. The mix is deliberately imperfect (unprotected
//! and unknown volumes, switched-off or outdated antivirus, stale and missing rows), as in
//! real fleets.

use ninjaone::models::{
    AntivirusStatus, BitLockerConversionStatus as Conversion,
    BitLockerProtectionStatus as Protection, BitLockerStatus, Volume,
};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::{allowed, RowQuery};
use crate::clock::{millis, DAY, HOUR, MINUTE};
use crate::profile::{last_contact, Family};
use crate::rng::{self, Purpose};
use crate::tenant::{Ctx, DeviceRecord, OrgPosture};

const GB: i64 = 1_000_000_000;

/// The device's volumes, with `bitLockerStatus` where Windows reports one. Shared by the
/// detailed device (which drops BitLocker) and the volumes report.
pub(crate) fn volumes(ctx: &Ctx, device: &DeviceRecord) -> Vec<Volume> {
    let mut rng = rng::stream(ctx.seed, device.id, Purpose::Volumes);
    match Family::of(&device.class) {
        Family::Windows if device.posture.kept() => windows_volumes(&mut rng)
            .into_iter()
            .map(|mut volume| {
                volume.bit_locker_status = Some(protected_volume(&mut rng));
                volume
            })
            .collect(),
        Family::Windows => windows_volumes(&mut rng),
        Family::Mac => {
            let mut list = vec![volume(
                &mut rng,
                "Macintosh HD",
                None,
                "Local Disk",
                "apfs",
                500 * GB,
            )];
            if rng.random_bool(0.15) {
                list.push(volume(
                    &mut rng,
                    "/Volumes/Backup",
                    None,
                    "Removable Disk",
                    "hfs",
                    2000 * GB,
                ));
            }
            list
        }
        Family::Linux => {
            let mut list = vec![
                volume(&mut rng, "/", None, "Local Disk", "ext4", 250 * GB),
                volume(&mut rng, "/boot/efi", None, "Local Disk", "vfat", GB / 2),
            ];
            if rng.random_bool(0.3) {
                list.push(volume(
                    &mut rng,
                    "/data",
                    None,
                    "Local Disk",
                    "xfs",
                    4000 * GB,
                ));
            }
            list
        }
        _ => Vec::new(),
    }
}

fn volume(
    rng: &mut ChaCha8Rng,
    name: &str,
    letter: Option<&str>,
    device_type: &str,
    file_system: &str,
    nominal: i64,
) -> Volume {
    let capacity = nominal / 1000 * rng.random_range(900..1000);
    Volume {
        name: Some(name.into()),
        drive_letter: letter.map(String::from),
        label: Some(String::new()),
        device_type: Some(device_type.into()),
        file_system: Some(file_system.into()),
        auto_mount: Some(letter.is_some()),
        compressed: Some(false),
        capacity: Some(capacity),
        free_space: Some(capacity / 100 * rng.random_range(3..75)),
        serial_number: Some(rng::chars(rng, rng::HEX_UPPER, 8)),
        ..Volume::default()
    }
}

fn windows_volumes(rng: &mut ChaCha8Rng) -> Vec<Volume> {
    let size = *rng::pick(rng, &[128 * GB, 256 * GB, 512 * GB, 1000 * GB]);
    let mut system = volume(rng, "C:", Some("C:"), "Local Disk", "NTFS", size);
    system.bit_locker_status = bitlocker(rng, 0.75, 0.12);
    let mut list = vec![system];
    if rng.random_bool(0.4) {
        let mut data = volume(rng, "D:", Some("D:"), "Local Disk", "NTFS", 2000 * GB);
        data.label = Some("Data".into());
        data.bit_locker_status = bitlocker(rng, 0.6, 0.3);
        list.push(data);
    }
    if rng.random_bool(0.1) {
        let mut stick = volume(rng, "E:", Some("E:"), "Removable Disk", "exFAT", 64 * GB);
        stick.label = Some("USB".into());
        stick.bit_locker_status = bitlocker(rng, 0.0, 0.3);
        list.push(stick);
    }
    list
}

/// `protected` of volumes are encrypted and protected, `unprotected` decrypted, a few are
/// mid-encryption, and the rest report no BitLocker state at all.
fn bitlocker(rng: &mut ChaCha8Rng, protected: f64, unprotected: f64) -> Option<BitLockerStatus> {
    let roll: f64 = rng.random();
    if roll < protected {
        return Some(protected_volume(rng));
    }
    let (conversion, method, protection, initialized) = if roll < protected + unprotected {
        (
            Conversion::FullyDecrypted,
            "NONE",
            Protection::Unprotected,
            false,
        )
    } else if roll < protected + unprotected + 0.03 {
        (
            Conversion::EncryptionInProgress,
            "XTS_AES_128",
            Protection::Unprotected,
            true,
        )
    } else {
        return None;
    };
    Some(BitLockerStatus {
        conversion_status: Some(conversion),
        encryption_method: Some(method.into()),
        protection_status: Some(protection),
        lock_status: Some("UNLOCKED".into()),
        initialized_for_protection: Some(initialized),
        ..BitLockerStatus::default()
    })
}

/// A fully encrypted, protected volume.
fn protected_volume(rng: &mut ChaCha8Rng) -> BitLockerStatus {
    let method = *rng::pick(rng, &["XTS_AES_128", "XTS_AES_256", "AES_128"]);
    BitLockerStatus {
        conversion_status: Some(Conversion::FullyEncrypted),
        encryption_method: Some(method.into()),
        protection_status: Some(Protection::Protected),
        lock_status: Some("UNLOCKED".into()),
        initialized_for_protection: Some(true),
        ..BitLockerStatus::default()
    }
}

pub(super) fn volume_rows(ctx: &Ctx, device: &DeviceRecord, query: &RowQuery) -> Vec<Volume> {
    let timestamp = last_contact(ctx, device);
    if !query.fresh_enough(timestamp) {
        return Vec::new();
    }
    volumes(ctx, device)
        .into_iter()
        .map(|mut volume| {
            if !query.include_bitlocker {
                volume.bit_locker_status = None;
            }
            volume.device_id = Some(device.id);
            volume.timestamp = Some(timestamp);
            volume
        })
        .collect()
}

const WINDOWS_AV: &[((&str, &str), u32)] = &[
    (("Windows Defender", "4.18.24050.7"), 50),
    (("Bitdefender Endpoint Security Tools", "7.9.12.382"), 25),
    (("SentinelOne Agent", "23.4.2.14"), 15),
    (("Sophos Intercept X", "2023.2.1.9"), 10),
];

const MAC_AV: &[((&str, &str), u32)] = &[
    (
        (
            "Bitdefender Endpoint Security Tools for Mac",
            "7.15.42.200009",
        ),
        50,
    ),
    (("SentinelOne Agent", "23.3.2.7123"), 30),
    (("XProtect", "2196"), 20),
];

pub(super) fn antivirus_rows(
    ctx: &Ctx,
    device: &DeviceRecord,
    query: &RowQuery,
) -> Vec<AntivirusStatus> {
    let products = match Family::of(&device.class) {
        Family::Windows => WINDOWS_AV,
        Family::Mac => MAC_AV,
        _ => return Vec::new(),
    };
    let mut rng = rng::stream(ctx.seed, device.id, Purpose::Antivirus);
    let kept = device.posture.kept();
    if rng.random_bool(0.08) && !kept {
        return Vec::new();
    }
    let (name, version) = *rng::weighted(&mut rng, products);
    let mut state = *rng::weighted(
        &mut rng,
        &[("ON", 85), ("OFF", 8), ("SNOOZED", 3), ("EXPIRED", 4)],
    );
    let mut definitions = *rng::weighted(&mut rng, &[("UP_TO_DATE", 88), ("OUT_OF_DATE", 12)]);
    let old = rng.random_bool(0.1);
    let mut age = match old {
        true => rng.random_range(31.0 * DAY..120.0 * DAY),
        false => rng.random_range(10.0 * MINUTE..30.0 * HOUR),
    };
    if kept {
        state = "ON";
        definitions = match device.posture {
            OrgPosture::Lagging if rng.random_bool(0.35) => "OUT_OF_DATE",
            _ => "UP_TO_DATE",
        };
        age = age.min(30.0 * HOUR);
    }
    let row = AntivirusStatus {
        product_name: Some(name.into()),
        product_state: Some(state.into()),
        definition_status: Some(definitions.into()),
        version: Some(version.into()),
        device_id: Some(device.id),
        timestamp: Some(millis(ctx.anchor - age)),
        ..AntivirusStatus::default()
    };
    let keep = allowed(&query.product_state, Some(state))
        && allowed(&query.product_name, Some(name))
        && query.fresh_enough(ctx.anchor - age);
    if keep {
        vec![row]
    } else {
        Vec::new()
    }
}
