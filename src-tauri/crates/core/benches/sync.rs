//! `cargo xtask bench sync`: asset sync of a simulated tenant through the real engine (store,
//! driver, plan, dedup, runs). The simulator stands in for NinjaOne's servers, so it runs as a
//! separate process on loopback (`NINJAONE_SIM_BIN`) and its memory and CPU are not counted as
//! Fleetward's. Prints, per scenario, wall time, devices/s, the engine process's CPU time,
//! requests by endpoint next to what one request set per organization would cost, asset rows
//! written, and the engine process's peak RSS. `FLEETWARD_BENCH_SIZE=tiny` runs every scenario
//! small, as CI does, so the benchmark never rots.

use std::collections::BTreeMap;
use std::time::Instant;

use fleetward_core::ids::NinjaOrgId;
use fleetward_core::organizations::{MappingChoice, MappingOptions};
use fleetward_core::sync::SyncRun;
use fleetward_core::{Engine, Trigger};
use ninjaone::secrecy::SecretString;
use support::{cpu_secs, cpu_secs_of, peak_rss_mb, Sim};

mod support;

/// The allocator the app and the CLI use.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Page size the client asks for; a request set per organization costs at least one page of
/// each endpoint per organization.
const PAGE: usize = 1_000;

fn main() {
    fleetward_core::allocator::give_memory_back_promptly();
    let tiny = std::env::var("FLEETWARD_BENCH_SIZE").is_ok_and(|v| v == "tiny");
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    runtime.block_on(async {
        let (orgs, per_org) = if tiny { (5, 20) } else { (100, 500) };
        scenario_set(orgs, per_org, true).await;
        let (orgs, per_org) = if tiny { (50, 2) } else { (5_000, 10) };
        scenario_set(orgs, per_org, false).await;
    });
    println!("peak RSS of the engine process: {} MB", peak_rss_mb());
}

impl Sim {
    async fn send(&self, request: reqwest::RequestBuilder) {
        request
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .expect("the simulator takes the change");
    }

    /// Device ids through NinjaOne's paged `/v2/devices`, so the benchmark itself never holds
    /// the whole tenant in memory (the simulator's `/_sim/devices` answers in one piece).
    async fn device_ids(&self) -> Vec<i64> {
        use futures::TryStreamExt;
        let client = ninjaone::Client::new(
            ninjaone::BaseUrl::custom(&self.base).expect("a loopback URL"),
            ninjaone::Credentials::new("sim-client", SecretString::from("sim-secret")),
            ninjaone::ClientConfig::default(),
        )
        .expect("a client");
        client
            .devices(&ninjaone::DeviceFilter::new())
            .try_filter_map(|device| async move { Ok(device.id) })
            .try_collect()
            .await
            .expect("the devices")
    }

    async fn rename_device(&self, id: i64, name: &str) {
        let url = format!("{}/_sim/devices/{id}", self.base);
        self.send(
            self.http
                .patch(url)
                .json(&serde_json::json!({ "systemName": name })),
        )
        .await;
    }
}
async fn scenario_set(orgs: usize, per_org: usize, resyncs: bool) {
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
    let mapping_started = Instant::now();
    for org in sim.organization_ids().await {
        engine
            .map_organization(
                connection,
                NinjaOrgId(org),
                &MappingChoice::CreateNew,
                &MappingOptions::default(),
            )
            .await
            .expect("map");
    }
    let devices = sim.device_ids().await;
    println!(
        "-- {orgs} organizations × {per_org} devices ({} devices; mapping took {:.1} s)",
        devices.len(),
        mapping_started.elapsed().as_secs_f64()
    );
    engine.close().await;
    drop(engine);
    // Each scenario gets a fresh engine, and so a fresh NinjaOne rate budget: three syncs of
    // 100 requests in a row would otherwise wait for the 200-a-minute budget, which measures
    // NinjaOne's limit, not Fleetward.
    let fresh = || async {
        Engine::start(config.clone())
            .await
            .expect("the engine starts")
    };
    measure(&*fresh().await, &sim, "first sync", orgs, devices.len()).await;
    if resyncs {
        measure(
            &*fresh().await,
            &sim,
            "unchanged resync",
            orgs,
            devices.len(),
        )
        .await;
        for id in devices.iter().step_by(100) {
            sim.rename_device(*id, &format!("CHANGED-{id}")).await;
        }
        measure(
            &*fresh().await,
            &sim,
            "resync with 1 % changed",
            orgs,
            devices.len(),
        )
        .await;
    }
}

async fn measure(engine: &Engine, sim: &Sim, label: &str, orgs: usize, devices: usize) {
    sim.reset_stats().await;
    let sim_pid = sim.pid();
    let sim_cpu_before = cpu_secs_of(&sim_pid);
    let cpu_before = cpu_secs();
    let started = Instant::now();
    let run: SyncRun = engine
        .sync_all(Trigger::Manual)
        .await
        .expect("the sync runs");
    let secs = started.elapsed().as_secs_f64();
    let cpu = cpu_secs() - cpu_before;
    let sim_cpu = cpu_secs_of(&sim_pid) - sim_cpu_before;
    let mut written = 0u64;
    let mut pending = 0u64;
    for c in &run.companies {
        assert!(c.error.is_none(), "{label}: {:?}", c.error);
        let n = &c.counts;
        written += u64::from(n.created + n.updated + n.stale + n.retired_duplicates);
        pending += u64::from(n.skipped_pending + n.skipped_rejected);
    }
    let stats = sim.get("/_sim/stats").await;
    let by_endpoint: BTreeMap<String, u64> = stats["requestsByEndpoint"]
        .as_object()
        .expect("requests by endpoint")
        .iter()
        .filter(|(endpoint, _)| !endpoint.contains("oauth"))
        .map(|(endpoint, count)| (endpoint.clone(), count.as_u64().unwrap_or(0)))
        .collect();
    let per_org_set = orgs * devices.div_ceil(orgs).div_ceil(PAGE).max(1);
    println!(
        "{label:<24} {secs:>7.2} s  {:>9.0} devices/s  {cpu:>6.2} s CPU (engine)  {sim_cpu:>6.2} s CPU (simulator)  {:>7} asset rows written  {pending} skipped (not approved)  status {:?}",
        devices as f64 / secs,
        written,
        run.status
    );
    for (endpoint, count) in by_endpoint {
        println!(
            "{:<24}   {endpoint:<32} {count:>5} requests (target ≤ {}; one request set per organization: {per_org_set})",
            "",
            devices.div_ceil(PAGE) + 3,
        );
    }
    println!(
        "{:<24}   total {} requests (token included)",
        "", run.requests
    );
    engine.close().await;
}
