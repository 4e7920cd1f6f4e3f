//! Places activities (organization, company, device, asset), applies the alert rules and
//! the grouping, and writes the outcome, one transaction per batch. The same path serves the
//! webhook receiver, `webhook ingest` and polling, which is why their results converge.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use ninjaone::models::Activity;
use ninjaone::{Client, DeviceFilter};

use super::grouping::{self, Details, Observation, Role, SeriesState, Transition};
use super::rules::{self, Facts};
use super::{
    AlertRule, EventSummary, IncidentId, IncidentNotice, IncidentSeverity, IngestCounts, RuleAction,
};
use crate::ids::{CompanyId, ConnectionId, NinjaOrgId};
use crate::organizations::MappingState;
use crate::store::incidents::{DevicePlace, OrgMapping};
use crate::store::{self, Store, WriteTx};
use crate::Result;

/// Longest title kept (NinjaOne messages can be long).
const TITLE_CHARS: usize = 300;

/// Where each device of a batch belongs: the activity's own `device` (webhooks expanded
/// with `device`), the synced assets, devices met before, and finally NinjaOne itself (one
/// request for all the unknown devices of a batch, when a client is given).
pub async fn place_devices(
    store: &Store,
    connection: ConnectionId,
    activities: &[Activity],
    client: Option<&Client>,
) -> Result<HashMap<i64, DevicePlace>> {
    let mut places = HashMap::new();
    let mut unknown = BTreeSet::new();
    for a in activities {
        let Some(device) = a.device_id else { continue };
        if places.contains_key(&device) {
            continue;
        }
        if let Some(d) = a.device.as_deref().filter(|d| d.organization_id.is_some()) {
            let mut place = from_device(d);
            if let Some(known) =
                store::incidents::device_place(store.pool(), connection, device).await?
            {
                place.asset = known.asset;
            }
            places.insert(device, place);
            continue;
        }
        match store::incidents::device_place(store.pool(), connection, device).await? {
            Some(place) if place.org.is_some() => {
                places.insert(device, place);
            }
            _ => {
                unknown.insert(device);
            }
        }
    }
    if let (Some(client), false) = (client, unknown.is_empty()) {
        let df = DeviceFilter::new().id_in(unknown.iter().copied());
        let found: Vec<ninjaone::models::Device> = match client.devices(&df).try_collect().await {
            Ok(found) => found,
            Err(err) => {
                // Their activities stay unplaced (not marked processed): a later poll retries.
                tracing::warn!(error = %err, devices = unknown.len(), "could not ask NinjaOne where devices belong");
                Vec::new()
            }
        };
        let mut tx = store.write().await?;
        for d in found {
            let Some(id) = d.id.filter(|id| unknown.contains(id)) else {
                continue;
            };
            let place = from_device(&d);
            store::incidents::remember_device(&mut tx, connection, id, &place).await?;
            places.insert(id, place);
        }
        tx.commit().await?;
    }
    Ok(places)
}

pub(crate) fn from_device(d: &ninjaone::models::Device) -> DevicePlace {
    DevicePlace {
        org: d.organization_id.map(NinjaOrgId),
        node_class: d.node_class.as_ref().map(|c| c.as_str().to_string()),
        name: d
            .display_name
            .clone()
            .or_else(|| d.system_name.clone())
            .filter(|n| !n.trim().is_empty()),
        asset: None,
    }
}

/// What a batch did.
#[derive(Debug, Default)]
pub struct Applied {
    pub counts: IngestCounts,
    pub touched: Vec<IncidentId>,
    /// New and reopened incidents whose actions include notify.
    pub raised: Vec<IncidentNotice>,
}

impl Applied {
    pub fn changed(&self) -> bool {
        let c = &self.counts;
        c.opened + c.reopened + c.repeated + c.resolved > 0
    }

    pub fn merge(&mut self, other: Applied) {
        self.counts.add(&other.counts);
        self.touched.extend(other.touched);
        self.raised.extend(other.raised);
    }
}

