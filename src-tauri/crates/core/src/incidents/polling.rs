//! Polling `/v2/activities` (SPEC §7): incrementally by activity id, for the mapped,
//! non-ignored organizations of every active connection, through the engine's shared rate
//! budget. The first poll of a connection does not replay history: it sets the watermark
//! and seeds open incidents from `/v2/alerts`. Every [`RECONCILE_EVERY`], open incidents are
//! compared with `/v2/alerts` and those no longer active are resolved (their RESET was
//! missed). Each poll is a run in the history.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use ninjaone::models::{Activity, Alert};
use ninjaone::{ActivityQuery, Client, DeviceFilter};

use super::grouping::{self, Details, Observation, Role, Transition};
use super::ingest::{self, Applied, Batch};
use super::rules::{self, Facts};
use super::{AlertRule, ConnectionPoll, IngestCounts, PollRun, Resolution};
use crate::engine::Trigger;
use crate::ids::{ConnectionId, NinjaOrgId};
use crate::organizations::MappingState;
use crate::runs::RunKind;
use crate::store::incidents::OrgMapping;
use crate::store::{self, Store};
use crate::sync::RunStatus;
use crate::time::Clock;
use crate::Result;

/// SPEC §7: every 2 minutes by default.
pub const DEFAULT_POLL_EVERY_SECS: u32 = 120;
/// Shortest and longest poll interval a technician may choose.
/// The schedules look at the clock once a minute, so a shorter interval would not be kept.
pub const POLL_EVERY_RANGE_SECS: (u32, u32) = (60, 24 * 3600);
/// How often open incidents are compared with `/v2/alerts` (one request per connection).
pub const RECONCILE_EVERY: Duration = Duration::from_secs(10 * 60);
/// Most activities one poll reads per connection; the rest wait for the next poll.
pub const MAX_ACTIVITIES_PER_POLL: usize = 100_000;
/// Activities planned and written together within a poll's transaction.
const APPLY_CHUNK: usize = 2_000;

/// Whether a poll is due: never polled, or the last one started `every` ago or more.
pub fn is_due(last_started: Option<DateTime<Utc>>, every: Duration, now: DateTime<Utc>) -> bool {
    let every = chrono::Duration::from_std(every).unwrap_or(chrono::Duration::MAX);
    last_started.is_none_or(|last| now - last >= every)
}

/// Whether open incidents should be compared with `/v2/alerts` now.
pub fn reconcile_due(last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    is_due(last, RECONCILE_EVERY, now)
}

/// One connection to poll: its client and its mapped organizations.
pub struct PollTarget {
    pub connection: ConnectionId,
    pub client: Client,
    pub orgs: Vec<NinjaOrgId>,
}

pub struct Poller<'a> {
    pub store: &'a Store,
    pub clock: &'a dyn Clock,
    pub rules: &'a [AlertRule],
    /// This engine instance's name, recorded on the run.
    pub holder: &'a str,
}

/// Polls every target, records the run, and returns it with what changed.
pub async fn poll(
    p: &Poller<'_>,
    trigger: Trigger,
    targets: Vec<PollTarget>,
) -> Result<(PollRun, Applied)> {
    let mut tx = p.store.write().await?;
    let run_id = store::runs::start(&mut tx, RunKind::Poll, trigger, "all", p.clock.now()).await?;
    store::runs::held_by(&mut tx, run_id, p.holder).await?;
    tx.commit().await?;
    let mut all = Applied::default();
    let mut connections = Vec::new();
    let mut requests = 0;
    for target in targets {
        let before = target.client.stats().requests;
        let outcome = poll_connection(p, &target).await;
        requests += target.client.stats().requests - before;
        connections.push(match outcome {
            Ok((part, applied)) => {
                all.merge(applied);
                part
            }
            Err(err) => ConnectionPoll {
                connection_id: target.connection,
                first_poll: false,
                watermark: None,
                counts: IngestCounts::default(),
                seeded: 0,
                reconciled: 0,
                error: Some(err.to_string()),
                error_kind: Some(err.kind()),
            },
        });
    }
    let failed = connections.iter().filter(|c| c.error.is_some()).count();
    let status = RunStatus::of(connections.len(), failed);
    let errors: Vec<String> = connections
        .iter()
        .filter_map(|c| {
            c.error
                .as_ref()
                .map(|e| format!("connection {}: {e}", c.connection_id))
        })
        .collect();
    let mut totals = IngestCounts::default();
    connections.iter().for_each(|c| totals.add(&c.counts));
    store::runs::finish_with(
        p.store.pool(),
        run_id,
        status,
        requests,
        &totals,
        &errors,
        p.clock.now(),
    )
    .await?;
    Ok((
        PollRun {
            run_id,
            status,
            requests,
            failure_kind: crate::ErrorKind::common(
                connections
                    .iter()
                    .filter(|c| c.error.is_some())
                    .map(|c| c.error_kind),
            ),
            connections,
        },
        all,
    ))
}

