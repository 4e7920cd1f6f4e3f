//! Compliance sweeps through the engine against the simulator over loopback (SPEC §5, §6):
//! the four statuses, the first-sweep dry run, tickets opened, updated, closed and reopened,
//! the cost in requests, evidence expiry, single flight per tenant, a failing connection,
//! the schedule, disconnect, and no device detail in anything a sweep writes.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use fleetward_core::compliance::export::ExportFormat;
use fleetward_core::compliance::tickets::{TicketPriority, TicketStatus};
use fleetward_core::compliance::{SignalKind, SignalMetadata, SignalStatus};
use fleetward_core::connection::ConnectionDraft;
use fleetward_core::ids::{CompanyId, ConnectionId, NinjaOrgId};
use fleetward_core::organizations::{MappingChoice, MappingOptions};
use fleetward_core::sync::RunStatus;
use fleetward_core::time::ManualClock;
use fleetward_core::{Engine, EngineEvent, ErrorKind, Trigger};
use ninjaone::models::{Activity, ApprovalStatus, NodeClass};
use ninjaone::secrecy::SecretString;
use ninjaone_sim::{SimConfig, Simulator};

struct World {
    dir: tempfile::TempDir,
    engine: Arc<Engine>,
    sim: Simulator,
    clock: Arc<ManualClock>,
    connection: ConnectionId,
}

fn config(data: std::path::PathBuf, clock: &Arc<ManualClock>) -> fleetward_core::EngineConfig {
    fleetward_core::EngineConfig {
        store_key: Some(SecretString::from("cd".repeat(32))),
        clock: clock.clone(),
        ..fleetward_core::testing::config(data)
    }
}

fn start_time() -> chrono::DateTime<chrono::Utc> {
    "2026-11-27T10:00:00Z".parse().unwrap()
}

/// A simulator with `orgs` generated organizations, and `prepare` run on it before the
/// connection is saved (so that discovery sees organizations it adds).
async fn world(orgs: usize, prepare: impl FnOnce(&ninjaone_sim::Control)) -> World {
    world_sized(orgs, 12, prepare).await
}

