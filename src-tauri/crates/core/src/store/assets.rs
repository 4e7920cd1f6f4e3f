//! The `assets` table. Assets are never deleted: retiring keeps the row with its reason.

use chrono::{DateTime, Utc};
use futures::TryStreamExt;

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

use std::collections::BTreeMap;

use sqlx::{Row, SqlitePool};

use crate::assets::{Asset, AssetSource, AssetStatus, FieldChange};
use crate::ids::{AssetId, CompanyId, NinjaOrgId, RunId};
use crate::sync::plan::StoredAsset;
use crate::sync::AssetDraft;
use crate::Error;

/// The assets one mapping brought in before, for the plan.
pub async fn stored_for_mapping(
    tx: &mut WriteTx,
    company: CompanyId,
    connection: ConnectionId,
    org: NinjaOrgId,
) -> Result<Vec<StoredAsset>> {
    let rows = sqlx::query(
        "SELECT id, external_id, status, retired_reason, fields FROM assets \
         WHERE company_id = ?1 AND source = 'ninjaone' AND connection_id = ?2 AND org_id = ?3",
    )
    .bind(company.0)
    .bind(connection.0)
    .bind(org.0)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter().map(stored_from_row).collect()
}

/// The assets of one company from one imported source with these external ids: what an
/// import's chunk of rows is planned against, so an import never loads the whole company.
pub async fn stored_for_source_ids(
    tx: &mut WriteTx,
    company: CompanyId,
    source: AssetSource,
    external_ids: &[&str],
) -> Result<Vec<StoredAsset>> {
    let ids = serde_json::to_string(external_ids).unwrap_or_else(|_| "[]".into());
    let rows = sqlx::query(
        "SELECT id, external_id, status, retired_reason, fields FROM assets \
         WHERE company_id = ?1 AND source = ?2 AND external_id IN (SELECT value FROM json_each(?3))",
    )
    .bind(company.0)
    .bind(source.as_str())
    .bind(ids)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter().map(stored_from_row).collect()
}

fn stored_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<StoredAsset> {
    Ok(StoredAsset {
        id: AssetId(row.get("id")),
        external_id: row.get("external_id"),
        status: status(row.get("status"))?,
        retired_reason: row.get("retired_reason"),
        fields: crate::sync::Fields::from_json(row.get("fields")),
    })
}

/// Where a new asset belongs.
pub struct Placement {
    pub company: CompanyId,
    pub source: AssetSource,
    pub connection: Option<ConnectionId>,
    pub org: Option<NinjaOrgId>,
}

/// Creates an asset. A row of the same company, source and id (a device moved between two
/// organizations of one company) is taken over instead of duplicated.
/// How many new assets one `INSERT` statement writes (16 values each, well under SQLite's
/// limit of 32,766 bound values).
const INSERT_ROWS_PER_STATEMENT: usize = 500;

