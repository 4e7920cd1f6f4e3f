//! Compliance evidence (SPEC §5, §6): for every company promoted to a compliance tenant, five
//! aggregate-only signals, kept as expiring evidence mapped to controls, and findings turned
//! into tickets.
//!
//! One file per signal holds its rule as a pure function of fetched rows and the sweep time
//! (`disk_encryption`, `antivirus_posture`, `patch_sla`, `backup_activity`,
//! `device_inventory`); `signal` holds the shared types; `rows` a company's inputs; `fetch`
//! the NinjaOne driver that reads each report once for every tenant; `sweep` the
//! orchestrator (runs, single flight per tenant, per-company transactions); `tickets` the
//! rule that opens, updates and closes tickets; `export` the CSV and JSON for a PSA.

pub mod antivirus_posture;
pub mod backup_activity;
pub mod device_inventory;
pub mod disk_encryption;
pub mod evidence;
pub mod export;
pub mod fetch;
pub mod patch_sla;
pub mod rows;
pub mod signal;
pub mod sweep;
pub mod tickets;

pub use signal::{Signal, SignalKind, SignalMetadata, SignalStatus};

use chrono::{DateTime, Utc};

use crate::audit::{AuditAction, Scope};
use crate::ids::ConnectionId;
use crate::store::{self, WriteTx};
use crate::Result;

/// SPEC §6: every compliance tenant the connection fed gets a `NINJAONE_DISCONNECTED` audit
/// row with the number of signals already collected; the signals stay and expire on their
/// own. Returns how many tenants were told.
pub async fn record_disconnect(
    tx: &mut WriteTx,
    connection: ConnectionId,
    connection_name: &str,
    at: DateTime<Utc>,
) -> Result<usize> {
    let tenants = store::compliance::tenants_fed_by(tx, connection).await?;
    for fed in &tenants {
        store::audit::record(
            tx,
            at,
            Scope::Tenant(fed.company, &fed.tenant),
            AuditAction::NinjaoneDisconnected,
            &disconnect_detail(connection_name, fed.signals_collected),
        )
        .await?;
    }
    Ok(tenants.len())
}

fn disconnect_detail(connection_name: &str, signals: u64) -> String {
    format!("{connection_name} disconnected; {signals} signals already collected stay until they expire")
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_disconnect_row_carries_the_signal_count() {
        assert_eq!(
            super::disconnect_detail("EU tenant", 12),
            "EU tenant disconnected; 12 signals already collected stay until they expire"
        );
    }
}