async fn world_sized(
    orgs: usize,
    devices_per_org: usize,
    prepare: impl FnOnce(&ninjaone_sim::Control),
) -> World {
    let clock = Arc::new(ManualClock::new(start_time()));
    let sim = Simulator::start(SimConfig {
        orgs,
        devices_per_org,
        clock: clock.clone(),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    prepare(&sim.control());
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::start(config(dir.path().join("data"), &clock))
        .await
        .unwrap();
    let connection = engine
        .save_connection(&ConnectionDraft {
            name: None,
            region: None,
            base_url: Some(sim.base_url()),
            client_id: "sim-client".into(),
            client_secret: SecretString::from("sim-secret"),
        })
        .await
        .unwrap()
        .connection
        .id;
    World {
        dir,
        engine,
        sim,
        clock,
        connection,
    }
}

/// Maps the organization named `name` to a new company and promotes it.
async fn tenant(w: &World, name: &str) -> CompanyId {
    let org = w
        .sim
        .control()
        .organizations()
        .into_iter()
        .find(|o| o.name.as_deref() == Some(name))
        .and_then(|o| o.id)
        .unwrap();
    tenant_of_org(w, org).await
}

async fn tenant_of_org(w: &World, org: i64) -> CompanyId {
    let row = w
        .engine
        .map_organization(
            w.connection,
            NinjaOrgId(org),
            &MappingChoice::CreateNew,
            &MappingOptions::default(),
        )
        .await
        .unwrap();
    let company = row.company_id.unwrap();
    w.engine.promote_company(company).await.unwrap();
    company
}

/// Maps organization `org` to a new company named `name` (generated organization names can
/// share a company) with `options`, and promotes it.
async fn named_tenant(w: &World, org: i64, name: &str, options: &MappingOptions) -> CompanyId {
    let company = w.engine.add_company(name).await.unwrap().id;
    w.engine
        .map_organization(
            w.connection,
            NinjaOrgId(org),
            &MappingChoice::UseExisting {
                company_id: company,
            },
            options,
        )
        .await
        .unwrap();
    w.engine.promote_company(company).await.unwrap();
    company
}

fn backup(device: i64, code: &str) -> Activity {
    Activity {
        device_id: Some(device),
        activity_type: Some("NINJA_BACKUP".into()),
        status_code: Some(code.into()),
        ..Activity::default()
    }
}

const OK: &str = "NINJA_BACKUP_BACKUPJOB_COMPLETED";
const FAILED: &str = "NINJA_BACKUP_BACKUPJOB_FAILED";

/// Two organizations of Linux servers, whose signals the test controls: Linux has no
/// antivirus scope, no patches in the simulator and unknown disks, so `antivirus_posture`
/// and `disk_encryption` are `no_data` and `patch_sla` passes; backups and offline devices
/// are set through the simulator.
struct Fleets {
    steady: Vec<i64>,
    troubled: Vec<i64>,
}

fn linux_fleets(control: &ninjaone_sim::Control) -> Fleets {
    let steady_org = control.add_organization("Steady Linux");
    let troubled_org = control.add_organization("Troubled Linux");
    let add = |org| {
        (0..4)
            .map(|_| control.add_device(org, NodeClass::LinuxServer, ApprovalStatus::Approved))
            .collect::<Vec<_>>()
    };
    let fleets = Fleets {
        steady: add(steady_org),
        troubled: add(troubled_org),
    };
    for d in &fleets.steady {
        control.append_activity(backup(*d, OK));
    }
    // Troubled: one of four devices only failed (25 %: fail), and half are offline (warn).
    control.append_activity(backup(fleets.troubled[0], FAILED));
    for d in &fleets.troubled[1..] {
        control.append_activity(backup(*d, OK));
    }
    control.set_offline(fleets.troubled[2], true);
    control.set_offline(fleets.troubled[3], true);
    fleets
}

async fn status_of(w: &World, company: CompanyId, kind: SignalKind) -> SignalStatus {
    w.engine
        .signals(Some(company))
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.signal == kind)
        .unwrap()
        .status
}

#[tokio::test]
async fn a_sweep_writes_five_signals_per_tenant_with_every_status_then_tickets_after_the_dry_run() {
    let mut fleets = None;
    let w = world(2, |c| fleets = Some(linux_fleets(c))).await;
    let steady = tenant(&w, "Steady Linux").await;
    let troubled = tenant(&w, "Troubled Linux").await;
    let generated = tenant_of_org(&w, 1).await;
    let mut events = w.engine.subscribe();

    let first = w.engine.sweep(None, Trigger::Manual).await.unwrap();
    assert_eq!(first.status, RunStatus::Succeeded);
    assert_eq!(first.companies.len(), 3);
    assert!(
        first.companies.iter().all(|c| c.dry_run),
        "the first sweep is a dry run"
    );
    assert!(
        w.engine.tickets(None).await.unwrap().is_empty(),
        "no tickets in a dry run"
    );

    let signals = w.engine.signals(None).await.unwrap();
    assert_eq!(signals.len(), 15, "five signals per tenant");
    let statuses: BTreeSet<&str> = signals.iter().map(|s| s.status.as_str()).collect();
    assert_eq!(
        statuses,
        BTreeSet::from(["fail", "no_data", "pass", "warn"])
    );
    for s in &signals {
        assert_eq!(s.expires_at - s.collected_at, chrono::Duration::days(7));
        assert!(!s.expired);
        assert_eq!(s.controls.len(), 2);
    }
    assert_eq!(
        status_of(&w, steady, SignalKind::BackupActivity).await,
        SignalStatus::Pass
    );
    assert_eq!(
        status_of(&w, steady, SignalKind::DeviceInventory).await,
        SignalStatus::Pass
    );
    assert_eq!(
        status_of(&w, steady, SignalKind::PatchSla).await,
        SignalStatus::Pass
    );
    assert_eq!(
        status_of(&w, steady, SignalKind::AntivirusPosture).await,
        SignalStatus::NoData
    );
    assert_eq!(
        status_of(&w, steady, SignalKind::DiskEncryption).await,
        SignalStatus::NoData
    );
    assert_eq!(
        status_of(&w, troubled, SignalKind::BackupActivity).await,
        SignalStatus::Fail
    );
    assert_eq!(
        status_of(&w, troubled, SignalKind::DeviceInventory).await,
        SignalStatus::Warn
    );
    let generated_signals = w.engine.signals(Some(generated)).await.unwrap();
    assert_eq!(generated_signals.len(), 5);
    let evidence = w.engine.evidence(Some(troubled)).await.unwrap();
    assert_eq!(evidence.len(), 10, "one evidence row per mapped control");
    assert!(evidence.iter().all(|e| e.company_id == troubled));

    let mut turned_fail = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let EngineEvent::SignalFailed {
            company_id, signal, ..
        } = event
        {
            turned_fail.push((company_id, signal));
        }
    }
    assert!(turned_fail.contains(&(troubled, SignalKind::BackupActivity)));

    let second = w.engine.sweep(None, Trigger::Manual).await.unwrap();
    assert!(
        second.companies.iter().all(|c| !c.dry_run),
        "the first sweep stamped the connection"
    );
    let tickets = w.engine.tickets(Some(TicketStatus::Open)).await.unwrap();
    let of_troubled: Vec<_> = tickets
        .iter()
        .filter(|t| t.company_id == troubled)
        .collect();
    let backup_ticket = of_troubled
        .iter()
        .find(|t| t.signal == SignalKind::BackupActivity)
        .unwrap();
    assert_eq!(backup_ticket.priority, TicketPriority::High);
    let inventory_ticket = of_troubled
        .iter()
        .find(|t| t.signal == SignalKind::DeviceInventory)
        .unwrap();
    assert_eq!(inventory_ticket.priority, TicketPriority::Normal);
    assert_eq!(of_troubled.len(), 2);
    assert!(
        tickets.iter().all(|t| t.company_id != steady),
        "a passing tenant gets no ticket"
    );
    let repeat: Vec<_> = w.engine.runs(10).await.unwrap();
    assert!(repeat[0].sweep.as_ref().unwrap().tickets_opened >= 2);
}

