//! The `audit_events` table: appended to inside the transaction of the change it records,
//! never updated or pruned.

use chrono::{DateTime, Utc};
use sqlx::{Row, SqlitePool};

use super::WriteTx;
use crate::audit::{AuditAction, AuditEvent, Scope};
use crate::ids::CompanyId;
use crate::{time, Error, Result};

pub async fn record(
    tx: &mut WriteTx,
    at: DateTime<Utc>,
    scope: Scope<'_>,
    action: AuditAction,
    detail: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_events (at, scope, company_id, compliance_tenant_id, action, detail) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .bind(time::format(at))
    .bind(scope.label())
    .bind(scope.company().map(|c| c.0))
    .bind(scope.tenant().map(|t| t.as_str().to_string()))
    .bind(action.as_str())
    .bind(detail)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Newest first; only one company's when `company` is given.
pub async fn list(pool: &SqlitePool, company: Option<CompanyId>) -> Result<Vec<AuditEvent>> {
    let rows = sqlx::query(
        "SELECT at, scope, action, detail FROM audit_events \
         WHERE ?1 IS NULL OR company_id = ?1 ORDER BY id DESC",
    )
    .bind(company.map(|c| c.0))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let action: String = r.get("action");
            Ok(AuditEvent {
                at: r.try_get("at")?,
                scope: r.get("scope"),
                action: AuditAction::parse(&action).ok_or(Error::UnknownStoredValue {
                    what: "audit action",
                    value: action,
                })?,
                detail: r.get("detail"),
            })
        })
        .collect()
}
