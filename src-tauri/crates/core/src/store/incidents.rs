//! The incident tables: `incidents` (grouping state and what the screen shows),
//! `processed_activities` (idempotency by activity id, and recent events for the rule
//! preview), `poll_cursors` (watermark and last reconciliation), `incident_devices` (where
//! devices met in activities belong), `alert_rules`, and the incident tickets of `tickets`.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqlitePool};

use super::WriteTx;
use crate::ids::{AssetId, CompanyId, ConnectionId, NinjaOrgId};
use crate::incidents::grouping::{Details, Resolved, SeriesState};
use crate::incidents::{
    AlertRule, EventSummary, Incident, IncidentId, IncidentSeverity, IncidentStatus, IncidentTally,
    Resolution, RuleAction, StatusFilter,
};
use crate::organizations::MappingState;
use crate::{time, Error, Result};

// --- idempotency -------------------------------------------------------------------------

/// Which of `ids` this connection has processed already (one statement for a whole batch).
pub async fn processed_among(
    tx: &mut WriteTx,
    connection: ConnectionId,
    ids: &[i64],
) -> Result<HashSet<i64>> {
    let found: Vec<i64> = sqlx::query_scalar(
        "SELECT activity_id FROM processed_activities \
         WHERE connection_id = ?1 AND activity_id IN (SELECT value FROM json_each(?2))",
    )
    .bind(connection.0)
    .bind(json_list(ids))
    .fetch_all(&mut **tx)
    .await?;
    Ok(found.into_iter().collect())
}

/// Rows per multi-row statement: far below SQLite's 32,766 parameters, and a statement
/// short enough to prepare quickly.
const ROWS_PER_STATEMENT: usize = 200;

/// A JSON array of `items`, for `IN (SELECT value FROM json_each(?))`: one parameter for a
/// list of any length.
pub(super) fn json_list<T: serde::Serialize>(items: &[T]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".into())
}

fn placeholders(rows: usize, columns: usize) -> String {
    let row = format!("({})", vec!["?"; columns].join(", "));
    vec![row; rows].join(", ")
}

/// Marks a batch's activities processed (idempotency by id, and the recent events), a few
/// statements instead of one per activity.
pub async fn mark_processed_many(
    tx: &mut WriteTx,
    connection: ConnectionId,
    summaries: &[EventSummary],
    at: DateTime<Utc>,
) -> Result<()> {
    let at = time::format(at);
    for chunk in summaries.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT OR IGNORE INTO processed_activities (connection_id, activity_id, processed_at, outcome, summary) \
             VALUES {}",
            placeholders(chunk.len(), 5)
        );
        let mut query = sqlx::query(&sql);
        for summary in chunk {
            query = query
                .bind(connection.0)
                .bind(summary.activity_id)
                .bind(at.clone())
                .bind(summary.outcome.clone())
                .bind(serde_json::to_string(summary).unwrap_or_else(|_| "{}".into()));
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Which of `ids` have been processed already (by any connection).
pub async fn seen(pool: &SqlitePool, ids: &[i64]) -> Result<Vec<i64>> {
    let mut found = Vec::new();
    for id in ids {
        let hit: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM processed_activities WHERE activity_id = ?1 LIMIT 1")
                .bind(id)
                .fetch_optional(pool)
                .await?;
        if hit.is_some() {
            found.push(*id);
        }
    }
    Ok(found)
}

/// The newest events received, newest first.
pub async fn recent_events(pool: &SqlitePool, limit: u32) -> Result<Vec<EventSummary>> {
    let rows = sqlx::query(
        "SELECT connection_id, processed_at, summary FROM processed_activities \
         ORDER BY processed_at DESC, activity_id DESC LIMIT ?1",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?;
    Ok(rows
        .iter()
        .map(|row| {
            let text: String = row.get("summary");
            let mut summary: EventSummary = serde_json::from_str(&text).unwrap_or_default();
            summary.connection_id = Some(ConnectionId(row.get("connection_id")));
            summary.received_at = row.try_get("processed_at").ok();
            summary
        })
        .collect())
}

/// How many processed activities ended with each outcome.
pub async fn outcome_counts(pool: &SqlitePool) -> Result<HashMap<String, u64>> {
    let rows =
        sqlx::query("SELECT outcome, count(*) AS n FROM processed_activities GROUP BY outcome")
            .fetch_all(pool)
            .await?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                r.get::<String, _>("outcome"),
                r.get::<i64, _>("n").max(0) as u64,
            )
        })
        .collect())
}

