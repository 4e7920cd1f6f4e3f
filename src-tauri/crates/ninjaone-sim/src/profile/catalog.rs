//! Static vocabulary for generated devices: operating systems, hardware, processors, host
//! names and people. Values are modelled on real NinjaOne captures (ninjaone-api.md §4.3),
//! including the placeholder serial numbers that cheap firmware reports, because a
//! client that keys assets by serial number must cope with them.

/// (manufacturer, name, build number, release id)
pub(super) type OsEntry = (&'static str, &'static str, &'static str, &'static str);

pub(super) const WINDOWS_WORKSTATION_OS: &[OsEntry] = &[
    ("Microsoft Corporation", "Windows 11 Pro", "22631", "23H2"),
    (
        "Microsoft Corporation",
        "Windows 11 Enterprise",
        "26100",
        "24H2",
    ),
    ("Microsoft Corporation", "Windows 10 Pro", "19045", "22H2"),
    (
        "Microsoft Corporation",
        "Windows 10 Enterprise LTSC 2021",
        "19044",
        "21H2",
    ),
];

pub(super) const WINDOWS_SERVER_OS: &[OsEntry] = &[
    (
        "Microsoft Corporation",
        "Windows Server 2022 Standard",
        "20348",
        "21H2",
    ),
    (
        "Microsoft Corporation",
        "Windows Server 2019 Datacenter",
        "17763",
        "1809",
    ),
    (
        "Microsoft Corporation",
        "Windows Server 2016 Standard",
        "14393",
        "1607",
    ),
    (
        "Microsoft Corporation",
        "Windows Server 2012 R2 Standard",
        "9600",
        "",
    ),
];

pub(super) const MAC_OS: &[OsEntry] = &[
    ("Apple Inc.", "macOS Sonoma", "23F79", "14.5"),
    ("Apple Inc.", "macOS Ventura", "22G720", "13.6.7"),
    ("Apple Inc.", "macOS Sequoia", "24A335", "15.0"),
];

pub(super) const LINUX_OS: &[OsEntry] = &[
    ("Canonical", "Ubuntu 22.04.4 LTS", "", ""),
    ("Canonical", "Ubuntu 24.04 LTS", "", ""),
    ("Debian", "Debian GNU/Linux 12 (bookworm)", "", ""),
    (
        "Red Hat, Inc.",
        "Red Hat Enterprise Linux 9.4 (Plow)",
        "",
        "",
    ),
];

