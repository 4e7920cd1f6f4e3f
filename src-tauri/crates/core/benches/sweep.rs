//! `cargo xtask bench sweep`: a compliance sweep of 100 compliance tenants / 50,000 devices
//! through the real engine (store, fetch, aggregators, evidence, tickets, runs). The
//! simulator stands in for NinjaOne's servers, so it runs as a separate process on loopback
//! (`NINJAONE_SIM_BIN`) and its memory and CPU are not counted as Fleetward's. Prints, for
//! the first sweep (a dry run) and the second (tickets opened), wall time, the engine
//! process's CPU time, requests by report next to the floor (Σ ceil(rows / page size) per
//! walk of the report) and to what one request set per customer would cost, and the engine
//! process's peak RSS. `FLEETWARD_BENCH_SIZE=tiny` runs it small, as CI does, so the
//! benchmark never rots.
//!
//! Those two sweeps time Fleetward alone: their engine lifts NinjaOne's rate budget. A full
//! sweep of 50,000 devices needs about 300 requests (the floor is about 295), more than the
//! 200 a minute NinjaOne allows, so a third sweep under the real budget shows what a user
//! waits: about a minute more, all of it NinjaOne's limit.

use std::collections::{BTreeMap, HashMap};
use std::time::Instant;

use chrono::{Duration, Utc};
use fleetward_core::compliance::disk_encryption::{
    FILEVAULT_DAYS, FILEVAULT_DISABLED, FILEVAULT_ENABLED,
};
use fleetward_core::compliance::sweep::SweepRun;
use fleetward_core::compliance::{backup_activity, patch_sla};
use fleetward_core::ids::{CompanyId, NinjaOrgId};
use fleetward_core::organizations::{MappingChoice, MappingOptions};
use fleetward_core::sync::RunStatus;
use fleetward_core::{Engine, Trigger};
use futures::{Stream, TryStreamExt};
use ninjaone::secrecy::SecretString;
use ninjaone::{ActivityQuery, DeviceFilter};
use support::{cpu_secs, peak_rss_mb, Sim};

mod support;

/// Page size the client asks for; a request set per customer costs at least one page of
/// each report walk per customer.
const PAGE: u64 = 1_000;

/// The allocator the app and the CLI use.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    fleetward_core::allocator::give_memory_back_promptly();
    let tiny = std::env::var("FLEETWARD_BENCH_SIZE").is_ok_and(|v| v == "tiny");
    let (orgs, per_org) = if tiny { (5, 20) } else { (100, 500) };
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    runtime.block_on(bench(orgs, per_org));
}