// --- poll cursors ------------------------------------------------------------------------

/// The watermark (newest activity id polled) and the last reconciliation of a connection.
pub async fn cursor(
    pool: &SqlitePool,
    connection: ConnectionId,
) -> Result<Option<(i64, Option<DateTime<Utc>>)>> {
    let row = sqlx::query(
        "SELECT last_activity_id, reconciled_at FROM poll_cursors WHERE connection_id = ?1",
    )
    .bind(connection.0)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| {
        (
            r.get("last_activity_id"),
            r.try_get("reconciled_at").ok().flatten(),
        )
    }))
}

/// Moves the watermark forward (never back: two processes may poll at once).
pub async fn advance_cursor(tx: &mut WriteTx, connection: ConnectionId, id: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO poll_cursors (connection_id, last_activity_id) VALUES (?1, ?2) \
         ON CONFLICT (connection_id) DO UPDATE SET last_activity_id = max(last_activity_id, excluded.last_activity_id)",
    )
    .bind(connection.0)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn mark_reconciled(
    tx: &mut WriteTx,
    connection: ConnectionId,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query("UPDATE poll_cursors SET reconciled_at = ?2 WHERE connection_id = ?1")
        .bind(connection.0)
        .bind(time::format(at))
        .execute(&mut **tx)
        .await?;
    Ok(())
}

// --- where devices belong ------------------------------------------------------------------

/// Where a device belongs, as far as the store knows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DevicePlace {
    pub org: Option<NinjaOrgId>,
    pub node_class: Option<String>,
    pub name: Option<String>,
    pub asset: Option<AssetId>,
}

/// The synced assets of devices (by NinjaOne device id, text as the sync stores it), each
/// device's best last: active, then stale, then the newest. Searches `assets_by_device`
/// (migration 0008), whose expression this must repeat word for word.
const ASSETS_OF_DEVICES: &str =
    "SELECT id, org_id, node_class, name, json_extract(fields, '$.\"identity.deviceId\"') AS device FROM assets \
     WHERE connection_id = ?1 AND source = 'ninjaone' \
       AND json_extract(fields, '$.\"identity.deviceId\"') IN (SELECT value FROM json_each(?2)) \
     ORDER BY (status = 'active') ASC, (status = 'stale') ASC, id ASC";

/// Where each device belongs, in two statements for any number of devices: its synced asset,
/// else what was learned when it was met before in activities and alerts. Devices found
/// nowhere are absent.
pub async fn device_places(
    pool: &SqlitePool,
    connection: ConnectionId,
    devices: &[i64],
) -> Result<HashMap<i64, DevicePlace>> {
    let mut out = HashMap::new();
    if devices.is_empty() {
        return Ok(out);
    }
    let known = sqlx::query(
        "SELECT device_id, org_id, node_class, name FROM incident_devices \
         WHERE connection_id = ?1 AND device_id IN (SELECT value FROM json_each(?2))",
    )
    .bind(connection.0)
    .bind(json_list(devices))
    .fetch_all(pool)
    .await?;
    for k in known {
        out.insert(
            k.get::<i64, _>("device_id"),
            DevicePlace {
                org: k.get::<Option<i64>, _>("org_id").map(NinjaOrgId),
                node_class: k.get("node_class"),
                name: k.get("name"),
                asset: None,
            },
        );
    }
    // The synced asset wins over a device met before.
    let as_text: Vec<String> = devices.iter().map(i64::to_string).collect();
    let assets = sqlx::query(ASSETS_OF_DEVICES)
        .bind(connection.0)
        .bind(json_list(&as_text))
        .fetch_all(pool)
        .await?;
    // Ascending preference: the last row of a device is its best, and overwrites the others.
    for a in assets {
        let Some(device) = a
            .get::<Option<String>, _>("device")
            .and_then(|d| d.parse::<i64>().ok())
        else {
            continue;
        };
        out.insert(
            device,
            DevicePlace {
                org: a.get::<Option<i64>, _>("org_id").map(NinjaOrgId),
                node_class: a.get("node_class"),
                name: a.get("name"),
                asset: Some(AssetId(a.get("id"))),
            },
        );
    }
    Ok(out)
}

