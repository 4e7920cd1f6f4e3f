//! Asset sync through the engine against the simulator over loopback (SPEC §4, §9): counts,
//! skips, options, stale and reactivation, field history, preview, single flight, partial
//! failure and the cost in requests.

use std::sync::Arc;

use fleetward_core::assets::AssetStatus;
use fleetward_core::connection::ConnectionDraft;
use fleetward_core::ids::{CompanyId, ConnectionId, NinjaOrgId};
use fleetward_core::organizations::{MappingChoice, MappingOptions};
use fleetward_core::sync::RunStatus;
use fleetward_core::time::ManualClock;
use fleetward_core::{Engine, ErrorKind, Trigger};
use ninjaone::models::{ApprovalStatus, Device, NodeClass};
use ninjaone::secrecy::SecretString;
use ninjaone_sim::{SimConfig, Simulator};

struct World {
    dir: tempfile::TempDir,
    engine: Arc<Engine>,
    sim: Simulator,
    connection: ConnectionId,
}

fn draft(sim: &Simulator) -> ConnectionDraft {
    ConnectionDraft {
        name: None,
        region: None,
        base_url: Some(sim.base_url()),
        client_id: "sim-client".into(),
        client_secret: SecretString::from("sim-secret"),
    }
}

/// An engine configuration on `data` with a fixed store key, so that a second engine (another
/// process, as far as the store can tell) opens the same store.
fn config(data: std::path::PathBuf) -> fleetward_core::EngineConfig {
    fleetward_core::EngineConfig {
        store_key: Some(SecretString::from("ab".repeat(32))),
        ..fleetward_core::testing::config(data)
    }
}

async fn world(tenant: SimConfig) -> World {
    world_with(tenant, None).await
}

/// A world whose engine (and, if the test wants, simulator) read `clock`.
async fn world_with(tenant: SimConfig, clock: Option<Arc<ManualClock>>) -> World {
    world_tuned(tenant, |engine_config| {
        if let Some(clock) = &clock {
            engine_config.clock = clock.clone();
        }
    })
    .await
}

/// A small world (one organization, five devices) whose engine and simulator read a manual
/// clock starting at `start` (RFC 3339).
async fn clocked_world(start: &str) -> (World, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(
        chrono::DateTime::parse_from_rfc3339(start).unwrap().into(),
    ));
    let w = world_with(
        SimConfig {
            orgs: 1,
            devices_per_org: 5,
            clock: clock.clone(),
            ..SimConfig::default()
        },
        Some(clock.clone()),
    )
    .await;
    (w, clock)
}

/// A world whose engine configuration `tune` adjusts.
async fn world_tuned(
    tenant: SimConfig,
    tune: impl FnOnce(&mut fleetward_core::EngineConfig),
) -> World {
    let dir = tempfile::tempdir().unwrap();
    let mut engine_config = config(dir.path().join("data"));
    tune(&mut engine_config);
    let engine = Engine::start(engine_config).await.unwrap();
    let sim = Simulator::start(tenant).await.unwrap();
    let connection = engine
        .save_connection(&draft(&sim))
        .await
        .unwrap()
        .connection
        .id;
    World {
        dir,
        engine,
        sim,
        connection,
    }
}

/// Maps `org` to a new company with `options`; returns the company.
async fn map(w: &World, org: i64, options: MappingOptions) -> CompanyId {
    w.engine
        .map_organization(
            w.connection,
            NinjaOrgId(org),
            &MappingChoice::CreateNew,
            &options,
        )
        .await
        .unwrap()
        .company_id
        .unwrap()
}

/// Maps `org` of `connection` to a new company named `name`; returns the company.
async fn map_to_new(w: &World, connection: ConnectionId, org: i64, name: &str) -> CompanyId {
    let company = w.engine.add_company(name).await.unwrap().id;
    w.engine
        .map_organization(
            connection,
            NinjaOrgId(org),
            &MappingChoice::UseExisting {
                company_id: company,
            },
            &MappingOptions::default(),
        )
        .await
        .unwrap();
    company
}

/// A manual sync of one company, which the test expects to run.
async fn sync(w: &World, company: CompanyId) -> fleetward_core::sync::SyncRun {
    w.engine
        .sync(Some(company), Trigger::Manual, false)
        .await
        .unwrap()
}

fn agent(device: &Device) -> bool {
    matches!(
        device.node_class,
        Some(
            NodeClass::WindowsWorkstation
                | NodeClass::WindowsServer
                | NodeClass::Mac
                | NodeClass::MacServer
                | NodeClass::LinuxWorkstation
                | NodeClass::LinuxServer
        )
    )
}

fn devices_of(w: &World, org: i64) -> Vec<Device> {
    w.sim
        .control()
        .devices()
        .into_iter()
        .filter(|d| d.organization_id == Some(org))
        .collect()
}

/// Every answer of the simulator comes `millis` late.
fn slow_down(w: &World, millis: u64) {
    w.sim.control().set_faults(ninjaone_sim::Faults {
        probability: 1.0,
        kinds: vec![ninjaone_sim::FaultKind::Latency { millis }],
        include_token_endpoint: false,
    });
}

/// Another engine on the same store: another process, as far as the store can tell.
async fn second_engine(w: &World) -> Arc<Engine> {
    Engine::start(config(w.dir.path().join("data")))
        .await
        .unwrap()
}

/// The simulator's organization ids, in its order.
fn org_ids(w: &World) -> Vec<i64> {
    w.sim
        .control()
        .organizations()
        .iter()
        .map(|o| o.id.unwrap())
        .collect()
}

fn first_org(w: &World) -> i64 {
    w.sim.control().organizations()[0].id.unwrap()
}

#[tokio::test]
async fn a_first_sync_creates_an_asset_per_approved_agent_device_and_counts_the_rest() {
    let w = world(SimConfig {
        orgs: 3,
        devices_per_org: 40,
        ..SimConfig::default()
    })
    .await;
    let org = first_org(&w);
    let company = map(&w, org, MappingOptions::default()).await;
    let devices: Vec<Device> = devices_of(&w, org).into_iter().filter(agent).collect();
    let approved = devices
        .iter()
        .filter(|d| d.approval_status == Some(ApprovalStatus::Approved))
        .count() as u32;
    let pending = devices
        .iter()
        .filter(|d| {
            matches!(
                d.approval_status,
                Some(ApprovalStatus::Pending | ApprovalStatus::Staged)
            )
        })
        .count() as u32;
    let rejected = devices.len() as u32 - approved - pending;
    assert!(
        approved > 0 && pending + rejected > 0,
        "the tenant mixes approval states"
    );

    let run = sync(&w, company).await;
    assert_eq!(run.status, RunStatus::Succeeded);
    assert!(run.run_id.is_some());
    let part = &run.companies[0];
    assert_eq!(part.counts.created, approved);
    assert_eq!(part.counts.skipped_pending, pending);
    assert_eq!(part.counts.skipped_rejected, rejected);
    let assets = w
        .engine
        .assets(Some(company), Some(AssetStatus::Active))
        .await
        .unwrap();
    assert_eq!(assets.len() as u32, approved);
    assert!(assets
        .iter()
        .all(|a| a.uid.is_some() && a.external_id == *a.uid.as_ref().unwrap()));
    let listed = w.engine.companies().await.unwrap();
    let row = listed.iter().find(|c| c.id == company).unwrap();
    assert_eq!(
        row.assets, approved,
        "the company list counts active assets"
    );
    let runs = w.engine.runs(10).await.unwrap();
    assert_eq!(runs[0].counts.unwrap().created, approved);
}