impl Sim {
    /// A client of the simulator's API without NinjaOne's rate budget, for the benchmark's
    /// own reads (which are not the engine's and not measured).
    fn client(&self) -> ninjaone::Client {
        ninjaone::Client::new(
            ninjaone::BaseUrl::custom(&self.base).expect("a loopback URL"),
            ninjaone::Credentials::new("sim-client", SecretString::from("sim-secret")),
            ninjaone::ClientConfig {
                rate_budgets: std::sync::Arc::new(ninjaone::RateBudgets::new(Vec::new())),
                page_size: PAGE as usize,
                ..ninjaone::ClientConfig::default()
            },
        )
        .expect("a client")
    }
}
async fn bench(orgs: usize, per_org: usize) {
    let sim = Sim::start(11, orgs, per_org);
    let dir = tempfile::tempdir().expect("a temp folder");
    let config = fleetward_core::EngineConfig {
        store_key: Some(SecretString::from("cd".repeat(32))),
        ..fleetward_core::testing::config(dir.path().join("data"))
    };
    let engine = Engine::start(config.clone())
        .await
        .expect("the engine starts");
    let connection = sim.connect(&engine).await;
    let setup = Instant::now();
    let org_ids = sim.organization_ids().await;
    let mut company_of = HashMap::new();
    for (n, org) in org_ids.iter().enumerate() {
        // A company of its own per organization: generated names repeat.
        let company = engine
            .add_company(&format!("Customer {n:03}"))
            .await
            .expect("a company")
            .id;
        engine
            .map_organization(
                connection,
                NinjaOrgId(*org),
                &MappingChoice::UseExisting {
                    company_id: company,
                },
                &MappingOptions::default(),
            )
            .await
            .expect("map");
        engine.promote_company(company).await.expect("promote");
        company_of.insert(*org, company);
    }
    let tenants = engine.companies().await.expect("companies").len();
    println!(
        "-- {tenants} compliance tenants over {orgs} organizations × {per_org} devices ({} devices; mapping and promoting took {:.1} s)",
        orgs * per_org,
        setup.elapsed().as_secs_f64()
    );
    engine.close().await;
    drop(engine);
    // Fleetward alone: no rate budget, so the time is the engine's, the simulator's and
    // loopback's.
    let unlimited = with_budgets(&config, Vec::new());
    let engine = Engine::start(unlimited).await.expect("the engine starts");
    let first = measure(&engine, &sim, "first sweep (dry run)", Some(10.0)).await;
    let second = measure(&engine, &sim, "second sweep (tickets)", Some(10.0)).await;
    engine.close().await;
    drop(engine);
    if first.requests_by_report != second.requests_by_report {
        // Same pages, but a retry (a request timed out on a busy machine) costs one more.
        println!(
            "note: the second sweep's requests differ (retries): {:?}",
            second.requests_by_report
        );
    }
    println!(
        "peak RSS of the engine process: {} MB (target ≤ 300 MB)",
        peak_rss_mb()
    );
    // As a user waits: a fresh engine, and so a fresh NinjaOne budget of 200 a minute.
    let engine = Engine::start(config.clone())
        .await
        .expect("the engine starts");
    measure(&engine, &sim, "under NinjaOne's budget", None).await;
    engine.close().await;
    drop(engine);

    // The floor and the per-customer cost, from the rows the simulator serves. Read after
    // the peak RSS above, so the benchmark's own reads never count as the engine's.
    let rows = Rows::count(&sim.client(), &org_ids).await;
    println!(
        "{:<32} {:>9} {:>9} {:>20} {:>22}",
        "report", "rows", "requests", "floor Σ⌈rows/page⌉", "one set per customer"
    );
    let (mut floor_total, mut per_customer_total, mut requests_total) = (0, 0, 0);
    for (report, walks) in &rows.walks {
        let requests = first.requests_by_report.get(report).copied().unwrap_or(0);
        let total_rows: u64 = walks.iter().map(|w| w.values().sum::<u64>()).sum();
        let floor: u64 = walks
            .iter()
            .map(|w| w.values().sum::<u64>().div_ceil(PAGE).max(1))
            .sum();
        let per_customer: u64 = walks
            .iter()
            .map(|w| {
                let mut by_company: HashMap<CompanyId, u64> =
                    company_of.values().map(|c| (*c, 0)).collect();
                for (org, n) in w {
                    if let Some(company) = company_of.get(org) {
                        *by_company.entry(*company).or_default() += n;
                    }
                }
                by_company
                    .values()
                    .map(|n| n.div_ceil(PAGE).max(1))
                    .sum::<u64>()
            })
            .sum();
        floor_total += floor;
        per_customer_total += per_customer;
        requests_total += requests;
        println!("{report:<32} {total_rows:>9} {requests:>9} {floor:>20} {per_customer:>22}");
    }
    println!(
        "{:<32} {:>9} {requests_total:>9} {floor_total:>20} {per_customer_total:>22}",
        "all reports", ""
    );
    println!(
        "requests over the floor: {} (target: a few); the run's total with the token: {}",
        requests_total.saturating_sub(floor_total),
        first.requests
    );
}

/// `config` with NinjaOne's rate budgets replaced.
fn with_budgets(
    config: &fleetward_core::EngineConfig,
    rate_budgets: Vec<ninjaone::rate_limit::Budget>,
) -> fleetward_core::EngineConfig {
    let mut config = config.clone();
    config.client.rate_budgets = rate_budgets;
    config
}