/// Everything a batch is applied with.
pub struct Batch<'a> {
    pub connection: ConnectionId,
    pub places: &'a HashMap<i64, DevicePlace>,
    pub mappings: &'a HashMap<NinjaOrgId, OrgMapping>,
    pub rules: &'a [AlertRule],
    pub now: DateTime<Utc>,
}

/// Applies `activities` (any order; sorted by id here so that a batch reads as it
/// happened) in the open transaction.
pub async fn apply(
    tx: &mut WriteTx,
    batch: &Batch<'_>,
    activities: &[Activity],
) -> Result<Applied> {
    let mut sorted: Vec<&Activity> = activities.iter().collect();
    sorted.sort_by_key(|a| a.id);
    let mut applied = Applied::default();
    for activity in sorted {
        applied.counts.received += 1;
        apply_one(tx, batch, activity, &mut applied).await?;
    }
    Ok(applied)
}

fn text_of(value: &Option<String>) -> Option<String> {
    value.clone().filter(|v| !v.trim().is_empty())
}

fn epoch(secs: Option<f64>) -> Option<DateTime<Utc>> {
    secs.filter(|s| s.is_finite())
        .and_then(|s| DateTime::from_timestamp(s.floor() as i64, 0))
}

pub(crate) fn title(message: Option<&str>, source: Option<&str>, fallback: &str) -> String {
    let text = message
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .or(source.map(str::trim).filter(|s| !s.is_empty()))
        .unwrap_or(fallback);
    text.chars().take(TITLE_CHARS).collect()
}

async fn apply_one(
    tx: &mut WriteTx,
    batch: &Batch<'_>,
    a: &Activity,
    applied: &mut Applied,
) -> Result<()> {
    let Some(id) = a.id else {
        applied.counts.unplaced += 1;
        return Ok(());
    };
    if store::incidents::processed(tx, batch.connection, id).await? {
        applied.counts.duplicates += 1;
        return Ok(());
    }
    let activity_type = a
        .activity_type
        .as_ref()
        .map(|t| t.as_str().to_string())
        .unwrap_or_default();
    let status_code = a.status_code.clone().unwrap_or_default();
    let place = a.device_id.and_then(|d| batch.places.get(&d));
    let org = place.and_then(|p| p.org);
    let mut summary = EventSummary {
        activity_id: id,
        connection_id: Some(batch.connection),
        received_at: Some(batch.now),
        activity_type: activity_type.clone(),
        status_code: status_code.clone(),
        severity: a.severity.as_ref().map(|s| s.as_str().to_string()),
        priority: a.priority.as_ref().map(|p| p.as_str().to_string()),
        source_name: text_of(&a.source_name),
        org_id: org,
        device_class: place.and_then(|p| p.node_class.clone()),
        title: title(
            a.message.as_deref(),
            a.source_name.as_deref(),
            &format!("{activity_type} {status_code}"),
        ),
        outcome: String::new(),
    };
    // An activity whose organization is unknown is not marked processed: a later poll,
    // which can ask NinjaOne where the device is, may still place it.
    let Some(org) = org else {
        applied.counts.unplaced += 1;
        return Ok(());
    };
    let company = match batch.mappings.get(&org) {
        Some(OrgMapping {
            state: MappingState::Mapped,
            company: Some(company),
        }) => company.clone(),
        Some(OrgMapping {
            state: MappingState::Ignored,
            ..
        }) => {
            applied.counts.dropped_ignored += 1;
            return mark(tx, batch, summary, "ignoredOrganization").await;
        }
        _ => {
            applied.counts.dropped_unmapped += 1;
            return mark(tx, batch, summary, "unmapped").await;
        }
    };
    let facts = Facts {
        activity_type: &activity_type,
        status_code: &status_code,
        severity: summary.severity.as_deref(),
        priority: summary.priority.as_deref(),
        source_name: summary.source_name.as_deref(),
        org: Some(org),
        device_class: summary.device_class.as_deref(),
    };
    let decision = rules::decide(batch.rules, &facts);
    let mut role = grouping::role(&activity_type, &status_code);
    if role == Role::Other {
        // A rule that names this status code turns it into an incident (a failed backup).
        let named = decision
            .rule
            .is_some_and(|i| rules::names_status_code(&batch.rules[i as usize].when, &status_code));
        if named && !decision.ignores() {
            role = Role::Trigger;
        }
    }
    let key = grouping::key(
        a.series_uid.as_deref(),
        a.source_config_uid.as_deref(),
        a.device_id,
    );
    let (Some(key), false) = (key, role == Role::Other) else {
        applied.counts.informational += 1;
        return mark(tx, batch, summary, "informational").await;
    };
    if role == Role::Trigger && decision.ignores() {
        applied.counts.ignored += 1;
        return mark(tx, batch, summary, "ignored").await;
    }
    let details = Details {
        title: summary.title.clone(),
        severity: decision.severity,
        actions: decision.actions.clone(),
        series_uid: text_of(&a.series_uid),
        activity_type: Some(activity_type.clone()).filter(|t| !t.is_empty()),
        status_code: Some(status_code.clone()).filter(|c| !c.is_empty()),
        source_name: summary.source_name.clone(),
        ninja_severity: summary.severity.clone(),
        ninja_priority: summary.priority.clone(),
        device_id: a.device_id,
        device_name: place.and_then(|p| p.name.clone()),
        device_class: summary.device_class.clone(),
        org_id: Some(org),
        company_id: Some(company.0),
        asset_id: place.and_then(|p| p.asset),
    };
    let obs = Observation {
        id,
        at: epoch(a.activity_time).unwrap_or(batch.now),
        role,
        details,
    };
    observe(
        tx,
        batch.connection,
        &key,
        &obs,
        Some(&company),
        batch.now,
        applied,
    )
    .await?;
    mark(tx, batch, summary.clone(), "applied").await?;
    summary.outcome.clear();
    Ok(())
}

