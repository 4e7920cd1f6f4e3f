//! The `organizations`, `mappings` and `mapping_locations` tables: NinjaOne organizations as
//! last discovered, each with its mapping decision. Organizations are never deleted; one
//! that vanished from NinjaOne keeps its row with `gone_at` set.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use sqlx::{Row, SqliteConnection, SqlitePool};

use super::WriteTx;
use crate::companies::name_key;
use crate::ids::{CompanyId, ConnectionId, NinjaLocationId, NinjaOrgId};
use crate::organizations::{ListedOrganization, MappingState};
use crate::sync::fields::{FieldChoice, FieldGroup};
use crate::{time, Error, Result};

/// One organization with its mapping and its suggested company, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganizationRecord {
    pub org_id: NinjaOrgId,
    pub name: String,
    pub device_count: Option<u32>,
    pub gone: bool,
    pub state: MappingState,
    pub company_id: Option<CompanyId>,
    pub company_name: Option<String>,
    /// The company whose name key equals the organization's.
    pub suggested_company: Option<(CompanyId, String)>,
    pub include_non_agent: bool,
    pub location_ids: Vec<NinjaLocationId>,
    pub fields: FieldChoice,
}

pub async fn known_ids(tx: &mut WriteTx, connection: ConnectionId) -> Result<BTreeSet<NinjaOrgId>> {
    let ids: Vec<i64> =
        sqlx::query_scalar("SELECT org_id FROM organizations WHERE connection_id = ?1")
            .bind(connection.0)
            .fetch_all(&mut **tx)
            .await?;
    Ok(ids.into_iter().map(NinjaOrgId).collect())
}

