//! Incidents through the engine against the simulator over loopback (SPEC §7): the first
//! poll seeds from `/v2/alerts` without replaying history, incremental polls group,
//! suppress, resolve and reopen, unmapped and ignored organizations are dropped and counted,
//! rules apply, incidents link to synced assets, reconciliation resolves what lost its
//! RESET, and a webhook and a poll of the same stream converge.

use std::sync::Arc;
use std::time::Duration;

use fleetward_core::connection::ConnectionDraft;
use fleetward_core::ids::{ConnectionId, NinjaOrgId};
use fleetward_core::incidents::{
    AlertRule, IncidentSeverity, IncidentStatus, Resolution, RuleAction, RuleMatch, StatusFilter,
};
use fleetward_core::notifications::{NotificationGate, INCIDENT_HOLD};
use fleetward_core::organizations::{MappingChoice, MappingOptions};
use fleetward_core::time::{Clock, ManualClock};
use fleetward_core::{Engine, EngineEvent, ErrorKind, Trigger};
use ninjaone::models::{Activity, ActivityType, Device, Severity};
use ninjaone::secrecy::SecretString;
use ninjaone_sim::{SimConfig, Simulator};

struct World {
    _dir: tempfile::TempDir,
    engine: Arc<Engine>,
    clock: Arc<ManualClock>,
    connection: ConnectionId,
}

async fn engine_on(sim: &Simulator) -> World {
    engine_tuned(sim, |_| {}).await
}

async fn engine_tuned(
    sim: &Simulator,
    tune: impl FnOnce(&mut fleetward_core::EngineConfig),
) -> World {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(ManualClock::starting_now());
    let mut config = fleetward_core::EngineConfig {
        clock: clock.clone(),
        ..fleetward_core::testing::config(dir.path().join("data"))
    };
    tune(&mut config);
    let engine = Engine::start(config).await.unwrap();
    let draft = ConnectionDraft {
        name: None,
        region: None,
        base_url: Some(sim.base_url()),
        client_id: "sim-client".into(),
        client_secret: SecretString::from("sim-secret"),
    };
    let connection = engine.save_connection(&draft).await.unwrap().connection.id;
    World {
        _dir: dir,
        engine,
        clock,
        connection,
    }
}

async fn sim() -> Simulator {
    Simulator::start(SimConfig {
        orgs: 2,
        devices_per_org: 8,
        ..SimConfig::default()
    })
    .await
    .unwrap()
}

fn org_ids(sim: &Simulator) -> (i64, i64) {
    let orgs = sim.control().organizations();
    (orgs[0].id.unwrap(), orgs[1].id.unwrap())
}

fn device_of(sim: &Simulator, org: i64) -> Device {
    sim.control()
        .devices()
        .into_iter()
        .find(|d| d.organization_id == Some(org))
        .unwrap()
}

async fn map(w: &World, org: i64, choice: MappingChoice) {
    w.engine
        .map_organization(
            w.connection,
            NinjaOrgId(org),
            &choice,
            &MappingOptions::default(),
        )
        .await
        .unwrap();
}

fn condition(device: i64, series: &str, code: &str) -> Activity {
    Activity {
        device_id: Some(device),
        series_uid: Some(series.into()),
        activity_type: Some(ActivityType::Condition),
        status_code: Some(code.into()),
        severity: Some(Severity::Major),
        source_name: Some("Disk space".into()),
        source_config_uid: Some("cfg-disk".into()),
        message: Some(format!("Disk C: is almost full ({code})")),
        ..Activity::default()
    }
}

/// Appends to the simulator and answers the activity as NinjaOne would deliver it (with its
/// time, as a webhook carries it).
fn append(sim: &Simulator, mut activity: Activity) -> Activity {
    static SECONDS: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);
    let tick = SECONDS.fetch_add(7, std::sync::atomic::Ordering::Relaxed);
    activity
        .activity_time
        .get_or_insert((1_790_000_000 + tick) as f64);
    let id = sim.control().append_activity(activity.clone());
    Activity {
        id: Some(id),
        ..activity
    }
}

/// One webhook delivery of `body` (an activity or a list of them), which the test expects to
/// be taken.
async fn deliver(
    w: &World,
    body: &impl serde::Serialize,
) -> fleetward_core::incidents::IngestReport {
    w.engine
        .ingest_webhook(&serde_json::to_vec(body).unwrap())
        .await
        .unwrap()
}

/// The simulator and an engine whose first organization is mapped and polled once, with
/// that organization and one of its devices.
async fn polled_world() -> (Simulator, World, i64, i64) {
    let sim = sim().await;
    let w = engine_on(&sim).await;
    let (a, _) = org_ids(&sim);
    map(&w, a, MappingChoice::CreateNew).await;
    poll(&w).await;
    let device = device_of(&sim, a).id.unwrap();
    (sim, w, a, device)
}

async fn poll(w: &World) -> fleetward_core::incidents::PollRun {
    w.engine.poll_activities(Trigger::Manual).await.unwrap()
}

