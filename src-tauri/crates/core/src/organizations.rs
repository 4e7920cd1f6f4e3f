//! Organization mapping (SPEC §3): discover NinjaOne organizations, suggest the company with
//! the same name, and let the technician map, create, or ignore. Organizations that vanish
//! from NinjaOne are flagged, never deleted, and mappings outlive a disconnect.

use std::collections::{BTreeSet, HashMap};

use futures::{StreamExt, TryStreamExt};
use ninjaone::DeviceFilter;
use serde::{Deserialize, Serialize};
use sqlx::Row;
use ts_rs::TS;

use crate::companies::{insert_company, name_key};
use crate::connection::ORGANIZATION_CAP;
use crate::ids::{CompanyId, ConnectionId, NinjaLocationId, NinjaOrgId};
use crate::store::database;
use crate::{audit, time, Engine, Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum MappingState {
    /// Found in NinjaOne, not decided yet.
    Pending,
    Mapped,
    /// "Don't sync": never prompts again, no devices flow.
    Ignored,
}

impl MappingState {
    fn as_str(self) -> &'static str {
        match self {
            MappingState::Pending => "pending",
            MappingState::Mapped => "mapped",
            MappingState::Ignored => "ignored",
        }
    }

    fn parse(text: &str) -> MappingState {
        match text {
            "mapped" => MappingState::Mapped,
            "ignored" => MappingState::Ignored,
            _ => MappingState::Pending,
        }
    }
}

/// One organization on the Organizations screen and in `orgs list`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OrganizationRow {
    pub connection_id: ConnectionId,
    pub org_id: NinjaOrgId,
    pub name: String,
    pub state: MappingState,
    pub company_id: Option<CompanyId>,
    pub company_name: Option<String>,
    /// The company with the same name, when there is one.
    pub suggested_company_id: Option<CompanyId>,
    pub suggested_company_name: Option<String>,
    pub device_count: Option<u32>,
    /// No longer in NinjaOne (kept, flagged).
    pub gone: bool,
    /// When non-empty, only devices of these locations sync.
    pub location_ids: Vec<NinjaLocationId>,
    /// Also sync network and non-agent devices (NMS, VM hosts and guests, cloud monitors).
    pub include_non_agent: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DiscoverySummary {
    pub organizations: u32,
    pub new_organizations: u32,
    pub gone_organizations: u32,
    /// More than 5,000 organizations: only the first 5,000 were listed.
    pub truncated: bool,
}

/// What to do with one organization.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(
    tag = "action",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
#[ts(export)]
pub enum MappingChoice {
    /// Use existing: map to this company.
    UseExisting { company_id: CompanyId },
    /// Create new: a company with the organization's name, or the one already so named.
    CreateNew,
    /// Don't sync.
    Ignore,
}

/// Options of a mapping.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MappingOptions {
    /// Restrict to these locations; `None` leaves the restriction as it is.
    #[ts(optional)]
    pub location_ids: Option<Vec<NinjaLocationId>>,
    #[ts(optional)]
    pub include_non_agent: Option<bool>,
}