pub async fn remember_device(
    tx: &mut WriteTx,
    connection: ConnectionId,
    device: i64,
    place: &DevicePlace,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO incident_devices (connection_id, device_id, org_id, node_class, name) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (connection_id, device_id) DO UPDATE SET org_id = excluded.org_id, \
         node_class = excluded.node_class, name = excluded.name",
    )
    .bind(connection.0)
    .bind(device)
    .bind(place.org.map(|o| o.0))
    .bind(&place.node_class)
    .bind(&place.name)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A mapping's decision, with its company's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgMapping {
    pub state: MappingState,
    pub company: Option<(CompanyId, String)>,
}

pub async fn mappings(
    pool: &SqlitePool,
    connection: ConnectionId,
) -> Result<HashMap<NinjaOrgId, OrgMapping>> {
    let rows = sqlx::query(
        "SELECT m.org_id, m.state, m.company_id, c.name FROM mappings m \
         LEFT JOIN companies c ON c.id = m.company_id WHERE m.connection_id = ?1",
    )
    .bind(connection.0)
    .fetch_all(pool)
    .await?;
    let mut out = HashMap::new();
    for r in rows {
        let state: String = r.get("state");
        let state = MappingState::parse(&state).ok_or_else(|| Error::UnknownStoredValue {
            what: "mapping state",
            value: state.clone(),
        })?;
        let company = r.get::<Option<i64>, _>("company_id").map(|id| {
            (
                CompanyId(id),
                r.get::<Option<String>, _>("name").unwrap_or_default(),
            )
        });
        out.insert(NinjaOrgId(r.get("org_id")), OrgMapping { state, company });
    }
    Ok(out)
}

// --- incidents -----------------------------------------------------------------------------

/// An incident's grouping state, for the next observation.
pub struct StoredState {
    pub id: IncidentId,
    pub state: SeriesState,
}

const STATE_COLUMNS: &str = "id, count, first_seen, last_seen, last_trigger_id, last_resolve_id, resolved_at, resolution, \
     title, severity, actions, series_uid, activity_type, status_code, source_name, ninja_severity, ninja_priority, \
     device_id, device_name, device_class, org_id, company_id, asset_id, seed_id";

pub async fn state(
    tx: &mut WriteTx,
    connection: ConnectionId,
    key: &str,
) -> Result<Option<StoredState>> {
    let row = sqlx::query(&format!(
        "SELECT {STATE_COLUMNS} FROM incidents WHERE connection_id = ?1 AND key = ?2"
    ))
    .bind(connection.0)
    .bind(key)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| state_from_row(&r)).transpose()
}

/// The grouping states of `keys` (those that exist), by key, in one statement.
pub async fn states(
    tx: &mut WriteTx,
    connection: ConnectionId,
    keys: &[&str],
) -> Result<HashMap<String, StoredState>> {
    let rows = sqlx::query(&format!(
        "SELECT key, {STATE_COLUMNS} FROM incidents \
         WHERE connection_id = ?1 AND key IN (SELECT value FROM json_each(?2))"
    ))
    .bind(connection.0)
    .bind(json_list(keys))
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| Ok((r.get::<String, _>("key"), state_from_row(r)?)))
        .collect()
}