async fn incident(w: &World, series: &str) -> Option<fleetward_core::incidents::Incident> {
    w.engine
        .incidents(StatusFilter::All)
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.key == series)
}

#[tokio::test]
async fn the_first_poll_seeds_open_alerts_without_replaying_history() {
    let sim = sim().await;
    let w = engine_on(&sim).await;
    let (a, b) = org_ids(&sim);
    map(&w, a, MappingChoice::CreateNew).await;
    map(&w, b, MappingChoice::CreateNew).await;
    let run = poll(&w).await;
    let part = &run.connections[0];
    assert!(part.first_poll);
    assert_eq!(part.counts.received, 0, "history is not replayed");
    assert!(
        part.seeded >= 1,
        "the demo tenant has an active alert: {part:?}"
    );
    let open = w.engine.incidents(StatusFilter::Open).await.unwrap();
    assert_eq!(open.len() as u32, part.seeded);
    assert!(open.iter().all(|i| i.count == 1 && i.company_id.is_some()));
    let runs = w.engine.runs(10).await.unwrap();
    assert_eq!(runs[0].kind, fleetward_core::runs::RunKind::Poll);
    assert_eq!(runs[0].id, run.run_id);
    assert!(
        run.requests >= 2,
        "the watermark and the alerts: {}",
        run.requests
    );

    // The second poll asks only for newer activities: nothing new, nothing changes.
    let again = poll(&w).await;
    assert!(!again.connections[0].first_poll);
    assert_eq!(again.connections[0].counts.received, 0);
    assert_eq!(again.connections[0].seeded, 0);
}

#[tokio::test]
async fn a_seeded_incident_counts_its_late_original_trigger_once() {
    let sim = sim().await;
    let w = engine_on(&sim).await;
    let (a, _) = org_ids(&sim);
    map(&w, a, MappingChoice::CreateNew).await;
    let device = device_of(&sim, a).id.unwrap();
    // Triggered before Fleetward polled: the first poll seeds it from `/v2/alerts`.
    let original = append(&sim, condition(device, "late-original", "TRIGGERED"));
    let first = poll(&w).await;
    assert!(first.connections[0].first_poll);
    let seeded = incident(&w, "late-original").await.expect("seeded");
    assert_eq!((seeded.count, seeded.status), (1, IncidentStatus::Open));

    // The original TRIGGERED arrives late (a relay's retry): the same trigger, not a repeat.
    deliver(&w, &original).await;
    let same = incident(&w, "late-original").await.unwrap();
    assert_eq!((same.count, same.status), (1, IncidentStatus::Open));
    deliver(&w, &original).await;
    assert_eq!(incident(&w, "late-original").await.unwrap().count, 1);

    // A new TRIGGERED is a repeat; the RESET resolves it.
    let repeat = append(&sim, condition(device, "late-original", "TRIGGERED"));
    deliver(&w, &repeat).await;
    assert_eq!(incident(&w, "late-original").await.unwrap().count, 2);
    let reset = append(&sim, condition(device, "late-original", "RESET"));
    deliver(&w, &reset).await;
    let resolved = incident(&w, "late-original").await.unwrap();
    assert_eq!(
        (resolved.count, resolved.status),
        (2, IncidentStatus::Resolved)
    );
}

#[tokio::test]
async fn an_action_set_completed_resolves_what_it_was_started_for() {
    let (_sim, w, _, device) = polled_world().await;
    let started = Activity {
        id: Some(700),
        activity_type: Some(ActivityType::ConditionActionSet),
        ..condition(device, "remediation", "TRIGGERED")
    };
    let report = deliver(&w, &started).await;
    assert_eq!(report.counts.opened, 1);
    // A script that merely completed says nothing of the incident; the action set's does.
    let script = Activity {
        id: Some(701),
        activity_type: Some("SCRIPTING".into()),
        ..condition(device, "remediation", "COMPLETED")
    };
    let completed = Activity {
        id: Some(702),
        activity_type: Some(ActivityType::ConditionActionSet),
        ..condition(device, "remediation", "COMPLETED")
    };
    deliver(&w, &script).await;
    assert_eq!(
        incident(&w, "remediation").await.unwrap().status,
        IncidentStatus::Open
    );
    let report = deliver(&w, &completed).await;
    assert_eq!(report.counts.resolved, 1);
    let done = incident(&w, "remediation").await.unwrap();
    assert_eq!(done.status, IncidentStatus::Resolved);
    assert_eq!(done.resolution, Some(Resolution::Completed));
}