/// (manufacturer, model, chassis type, virtual machine)
pub(super) type Hardware = (&'static str, &'static str, &'static str, bool);

pub(super) const WORKSTATION_HARDWARE: &[Hardware] = &[
    ("Dell Inc.", "Latitude 5440", "LAPTOP", false),
    ("Dell Inc.", "OptiPlex 7010", "DESKTOP", false),
    ("LENOVO", "21HD0052GE", "LAPTOP", false),
    ("HP", "HP EliteBook 840 G9 Notebook PC", "LAPTOP", false),
    ("Microsoft Corporation", "Surface Laptop 5", "LAPTOP", false),
    (
        "System manufacturer",
        "System Product Name",
        "DESKTOP",
        false,
    ),
];

pub(super) const SERVER_HARDWARE: &[Hardware] = &[
    ("Dell Inc.", "PowerEdge R650", "DESKTOP", false),
    ("HPE", "ProLiant DL380 Gen10", "DESKTOP", false),
    ("VMware, Inc.", "VMware7,1", "UNKNOWN", true),
    ("Microsoft Corporation", "Virtual Machine", "UNKNOWN", true),
    ("Supermicro", "SYS-5019C-MR", "DESKTOP", false),
    ("QEMU", "Standard PC (Q35 + ICH9, 2009)", "UNKNOWN", true),
];

pub(super) const MAC_HARDWARE: &[Hardware] = &[
    ("Apple Inc.", "MacBookPro18,3", "LAPTOP", false),
    ("Apple Inc.", "Mac14,2", "LAPTOP", false),
    ("Apple Inc.", "Macmini9,1", "DESKTOP", false),
    ("Apple Inc.", "iMac21,1", "DESKTOP", false),
];

/// Serial numbers that firmware reports when the vendor left the field unset.
pub(super) const PLACEHOLDER_SERIALS: &[&str] = &[
    "To Be Filled By O.E.M.",
    "Default string",
    "System Serial Number",
    "0",
];

/// (name, architecture, clock speed in Hz, cores, logical cores)
pub(super) type Cpu = (&'static str, &'static str, i64, i64, i64);

pub(super) const INTEL_CPUS: &[Cpu] = &[
    ("Intel(R) Core(TM) i5-1345U", "x64", 1_600_000_000, 10, 12),
    ("Intel(R) Core(TM) i7-13700", "x64", 2_100_000_000, 16, 24),
    (
        "Intel(R) Core(TM) i5-3570K CPU @ 3.40GHz",
        "x64",
        3_392_000_000,
        4,
        4,
    ),
    (
        "Intel(R) Xeon(R) Silver 4314 CPU @ 2.40GHz",
        "x64",
        2_400_000_000,
        16,
        32,
    ),
    (
        "AMD Ryzen 7 PRO 7840U w/ Radeon 780M Graphics",
        "x64",
        3_300_000_000,
        8,
        16,
    ),
];

pub(super) const APPLE_CPUS: &[Cpu] = &[
    ("Apple M1", "arm64", 3_200_000_000, 8, 8),
    ("Apple M2 Pro", "arm64", 3_490_000_000, 12, 12),
    (
        "Intel(R) Core(TM) i7-9750H CPU @ 2.60GHz",
        "x86_64",
        2_600_000_000,
        6,
        12,
    ),
];

pub(super) const PEOPLE: &[(&str, &str)] = &[
    ("Anna", "Keller"),
    ("Ben", "Okafor"),
    ("Chloé", "Dubois"),
    ("David", "Smith"),
    ("Emma", "Lindqvist"),
    ("Felix", "Wagner"),
    ("Jürgen", "Schäfer"),
    ("Søren", "Nielsen"),
    ("Zoë", "Martin"),
    ("Wei", "Li"),
    ("Priya", "Raman"),
    ("Tomasz", "Kowalski"),
    ("Yuki", "Tanaka"),
    ("Omar", "Haddad"),
];

pub(super) const SERVER_NAMES: &[&str] = &[
    "SRV-DC01",
    "SRV-FILE01",
    "SQL01",
    "HYPERV1",
    "SRV-APP02",
    "EXCH01",
    "RDS01",
    "SRV-PRINT",
];

pub(super) const LINUX_NAMES: &[&str] = &[
    "web-01",
    "web-02",
    "db-prod-1",
    "ubuntu-build-03",
    "mail",
    "nas",
    "k8s-node-4",
    "vpn-gw",
];

pub(super) const NETWORK_NAMES: &[(&str, &str)] = &[
    ("NMS_SWITCH", "sw-core-01"),
    ("NMS_SWITCH", "sw-floor2"),
    ("NMS_PRINTER", "HP-LaserJet-M404"),
    ("NMS_PRINTER", "Kyocera ECOSYS M2540dn (Empfang)"),
    ("NMS_ROUTER", "router-01"),
    ("NMS_FIREWALL", "fw-edge-01"),
    ("NMS_WAP", "ap-floor2"),
];

pub(super) const TAGS: &[&str] = &[
    "VIP",
    "Kiosk",
    "Loaner",
    "Finance",
    "Build agent",
    "Erdgeschoss",
    "Critical",
];

pub(super) const LOCALES: &[(&str, &str)] = &[
    ("en-US", "English"),
    ("en-GB", "English"),
    ("de-DE", "German"),
    ("sv-SE", "Swedish"),
    ("fr-FR", "French"),
];

pub(super) const MONITORED_SITES: &[&str] = &[
    "https://portal.example.com/health",
    "https://shop.example.org",
    "https://mail.example.net/owa",
];