fn state_from_row(r: &SqliteRow) -> Result<StoredState> {
    let count: i64 = r.get("count");
    let severity: String = r.get("severity");
    let actions: String = r.get("actions");
    let resolution: Option<String> = r.get("resolution");
    let last_resolve = match (
        r.get::<Option<i64>, _>("last_resolve_id"),
        r.try_get::<Option<DateTime<Utc>>, _>("resolved_at")?,
    ) {
        (Some(id), Some(at)) => Some(Resolved {
            id,
            at,
            how: resolution
                .as_deref()
                .and_then(Resolution::parse)
                .unwrap_or(Resolution::Reset),
        }),
        _ => None,
    };
    let visible = count > 0;
    Ok(StoredState {
        id: IncidentId(r.get("id")),
        state: SeriesState {
            count: count.max(0) as u32,
            first_seen: visible.then(|| r.try_get("first_seen")).transpose()?,
            last_seen: visible.then(|| r.try_get("last_seen")).transpose()?,
            last_trigger_id: r.get("last_trigger_id"),
            last_resolve,
            details: Details {
                title: r.get("title"),
                severity: IncidentSeverity::parse(&severity).ok_or_else(|| {
                    Error::UnknownStoredValue {
                        what: "incident severity",
                        value: severity.clone(),
                    }
                })?,
                actions: serde_json::from_str(&actions).unwrap_or_default(),
                series_uid: r.get("series_uid"),
                activity_type: r.get("activity_type"),
                status_code: r.get("status_code"),
                source_name: r.get("source_name"),
                ninja_severity: r.get("ninja_severity"),
                ninja_priority: r.get("ninja_priority"),
                device_id: r.get("device_id"),
                device_name: r.get("device_name"),
                device_class: r.get("device_class"),
                org_id: r.get::<Option<i64>, _>("org_id").map(NinjaOrgId),
                company_id: r.get::<Option<i64>, _>("company_id").map(CompanyId),
                asset_id: r.get::<Option<i64>, _>("asset_id").map(AssetId),
            },
            seed: r.get("seed_id"),
        },
    })
}

/// Writes an incident's state (insert or update); a reopened incident loses its
/// acknowledgement.
pub async fn save(
    tx: &mut WriteTx,
    connection: ConnectionId,
    key: &str,
    s: &SeriesState,
    reopened: bool,
    now: DateTime<Utc>,
) -> Result<IncidentId> {
    let d = &s.details;
    let placeholder = time::format(now);
    let first = s
        .first_seen
        .map(time::format)
        .unwrap_or(placeholder.clone());
    let last = s.last_seen.map(time::format).unwrap_or(placeholder);
    let status = s.status();
    let resolved = (status == IncidentStatus::Resolved)
        .then_some(())
        .and(s.last_resolve);
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO incidents (key, connection_id, status, severity, count, title, device_id, org_id, first_seen, \
         last_seen, resolved_at, company_id, asset_id, device_name, device_class, series_uid, activity_type, status_code, \
         source_name, ninja_severity, ninja_priority, actions, last_trigger_id, last_resolve_id, resolution, seed_id) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?27) \
         ON CONFLICT (connection_id, key) DO UPDATE SET status = excluded.status, severity = excluded.severity, \
         count = excluded.count, title = excluded.title, device_id = excluded.device_id, org_id = excluded.org_id, \
         first_seen = excluded.first_seen, last_seen = excluded.last_seen, resolved_at = excluded.resolved_at, \
         company_id = excluded.company_id, asset_id = excluded.asset_id, device_name = excluded.device_name, \
         device_class = excluded.device_class, series_uid = excluded.series_uid, activity_type = excluded.activity_type, \
         status_code = excluded.status_code, source_name = excluded.source_name, ninja_severity = excluded.ninja_severity, \
         ninja_priority = excluded.ninja_priority, actions = excluded.actions, last_trigger_id = excluded.last_trigger_id, \
         last_resolve_id = excluded.last_resolve_id, resolution = excluded.resolution, seed_id = excluded.seed_id, \
         acknowledged_at = CASE WHEN ?26 THEN NULL ELSE acknowledged_at END \
         RETURNING id",
    )
    .bind(key)
    .bind(connection.0)
    .bind(status.as_str())
    .bind(d.severity.as_str())
    .bind(s.count)
    .bind(&d.title)
    .bind(d.device_id)
    .bind(d.org_id.map(|o| o.0))
    .bind(first)
    .bind(last)
    .bind(s.last_resolve.map(|r| time::format(r.at)))
    .bind(d.company_id.map(|c| c.0))
    .bind(d.asset_id.map(|a| a.0))
    .bind(&d.device_name)
    .bind(&d.device_class)
    .bind(&d.series_uid)
    .bind(&d.activity_type)
    .bind(&d.status_code)
    .bind(&d.source_name)
    .bind(&d.ninja_severity)
    .bind(&d.ninja_priority)
    .bind(serde_json::to_string(&d.actions).unwrap_or_else(|_| "[]".into()))
    .bind(s.last_trigger_id)
    .bind(s.last_resolve.map(|r| r.id))
    .bind(resolved.map(|r| r.how.as_str()).or(s.last_resolve.map(|r| r.how.as_str())))
    .bind(reopened)
    .bind(s.seed)
    .fetch_one(&mut **tx)
    .await?;
    Ok(IncidentId(id))
}

