//! Places activities (organization, company, device, asset), applies the alert rules and
//! the grouping, and writes the outcome, one transaction per batch. The same path serves the
//! webhook receiver, `webhook ingest` and polling, which is why their results converge.

use std::collections::{BTreeSet, HashMap, HashSet};

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
/// request for all the unknown devices of a batch, when a client is given). Also answers
/// whether that is settled: every device was placed or NinjaOne was asked about it. When
/// `must_ask` (a poll, whose watermark moves past the batch), a failed question to NinjaOne
/// is the answer, so the poll fails and is tried again; otherwise the activities stay
/// unplaced, and unmarked, for a later delivery.
pub async fn place_devices(
    store: &Store,
    connection: ConnectionId,
    activities: &[Activity],
    client: Option<&Client>,
    must_ask: bool,
) -> Result<(HashMap<i64, DevicePlace>, bool)> {
    let wanted: BTreeSet<i64> = activities.iter().filter_map(|a| a.device_id).collect();
    let wanted: Vec<i64> = wanted.into_iter().collect();
    let known = store::incidents::device_places(store.pool(), connection, &wanted).await?;
    let mut places = HashMap::new();
    let mut unknown = BTreeSet::new();
    for a in activities {
        let Some(device) = a.device_id else { continue };
        if places.contains_key(&device) {
            continue;
        }
        if let Some(d) = a.device.as_deref().filter(|d| d.organization_id.is_some()) {
            let mut place = from_device(d);
            place.asset = known.get(&device).and_then(|k| k.asset);
            places.insert(device, place);
            continue;
        }
        match known.get(&device) {
            Some(place) if place.org.is_some() => {
                places.insert(device, place.clone());
            }
            _ => {
                unknown.insert(device);
            }
        }
    }
    if unknown.is_empty() {
        return Ok((places, true));
    }
    let mut settled = false;
    if let Some(client) = client {
        let df = DeviceFilter::new().id_in(unknown.iter().copied());
        let found: Vec<ninjaone::models::Device> = match client.devices(&df).try_collect().await {
            Ok(found) => {
                settled = true;
                found
            }
            Err(err) if must_ask => return Err(err.into()),
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
    Ok((places, settled))
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
    /// Whether nothing later can place these activities (NinjaOne was asked where their
    /// devices are): an unplaced one is then marked processed as `unplaced`, so it shows
    /// among the last events. Otherwise it stays unmarked, so a redelivery tries again.
    pub last_chance: bool,
}

/// What a batch will write once every activity has been looked at.
#[derive(Default)]
struct Plan {
    /// Every activity marked processed, with what became of it.
    marks: Vec<EventSummary>,
    /// Observations of incidents, in activity order, with the company of each.
    observations: Vec<(String, Observation, (CompanyId, String))>,
}

/// Applies `activities` (any order; sorted by id here so that a batch reads as it
/// happened) in the open transaction. The whole batch costs a handful of statements (which
/// ids are done, the incidents' states, their upserts, the processed marks), not several
/// per activity: the incidents benchmark's throughput rests on it.
pub async fn apply(
    tx: &mut WriteTx,
    batch: &Batch<'_>,
    activities: &[Activity],
) -> Result<Applied> {
    let mut sorted: Vec<&Activity> = activities.iter().collect();
    sorted.sort_by_key(|a| a.id);
    let ids: Vec<i64> = sorted.iter().filter_map(|a| a.id).collect();
    let done = store::incidents::processed_among(tx, batch.connection, &ids).await?;
    let mut taken = HashSet::new();
    let mut applied = Applied::default();
    let mut plan = Plan::default();
    for activity in sorted {
        applied.counts.received += 1;
        if activity
            .id
            .is_some_and(|id| done.contains(&id) || !taken.insert(id))
        {
            applied.counts.duplicates += 1;
            continue;
        }
        classify(batch, activity, &mut applied, &mut plan);
    }
    observe_many(
        tx,
        batch.connection,
        &plan.observations,
        batch.now,
        &mut applied,
    )
    .await?;
    store::incidents::mark_processed_many(tx, batch.connection, &plan.marks, batch.now).await?;
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

/// Decides what one new activity is (placed, ruled, grouped) without touching the store.
fn classify(batch: &Batch<'_>, a: &Activity, applied: &mut Applied, plan: &mut Plan) {
    let Some(id) = a.id else {
        applied.counts.unplaced += 1;
        return;
    };
    let activity_type = a
        .activity_type
        .as_ref()
        .map(|t| t.as_str().to_string())
        .unwrap_or_default();
    let status_code = a.status_code.clone().unwrap_or_default();
    let place = a.device_id.and_then(|d| batch.places.get(&d));
    let org = place.and_then(|p| p.org);
    let summary = EventSummary {
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
    let mark = |plan: &mut Plan, mut summary: EventSummary, outcome: &str| {
        summary.outcome = outcome.to_string();
        plan.marks.push(summary);
    };
    // An activity whose organization is unknown is not marked processed while a redelivery
    // may still place it (NinjaOne could not be asked). One without a device (a test event,
    // a system message) or whose device NinjaOne does not place is marked `unplaced`.
    let Some(org) = org else {
        applied.counts.unplaced += 1;
        if a.device_id.is_none() || batch.last_chance {
            mark(plan, summary, "unplaced");
        }
        return;
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
            return mark(plan, summary, "ignoredOrganization");
        }
        _ => {
            applied.counts.dropped_unmapped += 1;
            return mark(plan, summary, "unmapped");
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
        return mark(plan, summary, "informational");
    };
    if role == Role::Trigger && decision.ignores() {
        applied.counts.ignored += 1;
        return mark(plan, summary, "ignored");
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
    plan.observations.push((key, obs, company));
    mark(plan, summary, "applied");
}

/// Applies a batch's observations in order to their incidents: their states read in one
/// statement, folded in memory, written back in a few, then tickets and notices for what
/// opened or reopened.
async fn observe_many(
    tx: &mut WriteTx,
    connection: ConnectionId,
    observations: &[(String, Observation, (CompanyId, String))],
    now: DateTime<Utc>,
    applied: &mut Applied,
) -> Result<()> {
    if observations.is_empty() {
        return Ok(());
    }
    let mut keys: Vec<&str> = observations.iter().map(|(k, _, _)| k.as_str()).collect();
    keys.sort_unstable();
    keys.dedup();
    let mut states: HashMap<&str, SeriesState> = HashMap::with_capacity(keys.len());
    let mut stored = store::incidents::states(tx, connection, &keys).await?;
    for key in &keys {
        if let Some(s) = stored.remove(*key) {
            states.insert(key, s.state);
        }
    }
    let mut transitions = Vec::with_capacity(observations.len());
    let mut reopened = Vec::new();
    for (key, obs, _) in observations {
        let (state, transition) = grouping::apply(states.remove(key.as_str()), obs);
        if transition == Transition::Reopened {
            reopened.push(key.as_str());
        }
        let raised = matches!(transition, Transition::Opened | Transition::Reopened)
            .then(|| state.details.clone());
        transitions.push((transition, raised));
        states.insert(key.as_str(), state);
    }
    let rows: Vec<(&str, &SeriesState)> = keys.iter().map(|k| (*k, &states[*k])).collect();
    let ids = store::incidents::save_many(tx, connection, &rows, &reopened, now).await?;
    for ((key, _, company), (transition, raised)) in observations.iter().zip(transitions) {
        let id = ids.get(key).copied().ok_or_else(|| {
            crate::Error::Internal(format!(
                "The incident of {key} was saved but its id did not come back. Report this."
            ))
        })?;
        record(
            tx,
            key,
            id,
            transition,
            raised.as_ref(),
            Some(company),
            now,
            applied,
        )
        .await?;
    }
    Ok(())
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
    let raised =
        matches!(transition, Transition::Opened | Transition::Reopened).then_some(&state.details);
    record(tx, key, id, transition, raised, company, now, applied).await?;
    Ok((id, transition, state))
}

/// Counts a transition, and for a new or reopened incident (`raised`: its details) opens
/// its ticket and announces it as its rule's actions ask.
#[allow(clippy::too_many_arguments)]
async fn record(
    tx: &mut WriteTx,
    key: &str,
    id: IncidentId,
    transition: Transition,
    raised: Option<&Details>,
    company: Option<&(CompanyId, String)>,
    now: DateTime<Utc>,
    applied: &mut Applied,
) -> Result<()> {
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
    let Some(d) = raised else {
        return Ok(());
    };
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
    Ok(())
}
