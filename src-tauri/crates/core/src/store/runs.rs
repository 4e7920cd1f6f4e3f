//! The `runs` and `run_companies` tables: every sync (and later sweep and poll) with its
//! trigger, scope, status, counts, requests and errors (SPEC §4). Run details are pruned after
//! the retention period; the field-change audit they are referenced from is kept.

use chrono::{DateTime, Utc};
use sqlx::{Row, SqlitePool};

use super::WriteTx;
use crate::engine::Trigger;
use crate::ids::{CompanyId, ConnectionId, NinjaOrgId, RunId};
use crate::runs::{RunCompanyRow, RunKind, RunRow};
use crate::sync::{CompanySync, RunStatus, SyncCounts};
use crate::{time, Error, Result};

pub async fn start(
    tx: &mut WriteTx,
    kind: RunKind,
    trigger: Trigger,
    scope: &str,
    at: DateTime<Utc>,
) -> Result<RunId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO runs (kind, trigger, scope, started_at, status) VALUES (?1, ?2, ?3, ?4, 'running') RETURNING id",
    )
    .bind(kind.as_str())
    .bind(trigger.as_str())
    .bind(scope)
    .bind(time::format(at))
    .fetch_one(&mut **tx)
    .await?;
    Ok(RunId(id))
}

/// One mapping's outcome, written in the same transaction as its assets.
pub async fn record_company(tx: &mut WriteTx, run: RunId, part: &CompanySync) -> Result<()> {
    let c = &part.counts;
    sqlx::query(
        "INSERT INTO run_companies (run_id, company_id, connection_id, org_id, created, updated, unchanged, \
         stale, retired_duplicates, skipped_pending, skipped_rejected, truncated, error, unreadable) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) \
         ON CONFLICT (run_id, connection_id, org_id) DO UPDATE SET created = excluded.created, \
         updated = excluded.updated, unchanged = excluded.unchanged, stale = excluded.stale, \
         retired_duplicates = excluded.retired_duplicates, skipped_pending = excluded.skipped_pending, \
         skipped_rejected = excluded.skipped_rejected, truncated = excluded.truncated, error = excluded.error, \
         unreadable = excluded.unreadable",
    )
    .bind(run.0)
    .bind(part.company_id.0)
    .bind(part.connection_id.0)
    .bind(part.org_id.0)
    .bind(c.created)
    .bind(c.updated)
    .bind(c.unchanged)
    .bind(c.stale)
    .bind(c.retired_duplicates)
    .bind(c.skipped_pending)
    .bind(c.skipped_rejected)
    .bind(part.truncated)
    .bind(&part.error)
    .bind(c.unreadable)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// How a run ended; `counts` are the kind's own (a sync's totals, a sweep's counts).
pub struct Finish<'a, C: serde::Serialize = SyncCounts> {
    pub status: RunStatus,
    pub truncated_any: bool,
    pub requests: u64,
    pub malformed_items: u64,
    pub counts: &'a C,
    pub errors: &'a [String],
}

pub async fn finish<C: serde::Serialize>(
    pool: &SqlitePool,
    run: RunId,
    end: &Finish<'_, C>,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE runs SET status = ?1, finished_at = ?2, truncated_any = ?3, requests = ?4, counts = ?5, errors = ?6, \
         malformed_items = ?8 WHERE id = ?7",
    )
    .bind(end.status.as_str())
    .bind(time::format(at))
    .bind(end.truncated_any)
    .bind(end.requests as i64)
    .bind(serde_json::to_string(end.counts).unwrap_or_else(|_| "{}".into()))
    .bind(serde_json::to_string(end.errors).unwrap_or_else(|_| "[]".into()))
    .bind(run.0)
    .bind(end.malformed_items as i64)
    .execute(pool)
    .await?;
    Ok(())
}