/// [`save`] for many incidents, a few statements for a whole batch; their ids by key.
/// Reopened incidents (`reopened`) lose their acknowledgement.
pub async fn save_many(
    tx: &mut WriteTx,
    connection: ConnectionId,
    states: &[(&str, &SeriesState)],
    reopened: &[&str],
    now: DateTime<Utc>,
) -> Result<HashMap<String, IncidentId>> {
    let placeholder = time::format(now);
    let mut ids = HashMap::with_capacity(states.len());
    for chunk in states.chunks(ROWS_PER_STATEMENT) {
        let sql = format!(
            "INSERT INTO incidents (key, connection_id, status, severity, count, title, device_id, org_id, first_seen, \
             last_seen, resolved_at, company_id, asset_id, device_name, device_class, series_uid, activity_type, status_code, \
             source_name, ninja_severity, ninja_priority, actions, last_trigger_id, last_resolve_id, resolution, seed_id) \
             VALUES {} \
             ON CONFLICT (connection_id, key) DO UPDATE SET {SAVE_UPDATES} \
             RETURNING id, key",
            placeholders(chunk.len(), 26)
        );
        let mut query = sqlx::query(&sql);
        for (key, s) in chunk {
            let d = &s.details;
            let status = s.status();
            let resolved = (status == IncidentStatus::Resolved)
                .then_some(())
                .and(s.last_resolve);
            query = query
                .bind(key.to_string())
                .bind(connection.0)
                .bind(status.as_str())
                .bind(d.severity.as_str())
                .bind(s.count)
                .bind(d.title.clone())
                .bind(d.device_id)
                .bind(d.org_id.map(|o| o.0))
                .bind(
                    s.first_seen
                        .map(time::format)
                        .unwrap_or(placeholder.clone()),
                )
                .bind(s.last_seen.map(time::format).unwrap_or(placeholder.clone()))
                .bind(s.last_resolve.map(|r| time::format(r.at)))
                .bind(d.company_id.map(|c| c.0))
                .bind(d.asset_id.map(|a| a.0))
                .bind(d.device_name.clone())
                .bind(d.device_class.clone())
                .bind(d.series_uid.clone())
                .bind(d.activity_type.clone())
                .bind(d.status_code.clone())
                .bind(d.source_name.clone())
                .bind(d.ninja_severity.clone())
                .bind(d.ninja_priority.clone())
                .bind(serde_json::to_string(&d.actions).unwrap_or_else(|_| "[]".into()))
                .bind(s.last_trigger_id)
                .bind(s.last_resolve.map(|r| r.id))
                .bind(
                    resolved
                        .map(|r| r.how.as_str())
                        .or(s.last_resolve.map(|r| r.how.as_str())),
                )
                .bind(s.seed);
        }
        for row in query.fetch_all(&mut **tx).await? {
            ids.insert(row.get("key"), IncidentId(row.get("id")));
        }
    }
    if !reopened.is_empty() {
        sqlx::query(
            "UPDATE incidents SET acknowledged_at = NULL \
             WHERE connection_id = ?1 AND key IN (SELECT value FROM json_each(?2))",
        )
        .bind(connection.0)
        .bind(json_list(reopened))
        .execute(&mut **tx)
        .await?;
    }
    Ok(ids)
}