#[tokio::test]
async fn tickets_are_updated_closed_on_pass_and_reopened_on_relapse() {
    let mut fleets = None;
    let w = world(1, |c| fleets = Some(linux_fleets(c))).await;
    let fleets = fleets.unwrap();
    let troubled = tenant(&w, "Troubled Linux").await;
    w.engine.sweep(None, Trigger::Manual).await.unwrap();
    w.engine.sweep(None, Trigger::Manual).await.unwrap();
    let opened = w.engine.tickets(Some(TicketStatus::Open)).await.unwrap();
    assert_eq!(opened.len(), 2);

    w.clock.advance(Duration::from_secs(3600));
    w.engine
        .sweep(Some(troubled), Trigger::Manual)
        .await
        .unwrap();
    let updated = w.engine.tickets(Some(TicketStatus::Open)).await.unwrap();
    assert_eq!(
        updated.iter().map(|t| t.id).collect::<Vec<_>>(),
        opened.iter().map(|t| t.id).collect::<Vec<_>>(),
        "a later sweep updates the open tickets instead of opening new ones"
    );
    assert!(updated.iter().all(|t| t.updated_at > t.opened_at));

    // Back in line: every device online, the failing one backed up.
    let control = w.sim.control();
    for d in &fleets.troubled {
        control.set_offline(*d, false);
    }
    control.append_activity(backup(fleets.troubled[0], OK));
    w.clock.advance(Duration::from_secs(3600));
    w.engine
        .sweep(Some(troubled), Trigger::Manual)
        .await
        .unwrap();
    assert!(w
        .engine
        .tickets(Some(TicketStatus::Open))
        .await
        .unwrap()
        .is_empty());
    let closed = w.engine.tickets(Some(TicketStatus::Closed)).await.unwrap();
    assert_eq!(closed.len(), 2);
    assert!(closed.iter().all(|t| t.closed_at.is_some()));

    // Relapse: a new device whose backups only fail (1 of 5 = 20 %).
    let org = control
        .organizations()
        .into_iter()
        .find(|o| o.name.as_deref() == Some("Troubled Linux"))
        .and_then(|o| o.id)
        .unwrap();
    let newcomer = control.add_device(org, NodeClass::LinuxServer, ApprovalStatus::Approved);
    control.append_activity(backup(newcomer, FAILED));
    w.clock.advance(Duration::from_secs(3600));
    w.engine
        .sweep(Some(troubled), Trigger::Manual)
        .await
        .unwrap();
    let reopened = w.engine.tickets(Some(TicketStatus::Open)).await.unwrap();
    assert_eq!(reopened.len(), 1);
    assert_eq!(reopened[0].signal, SignalKind::BackupActivity);
    assert!(
        closed.iter().all(|c| c.id != reopened[0].id),
        "a relapse opens a new ticket"
    );
    assert_eq!(w.engine.tickets(None).await.unwrap().len(), 3);

    let csv = w
        .engine
        .export_tickets(None, ExportFormat::Csv)
        .await
        .unwrap();
    assert_eq!(csv.lines().count(), 4, "a header and three tickets:\n{csv}");
    let json: serde_json::Value = serde_json::from_str(
        &w.engine
            .export_tickets(None, ExportFormat::Json)
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(json.as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn evidence_expires_seven_days_after_its_sweep() {
    let w = world(1, |c| {
        linux_fleets(c);
    })
    .await;
    let steady = tenant(&w, "Steady Linux").await;
    w.engine.sweep(None, Trigger::Manual).await.unwrap();
    w.clock.advance(Duration::from_secs(7 * 86_400 - 60));
    assert!(w
        .engine
        .signals(Some(steady))
        .await
        .unwrap()
        .iter()
        .all(|s| !s.expired));
    w.clock.advance(Duration::from_secs(60));
    let signals = w.engine.signals(Some(steady)).await.unwrap();
    assert!(
        signals.iter().all(|s| s.expired),
        "expired evidence reads as expired"
    );
    let evidence = w.engine.evidence(Some(steady)).await.unwrap();
    assert!(evidence.iter().all(|e| e.expired));
    let csv = w
        .engine
        .export_evidence(Some(steady), ExportFormat::Csv)
        .await
        .unwrap();
    assert!(csv.lines().skip(1).all(|l| l.contains(",true,")), "{csv}");
}

#[tokio::test]
async fn each_report_is_read_once_per_sweep_however_many_tenants() {
    let w = world(6, |_| {}).await;
    for org in 1..=2 {
        tenant_of_org(&w, org).await;
    }
    w.engine.sweep(None, Trigger::Manual).await.unwrap();
    let two = w.engine.sweep(None, Trigger::Manual).await.unwrap();
    let mut companies = BTreeSet::new();
    for org in 1..=6 {
        companies.insert(tenant_of_org(&w, org).await);
    }
    let six = w.engine.sweep(None, Trigger::Manual).await.unwrap();
    assert_eq!(six.companies.len(), companies.len());
    assert!(
        companies.len() >= 4,
        "most organizations have a company of their own"
    );
    assert_eq!(
        two.requests_by_report, six.requests_by_report,
        "three times the tenants, the same requests per report"
    );
    for (report, requests) in &six.requests_by_report {
        let walks = if report == "activities" { 3 } else { 1 };
        assert!(*requests <= 2 * walks, "{report}: {requests} requests");
    }
    let recorded = &w.engine.runs(1).await.unwrap()[0];
    assert_eq!(
        recorded.sweep.as_ref().unwrap().requests_by_report,
        six.requests_by_report
    );
    assert_eq!(recorded.requests, six.requests);
}

#[tokio::test]
async fn a_second_asker_is_told_the_sweep_is_already_running() {
    let w = world(1, |_| {}).await;
    let company = tenant_of_org(&w, 1).await;
    w.sim.control().set_faults(ninjaone_sim::Faults {
        probability: 1.0,
        kinds: vec![ninjaone_sim::FaultKind::Latency { millis: 1_000 }],
        include_token_endpoint: false,
    });
    let first = {
        let engine = w.engine.clone();
        tokio::spawn(async move { engine.sweep(Some(company), Trigger::Manual).await })
    };
    let other = Engine::start(config(w.dir.path().join("data"), &w.clock))
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while other.runs(1).await.unwrap().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the first sweep never started"
        );
        tokio::task::yield_now().await;
    }
    let err = other
        .sweep(Some(company), Trigger::Manual)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyRunning);
    assert_eq!(first.await.unwrap().unwrap().status, RunStatus::Succeeded);
    w.sim.control().clear_faults();
    other
        .sweep(Some(company), Trigger::Manual)
        .await
        .expect("free again");
}