#[tokio::test]
async fn an_unchanged_resync_writes_nothing_and_a_change_is_one_history_row_per_field() {
    let w = world(SimConfig {
        orgs: 2,
        devices_per_org: 20,
        ..SimConfig::default()
    })
    .await;
    let org = first_org(&w);
    let company = map(&w, org, MappingOptions::default()).await;
    let first = sync(&w, company).await;
    let synced_rows = |events: &[fleetward_core::audit::AuditEvent]| {
        events
            .iter()
            .filter(|e| e.action == fleetward_core::audit::AuditAction::AssetsSynced)
            .count()
    };
    let audit = w.engine.audit_events(Some(company)).await.unwrap();
    assert_eq!(synced_rows(&audit), 1, "{audit:?}");
    let row = audit
        .iter()
        .find(|e| e.action == fleetward_core::audit::AuditAction::AssetsSynced)
        .unwrap();
    let created = first.companies[0].counts.created;
    assert!(
        row.detail.contains(&format!(
            "sync run {}: {created} created",
            first.run_id.unwrap()
        )),
        "{row:?}"
    );
    let again = sync(&w, company).await;
    let counts = again.companies[0].counts;
    assert_eq!((counts.created, counts.updated, counts.stale), (0, 0, 0));
    assert!(counts.unchanged > 0);
    let audit = w.engine.audit_events(Some(company)).await.unwrap();
    assert_eq!(
        synced_rows(&audit),
        1,
        "an unchanged resync writes no audit row either"
    );

    let asset = w.engine.assets(Some(company), None).await.unwrap()[0].clone();
    let device = devices_of(&w, org)
        .into_iter()
        .find(|d| d.uid.as_deref() == Some(asset.external_id.as_str()))
        .unwrap();
    w.sim
        .control()
        .rename_device(device.id.unwrap(), "RENAMED-PC");
    let changed = sync(&w, company).await;
    assert_eq!(changed.companies[0].counts.updated, 1);
    let detail = w.engine.asset(asset.id).await.unwrap();
    assert_eq!(detail.fields["identity.systemName"], "RENAMED-PC");
    let renamed: Vec<_> = detail
        .history
        .iter()
        .filter(|c| c.field == "identity.systemName")
        .collect();
    assert_eq!(renamed.len(), 1);
    assert_eq!(renamed[0].new_value.as_deref(), Some("RENAMED-PC"));
    assert_eq!(renamed[0].run_id, changed.run_id);
}

#[tokio::test]
async fn a_device_gone_from_ninjaone_goes_stale_and_comes_back_active() {
    let w = world(SimConfig {
        orgs: 1,
        devices_per_org: 15,
        ..SimConfig::default()
    })
    .await;
    let org = first_org(&w);
    let company = map(&w, org, MappingOptions::default()).await;
    sync(&w, company).await;
    let device = devices_of(&w, org)
        .into_iter()
        .find(|d| agent(d) && d.approval_status == Some(ApprovalStatus::Approved))
        .unwrap();
    let id = device.id.unwrap();
    w.sim.control().set_approval(id, ApprovalStatus::Pending);
    let run = sync(&w, company).await;
    assert_eq!(run.companies[0].counts.stale, 1);
    let stale = w
        .engine
        .assets(Some(company), Some(AssetStatus::Stale))
        .await
        .unwrap();
    assert_eq!(stale.len(), 1);
    assert_eq!(stale[0].external_id, device.uid.clone().unwrap());

    w.sim.control().set_approval(id, ApprovalStatus::Approved);
    let back = sync(&w, company).await;
    assert_eq!(back.companies[0].counts.updated, 1);
    assert!(w
        .engine
        .assets(Some(company), Some(AssetStatus::Stale))
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn non_agent_devices_and_locations_follow_the_mapping_options() {
    let w = world(SimConfig {
        orgs: 2,
        devices_per_org: 60,
        ..SimConfig::default()
    })
    .await;
    let org = first_org(&w);
    let approved: Vec<Device> = devices_of(&w, org)
        .into_iter()
        .filter(|d| d.approval_status == Some(ApprovalStatus::Approved))
        .collect();
    let agents = approved.iter().filter(|d| agent(d)).count() as u32;
    assert!(
        approved.len() as u32 > agents,
        "the tenant has non-agent devices"
    );

    let company = map(
        &w,
        org,
        MappingOptions {
            include_non_agent: Some(true),
            ..MappingOptions::default()
        },
    )
    .await;
    let all = sync(&w, company).await;
    assert_eq!(all.companies[0].counts.created, approved.len() as u32);

    let location = approved.iter().find_map(|d| d.location_id).unwrap();
    let in_location = approved
        .iter()
        .filter(|d| d.location_id == Some(location))
        .count() as u32;
    w.engine
        .map_organization(
            w.connection,
            NinjaOrgId(org),
            &MappingChoice::UseExisting {
                company_id: company,
            },
            &MappingOptions {
                location_ids: Some(vec![fleetward_core::ids::NinjaLocationId(location)]),
                include_non_agent: Some(true),
                ..MappingOptions::default()
            },
        )
        .await
        .unwrap();
    let restricted = sync(&w, company).await;
    assert_eq!(
        w.engine
            .assets(Some(company), Some(AssetStatus::Active))
            .await
            .unwrap()
            .len() as u32,
        in_location
    );
    assert_eq!(
        restricted.companies[0].counts.stale,
        approved.len() as u32 - in_location
    );
}

#[tokio::test]
async fn a_preview_says_what_a_sync_would_do_and_writes_nothing() {
    let w = world(SimConfig {
        orgs: 2,
        devices_per_org: 10,
        ..SimConfig::default()
    })
    .await;
    let company = map(&w, first_org(&w), MappingOptions::default()).await;
    let preview = w
        .engine
        .sync(Some(company), Trigger::Manual, true)
        .await
        .unwrap();
    assert!(preview.preview);
    assert_eq!(preview.run_id, None);
    assert!(preview.companies[0].counts.created > 0);
    assert!(w.engine.assets(None, None).await.unwrap().is_empty());
    assert!(w.engine.runs(10).await.unwrap().is_empty());
    let real = sync(&w, company).await;
    assert_eq!(real.companies[0].counts, preview.companies[0].counts);
}

#[tokio::test]
async fn requests_grow_with_devices_not_with_organizations() {
    let w = world(SimConfig {
        orgs: 60,
        devices_per_org: 3,
        ..SimConfig::default()
    })
    .await;
    w.engine.accept_suggestions(w.connection).await.unwrap();
    for org in w.engine.organizations(w.connection).await.unwrap() {
        map(&w, org.org_id.0, MappingOptions::default()).await;
    }
    let run = w.engine.sync(None, Trigger::Manual, false).await.unwrap();
    assert_eq!(run.status, RunStatus::Succeeded);
    assert_eq!(run.companies.len(), 60);
    // 180 devices: one page of devices and one of health for all 60 organizations.
    assert!(
        run.requests <= 4,
        "{} requests for 60 organizations",
        run.requests
    );
}

#[tokio::test]
async fn a_second_asker_is_told_the_sync_is_already_running() {
    let w = world(SimConfig {
        orgs: 1,
        devices_per_org: 10,
        ..SimConfig::default()
    })
    .await;
    let company = map(&w, first_org(&w), MappingOptions::default()).await;
    slow_down(&w, 1_500);
    let first = {
        let engine = w.engine.clone();
        tokio::spawn(async move { engine.sync(Some(company), Trigger::Manual, false).await })
    };
    // Another process on the same store: a second engine.
    let other = second_engine(&w).await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while other.runs(1).await.unwrap().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the first sync never started"
        );
        tokio::task::yield_now().await;
    }
    let err = other
        .sync(Some(company), Trigger::Manual, false)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyRunning);
    assert!(err.to_string().contains("already running"), "{err}");
    let done = first.await.unwrap().unwrap();
    assert_eq!(done.status, RunStatus::Succeeded);
    w.sim.control().clear_faults();
    other
        .sync(Some(company), Trigger::Manual, false)
        .await
        .expect("free again once the first has finished");
}

