//! NinjaOne connections (SPEC §2): test with the values as typed, save only after a passing
//! test, keep the secret in the encrypted store and never hand it back out.

use std::sync::Arc;

use futures::{StreamExt, TryStreamExt};
use ninjaone::{BaseUrl, Client, ClientConfig, Credentials, Region};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use ts_rs::TS;

use crate::ids::ConnectionId;
use crate::store::database;
use crate::{audit, time, Engine, Error, Result};

/// Organizations beyond this are not listed; discovery marks the connection truncated.
pub const ORGANIZATION_CAP: usize = 5_000;

/// What the technician typed. The secret crosses IPC in this direction only.
#[derive(Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectionDraft {
    /// Shown in lists; defaults to the host.
    #[ts(optional)]
    pub name: Option<String>,
    /// `us`, `us2`, `eu`, `ca` or `oc`; exactly one of `region` and `baseUrl`.
    #[ts(optional)]
    pub region: Option<String>,
    /// A custom (white-labelled) address.
    #[ts(optional)]
    pub base_url: Option<String>,
    pub client_id: String,
    pub client_secret: String,
}

impl std::fmt::Debug for ConnectionDraft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectionDraft")
            .field("region", &self.region)
            .field("base_url", &self.base_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .finish()
    }
}

/// Where the draft points, validated.
struct Target {
    region: Option<Region>,
    base: BaseUrl,
}

impl ConnectionDraft {
    fn target(&self) -> Result<Target> {
        let region = self
            .region
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        let custom = self
            .base_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty());
        match (region, custom) {
            (Some(code), None) => {
                let region = Region::parse(code).ok_or_else(|| {
                    Error::InvalidInput(format!(
                        "Unknown region '{code}'. Choose us, us2, eu, ca or oc."
                    ))
                })?;
                Ok(Target {
                    region: Some(region),
                    base: BaseUrl::region(region),
                })
            }
            (None, Some(url)) => Ok(Target {
                region: None,
                base: BaseUrl::custom(url)?,
            }),
            (Some(_), Some(_)) => Err(Error::InvalidInput(
                "Choose either a region or a custom address, not both.".into(),
            )),
            (None, None) => Err(Error::InvalidInput(
                "Choose a region (us, us2, eu, ca, oc) or enter a custom address.".into(),
            )),
        }
    }

    fn credentials(&self) -> Result<Credentials> {
        if self.client_id.trim().is_empty() {
            return Err(Error::InvalidInput("Enter the API client id.".into()));
        }
        if self.client_secret.trim().is_empty() {
            return Err(Error::InvalidInput("Enter the API client secret.".into()));
        }
        Ok(Credentials::new(
            self.client_id.clone(),
            self.client_secret.clone(),
        ))
    }
}

/// The result of Test connection.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectionTest {
    pub host: String,
    /// Organizations the API client can see (at most 5,000 are counted).
    pub organizations: u32,
    pub organizations_truncated: bool,
    pub granted_scopes: Vec<String>,
    /// Least-privilege warnings, e.g. more than `monitoring` granted.
    pub warnings: Vec<String>,
}

/// A saved connection, as shown anywhere. It never carries the secret.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Connection {
    pub id: ConnectionId,
    pub name: String,
    pub region: Option<String>,
    pub base_url: String,
    pub client_id: String,
    pub granted_scopes: Vec<String>,
    pub active: bool,
    pub created_at: String,
    pub tested_at: Option<String>,
    pub discovered_at: Option<String>,
    pub organizations_truncated: bool,
}

impl Engine {
    fn client(&self, base: BaseUrl, credentials: Credentials) -> Result<Client> {
        Ok(Client::new(base, credentials, self.client_config())?)
    }

    pub(crate) fn client_config(&self) -> ClientConfig {
        ClientConfig {
            clock: Arc::new(ninjaone::clock::SystemClock),
            ..self.config.client.clone()
        }
    }

    /// Test connection: a token, then the organizations the client can see.
    pub async fn test_connection(&self, draft: &ConnectionDraft) -> Result<ConnectionTest> {
        let target = draft.target()?;
        let client = self.client(target.base.clone(), draft.credentials()?)?;
        test_with(&client).await
    }

