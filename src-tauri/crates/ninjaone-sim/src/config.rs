//! What a simulator serves and whom it lets in. Kept apart from the server so the binary,
//! tests and demo mode build it the same way.

use std::sync::Arc;
use std::time::Duration;

use fleetward_clock::Clock;

pub use crate::tenant::OrgPosture;

/// Settings of one simulated NinjaOne tenant.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Seed of every generated value: the same seed serves the same tenant.
    pub seed: u64,
    pub orgs: usize,
    pub devices_per_org: usize,
    pub client_id: String,
    pub client_secret: String,
    /// Space-separated scopes returned in the token answer's `scope`.
    pub granted_scopes: String,
    pub token_lifetime_secs: u64,
    /// How well the first generated organizations are looked after: the n-th entry is the
    /// n-th organization's; the others are [`OrgPosture::Typical`]. Lets the demo show every
    /// compliance status among its customers.
    pub postures: Vec<OrgPosture>,
    /// Wall-clock time: the anchor that generated data is dated from, token and cursor
    /// expiry, and every "now" in an answer. Tests share a manual clock with the client.
    pub clock: Arc<dyn Clock>,
    /// Live alerts (the demo tenant): every period a condition triggers on some device and
    /// resets on its own minutes later, on `clock`. `None` keeps the tenant still.
    pub live_alerts: Option<Duration>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 1,
            orgs: 5,
            devices_per_org: 20,
            client_id: "sim-client".into(),
            client_secret: "sim-secret".into(),
            granted_scopes: "monitoring".into(),
            token_lifetime_secs: 3600,
            postures: Vec::new(),
            clock: fleetward_clock::system(),
            live_alerts: None,
        }
    }
}
