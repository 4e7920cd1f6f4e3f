//! The `companies` table. Names are unique by their match key in the schema (migration 0002),
//! so two processes creating the same company at the same moment end with one company.

use chrono::{DateTime, Utc};
use sqlx::{Row, SqlitePool};

use super::WriteTx;
use crate::companies::{name_key, Company};
use crate::error::is_unique_violation;
use crate::ids::{CompanyId, ComplianceTenantId};
use crate::{time, Result};

const QUERY: &str = "SELECT c.id, c.name, c.compliance_tenant_id, c.created_at, \
     (SELECT count(*) FROM mappings m WHERE m.company_id = c.id AND m.state = 'mapped') AS mapped, \
     (SELECT count(*) FROM assets a WHERE a.company_id = c.id AND a.status = 'active') AS assets, \
     (SELECT r.started_at FROM run_companies rc JOIN runs r ON r.id = rc.run_id \
       WHERE rc.company_id = c.id ORDER BY r.id DESC LIMIT 1) AS last_synced_at, \
     (SELECT group_concat(rc.error, ' ') FROM run_companies rc WHERE rc.company_id = c.id AND rc.run_id = \
       (SELECT max(rc2.run_id) FROM run_companies rc2 WHERE rc2.company_id = c.id)) AS last_sync_error \
     FROM companies c";

pub async fn list(pool: &SqlitePool) -> Result<Vec<Company>> {
    let rows = sqlx::query(&format!("{QUERY} ORDER BY c.name COLLATE NOCASE, c.id"))
        .fetch_all(pool)
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn get(pool: &SqlitePool, id: CompanyId) -> Result<Option<Company>> {
    let row = sqlx::query(&format!("{QUERY} WHERE c.id = ?1"))
        .bind(id.0)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The company whose name matches `name` by its key.
pub async fn id_named(tx: &mut WriteTx, name: &str) -> Result<Option<CompanyId>> {
    let id: Option<i64> = sqlx::query_scalar("SELECT id FROM companies WHERE name_key = ?1")
        .bind(name_key(name))
        .fetch_optional(&mut **tx)
        .await?;
    Ok(id.map(CompanyId))
}

pub async fn exists(tx: &mut WriteTx, id: CompanyId) -> Result<bool> {
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM companies WHERE id = ?1")
        .bind(id.0)
        .fetch_optional(&mut **tx)
        .await?;
    Ok(found.is_some())
}

/// Inserts a company, or answers `None` when one with the same name key exists (also when
/// another process inserted it a moment ago: the unique index decides, not a prior read).
pub async fn insert(tx: &mut WriteTx, name: &str, at: DateTime<Utc>) -> Result<Option<CompanyId>> {
    let inserted = sqlx::query_scalar::<_, i64>(
        "INSERT INTO companies (name, name_key, created_at) VALUES (?1, ?2, ?3) RETURNING id",
    )
    .bind(name)
    .bind(name_key(name))
    .bind(time::format(at))
    .fetch_one(&mut **tx)
    .await;
    match inserted {
        Ok(id) => Ok(Some(CompanyId(id))),
        Err(err) if is_unique_violation(&err) => Ok(None),
        Err(err) => Err(err.into()),
    }
}

/// Renames; `false` when another company already has the new name's key.
pub async fn rename(tx: &mut WriteTx, id: CompanyId, name: &str) -> Result<bool> {
    let renamed = sqlx::query("UPDATE companies SET name = ?1, name_key = ?2 WHERE id = ?3")
        .bind(name)
        .bind(name_key(name))
        .bind(id.0)
        .execute(&mut **tx)
        .await;
    match renamed {
        Ok(_) => Ok(true),
        Err(err) if is_unique_violation(&err) => Ok(false),
        Err(err) => Err(err.into()),
    }
}

/// Sets the compliance tenant id unless the company already has one.
pub async fn set_compliance_tenant(
    tx: &mut WriteTx,
    id: CompanyId,
    tenant: &ComplianceTenantId,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE companies SET compliance_tenant_id = ?1 WHERE id = ?2 AND compliance_tenant_id IS NULL",
    )
    .bind(tenant.as_str())
    .bind(id.0)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() > 0)
}

fn from_row(row: &sqlx::sqlite::SqliteRow) -> Result<Company> {
    Ok(Company {
        id: CompanyId(row.get("id")),
        name: row.get("name"),
        compliance_tenant_id: row
            .get::<Option<String>, _>("compliance_tenant_id")
            .map(ComplianceTenantId::from_stored),
        mapped_organizations: row.get::<i64, _>("mapped") as u32,
        assets: row.get::<i64, _>("assets") as u32,
        created_at: row.try_get("created_at")?,
        last_synced_at: row.try_get("last_synced_at")?,
        last_sync_error: row.get("last_sync_error"),
    })
}