#[tokio::test]
async fn polling_groups_suppresses_resolves_and_reopens() {
    let (sim, w, _, device) = polled_world().await;
    let mut events = w.engine.subscribe();

    append(&sim, condition(device, "series-1", "TRIGGERED"));
    let run = poll(&w).await;
    assert_eq!(run.connections[0].counts.opened, 1);
    let first = incident(&w, "series-1").await.unwrap();
    assert_eq!(first.status, IncidentStatus::Open);
    assert_eq!(first.severity, IncidentSeverity::High, "MAJOR maps to high");
    assert_eq!(first.device_id, Some(device));
    let mut raised = 0;
    while let Ok(event) = events.try_recv() {
        if matches!(event, EngineEvent::IncidentRaised { .. }) {
            raised += 1;
        }
        if let EngineEvent::IncidentsChanged { tally } = &event {
            assert!(tally.attention, "a high incident is open");
        }
    }
    assert_eq!(raised, 1);

    append(&sim, condition(device, "series-1", "TRIGGERED"));
    append(&sim, condition(device, "series-1", "TRIGGERED"));
    let run = poll(&w).await;
    assert_eq!(run.connections[0].counts.repeated, 2);
    let repeated = incident(&w, "series-1").await.unwrap();
    assert_eq!((repeated.count, repeated.id), (3, first.id));
    while let Ok(event) = events.try_recv() {
        assert!(
            !matches!(event, EngineEvent::IncidentRaised { .. }),
            "repeats notify nobody"
        );
    }

    append(&sim, condition(device, "series-1", "RESET"));
    assert_eq!(poll(&w).await.connections[0].counts.resolved, 1);
    let resolved = incident(&w, "series-1").await.unwrap();
    assert_eq!(resolved.status, IncidentStatus::Resolved);
    assert_eq!(resolved.resolution, Some(Resolution::Reset));

    append(&sim, condition(device, "series-1", "TRIGGERED"));
    assert_eq!(poll(&w).await.connections[0].counts.reopened, 1);
    let reopened = incident(&w, "series-1").await.unwrap();
    assert_eq!((reopened.status, reopened.count), (IncidentStatus::Open, 4));
    let mut reopen_raised = false;
    while let Ok(event) = events.try_recv() {
        if let EngineEvent::IncidentRaised { incident } = event {
            reopen_raised |= incident.reopened && incident.id == first.id;
        }
    }
    assert!(reopen_raised);
}

#[tokio::test]
async fn events_of_unmapped_and_ignored_organizations_are_dropped_and_counted() {
    let sim = sim().await;
    let w = engine_on(&sim).await;
    let (a, b) = org_ids(&sim);
    map(&w, a, MappingChoice::CreateNew).await;
    poll(&w).await;
    let other = device_of(&sim, b).id.unwrap();
    let report = w
        .engine
        .ingest_webhook(
            serde_json::to_string(&vec![Activity {
                id: Some(900_000_001),
                ..condition(other, "pending-org", "TRIGGERED")
            }])
            .unwrap()
            .as_bytes(),
        )
        .await
        .unwrap();
    assert_eq!(report.counts.dropped_unmapped, 1);
    map(&w, b, MappingChoice::Ignore).await;
    let report = w
        .engine
        .ingest_webhook(
            serde_json::to_vec(&Activity {
                id: Some(900_000_002),
                ..condition(other, "ignored-org", "TRIGGERED")
            })
            .unwrap()
            .as_slice(),
        )
        .await
        .unwrap();
    assert_eq!(report.counts.dropped_ignored, 1);
    assert!(incident(&w, "pending-org").await.is_none());
    assert!(incident(&w, "ignored-org").await.is_none());
}

#[tokio::test]
async fn activities_nothing_can_place_show_among_the_last_events_and_others_wait_for_a_redelivery()
{
    let sim = sim().await;
    let w = engine_on(&sim).await;
    let (a, _) = org_ids(&sim);
    map(&w, a, MappingChoice::CreateNew).await;
    poll(&w).await;
    let last_events = || async {
        w.engine
            .preview_alert_rules(&[], 20)
            .await
            .unwrap()
            .into_iter()
            .map(|row| (row.event.activity_id, row.event.outcome))
            .collect::<Vec<_>>()
    };
    // A test event (no device, no organization): no poll could ever place it.
    let test_event = Activity {
        id: Some(910_000_001),
        activity_type: Some(ActivityType::System),
        status_code: Some("FLEETWARD_TEST".into()),
        message: Some("Test event sent from Fleetward Settings".into()),
        ..Activity::default()
    };
    let report = deliver(&w, &test_event).await;
    assert_eq!(report.counts.unplaced, 1);
    assert!(
        last_events()
            .await
            .contains(&(910_000_001, "unplaced".into())),
        "{:?}",
        last_events().await
    );

    // A delivery about a device neither the store nor NinjaOne knows: NinjaOne is asked,
    // and the activity is shown as unplaced, not lost silently.
    let stranger = append(&sim, condition(987_654, "nowhere", "TRIGGERED"));
    let report = deliver(&w, &stranger).await;
    assert_eq!(report.counts.unplaced, 1);
    let id = stranger.id.unwrap();
    assert!(last_events().await.contains(&(id, "unplaced".into())));

    // When NinjaOne cannot be asked, the activity stays unmarked: a redelivery tries again.
    let later = append(&sim, condition(987_655, "nowhere-yet", "TRIGGERED"));
    sim.control().set_faults(ninjaone_sim::Faults {
        probability: 1.0,
        kinds: vec![ninjaone_sim::FaultKind::Unavailable],
        include_token_endpoint: false,
    });
    let report = deliver(&w, &later).await;
    assert_eq!(report.counts.unplaced, 1);
    let later_id = later.id.unwrap();
    assert!(!last_events().await.iter().any(|(a, _)| *a == later_id));
    sim.control().clear_faults();
    let again = deliver(&w, &later).await;
    assert_eq!((again.counts.duplicates, again.counts.unplaced), (0, 1));
    assert!(last_events().await.contains(&(later_id, "unplaced".into())));
    assert!(incident(&w, "nowhere").await.is_none());
}

