//! NinjaOne connections (SPEC §2): test with the values as typed, save only after a passing
//! test, keep the secret in the encrypted store and never hand it back out. The queries are
//! in `store::connections`; disconnect's effects on assets and compliance tenants are in
//! `assets::retirement` and `compliance`.

use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt};
use ninjaone::{BaseUrl, Client, Credentials};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::assets::RetiredReason;
use crate::audit::{AuditAction, Scope};
use crate::ids::ConnectionId;
use crate::organizations::discovery::ORGANIZATION_CAP;
use crate::organizations::DiscoverySummary;
use crate::store::{self, Store};
use crate::{compliance, Error, Result};

/// NinjaOne's regions (SPEC §2), as the picker, the store and the CLI name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
#[ts(export)]
pub enum Region {
    Us,
    Us2,
    Eu,
    Ca,
    Oc,
}

impl Region {
    pub const ALL: [Region; 5] = [Region::Us, Region::Us2, Region::Eu, Region::Ca, Region::Oc];

    pub fn code(self) -> &'static str {
        self.ninjaone().code()
    }

    pub fn parse(code: &str) -> Option<Region> {
        Region::ALL
            .into_iter()
            .find(|r| r.code() == code.trim().to_ascii_lowercase())
    }

    pub fn label(self) -> &'static str {
        self.ninjaone().label()
    }

    pub fn host(self) -> &'static str {
        self.ninjaone().host()
    }

    pub fn ninjaone(self) -> ninjaone::Region {
        match self {
            Region::Us => ninjaone::Region::Us,
            Region::Us2 => ninjaone::Region::Us2,
            Region::Eu => ninjaone::Region::Eu,
            Region::Ca => ninjaone::Region::Ca,
            Region::Oc => ninjaone::Region::Oc,
        }
    }
}

/// What the technician typed. The secret crosses IPC in this direction only, and is held
/// as a `SecretString` from the moment it is read.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConnectionDraft {
    /// Shown in lists; defaults to the host.
    #[ts(optional)]
    pub name: Option<String>,
    /// Exactly one of `region` and `baseUrl`.
    #[ts(optional)]
    pub region: Option<Region>,
    /// A custom (white-labelled) address.
    #[ts(optional)]
    pub base_url: Option<String>,
    pub client_id: String,
    #[ts(type = "string")]
    pub client_secret: SecretString,
}

/// A draft checked: where it points and with which credentials.
pub(crate) struct Target {
    pub region: Option<Region>,
    pub base: BaseUrl,
    pub client_id: String,
    pub client_secret: SecretString,
    pub name: String,
}

impl ConnectionDraft {
    pub(crate) fn target(&self) -> Result<Target> {
        let custom = self
            .base_url
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty());
        let (region, base) = match (self.region, custom) {
            (Some(region), None) => (Some(region), BaseUrl::region(region.ninjaone())),
            (None, Some(url)) => (None, BaseUrl::custom(url)?),
            (Some(_), Some(_)) => {
                return Err(Error::InvalidInput(
                    "Choose either a region or a custom address, not both.".into(),
                ))
            }
            (None, None) => {
                return Err(Error::InvalidInput(
                    "Choose a region (us, us2, eu, ca, oc) or enter a custom address.".into(),
                ))
            }
        };
        let client_id = self.client_id.trim();
        if client_id.is_empty() {
            return Err(Error::InvalidInput("Enter the API client id.".into()));
        }
        let secret = self.client_secret.expose_secret().trim();
        if secret.is_empty() {
            return Err(Error::InvalidInput("Enter the API client secret.".into()));
        }
        let name = self
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(String::from)
            .unwrap_or_else(|| base.host());
        Ok(Target {
            region,
            base,
            client_id: client_id.to_string(),
            client_secret: SecretString::from(secret.to_string()),
            name,
        })
    }
}

impl Target {
    pub fn credentials(&self) -> Credentials {
        Credentials::new(self.client_id.clone(), self.client_secret.clone())
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
    /// `None` for a custom address.
    pub region: Option<Region>,
    pub base_url: String,
    pub client_id: String,
    pub granted_scopes: Vec<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub tested_at: Option<DateTime<Utc>>,
    pub discovered_at: Option<DateTime<Utc>>,
    pub disconnected_at: Option<DateTime<Utc>>,
    pub organizations_truncated: bool,
}

/// What Save (and `connect`) did: the connection, the test it passed, and the first
/// discovery of its organizations.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SavedConnection {
    pub connection: Connection,
    pub test: ConnectionTest,
    pub discovery: DiscoverySummary,
}

/// Test connection: a token, then the organizations the client can see.
pub async fn test(client: &Client) -> Result<ConnectionTest> {
    let grant = client.sign_in().await?;
    let organizations: Vec<_> = client
        .organizations()
        .take(ORGANIZATION_CAP + 1)
        .try_collect()
        .await?;
    if organizations.is_empty() {
        return Err(Error::NoOrganizations {
            host: client.base_url().host(),
        });
    }
    let excess = grant.excess_scopes();
    let warnings = if excess.is_empty() {
        Vec::new()
    } else {
        vec![format!(
            "This API client was granted more than it needs ({}). Fleetward only reads; for least privilege, \
             give the API application the 'monitoring' scope only.",
            excess.join(", ")
        )]
    };
    Ok(ConnectionTest {
        host: client.base_url().host(),
        organizations: organizations.len().min(ORGANIZATION_CAP) as u32,
        organizations_truncated: organizations.len() > ORGANIZATION_CAP,
        granted_scopes: grant.scopes,
        warnings,
    })
}