impl Engine {
    /// Walks every organization (cap 5,000) and counts devices per organization with one
    /// tenant-wide device walk, then records what is new and what has gone.
    pub async fn discover_organizations(
        &self,
        connection: ConnectionId,
    ) -> Result<DiscoverySummary> {
        let client = self.client_for(connection).await?;
        let listed: Vec<ninjaone::models::Organization> = client
            .organizations()
            .take(ORGANIZATION_CAP + 1)
            .try_collect()
            .await?;
        let truncated = listed.len() > ORGANIZATION_CAP;
        let listed: Vec<_> = listed.into_iter().take(ORGANIZATION_CAP).collect();
        let mut device_counts: HashMap<i64, u32> = HashMap::new();
        let mut devices = Box::pin(client.devices(&DeviceFilter::new()));
        while let Some(device) = devices.try_next().await? {
            if let Some(org) = device.organization_id {
                *device_counts.entry(org).or_default() += 1;
            }
        }

        let now = time::format(self.now());
        let mut tx = self.store.pool().begin().await.map_err(database)?;
        let known: BTreeSet<i64> =
            sqlx::query_scalar("SELECT org_id FROM organizations WHERE connection_id = ?1")
                .bind(connection.0)
                .fetch_all(&mut *tx)
                .await
                .map_err(database)?
                .into_iter()
                .collect();
        let mut seen = BTreeSet::new();
        let mut new_organizations = 0;
        for org in &listed {
            let Some(org_id) = org.id else { continue };
            seen.insert(org_id);
            let name = org
                .name
                .clone()
                .unwrap_or_else(|| format!("Organization {org_id}"));
            sqlx::query(
                "INSERT INTO organizations (connection_id, org_id, name, device_count, first_seen_at, last_seen_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?5) \
                 ON CONFLICT (connection_id, org_id) DO UPDATE SET name = excluded.name, \
                 device_count = excluded.device_count, last_seen_at = excluded.last_seen_at, gone_at = NULL",
            )
            .bind(connection.0)
            .bind(org_id)
            .bind(&name)
            .bind(device_counts.get(&org_id).copied().unwrap_or(0))
            .bind(&now)
            .execute(&mut *tx)
            .await
            .map_err(database)?;
            let inserted = sqlx::query(
                "INSERT INTO mappings (connection_id, org_id, state, updated_at) VALUES (?1, ?2, 'pending', ?3) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(connection.0)
            .bind(org_id)
            .bind(&now)
            .execute(&mut *tx)
            .await
            .map_err(database)?;
            if !known.contains(&org_id) && inserted.rows_affected() > 0 {
                new_organizations += 1;
            }
        }
        // With a truncated list, absence proves nothing.
        let gone: Vec<i64> = if truncated {
            Vec::new()
        } else {
            known.difference(&seen).copied().collect()
        };
        for org_id in &gone {
            sqlx::query("UPDATE organizations SET gone_at = coalesce(gone_at, ?3) WHERE connection_id = ?1 AND org_id = ?2")
                .bind(connection.0)
                .bind(org_id)
                .bind(&now)
                .execute(&mut *tx)
                .await
                .map_err(database)?;
        }
        sqlx::query("UPDATE connections SET discovered_at = ?1, orgs_truncated = ?2 WHERE id = ?3")
            .bind(&now)
            .bind(truncated)
            .bind(connection.0)
            .execute(&mut *tx)
            .await
            .map_err(database)?;
        audit::record(
            &mut tx,
            &now,
            audit::Scope::Msp,
            "ORGANIZATIONS_DISCOVERED",
            &format!(
                "{} organizations, {new_organizations} new, {} gone{}",
                seen.len(),
                gone.len(),
                if truncated {
                    ", truncated at 5,000"
                } else {
                    ""
                }
            ),
        )
        .await?;
        tx.commit().await.map_err(database)?;
        Ok(DiscoverySummary {
            organizations: seen.len() as u32,
            new_organizations,
            gone_organizations: gone.len() as u32,
            truncated,
        })
    }

    /// Every known organization of a connection with its mapping and suggestion.
    pub async fn organizations(&self, connection: ConnectionId) -> Result<Vec<OrganizationRow>> {
        self.organization_rows(connection, None).await
    }

    /// All rows of a connection, or only `only`'s: a single row must not cost a full listing,
    /// because bulk actions fetch one row per organization.
    async fn organization_rows(
        &self,
        connection: ConnectionId,
        only: Option<NinjaOrgId>,
    ) -> Result<Vec<OrganizationRow>> {
        let only = only.map(|o| o.0);
        let rows = sqlx::query(
            "SELECT o.org_id, o.name, o.device_count, o.gone_at, m.state, m.company_id, m.include_non_agent, \
                    c.name AS company_name \
             FROM organizations o JOIN mappings m ON m.connection_id = o.connection_id AND m.org_id = o.org_id \
             LEFT JOIN companies c ON c.id = m.company_id \
             WHERE o.connection_id = ?1 AND (?2 IS NULL OR o.org_id = ?2) \
             ORDER BY o.name COLLATE NOCASE, o.org_id",
        )
        .bind(connection.0)
        .bind(only)
        .fetch_all(self.store.pool())
        .await
        .map_err(database)?;
        let companies: Vec<(i64, String, String)> =
            sqlx::query_as("SELECT id, name, name_key FROM companies ORDER BY id")
                .fetch_all(self.store.pool())
                .await
                .map_err(database)?;
        let mut by_key: HashMap<&str, (i64, &str)> = HashMap::new();
        for (id, name, key) in &companies {
            by_key.entry(key.as_str()).or_insert((*id, name.as_str()));
        }
        let locations: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT org_id, location_id FROM mapping_locations \
             WHERE connection_id = ?1 AND (?2 IS NULL OR org_id = ?2) ORDER BY location_id",
        )
        .bind(connection.0)
        .bind(only)
        .fetch_all(self.store.pool())
        .await
        .map_err(database)?;
        Ok(rows
            .iter()
            .map(|row| {
                let org_id: i64 = row.get("org_id");
                let name: String = row.get("name");
                let suggestion = by_key.get(name_key(&name).as_str()).copied();
                OrganizationRow {
                    connection_id: connection,
                    org_id: NinjaOrgId(org_id),
                    state: MappingState::parse(row.get::<String, _>("state").as_str()),
                    company_id: row.get::<Option<i64>, _>("company_id").map(CompanyId),
                    company_name: row.get("company_name"),
                    suggested_company_id: suggestion.map(|(id, _)| CompanyId(id)),
                    suggested_company_name: suggestion.map(|(_, n)| n.to_string()),
                    device_count: row.get::<Option<i64>, _>("device_count").map(|c| c as u32),
                    gone: row.get::<Option<String>, _>("gone_at").is_some(),
                    location_ids: locations
                        .iter()
                        .filter(|(o, _)| *o == org_id)
                        .map(|(_, l)| NinjaLocationId(*l))
                        .collect(),
                    include_non_agent: row.get("include_non_agent"),
                    name,
                }
            })
            .collect())
    }

