//! The demo tenant (README): a fixed, seeded simulator that the app and the CLI start on
//! loopback so that a newcomer can test, save and map without credentials. It lives with the
//! simulator, not in the engine: the engine never starts a server.

use std::io;
use std::time::Duration;

use crate::{OrgPosture, SimConfig, Simulator};

/// The demo tenant's API client. Not a secret: it only opens the local simulator.
pub const CLIENT_ID: &str = "fleetward-demo";
pub const CLIENT_SECRET: &str = "demo-secret";
pub const NAME: &str = "Demo tenant";

/// The demo simulator's usual port, so a saved demo connection keeps working across
/// restarts of the app.
pub const PORT: u16 = 47123;

/// A new alert triggers this often in the demo tenant, and resets on its own 4 to 12 minutes
/// later, so the app shows incidents opening and resolving without anyone doing anything.
pub const LIVE_ALERT_EVERY: Duration = Duration::from_secs(5 * 60);

/// The demo tenant: eight organizations of 25 devices that raise and reset alerts as time
/// passes; the same on every machine. Most are typical fleets; one is well looked after, one
/// lets antivirus definitions lag and one runs only Linux servers, so that promoting every
/// company and sweeping shows a pass, a warning, a failure and a tenant with nothing to
/// measure side by side.
pub fn config() -> SimConfig {
    SimConfig {
        seed: 2026,
        orgs: 8,
        devices_per_org: 25,
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        live_alerts: Some(LIVE_ALERT_EVERY),
        // The first two organizations ("Acme Ltd", "ACME Ltd") are one customer by name.
        postures: vec![
            OrgPosture::Typical,
            OrgPosture::Typical,
            OrgPosture::WellKept,
            OrgPosture::Lagging,
            OrgPosture::LinuxOnly,
        ],
        ..SimConfig::default()
    }
}

/// Starts the demo simulator on `port` (0: any free port).
pub async fn start(port: u16) -> io::Result<Simulator> {
    Simulator::start_on(config(), port).await
}

/// The loopback port of a saved demo connection's address, so the app can bring its
/// simulator back on the same address after a restart; `None` for any other address.
pub fn loopback_port(base_url: &str) -> Option<u16> {
    let rest = base_url.strip_prefix("http://")?;
    let authority = rest.split('/').next()?;
    let (host, port) = authority.rsplit_once(':')?;
    let loopback = host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    loopback.then(|| port.parse().ok()).flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_loopback_addresses_are_demo_addresses() {
        assert_eq!(loopback_port("http://127.0.0.1:47123"), Some(47123));
        assert_eq!(loopback_port("http://[::1]:47123/"), Some(47123));
        assert_eq!(loopback_port("https://127.0.0.1:47123"), None);
        assert_eq!(loopback_port("http://example.com:47123"), None);
        assert_eq!(loopback_port("https://app.ninjarmm.com"), None);
    }
}
