//! The `leases` table: named leases held by one engine instance at a time (SPEC §9: schedules
//! run in one process only). A lease not renewed before it expires is taken over.

use chrono::{DateTime, Utc};

use super::WriteTx;
use crate::{time, Result};

/// Takes or renews `name` for `holder` until `until`; `false` when another holder's lease
/// has not expired at `now`.
pub async fn take(
    tx: &mut WriteTx,
    name: &str,
    holder: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO leases (name, holder, expires_at) VALUES (?1, ?2, ?3) \
         ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at \
         WHERE leases.holder = excluded.holder OR leases.expires_at < ?4",
    )
    .bind(name)
    .bind(holder)
    .bind(time::format(until))
    .bind(time::format(now))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}