/// Ends a run whose counts are not a sync's (a poll): `counts` is stored as JSON.
pub async fn finish_with<C: serde::Serialize>(
    pool: &SqlitePool,
    run: RunId,
    status: RunStatus,
    requests: u64,
    counts: &C,
    errors: &[String],
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE runs SET status = ?1, finished_at = ?2, requests = ?3, counts = ?4, errors = ?5 WHERE id = ?6",
    )
    .bind(status.as_str())
    .bind(time::format(at))
    .bind(requests as i64)
    .bind(serde_json::to_string(counts).unwrap_or_else(|_| "{}".into()))
    .bind(serde_json::to_string(errors).unwrap_or_else(|_| "[]".into()))
    .bind(run.0)
    .execute(pool)
    .await?;
    Ok(())
}

/// When the last run of `kind` started.
pub async fn last_started(pool: &SqlitePool, kind: RunKind) -> Result<Option<DateTime<Utc>>> {
    Ok(
        sqlx::query_scalar("SELECT max(started_at) FROM runs WHERE kind = ?1")
            .bind(kind.as_str())
            .fetch_one(pool)
            .await?,
    )
}

/// Newest first.
pub async fn list(pool: &SqlitePool, limit: u32) -> Result<Vec<RunRow>> {
    let rows = sqlx::query(
        "SELECT id, kind, trigger, scope, status, started_at, finished_at, truncated_any, requests, malformed_items, counts, errors \
         FROM runs ORDER BY id DESC LIMIT ?1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    rows.iter().map(from_row).collect()
}

/// A sync run's mappings, by company name then organization.
pub async fn companies(pool: &SqlitePool, run: RunId) -> Result<Vec<RunCompanyRow>> {
    let rows = sqlx::query(
        "SELECT rc.company_id, c.name AS company_name, rc.connection_id, rc.org_id, rc.created, rc.updated, \
         rc.unchanged, rc.stale, rc.retired_duplicates, rc.skipped_pending, rc.skipped_rejected, rc.truncated, rc.error, rc.unreadable \
         FROM run_companies rc LEFT JOIN companies c ON c.id = rc.company_id \
         WHERE rc.run_id = ?1 ORDER BY c.name COLLATE NOCASE, rc.company_id, rc.org_id",
    )
    .bind(run.0)
    .fetch_all(pool)
    .await?;
    let count =
        |row: &sqlx::sqlite::SqliteRow, column: &str| row.get::<i64, _>(column).max(0) as u32;
    Ok(rows
        .iter()
        .map(|r| RunCompanyRow {
            company_id: CompanyId(r.get("company_id")),
            company_name: r.get("company_name"),
            connection_id: ConnectionId(r.get("connection_id")),
            org_id: NinjaOrgId(r.get("org_id")),
            counts: SyncCounts {
                created: count(r, "created"),
                updated: count(r, "updated"),
                unchanged: count(r, "unchanged"),
                stale: count(r, "stale"),
                retired_duplicates: count(r, "retired_duplicates"),
                skipped_pending: count(r, "skipped_pending"),
                skipped_rejected: count(r, "skipped_rejected"),
                unreadable: count(r, "unreadable"),
            },
            truncated: r.get("truncated"),
            error: r.get("error"),
        })
        .collect())
}

/// When the last sync of everything started (what a schedule tick is compared with).
pub async fn last_full_sync(pool: &SqlitePool) -> Result<Option<DateTime<Utc>>> {
    Ok(
        sqlx::query_scalar(
            "SELECT max(started_at) FROM runs WHERE kind = 'sync' AND scope = 'all'",
        )
        .fetch_one(pool)
        .await?,
    )
}

/// When the last sweep of every compliance tenant started (what a sweep tick is compared with).
pub async fn last_full_sweep(pool: &SqlitePool) -> Result<Option<DateTime<Utc>>> {
    Ok(sqlx::query_scalar(
        "SELECT max(started_at) FROM runs WHERE kind = 'sweep' AND scope = 'all'",
    )
    .fetch_one(pool)
    .await?)
}

/// Deletes run details that started before `before`; field changes keep their row and
/// lose only the reference to the run. Returns how many runs went.
pub async fn prune(tx: &mut WriteTx, before: DateTime<Utc>) -> Result<u64> {
    let before = time::format(before);
    sqlx::query(
        "UPDATE asset_field_changes SET run_id = NULL \
         WHERE run_id IN (SELECT id FROM runs WHERE started_at < ?1 AND status != 'running')",
    )
    .bind(&before)
    .execute(&mut **tx)
    .await?;
    let done = sqlx::query("DELETE FROM runs WHERE started_at < ?1 AND status != 'running'")
        .bind(&before)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}

fn from_row(row: &sqlx::sqlite::SqliteRow) -> Result<RunRow> {
    let unknown = |what: &'static str, value: String| Error::UnknownStoredValue { what, value };
    let kind: String = row.get("kind");
    let trigger: String = row.get("trigger");
    let status: String = row.get("status");
    let kind = RunKind::parse(&kind).ok_or_else(|| unknown("run kind", kind.clone()))?;
    let counts: String = row.get("counts");
    let errors: String = row.get("errors");
    Ok(RunRow {
        id: RunId(row.get("id")),
        kind,
        trigger: Trigger::parse(&trigger).ok_or_else(|| unknown("run trigger", trigger.clone()))?,
        scope: row.get("scope"),
        status: RunStatus::parse(&status).ok_or_else(|| unknown("run status", status.clone()))?,
        started_at: row.try_get("started_at")?,
        ended_at: row.try_get("finished_at")?,
        requests: row.get::<i64, _>("requests").max(0) as u64,
        malformed_items: row.get::<i64, _>("malformed_items").max(0) as u64,
        truncated_any: row.get("truncated_any"),
        counts: (kind == RunKind::Sync)
            .then(|| serde_json::from_str(&counts).ok())
            .flatten(),
        sweep: (kind == RunKind::Sweep)
            .then(|| serde_json::from_str(&counts).ok())
            .flatten(),
        errors: serde_json::from_str(&errors).unwrap_or_default(),
    })
}

/// Names the engine instance running `run`, so others can tell when it died.
pub async fn held_by(tx: &mut WriteTx, run: RunId, holder: &str) -> Result<()> {
    sqlx::query("UPDATE runs SET holder = ?1 WHERE id = ?2")
        .bind(holder)
        .bind(run.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Asks the process running `run` to stop at its next safe point. Returns the run's status
/// when asked (`Running` when the request was recorded), `None` when there is no such run.
pub async fn request_cancel(pool: &SqlitePool, run: RunId) -> Result<Option<RunStatus>> {
    let asked = sqlx::query(
        "UPDATE runs SET cancel_requested = 1 WHERE id = ?1 AND status = 'running' RETURNING id",
    )
    .bind(run.0)
    .fetch_optional(pool)
    .await?;
    if asked.is_some() {
        return Ok(Some(RunStatus::Running));
    }
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM runs WHERE id = ?1")
        .bind(run.0)
        .fetch_optional(pool)
        .await?;
    status
        .map(|s| {
            RunStatus::parse(&s).ok_or(Error::UnknownStoredValue {
                what: "run status",
                value: s,
            })
        })
        .transpose()
}

pub async fn cancel_requested(pool: &SqlitePool, run: RunId) -> Result<bool> {
    Ok(
        sqlx::query_scalar("SELECT cancel_requested FROM runs WHERE id = ?1")
            .bind(run.0)
            .fetch_optional(pool)
            .await?
            .unwrap_or(false),
    )
}

/// The holders of runs still marked running.
pub async fn running_holders(pool: &SqlitePool) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT holder FROM runs WHERE status = 'running' AND holder IS NOT NULL",
    )
    .fetch_all(pool)
    .await?)
}

/// Ends the runs of a holder that died mid-run: they failed, with why and what to do.
pub async fn interrupted(
    tx: &mut WriteTx,
    holder: &str,
    error: &str,
    at: DateTime<Utc>,
) -> Result<u64> {
    let errors = serde_json::to_string(&[error]).unwrap_or_else(|_| "[]".into());
    let done = sqlx::query(
        "UPDATE runs SET status = 'failed', finished_at = ?1, errors = ?2 \
         WHERE status = 'running' AND holder = ?3",
    )
    .bind(time::format(at))
    .bind(errors)
    .bind(holder)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}
