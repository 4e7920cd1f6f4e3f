//! The `mapping_locks` table: single flight per mapping across processes (SPEC §9). A lock is
//! held by one engine instance and renewed while it works; one whose holder stopped renewing
//! (a killed process) is taken over.

use chrono::{DateTime, Utc};
use sqlx::SqlitePool;

use super::WriteTx;
use crate::ids::{ConnectionId, NinjaOrgId};
use crate::{time, Result};

/// Takes the lock of a mapping for `holder`, or answers `false` when another holder renewed
/// it after `stale_before`.
pub async fn take(
    tx: &mut WriteTx,
    connection: ConnectionId,
    org: NinjaOrgId,
    holder: &str,
    now: DateTime<Utc>,
    stale_before: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO mapping_locks (connection_id, org_id, holder, acquired_at, heartbeat_at) \
         VALUES (?1, ?2, ?3, ?4, ?4) \
         ON CONFLICT (connection_id, org_id) DO UPDATE SET holder = excluded.holder, \
         acquired_at = excluded.acquired_at, heartbeat_at = excluded.heartbeat_at \
         WHERE mapping_locks.holder = excluded.holder OR mapping_locks.heartbeat_at < ?5",
    )
    .bind(connection.0)
    .bind(org.0)
    .bind(holder)
    .bind(time::format(now))
    .bind(time::format(stale_before))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The holders of the locks of these mappings other than `holder`.
pub async fn other_holders(tx: &mut WriteTx, holder: &str) -> Result<Vec<String>> {
    Ok(
        sqlx::query_scalar("SELECT DISTINCT holder FROM mapping_locks WHERE holder != ?1")
            .bind(holder)
            .fetch_all(&mut **tx)
            .await?,
    )
}

/// Drops every lock of a holder that is gone.
pub async fn forget_holder(tx: &mut WriteTx, holder: &str) -> Result<()> {
    sqlx::query("DELETE FROM mapping_locks WHERE holder = ?1")
        .bind(holder)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Renews every lock `holder` has.
pub async fn renew(pool: &SqlitePool, holder: &str, now: DateTime<Utc>) -> Result<()> {
    sqlx::query("UPDATE mapping_locks SET heartbeat_at = ?1 WHERE holder = ?2")
        .bind(time::format(now))
        .bind(holder)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn release(
    pool: &SqlitePool,
    holder: &str,
    connection: ConnectionId,
    org: NinjaOrgId,
) -> Result<()> {
    sqlx::query(
        "DELETE FROM mapping_locks WHERE holder = ?1 AND connection_id = ?2 AND org_id = ?3",
    )
    .bind(holder)
    .bind(connection.0)
    .bind(org.0)
    .execute(pool)
    .await?;
    Ok(())
}
