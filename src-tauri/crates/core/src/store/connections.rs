//! The `connections` table: saved NinjaOne connections and their secret. The secret is read
//! only by [`credentials`], and wiping it overwrites the value before clearing it.

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use sqlx::{Row, SqlitePool};

use super::WriteTx;
use crate::connection::{Connection, Region};
use crate::ids::ConnectionId;
use crate::{time, Error, Result};

/// What a passing test saves.
pub struct NewConnection<'a> {
    pub name: &'a str,
    pub region: Option<Region>,
    pub base_url: &'a str,
    pub client_id: &'a str,
    pub client_secret: &'a SecretString,
    pub granted_scopes: &'a [String],
}

/// A saved connection's address and credentials.
pub struct StoredCredentials {
    pub name: String,
    pub base_url: String,
    pub client_id: String,
    /// `None` once disconnected.
    pub client_secret: Option<SecretString>,
    pub disconnected_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "SELECT id, name, region, base_url, client_id, granted_scopes, active, \
     created_at, tested_at, discovered_at, disconnected_at, orgs_truncated FROM connections";

pub async fn list(pool: &SqlitePool) -> Result<Vec<Connection>> {
    let rows = sqlx::query(&format!("{COLUMNS} ORDER BY id"))
        .fetch_all(pool)
        .await?;
    rows.iter().map(from_row).collect()
}

pub async fn get(pool: &SqlitePool, id: ConnectionId) -> Result<Option<Connection>> {
    let row = sqlx::query(&format!("{COLUMNS} WHERE id = ?1"))
        .bind(id.0)
        .fetch_optional(pool)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Saves a tested connection. A connection to the same address is reused (preferring the
/// same client id, then an active one), so mappings made before a disconnect come back.
pub async fn save(
    tx: &mut WriteTx,
    saved: &NewConnection<'_>,
    at: DateTime<Utc>,
) -> Result<ConnectionId> {
    let existing: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM connections WHERE base_url = ?1 \
         ORDER BY (client_id = ?2) DESC, active DESC, id LIMIT 1",
    )
    .bind(saved.base_url)
    .bind(saved.client_id)
    .fetch_optional(&mut **tx)
    .await?;
    let scopes = saved.granted_scopes.join(" ");
    let region = saved.region.map(Region::code);
    let at = time::format(at);
    let id = match existing {
        Some(id) => {
            sqlx::query(
                "UPDATE connections SET name = ?1, region = ?2, client_id = ?3, client_secret = ?4, \
                 granted_scopes = ?5, active = 1, tested_at = ?6, disconnected_at = NULL WHERE id = ?7",
            )
            .bind(saved.name)
            .bind(region)
            .bind(saved.client_id)
            .bind(saved.client_secret.expose_secret())
            .bind(&scopes)
            .bind(&at)
            .bind(id)
            .execute(&mut **tx)
            .await?;
            id
        }
        None => {
            sqlx::query_scalar(
                "INSERT INTO connections (name, region, base_url, client_id, client_secret, \
                 granted_scopes, created_at, tested_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) \
                 RETURNING id",
            )
            .bind(saved.name)
            .bind(region)
            .bind(saved.base_url)
            .bind(saved.client_id)
            .bind(saved.client_secret.expose_secret())
            .bind(&scopes)
            .bind(&at)
            .fetch_one(&mut **tx)
            .await?
        }
    };
    Ok(ConnectionId(id))
}

pub async fn credentials(pool: &SqlitePool, id: ConnectionId) -> Result<Option<StoredCredentials>> {
    let row = sqlx::query(
        "SELECT name, base_url, client_id, client_secret, active, disconnected_at \
         FROM connections WHERE id = ?1",
    )
    .bind(id.0)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|row| {
        let active: bool = row.get("active");
        StoredCredentials {
            name: row.get("name"),
            base_url: row.get("base_url"),
            client_id: row.get("client_id"),
            client_secret: row
                .get::<Option<String>, _>("client_secret")
                .filter(|_| active)
                .map(SecretString::from),
            disconnected_at: row.get("disconnected_at"),
        }
    }))
}

pub async fn mark_tested(
    tx: &mut WriteTx,
    id: ConnectionId,
    at: DateTime<Utc>,
    granted_scopes: &[String],
) -> Result<()> {
    sqlx::query("UPDATE connections SET tested_at = ?1, granted_scopes = ?2 WHERE id = ?3")
        .bind(time::format(at))
        .bind(granted_scopes.join(" "))
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub async fn mark_discovered(
    tx: &mut WriteTx,
    id: ConnectionId,
    at: DateTime<Utc>,
    truncated: bool,
) -> Result<()> {
    sqlx::query("UPDATE connections SET discovered_at = ?1, orgs_truncated = ?2 WHERE id = ?3")
        .bind(time::format(at))
        .bind(truncated)
        .bind(id.0)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Overwrites the stored secret with zeros, then clears it, and marks the connection
/// inactive. With `secure_delete` on, the freed bytes are zeroed in the page too; the caller
/// checkpoints the write-ahead log afterwards so no older page image survives there.
pub async fn wipe_secret(tx: &mut WriteTx, id: ConnectionId, at: DateTime<Utc>) -> Result<()> {
    sqlx::query(
        "UPDATE connections SET client_secret = zeroblob(length(client_secret)) WHERE id = ?1",
    )
    .bind(id.0)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "UPDATE connections SET client_secret = NULL, active = 0, disconnected_at = ?1 WHERE id = ?2",
    )
    .bind(time::format(at))
    .bind(id.0)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn from_row(row: &sqlx::sqlite::SqliteRow) -> Result<Connection> {
    let scopes: String = row.get("granted_scopes");
    let region = row
        .get::<Option<String>, _>("region")
        .map(|code| {
            Region::parse(&code).ok_or(Error::UnknownStoredValue {
                what: "region",
                value: code,
            })
        })
        .transpose()?;
    Ok(Connection {
        id: ConnectionId(row.get("id")),
        name: row.get("name"),
        region,
        base_url: row.get("base_url"),
        client_id: row.get("client_id"),
        granted_scopes: scopes.split_whitespace().map(String::from).collect(),
        active: row.get("active"),
        created_at: row.try_get("created_at")?,
        tested_at: row.try_get("tested_at")?,
        discovered_at: row.try_get("discovered_at")?,
        disconnected_at: row.try_get("disconnected_at")?,
        organizations_truncated: row.get("orgs_truncated"),
    })
}
