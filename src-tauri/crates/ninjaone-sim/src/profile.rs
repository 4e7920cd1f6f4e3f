//! Everything about a device that does not change while the simulator runs (host name,
//! hardware, operating system, addresses, warranty, …), derived from the seed and the
//! device id alone. Storing none of it is what lets a 100,000-device tenant start in a
//! second; rendering it again on every request is cheap and always gives the same answer.

mod catalog;

use ninjaone::models::{
    ComputerSystem, Extra, Maintenance, MaintenanceStatus, NodeClass, OperatingSystem, Processor,
    Warranty,
};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};

use crate::clock::{millis, DAY, HOUR, MINUTE};
use crate::rng::{self, Purpose};
use crate::tenant::{Ctx, DeviceRecord};

use catalog::*;

/// Device families: what kind of data NinjaOne has for a device class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Family {
    Windows,
    Mac,
    Linux,
    Network,
    VmGuest,
    VmHost,
    CloudMonitor,
    Mobile,
    Other,
}

impl Family {
    pub fn of(class: &NodeClass) -> Family {
        match class {
            NodeClass::WindowsServer | NodeClass::WindowsWorkstation => Family::Windows,
            NodeClass::Mac | NodeClass::MacServer => Family::Mac,
            NodeClass::LinuxWorkstation | NodeClass::LinuxServer => Family::Linux,
            NodeClass::VmwareVmGuest | NodeClass::HypervVmmGuest => Family::VmGuest,
            NodeClass::VmwareVmHost | NodeClass::HypervVmmHost => Family::VmHost,
            NodeClass::CloudMonitorTarget => Family::CloudMonitor,
            NodeClass::Android | NodeClass::AppleIos | NodeClass::AppleIpados => Family::Mobile,
            NodeClass::UnmanagedDevice | NodeClass::ManagedDevice | NodeClass::Unknown(_) => {
                Family::Other
            }
            _ => Family::Network,
        }
    }

    /// Devices with a NinjaOne agent, which report OS, hardware, volumes and patches.
    pub fn is_agent(self) -> bool {
        matches!(self, Family::Windows | Family::Mac | Family::Linux)
    }

    /// The `deviceType` discriminator of the detailed device shape (ninjaone-api.md §4.3).
    pub fn device_type(self) -> &'static str {
        match self {
            Family::Windows | Family::Mac | Family::Linux => "AgentDevice",
            Family::Network => "NMSTarget",
            Family::VmGuest => "VMGuest",
            Family::VmHost => "VMHost",
            Family::CloudMonitor => "CloudMonitorHTTP",
            Family::Mobile => "MdmDevice",
            Family::Other => "UnmanagedDevice",
        }
    }
}

fn is_server(class: &NodeClass) -> bool {
    matches!(
        class,
        NodeClass::WindowsServer | NodeClass::LinuxServer | NodeClass::MacServer
    )
}

/// Role ids are global in NinjaOne (one default role per class).
pub(crate) fn role_id(class: &NodeClass) -> i64 {
    NodeClass::KNOWN
        .iter()
        .position(|known| known == class)
        .map_or(99, |index| index as i64 + 1)
}

pub(crate) fn role_policy_id(class: &NodeClass) -> i64 {
    100 + role_id(class)
}

pub(crate) struct Profile {
    pub family: Family,
    pub uid: String,
    pub hostname: String,
    pub display_name: Option<String>,
    /// DNS suffix of domain-joined devices.
    pub dns_suffix: Option<&'static str>,
    pub created: f64,
    pub tags: Option<Vec<String>>,
    pub maintenance: Option<Maintenance>,
    pub warranty: Option<Warranty>,
    pub owner_uid: Option<String>,
    pub owner: Option<Value>,
    pub policy_override: Option<i64>,
    pub user_data: Option<Value>,
    pub notes: Option<Vec<Value>>,
    pub ip_addresses: Vec<String>,
    pub mac_addresses: Vec<String>,
    pub public_ip: Option<String>,
    pub os: Option<OperatingSystem>,
    pub system: Option<ComputerSystem>,
    pub processors: Vec<Processor>,
    pub last_logged_in_user: Option<String>,
    /// Fields of the type-specific detailed shape (VM, cloud monitor).
    pub extension: Extra,
}