async fn mark(
    tx: &mut WriteTx,
    batch: &Batch<'_>,
    mut summary: EventSummary,
    outcome: &str,
) -> Result<()> {
    summary.outcome = outcome.to_string();
    store::incidents::mark_processed(tx, batch.connection, &summary, batch.now).await
}

/// Applies one observation to the incident of `key` and records what it did.
pub async fn observe(
    tx: &mut WriteTx,
    connection: ConnectionId,
    key: &str,
    obs: &Observation,
    company: Option<&(CompanyId, String)>,
    now: DateTime<Utc>,
    applied: &mut Applied,
) -> Result<(IncidentId, Transition, SeriesState)> {
    let stored = store::incidents::state(tx, connection, key).await?;
    let (state, transition) = grouping::apply(stored.map(|s| s.state), obs);
    let id = store::incidents::save(
        tx,
        connection,
        key,
        &state,
        transition == Transition::Reopened,
        now,
    )
    .await?;
    let c = &mut applied.counts;
    match transition {
        Transition::Opened => c.opened += 1,
        Transition::Reopened => c.reopened += 1,
        Transition::Repeated => c.repeated += 1,
        Transition::Resolved => c.resolved += 1,
        Transition::Unchanged => {}
    }
    if transition != Transition::Unchanged {
        applied.touched.push(id);
    }
    if matches!(transition, Transition::Opened | Transition::Reopened) {
        let d = &state.details;
        if d.actions.contains(&RuleAction::Ticket) {
            if let Some((company, _)) = company {
                let opened = store::incidents::open_ticket(
                    tx,
                    *company,
                    &format!("incident:{id}"),
                    d.severity >= IncidentSeverity::High,
                    &d.title,
                    &format!(
                        "NinjaOne alert {key}{}",
                        d.device_name
                            .as_deref()
                            .map(|n| format!(" on {n}"))
                            .unwrap_or_default()
                    ),
                    now,
                )
                .await?;
                if opened {
                    applied.counts.tickets += 1;
                }
            }
        }
        if d.actions.contains(&RuleAction::Notify) {
            applied.raised.push(IncidentNotice {
                id,
                title: d.title.clone(),
                severity: d.severity,
                reopened: transition == Transition::Reopened,
                company_name: company.map(|c| c.1.clone()),
                device_name: d.device_name.clone(),
            });
        }
    }
    Ok((id, transition, state))
}