/// The columns an upsert of an incident's state replaces.
const SAVE_UPDATES: &str = "status = excluded.status, severity = excluded.severity, \
     count = excluded.count, title = excluded.title, device_id = excluded.device_id, org_id = excluded.org_id, \
     first_seen = excluded.first_seen, last_seen = excluded.last_seen, resolved_at = excluded.resolved_at, \
     company_id = excluded.company_id, asset_id = excluded.asset_id, device_name = excluded.device_name, \
     device_class = excluded.device_class, series_uid = excluded.series_uid, activity_type = excluded.activity_type, \
     status_code = excluded.status_code, source_name = excluded.source_name, ninja_severity = excluded.ninja_severity, \
     ninja_priority = excluded.ninja_priority, actions = excluded.actions, last_trigger_id = excluded.last_trigger_id, \
     last_resolve_id = excluded.last_resolve_id, resolution = excluded.resolution, seed_id = excluded.seed_id";

/// The state of one incident by id, with its connection and key.
pub async fn state_by_id(
    tx: &mut WriteTx,
    id: IncidentId,
) -> Result<Option<(ConnectionId, String, SeriesState)>> {
    let row = sqlx::query(&format!(
        "SELECT connection_id, key, {STATE_COLUMNS} FROM incidents WHERE id = ?1 AND count > 0"
    ))
    .bind(id.0)
    .fetch_optional(&mut **tx)
    .await?;
    row.map(|r| {
        let stored = state_from_row(&r)?;
        Ok((
            ConnectionId(r.get::<Option<i64>, _>("connection_id").unwrap_or_default()),
            r.get("key"),
            stored.state,
        ))
    })
    .transpose()
}

pub async fn acknowledge(tx: &mut WriteTx, id: IncidentId, at: DateTime<Utc>) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE incidents SET acknowledged_at = coalesce(acknowledged_at, ?2) WHERE id = ?1 AND count > 0",
    )
    .bind(id.0)
    .bind(time::format(at))
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Open incidents of a connection that NinjaOne lists as alerts while they last (opened by a
/// TRIGGERED condition, keyed by series or by configuration and device): (key, newest
/// trigger id, org). Incidents a rule made of another status code (a failed backup) are not
/// alerts, and are left to their own resolution.
pub async fn open_series(
    tx: &mut WriteTx,
    connection: ConnectionId,
) -> Result<Vec<(String, i64, Option<NinjaOrgId>)>> {
    let rows = sqlx::query(
        "SELECT key, last_trigger_id, org_id FROM incidents \
         WHERE connection_id = ?1 AND status = 'open' AND status_code = 'TRIGGERED' AND count > 0",
    )
    .bind(connection.0)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .iter()
        .map(|r| {
            (
                r.get("key"),
                r.get::<Option<i64>, _>("last_trigger_id")
                    .unwrap_or_default(),
                r.get::<Option<i64>, _>("org_id").map(NinjaOrgId),
            )
        })
        .collect())
}