#[tokio::test]
async fn a_failing_connection_never_stops_the_others() {
    let w = world(SimConfig {
        orgs: 1,
        devices_per_org: 5,
        ..SimConfig::default()
    })
    .await;
    let good = map_to_new(&w, w.connection, first_org(&w), "Reachable customer").await;
    let second = Simulator::start(SimConfig {
        seed: 99,
        orgs: 1,
        devices_per_org: 5,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let other = w
        .engine
        .save_connection(&draft(&second))
        .await
        .unwrap()
        .connection
        .id;
    let org = second.control().organizations()[0].id.unwrap();
    map_to_new(&w, other, org, "Unreachable customer").await;
    second.shutdown().await;
    let mut events = w.engine.subscribe();
    let run = w.engine.sync(None, Trigger::Manual, false).await.unwrap();
    assert_eq!(run.status, RunStatus::Partial);
    // A notice (a native notification in the app) says the sync did not fully succeed.
    let mut notices = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let fleetward_core::EngineEvent::Notice { title, message, .. } = event {
            notices.push(format!("{title}: {message}"));
        }
    }
    assert_eq!(
        notices,
        vec!["Asset sync did not fully succeed: 1 of 2 organizations could not be synced. Open Sync history for the reasons and what to do.".to_string()]
    );
    let failed: Vec<_> = run.companies.iter().filter(|c| c.error.is_some()).collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].connection_id, other);
    assert!(
        failed[0]
            .error
            .as_ref()
            .unwrap()
            .contains("could not be reached"),
        "{:?}",
        failed[0].error
    );
    assert!(!w.engine.assets(Some(good), None).await.unwrap().is_empty());
    let runs = w.engine.runs(1).await.unwrap();
    assert_eq!(runs[0].status, RunStatus::Partial);
    assert_eq!(runs[0].errors.len(), 1);
    assert_eq!(run.failure_kind, Some(ErrorKind::Unreachable));

    // The Companies list shows each company's last sync: the failed one with its reason.
    let companies = w.engine.companies().await.unwrap();
    let shown = |id: CompanyId| companies.iter().find(|c| c.id == id).unwrap();
    assert_eq!(shown(good).last_sync_error, None);
    assert!(shown(good).last_synced_at.is_some());
    let failed_company = shown(failed[0].company_id);
    assert!(failed_company.last_synced_at.is_some());
    let reason = failed_company
        .last_sync_error
        .as_deref()
        .unwrap_or_default();
    assert!(reason.contains("could not be reached"), "{reason:?}");
}

#[tokio::test]
async fn a_sync_of_everything_leaves_a_busy_mapping_to_its_holder_without_failing() {
    let w = world(SimConfig {
        orgs: 2,
        devices_per_org: 10,
        ..SimConfig::default()
    })
    .await;
    let orgs = org_ids(&w);
    let busy = map_to_new(&w, w.connection, orgs[0], "Busy customer").await;
    let free = map_to_new(&w, w.connection, orgs[1], "Free customer").await;
    slow_down(&w, 600);
    // Another process syncs one company, slowly.
    let other = second_engine(&w).await;
    let first = {
        let other = other.clone();
        tokio::spawn(async move { other.sync(Some(busy), Trigger::Manual, false).await })
    };
    // The first sync is recorded before it reads anything; every answer stays slow, so it
    // is still reading when this sync takes off.
    running_run(&w.engine).await;
    let run = w.engine.sync(None, Trigger::Manual, false).await.unwrap();
    assert_eq!(
        run.status,
        RunStatus::Succeeded,
        "a mapping left to another process is not a failure: {run:?}"
    );
    let skipped = run.companies.iter().find(|c| c.company_id == busy).unwrap();
    assert!(skipped.busy);
    assert!(skipped
        .error
        .as_deref()
        .unwrap()
        .contains("already running"));
    assert!(!w.engine.assets(Some(free), None).await.unwrap().is_empty());
    first.await.unwrap().unwrap();
    // The busy company's own run wrote its last sync, not this run's skip.
    let companies = w.engine.companies().await.unwrap();
    let busy_row = companies.iter().find(|c| c.id == busy).unwrap();
    assert_eq!(busy_row.last_sync_error, None);
}