async fn poll_connection(p: &Poller<'_>, t: &PollTarget) -> Result<(ConnectionPoll, Applied)> {
    let pool = p.store.pool();
    let cursor = store::incidents::cursor(pool, t.connection).await?;
    let mappings = store::incidents::mappings(pool, t.connection).await?;
    let df = DeviceFilter::new().org_in(t.orgs.iter().map(|o| o.0));
    let mut applied = Applied::default();
    let mut part = ConnectionPoll {
        connection_id: t.connection,
        first_poll: cursor.is_none(),
        watermark: None,
        counts: IngestCounts::default(),
        seeded: 0,
        reconciled: 0,
        error: None,
        error_kind: None,
    };
    let (watermark, reconcile_below, reconciled_at) = match cursor {
        None => {
            // The newest activity of the whole tenant: history before it is not replayed,
            // also for organizations mapped later.
            let newest = std::pin::pin!(t.client.activities(&ActivityQuery::default()))
                .try_next()
                .await?
                .and_then(|a| a.id)
                .unwrap_or(0);
            let mut tx = p.store.write().await?;
            store::incidents::advance_cursor(&mut tx, t.connection, newest).await?;
            tx.commit().await?;
            (newest, None, None)
        }
        Some((last, reconciled_at)) => {
            let query = ActivityQuery {
                newer_than: Some(last),
                df: df.clone(),
                ..ActivityQuery::default()
            };
            let activities = oldest_first(
                t.client.activities(&query).try_collect::<Vec<_>>().await?,
                MAX_ACTIVITIES_PER_POLL,
            );
            let newest = activities
                .iter()
                .filter_map(|a| a.id)
                .max()
                .unwrap_or(last)
                .max(last);
            let (places, settled) =
                ingest::place_devices(p.store, t.connection, &activities, Some(&t.client), true)
                    .await?;
            let batch = Batch {
                connection: t.connection,
                places: &places,
                mappings: &mappings,
                rules: p.rules,
                now: p.clock.now(),
                last_chance: settled,
            };
            let mut tx = p.store.write().await?;
            // One transaction for the poll, applied in chunks so that what a chunk plans to
            // write stays small (the incidents benchmark polls 100,000 at once).
            for chunk in activities.chunks(APPLY_CHUNK) {
                applied.merge(ingest::apply(&mut tx, &batch, chunk).await?);
            }
            store::incidents::advance_cursor(&mut tx, t.connection, newest).await?;
            tx.commit().await?;
            // Only incidents known before this poll are compared with the alerts: one that
            // triggered a moment ago may not be listed by NinjaOne yet.
            (newest, Some(last), reconciled_at)
        }
    };
    part.watermark = Some(watermark);
    if part.first_poll || reconcile_due(reconciled_at, p.clock.now()) {
        let (seeded, reconciled, more) =
            reconcile(p, t, &df, &mappings, watermark, reconcile_below).await?;
        part.seeded = seeded;
        part.reconciled = reconciled;
        applied.merge(more);
    }
    part.counts = applied.counts;
    Ok((part, applied))
}

