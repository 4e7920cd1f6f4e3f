//! NinjaOne enums that tolerate values we have never seen. The activity `statusCode` enum
//! alone has 677 values and grows with every release (ninjaone-api.md §3.5), so each enum
//! here has an `Unknown(String)` variant that round-trips the original text.

/// Declares a string enum with known variants and an `Unknown(String)` fallback.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)+
            /// A value this version does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// Every known variant, in declaration order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Unknown(text) => text,
                }
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                match text {
                    $($text => $name::$variant,)+
                    other => $name::Unknown(other.to_string()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                Ok($name::from(text.as_ref()))
            }
        }
    };
}

string_enum!(
    /// Device class (ninjaone-api.md §4.1; 33 values in the v2.0.9 spec).
    NodeClass {
        WindowsServer = "WINDOWS_SERVER",
        WindowsWorkstation = "WINDOWS_WORKSTATION",
        LinuxWorkstation = "LINUX_WORKSTATION",
        Mac = "MAC",
        Android = "ANDROID",
        AppleIos = "APPLE_IOS",
        AppleIpados = "APPLE_IPADOS",
        VmwareVmHost = "VMWARE_VM_HOST",
        VmwareVmGuest = "VMWARE_VM_GUEST",
        HypervVmmHost = "HYPERV_VMM_HOST",
        HypervVmmGuest = "HYPERV_VMM_GUEST",
        LinuxServer = "LINUX_SERVER",
        MacServer = "MAC_SERVER",
        CloudMonitorTarget = "CLOUD_MONITOR_TARGET",
        NmsSwitch = "NMS_SWITCH",
        NmsRouter = "NMS_ROUTER",
        NmsFirewall = "NMS_FIREWALL",
        NmsPrivateNetworkGateway = "NMS_PRIVATE_NETWORK_GATEWAY",
        NmsPrinter = "NMS_PRINTER",
        NmsScanner = "NMS_SCANNER",
        NmsDialManager = "NMS_DIAL_MANAGER",
        NmsWap = "NMS_WAP",
        NmsIpsla = "NMS_IPSLA",
        NmsComputer = "NMS_COMPUTER",
        NmsVmHost = "NMS_VM_HOST",
        NmsAppliance = "NMS_APPLIANCE",
        NmsOther = "NMS_OTHER",
        NmsServer = "NMS_SERVER",
        NmsPhone = "NMS_PHONE",
        NmsVirtualMachine = "NMS_VIRTUAL_MACHINE",
        NmsNetworkManagementAgent = "NMS_NETWORK_MANAGEMENT_AGENT",
        UnmanagedDevice = "UNMANAGED_DEVICE",
        ManagedDevice = "MANAGED_DEVICE",
    }
);

impl NodeClass {
    /// Agent devices: Windows, macOS and Linux workstations and servers (SPEC §4). Everything
    /// else (NMS, VM hosts and guests, cloud monitors, mobile, unmanaged) is a network or
    /// non-agent resource that syncs only when a mapping enables it.
    pub fn is_agent(&self) -> bool {
        matches!(
            self,
            NodeClass::WindowsServer
                | NodeClass::WindowsWorkstation
                | NodeClass::LinuxWorkstation
                | NodeClass::LinuxServer
                | NodeClass::Mac
                | NodeClass::MacServer
        )
    }

    pub fn is_windows(&self) -> bool {
        matches!(
            self,
            NodeClass::WindowsServer | NodeClass::WindowsWorkstation
        )
    }

    pub fn is_mac(&self) -> bool {
        matches!(self, NodeClass::Mac | NodeClass::MacServer)
    }
}

string_enum!(
    /// Device approval state. Only `APPROVED` devices sync (SPEC §4).
    ApprovalStatus {
        Pending = "PENDING",
        Staged = "STAGED",
        Approved = "APPROVED",
        Decommissioned = "DECOMMISSIONED",
    }
);

string_enum!(
    NodeApprovalMode {
        Automatic = "AUTOMATIC",
        Manual = "MANUAL",
        Reject = "REJECT",
    }
);

