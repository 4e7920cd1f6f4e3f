//! Companies: the MSP's customers (SPEC §4). Made by hand, by "Create new" on an
//! organization, or by import; a company can be promoted to a compliance tenant.

use serde::Serialize;
use sqlx::Row;
use ts_rs::TS;
use unicode_normalization::UnicodeNormalization;

use crate::ids::{CompanyId, ComplianceTenantId};
use crate::store::database;
use crate::{audit, time, Engine, Error, Result};

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Company {
    pub id: CompanyId,
    pub name: String,
    pub compliance_tenant_id: Option<ComplianceTenantId>,
    /// Organizations mapped to this company.
    pub mapped_organizations: u32,
    /// Active assets.
    pub assets: u32,
    pub created_at: String,
}

/// The key two names must share to match: trimmed, Unicode-normalised (NFC) and lower-cased
/// (SPEC §3: exact match, case-insensitive, trimmed). Inner spacing and accents still count.
pub fn name_key(name: &str) -> String {
    name.trim().nfc().collect::<String>().to_lowercase()
}

impl Engine {
    /// Adds a company. A second company with the same name (by [`name_key`]) is refused.
    pub async fn add_company(&self, name: &str) -> Result<Company> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::InvalidInput("A company needs a name.".into()));
        }
        if let Some(existing) = self.company_named(name).await? {
            return Err(Error::InvalidInput(format!(
                "A company named \"{}\" already exists (id {}).",
                existing.name, existing.id
            )));
        }
        let mut tx = self.store.pool().begin().await.map_err(database)?;
        let now = time::format(self.now());
        let id = insert_company(&mut tx, name, &now).await?;
        audit::record(
            &mut tx,
            &now,
            audit::Scope::Company(id),
            "COMPANY_CREATED",
            name,
        )
        .await?;
        tx.commit().await.map_err(database)?;
        self.company(id).await
    }

    pub async fn companies(&self) -> Result<Vec<Company>> {
        let rows = sqlx::query(&format!(
            "{COMPANY_QUERY} ORDER BY c.name COLLATE NOCASE, c.id"
        ))
        .fetch_all(self.store.pool())
        .await
        .map_err(database)?;
        Ok(rows.iter().map(company_from_row).collect())
    }

    pub async fn company(&self, id: CompanyId) -> Result<Company> {
        let row = sqlx::query(&format!("{COMPANY_QUERY} WHERE c.id = ?1"))
            .bind(id.0)
            .fetch_optional(self.store.pool())
            .await
            .map_err(database)?
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "There is no company {id}. List them with `fleetward-cli companies list`."
                ))
            })?;
        Ok(company_from_row(&row))
    }

    pub async fn company_named(&self, name: &str) -> Result<Option<Company>> {
        let id: Option<i64> =
            sqlx::query_scalar("SELECT id FROM companies WHERE name_key = ?1 ORDER BY id LIMIT 1")
                .bind(name_key(name))
                .fetch_optional(self.store.pool())
                .await
                .map_err(database)?;
        match id {
            Some(id) => Ok(Some(self.company(CompanyId(id)).await?)),
            None => Ok(None),
        }
    }

    pub async fn rename_company(&self, id: CompanyId, name: &str) -> Result<Company> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::InvalidInput("A company needs a name.".into()));
        }
        let before = self.company(id).await?;
        if let Some(other) = self.company_named(name).await?.filter(|c| c.id != id) {
            return Err(Error::InvalidInput(format!(
                "Another company is already named \"{}\" (id {}).",
                other.name, other.id
            )));
        }
        let mut tx = self.store.pool().begin().await.map_err(database)?;
        let now = time::format(self.now());
        sqlx::query("UPDATE companies SET name = ?1, name_key = ?2 WHERE id = ?3")
            .bind(name)
            .bind(name_key(name))
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(database)?;
        audit::record(
            &mut tx,
            &now,
            audit::Scope::Company(id),
            "COMPANY_RENAMED",
            &format!("{} → {name}", before.name),
        )
        .await?;
        tx.commit().await.map_err(database)?;
        self.company(id).await
    }

    /// Gives the company its own compliance tenant id; promoting twice keeps the first id.
    pub async fn promote_company(&self, id: CompanyId) -> Result<Company> {
        let company = self.company(id).await?;
        if company.compliance_tenant_id.is_some() {
            return Ok(company);
        }
        let tenant = ComplianceTenantId::generate();
        let mut tx = self.store.pool().begin().await.map_err(database)?;
        let now = time::format(self.now());
        sqlx::query("UPDATE companies SET compliance_tenant_id = ?1 WHERE id = ?2 AND compliance_tenant_id IS NULL")
            .bind(tenant.as_str())
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(database)?;
        audit::record(
            &mut tx,
            &now,
            audit::Scope::Tenant(id, &tenant),
            "COMPLIANCE_TENANT_CREATED",
            &company.name,
        )
        .await?;
        tx.commit().await.map_err(database)?;
        self.company(id).await
    }
}

pub(crate) async fn insert_company(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    name: &str,
    now: &str,
) -> Result<CompanyId> {
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO companies (name, name_key, created_at) VALUES (?1, ?2, ?3) RETURNING id",
    )
    .bind(name.trim())
    .bind(name_key(name))
    .bind(now)
    .fetch_one(&mut **tx)
    .await
    .map_err(database)?;
    Ok(CompanyId(id))
}

const COMPANY_QUERY: &str = "SELECT c.id, c.name, c.compliance_tenant_id, c.created_at, \
     (SELECT count(*) FROM mappings m WHERE m.company_id = c.id AND m.state = 'mapped') AS mapped, \
     (SELECT count(*) FROM assets a WHERE a.company_id = c.id AND a.status = 'active') AS assets \
     FROM companies c";

fn company_from_row(row: &sqlx::sqlite::SqliteRow) -> Company {
    Company {
        id: CompanyId(row.get("id")),
        name: row.get("name"),
        compliance_tenant_id: row
            .get::<Option<String>, _>("compliance_tenant_id")
            .map(ComplianceTenantId::from_stored),
        mapped_organizations: row.get::<i64, _>("mapped") as u32,
        assets: row.get::<i64, _>("assets") as u32,
        created_at: row.get("created_at"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_by_trimmed_lower_case_normalised_text() {
        assert_eq!(name_key("  ACME Ltd "), name_key("acme ltd"));
        assert_eq!(name_key("Zoe\u{0308}'s Café"), name_key("ZOË'S CAFÉ"));
        assert_ne!(
            name_key("Acme  Ltd"),
            name_key("Acme Ltd"),
            "inner spacing still counts"
        );
        assert_ne!(
            name_key("Bäckerei"),
            name_key("Backerei"),
            "accents still count"
        );
    }
}