/// The device_inventory numbers a tenant's signal shows: (devices, offline).
async fn inventory(w: &World, company: CompanyId) -> (u32, u32) {
    let row = w
        .engine
        .signals(Some(company))
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.signal == SignalKind::DeviceInventory)
        .unwrap();
    let SignalMetadata::DeviceInventory(m) = row.metadata else {
        panic!("{:?}", row.metadata)
    };
    (m.devices, m.offline)
}

#[tokio::test]
async fn each_tenant_counts_only_its_own_population_and_its_evidence_names_only_itself() {
    let w = world_sized(3, 30, |_| {}).await;
    let control = w.sim.control();
    let devices = control.devices();
    let of_org = |org: i64| -> Vec<&ninjaone::models::Device> {
        devices
            .iter()
            .filter(|d| d.organization_id == Some(org))
            .collect()
    };
    // Org 3 is restricted to one of its locations.
    let location = of_org(3).iter().find_map(|d| d.location_id).unwrap();
    let mut tenants = Vec::new();
    for (org, name, locations) in [
        (1, "First customer", None),
        (2, "Second customer", None),
        (3, "Third customer", Some(vec![location])),
    ] {
        let options = MappingOptions {
            location_ids: locations.map(|l| {
                l.into_iter()
                    .map(fleetward_core::ids::NinjaLocationId)
                    .collect()
            }),
            ..MappingOptions::default()
        };
        tenants.push(named_tenant(&w, org, name, &options).await);
    }
    // Three more of the second customer's devices go offline.
    let agents_of = |org: i64, location: Option<i64>| -> Vec<ninjaone::models::Device> {
        w.sim
            .control()
            .devices()
            .into_iter()
            .filter(|d| d.organization_id == Some(org))
            .filter(|d| location.is_none() || d.location_id == location)
            .filter(|d| d.approval_status == Some(ApprovalStatus::Approved))
            .filter(|d| d.node_class.as_ref().is_some_and(NodeClass::is_agent))
            .collect()
    };
    for d in agents_of(2, None)
        .iter()
        .filter(|d| d.offline != Some(true))
        .take(3)
    {
        control.set_offline(d.id.unwrap(), true);
    }
    let run = w.engine.sweep(None, Trigger::Manual).await.unwrap();
    assert_eq!(run.status, RunStatus::Succeeded);
    for (company, org, location) in [
        (tenants[0], 1, None),
        (tenants[1], 2, None),
        (tenants[2], 3, Some(location)),
    ] {
        let agents = agents_of(org, location);
        let offline = agents.iter().filter(|d| d.offline == Some(true)).count() as u32;
        assert_eq!(
            inventory(&w, company).await,
            (agents.len() as u32, offline),
            "company {company}: its approved agents (location applied), no one else's"
        );
    }
    for company in &tenants {
        let tenant = w
            .engine
            .company(*company)
            .await
            .unwrap()
            .compliance_tenant_id
            .unwrap();
        for row in w.engine.evidence(Some(*company)).await.unwrap() {
            assert_eq!(
                (row.company_id, &row.compliance_tenant_id),
                (*company, &tenant)
            );
        }
    }
}

#[tokio::test]
async fn sweep_progress_counts_pages_while_reading_then_tenants_written() {
    let w = world(1, |_| {}).await;
    tenant_of_org(&w, 1).await;
    let mut events = w.engine.subscribe();
    w.sim.control().set_faults(ninjaone_sim::Faults {
        probability: 1.0,
        kinds: vec![ninjaone_sim::FaultKind::Latency { millis: 250 }],
        include_token_endpoint: false,
    });
    let run = w.engine.sweep(None, Trigger::Manual).await.unwrap();
    w.sim.control().clear_faults();
    let mut seen = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let EngineEvent::SweepProgress {
            companies_done,
            companies_total,
            pages,
            ..
        } = event
        {
            seen.push((companies_done, companies_total, pages));
        }
    }
    assert!(
        seen.iter().any(|&(done, _, pages)| done == 0 && pages > 0),
        "pages move before any tenant is written: {seen:?}"
    );
    assert_eq!(seen.last().copied(), Some((1, 1, run.requests)), "{seen:?}");
}