const LIST_COLUMNS: &str = "i.id, i.key, i.connection_id, i.status, i.severity, i.count, i.title, i.first_seen, i.last_seen, \
     i.resolved_at, i.resolution, i.acknowledged_at, i.company_id, c.name AS company_name, i.org_id, i.device_id, \
     i.device_name, i.device_class, i.asset_id, i.activity_type, i.status_code, i.source_name, i.ninja_severity, \
     i.ninja_priority, i.actions";

/// Incidents, open first, then by last seen (newest first).
pub async fn list(pool: &SqlitePool, filter: StatusFilter) -> Result<Vec<Incident>> {
    let status = match filter {
        StatusFilter::Open => Some("open"),
        StatusFilter::Resolved => Some("resolved"),
        StatusFilter::All => None,
    };
    let rows = sqlx::query(&format!(
        "SELECT {LIST_COLUMNS} FROM incidents i LEFT JOIN companies c ON c.id = i.company_id \
         WHERE i.count > 0 AND (?1 IS NULL OR i.status = ?1) \
         ORDER BY i.status = 'open' DESC, i.last_seen DESC, i.id DESC"
    ))
    .bind(status)
    .fetch_all(pool)
    .await?;
    rows.iter().map(incident_from_row).collect()
}

pub async fn get(pool: &SqlitePool, id: IncidentId) -> Result<Option<Incident>> {
    let row = sqlx::query(&format!(
        "SELECT {LIST_COLUMNS} FROM incidents i LEFT JOIN companies c ON c.id = i.company_id \
         WHERE i.id = ?1 AND i.count > 0"
    ))
    .bind(id.0)
    .fetch_optional(pool)
    .await?;
    row.map(|r| incident_from_row(&r)).transpose()
}

fn incident_from_row(r: &SqliteRow) -> Result<Incident> {
    let unknown = |what: &'static str, value: String| Error::UnknownStoredValue { what, value };
    let status: String = r.get("status");
    let severity: String = r.get("severity");
    let actions: String = r.get("actions");
    let resolution: Option<String> = r.get("resolution");
    let status =
        IncidentStatus::parse(&status).ok_or_else(|| unknown("incident status", status.clone()))?;
    Ok(Incident {
        id: IncidentId(r.get("id")),
        key: r.get("key"),
        connection_id: r.get::<Option<i64>, _>("connection_id").map(ConnectionId),
        status,
        severity: IncidentSeverity::parse(&severity)
            .ok_or_else(|| unknown("incident severity", severity.clone()))?,
        count: r.get::<i64, _>("count").max(0) as u32,
        title: r.get("title"),
        first_seen: r.try_get("first_seen")?,
        last_seen: r.try_get("last_seen")?,
        resolved_at: if status == IncidentStatus::Resolved {
            r.try_get("resolved_at")?
        } else {
            None
        },
        resolution: if status == IncidentStatus::Resolved {
            resolution.as_deref().and_then(Resolution::parse)
        } else {
            None
        },
        acknowledged_at: r.try_get("acknowledged_at")?,
        company_id: r.get::<Option<i64>, _>("company_id").map(CompanyId),
        company_name: r.get("company_name"),
        org_id: r.get::<Option<i64>, _>("org_id").map(NinjaOrgId),
        device_id: r.get("device_id"),
        device_name: r.get("device_name"),
        device_class: r.get("device_class"),
        asset_id: r.get::<Option<i64>, _>("asset_id").map(AssetId),
        activity_type: r.get("activity_type"),
        status_code: r.get("status_code"),
        source_name: r.get("source_name"),
        ninja_severity: r.get("ninja_severity"),
        ninja_priority: r.get("ninja_priority"),
        actions: serde_json::from_str::<Vec<RuleAction>>(&actions).unwrap_or_default(),
    })
}

pub async fn tally(pool: &SqlitePool) -> Result<IncidentTally> {
    let row = sqlx::query(
        "SELECT count(*) AS open, coalesce(sum(severity IN ('high', 'critical')), 0) AS serious \
         FROM incidents WHERE status = 'open' AND count > 0",
    )
    .fetch_one(pool)
    .await?;
    let open = row.get::<i64, _>("open").max(0) as u32;
    let serious = row.get::<i64, _>("serious").max(0) as u32;
    Ok(IncidentTally {
        open,
        open_high_or_critical: serious,
        attention: serious > 0,
    })
}