/// Seeds incidents for active alerts that have none (the first poll, or a missed
/// TRIGGERED), and — unless `reconcile_below` is `None` — resolves open incidents known
/// before that watermark whose alert is no longer active.
async fn reconcile(
    p: &Poller<'_>,
    t: &PollTarget,
    df: &DeviceFilter,
    mappings: &HashMap<NinjaOrgId, OrgMapping>,
    watermark: i64,
    reconcile_below: Option<i64>,
) -> Result<(u32, u32, Applied)> {
    let alerts: Vec<Alert> = t.client.alerts(df).await?;
    let now = p.clock.now();
    // Every alert's device in one lookup: thousands of alerts are common on a big tenant.
    let devices: BTreeSet<i64> = alerts.iter().filter_map(|a| a.device_id).collect();
    let devices: Vec<i64> = devices.into_iter().collect();
    let known = store::incidents::device_places(p.store.pool(), t.connection, &devices).await?;
    let mut places = HashMap::new();
    for alert in &alerts {
        let Some(device) = alert.device_id else {
            continue;
        };
        let place = match alert
            .device
            .as_deref()
            .filter(|d| d.organization_id.is_some())
        {
            Some(d) => {
                let mut place = ingest::from_device(d);
                place.asset = known.get(&device).and_then(|k| k.asset);
                Some(place)
            }
            None => known.get(&device).cloned(),
        };
        if let Some(place) = place {
            places.insert(device, place);
        }
    }
    let mut applied = Applied::default();
    let (mut seeded, mut reconciled) = (0, 0);
    let mut active = HashSet::new();
    let mut tx = p.store.write().await?;
    for alert in &alerts {
        let Some(key) = grouping::key(
            alert.uid.as_deref(),
            alert.source_config_uid.as_deref(),
            alert.device_id,
        ) else {
            continue;
        };
        active.insert(key.clone());
        // An incident of the same condition keyed without its series (activities that came
        // without a `seriesUid`) is still active too.
        if let Some(fallback) =
            grouping::key(None, alert.source_config_uid.as_deref(), alert.device_id)
        {
            active.insert(fallback);
        }
        let place = alert.device_id.and_then(|d| places.get(&d));
        let Some(org) = place.and_then(|p| p.org) else {
            continue;
        };
        let Some(OrgMapping {
            state: MappingState::Mapped,
            company: Some(company),
        }) = mappings.get(&org)
        else {
            continue;
        };
        // Only where nothing is known yet: an incident resolved a moment ago may still be
        // listed by NinjaOne, and must not be reopened by the listing alone.
        if store::incidents::state(&mut tx, t.connection, &key)
            .await?
            .is_some()
        {
            continue;
        }
        let source = alert
            .source_name
            .clone()
            .filter(|s| !s.trim().is_empty())
            .or_else(|| alert.condition_name.clone());
        let severity = alert.severity.as_ref().map(|s| s.as_str().to_string());
        let priority = alert.priority.as_ref().map(|s| s.as_str().to_string());
        let class = place.and_then(|p| p.node_class.clone());
        let decision = rules::decide(
            p.rules,
            &Facts {
                activity_type: "CONDITION",
                status_code: "TRIGGERED",
                severity: severity.as_deref(),
                priority: priority.as_deref(),
                source_name: source.as_deref(),
                org: Some(org),
                device_class: class.as_deref(),
            },
        );
        if decision.ignores() {
            continue;
        }
        let obs = Observation {
            id: watermark,
            at: alert
                .create_time
                .filter(|s| s.is_finite())
                .and_then(|s| DateTime::from_timestamp(s.floor() as i64, 0))
                .unwrap_or(now),
            role: Role::Seed,
            details: Details {
                title: ingest::title(
                    alert.message.as_deref(),
                    source.as_deref(),
                    "NinjaOne alert",
                ),
                severity: decision.severity,
                actions: decision.actions,
                series_uid: alert.uid.clone(),
                activity_type: Some("CONDITION".into()),
                status_code: Some("TRIGGERED".into()),
                source_name: source,
                ninja_severity: severity,
                ninja_priority: priority,
                device_id: alert.device_id,
                device_name: place.and_then(|p| p.name.clone()),
                device_class: class,
                org_id: Some(org),
                company_id: Some(company.0),
                asset_id: place.and_then(|p| p.asset),
            },
        };
        let (_, transition, _) = ingest::observe(
            &mut tx,
            t.connection,
            &key,
            &obs,
            Some(company),
            now,
            &mut applied,
        )
        .await?;
        if transition == Transition::Opened {
            seeded += 1;
        }
    }
    if let Some(below) = reconcile_below {
        let polled: HashSet<NinjaOrgId> = t.orgs.iter().copied().collect();
        for (key, trigger, org) in store::incidents::open_series(&mut tx, t.connection).await? {
            if trigger > below || active.contains(&key) || !org.is_some_and(|o| polled.contains(&o))
            {
                continue;
            }
            let obs = Observation {
                id: trigger,
                at: now,
                role: Role::Resolve(Resolution::Reconciled),
                details: Details::default(),
            };
            let (_, transition, _) =
                ingest::observe(&mut tx, t.connection, &key, &obs, None, now, &mut applied).await?;
            if transition == Transition::Resolved {
                reconciled += 1;
            }
        }
    }
    store::incidents::mark_reconciled(&mut tx, t.connection, now).await?;
    tx.commit().await?;
    Ok((seeded, reconciled, applied))
}

/// A poll's activities in the order they happened, at most `max`: when more came, the
/// oldest ones (right after the watermark), so the watermark stops before the rest and the
/// next poll reads them; none is skipped.
fn oldest_first(mut activities: Vec<Activity>, max: usize) -> Vec<Activity> {
    activities.sort_by_key(|a| a.id);
    activities.truncate(max);
    activities
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_poll_over_its_limit_keeps_the_oldest_so_the_next_poll_reads_the_rest() {
        let newest_first: Vec<Activity> = (1..=5)
            .rev()
            .map(|id| Activity {
                id: Some(id),
                ..Activity::default()
            })
            .collect();
        let ids = |kept: Vec<Activity>| kept.iter().filter_map(|a| a.id).collect::<Vec<_>>();
        assert_eq!(ids(oldest_first(newest_first.clone(), 3)), vec![1, 2, 3]);
        assert_eq!(ids(oldest_first(newest_first, 10)), vec![1, 2, 3, 4, 5]);
    }

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn a_poll_is_due_once_its_interval_has_passed() {
        let every = Duration::from_secs(120);
        assert!(is_due(None, every, at(0)));
        assert!(!is_due(Some(at(0)), every, at(119)));
        assert!(is_due(Some(at(0)), every, at(120)));
        assert!(reconcile_due(Some(at(0)), at(600)));
        assert!(!reconcile_due(Some(at(0)), at(599)));
    }
}