#[tokio::test]
async fn a_sweep_of_everyone_leaves_a_tenant_swept_elsewhere_without_failing() {
    let w = world(2, |_| {}).await;
    let options = MappingOptions::default();
    let busy = named_tenant(&w, 1, "Busy customer", &options).await;
    let free = named_tenant(&w, 2, "Free customer", &options).await;
    w.sim.control().set_faults(ninjaone_sim::Faults {
        probability: 1.0,
        kinds: vec![ninjaone_sim::FaultKind::Latency { millis: 300 }],
        include_token_endpoint: false,
    });
    let other = Engine::start(config(w.dir.path().join("data"), &w.clock))
        .await
        .unwrap();
    let first = {
        let other = other.clone();
        tokio::spawn(async move { other.sweep(Some(busy), Trigger::Manual).await })
    };
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while w.engine.runs(1).await.unwrap().is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "the first sweep never started"
        );
        tokio::task::yield_now().await;
    }
    // The first sweep is recorded before it reads anything; every answer stays slow, so it
    // is still reading when this sweep takes off.
    let run = w.engine.sweep(None, Trigger::Manual).await.unwrap();
    assert_eq!(run.status, RunStatus::Succeeded, "{:?}", run.companies);
    let skipped = run.companies.iter().find(|c| c.company_id == busy).unwrap();
    assert!(skipped.busy && !skipped.failed());
    assert!(skipped
        .error
        .as_deref()
        .unwrap()
        .contains("already running"));
    assert_eq!(w.engine.signals(Some(free)).await.unwrap().len(), 5);
    assert_eq!(first.await.unwrap().unwrap().status, RunStatus::Succeeded);
}