/// When the device last checked in: minutes ago when online, hours to weeks ago when
/// offline. Kept out of [`Profile`] because every report row needs it as its `timestamp`
/// (monitoring data is as old as the last contact) and a profile costs more to build.
pub(crate) fn last_contact(ctx: &Ctx, device: &DeviceRecord) -> f64 {
    let mut rng = rng::stream(ctx.seed, device.id, Purpose::Contact);
    let online_age = rng.random_range(5.0..10.0 * MINUTE);
    let offline_age = rng.random_range(2.0 * HOUR..60.0 * DAY);
    millis(
        ctx.anchor
            - if device.offline {
                offline_age
            } else {
                online_age
            },
    )
}

pub(crate) fn profile(ctx: &Ctx, device: &DeviceRecord) -> Profile {
    let mut rng = rng::stream(ctx.seed, device.id, Purpose::Profile);
    let family = Family::of(&device.class);
    let uid = rng::uuid(&mut rng);
    let created = millis(ctx.anchor - rng.random_range(30.0 * DAY..900.0 * DAY));
    let person = *rng::pick(&mut rng, PEOPLE);
    let mut profile = Profile {
        family,
        uid,
        hostname: String::new(),
        display_name: None,
        dns_suffix: None,
        created,
        tags: rng.random_bool(0.15).then(|| {
            let count = rng.random_range(1..=2);
            rng::distinct(&mut rng, TAGS.len(), count)
                .into_iter()
                .map(|i| TAGS[i].to_string())
                .collect()
        }),
        maintenance: maintenance(&mut rng, ctx),
        warranty: None,
        owner_uid: None,
        owner: None,
        policy_override: rng.random_bool(0.05).then(|| 200 + role_id(&device.class)),
        user_data: rng
            .random_bool(0.05)
            .then(|| json!({ "costCenter": format!("{}", rng.random_range(1000..9999)) })),
        notes: rng
            .random_bool(0.05)
            .then(|| vec![json!({ "text": "Replaced SSD after SMART warning" })]),
        ip_addresses: vec![format!(
            "10.{}.{}.{}",
            device.org_id % 250,
            rng.random_range(0..=255),
            rng.random_range(2..=254)
        )],
        mac_addresses: vec![mac(&mut rng)],
        public_ip: None,
        os: None,
        system: None,
        processors: Vec::new(),
        last_logged_in_user: None,
        extension: Extra::new(),
    };
    if family.is_agent() || family == Family::VmHost {
        profile.public_ip = Some(format!("203.0.113.{}", rng.random_range(1..=254)));
        if rng.random_bool(0.4) {
            profile.ip_addresses.push(format!(
                "fe80::{:x}:{:x}",
                rng.random::<u16>(),
                rng.random::<u16>()
            ));
        }
        if rng.random_bool(0.2) {
            profile.mac_addresses.push(mac(&mut rng));
        }
    }
    match family {
        Family::Windows => windows(&mut rng, ctx, device, &mut profile, person),
        Family::Mac => mac_device(&mut rng, ctx, device, &mut profile, person),
        Family::Linux => linux(&mut rng, ctx, device, &mut profile),
        Family::Network => {
            let names: Vec<&str> = NETWORK_NAMES
                .iter()
                .filter(|(class, _)| *class == device.class.as_str())
                .map(|(_, name)| *name)
                .collect();
            profile.hostname = match names.is_empty() {
                true => format!("nms-{}", device.id),
                false => rng::pick(&mut rng, &names).to_string(),
            };
            profile.display_name = rng
                .random_bool(0.4)
                .then(|| format!("{} ({})", profile.hostname, device.class.as_str()));
        }
        Family::VmGuest => {
            profile.hostname = format!("vm-app-{:02}", rng.random_range(1..60));
            profile.dns_suffix = Some("corp.example");
            let os = rng::pick(
                &mut rng,
                &[
                    "Microsoft Windows Server 2022 (64-bit)",
                    "Ubuntu Linux (64-bit)",
                    "Microsoft Windows 10 (64-bit)",
                ],
            );
            extend(
                &mut profile.extension,
                "powerState",
                json!(rng::pick(
                    &mut rng,
                    &["POWERED_ON", "POWERED_ON", "POWERED_OFF"]
                )),
            );
            extend(&mut profile.extension, "guestOSFullName", json!(os));
            extend(
                &mut profile.extension,
                "toolStatus",
                json!(rng::pick(
                    &mut rng,
                    &["RUNNING", "NOT_RUNNING", "OUT_OF_DATE"]
                )),
            );
            extend(
                &mut profile.extension,
                "snapshotCount",
                json!(rng.random_range(0..4)),
            );
            extend(
                &mut profile.extension,
                "memorySize",
                json!(rng::pick(&mut rng, &[4096, 8192, 16384])),
            );
            extend(
                &mut profile.extension,
                "cpuCores",
                json!(rng::pick(&mut rng, &[2, 4, 8])),
            );
        }
        Family::VmHost => {
            let hyperv = device.class == NodeClass::HypervVmmHost;
            profile.hostname = if hyperv {
                format!("HV-HOST{:02}", rng.random_range(1..20))
            } else {
                format!("esx{:02}.corp.example", rng.random_range(1..20))
            };
            let (vendor, version, build) = if hyperv {
                ("Microsoft Corporation", "10.0.20348", "20348")
            } else {
                ("VMware, Inc.", "8.0.2", "22380479")
            };
            extend(&mut profile.extension, "cpuModel", json!(INTEL_CPUS[3].0));
            extend(
                &mut profile.extension,
                "cpuCores",
                json!(rng::pick(&mut rng, &[16, 32, 64])),
            );
            extend(
                &mut profile.extension,
                "memorySize",
                json!(rng::pick(&mut rng, &[137_438_953_472_i64, 274_877_906_944])),
            );
            extend(&mut profile.extension, "vendor", json!(vendor));
            extend(&mut profile.extension, "version", json!(version));
            extend(&mut profile.extension, "buildNumber", json!(build));
        }
        Family::CloudMonitor => {
            let target = *rng::pick(&mut rng, MONITORED_SITES);
            profile.hostname = target
                .trim_start_matches("https://")
                .split('/')
                .next()
                .unwrap_or(target)
                .to_string();
            profile.display_name = Some(format!("Website: {}", profile.hostname));
            profile.ip_addresses.clear();
            profile.mac_addresses.clear();
            extend(&mut profile.extension, "enabled", json!(true));
            extend(
                &mut profile.extension,
                "interval",
                json!(rng::pick(&mut rng, &[1, 5, 15])),
            );
            extend(&mut profile.extension, "timeout", json!(30));
            extend(&mut profile.extension, "target", json!(target));
        }
        Family::Mobile => {
            profile.hostname = format!("{}s-iPhone", person.0);
        }
        Family::Other => {
            profile.hostname = format!("unmanaged-{}", device.id);
        }
    }
    profile
}

