//! `cargo xtask bench sync`: asset sync of a simulated tenant through the real engine (store,
//! driver, plan, dedup, runs) against the simulator on loopback, in one process. Prints, per
//! scenario, wall time, devices/s, requests by endpoint next to what one request set per
//! organization would cost, asset rows written, and the process's peak RSS (simulator
//! included). `FLEETWARD_BENCH_SIZE=tiny` runs every scenario small, as CI does, so the
//! benchmark never rots.

use std::collections::BTreeMap;
use std::time::Instant;

use fleetward_core::connection::ConnectionDraft;
use fleetward_core::ids::NinjaOrgId;
use fleetward_core::organizations::{MappingChoice, MappingOptions};
use fleetward_core::sync::SyncRun;
use fleetward_core::{Engine, Trigger};
use ninjaone::secrecy::SecretString;
use ninjaone_sim::{SimConfig, Simulator};

/// Page size the client asks for; a request set per organization costs at least one page of
/// each endpoint per organization.
const PAGE: usize = 1_000;

fn main() {
    let tiny = std::env::var("FLEETWARD_BENCH_SIZE").is_ok_and(|v| v == "tiny");
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    runtime.block_on(async {
        let (orgs, per_org) = if tiny { (5, 20) } else { (100, 500) };
        scenario_set(orgs, per_org, true).await;
        let (orgs, per_org) = if tiny { (50, 2) } else { (5_000, 10) };
        scenario_set(orgs, per_org, false).await;
    });
    println!("peak RSS: {} MB", peak_rss_mb());
}

async fn scenario_set(orgs: usize, per_org: usize, resyncs: bool) {
    let sim = Simulator::start(SimConfig {
        seed: 11,
        orgs,
        devices_per_org: per_org,
        ..SimConfig::default()
    })
    .await
    .expect("the simulator starts");
    let dir = tempfile::tempdir().expect("a temp folder");
    let config = fleetward_core::EngineConfig {
        store_key: Some(SecretString::from("cd".repeat(32))),
        ..fleetward_core::testing::config(dir.path().join("data"))
    };
    let engine = Engine::start(config.clone())
        .await
        .expect("the engine starts");
    let draft = ConnectionDraft {
        name: None,
        region: None,
        base_url: Some(sim.base_url()),
        client_id: "sim-client".into(),
        client_secret: SecretString::from("sim-secret"),
    };
    let connection = engine
        .save_connection(&draft)
        .await
        .expect("connect")
        .connection
        .id;
    let mapping_started = Instant::now();
    for org in sim.control().organizations() {
        engine
            .map_organization(
                connection,
                NinjaOrgId(org.id.expect("an id")),
                &MappingChoice::CreateNew,
                &MappingOptions::default(),
            )
            .await
            .expect("map");
    }
    println!(
        "-- {orgs} organizations × {per_org} devices ({} devices; mapping took {:.1} s)",
        orgs * per_org,
        mapping_started.elapsed().as_secs_f64()
    );
    let devices = sim.control().devices().len();
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
    measure(&*fresh().await, &sim, "first sync", orgs, devices).await;
    if resyncs {
        measure(&*fresh().await, &sim, "unchanged resync", orgs, devices).await;
        let all = sim.control().devices();
        for device in all.iter().step_by(100) {
            let id = device.id.expect("an id");
            sim.control().rename_device(id, &format!("CHANGED-{id}"));
        }
        measure(
            &*fresh().await,
            &sim,
            "resync with 1 % changed",
            orgs,
            devices,
        )
        .await;
    }
    sim.shutdown().await;
}

async fn measure(engine: &Engine, sim: &Simulator, label: &str, orgs: usize, devices: usize) {
    sim.control().reset_stats();
    let started = Instant::now();
    let run: SyncRun = engine
        .sync_all(Trigger::Manual)
        .await
        .expect("the sync runs");
    let secs = started.elapsed().as_secs_f64();
    let mut written = 0u64;
    let mut pending = 0u64;
    for c in &run.companies {
        assert!(c.error.is_none(), "{label}: {:?}", c.error);
        let n = &c.counts;
        written += u64::from(n.created + n.updated + n.stale + n.retired_duplicates);
        pending += u64::from(n.skipped_pending + n.skipped_rejected);
    }
    let stats = sim.control().stats();
    let by_endpoint: BTreeMap<&String, &u64> = stats
        .requests_by_endpoint
        .iter()
        .filter(|(endpoint, _)| !endpoint.contains("oauth"))
        .collect();
    let per_org_set = orgs * devices.div_ceil(orgs).div_ceil(PAGE).max(1);
    println!(
        "{label:<24} {secs:>7.2} s  {:>9.0} devices/s  {:>7} asset rows written  {pending} skipped (not approved)  status {:?}",
        devices as f64 / secs,
        written,
        run.status
    );
    for (endpoint, count) in by_endpoint {
        println!(
            "{:<24}   {endpoint:<32} {count:>5} requests (one request set per organization: {per_org_set})",
            ""
        );
    }
    println!(
        "{:<24}   total {} requests (token included)",
        "", run.requests
    );
    engine.close().await;
}

/// The process's peak resident set (Linux `VmHWM`), in MB.
fn peak_rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
        })
        .and_then(|kb| kb.parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}
