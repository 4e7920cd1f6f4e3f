//! What the engine's incident actions do beyond one call: webhook deliveries placed on
//! their connection, resolution and acknowledgement by hand, settings and the webhook
//! secret. Kept here so that `Engine` stays a thin facade.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use chrono::{DateTime, Utc};
use ninjaone::models::Activity;
use ninjaone::Client;
use rand::RngCore;
use secrecy::SecretString;

use super::grouping::{Details, Observation, Role};
use super::ingest::{self, Applied, Batch};
use super::polling::POLL_EVERY_RANGE_SECS;
use super::{IncidentId, IncidentSettings, IncidentStatus, Resolution, WebhookSettings};
use crate::ids::ConnectionId;
use crate::store::{self, Store};
use crate::{Error, Result};

const INCIDENT_SETTINGS: &str = "incidents";
const WEBHOOK_SETTINGS: &str = "webhook";
/// Kept in the encrypted store only; never returned by the settings calls.
const WEBHOOK_SECRET: &str = "webhook.secret";

/// The header a sender puts the secret in (SPEC §7; `Authorization: Bearer` works too).
pub const SECRET_HEADER: &str = "X-Fleetward-Secret";
/// The receiver's path (SPEC §7).
pub const WEBHOOK_PATH: &str = "/ninjaone/webhook";

/// Which connection each activity of a webhook delivery belongs to. A delivery carries no
/// tenant: with one active connection it is that one (the delivery as it came, not a copy);
/// with several, the one that knows the device, else the first.
pub async fn split_by_connection<'a>(
    store: &Store,
    connections: &[ConnectionId],
    activities: &'a [Activity],
) -> Result<BTreeMap<ConnectionId, Cow<'a, [Activity]>>> {
    let Some(first) = connections.first().copied() else {
        return Err(Error::NotConfigured(
            "No active NinjaOne connection, so webhook events cannot be placed in an organization. \
             Connect one on Connection (or `fleetward-cli connect`) first."
                .into(),
        ));
    };
    if connections.len() == 1 {
        return Ok(BTreeMap::from([(first, Cow::Borrowed(activities))]));
    }
    // Which devices each connection knows, one lookup per connection for the whole delivery.
    let devices: BTreeSet<i64> = activities.iter().filter_map(|a| a.device_id).collect();
    let devices: Vec<i64> = devices.into_iter().collect();
    let mut known = Vec::with_capacity(connections.len());
    for c in connections {
        known.push((
            *c,
            store::incidents::device_places(store.pool(), *c, &devices).await?,
        ));
    }
    let mut out: BTreeMap<ConnectionId, Vec<Activity>> = BTreeMap::new();
    for a in activities {
        let chosen = a
            .device_id
            .and_then(|device| {
                known
                    .iter()
                    .find(|(_, places)| places.contains_key(&device))
                    .map(|(c, _)| *c)
            })
            .unwrap_or(first);
        out.entry(chosen).or_default().push(a.clone());
    }
    Ok(out
        .into_iter()
        .map(|(connection, share)| (connection, Cow::Owned(share)))
        .collect())
}

/// Places and applies one connection's share of a delivery in one transaction.
pub async fn ingest(
    store: &Store,
    connection: ConnectionId,
    activities: &[Activity],
    client: Option<&Client>,
    now: DateTime<Utc>,
) -> Result<Applied> {
    let (places, settled) =
        ingest::place_devices(store, connection, activities, client, false).await?;
    let mappings = store::incidents::mappings(store.pool(), connection).await?;
    let rules = store::incidents::rules(store.pool()).await?;
    let batch = Batch {
        connection,
        places: &places,
        mappings: &mappings,
        rules: &rules,
        now,
        last_chance: settled,
    };
    let mut tx = store.write().await?;
    let applied = ingest::apply(&mut tx, &batch, activities).await?;
    tx.commit().await?;
    Ok(applied)
}

fn no_incident(id: IncidentId) -> Error {
    Error::NotFound(format!(
        "There is no incident {id}. List them with `fleetward-cli incidents list --status all`."
    ))
}