fn extend(extra: &mut Extra, key: &str, value: Value) {
    extra.insert(key.to_string(), value);
}

fn mac(rng: &mut ChaCha8Rng) -> String {
    let oui = *rng::pick(
        rng,
        &["08:60:6E", "3C:52:82", "F4:8E:38", "00:50:56", "A4:83:E7"],
    );
    format!(
        "{oui}:{:02X}:{:02X}:{:02X}",
        rng.random::<u8>(),
        rng.random::<u8>(),
        rng.random::<u8>()
    )
}

fn maintenance(rng: &mut ChaCha8Rng, ctx: &Ctx) -> Option<Maintenance> {
    if !rng.random_bool(0.03) {
        return None;
    }
    let (status, start) = match rng.random_bool(0.7) {
        true => (MaintenanceStatus::InMaintenance, ctx.anchor - 2.0 * HOUR),
        false => (MaintenanceStatus::Pending, ctx.anchor + DAY),
    };
    Some(Maintenance {
        status: Some(status),
        start: Some(start),
        end: Some(start + 6.0 * HOUR),
        reason_message: Some("Hardware replacement".into()),
        ..Maintenance::default()
    })
}

fn warranty(rng: &mut ChaCha8Rng, created: f64) -> Warranty {
    let start = millis(created - rng.random_range(1.0..60.0) * DAY);
    Warranty {
        start_date: Some(start),
        end_date: Some(start + 3.0 * 365.0 * DAY),
        manufacturer_fulfillment_date: Some(start - 10.0 * DAY),
        ..Warranty::default()
    }
}

fn serial(rng: &mut ChaCha8Rng, manufacturer: &str) -> String {
    if rng.random_bool(0.1) {
        return rng::pick(rng, PLACEHOLDER_SERIALS).to_string();
    }
    match manufacturer {
        "Dell Inc." => rng::chars(rng, rng::UPPER_ALNUM, 7),
        "HP" | "HPE" => format!("5CG{}", rng::chars(rng, rng::UPPER_ALNUM, 7)),
        "LENOVO" => format!("PF{}", rng::chars(rng, rng::UPPER_ALNUM, 6)),
        "Apple Inc." => format!("C02{}", rng::chars(rng, rng::UPPER_ALNUM, 9)),
        "VMware, Inc." => format!(
            "VMware-56 4d {} {}",
            rng::chars(rng, rng::HEX_UPPER, 2),
            rng::chars(rng, rng::HEX_UPPER, 2)
        ),
        _ => rng::chars(rng, rng::UPPER_ALNUM, 12),
    }
}

