//! Demo mode: a built-in NinjaOne simulator on loopback and a ready "Demo tenant"
//! connection draft, so a newcomer can test, save and map without credentials (README). The
//! simulated tenant is fixed by its seed, so every demo shows the same organizations.

use ninjaone_sim::{SimConfig, Simulator};
use serde::Serialize;
use ts_rs::TS;

use crate::connection::ConnectionDraft;
use crate::{Error, Result};

/// The demo tenant's API client. Not a secret: it only opens the local simulator.
pub const DEMO_CLIENT_ID: &str = "fleetward-demo";
pub const DEMO_CLIENT_SECRET: &str = "demo-secret";
pub const DEMO_NAME: &str = "Demo tenant";

/// What the Connection screen pre-fills in demo mode.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DemoTenant {
    pub name: String,
    pub base_url: String,
    pub client_id: String,
    /// Only opens the local simulator, so it may be shown.
    pub client_secret: String,
}

impl DemoTenant {
    pub fn draft(&self) -> ConnectionDraft {
        ConnectionDraft {
            name: Some(self.name.clone()),
            region: None,
            base_url: Some(self.base_url.clone()),
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.clone(),
        }
    }
}

/// A running demo simulator. Dropping it stops nothing; call [`Demo::shutdown`].
pub struct Demo {
    simulator: Simulator,
    tenant: DemoTenant,
}

impl Demo {
    /// Starts the simulator on `port` (0: any free port).
    pub async fn start(port: u16) -> Result<Demo> {
        let config = SimConfig {
            seed: 2026,
            orgs: 8,
            devices_per_org: 25,
            client_id: DEMO_CLIENT_ID.into(),
            client_secret: DEMO_CLIENT_SECRET.into(),
            ..SimConfig::default()
        };
        let simulator = Simulator::start_on(config, port).await.map_err(|e| {
            Error::Internal(format!("The demo NinjaOne simulator could not start on 127.0.0.1:{port}: {e}. Close whatever uses that port, or restart Fleetward."))
        })?;
        let tenant = DemoTenant {
            name: DEMO_NAME.into(),
            base_url: simulator.base_url(),
            client_id: DEMO_CLIENT_ID.into(),
            client_secret: DEMO_CLIENT_SECRET.into(),
        };
        Ok(Demo { simulator, tenant })
    }

    pub fn tenant(&self) -> &DemoTenant {
        &self.tenant
    }

    pub async fn shutdown(self) {
        self.simulator.shutdown().await;
    }
}

/// The loopback port of a saved demo connection, so the app can bring its simulator back
/// on the same address after a restart.
pub fn loopback_port(base_url: &str) -> Option<u16> {
    let url = url::Url::parse(base_url).ok()?;
    let host = url.host_str()?;
    let loopback = host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    (loopback && url.scheme() == "http")
        .then(|| url.port())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_http_loopback_addresses_are_demo_addresses() {
        assert_eq!(loopback_port("http://127.0.0.1:47123"), Some(47123));
        assert_eq!(loopback_port("https://127.0.0.1:47123"), None);
        assert_eq!(loopback_port("https://app.ninjarmm.com"), None);
    }
}
