//! Compliance tenants (SPEC §5, §6). Signals, evidence and tickets arrive with the compliance
//! capability; today this module owns what a disconnect means for a compliance tenant.

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