fn operating_system(
    rng: &mut ChaCha8Rng,
    ctx: &Ctx,
    entry: OsEntry,
    architecture: &str,
) -> OperatingSystem {
    let (locale, language) = *rng::pick(rng, LOCALES);
    OperatingSystem {
        manufacturer: Some(entry.0.into()),
        name: Some(entry.1.into()),
        architecture: Some(architecture.into()),
        last_boot_time: Some(millis(ctx.anchor - rng.random_range(HOUR..45.0 * DAY))),
        build_number: Some(entry.2.into()),
        release_id: Some(entry.3.into()),
        service_pack_major_version: Some(0),
        service_pack_minor_version: Some(0),
        locale: Some(locale.into()),
        language: Some(language.into()),
        needs_reboot: Some(rng.random_bool(0.1)),
        ..OperatingSystem::default()
    }
}

fn computer_system(
    rng: &mut ChaCha8Rng,
    hardware: Hardware,
    domain: &str,
    domain_role: &str,
    memory: i64,
) -> ComputerSystem {
    let serial_number = serial(rng, hardware.0);
    let bios_serial_number = match rng.random_bool(0.1) {
        true => rng::pick(rng, PLACEHOLDER_SERIALS).to_string(),
        false => serial_number.clone(),
    };
    ComputerSystem {
        manufacturer: Some(hardware.0.into()),
        model: Some(hardware.1.into()),
        bios_serial_number: Some(bios_serial_number),
        serial_number: Some(serial_number),
        asset_serial_number: rng
            .random_bool(0.2)
            .then(|| format!("AT-{:05}", rng.random_range(1..99_999))),
        domain: Some(domain.into()),
        domain_role: Some(domain_role.into()),
        number_of_processors: Some(1),
        total_physical_memory: Some(memory),
        virtual_machine: Some(hardware.3),
        chassis_type: Some(hardware.2.into()),
        ..ComputerSystem::default()
    }
}

fn processor(cpu: Cpu) -> Processor {
    Processor {
        architecture: Some(cpu.1.into()),
        max_clock_speed: Some(cpu.2),
        clock_speed: Some(cpu.2),
        name: Some(cpu.0.into()),
        num_cores: Some(cpu.3),
        num_logical_cores: Some(cpu.4),
        ..Processor::default()
    }
}

const GIB: i64 = 1 << 30;

fn windows(
    rng: &mut ChaCha8Rng,
    ctx: &Ctx,
    device: &DeviceRecord,
    profile: &mut Profile,
    person: (&str, &str),
) {
    let server = is_server(&device.class);
    profile.hostname = if server {
        rng::pick(rng, SERVER_NAMES).to_string()
    } else {
        match rng.random_range(0..3) {
            0 => format!("DESKTOP-{}", rng::chars(rng, rng::UPPER_ALNUM, 7)),
            1 => format!("LT-{}", person.0.to_uppercase()),
            _ => format!("WS-{:04}", rng.random_range(1..10_000)),
        }
    };
    let joined = rng.random_bool(0.7);
    profile.dns_suffix = joined.then_some("corp.example");
    let (os_list, hardware_list) = match server {
        true => (WINDOWS_SERVER_OS, SERVER_HARDWARE),
        false => (WINDOWS_WORKSTATION_OS, WORKSTATION_HARDWARE),
    };
    let entry = *rng::pick(rng, os_list);
    profile.os = Some(operating_system(rng, ctx, entry, "64-bit"));
    let hardware = *rng::pick(rng, hardware_list);
    let memory = *rng::pick(rng, &[8 * GIB, 16 * GIB, 32 * GIB, 64 * GIB]);
    let domain_role = match (server, joined) {
        (true, true) => "Member Server",
        (true, false) => "Standalone Server",
        (false, true) => "Member Workstation",
        (false, false) => "Standalone Workstation",
    };
    let domain = if joined { "CORP" } else { "WORKGROUP" };
    profile.system = Some(computer_system(rng, hardware, domain, domain_role, memory));
    profile.processors = vec![processor(*rng::pick(rng, INTEL_CPUS))];
    profile.last_logged_in_user = Some(match server {
        true => format!("{domain}\\Administrator"),
        false => format!(
            "{domain}\\{}.{}",
            person.0.to_lowercase(),
            person.1.to_lowercase()
        ),
    });
    if !hardware.3 && rng.random_bool(0.4) {
        profile.warranty = Some(warranty(rng, profile.created));
    }
    if !server && rng.random_bool(0.1) {
        owner(rng, profile, person);
    }
}