#[tokio::test]
async fn a_failing_connection_never_stops_the_other_tenants() {
    let w = world(1, |_| {}).await;
    let good = tenant_of_org(&w, 1).await;
    let second = Simulator::start(SimConfig {
        seed: 99,
        orgs: 1,
        devices_per_org: 4,
        client_id: "other".into(),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let other = w
        .engine
        .save_connection(&ConnectionDraft {
            name: Some("Second".into()),
            region: None,
            base_url: Some(second.base_url()),
            client_id: "other".into(),
            client_secret: SecretString::from("sim-secret"),
        })
        .await
        .unwrap()
        .connection
        .id;
    // A company of its own (the second tenant's organization may share the first one's name).
    let bad = w
        .engine
        .add_company("Second tenant's customer")
        .await
        .unwrap()
        .id;
    w.engine
        .map_organization(
            other,
            NinjaOrgId(1),
            &MappingChoice::UseExisting { company_id: bad },
            &MappingOptions::default(),
        )
        .await
        .unwrap();
    w.engine.promote_company(bad).await.unwrap();
    second.shutdown().await;

    let run = w.engine.sweep(None, Trigger::Manual).await.unwrap();
    assert_eq!(run.status, RunStatus::Partial, "{:?}", run.companies);
    let failed = run.companies.iter().find(|c| c.company_id == bad).unwrap();
    assert!(failed.error.is_some());
    assert!(run
        .companies
        .iter()
        .find(|c| c.company_id == good)
        .unwrap()
        .error
        .is_none());
    assert_eq!(w.engine.signals(Some(good)).await.unwrap().len(), 5);
    assert!(w.engine.signals(Some(bad)).await.unwrap().is_empty());
    assert_eq!(failed.error_kind, Some(ErrorKind::Unreachable));
    assert_eq!(run.failure_kind, Some(ErrorKind::Unreachable));
    let recorded = &w.engine.runs(1).await.unwrap()[0];
    assert_eq!(recorded.status, RunStatus::Partial);
    assert!(
        recorded.errors[0].starts_with(&format!("company {bad}")),
        "{:?}",
        recorded.errors
    );
}

#[tokio::test]
async fn the_sweep_schedule_catches_up_once_and_ticks_every_six_hours() {
    let w = world(1, |_| {}).await;
    tenant_of_org(&w, 1).await;
    let caught_up = w.engine.run_due_sweep(Trigger::StartUp).await.unwrap();
    assert!(caught_up.is_some(), "a missed tick runs once at start-up");
    assert!(
        w.engine
            .run_due_sweep(Trigger::Schedule)
            .await
            .unwrap()
            .is_none(),
        "not twice"
    );
    w.engine.set_schedules_paused(true);
    w.clock.advance(Duration::from_secs(6 * 3600));
    assert!(
        w.engine
            .run_due_sweep(Trigger::Schedule)
            .await
            .unwrap()
            .is_none(),
        "paused"
    );
    w.engine.set_schedules_paused(false);
    let ticked = w.engine.run_due_sweep(Trigger::Schedule).await.unwrap();
    assert!(ticked.is_some(), "the next tick six hours later runs");
    let runs = w.engine.runs(5).await.unwrap();
    let sweeps: Vec<_> = runs
        .iter()
        .filter(|r| r.kind == fleetward_core::runs::RunKind::Sweep)
        .collect();
    assert_eq!(sweeps.len(), 2);
    assert_eq!(sweeps[0].trigger, Trigger::Schedule);
    assert_eq!(sweeps[1].trigger, Trigger::StartUp);
    // The asset sync schedule still runs beside it, through the same lease.
    assert!(w
        .engine
        .run_due_schedules(Trigger::Schedule)
        .await
        .unwrap()
        .is_some());
}

#[tokio::test]
async fn disconnect_tells_each_tenant_how_many_signals_it_keeps_and_they_stay() {
    let w = world(1, |_| {}).await;
    let company = tenant_of_org(&w, 1).await;
    w.engine.sweep(None, Trigger::Manual).await.unwrap();
    w.engine.sweep(None, Trigger::Manual).await.unwrap();
    w.engine.disconnect(w.connection).await.unwrap();
    let audit = w.engine.audit_events(Some(company)).await.unwrap();
    let row = audit
        .iter()
        .find(|e| e.action == fleetward_core::audit::AuditAction::NinjaoneDisconnected)
        .unwrap();
    assert!(
        row.detail.contains("10 signals already collected"),
        "{}",
        row.detail
    );
    assert!(row.scope.starts_with("tenant:ct_"), "{}", row.scope);
    assert_eq!(
        w.engine.signals(Some(company)).await.unwrap().len(),
        5,
        "signals stay"
    );
    w.clock.advance(Duration::from_secs(8 * 86_400));
    assert!(w
        .engine
        .signals(Some(company))
        .await
        .unwrap()
        .iter()
        .all(|s| s.expired));
}

/// Every log line of this test binary, every level and target, each marked with its
/// thread. One global subscriber, not a thread-local one: with a subscriber on one thread
/// only, tracing may cache "nobody listens" for a call site that another test's thread met
/// first, and the capture silently misses lines (seen once in CI).
#[derive(Clone, Default)]
struct LogLines(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for LogLines {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for LogLines {
    type Writer = LogLines;

    fn make_writer(&'a self) -> LogLines {
        self.clone()
    }
}

/// The lines logged on one thread (where a `#[tokio::test]` runs the engine's tasks) since
/// the capture began.
struct Capture {
    all: LogLines,
    thread: String,
    from: usize,
}

impl Capture {
    fn start() -> Capture {
        static ALL: std::sync::OnceLock<LogLines> = std::sync::OnceLock::new();
        let all = ALL
            .get_or_init(|| {
                use tracing_subscriber::util::SubscriberInitExt;
                let all = LogLines::default();
                tracing_subscriber::fmt()
                    .with_writer(all.clone())
                    .with_max_level(tracing::Level::TRACE)
                    .with_ansi(false)
                    .without_time()
                    .with_thread_ids(true)
                    .finish()
                    .try_init()
                    .expect("no other global subscriber in this test binary");
                all
            })
            .clone();
        let from = all.0.lock().unwrap_or_else(|p| p.into_inner()).len();
        Capture {
            all,
            // Written as the subscriber writes it (`{:0>2?}`: `ThreadId(02)`, not
            // `ThreadId(2)`), or a test running alone on thread 2 would find no line.
            thread: format!("{:0>2?} ", std::thread::current().id()),
            from,
        }
    }

    /// This thread's lines, without their thread mark.
    fn text(&self) -> String {
        let bytes = self.all.0.lock().unwrap_or_else(|p| p.into_inner());
        String::from_utf8_lossy(&bytes[self.from..])
            .lines()
            .filter(|line| line.contains(&self.thread))
            .map(|line| line.replacen(&self.thread, "", 1))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// Every hostname, device name, serial, IP, MAC, drive letter, user name and (large) device
/// id the simulator serves for the tenants' devices must stay out of every signal, evidence
/// row, ticket, export, run, audit row and log line.
#[tokio::test]
async fn no_device_detail_reaches_signals_evidence_tickets_exports_runs_audit_or_logs() {
    let logs = Capture::start();
    let w = world_sized(3, 40, |c| {
        linux_fleets(c);
    })
    .await;
    let control = w.sim.control();
    // Planted names on top of what the simulator generates.
    for (n, device) in control.devices().iter().enumerate() {
        control.rename_device(device.id.unwrap(), &format!("CANARY-HOST-{n:04}"));
    }
    let mut companies = Vec::new();
    for org in 1..=3 {
        companies.push(tenant_of_org(&w, org).await);
    }
    companies.push(tenant(&w, "Troubled Linux").await);
    w.engine.sweep(None, Trigger::Manual).await.unwrap();
    w.engine.sweep(None, Trigger::Manual).await.unwrap();
    w.engine.disconnect(w.connection).await.unwrap();

    let mut out = String::new();
    out += &serde_json::to_string(&w.engine.signals(None).await.unwrap()).unwrap();
    out += &serde_json::to_string(&w.engine.evidence(None).await.unwrap()).unwrap();
    out += &serde_json::to_string(&w.engine.tickets(None).await.unwrap()).unwrap();
    for format in [ExportFormat::Csv, ExportFormat::Json] {
        out += &w.engine.export_tickets(None, format).await.unwrap();
        out += &w.engine.export_evidence(None, format).await.unwrap();
    }
    for company in &companies {
        out += &serde_json::to_string(&w.engine.signal_history(*company).await.unwrap()).unwrap();
    }
    out += &serde_json::to_string(&w.engine.runs(50).await.unwrap()).unwrap();
    out += &serde_json::to_string(&w.engine.audit_events(None).await.unwrap()).unwrap();
    let log = logs.text();
    assert!(
        log.contains("127.0.0.1") && log.lines().count() > 100,
        "the sweeps' log lines were captured (HTTP traffic to the simulator included):\n{log}"
    );
    // Device ids are looked for in Fleetward's own lines only: HTTP and TLS internals log
    // byte counts, which small ids cannot be told apart from.
    let own_lines: String = log
        .lines()
        .filter(|l| l.contains("fleetward_core") || l.contains("ninjaone::"))
        .collect::<Vec<_>>()
        .join("\n");
    // The temporary folder (where the store lives) is named after the OS user on Windows
    // (`C:\users\root\…\Temp`), who may share a name with a device's last user: its
    // path, in every spelling a log line may use, is not a device detail.
    let temp = std::env::temp_dir();
    let mut everything = format!("{out}{log}");
    for spelling in [
        temp.display().to_string(),
        format!("{temp:?}").trim_matches('"').to_string(),
    ] {
        let spelling = spelling.trim_end_matches(['/', '\\']);
        if !spelling.is_empty() {
            everything = everything.replace(spelling, "<temp>");
        }
    }
    out += &own_lines;
    assert!(
        !w.engine.tickets(None).await.unwrap().is_empty(),
        "the test needs tickets to look at"
    );

    let mut canaries: BTreeSet<String> = BTreeSet::new();
    for device in control.devices() {
        let mut add = |v: &Option<String>| {
            if let Some(v) = v.as_deref().map(str::trim).filter(|v| v.len() >= 4) {
                canaries.insert(v.to_string());
            }
        };
        add(&device.system_name);
        add(&device.display_name);
        add(&device.dns_name);
        add(&device.netbios_name);
        add(&device.uid);
        add(&device.public_ip);
        add(&device.last_logged_in_user);
        if let Some(system) = &device.system {
            add(&system.serial_number);
            add(&system.bios_serial_number);
        }
        for ip in device.ip_addresses.iter().flatten() {
            add(&Some(ip.clone()));
        }
        for mac in device.mac_addresses.iter().flatten() {
            add(&Some(mac.clone()));
        }
        for volume in device.volumes.iter().flatten() {
            add(&volume.serial_number);
            if let Some(letter) = &volume.drive_letter {
                add(&Some(format!("\"{letter}\"")));
                add(&Some(format!(" {letter}")));
            }
        }
    }
    assert!(canaries.iter().any(|c| c.starts_with("CANARY-HOST-")));
    assert!(
        canaries.len() > 50,
        "the tenant has device details to plant: {}",
        canaries.len()
    );
    for canary in &canaries {
        assert!(!everything.contains(canary.as_str()), "{canary:?} leaked");
    }
    // Device ids: no number token in the output equals a device id above 100 (small ids
    // are indistinguishable from counts).
    let ids: BTreeSet<String> = control
        .devices()
        .iter()
        .filter_map(|d| d.id)
        .filter(|id| *id > 100)
        .map(|id| id.to_string())
        .collect();
    assert!(!ids.is_empty());
    // The connection's loopback address is not a device's.
    let out = out.replace("127.0.0.1", "loopback");
    // Whole numbers only: the hex of a tenant id (`ct_…b117b…`) is not a device id.
    for token in out.split(|c: char| !c.is_ascii_alphanumeric()) {
        if ids.contains(token) {
            let at = out.find(token).unwrap_or(0);
            panic!(
                "a device id ({token}) leaked: …{}…",
                &out[at.saturating_sub(200)..(at + 50).min(out.len())]
            );
        }
    }
    assert!(!out.contains("deviceId"));
}

/// The demo tenant (README) must show what the dashboard is for: after promoting every
/// company and sweeping, some customer passes everything, one only warns, one fails and one
/// has nothing to measure.
#[tokio::test]
async fn the_demo_tenant_shows_every_status_among_its_customers() {
    let clock = Arc::new(ManualClock::new(start_time()));
    let sim = Simulator::start(SimConfig {
        clock: clock.clone(),
        ..ninjaone_sim::demo::config()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::start(config(dir.path().join("data"), &clock))
        .await
        .unwrap();
    let connection = engine
        .save_connection(&ConnectionDraft {
            name: Some(ninjaone_sim::demo::NAME.into()),
            region: None,
            base_url: Some(sim.base_url()),
            client_id: ninjaone_sim::demo::CLIENT_ID.into(),
            client_secret: SecretString::from(ninjaone_sim::demo::CLIENT_SECRET),
        })
        .await
        .unwrap()
        .connection
        .id;
    // The company of each organization, in the simulator's order; "Acme Ltd" and
    // "ACME Ltd" are one customer by name.
    let mut companies = Vec::new();
    for org in sim.control().organizations() {
        let company = engine
            .map_organization(
                connection,
                NinjaOrgId(org.id.unwrap()),
                &MappingChoice::CreateNew,
                &MappingOptions::default(),
            )
            .await
            .unwrap()
            .company_id
            .unwrap();
        engine.promote_company(company).await.unwrap();
        companies.push(company);
    }
    let customers: BTreeSet<CompanyId> = companies.iter().copied().collect();
    assert_eq!(customers.len(), 7, "eight organizations, seven customers");

    let run = engine.sweep(None, Trigger::Manual).await.unwrap();
    assert_eq!(run.status, RunStatus::Succeeded, "{:?}", run.companies);
    let signals = engine.signals(None).await.unwrap();
    assert_eq!(signals.len(), 7 * 5);
    // A customer's overall status is its worst signal, as the dashboard sorts them.
    let overall = |company: CompanyId| {
        signals
            .iter()
            .filter(|s| s.company_id == company)
            .map(|s| s.status)
            .max_by_key(|s| s.severity())
            .unwrap()
    };
    let statuses: Vec<SignalStatus> = companies.iter().map(|c| overall(*c)).collect();
    for wanted in [
        SignalStatus::Pass,
        SignalStatus::Warn,
        SignalStatus::Fail,
        SignalStatus::NoData,
    ] {
        assert!(
            statuses.contains(&wanted),
            "no demo customer is {wanted} overall: {statuses:?}"
        );
    }
    // The well-kept, lagging and Linux-only organizations are the third to fifth.
    assert_eq!(statuses[2], SignalStatus::Pass, "well kept");
    assert_eq!(statuses[3], SignalStatus::Warn, "antivirus lagging");
    assert_eq!(
        status_of_in(&signals, companies[3], SignalKind::AntivirusPosture),
        SignalStatus::Warn
    );
    assert_eq!(statuses[4], SignalStatus::NoData, "Linux only");
    assert_eq!(statuses[0], SignalStatus::Fail, "a typical fleet");
}

fn status_of_in(
    signals: &[fleetward_core::compliance::evidence::SignalRow],
    company: CompanyId,
    kind: SignalKind,
) -> SignalStatus {
    signals
        .iter()
        .find(|s| s.company_id == company && s.signal == kind)
        .unwrap()
        .status
}

/// NinjaOne throttles with 429, 503 and HTML pages served with 200, and drops connections
/// (ninjaone-api.md §5): a sweep through all of them writes the same signals as a clean one,
/// and never sends more than NinjaOne's 200 requests a minute.
#[tokio::test]
async fn a_sweep_through_throttling_errors_and_drops_converges_to_the_clean_signals() {
    let clock = Arc::new(ManualClock::new(start_time()));
    let sim = Simulator::start(SimConfig {
        orgs: 4,
        devices_per_org: 150,
        clock: clock.clone(),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut engine_config = config(dir.path().join("data"), &clock);
    engine_config.client.retry.max_attempts = 12;
    let engine = Engine::start(engine_config).await.unwrap();
    let connection = engine
        .save_connection(&ConnectionDraft {
            name: None,
            region: None,
            base_url: Some(sim.base_url()),
            client_id: "sim-client".into(),
            client_secret: SecretString::from("sim-secret"),
        })
        .await
        .unwrap()
        .connection
        .id;
    let w = World {
        dir,
        engine,
        sim,
        clock,
        connection,
    };
    for org in w.sim.control().organizations() {
        tenant_of_org(&w, org.id.unwrap()).await;
    }
    // The same sweep time for both, so that both see the same report windows.
    let fingerprint = |rows: Vec<fleetward_core::compliance::evidence::SignalRow>| {
        rows.into_iter()
            .map(|s| {
                (
                    s.company_id,
                    s.signal,
                    s.status,
                    serde_json::to_string(&s.metadata).unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let clean = w.engine.sweep(None, Trigger::Manual).await.unwrap();
    assert_eq!(clean.status, RunStatus::Succeeded);
    let expected = fingerprint(w.engine.signals(None).await.unwrap());
    assert_eq!(expected.len(), clean.companies.len() * 5);
    let statuses: BTreeSet<&str> = expected.iter().map(|s| s.2.as_str()).collect();
    assert!(statuses.len() >= 2, "signals worth comparing: {statuses:?}");

    let control = w.sim.control();
    control.set_stats_window(Duration::from_secs(60));
    control.reset_stats();
    control.set_faults(ninjaone_sim::Faults {
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
    let faulty = w.engine.sweep(None, Trigger::Manual).await.unwrap();
    assert_eq!(
        faulty.status,
        RunStatus::Succeeded,
        "{:?}",
        faulty.companies
    );
    assert_eq!(
        fingerprint(w.engine.signals(None).await.unwrap()),
        expected,
        "the same signals as without faults"
    );
    assert!(
        faulty.requests > clean.requests,
        "the faults cost retries: {} then {}",
        clean.requests,
        faulty.requests
    );
    let stats = control.stats();
    assert!(stats.throttles_served > 0, "faults were served");
    assert!(
        stats.max_requests_in_window <= 200,
        "{} requests in one minute",
        stats.max_requests_in_window
    );
}
