//! The audit trail (SPEC §4): who did what to which company, never pruned. Written in the
//! same transaction as the change it records, so the trail and the data cannot disagree.

use serde::Serialize;
use sqlx::{Row, Sqlite, Transaction};
use ts_rs::TS;

use crate::ids::{CompanyId, ComplianceTenantId};
use crate::store::database;
use crate::{Engine, Result};

/// Whose record an event belongs to.
pub enum Scope<'a> {
    Msp,
    Company(CompanyId),
    Tenant(CompanyId, &'a ComplianceTenantId),
}

pub async fn record(
    tx: &mut Transaction<'_, Sqlite>,
    at: &str,
    scope: Scope<'_>,
    action: &str,
    detail: &str,
) -> Result<()> {
    let (label, company, tenant) = match scope {
        Scope::Msp => ("msp".to_string(), None, None),
        Scope::Company(id) => (format!("company:{id}"), Some(id.0), None),
        Scope::Tenant(id, tenant) => (
            format!("tenant:{tenant}"),
            Some(id.0),
            Some(tenant.as_str().to_string()),
        ),
    };
    sqlx::query(
        "INSERT INTO audit_events (at, scope, company_id, compliance_tenant_id, action, detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .bind(at)
    .bind(label)
    .bind(company)
    .bind(tenant)
    .bind(action)
    .bind(detail)
    .execute(&mut **tx)
    .await
    .map_err(database)?;
    Ok(())
}

/// One row of `audit list`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AuditEvent {
    pub at: String,
    pub scope: String,
    pub action: String,
    pub detail: String,
}

impl Engine {
    pub async fn audit_events(&self, company: Option<CompanyId>) -> Result<Vec<AuditEvent>> {
        let rows = sqlx::query(
            "SELECT at, scope, action, detail FROM audit_events WHERE ?1 IS NULL OR company_id = ?1 ORDER BY id DESC",
        )
        .bind(company.map(|c| c.0))
        .fetch_all(self.store.pool())
        .await
        .map_err(database)?;
        Ok(rows
            .iter()
            .map(|r| AuditEvent {
                at: r.get("at"),
                scope: r.get("scope"),
                action: r.get("action"),
                detail: r.get("detail"),
            })
            .collect())
    }
}
