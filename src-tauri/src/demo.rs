//! Demo mode (README): with `--demo`, or while no connection is saved, the app runs the
//! built-in NinjaOne simulator on loopback and the Connection screen offers its ready-made
//! "Demo tenant". A saved demo connection brings its simulator back on the same port.

use fleetward_core::connection::Connection;
use ninjaone_sim::{demo, Simulator};
use serde::Serialize;
use ts_rs::TS;

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

/// A running demo simulator and its tenant; stops when the app ends.
pub struct Demo {
    pub tenant: DemoTenant,
    _simulator: Simulator,
}

/// On which port the demo should run, if at all: a saved demo connection's port, else the
/// usual port when the demo is wanted (asked for, or nothing saved yet).
pub fn wanted_port(connections: &[Connection], asked: bool) -> Option<u16> {
    let saved = connections
        .iter()
        .filter(|c| c.active)
        .find_map(|c| demo::loopback_port(&c.base_url));
    saved.or((asked || connections.is_empty()).then_some(demo::PORT))
}

pub async fn start(connections: &[Connection], asked: bool) -> Option<Demo> {
    let port = wanted_port(connections, asked)?;
    let started = match demo::start(port).await {
        Ok(simulator) => Ok(simulator),
        // The usual port is taken (another Fleetward's demo?): any free port will do.
        Err(_) if port == demo::PORT => demo::start(0).await,
        Err(err) => Err(err),
    };
    match started {
        Ok(simulator) => {
            tracing::info!(url = %simulator.base_url(), "demo NinjaOne simulator running");
            Some(Demo {
                tenant: DemoTenant {
                    name: demo::NAME.into(),
                    base_url: simulator.base_url(),
                    client_id: demo::CLIENT_ID.into(),
                    client_secret: demo::CLIENT_SECRET.into(),
                },
                _simulator: simulator,
            })
        }
        Err(err) => {
            tracing::warn!(error = %err, "demo mode is unavailable: the simulator could not start");
            None
        }
    }
}