    async fn organization(
        &self,
        connection: ConnectionId,
        org: NinjaOrgId,
    ) -> Result<OrganizationRow> {
        self.organization_rows(connection, Some(org))
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "NinjaOne organization {org} is not known for this connection. Discover organizations first (`fleetward-cli orgs list`)."
                ))
            })
    }

    /// Applies a choice (and options) to one organization.
    pub async fn map_organization(
        &self,
        connection: ConnectionId,
        org: NinjaOrgId,
        choice: &MappingChoice,
        options: &MappingOptions,
    ) -> Result<OrganizationRow> {
        let current = self.organization(connection, org).await?;
        let now = time::format(self.now());
        let mut tx = self.store.pool().begin().await.map_err(database)?;
        let (state, company) = match choice {
            MappingChoice::UseExisting { company_id } => {
                let exists: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM companies WHERE id = ?1")
                        .bind(company_id.0)
                        .fetch_optional(&mut *tx)
                        .await
                        .map_err(database)?;
                if exists.is_none() {
                    return Err(Error::NotFound(format!(
                        "There is no company {company_id}. List them with `fleetward-cli companies list`."
                    )));
                }
                (MappingState::Mapped, Some(*company_id))
            }
            MappingChoice::CreateNew => {
                let existing: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM companies WHERE name_key = ?1 ORDER BY id LIMIT 1",
                )
                .bind(name_key(&current.name))
                .fetch_optional(&mut *tx)
                .await
                .map_err(database)?;
                let company = match existing {
                    Some(id) => CompanyId(id),
                    None => {
                        let id = insert_company(&mut tx, &current.name, &now).await?;
                        audit::record(
                            &mut tx,
                            &now,
                            audit::Scope::Company(id),
                            "COMPANY_CREATED",
                            current.name.trim(),
                        )
                        .await?;
                        id
                    }
                };
                (MappingState::Mapped, Some(company))
            }
            MappingChoice::Ignore => (MappingState::Ignored, None),
        };
        sqlx::query(
            "UPDATE mappings SET state = ?1, company_id = ?2, include_non_agent = coalesce(?3, include_non_agent), updated_at = ?4 \
             WHERE connection_id = ?5 AND org_id = ?6",
        )
        .bind(state.as_str())
        .bind(company.map(|c| c.0))
        .bind(options.include_non_agent)
        .bind(&now)
        .bind(connection.0)
        .bind(org.0)
        .execute(&mut *tx)
        .await
        .map_err(database)?;
        if let Some(locations) = &options.location_ids {
            sqlx::query("DELETE FROM mapping_locations WHERE connection_id = ?1 AND org_id = ?2")
                .bind(connection.0)
                .bind(org.0)
                .execute(&mut *tx)
                .await
                .map_err(database)?;
            for location in locations.iter().collect::<BTreeSet<_>>() {
                sqlx::query("INSERT INTO mapping_locations (connection_id, org_id, location_id) VALUES (?1, ?2, ?3)")
                    .bind(connection.0)
                    .bind(org.0)
                    .bind(location.0)
                    .execute(&mut *tx)
                    .await
                    .map_err(database)?;
            }
        }
        let detail = match (state, company) {
            (MappingState::Mapped, Some(c)) => format!(
                "NinjaOne organization {org} ({}) → company {c}",
                current.name
            ),
            _ => format!(
                "NinjaOne organization {org} ({}) set to {}",
                current.name,
                state.as_str()
            ),
        };
        let scope = company.map_or(audit::Scope::Msp, audit::Scope::Company);
        audit::record(&mut tx, &now, scope, "ORGANIZATION_MAPPED", &detail).await?;
        tx.commit().await.map_err(database)?;
        self.organization(connection, org).await
    }

    /// Maps every pending organization that has a suggestion to that company.
    pub async fn accept_suggestions(
        &self,
        connection: ConnectionId,
    ) -> Result<Vec<OrganizationRow>> {
        let mut accepted = Vec::new();
        for org in self.organizations(connection).await? {
            if let (MappingState::Pending, Some(company_id), false) =
                (org.state, org.suggested_company_id, org.gone)
            {
                let row = self
                    .map_organization(
                        connection,
                        org.org_id,
                        &MappingChoice::UseExisting { company_id },
                        &MappingOptions::default(),
                    )
                    .await?;
                accepted.push(row);
            }
        }
        Ok(accepted)
    }
}
