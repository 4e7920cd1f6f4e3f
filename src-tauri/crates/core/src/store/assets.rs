//! The `assets` table. Assets are never deleted: retiring keeps the row with its reason.

use chrono::{DateTime, Utc};

use super::WriteTx;
use crate::assets::RetiredReason;
use crate::ids::ConnectionId;
use crate::{time, Result};

/// Retires every active or stale NinjaOne asset a connection brought in; returns how many.
pub async fn retire_from_connection(
    tx: &mut WriteTx,
    connection: ConnectionId,
    reason: &RetiredReason,
    at: DateTime<Utc>,
) -> Result<u64> {
    let done = sqlx::query(
        "UPDATE assets SET status = 'retired', retired_reason = ?1, updated_at = ?2 \
         WHERE connection_id = ?3 AND source = 'ninjaone' AND status != 'retired'",
    )
    .bind(reason.to_string())
    .bind(time::format(at))
    .bind(connection.0)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}