#[tokio::test]
async fn rules_set_severity_and_can_ignore() {
    let sim = sim().await;
    let w = engine_on(&sim).await;
    let (a, _) = org_ids(&sim);
    map(&w, a, MappingChoice::CreateNew).await;
    poll(&w).await;
    let bad = w
        .engine
        .save_alert_rules(&[AlertRule {
            name: "".into(),
            enabled: true,
            when: RuleMatch::default(),
            severity: None,
            actions: vec![RuleAction::Ignore, RuleAction::Ticket],
        }])
        .await
        .unwrap_err();
    assert_eq!(bad.kind(), ErrorKind::InvalidInput);
    assert!(
        w.engine.alert_rules().await.unwrap().is_empty(),
        "nothing saved"
    );
    w.engine
        .save_alert_rules(&[
            AlertRule {
                name: "CPU is noise".into(),
                enabled: true,
                when: RuleMatch {
                    source_name: Some("CPU*".into()),
                    ..RuleMatch::default()
                },
                severity: None,
                actions: vec![RuleAction::Ignore],
            },
            AlertRule {
                name: "Disks are critical".into(),
                enabled: true,
                when: RuleMatch {
                    source_name: Some("disk*".into()),
                    ..RuleMatch::default()
                },
                severity: Some(IncidentSeverity::Critical),
                actions: vec![RuleAction::Notify, RuleAction::Ticket],
            },
        ])
        .await
        .unwrap();
    let device = device_of(&sim, a).id.unwrap();
    append(&sim, condition(device, "disk", "TRIGGERED"));
    append(
        &sim,
        Activity {
            source_name: Some("CPU load".into()),
            ..condition(device, "cpu", "TRIGGERED")
        },
    );
    let run = poll(&w).await;
    assert_eq!(run.connections[0].counts.ignored, 1);
    assert_eq!(run.connections[0].counts.tickets, 1);
    assert_eq!(
        incident(&w, "disk").await.unwrap().severity,
        IncidentSeverity::Critical
    );
    assert!(incident(&w, "cpu").await.is_none());
    let preview = w.engine.preview_alert_rules(&[], 10).await.unwrap();
    assert!(preview
        .iter()
        .any(|row| row.event.source_name.as_deref() == Some("CPU load")
            && row.decision.rule.is_none()));
}

#[tokio::test]
async fn an_incident_links_to_the_synced_asset_of_its_device() {
    let sim = sim().await;
    let w = engine_on(&sim).await;
    let (a, _) = org_ids(&sim);
    map(&w, a, MappingChoice::CreateNew).await;
    w.engine.sync_all(Trigger::Manual).await.unwrap();
    poll(&w).await;
    let assets = w.engine.assets(None, None).await.unwrap();
    let asset = assets.first().expect("the sync brought assets");
    let device: i64 = w.engine.asset(asset.id).await.unwrap().fields["identity.deviceId"]
        .parse()
        .unwrap();
    append(&sim, condition(device, "linked", "TRIGGERED"));
    poll(&w).await;
    let linked = incident(&w, "linked").await.unwrap();
    assert_eq!(linked.asset_id, Some(asset.id));
    assert_eq!(linked.company_id, Some(asset.company_id));
}