    /// Tests the draft and, only if the test passes, saves it. A connection to the same
    /// address is reused, so mappings made before a disconnect come back (SPEC §3).
    pub async fn save_connection(
        &self,
        draft: &ConnectionDraft,
    ) -> Result<(Connection, ConnectionTest)> {
        let target = draft.target()?;
        let test = self.test_connection(draft).await?;
        let now = time::format(self.now());
        let name = draft
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(String::from)
            .unwrap_or_else(|| target.base.host());
        let scopes = test.granted_scopes.join(" ");
        let mut tx = self.store.pool().begin().await.map_err(database)?;
        let existing: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM connections WHERE base_url = ?1 ORDER BY (client_id = ?2) DESC, active DESC, id LIMIT 1",
        )
        .bind(target.base.as_str())
        .bind(draft.client_id.trim())
        .fetch_optional(&mut *tx)
        .await
        .map_err(database)?;
        let id = match existing {
            Some(id) => {
                sqlx::query(
                    "UPDATE connections SET name = ?1, region = ?2, client_id = ?3, client_secret = ?4, \
                     granted_scopes = ?5, active = 1, tested_at = ?6, disconnected_at = NULL WHERE id = ?7",
                )
                .bind(&name)
                .bind(target.region.map(|r| r.code()))
                .bind(draft.client_id.trim())
                .bind(draft.client_secret.trim())
                .bind(&scopes)
                .bind(&now)
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(database)?;
                id
            }
            None => sqlx::query_scalar(
                "INSERT INTO connections (name, region, base_url, client_id, client_secret, granted_scopes, created_at, tested_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) RETURNING id",
            )
            .bind(&name)
            .bind(target.region.map(|r| r.code()))
            .bind(target.base.as_str())
            .bind(draft.client_id.trim())
            .bind(draft.client_secret.trim())
            .bind(&scopes)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await
            .map_err(database)?,
        };
        audit::record(
            &mut tx,
            &now,
            audit::Scope::Msp,
            "CONNECTION_SAVED",
            &format!(
                "{name} ({}), client id {}",
                target.base,
                draft.client_id.trim()
            ),
        )
        .await?;
        tx.commit().await.map_err(database)?;
        let connection = self.connection(ConnectionId(id)).await?;
        Ok((connection, test))
    }

    pub async fn connections(&self) -> Result<Vec<Connection>> {
        let rows = sqlx::query(&format!("{CONNECTION_COLUMNS} ORDER BY id"))
            .fetch_all(self.store.pool())
            .await
            .map_err(database)?;
        rows.iter().map(connection_from_row).collect()
    }

    pub async fn connection(&self, id: ConnectionId) -> Result<Connection> {
        let row = sqlx::query(&format!("{CONNECTION_COLUMNS} WHERE id = ?1"))
            .bind(id.0)
            .fetch_optional(self.store.pool())
            .await
            .map_err(database)?
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "There is no connection {id}. List them with `fleetward-cli status`."
                ))
            })?;
        connection_from_row(&row)
    }

    /// The one active connection, or the one named; several active connections need a name.
    pub async fn resolve_connection(&self, id: Option<ConnectionId>) -> Result<Connection> {
        if let Some(id) = id {
            return self.connection(id).await;
        }
        let active: Vec<Connection> = self
            .connections()
            .await?
            .into_iter()
            .filter(|c| c.active)
            .collect();
        match active.len() {
            0 => Err(Error::NotConfigured(
                "There is no NinjaOne connection yet. Connect first: open Connection in the app, or run `fleetward-cli connect`.".into(),
            )),
            1 => Ok(active.into_iter().next().expect("one element")),
            n => Err(Error::InvalidInput(format!(
                "There are {n} active connections; say which one with --connection ID (see `fleetward-cli status`)."
            ))),
        }
    }

    /// A client for a saved connection, with its stored secret.
    pub(crate) async fn client_for(&self, id: ConnectionId) -> Result<Client> {
        let row = sqlx::query(
            "SELECT base_url, client_id, client_secret, active FROM connections WHERE id = ?1",
        )
        .bind(id.0)
        .fetch_optional(self.store.pool())
        .await
        .map_err(database)?
        .ok_or_else(|| Error::NotFound(format!("There is no connection {id}.")))?;
        let secret: Option<String> = row.get("client_secret");
        let (Some(secret), true) = (secret, row.get::<bool, _>("active")) else {
            return Err(Error::NotConfigured(format!(
                "Connection {id} is disconnected. Connect it again with its client id and secret."
            )));
        };
        let base = BaseUrl::custom(row.get::<String, _>("base_url").as_str())?;
        let secret = SecretString::from(secret);
        self.client(
            base,
            Credentials::new(row.get::<String, _>("client_id"), secret.expose_secret()),
        )
    }

    /// Re-tests a saved connection with its stored secret (`test-connection`).
    pub async fn retest_connection(&self, id: ConnectionId) -> Result<ConnectionTest> {
        let client = self.client_for(id).await?;
        let test = test_with(&client).await?;
        sqlx::query("UPDATE connections SET tested_at = ?1, granted_scopes = ?2 WHERE id = ?3")
            .bind(time::format(self.now()))
            .bind(test.granted_scopes.join(" "))
            .bind(id.0)
            .execute(self.store.pool())
            .await
            .map_err(database)?;
        Ok(test)
    }
}