/// Saves a tested connection with its audit row (a connection to the same address is
/// reused, so its mappings come back).
pub(crate) async fn save(
    store: &Store,
    target: &Target,
    test: &ConnectionTest,
    now: DateTime<Utc>,
) -> Result<ConnectionId> {
    let mut tx = store.write().await?;
    let id = store::connections::save(
        &mut tx,
        &store::connections::NewConnection {
            name: &target.name,
            region: target.region,
            base_url: target.base.as_str(),
            client_id: &target.client_id,
            client_secret: &target.client_secret,
            granted_scopes: &test.granted_scopes,
        },
        now,
    )
    .await?;
    store::audit::record(
        &mut tx,
        now,
        Scope::Msp,
        AuditAction::ConnectionSaved,
        &format!(
            "{} ({}), client id {}",
            target.name, target.base, target.client_id
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Disconnect (SPEC §6), in one transaction: the secret is overwritten and removed, the
/// connection goes inactive, every asset it brought in is retired (rows kept), each
/// compliance tenant it fed gets an audit row, and mappings stay for a reconnect. The
/// write-ahead log is then checkpointed so no page image with the secret stays in it.
pub(crate) async fn disconnect(
    store: &Store,
    connection: &Connection,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut tx = store.write().await?;
    store::connections::wipe_secret(&mut tx, connection.id, now).await?;
    store::assets::retire_from_connection(
        &mut tx,
        connection.id,
        &RetiredReason::Disconnected,
        now,
    )
    .await?;
    compliance::record_disconnect(&mut tx, connection.id, &connection.name, now).await?;
    store::audit::record(
        &mut tx,
        now,
        Scope::Msp,
        AuditAction::ConnectionDisconnected,
        &connection.name,
    )
    .await?;
    tx.commit().await?;
    store.checkpoint().await
}

/// Which saved connection an action means: the one named, or the only active one.
pub fn choose(connections: Vec<Connection>, id: Option<ConnectionId>) -> Result<Connection> {
    if let Some(id) = id {
        return connections.into_iter().find(|c| c.id == id).ok_or_else(|| {
            Error::NotFound(format!(
                "There is no connection {id}. List them with `fleetward-cli status`."
            ))
        });
    }
    let (active, inactive): (Vec<Connection>, Vec<Connection>) =
        connections.into_iter().partition(|c| c.active);
    match active.len() {
        0 => match inactive.into_iter().max_by_key(|c| c.disconnected_at) {
            Some(last) => Err(disconnected(&last)),
            None => Err(Error::NotConfigured(
                "There is no NinjaOne connection yet. Open Connection in the app, enter your API client id and secret, test them and save; or run `fleetward-cli connect`.".into(),
            )),
        },
        1 => Ok(active.into_iter().next().expect("one element")),
        n => Err(Error::InvalidInput(format!(
            "There are {n} active connections; say which one with --connection ID (see `fleetward-cli status`)."
        ))),
    }
}

pub(crate) fn disconnected(connection: &Connection) -> Error {
    Error::Disconnected {
        id: connection.id,
        name: connection.name.clone(),
        since: connection
            .disconnected_at
            .map(|at| format!(" on {}", crate::time::format(at)))
            .unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connection(id: i64, active: bool) -> Connection {
        Connection {
            id: ConnectionId(id),
            name: format!("tenant {id}"),
            region: Some(Region::Eu),
            base_url: "https://eu.ninjarmm.com".into(),
            client_id: "id".into(),
            granted_scopes: vec![],
            active,
            created_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            tested_at: None,
            discovered_at: None,
            disconnected_at: (!active).then(|| DateTime::from_timestamp(1_800_000_100, 0).unwrap()),
            organizations_truncated: false,
        }
    }

    #[test]
    fn the_only_active_connection_is_chosen_and_several_need_a_name() {
        assert_eq!(
            choose(vec![connection(1, false), connection(2, true)], None)
                .unwrap()
                .id,
            ConnectionId(2)
        );
        let err = choose(vec![connection(1, true), connection(2, true)], None).unwrap_err();
        assert!(err.to_string().contains("--connection"), "{err}");
    }

    #[test]
    fn after_a_disconnect_the_answer_says_disconnected_not_never_connected() {
        let err = choose(vec![connection(3, false)], None).unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("was disconnected on"), "{err}");
        let none = choose(vec![], None).unwrap_err();
        assert_eq!(none.kind(), crate::ErrorKind::NotConfigured);
    }

    #[test]
    fn regions_round_trip_through_their_codes_and_reject_others() {
        for region in Region::ALL {
            assert_eq!(Region::parse(region.code()), Some(region));
            assert_eq!(
                serde_json::to_value(region).unwrap(),
                serde_json::json!(region.code())
            );
        }
        assert_eq!(Region::parse("mars"), None);
    }

    #[test]
    fn a_draft_keeps_its_secret_out_of_debug_output() {
        let draft = ConnectionDraft {
            name: None,
            region: Some(Region::Eu),
            base_url: None,
            client_id: "id".into(),
            client_secret: SecretString::from("hunter2-draft-secret"),
        };
        assert!(!format!("{draft:?}").contains("hunter2"));
        let target = draft.target().unwrap();
        assert_eq!(target.name, "eu.ninjarmm.com");
    }
}