/// Inserts new assets placed at `place`, each with its serial key; an asset whose external id
/// is already stored there (retired, say) is overwritten and active again. Many rows go in
/// one statement: a first sync writes tens of thousands.
pub async fn insert_many(
    tx: &mut WriteTx,
    place: &Placement,
    drafts: &[(&AssetDraft, Option<String>)],
    at: DateTime<Utc>,
) -> Result<()> {
    let at = time::format(at);
    for chunk in drafts.chunks(INSERT_ROWS_PER_STATEMENT) {
        let mut insert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO assets (company_id, source, external_id, uid, connection_id, org_id, name, serial_number, \
             serial_key, mac_addresses, node_class, status, fields, first_seen_at, last_seen_at, updated_at) ",
        );
        insert.push_values(chunk, |mut row, (draft, serial_key)| {
            row.push_bind(place.company.0)
                .push_bind(place.source.as_str())
                .push_bind(&draft.external_id)
                .push_bind(&draft.uid)
                .push_bind(place.connection.map(|c| c.0))
                .push_bind(place.org.map(|o| o.0))
                .push_bind(&draft.name)
                .push_bind(&draft.serial_number)
                .push_bind(serial_key.as_deref())
                .push_bind(
                    serde_json::to_string(&draft.mac_addresses).unwrap_or_else(|_| "[]".into()),
                )
                .push_bind(&draft.node_class)
                .push_bind("active")
                .push_bind(draft.fields.json())
                .push_bind(&at)
                .push_bind(&at)
                .push_bind(&at);
        });
        insert.push(
            " ON CONFLICT (company_id, source, external_id) DO UPDATE SET uid = excluded.uid, \
             connection_id = excluded.connection_id, org_id = excluded.org_id, name = excluded.name, \
             serial_number = excluded.serial_number, serial_key = excluded.serial_key, \
             mac_addresses = excluded.mac_addresses, node_class = excluded.node_class, status = 'active', \
             retired_reason = NULL, retired_by = NULL, fields = excluded.fields, last_seen_at = excluded.last_seen_at, \
             updated_at = excluded.updated_at",
        );
        // Not cached: the statement's text differs with the number of rows.
        insert.build().persistent(false).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Writes an asset's new data, and its new status when it changes.
pub async fn update(
    tx: &mut WriteTx,
    id: AssetId,
    draft: &AssetDraft,
    serial_key: Option<&str>,
    status: Option<AssetStatus>,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        // A partly read draft (?11) keeps the stored values of what it lacks.
        "UPDATE assets SET uid = CASE WHEN ?11 THEN coalesce(?1, uid) ELSE ?1 END, \
         name = CASE WHEN ?11 THEN coalesce(?2, name) ELSE ?2 END, \
         serial_number = CASE WHEN ?11 AND ?3 IS NULL THEN serial_number ELSE ?3 END, \
         serial_key = CASE WHEN ?11 AND ?3 IS NULL THEN serial_key ELSE ?4 END, \
         mac_addresses = CASE WHEN ?11 AND ?5 = '[]' THEN mac_addresses ELSE ?5 END, \
         node_class = CASE WHEN ?11 THEN coalesce(?6, node_class) ELSE ?6 END, \
         fields = ?7, last_seen_at = ?8, updated_at = ?8, \
         status = coalesce(?9, status), retired_reason = CASE WHEN ?9 = 'active' THEN NULL ELSE retired_reason END \
         WHERE id = ?10",
    )
    .bind(&draft.uid)
    .bind(&draft.name)
    .bind(&draft.serial_number)
    .bind(serial_key)
    .bind(serde_json::to_string(&draft.mac_addresses).unwrap_or_else(|_| "[]".into()))
    .bind(&draft.node_class)
    .bind(draft.fields.json())
    .bind(time::format(at))
    .bind(status.map(AssetStatus::as_str))
    .bind(id.0)
    .bind(draft.partly_read)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn mark_stale(tx: &mut WriteTx, id: AssetId, at: DateTime<Utc>) -> Result<()> {
    sqlx::query(
        "UPDATE assets SET status = 'stale', updated_at = ?1 WHERE id = ?2 AND status = 'active'",
    )
    .bind(time::format(at))
    .bind(id.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// One field-change audit row (SPEC §4), never pruned.
pub async fn record_change(
    tx: &mut WriteTx,
    asset: AssetId,
    run: Option<RunId>,
    (field, old, new): &(String, Option<String>, Option<String>),
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO asset_field_changes (asset_id, run_id, field, old_value, new_value, changed_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .bind(asset.0)
    .bind(run.map(|r| r.0))
    .bind(field)
    .bind(old)
    .bind(new)
    .bind(time::format(at))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

const ASSET_COLUMNS: &str = "SELECT id, company_id, source, external_id, uid, name, serial_number, node_class, \
     status, retired_reason, connection_id, org_id, first_seen_at, last_seen_at, updated_at FROM assets";

/// Assets, optionally of one company and one status, by company then name.
pub async fn list(
    pool: &SqlitePool,
    company: Option<CompanyId>,
    status: Option<AssetStatus>,
) -> Result<Vec<Asset>> {
    let rows = sqlx::query(&format!(
        "{ASSET_COLUMNS} WHERE (?1 IS NULL OR company_id = ?1) AND (?2 IS NULL OR status = ?2) \
         ORDER BY company_id, name COLLATE NOCASE, id"
    ))
    .bind(company.map(|c| c.0))
    .bind(status.map(AssetStatus::as_str))
    .fetch_all(pool)
    .await?;
    rows.iter().map(asset_from_row).collect()
}

/// One asset with its curated fields.
pub async fn get(
    pool: &SqlitePool,
    id: AssetId,
) -> Result<Option<(Asset, BTreeMap<String, String>)>> {
    let row = sqlx::query(&format!(
        "SELECT a.*, f.fields AS all_fields FROM ({ASSET_COLUMNS} WHERE id = ?1) a \
         JOIN assets f ON f.id = a.id"
    ))
    .bind(id.0)
    .fetch_optional(pool)
    .await?;
    row.map(|row| {
        let fields: String = row.get("all_fields");
        Ok((
            asset_from_row(&row)?,
            serde_json::from_str(&fields).unwrap_or_default(),
        ))
    })
    .transpose()
}

/// An asset's field history, newest first.
pub async fn history(pool: &SqlitePool, id: AssetId) -> Result<Vec<FieldChange>> {
    let rows = sqlx::query(
        "SELECT changed_at, field, old_value, new_value, run_id FROM asset_field_changes \
         WHERE asset_id = ?1 ORDER BY id DESC",
    )
    .bind(id.0)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(FieldChange {
                at: row.try_get("changed_at")?,
                field: row.get("field"),
                old_value: row.get("old_value"),
                new_value: row.get("new_value"),
                run_id: row.get::<Option<i64>, _>("run_id").map(RunId),
            })
        })
        .collect()
}

fn status(text: String) -> Result<AssetStatus> {
    AssetStatus::parse(&text).ok_or(Error::UnknownStoredValue {
        what: "asset status",
        value: text,
    })
}

fn asset_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<Asset> {
    let source: String = row.get("source");
    Ok(Asset {
        id: AssetId(row.get("id")),
        company_id: CompanyId(row.get("company_id")),
        source: AssetSource::parse(&source).ok_or(Error::UnknownStoredValue {
            what: "asset source",
            value: source,
        })?,
        external_id: row.get("external_id"),
        uid: row.get("uid"),
        name: row.get("name"),
        serial_number: row.get("serial_number"),
        node_class: row.get("node_class"),
        status: status(row.get("status"))?,
        retired_reason: row.get("retired_reason"),
        connection_id: row.get::<Option<i64>, _>("connection_id").map(ConnectionId),
        org_id: row.get::<Option<i64>, _>("org_id").map(NinjaOrgId),
        first_seen_at: row.try_get("first_seen_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Every asset of a company that dedup may compare: all sources, not retired.
pub async fn dedup_candidates(
    tx: &mut WriteTx,
    company: CompanyId,
) -> Result<Vec<crate::sync::dedup::DedupCandidate>> {
    use crate::sync::dedup::{hostname_key, mac_key, DedupCandidate};
    // Only assets that can share a group (SPEC §4): a serial another asset has too, no
    // serial but a name and MACs, or a name and MACs while some asset without a serial has
    // them. An asset alone in its group is never retired, so leaving the rest out changes
    // nothing, and a company of a million assets with their own serials loads none of them.
    let mut rows = sqlx::query(
        "SELECT id, source, serial_key, name, mac_addresses FROM assets \
         WHERE company_id = ?1 AND status != 'retired' AND ( \
           serial_key IN (SELECT serial_key FROM assets WHERE company_id = ?1 AND status != 'retired' \
                          AND serial_key IS NOT NULL GROUP BY serial_key HAVING count(*) > 1) \
           OR (name IS NOT NULL AND mac_addresses != '[]' AND (serial_key IS NULL OR EXISTS ( \
               SELECT 1 FROM assets WHERE company_id = ?1 AND status != 'retired' AND serial_key IS NULL \
               AND name IS NOT NULL AND mac_addresses != '[]'))))",
    )
    .bind(company.0)
    .fetch(&mut **tx);
    let mut candidates = Vec::new();
    while let Some(row) = rows.try_next().await? {
        let source: String = row.get("source");
        let macs: String = row.get("mac_addresses");
        let macs: Vec<String> = serde_json::from_str(&macs).unwrap_or_default();
        candidates.push(DedupCandidate {
            id: AssetId(row.get("id")),
            source: AssetSource::parse(&source).ok_or(Error::UnknownStoredValue {
                what: "asset source",
                value: source,
            })?,
            serial_key: row.get("serial_key"),
            hostname_key: row
                .get::<Option<String>, _>("name")
                .as_deref()
                .and_then(hostname_key),
            mac_keys: macs.iter().filter_map(|m| mac_key(m)).collect(),
        });
    }
    Ok(candidates)
}

/// Retires the lower-precedence copy of a machine, naming the winner (SPEC §4).
pub async fn retire_duplicate(
    tx: &mut WriteTx,
    loser: AssetId,
    winner: AssetId,
    reason: &RetiredReason,
    at: DateTime<Utc>,
) -> Result<()> {
    sqlx::query(
        "UPDATE assets SET status = 'retired', retired_reason = ?1, retired_by = ?2, updated_at = ?3 WHERE id = ?4",
    )
    .bind(reason.to_string())
    .bind(winner.0)
    .bind(time::format(at))
    .bind(loser.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