/// Resolves an incident by hand. It stays resolved until NinjaOne sends a TRIGGERED newer
/// than anything polled so far, so a still-listed alert does not reopen it.
pub async fn resolve(store: &Store, id: IncidentId, now: DateTime<Utc>) -> Result<()> {
    let mut tx = store.write().await?;
    let (connection, key, state) = store::incidents::state_by_id(&mut tx, id)
        .await?
        .ok_or_else(|| no_incident(id))?;
    if state.status() == IncidentStatus::Resolved {
        return Ok(());
    }
    let watermark = store::incidents::cursor(store.pool(), connection)
        .await?
        .map_or(0, |(w, _)| w);
    let obs = Observation {
        id: state.last_trigger_id.unwrap_or(0).max(watermark),
        at: now,
        role: Role::Resolve(Resolution::Manual),
        details: Details::default(),
    };
    ingest::observe(
        &mut tx,
        connection,
        &key,
        &obs,
        None,
        now,
        &mut Applied::default(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn acknowledge(store: &Store, id: IncidentId, now: DateTime<Utc>) -> Result<()> {
    let mut tx = store.write().await?;
    if !store::incidents::acknowledge(&mut tx, id, now).await? {
        return Err(no_incident(id));
    }
    tx.commit().await?;
    Ok(())
}

pub async fn settings(store: &Store) -> Result<IncidentSettings> {
    Ok(store::settings::get(store.pool(), INCIDENT_SETTINGS)
        .await?
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default())
}

pub async fn save_settings(store: &Store, settings: &IncidentSettings) -> Result<()> {
    let (low, high) = POLL_EVERY_RANGE_SECS;
    if !(low..=high).contains(&settings.poll_every_secs) {
        return Err(Error::InvalidInput(format!(
            "Polling every {} s is not possible. Choose between {low} s and {high} s (the default is 120 s).",
            settings.poll_every_secs
        )));
    }
    let mut tx = store.write().await?;
    store::settings::set(&mut tx, INCIDENT_SETTINGS, &json(settings)?).await?;
    tx.commit().await?;
    Ok(())
}

fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| {
        Error::Internal(format!(
            "A setting could not be written as JSON: {e}. Report this."
        ))
    })
}

pub async fn webhook_settings(store: &Store) -> Result<WebhookSettings> {
    let mut settings: WebhookSettings = store::settings::get(store.pool(), WEBHOOK_SETTINGS)
        .await?
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    settings.secret_set = store::settings::get(store.pool(), WEBHOOK_SECRET)
        .await?
        .is_some();
    Ok(settings)
}

/// Checks the receiver's address: an IP address and a port above 0.
pub fn validate_webhook(settings: &WebhookSettings) -> Result<IpAddr> {
    let ip: IpAddr = settings.bind.trim().parse().map_err(|_| {
        Error::InvalidInput(format!(
            "{:?} is not an IP address to listen on. Use 127.0.0.1 (this computer only), or the \
             address of one of this computer's network interfaces.",
            settings.bind
        ))
    })?;
    if settings.port == 0 {
        return Err(Error::InvalidInput(
            "Port 0 cannot be configured in NinjaOne. Choose a port between 1024 and 65535, such as 8787.".into(),
        ));
    }
    Ok(ip)
}

pub async fn save_webhook_settings(store: &Store, settings: &WebhookSettings) -> Result<()> {
    validate_webhook(settings)?;
    let mut tx = store.write().await?;
    store::settings::set(&mut tx, WEBHOOK_SETTINGS, &json(settings)?).await?;
    tx.commit().await?;
    Ok(())
}

/// A new random secret (32 bytes, hex), stored in the encrypted store; the old one stops
/// working at once.
pub async fn regenerate_secret(store: &Store) -> Result<SecretString> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = hex::encode(bytes);
    let mut tx = store.write().await?;
    store::settings::set(&mut tx, WEBHOOK_SECRET, &secret).await?;
    tx.commit().await?;
    Ok(SecretString::from(secret))
}

pub async fn secret(store: &Store) -> Result<Option<SecretString>> {
    Ok(store::settings::get(store.pool(), WEBHOOK_SECRET)
        .await?
        .map(SecretString::from))
}