/// Records an organization as seen now (back from gone, if it was), and gives it a pending
/// mapping when it has none; answers whether the mapping is new.
pub async fn upsert_seen(
    tx: &mut WriteTx,
    connection: ConnectionId,
    org: &ListedOrganization,
    at: DateTime<Utc>,
) -> Result<bool> {
    let at = time::format(at);
    sqlx::query(
        "INSERT INTO organizations (connection_id, org_id, name, name_key, device_count, first_seen_at, last_seen_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) \
         ON CONFLICT (connection_id, org_id) DO UPDATE SET name = excluded.name, name_key = excluded.name_key, \
         device_count = excluded.device_count, last_seen_at = excluded.last_seen_at, gone_at = NULL",
    )
    .bind(connection.0)
    .bind(org.id.0)
    .bind(&org.name)
    .bind(name_key(&org.name))
    .bind(org.device_count)
    .bind(&at)
    .execute(&mut **tx)
    .await?;
    let inserted = sqlx::query(
        "INSERT INTO mappings (connection_id, org_id, state, updated_at) VALUES (?1, ?2, 'pending', ?3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(connection.0)
    .bind(org.id.0)
    .bind(&at)
    .execute(&mut **tx)
    .await?;
    Ok(inserted.rows_affected() > 0)
}

pub async fn mark_gone(
    tx: &mut WriteTx,
    connection: ConnectionId,
    org: NinjaOrgId,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE organizations SET gone_at = coalesce(gone_at, ?3) WHERE connection_id = ?1 AND org_id = ?2",
    )
    .bind(connection.0)
    .bind(org.0)
    .bind(time::format(at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Every organization of a connection, or only `only`: a single row must not cost a full
/// listing, because bulk actions read one row per organization.
pub async fn records(
    pool: &SqlitePool,
    connection: ConnectionId,
    only: Option<NinjaOrgId>,
) -> Result<Vec<OrganizationRecord>> {
    let rows = sqlx::query(
        "SELECT o.org_id, o.name, o.device_count, o.gone_at, m.state, m.company_id, m.include_non_agent, \
                m.sync_software, m.dropped_field_groups, m.custom_fields, \
                c.name AS company_name, s.id AS suggested_id, s.name AS suggested_name, \
                (SELECT group_concat(l.location_id) FROM mapping_locations l \
                  WHERE l.connection_id = o.connection_id AND l.org_id = o.org_id) AS locations \
         FROM organizations o JOIN mappings m ON m.connection_id = o.connection_id AND m.org_id = o.org_id \
         LEFT JOIN companies c ON c.id = m.company_id \
         LEFT JOIN companies s ON s.name_key = o.name_key \
         WHERE o.connection_id = ?1 AND (?2 IS NULL OR o.org_id = ?2) \
         ORDER BY o.name COLLATE NOCASE, o.org_id",
    )
    .bind(connection.0)
    .bind(only.map(|o| o.0))
    .fetch_all(pool)
    .await?;
    rows.iter().map(record_from_row).collect()
}

pub async fn set_mapping(
    tx: &mut WriteTx,
    connection: ConnectionId,
    org: NinjaOrgId,
    state: MappingState,
    company: Option<CompanyId>,
    include_non_agent: Option<bool>,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE mappings SET state = ?1, company_id = ?2, include_non_agent = coalesce(?3, include_non_agent), \
         updated_at = ?4 WHERE connection_id = ?5 AND org_id = ?6",
    )
    .bind(state.as_str())
    .bind(company.map(|c| c.0))
    .bind(include_non_agent)
    .bind(time::format(at))
    .bind(connection.0)
    .bind(org.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What the mapping keeps: optional groups left out, custom fields, software.
pub async fn set_field_choice(
    tx: &mut WriteTx,
    connection: ConnectionId,
    org: NinjaOrgId,
    choice: &FieldChoice,
) -> Result<()> {
    let dropped = choice
        .dropped
        .iter()
        .map(|g| g.as_str())
        .collect::<Vec<_>>()
        .join(",");
    let custom = serde_json::to_string(&choice.custom)
        .map_err(|e| Error::Internal(format!("Custom field names could not be stored: {e}")))?;
    sqlx::query(
        "UPDATE mappings SET dropped_field_groups = ?1, custom_fields = ?2, sync_software = ?3 \
         WHERE connection_id = ?4 AND org_id = ?5",
    )
    .bind(dropped)
    .bind(custom)
    .bind(choice.software)
    .bind(connection.0)
    .bind(org.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A stored field choice: an unknown group name or unreadable custom fields mean a store this
/// version cannot read, which is an error rather than a silent change of what syncs.
fn field_choice_from(row: &sqlx::sqlite::SqliteRow) -> Result<FieldChoice> {
    let dropped_text: String = row.get("dropped_field_groups");
    let mut dropped = BTreeSet::new();
    for name in dropped_text.split(',').filter(|n| !n.is_empty()) {
        dropped.insert(
            FieldGroup::parse(name).ok_or_else(|| Error::UnknownStoredValue {
                what: "field group",
                value: name.to_string(),
            })?,
        );
    }
    let custom_text: String = row.get("custom_fields");
    let mut custom: Vec<String> =
        serde_json::from_str(&custom_text).map_err(|_| Error::UnknownStoredValue {
            what: "custom field list",
            value: custom_text.clone(),
        })?;
    // Sorted, as the driver looks names up by binary search.
    custom.sort();
    custom.dedup();
    Ok(FieldChoice {
        dropped,
        custom,
        software: row.get("sync_software"),
    })
}

pub async fn replace_locations(
    tx: &mut WriteTx,
    connection: ConnectionId,
    org: NinjaOrgId,
    locations: &BTreeSet<NinjaLocationId>,
) -> Result<()> {
    sqlx::query("DELETE FROM mapping_locations WHERE connection_id = ?1 AND org_id = ?2")
        .bind(connection.0)
        .bind(org.0)
        .execute(&mut **tx)
        .await?;
    for location in locations {
        sqlx::query(
            "INSERT INTO mapping_locations (connection_id, org_id, location_id) VALUES (?1, ?2, ?3)",
        )
        .bind(connection.0)
        .bind(org.0)
        .bind(location.0)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Fills the match key of organizations discovered before it was stored (migration 0002):
/// the key needs Unicode normalisation, which SQL cannot do.
pub(crate) async fn backfill_name_keys(conn: &mut SqliteConnection) -> Result<()> {
    let missing: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT connection_id, org_id, name FROM organizations WHERE name_key IS NULL",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (connection, org, name) in missing {
        sqlx::query(
            "UPDATE organizations SET name_key = ?1 WHERE connection_id = ?2 AND org_id = ?3",
        )
        .bind(name_key(&name))
        .bind(connection)
        .bind(org)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

fn record_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<OrganizationRecord> {
    let state: String = row.get("state");
    let state = MappingState::parse(&state).ok_or(Error::UnknownStoredValue {
        what: "mapping state",
        value: state,
    })?;
    let mut location_ids: Vec<NinjaLocationId> = row
        .get::<Option<String>, _>("locations")
        .unwrap_or_default()
        .split(',')
        .filter_map(|id| id.trim().parse().ok())
        .map(NinjaLocationId)
        .collect();
    location_ids.sort();
    let suggested_id: Option<i64> = row.get("suggested_id");
    let suggested_name: Option<String> = row.get("suggested_name");
    Ok(OrganizationRecord {
        org_id: NinjaOrgId(row.get("org_id")),
        name: row.get("name"),
        device_count: row
            .get::<Option<i64>, _>("device_count")
            .map(|c| c.max(0) as u32),
        gone: row.get::<Option<String>, _>("gone_at").is_some(),
        state,
        company_id: row.get::<Option<i64>, _>("company_id").map(CompanyId),
        company_name: row.get("company_name"),
        suggested_company: suggested_id.map(CompanyId).zip(suggested_name),
        include_non_agent: row.get("include_non_agent"),
        location_ids,
        fields: field_choice_from(row)?,
    })
}

/// The mapped organizations of active connections (of one company, when given), with their
/// options: what a sync covers.
pub async fn sync_targets(
    pool: &SqlitePool,
    company: Option<CompanyId>,
) -> Result<Vec<crate::sync::SyncTarget>> {
    let rows = sqlx::query(
        "SELECT m.connection_id, m.org_id, m.company_id, m.include_non_agent, \
                m.sync_software, m.dropped_field_groups, m.custom_fields, \
                (SELECT coalesce(o.device_count, 0) FROM organizations o \
                  WHERE o.connection_id = m.connection_id AND o.org_id = m.org_id) AS devices, \
                (SELECT group_concat(l.location_id) FROM mapping_locations l \
                  WHERE l.connection_id = m.connection_id AND l.org_id = m.org_id) AS locations \
         FROM mappings m JOIN connections c ON c.id = m.connection_id \
         WHERE m.state = 'mapped' AND c.active = 1 AND (?1 IS NULL OR m.company_id = ?1) \
         ORDER BY m.company_id, m.connection_id, m.org_id",
    )
    .bind(company.map(|c| c.0))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(crate::sync::SyncTarget {
                connection: ConnectionId(row.get("connection_id")),
                org: NinjaOrgId(row.get("org_id")),
                company: CompanyId(row.get("company_id")),
                locations: row
                    .get::<Option<String>, _>("locations")
                    .unwrap_or_default()
                    .split(',')
                    .filter_map(|id| id.trim().parse().ok())
                    .map(NinjaLocationId)
                    .collect(),
                include_non_agent: row.get("include_non_agent"),
                expected_devices: row.get::<i64, _>("devices").clamp(0, i64::from(u32::MAX)) as u32,
                fields: field_choice_from(row)?,
            })
        })
        .collect()
}

/// Devices of the connection's whole tenant at the last discovery (organizations still
/// present), or `None` when no discovery has counted them.
pub async fn tenant_devices(pool: &SqlitePool, connection: ConnectionId) -> Result<Option<u64>> {
    let total: Option<i64> = sqlx::query_scalar(
        "SELECT sum(device_count) FROM organizations WHERE connection_id = ?1 AND gone_at IS NULL",
    )
    .bind(connection.0)
    .fetch_one(pool)
    .await?;
    Ok(total.map(|n| n.max(0) as u64))
}