#[tokio::test]
async fn a_sync_past_its_deadline_stops_lands_and_frees_its_mappings() {
    let w = world_tuned(
        SimConfig {
            orgs: 1,
            devices_per_org: 10,
            ..SimConfig::default()
        },
        |c| c.deadlines.long_run = std::time::Duration::from_secs(2),
    )
    .await;
    let company = map(&w, first_org(&w), MappingOptions::default()).await;
    let (engine, sim, dir) = (&w.engine, &w.sim, &w.dir);
    sim.control().set_faults(ninjaone_sim::Faults {
        probability: 1.0,
        kinds: vec![ninjaone_sim::FaultKind::Latency { millis: 4_000 }],
        include_token_endpoint: false,
    });
    let err = engine
        .sync(Some(company), Trigger::Manual, false)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unreachable);
    assert!(
        err.to_string().contains("did not finish within 2 s"),
        "{err}"
    );
    let history = engine.runs(1).await.unwrap();
    assert_eq!(
        history[0].status,
        RunStatus::Failed,
        "the run ended, not left running"
    );
    assert!(
        history[0].errors[0].contains("time limit"),
        "{:?}",
        history[0].errors
    );
    assert!(engine.assets(Some(company), None).await.unwrap().is_empty());

    // Its mapping is free at once: another process syncs it without "already running".
    sim.control().clear_faults();
    let other = Engine::start(config(dir.path().join("data")))
        .await
        .unwrap();
    let run = other
        .sync(Some(company), Trigger::Manual, false)
        .await
        .unwrap();
    assert_eq!(run.status, RunStatus::Succeeded);
}

#[tokio::test]
async fn progress_names_the_company_pages_and_devices_and_items_that_did_not_parse_are_recorded() {
    let w = world_tuned(
        SimConfig {
            orgs: 2,
            devices_per_org: 30,
            ..SimConfig::default()
        },
        |c| c.client.page_size = 10,
    )
    .await;
    let orgs = org_ids(&w);
    let companies = [
        map_to_new(&w, w.connection, orgs[0], "First customer").await,
        map_to_new(&w, w.connection, orgs[1], "Second customer").await,
    ];
    let mut events = w.engine.subscribe();
    w.sim.control().set_faults(ninjaone_sim::Faults {
        probability: 1.0,
        kinds: vec![ninjaone_sim::FaultKind::MalformedJson],
        include_token_endpoint: false,
    });
    let run = w.engine.sync(None, Trigger::Manual, false).await.unwrap();
    w.sim.control().clear_faults();
    let mut seen = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let fleetward_core::EngineEvent::SyncProgress {
            company,
            pages,
            devices,
            organizations_done,
            organizations_total,
            ..
        } = event
        {
            seen.push((
                company,
                pages,
                devices,
                organizations_done,
                organizations_total,
            ));
        }
    }
    assert!(seen.len() >= 3, "{seen:?}");
    let pages: Vec<u64> = seen.iter().map(|s| s.1).collect();
    assert!(
        pages.windows(2).all(|p| p[0] <= p[1]),
        "pages only grow: {pages:?}"
    );
    let last = seen.last().unwrap();
    assert_eq!((last.3, last.4), (2, 2));
    assert_ne!(companies[0], companies[1]);
    assert!(companies.contains(&last.0.unwrap()));
    assert!(
        last.1 > 1 && last.1 <= run.requests,
        "{last:?} of {}",
        run.requests
    );
    assert!(last.2 > 0);

    assert!(run.malformed_items > 0, "every page had one bad item");
    let history = w.engine.runs(1).await.unwrap();
    assert_eq!(history[0].malformed_items, run.malformed_items);
}

#[tokio::test]
async fn an_organization_over_10000_devices_keeps_the_first_10000_by_id_and_says_truncated() {
    let w = world(SimConfig {
        orgs: 1,
        devices_per_org: 14_500,
        ..SimConfig::default()
    })
    .await;
    let org = first_org(&w);
    let mut synced: Vec<Device> = devices_of(&w, org)
        .into_iter()
        .filter(|d| agent(d) && d.approval_status == Some(ApprovalStatus::Approved))
        .collect();
    assert!(
        synced.len() > 10_000,
        "the tenant must exceed the cap: {}",
        synced.len()
    );
    synced.sort_unstable_by_key(|d| d.id);
    let kept: std::collections::BTreeSet<String> = synced[..10_000]
        .iter()
        .map(|d| d.uid.clone().unwrap_or_else(|| d.id.unwrap().to_string()))
        .collect();
    let company = map(&w, org, MappingOptions::default()).await;
    let run = sync(&w, company).await;
    assert!(run.truncated_any);
    assert!(run.companies[0].truncated);
    assert_eq!(run.companies[0].counts.created, 10_000);
    let assets = w.engine.assets(Some(company), None).await.unwrap();
    assert_eq!(assets.len(), 10_000);
    let ids: std::collections::BTreeSet<String> =
        assets.iter().map(|a| a.external_id.clone()).collect();
    assert_eq!(ids, kept, "the first 10,000 by device id");
    assert!(w.engine.runs(1).await.unwrap()[0].truncated_any);
}

#[tokio::test]
async fn open_in_ninjaone_asks_for_the_device_link_and_refuses_other_sources() {
    let w = world(SimConfig {
        orgs: 1,
        devices_per_org: 5,
        ..SimConfig::default()
    })
    .await;
    let company = map(&w, first_org(&w), MappingOptions::default()).await;
    sync(&w, company).await;
    let asset = w.engine.assets(Some(company), None).await.unwrap()[0].clone();
    let device = w.engine.asset(asset.id).await.unwrap().fields["identity.deviceId"].clone();
    let link = w.engine.device_link(asset.id).await.unwrap();
    assert!(link.starts_with("http"), "{link}");
    assert!(link.contains(&device), "{link} names device {device}");

    let csv = format!("externalId,company,name\nL-9,{company},ELSEWHERE\n");
    w.engine
        .import_assets(fleetward_core::assets::AssetSource::Level, csv.as_bytes())
        .await
        .unwrap();
    let level = w
        .engine
        .assets(Some(company), None)
        .await
        .unwrap()
        .into_iter()
        .find(|a| a.external_id == "L-9")
        .unwrap();
    let err = w.engine.device_link(level.id).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(
        err.to_string().contains("did not come from NinjaOne"),
        "{err}"
    );
}

#[tokio::test]
async fn a_sync_with_nothing_mapped_says_what_to_map() {
    let w = world(SimConfig::default()).await;
    let err = w.engine.sync_all(Trigger::Manual).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("Map organizations"), "{err}");
}