async fn test_with(client: &Client) -> Result<ConnectionTest> {
    let grant = client.sign_in().await?;
    let organizations: Vec<_> = client
        .organizations()
        .take(ORGANIZATION_CAP + 1)
        .try_collect()
        .await?;
    let truncated = organizations.len() > ORGANIZATION_CAP;
    if organizations.is_empty() {
        return Err(Error::NoOrganizations {
            host: client.base_url().host(),
        });
    }
    let mut warnings = Vec::new();
    let excess = grant.excess_scopes();
    if !excess.is_empty() {
        warnings.push(format!(
            "This API client was granted more than it needs ({}). Fleetward only reads; for least privilege, \
             give the API application the 'monitoring' scope only.",
            excess.join(", ")
        ));
    }
    Ok(ConnectionTest {
        host: client.base_url().host(),
        organizations: organizations.len().min(ORGANIZATION_CAP) as u32,
        organizations_truncated: truncated,
        granted_scopes: grant.scopes,
        warnings,
    })
}

const CONNECTION_COLUMNS: &str =
    "SELECT id, name, region, base_url, client_id, granted_scopes, active, created_at, \
     tested_at, discovered_at, orgs_truncated FROM connections";

fn connection_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<Connection> {
    let scopes: String = row.get("granted_scopes");
    Ok(Connection {
        id: ConnectionId(row.get("id")),
        name: row.get("name"),
        region: row.get("region"),
        base_url: row.get("base_url"),
        client_id: row.get("client_id"),
        granted_scopes: scopes.split_whitespace().map(String::from).collect(),
        active: row.get("active"),
        created_at: row.get("created_at"),
        tested_at: row.get("tested_at"),
        discovered_at: row.get("discovered_at"),
        organizations_truncated: row.get("orgs_truncated"),
    })
}

impl Engine {
    /// Disconnect (SPEC §6): the secret is overwritten and removed, the connection goes
    /// inactive, every asset it brought in is retired (rows kept), each affected compliance
    /// tenant gets an audit row, and mappings stay for a reconnect.
    pub async fn disconnect(&self, id: ConnectionId) -> Result<Connection> {
        let connection = self.connection(id).await?;
        let now = time::format(self.now());
        let mut tx = self.store.pool().begin().await.map_err(database)?;
        // Overwrite before clearing so the old value does not linger in the page.
        sqlx::query(
            "UPDATE connections SET client_secret = zeroblob(length(client_secret)) WHERE id = ?1",
        )
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(database)?;
        sqlx::query("UPDATE connections SET client_secret = NULL, active = 0, disconnected_at = ?1 WHERE id = ?2")
            .bind(&now)
            .bind(id.0)
            .execute(&mut *tx)
            .await
            .map_err(database)?;
        sqlx::query(
            "UPDATE assets SET status = 'retired', retired_reason = 'NinjaOne disconnected', updated_at = ?1 \
             WHERE connection_id = ?2 AND source = 'ninjaone' AND status != 'retired'",
        )
        .bind(&now)
        .bind(id.0)
        .execute(&mut *tx)
        .await
        .map_err(database)?;
        let tenants: Vec<(i64, String, i64)> = sqlx::query_as(
            "SELECT c.id, c.compliance_tenant_id, \
                    (SELECT count(*) FROM signals s WHERE s.compliance_tenant_id = c.compliance_tenant_id) \
             FROM companies c WHERE c.compliance_tenant_id IS NOT NULL AND c.id IN \
             (SELECT company_id FROM mappings WHERE connection_id = ?1 AND state = 'mapped')",
        )
        .bind(id.0)
        .fetch_all(&mut *tx)
        .await
        .map_err(database)?;
        for (company, tenant, signals) in tenants {
            let tenant = crate::ids::ComplianceTenantId::from_stored(tenant);
            audit::record(
                &mut tx,
                &now,
                audit::Scope::Tenant(crate::ids::CompanyId(company), &tenant),
                "NINJAONE_DISCONNECTED",
                &format!(
                    "{} disconnected; {signals} signals already collected stay until they expire",
                    connection.name
                ),
            )
            .await?;
        }
        audit::record(
            &mut tx,
            &now,
            audit::Scope::Msp,
            "CONNECTION_DISCONNECTED",
            &connection.name,
        )
        .await?;
        tx.commit().await.map_err(database)?;
        self.connection(id).await
    }
}
