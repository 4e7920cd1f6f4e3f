//! `device_inventory` (SPEC §5): the approved devices of every class that syncs for the
//! company and the share of them offline. At least one device and fewer than half offline:
//! pass; otherwise warn. Never `no_data`: a company with no devices is itself a warning.

use super::rows::PopulationDevice;
use super::signal::{
    percent, DeviceInventoryMetadata, Signal, SignalKind, SignalMetadata, SignalStatus,
};

pub fn evaluate(devices: &[PopulationDevice]) -> Signal {
    let mut m = DeviceInventoryMetadata {
        devices: devices.len() as u32,
        ..DeviceInventoryMetadata::default()
    };
    for d in devices {
        if d.offline {
            m.offline += 1;
        } else {
            m.online += 1;
        }
        *m.by_class.entry(d.class.as_str().to_string()).or_default() += 1;
    }
    m.percent_offline = percent(m.offline, m.devices);
    // Exactly half offline is not "fewer than half": warn.
    let status = if m.devices > 0 && m.offline * 2 < m.devices {
        SignalStatus::Pass
    } else {
        SignalStatus::Warn
    };
    Signal {
        kind: SignalKind::DeviceInventory,
        status,
        metadata: SignalMetadata::DeviceInventory(m),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ninjaone::models::NodeClass;

    fn fleet(online: usize, offline: usize) -> Vec<PopulationDevice> {
        (0..online + offline)
            .map(|i| PopulationDevice {
                id: i as i64,
                class: if i % 2 == 0 {
                    NodeClass::Mac
                } else {
                    NodeClass::NmsSwitch
                },
                offline: i >= online,
            })
            .collect()
    }

    #[test]
    fn exactly_half_offline_is_warn_and_less_is_pass() {
        assert_eq!(evaluate(&fleet(1, 0)).status, SignalStatus::Pass);
        assert_eq!(evaluate(&fleet(3, 2)).status, SignalStatus::Pass, "40 %");
        assert_eq!(evaluate(&fleet(2, 2)).status, SignalStatus::Warn, "50 %");
        assert_eq!(evaluate(&fleet(1, 3)).status, SignalStatus::Warn);
    }

    #[test]
    fn no_devices_is_warn_never_no_data() {
        let signal = evaluate(&[]);
        assert_eq!(signal.status, SignalStatus::Warn);
        let SignalMetadata::DeviceInventory(m) = signal.metadata else {
            panic!()
        };
        assert_eq!(m.percent_offline, None);
    }

    #[test]
    fn classes_are_counted() {
        let SignalMetadata::DeviceInventory(m) = evaluate(&fleet(3, 1)).metadata else {
            panic!()
        };
        assert_eq!(m.by_class.get("MAC"), Some(&2));
        assert_eq!(m.by_class.get("NMS_SWITCH"), Some(&2));
    }
}