#[tokio::test]
async fn an_import_keeps_good_rows_reports_bad_lines_and_loses_to_ninjaone_on_dedup() {
    let w = world(SimConfig {
        orgs: 1,
        devices_per_org: 10,
        ..SimConfig::default()
    })
    .await;
    let org = first_org(&w);
    let company = map(&w, org, MappingOptions::default()).await;
    sync(&w, company).await;
    let synced = w
        .engine
        .assets(Some(company), Some(AssetStatus::Active))
        .await
        .unwrap();
    let twin = synced.iter().find(|a| a.serial_number.is_some()).unwrap();
    let name = w.engine.company(company).await.unwrap().name;
    let csv = format!(
        "externalId,company,name,serialNumber,os\n\
         L-1,{company},LEVEL-ONLY,SN-LEVEL-0001,Windows 11\n\
         L-2,\"{name}\",{},{},Windows 11\n\
         ,{company},no id,,\n\
         L-3,Nobody Inc,x,,\n",
        twin.name.clone().unwrap_or_default(),
        twin.serial_number.clone().unwrap()
    );
    let report = w
        .engine
        .import_assets(fleetward_core::assets::AssetSource::Level, csv.as_bytes())
        .await
        .unwrap();
    assert_eq!(report.imported, 2);
    assert_eq!(report.created, 2);
    assert_eq!(
        report.retired_duplicates, 1,
        "the Level copy of a NinjaOne machine is retired"
    );
    let lines: Vec<u32> = report.errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, vec![4, 5], "{:?}", report.errors);
    let audit = w.engine.audit_events(Some(company)).await.unwrap();
    let actions: Vec<_> = audit.iter().map(|e| e.action).collect();
    use fleetward_core::audit::AuditAction;
    assert!(actions.contains(&AuditAction::AssetsImported), "{audit:?}");
    assert!(
        actions.contains(&AuditAction::DuplicatesRetired),
        "{audit:?}"
    );
    assert!(audit
        .iter()
        .any(|e| e.detail == "level: 2 created, 0 updated, 0 unchanged"));
    assert!(
        report.errors[1].message.contains("Nobody Inc"),
        "{:?}",
        report.errors
    );

    let retired = w
        .engine
        .assets(Some(company), Some(AssetStatus::Retired))
        .await
        .unwrap();
    assert_eq!(retired.len(), 1);
    assert_eq!(retired[0].external_id, "L-2");
    let reason = retired[0].retired_reason.clone().unwrap();
    assert!(
        reason.contains(&format!("duplicate of asset {}", twin.id)),
        "{reason}"
    );
    assert!(reason.contains("same serial number"), "{reason}");

    let again = w
        .engine
        .import_assets(fleetward_core::assets::AssetSource::Level, csv.as_bytes())
        .await
        .unwrap();
    assert_eq!(
        (again.created, again.updated),
        (0, 0),
        "importing the same file twice changes nothing"
    );
    let not_json = w
        .engine
        .import_assets(
            fleetward_core::assets::AssetSource::Intune,
            b"{\"not\": \"an array\"}",
        )
        .await
        .unwrap_err();
    assert_eq!(not_json.kind(), ErrorKind::InvalidInput);
}

#[tokio::test]
async fn run_details_go_after_90_days_and_the_field_history_stays() {
    let (w, clock) = clocked_world("2026-06-01T10:00:00Z").await;
    let company = map(&w, first_org(&w), MappingOptions::default()).await;
    sync(&w, company).await;
    let asset = w.engine.assets(Some(company), None).await.unwrap()[0].clone();
    let device: i64 = devices_of(&w, first_org(&w))
        .into_iter()
        .find(|d| d.uid.as_deref() == Some(asset.external_id.as_str()))
        .and_then(|d| d.id)
        .unwrap();
    w.sim.control().rename_device(device, "RENAMED-ONCE");
    let renaming = sync(&w, company).await.run_id.unwrap();
    let history = w.engine.asset(asset.id).await.unwrap().history;
    assert!(history.iter().any(|c| c.run_id == Some(renaming)));
    let changes = history.len();

    clock.advance(std::time::Duration::from_secs(89 * 86_400));
    sync(&w, company).await;
    assert_eq!(
        w.engine.runs(10).await.unwrap().len(),
        3,
        "89 days: all kept"
    );
    clock.advance(std::time::Duration::from_secs(2 * 86_400));
    let latest = sync(&w, company).await.run_id.unwrap();
    let runs: Vec<_> = w
        .engine
        .runs(10)
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(runs.len(), 2, "the runs of day one went: {runs:?}");
    assert!(runs.contains(&latest) && !runs.contains(&renaming));
    let history = w.engine.asset(asset.id).await.unwrap().history;
    assert_eq!(history.len(), changes, "field history is never pruned");
    assert!(history
        .iter()
        .any(|c| c.new_value.as_deref() == Some("RENAMED-ONCE") && c.run_id.is_none()));
}

#[tokio::test]
async fn schedules_catch_up_once_tick_every_four_hours_pause_and_have_one_holder() {
    let (w, clock) = clocked_world("2026-11-27T10:00:00Z").await;
    map(&w, first_org(&w), MappingOptions::default()).await;

    let caught_up = w.engine.run_due_schedules(Trigger::StartUp).await.unwrap();
    assert!(caught_up.is_some(), "a missed tick runs once at start-up");
    assert!(
        w.engine
            .run_due_schedules(Trigger::Schedule)
            .await
            .unwrap()
            .is_none(),
        "not twice"
    );
    assert_eq!(w.engine.runs(1).await.unwrap()[0].trigger, Trigger::StartUp);

    let mut config_other = config(w.dir.path().join("data"));
    config_other.clock = clock.clone();
    let other = Engine::start(config_other).await.unwrap();
    clock.advance(std::time::Duration::from_secs(4 * 3600));
    w.engine.set_schedules_paused(true);
    assert!(
        w.engine
            .run_due_schedules(Trigger::Schedule)
            .await
            .unwrap()
            .is_none(),
        "paused"
    );
    assert!(
        other
            .run_due_schedules(Trigger::Schedule)
            .await
            .unwrap()
            .is_none(),
        "another process does not run schedules while the holder is alive"
    );
    w.engine.set_schedules_paused(false);
    let ticked = w.engine.run_due_schedules(Trigger::Schedule).await.unwrap();
    assert!(ticked.is_some(), "the next tick four hours later runs");
    assert_eq!(
        w.engine.runs(1).await.unwrap()[0].trigger,
        Trigger::Schedule
    );

    // The holder dies: once its lease has expired, the other process takes the schedules over.
    clock.advance(std::time::Duration::from_secs(4 * 3600));
    assert!(other
        .run_due_schedules(Trigger::Schedule)
        .await
        .unwrap()
        .is_some());
}