async fn measure(engine: &Engine, sim: &Sim, label: &str, target_secs: Option<f64>) -> SweepRun {
    sim.reset_stats().await;
    let cpu_before = cpu_secs();
    let started = Instant::now();
    let run = engine
        .sweep(None, Trigger::Manual)
        .await
        .expect("the sweep runs");
    let secs = started.elapsed().as_secs_f64();
    let cpu = cpu_secs() - cpu_before;
    assert_eq!(run.status, RunStatus::Succeeded, "{label}");
    let mut statuses: BTreeMap<&str, u32> = BTreeMap::new();
    for company in &run.companies {
        assert!(company.error.is_none(), "{label}: {:?}", company.error);
        for signal in &company.signals {
            *statuses.entry(signal.status.as_str()).or_default() += 1;
        }
    }
    let recorded = &engine.runs(1).await.expect("the run history")[0];
    let counts = recorded.sweep.as_ref().expect("a sweep run");
    let stats = sim.get("/_sim/stats").await;
    println!(
        "{label:<24} {secs:>6.2} s{}  {cpu:>6.2} s CPU (engine)  {} tenants  {} signals {statuses:?}  {} evidence rows  {} tickets opened  peak {} requests a minute at the simulator",
        target_secs.map_or(String::new(), |t| format!(" (target ≤ {t} s)")),
        run.companies.len(),
        counts.signals,
        counts.evidence,
        counts.tickets_opened,
        stats["maxRequestsInWindow"]
    );
    run
}

/// Rows each report walk serves, per organization: `walks[report][walk][org]`.
struct Rows {
    walks: BTreeMap<String, Vec<HashMap<i64, u64>>>,
}

impl Rows {
    /// Reads every report the sweep reads, with the same filters, and counts its rows by
    /// the organization of their device.
    async fn count(client: &ninjaone::Client, orgs: &[i64]) -> Rows {
        let now = Utc::now();
        let epoch =
            |days: f64| (now - Duration::seconds((days * 86_400.0) as i64)).timestamp() as f64;
        let df = DeviceFilter::new().org_in(orgs.iter().copied());
        let mut org_of: HashMap<i64, i64> = HashMap::new();
        let mut devices = HashMap::new();
        let mut stream = std::pin::pin!(client.devices(&df));
        while let Some(device) = stream.try_next().await.expect("devices") {
            if let (Some(id), Some(org)) = (device.id, device.organization_id) {
                org_of.insert(id, org);
                *devices.entry(org).or_default() += 1;
            }
        }
        let mut rows = Rows {
            walks: BTreeMap::new(),
        };
        rows.walks.insert("devices".into(), vec![devices]);
        let installed_after = Some(epoch(patch_sla::FAILED_INSTALL_DAYS));
        let by_org = |device: Option<i64>| device.and_then(|d| org_of.get(&d)).copied();
        rows.add("queries/volumes", client.volumes(&df, true), |r| {
            by_org(r.device_id)
        })
        .await;
        rows.add(
            "queries/antivirus-status",
            client.antivirus_status(&df),
            |r| by_org(r.device_id),
        )
        .await;
        rows.add("queries/os-patches", client.os_patches(&df), |r| {
            by_org(r.device_id)
        })
        .await;
        rows.add(
            "queries/software-patches",
            client.software_patches(&df),
            |r| by_org(r.device_id),
        )
        .await;
        rows.add(
            "queries/os-patch-installs",
            client.os_patch_installs(&df, installed_after),
            |r| by_org(r.device_id),
        )
        .await;
        rows.add(
            "queries/software-patch-installs",
            client.software_patch_installs(&df, installed_after),
            |r| by_org(r.device_id),
        )
        .await;
        for kind in ["NINJA_BACKUP", "CLOUDBERRY_BACKUP"] {
            let query = ActivityQuery {
                activity_type: Some(kind.into()),
                after: Some(epoch(backup_activity::WINDOW_DAYS)),
                df: df.clone(),
                ..ActivityQuery::default()
            };
            rows.add("activities", client.activities(&query), |r| {
                by_org(r.device_id)
            })
            .await;
        }
        let query = ActivityQuery {
            status: Some(format!("{FILEVAULT_ENABLED},{FILEVAULT_DISABLED}")),
            after: Some(epoch(FILEVAULT_DAYS)),
            df,
            ..ActivityQuery::default()
        };
        rows.add("activities", client.activities(&query), |r| {
            by_org(r.device_id)
        })
        .await;
        rows
    }

    async fn add<T>(
        &mut self,
        report: &str,
        stream: impl Stream<Item = ninjaone::Result<T>>,
        org: impl Fn(&T) -> Option<i64>,
    ) {
        let mut walk: HashMap<i64, u64> = HashMap::new();
        let mut stream = std::pin::pin!(stream);
        while let Some(row) = stream.try_next().await.expect(report) {
            // A row whose device is gone still cost its share of a page.
            *walk.entry(org(&row).unwrap_or(0)).or_default() += 1;
        }
        self.walks.entry(report.into()).or_default().push(walk);
    }
}
