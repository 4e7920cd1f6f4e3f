//! The `webhook_inbox` table: the receiver's journal of accepted activities (SPEC §7, "an
//! event answered 2xx survives a crash, a kill and a stop"). Rows go in before the receiver
//! answers `202` and come out once the engine has processed them.

use chrono::{DateTime, Utc};
use ninjaone::models::Activity;
use sqlx::SqlitePool;

use super::WriteTx;
use crate::{time, Error, Result};

/// Keeps `activities` (each with an id) in the open transaction. An id already kept is left
/// as it is, so a relay's retry of a delivery does not queue it twice.
pub async fn keep(tx: &mut WriteTx, activities: &[Activity], now: DateTime<Utc>) -> Result<()> {
    let at = time::format(now);
    for activity in activities {
        let Some(id) = activity.id else { continue };
        let json = serde_json::to_string(activity)
            .map_err(|e| Error::Internal(format!("an activity could not be journaled ({e})")))?;
        sqlx::query(
            "INSERT INTO webhook_inbox (activity_id, activity, received_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (activity_id) DO NOTHING",
        )
        .bind(id)
        .bind(json)
        .bind(&at)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Up to `limit` kept activities, in the order they were received.
pub async fn oldest(pool: &SqlitePool, limit: usize) -> Result<Vec<Activity>> {
    let rows: Vec<String> =
        sqlx::query_scalar("SELECT activity FROM webhook_inbox ORDER BY seq LIMIT ?1")
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .fetch_all(pool)
            .await?;
    rows.iter()
        .map(|text| {
            serde_json::from_str(text).map_err(|_| Error::UnknownStoredValue {
                what: "journaled webhook activity",
                value: text.chars().take(80).collect(),
            })
        })
        .collect()
}

/// Removes the processed activities `ids` from the journal.
pub async fn remove(tx: &mut WriteTx, ids: &[i64]) -> Result<()> {
    sqlx::query("DELETE FROM webhook_inbox WHERE activity_id IN (SELECT value FROM json_each(?1))")
        .bind(super::incidents::json_list(ids))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// How many activities wait in the journal.
pub async fn count(pool: &SqlitePool) -> Result<u64> {
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM webhook_inbox")
        .fetch_one(pool)
        .await?;
    Ok(u64::try_from(n).unwrap_or(0))
}