string_enum!(
    MaintenanceStatus {
        Pending = "PENDING",
        InMaintenance = "IN_MAINTENANCE",
        Failed = "FAILED",
    }
);

string_enum!(
    BitLockerProtectionStatus {
        Unprotected = "UNPROTECTED",
        Protected = "PROTECTED",
        Undetermined = "UNKNOWN",
        Pending = "PENDING",
    }
);

string_enum!(
    BitLockerConversionStatus {
        FullyDecrypted = "FULLY_DECRYPTED",
        FullyEncrypted = "FULLY_ENCRYPTED",
        EncryptionInProgress = "ENCRYPTION_IN_PROGRESS",
        DecryptionInProgress = "DECRYPTION_IN_PROGRESS",
        EncryptionPaused = "ENCRYPTION_PAUSED",
        DecryptionPaused = "DECRYPTION_PAUSED",
        Undetermined = "UNKNOWN",
    }
);

string_enum!(
    PatchSeverity {
        Optional = "OPTIONAL",
        Moderate = "MODERATE",
        Important = "IMPORTANT",
        Critical = "CRITICAL",
    }
);

string_enum!(
    /// Status of a patch row: `MANUAL`/`APPROVED`/`FAILED`/`REJECTED` for pending patches,
    /// `FAILED`/`INSTALLED` for install history.
    PatchStatus {
        Manual = "MANUAL",
        Approved = "APPROVED",
        Failed = "FAILED",
        Rejected = "REJECTED",
        Installed = "INSTALLED",
    }
);

string_enum!(
    SoftwarePatchImpact {
        Optional = "OPTIONAL",
        Recommended = "RECOMMENDED",
        Critical = "CRITICAL",
    }
);

string_enum!(
    HealthStatus {
        Undetermined = "UNKNOWN",
        Healthy = "HEALTHY",
        NeedsAttention = "NEEDS_ATTENTION",
        Unhealthy = "UNHEALTHY",
    }
);

string_enum!(
    Severity {
        None = "NONE",
        Minor = "MINOR",
        Moderate = "MODERATE",
        Major = "MAJOR",
        Critical = "CRITICAL",
    }
);

string_enum!(
    Priority {
        None = "NONE",
        Low = "LOW",
        Medium = "MEDIUM",
        High = "HIGH",
    }
);

string_enum!(
    ActivityResult {
        Success = "SUCCESS",
        Failure = "FAILURE",
        Unsupported = "UNSUPPORTED",
        Uncompleted = "UNCOMPLETED",
    }
);

string_enum!(
    /// Activity type. The list grows with NinjaOne releases; the ones Fleetward acts on are
    /// named, and `Unknown` keeps the rest.
    ActivityType {
        ActionSet = "ACTIONSET",
        Action = "ACTION",
        Condition = "CONDITION",
        ConditionActionSet = "CONDITION_ACTIONSET",
        ConditionAction = "CONDITION_ACTION",
        Antivirus = "ANTIVIRUS",
        PatchManagement = "PATCH_MANAGEMENT",
        Monitor = "MONITOR",
        System = "SYSTEM",
        SoftwarePatchManagement = "SOFTWARE_PATCH_MANAGEMENT",
        CloudberryBackup = "CLOUDBERRY_BACKUP",
        Security = "SECURITY",
        NinjaBackup = "NINJA_BACKUP",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_values_round_trip_as_sent() {
        let class: NodeClass = serde_json::from_str("\"QUANTUM_TOASTER\"").unwrap();
        assert_eq!(class, NodeClass::Unknown("QUANTUM_TOASTER".into()));
        assert_eq!(
            serde_json::to_string(&class).unwrap(),
            "\"QUANTUM_TOASTER\""
        );
    }

    #[test]
    fn known_values_parse_to_their_variant() {
        for class in NodeClass::KNOWN {
            let json = serde_json::to_string(class).unwrap();
            assert_eq!(&serde_json::from_str::<NodeClass>(&json).unwrap(), class);
        }
        assert!(NodeClass::from("MAC").is_agent());
        assert!(!NodeClass::from("NMS_SWITCH").is_agent());
        assert!(!NodeClass::from("VMWARE_VM_GUEST").is_agent());
    }
}