#[tokio::test]
async fn a_sync_through_throttling_errors_and_drops_converges_within_the_budget() {
    let dir = tempfile::tempdir().unwrap();
    let mut engine_config = config(dir.path().join("data"));
    engine_config.client.retry.max_attempts = 12;
    let engine = Engine::start(engine_config).await.unwrap();
    let sim = Simulator::start(SimConfig {
        orgs: 4,
        devices_per_org: 300,
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let connection = engine
        .save_connection(&draft(&sim))
        .await
        .unwrap()
        .connection
        .id;
    let w = World {
        dir,
        engine,
        sim,
        connection,
    };
    let mut expected = 0u32;
    for org in w.sim.control().organizations() {
        let id = org.id.unwrap();
        map(&w, id, MappingOptions::default()).await;
        expected += devices_of(&w, id)
            .iter()
            .filter(|d| agent(d) && d.approval_status == Some(ApprovalStatus::Approved))
            .count() as u32;
    }
    w.sim
        .control()
        .set_stats_window(std::time::Duration::from_secs(60));
    w.sim.control().reset_stats();
    w.sim.control().set_faults(ninjaone_sim::Faults {
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
    let run = w.engine.sync(None, Trigger::Manual, false).await.unwrap();
    assert_eq!(run.status, RunStatus::Succeeded, "{:?}", run.companies);
    let created: u32 = run.companies.iter().map(|c| c.counts.created).sum();
    assert_eq!(created, expected, "the same assets as without faults");
    let stats = w.sim.control().stats();
    assert!(stats.throttles_served > 0, "faults were served");
    assert!(
        stats.max_requests_in_window <= 200,
        "{} requests in one minute",
        stats.max_requests_in_window
    );
}

/// Waits (bounded) until `engine` sees a run in progress; returns its id.
async fn running_run(engine: &Engine) -> fleetward_core::ids::RunId {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        if let Some(run) = engine.runs(1).await.unwrap().first() {
            if run.status == RunStatus::Running {
                return run.id;
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the sync never started"
        );
        tokio::task::yield_now().await;
    }
}

#[tokio::test]
async fn a_sync_can_be_cancelled_from_this_process_or_another_and_then_runs_again() {
    let w = world(SimConfig {
        orgs: 2,
        devices_per_org: 10,
        ..SimConfig::default()
    })
    .await;
    let orgs = org_ids(&w);
    let companies = [
        map(&w, orgs[0], MappingOptions::default()).await,
        map(&w, orgs[1], MappingOptions::default()).await,
    ];
    slow_down(&w, 3_000);
    let other = second_engine(&w).await;

    // Another process (the app, while the CLI syncs) asks through the store.
    let first = {
        let engine = w.engine.clone();
        tokio::spawn(async move { engine.sync(None, Trigger::Manual, false).await })
    };
    let run = running_run(&other).await;
    assert_eq!(
        other
            .cancel_run(run)
            .await
            .expect("a running sync can be cancelled"),
        RunStatus::Running
    );
    let cancelled = first.await.unwrap().unwrap();
    assert_eq!(cancelled.status, RunStatus::Cancelled);
    assert_eq!(cancelled.companies.len(), 2);
    for part in &cancelled.companies {
        let error = part.error.as_deref().unwrap_or_default();
        assert!(error.contains("Cancelled"), "{error}");
    }
    for company in companies {
        assert!(
            w.engine
                .assets(Some(company), None)
                .await
                .unwrap()
                .is_empty(),
            "a cancelled company keeps its old (here: no) assets"
        );
    }
    let history = other.runs(1).await.unwrap();
    assert_eq!(history[0].status, RunStatus::Cancelled);
    let err = other.cancel_run(run).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("already ended"), "{err}");
    let err = other
        .cancel_run(fleetward_core::ids::RunId(999))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no run 999"), "{err}");

    // This process (Ctrl-C in the CLI) stops at once.
    let second = {
        let engine = w.engine.clone();
        tokio::spawn(async move { engine.sync(None, Trigger::Manual, false).await })
    };
    running_run(&w.engine).await;
    let started = std::time::Instant::now();
    assert_eq!(w.engine.cancel_runs(), 1);
    let cancelled = second.await.unwrap().unwrap();
    assert_eq!(cancelled.status, RunStatus::Cancelled);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "an in-process cancel does not wait for the page in flight"
    );

    w.sim.control().clear_faults();
    let done = w.engine.sync(None, Trigger::Manual, false).await.unwrap();
    assert_eq!(done.status, RunStatus::Succeeded, "{done:?}");
    assert!(!w
        .engine
        .assets(Some(companies[0]), None)
        .await
        .unwrap()
        .is_empty());
}

/// Requests the simulator saw to one endpoint path since its stats were last reset.
fn requests_to(w: &World, path: &str) -> u64 {
    w.sim
        .control()
        .stats()
        .requests_by_endpoint
        .iter()
        .filter(|(endpoint, _)| endpoint.ends_with(path))
        .map(|(_, n)| *n)
        .sum()
}

fn has_group(fields: &std::collections::BTreeMap<String, String>, group: &str) -> bool {
    fields.keys().any(|k| k.starts_with(&format!("{group}.")))
}

#[tokio::test]
async fn dropped_field_groups_leave_the_assets_and_come_back_as_field_changes() {
    use fleetward_core::sync::fields::FieldGroup;
    let w = world(SimConfig {
        orgs: 1,
        devices_per_org: 20,
        ..SimConfig::default()
    })
    .await;
    let org = first_org(&w);
    let err = w
        .engine
        .map_organization(
            w.connection,
            NinjaOrgId(org),
            &MappingChoice::CreateNew,
            &MappingOptions {
                drop_field_groups: Some(vec![FieldGroup::Memory, FieldGroup::Os]),
                ..MappingOptions::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(
        err.to_string().contains("os fields are always kept"),
        "{err}"
    );
    assert!(
        w.engine.organizations(w.connection).await.unwrap()[0]
            .company_id
            .is_none(),
        "a refused option maps nothing"
    );

    let dropped = [FieldGroup::Memory, FieldGroup::Warranty, FieldGroup::Health];
    let company = map(
        &w,
        org,
        MappingOptions {
            drop_field_groups: Some(dropped.to_vec()),
            ..MappingOptions::default()
        },
    )
    .await;
    let row = &w.engine.organizations(w.connection).await.unwrap()[0];
    assert_eq!(row.dropped_field_groups, dropped.to_vec());
    let audit = w.engine.audit_events(Some(company)).await.unwrap();
    assert!(
        audit.iter().any(|e| e.detail.ends_with(
            "; leaves out memory, warranty, health, no custom fields, no installed software"
        )),
        "the audit trail says what the mapping keeps: {audit:?}"
    );
    w.sim.control().reset_stats();
    sync(&w, company).await;
    assert_eq!(
        requests_to(&w, "/v2/queries/device-health"),
        0,
        "health nobody keeps is not read"
    );
    let assets = w.engine.assets(Some(company), None).await.unwrap();
    assert!(!assets.is_empty());
    for asset in &assets {
        let fields = w.engine.asset(asset.id).await.unwrap().fields;
        assert!(has_group(&fields, "os") && has_group(&fields, "identity"));
        for group in ["memory", "warranty", "health"] {
            assert!(
                !has_group(&fields, group),
                "{group} was left out: {fields:?}"
            );
        }
    }

    w.engine
        .map_organization(
            w.connection,
            NinjaOrgId(org),
            &MappingChoice::UseExisting {
                company_id: company,
            },
            &MappingOptions {
                keep_field_groups: Some(dropped.to_vec()),
                ..MappingOptions::default()
            },
        )
        .await
        .unwrap();
    let back = sync(&w, company).await;
    assert_eq!(back.companies[0].counts.updated, assets.len() as u32);
    let mut warranties = 0;
    for asset in &assets {
        let detail = w.engine.asset(asset.id).await.unwrap();
        assert!(has_group(&detail.fields, "memory") && has_group(&detail.fields, "health"));
        warranties += usize::from(has_group(&detail.fields, "warranty"));
        let memory: Vec<_> = detail
            .history
            .iter()
            .filter(|c| c.field == "memory.bytes")
            .collect();
        assert_eq!(memory.len(), 1, "one field change brings memory back");
        assert_eq!(memory[0].old_value, None);
        assert_eq!(
            memory[0].new_value.as_deref(),
            Some(detail.fields["memory.bytes"].as_str())
        );
        assert_eq!(memory[0].run_id, back.run_id);
    }
    assert!(warranties > 0, "the tenant's hardware has warranties");
}

#[tokio::test]
async fn custom_fields_and_software_sync_only_for_the_mappings_that_choose_them() {
    let w = world(SimConfig {
        orgs: 3,
        devices_per_org: 30,
        ..SimConfig::default()
    })
    .await;
    let orgs = org_ids(&w);
    // Two companies of their own (organizations of the demo tenant may share a name).
    let mut companies = Vec::new();
    for (org, name) in [(orgs[0], "Chooser"), (orgs[1], "Other"), (orgs[2], "Third")] {
        let company = w.engine.add_company(name).await.unwrap().id;
        w.engine
            .map_organization(
                w.connection,
                NinjaOrgId(org),
                &MappingChoice::UseExisting {
                    company_id: company,
                },
                &MappingOptions::default(),
            )
            .await
            .unwrap();
        companies.push(company);
    }
    let (chooser, other) = (companies[0], companies[1]);

    // Nobody chose custom fields or software: neither report is read.
    w.sim.control().reset_stats();
    w.engine.sync(None, Trigger::Manual, false).await.unwrap();
    assert!(requests_to(&w, "/v2/devices-detailed") > 0);
    assert_eq!(requests_to(&w, "/v2/queries/custom-fields"), 0);
    assert_eq!(requests_to(&w, "/v2/queries/software"), 0);

    // The picker offers the names found in a live sample, in one request.
    w.sim.control().reset_stats();
    let names = w
        .engine
        .custom_field_names(w.connection, NinjaOrgId(orgs[0]))
        .await
        .unwrap();
    assert_eq!(requests_to(&w, "/v2/queries/custom-fields"), 1);
    assert!(!names.is_empty(), "the tenant has custom fields");
    assert!(names.windows(2).all(|p| p[0] < p[1]), "sorted, no repeats");
    let err = w
        .engine
        .custom_field_names(w.connection, NinjaOrgId(424_242))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);

    let chosen = names[0].clone();
    let too_long = "x".repeat(101);
    let err = w
        .engine
        .map_organization(
            w.connection,
            NinjaOrgId(orgs[0]),
            &MappingChoice::UseExisting {
                company_id: chooser,
            },
            &MappingOptions {
                custom_fields: Some(vec![chosen.clone(), too_long]),
                ..MappingOptions::default()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    let row = w
        .engine
        .map_organization(
            w.connection,
            NinjaOrgId(orgs[0]),
            &MappingChoice::UseExisting {
                company_id: chooser,
            },
            &MappingOptions {
                custom_fields: Some(vec![format!(" {chosen} ")]),
                sync_software: Some(true),
                ..MappingOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(row.custom_fields, vec![chosen.clone()]);
    assert!(row.sync_software);
    let third = w
        .engine
        .map_organization(
            w.connection,
            NinjaOrgId(orgs[2]),
            &MappingChoice::UseExisting {
                company_id: companies[2],
            },
            &MappingOptions {
                sync_software: Some(true),
                ..MappingOptions::default()
            },
        )
        .await
        .unwrap();
    assert!(third.sync_software && third.custom_fields.is_empty());

    w.sim.control().reset_stats();
    let run = w.engine.sync(None, Trigger::Manual, false).await.unwrap();
    assert_eq!(run.status, RunStatus::Succeeded);
    assert_eq!(
        requests_to(&w, "/v2/queries/custom-fields"),
        1,
        "one report for the stream, not one per organization"
    );
    assert_eq!(
        requests_to(&w, "/v2/queries/software"),
        1,
        "two organizations opted in, one report"
    );
    let counts = |company: CompanyId| {
        run.companies
            .iter()
            .find(|c| c.company_id == company)
            .unwrap()
            .counts
    };
    let assets = w.engine.assets(Some(chooser), None).await.unwrap();
    assert_eq!(counts(chooser).updated, assets.len() as u32);
    assert_eq!(counts(other).updated, 0, "the other mapping is unchanged");

    let (mut with_custom, mut with_software) = (0, 0);
    for asset in &assets {
        let fields = w.engine.asset(asset.id).await.unwrap().fields;
        let custom: Vec<&String> = fields.keys().filter(|k| k.starts_with("custom.")).collect();
        assert!(
            custom.iter().all(|k| **k == format!("custom.{chosen}")),
            "only the chosen custom field: {custom:?}"
        );
        with_custom += custom.len();
        let Some(titles) = fields.get("software.titles") else {
            continue;
        };
        with_software += 1;
        let titles: Vec<&str> = titles.split("; ").collect();
        assert_eq!(fields["software.count"], titles.len().to_string());
        let mut sorted = titles.clone();
        sorted.sort_by_key(|t| t.to_lowercase());
        assert_eq!(titles, sorted);
        assert!(
            titles
                .iter()
                .any(|t| t.to_lowercase().starts_with("ninjarmm")),
            "the agent is installed software too: {titles:?}"
        );
    }
    assert!(with_custom > 0, "some devices carry {chosen}");
    assert_eq!(
        with_software,
        assets.len(),
        "every agent device has software"
    );
    for asset in w.engine.assets(Some(other), None).await.unwrap() {
        let fields = w.engine.asset(asset.id).await.unwrap().fields;
        assert!(
            !has_group(&fields, "custom") && !has_group(&fields, "software"),
            "{fields:?}"
        );
    }
}

/// Every answer of the simulator has the first item's `field` set to `value` (drift).
fn drift(w: &World, field: &str, value: serde_json::Value) {
    w.sim.control().set_faults(ninjaone_sim::Faults {
        probability: 1.0,
        kinds: vec![ninjaone_sim::FaultKind::FieldDrift {
            field: field.into(),
            value,
        }],
        include_token_endpoint: false,
    });
}

/// A one-organization world of 30 devices read 10 to a page, mapped and synced once.
async fn paged_world() -> (World, i64, CompanyId, usize) {
    let w = world_tuned(
        SimConfig {
            orgs: 1,
            devices_per_org: 30,
            ..SimConfig::default()
        },
        |c| c.client.page_size = 10,
    )
    .await;
    let org = first_org(&w);
    let company = map(&w, org, MappingOptions::default()).await;
    let first = sync(&w, company).await;
    assert_eq!(first.status, RunStatus::Succeeded);
    let active = w
        .engine
        .assets(Some(company), Some(AssetStatus::Active))
        .await
        .unwrap()
        .len();
    (w, org, company, active)
}

#[tokio::test]
async fn a_device_with_a_field_of_the_wrong_type_keeps_its_asset_and_the_run_says_partial() {
    let (w, org, company, active) = paged_world().await;
    // The first device of each page (by id) is the one the drift reaches.
    let mut devices = devices_of(&w, org);
    devices.sort_by_key(|d| d.id);
    let drifted = devices
        .iter()
        .step_by(10)
        .find(|d| agent(d) && d.approval_status == Some(ApprovalStatus::Approved))
        .expect("a page starts with an approved agent device")
        .clone();
    let asset = w
        .engine
        .assets(Some(company), None)
        .await
        .unwrap()
        .into_iter()
        .find(|a| Some(&a.external_id) == drifted.uid.as_ref())
        .unwrap();
    let created = w.engine.asset(asset.id).await.unwrap().fields["lifecycle.created"].clone();
    w.sim
        .control()
        .rename_device(drifted.id.unwrap(), "RENAMED-PC");

    drift(&w, "created", serde_json::json!("yesterday"));
    let run = sync(&w, company).await;
    w.sim.control().clear_faults();

    assert_eq!(run.status, RunStatus::Partial, "{:?}", run.companies);
    let counts = run.companies[0].counts;
    assert_eq!(counts.unreadable, 3, "one device on each of the 3 pages");
    assert_eq!(counts.stale, 0);
    assert_eq!(run.companies[0].error, None, "the mapping itself synced");
    let still_active = w
        .engine
        .assets(Some(company), Some(AssetStatus::Active))
        .await
        .unwrap();
    assert_eq!(still_active.len(), active, "no asset went stale");
    let detail = w.engine.asset(asset.id).await.unwrap();
    assert_eq!(
        detail.fields["identity.systemName"], "RENAMED-PC",
        "the fields that read are used"
    );
    assert_eq!(
        detail.fields["lifecycle.created"], created,
        "the one that did not read is kept as it was"
    );
    let history = w.engine.runs(1).await.unwrap();
    assert_eq!(history[0].status, RunStatus::Partial);
    assert_eq!(history[0].counts.unwrap().unreadable, 3);
    let recorded = w.engine.run_companies(history[0].id).await.unwrap();
    assert_eq!(recorded[0].counts.unreadable, 3);

    let clean = sync(&w, company).await;
    assert_eq!(
        clean.status,
        RunStatus::Succeeded,
        "a clean answer is whole again"
    );
}

#[tokio::test]
async fn a_device_whose_id_does_not_read_or_is_negative_marks_nothing_stale() {
    let (w, _org, company, active) = paged_world().await;
    for id in [serde_json::json!("seven"), serde_json::json!(-7)] {
        drift(&w, "id", id.clone());
        let run = sync(&w, company).await;
        w.sim.control().clear_faults();
        assert_eq!(
            run.status,
            RunStatus::Partial,
            "id {id}: {:?}",
            run.companies
        );
        let counts = run.companies[0].counts;
        assert_eq!((counts.unreadable, counts.stale), (3, 0), "id {id}");
        let still_active = w
            .engine
            .assets(Some(company), Some(AssetStatus::Active))
            .await
            .unwrap();
        assert_eq!(still_active.len(), active, "id {id}: no asset went stale");
    }
}

#[tokio::test]
async fn repeated_devices_count_once() {
    let w = world_tuned(
        SimConfig {
            orgs: 1,
            devices_per_org: 30,
            ..SimConfig::default()
        },
        |c| c.client.page_size = 10,
    )
    .await;
    let org = first_org(&w);
    let company = map(&w, org, MappingOptions::default()).await;
    w.sim.control().set_faults(ninjaone_sim::Faults {
        probability: 1.0,
        kinds: vec![ninjaone_sim::FaultKind::RepeatedItems],
        include_token_endpoint: false,
    });
    let run = sync(&w, company).await;
    w.sim.control().clear_faults();
    let stored = w.engine.assets(Some(company), None).await.unwrap().len() as u32;
    let counts = run.companies[0].counts;
    assert!(stored > 0);
    assert_eq!(counts.created, stored, "{counts:?}");
    let devices = devices_of(&w, org).into_iter().filter(agent).count() as u32;
    assert_eq!(
        counts.created + counts.skipped_pending + counts.skipped_rejected,
        devices,
        "{counts:?}"
    );
}

#[tokio::test]
async fn a_long_import_is_read_in_chunks_reimported_unchanged_and_a_file_bad_at_its_end_imports_nothing(
) {
    let w = world(SimConfig {
        orgs: 1,
        devices_per_org: 1,
        ..SimConfig::default()
    })
    .await;
    let company = w.engine.add_company("Acme").await.unwrap().id;
    let rows = 12_000; // more than two chunks
    let elements: Vec<String> = (0..rows)
        .map(|i| format!(r#"{{"externalId": "L-{i}", "company": {company}, "name": "PC-{i}"}}"#))
        .collect();
    let level = fleetward_core::assets::AssetSource::Level;
    let bad_at_end = format!("[{},\n{{\"externalId\": ]", elements.join(",\n"));
    let err = w
        .engine
        .import_assets(level, bad_at_end.as_bytes())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.to_string().contains("Nothing was imported"), "{err}");
    assert!(
        w.engine
            .assets(Some(company), None)
            .await
            .unwrap()
            .is_empty(),
        "the chunks read before the error were rolled back"
    );

    let file = format!("[{}]", elements.join(",\n"));
    let first = w
        .engine
        .import_assets(level, file.as_bytes())
        .await
        .unwrap();
    assert_eq!((first.imported, first.created), (rows, rows));
    let again = w
        .engine
        .import_assets(level, file.as_bytes())
        .await
        .unwrap();
    assert_eq!(
        (again.imported, again.created, again.updated),
        (rows, 0, 0),
        "every chunk found its stored assets"
    );
    assert_eq!(
        w.engine.assets(Some(company), None).await.unwrap().len() as u32,
        rows
    );
}