// --- tickets -------------------------------------------------------------------------------

/// Opens a ticket for an incident in the local queue unless one is open for it already;
/// answers whether one was opened.
pub async fn open_ticket(
    tx: &mut WriteTx,
    company: CompanyId,
    signal: &str,
    high: bool,
    title: &str,
    detail: &str,
    at: DateTime<Utc>,
) -> Result<bool> {
    let at = time::format(at);
    let done = sqlx::query(
        "INSERT OR IGNORE INTO tickets (company_id, signal, priority, status, title, detail, opened_at, updated_at) \
         VALUES (?1, ?2, ?3, 'open', ?4, ?5, ?6, ?6)",
    )
    .bind(company.0)
    .bind(signal)
    .bind(if high { "high" } else { "normal" })
    .bind(title)
    .bind(detail)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

// --- alert rules ---------------------------------------------------------------------------

pub async fn rules(pool: &SqlitePool) -> Result<Vec<AlertRule>> {
    let rows = sqlx::query(
        "SELECT name, matcher, severity, actions, enabled FROM alert_rules ORDER BY position, id",
    )
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let matcher: String = r.get("matcher");
            let severity: String = r.get("severity");
            let actions: String = r.get("actions");
            Ok(AlertRule {
                name: r.get("name"),
                enabled: r.get("enabled"),
                when: serde_json::from_str(&matcher).map_err(|_| Error::UnknownStoredValue {
                    what: "alert rule condition",
                    value: matcher.clone(),
                })?,
                severity: IncidentSeverity::parse(&severity),
                actions: serde_json::from_str(&actions).map_err(|_| Error::UnknownStoredValue {
                    what: "alert rule actions",
                    value: actions.clone(),
                })?,
            })
        })
        .collect()
}

/// Replaces the whole ordered list.
pub async fn replace_rules(tx: &mut WriteTx, rules: &[AlertRule]) -> Result<()> {
    sqlx::query("DELETE FROM alert_rules")
        .execute(&mut **tx)
        .await?;
    for (position, rule) in rules.iter().enumerate() {
        sqlx::query(
            "INSERT INTO alert_rules (position, name, matcher, severity, actions, enabled) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .bind(position as i64)
        .bind(rule.name.trim())
        .bind(serde_json::to_string(&rule.when).unwrap_or_else(|_| "{}".into()))
        // The column is NOT NULL: "ninjaone" means NinjaOne's severity mapped through.
        .bind(rule.severity.map_or("ninjaone", |s| s.as_str()))
        .bind(serde_json::to_string(&rule.actions).unwrap_or_else(|_| "[]".into()))
        .bind(rule.enabled)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Store, StoreKey};

    /// SQLite's plan for `sql` with its two parameters bound, one step per line.
    async fn plan(store: &Store, sql: &str) -> Vec<String> {
        sqlx::query(&format!("EXPLAIN QUERY PLAN {sql}"))
            .bind(1_i64)
            .bind(r#"["1001", "1002"]"#)
            .fetch_all(store.pool())
            .await
            .unwrap()
            .iter()
            .map(|row| row.get::<String, _>("detail"))
            .collect()
    }

    #[tokio::test]
    async fn placing_devices_searches_the_device_index_instead_of_reading_every_asset() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path(), &StoreKey::generate())
            .await
            .unwrap();
        let steps = plan(&store, ASSETS_OF_DEVICES).await;
        assert!(
            steps
                .iter()
                .any(|s| s.contains("assets USING INDEX assets_by_device")),
            "{steps:#?}"
        );
        assert!(
            !steps.iter().any(|s| s.starts_with("SCAN assets")),
            "{steps:#?}"
        );
        store.close().await;
    }
}