fn mac_device(
    rng: &mut ChaCha8Rng,
    ctx: &Ctx,
    device: &DeviceRecord,
    profile: &mut Profile,
    person: (&str, &str),
) {
    profile.hostname = match rng.random_range(0..3) {
        0 => format!("{}s-MacBook-Pro", person.0),
        1 => format!("{}’s MacBook Air", person.0),
        _ => format!("iMac-{}", person.1),
    };
    let entry = *rng::pick(rng, MAC_OS);
    let cpu = *rng::pick(rng, APPLE_CPUS);
    profile.os = Some(operating_system(rng, ctx, entry, cpu.1));
    let hardware = *rng::pick(rng, MAC_HARDWARE);
    let memory = *rng::pick(rng, &[8 * GIB, 16 * GIB, 32 * GIB]);
    let role = if is_server(&device.class) {
        "Server"
    } else {
        "Workstation"
    };
    profile.system = Some(computer_system(rng, hardware, "", role, memory));
    profile.processors = vec![processor(cpu)];
    profile.last_logged_in_user = Some(person.0.to_lowercase());
    if rng.random_bool(0.4) {
        profile.warranty = Some(warranty(rng, profile.created));
    }
    if rng.random_bool(0.1) {
        owner(rng, profile, person);
    }
}

fn linux(rng: &mut ChaCha8Rng, ctx: &Ctx, device: &DeviceRecord, profile: &mut Profile) {
    profile.hostname = rng::pick(rng, LINUX_NAMES).to_string();
    profile.dns_suffix = Some("srv.example");
    let entry = *rng::pick(rng, LINUX_OS);
    profile.os = Some(operating_system(rng, ctx, entry, "x86_64"));
    let hardware = match is_server(&device.class) {
        true => *rng::pick(rng, SERVER_HARDWARE),
        false => *rng::pick(rng, WORKSTATION_HARDWARE),
    };
    let memory = *rng::pick(rng, &[4 * GIB, 8 * GIB, 16 * GIB, 64 * GIB]);
    profile.system = Some(computer_system(rng, hardware, "", "", memory));
    profile.processors = vec![processor(*rng::pick(rng, INTEL_CPUS))];
    profile.last_logged_in_user = Some(rng::pick(rng, &["root", "deploy", "ubuntu"]).to_string());
    if !hardware.3 && rng.random_bool(0.3) {
        profile.warranty = Some(warranty(rng, profile.created));
    }
}

fn owner(rng: &mut ChaCha8Rng, profile: &mut Profile, person: (&str, &str)) {
    let uid = rng::uuid(rng);
    profile.owner = Some(json!({
        "id": rng.random_range(100..10_000),
        "uid": uid,
        "firstName": person.0,
        "lastName": person.1,
        "email": format!("{}.{}@example.com", person.0.to_lowercase(), person.1.to_lowercase()),
        "enabled": true,
        "userType": "END_USER",
        "invitationStatus": "REGISTERED",
    }));
    profile.owner_uid = Some(uid);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenant::Backup;
    use ninjaone::models::ApprovalStatus;

    fn device(id: i64, class: NodeClass) -> DeviceRecord {
        DeviceRecord {
            id,
            org_id: 1,
            location_id: Some(1),
            class,
            approval: ApprovalStatus::Approved,
            offline: false,
            system_name: None,
            parent_id: None,
            backup: Backup::None,
            posture: crate::tenant::OrgPosture::Typical,
        }
    }

    #[test]
    fn profiles_depend_only_on_seed_and_id() {
        let ctx = Ctx {
            seed: 9,
            anchor: 1_700_000_000.0,
        };
        let a = profile(&ctx, &device(5, NodeClass::WindowsWorkstation));
        let b = profile(&ctx, &device(5, NodeClass::WindowsWorkstation));
        assert_eq!(a.hostname, b.hostname);
        assert_eq!(a.system, b.system);
        assert!(a.os.is_some());
        let other = profile(
            &Ctx { seed: 10, ..ctx },
            &device(5, NodeClass::WindowsWorkstation),
        );
        assert_ne!(a.uid, other.uid);
    }

    #[test]
    fn every_family_gets_a_host_name() {
        let ctx = Ctx {
            seed: 1,
            anchor: 1_700_000_000.0,
        };
        for (n, class) in NodeClass::KNOWN.iter().enumerate() {
            let p = profile(&ctx, &device(n as i64 + 1, class.clone()));
            assert!(!p.hostname.is_empty(), "{class}");
            assert_eq!(p.os.is_some(), p.family.is_agent(), "{class}");
        }
    }
}