#[tokio::test]
async fn reconciliation_resolves_incidents_whose_reset_was_missed() {
    let (sim, w, a, device) = polled_world().await;
    // A TRIGGERED NinjaOne no longer lists (its RESET never reached us).
    let report = w
        .engine
        .ingest_webhook(
            &serde_json::to_vec(&Activity {
                id: Some(5),
                ..condition(device, "lost-reset", "TRIGGERED")
            })
            .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(report.counts.opened, 1);
    // The same without a series uid (keyed by configuration and device): one whose alert is
    // gone, and one whose condition NinjaOne still lists.
    let unkeyed = |id: i64, device: i64, config: &str| Activity {
        id: Some(id),
        series_uid: None,
        source_config_uid: Some(config.into()),
        ..condition(device, "", "TRIGGERED")
    };
    let other_device = sim
        .control()
        .devices()
        .into_iter()
        .filter(|d| d.organization_id == Some(a))
        .nth(1)
        .and_then(|d| d.id)
        .unwrap();
    let still = append(
        &sim,
        Activity {
            source_config_uid: Some("cfg-still-on".into()),
            ..condition(other_device, "still-on", "TRIGGERED")
        },
    );
    // A rule makes failed backups incidents: NinjaOne never lists those as alerts.
    w.engine
        .save_alert_rules(&[AlertRule {
            name: "Failed backups".into(),
            enabled: true,
            when: RuleMatch {
                status_codes: vec!["NINJA_BACKUP_BACKUPJOB_FAILED".into()],
                ..RuleMatch::default()
            },
            severity: Some(IncidentSeverity::High),
            actions: vec![RuleAction::Notify],
        }])
        .await
        .unwrap();
    let backup = Activity {
        id: Some(8),
        series_uid: Some("backup-series".into()),
        activity_type: Some(ActivityType::NinjaBackup),
        status_code: Some("NINJA_BACKUP_BACKUPJOB_FAILED".into()),
        ..condition(device, "", "")
    };
    let deliveries = vec![
        unkeyed(6, device, "cfg-gone"),
        unkeyed(7, other_device, "cfg-still-on"),
        backup,
    ];
    let report = deliver(&w, &deliveries).await;
    assert_eq!(report.counts.opened, 3, "{report:?}");
    let gone_key = format!("cfg-gone/device-{device}");
    let still_key = format!("cfg-still-on/device-{other_device}");
    assert!(still.id.is_some());
    poll(&w).await;
    assert_eq!(
        incident(&w, "lost-reset").await.unwrap().status,
        IncidentStatus::Open,
        "not before the reconciliation is due"
    );
    w.clock.advance(Duration::from_secs(11 * 60));
    let run = poll(&w).await;
    assert_eq!(run.connections[0].reconciled, 2, "{run:?}");
    let gone = incident(&w, "lost-reset").await.unwrap();
    assert_eq!(gone.status, IncidentStatus::Resolved);
    assert_eq!(gone.resolution, Some(Resolution::Reconciled));
    let gone = incident(&w, &gone_key).await.unwrap();
    assert_eq!(gone.resolution, Some(Resolution::Reconciled));
    assert_eq!(
        incident(&w, &still_key).await.unwrap().status,
        IncidentStatus::Open,
        "its condition is still listed"
    );
    assert_eq!(
        incident(&w, "backup-series").await.unwrap().status,
        IncidentStatus::Open,
        "a rule's incident is not an alert: reconciliation leaves it"
    );
    // Alerts NinjaOne still lists stay open.
    let seeded_open = w.engine.incidents(StatusFilter::Open).await.unwrap();
    assert!(!seeded_open.is_empty());
}

#[tokio::test]
async fn resolving_by_hand_sticks_until_a_new_trigger_and_acknowledging_is_kept() {
    let (sim, w, _, device) = polled_world().await;
    append(&sim, condition(device, "by-hand", "TRIGGERED"));
    poll(&w).await;
    let open = incident(&w, "by-hand").await.unwrap();
    let acked = w.engine.acknowledge_incident(open.id).await.unwrap();
    assert!(acked.acknowledged_at.is_some());
    let resolved = w.engine.resolve_incident(open.id).await.unwrap();
    assert_eq!(resolved.resolution, Some(Resolution::Manual));
    w.clock.advance(Duration::from_secs(11 * 60));
    poll(&w).await;
    assert_eq!(
        incident(&w, "by-hand").await.unwrap().status,
        IncidentStatus::Resolved,
        "a listed alert alone does not reopen it"
    );
    append(&sim, condition(device, "by-hand", "TRIGGERED"));
    poll(&w).await;
    let back = incident(&w, "by-hand").await.unwrap();
    assert_eq!(back.status, IncidentStatus::Open);
    assert!(
        back.acknowledged_at.is_none(),
        "a reopened incident needs a new look"
    );
    let missing = w
        .engine
        .resolve_incident(fleetward_core::incidents::IncidentId(999_999))
        .await
        .unwrap_err();
    assert_eq!(missing.kind(), ErrorKind::NotFound);
}

#[tokio::test]
async fn the_same_stream_by_webhook_out_of_order_and_by_poll_converges() {
    let sim = sim().await;
    let polled = engine_on(&sim).await;
    let mixed = engine_on(&sim).await;
    let (a, _) = org_ids(&sim);
    for w in [&polled, &mixed] {
        map(w, a, MappingChoice::CreateNew).await;
        poll(w).await;
    }
    let device = device_of(&sim, a).id.unwrap();
    let other = sim
        .control()
        .devices()
        .into_iter()
        .filter(|d| d.organization_id == Some(a))
        .nth(1)
        .unwrap()
        .id
        .unwrap();
    let stream = [
        append(&sim, condition(device, "conv-1", "TRIGGERED")),
        append(&sim, condition(other, "conv-2", "TRIGGERED")),
        append(&sim, condition(device, "conv-1", "TRIGGERED")),
        append(&sim, condition(device, "conv-1", "RESET")),
        append(&sim, condition(other, "conv-2", "TRIGGERED")),
        append(&sim, condition(device, "conv-3", "RESET")),
        append(&sim, condition(device, "conv-3", "TRIGGERED")),
        append(&sim, condition(device, "conv-1", "TRIGGERED")),
    ];
    // By webhook: reversed, with duplicates, in two deliveries.
    let mut reversed: Vec<Activity> = stream.iter().rev().cloned().collect();
    reversed.push(stream[2].clone());
    mixed
        .engine
        .ingest_webhook(&serde_json::to_vec(&reversed[..4]).unwrap())
        .await
        .unwrap();
    let second = mixed
        .engine
        .ingest_webhook(&serde_json::to_vec(&reversed[3..]).unwrap())
        .await
        .unwrap();
    assert_eq!(second.counts.duplicates, 2);
    // And then by poll, which meets them all again.
    let run = poll(&mixed).await;
    assert_eq!(run.connections[0].counts.duplicates, stream.len() as u32);
    poll(&polled).await;

    let shape = |list: Vec<fleetward_core::incidents::Incident>| {
        let mut rows: Vec<_> = list
            .into_iter()
            .filter(|i| i.key.starts_with("conv-"))
            .map(|i| {
                (
                    i.key,
                    i.status,
                    i.count,
                    i.severity,
                    i.title,
                    i.first_seen,
                    i.last_seen,
                )
            })
            .collect();
        rows.sort_by(|x, y| x.0.cmp(&y.0));
        rows
    };
    let by_poll = shape(polled.engine.incidents(StatusFilter::All).await.unwrap());
    let by_both = shape(mixed.engine.incidents(StatusFilter::All).await.unwrap());
    assert_eq!(by_poll, by_both);
    let status: Vec<_> = by_poll.iter().map(|r| (r.0.as_str(), r.1, r.2)).collect();
    assert_eq!(
        status,
        vec![
            ("conv-1", IncidentStatus::Open, 3),
            ("conv-2", IncidentStatus::Open, 2),
            ("conv-3", IncidentStatus::Open, 1),
        ]
    );
}

#[tokio::test]
async fn invalid_webhook_payloads_change_nothing() {
    let sim = sim().await;
    let w = engine_on(&sim).await;
    let (a, _) = org_ids(&sim);
    map(&w, a, MappingChoice::CreateNew).await;
    for body in [
        &b"{not json"[..],
        b"[]",
        b"\"text\"",
        b"[{\"id\": 1}, {\"statusCode\": \"RESET\"}]",
    ] {
        let err = w.engine.ingest_webhook(body).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
        assert!(err.to_string().contains("nothing changed"));
    }
    assert!(w.engine.activities_seen(&[1]).await.unwrap().is_empty());
    assert!(w
        .engine
        .incidents(StatusFilter::All)
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn polls_run_on_their_schedule_every_two_minutes_by_default() {
    let sim = sim().await;
    let w = engine_on(&sim).await;
    let (a, _) = org_ids(&sim);
    map(&w, a, MappingChoice::CreateNew).await;
    assert!(w
        .engine
        .run_due_polls(Trigger::StartUp)
        .await
        .unwrap()
        .is_some());
    assert!(w
        .engine
        .run_due_polls(Trigger::Schedule)
        .await
        .unwrap()
        .is_none());
    w.clock.advance(Duration::from_secs(119));
    assert!(w
        .engine
        .run_due_polls(Trigger::Schedule)
        .await
        .unwrap()
        .is_none());
    w.clock.advance(Duration::from_secs(1));
    assert!(w
        .engine
        .run_due_polls(Trigger::Schedule)
        .await
        .unwrap()
        .is_some());
    let mut settings = w.engine.incident_settings().await.unwrap();
    settings.poll_every_secs = 600;
    w.engine.save_incident_settings(&settings).await.unwrap();
    w.clock.advance(Duration::from_secs(300));
    assert!(w
        .engine
        .run_due_polls(Trigger::Schedule)
        .await
        .unwrap()
        .is_none());
    settings.poll_every_secs = 5;
    assert_eq!(
        w.engine
            .save_incident_settings(&settings)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
    w.engine.set_schedules_paused(true);
    w.clock.advance(Duration::from_secs(3600));
    assert!(w
        .engine
        .run_due_polls(Trigger::Schedule)
        .await
        .unwrap()
        .is_none());
}

/// The incidents of `keys_from` in a comparable shape: key, status, count, resolution,
/// severity, first and last seen.
async fn shape(
    w: &World,
    prefix: &str,
) -> Vec<(
    String,
    IncidentStatus,
    u32,
    Option<Resolution>,
    IncidentSeverity,
)> {
    let mut rows: Vec<_> = w
        .engine
        .incidents(StatusFilter::All)
        .await
        .unwrap()
        .into_iter()
        .filter(|i| i.key.starts_with(prefix))
        .map(|i| (i.key, i.status, i.count, i.resolution, i.severity))
        .collect();
    rows.sort_by(|x, y| x.0.cmp(&y.0));
    rows
}

#[tokio::test]
async fn polling_many_pages_through_throttling_errors_and_drops_converges_within_the_budget() {
    let sim = sim().await;
    let small_pages = |c: &mut fleetward_core::EngineConfig| {
        c.client.page_size = 25;
        c.client.retry.max_attempts = 12;
    };
    let clean = engine_tuned(&sim, small_pages).await;
    let faulty = engine_tuned(&sim, small_pages).await;
    let (a, b) = org_ids(&sim);
    for w in [&clean, &faulty] {
        map(w, a, MappingChoice::CreateNew).await;
        map(w, b, MappingChoice::CreateNew).await;
        poll(w).await;
    }
    let devices: Vec<i64> = sim
        .control()
        .devices()
        .into_iter()
        .filter(|d| d.approval_status == Some(ninjaone::models::ApprovalStatus::Approved))
        .filter_map(|d| d.id)
        .collect();
    // 240 activities (ten pages of 25): 60 series triggered on every device, each repeated
    // twice, and every third one reset.
    let mut appended = 0;
    for round in 0..3 {
        for n in 0..60 {
            let device = devices[n % devices.len()];
            append(&sim, condition(device, &format!("paged-{n}"), "TRIGGERED"));
            appended += 1;
            if round == 2 && n % 3 == 0 {
                append(&sim, condition(device, &format!("paged-{n}"), "RESET"));
                appended += 1;
            }
        }
    }
    assert!(appended > 5 * 25, "more activities than several pages");
    let run = poll(&clean).await;
    assert_eq!(run.connections[0].counts.received, appended);
    assert!(run.requests >= 9, "paged: {} requests", run.requests);

    sim.control().set_stats_window(Duration::from_secs(60));
    sim.control().reset_stats();
    sim.control().set_faults(ninjaone_sim::Faults {
        probability: 0.3,
        kinds: vec![
            ninjaone_sim::FaultKind::TooManyRequests {
                retry_after_secs: 0,
            },
            ninjaone_sim::FaultKind::Unavailable,
            ninjaone_sim::FaultKind::HtmlOk,
            ninjaone_sim::FaultKind::DropConnection,
        ],
        include_token_endpoint: true,
    });
    let run = poll(&faulty).await;
    sim.control().clear_faults();
    assert_eq!(
        run.status,
        fleetward_core::sync::RunStatus::Succeeded,
        "{:?}",
        run.connections
    );
    assert_eq!(run.connections[0].counts.received, appended);
    let stats = sim.control().stats();
    assert!(stats.throttles_served > 0, "faults were served");
    assert!(
        stats.max_requests_in_window <= 200,
        "{} requests in one minute",
        stats.max_requests_in_window
    );

    let by_clean = shape(&clean, "paged-").await;
    assert_eq!(by_clean.len(), 60);
    assert_eq!(
        by_clean
            .iter()
            .filter(|r| r.1 == IncidentStatus::Resolved)
            .count(),
        20
    );
    assert!(
        by_clean.iter().all(|r| r.2 == 3),
        "every series triggered three times"
    );
    assert_eq!(shape(&faulty, "paged-").await, by_clean);
}

/// Feeds what the engine published into the notification gate at the engine's time, then
/// returns what the gate shows once the incident hold has passed.
fn notifications_after_hold(
    w: &World,
    events: &mut tokio::sync::broadcast::Receiver<EngineEvent>,
    gate: &mut NotificationGate,
) -> Vec<fleetward_core::notifications::Notification> {
    let mut shown = Vec::new();
    while let Ok(event) = events.try_recv() {
        shown.extend(gate.offer(&event, w.clock.now()));
    }
    shown.extend(gate.flush(w.clock.now()));
    assert_eq!(shown, vec![], "nothing is shown before the hold has passed");
    w.clock.advance(INCIDENT_HOLD);
    gate.flush(w.clock.now())
}

#[tokio::test]
async fn a_storm_notifies_once_isolated_incidents_once_each_and_lower_severities_never() {
    let (sim, w, _, device) = polled_world().await;
    let company = w.engine.companies().await.unwrap()[0].name.clone();
    let mut events = w.engine.subscribe();
    let mut gate = NotificationGate::default();

    for n in 0..12 {
        append(&sim, condition(device, &format!("storm-{n}"), "TRIGGERED"));
    }
    assert_eq!(poll(&w).await.connections[0].counts.opened, 12);
    let storm = notifications_after_hold(&w, &mut events, &mut gate);
    assert_eq!(storm.len(), 1, "one summary for the storm: {storm:?}");
    assert_eq!(storm[0].title, format!("12 new incidents at {company}"));
    assert!(storm[0].body.starts_with("12 high"), "{}", storm[0].body);

    w.clock.advance(Duration::from_secs(300));
    append(&sim, condition(device, "alone-1", "TRIGGERED"));
    poll(&w).await;
    let first = notifications_after_hold(&w, &mut events, &mut gate);
    w.clock.advance(Duration::from_secs(300));
    append(&sim, condition(device, "alone-2", "TRIGGERED"));
    poll(&w).await;
    let second = notifications_after_hold(&w, &mut events, &mut gate);
    for shown in [&first, &second] {
        assert_eq!(shown.len(), 1, "{shown:?}");
        assert_eq!(shown[0].title, "High incident");
    }
    assert!(second[0].body.contains(&company), "{}", second[0].body);

    let mut settings = w.engine.incident_settings().await.unwrap();
    settings.notify_at = IncidentSeverity::Critical;
    w.engine.save_incident_settings(&settings).await.unwrap();
    for n in 0..3 {
        append(&sim, condition(device, &format!("below-{n}"), "TRIGGERED"));
    }
    assert_eq!(poll(&w).await.connections[0].counts.opened, 3);
    assert_eq!(
        notifications_after_hold(&w, &mut events, &mut gate),
        vec![],
        "high incidents stay quiet when only critical ones notify"
    );
}

#[tokio::test]
async fn the_demo_tenant_opens_incidents_and_resolves_them_on_its_own() {
    let clock = Arc::new(ManualClock::starting_now());
    let sim = Simulator::start(SimConfig {
        clock: clock.clone(),
        ..ninjaone_sim::demo::config()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::start(fleetward_core::EngineConfig {
        clock: clock.clone(),
        ..fleetward_core::testing::config(dir.path().join("data"))
    })
    .await
    .unwrap();
    let draft = ConnectionDraft {
        name: Some(ninjaone_sim::demo::NAME.into()),
        region: None,
        base_url: Some(sim.base_url()),
        client_id: ninjaone_sim::demo::CLIENT_ID.into(),
        client_secret: SecretString::from(ninjaone_sim::demo::CLIENT_SECRET),
    };
    let connection = engine.save_connection(&draft).await.unwrap().connection.id;
    let w = World {
        _dir: dir,
        engine,
        clock,
        connection,
    };
    for org in sim.control().organizations() {
        map(&w, org.id.unwrap(), MappingChoice::CreateNew).await;
    }
    poll(&w).await;
    let seeded: Vec<String> = w
        .engine
        .incidents(StatusFilter::All)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.key)
        .collect();

    // The app polls every two minutes; an hour of the demo tenant's life, at most.
    let mut opened_by_poll = std::collections::HashSet::new();
    let mut resolved_on_its_own = None;
    for _ in 0..28 {
        w.clock.advance(Duration::from_secs(120));
        let run = poll(&w).await;
        assert_eq!(run.status, fleetward_core::sync::RunStatus::Succeeded);
        for i in w.engine.incidents(StatusFilter::All).await.unwrap() {
            if seeded.contains(&i.key) {
                continue;
            }
            match i.status {
                IncidentStatus::Open => {
                    opened_by_poll.insert(i.key);
                }
                IncidentStatus::Resolved if opened_by_poll.contains(&i.key) => {
                    resolved_on_its_own = Some(i);
                }
                IncidentStatus::Resolved => {}
            }
        }
        if resolved_on_its_own.is_some() {
            break;
        }
    }
    let resolved = resolved_on_its_own.expect("an incident opened and then resolved by itself");
    assert_eq!(resolved.resolution, Some(Resolution::Reset));
    assert!(resolved.company_id.is_some() && resolved.device_id.is_some());
    assert!(!opened_by_poll.is_empty());
}

/// One engine on a real encrypted store for the property test below, on a runtime of its own
/// (proptest calls the test body synchronously), with an organization mapped so that a
/// well-formed activity could land.
fn shared_engine() -> &'static (tokio::runtime::Runtime, Simulator, World) {
    static SHARED: std::sync::OnceLock<(tokio::runtime::Runtime, Simulator, World)> =
        std::sync::OnceLock::new();
    SHARED.get_or_init(|| {
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let (sim, w) = runtime.block_on(async {
            let sim = sim().await;
            let w = engine_on(&sim).await;
            let (a, _) = org_ids(&sim);
            map(&w, a, MappingChoice::CreateNew).await;
            (sim, w)
        });
        (runtime, sim, w)
    })
}

fn json_value() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
    use proptest::prelude::*;
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        "[a-zA-Z]{0,8}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map(
                "(id|deviceId|statusCode|seriesUid|[a-z]{1,5})",
                inner,
                0..4
            )
            .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Arbitrary bytes and arbitrary JSON given to `webhook ingest` never panic, and a refused
    /// payload changes nothing in the real store: no incident, no processed activity.
    #[test]
    fn arbitrary_payloads_never_panic_and_refused_ones_change_nothing_in_the_store(
        bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256),
        value in json_value(),
    ) {
        let (runtime, _sim, w) = shared_engine();
        for body in [bytes, serde_json::to_vec(&value).unwrap()] {
            let state = || runtime.block_on(async {
                (
                    w.engine.incidents(StatusFilter::All).await.unwrap().len(),
                    w.engine.preview_alert_rules(&[], 10_000).await.unwrap().len(),
                )
            });
            let before = state();
            match runtime.block_on(w.engine.ingest_webhook(&body)) {
                Ok(_) => {}
                Err(err) => {
                    proptest::prop_assert_eq!(err.kind(), ErrorKind::InvalidInput, "{}", err);
                    proptest::prop_assert_eq!(state(), before);
                }
            }
        }
    }
}
