//! `cargo xtask bench incidents`: NinjaOne's alert stream into incidents, twice over the same
//! stream. First 100,000 webhook deliveries over loopback HTTP from several concurrent
//! senders to the real receiver and engine (10 % repeats of open series, 5 % resets, 1 %
//! duplicates by activity id); then a fresh engine polls the same stream from the simulator.
//! The simulator runs in a process of its own (`NINJAONE_SIM_BIN`), so its memory and CPU are
//! not counted as Fleetward's. Prints events/s, p50/p99 latency of the receiver's answers,
//! the final incidents against the counts computed independently from the generated stream,
//! and the peak RSS of this process. Last, the first poll of a big tenant (100 organizations ×
//! 500 devices synced as assets, about 4,000 active alerts to seed): its time, and how many of
//! the seeded incidents found their asset. `FLEETWARD_BENCH_SIZE=tiny` runs it small, as CI
//! does; `FLEETWARD_BENCH_DEVICES_PER_ORG` sizes that tenant by hand. A name after `--` runs
//! one part only: `stream` or `first-poll`.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use fleetward_core::ids::NinjaOrgId;
use fleetward_core::incidents::{IncidentStatus, StatusFilter};
use fleetward_core::organizations::{MappingChoice, MappingOptions};
use fleetward_core::{Engine, EngineConfig, Trigger};
use fleetward_receiver::{EngineSink, Receiver, ReceiverConfig};
use ninjaone::secrecy::SecretString;
use serde_json::{json, Value};
use support::{peak_rss_mb, Sim};

/// Shared with the core crate's simulator benchmarks.
#[path = "../../core/benches/support/mod.rs"]
mod support;

const SECRET: &str = "bench-secret-0123456789abcdef";
/// Concurrent senders, as several relays or NinjaOne's own workers would be.
const SENDERS: usize = 8;
/// Activities appended to the simulator per control request.
const APPEND_CHUNK: usize = 5_000;
/// Every bench series' key starts with this, apart from the simulator's own alerts.
const SERIES_PREFIX: &str = "bench-series-";

/// The allocator the app and the CLI use.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    fleetward_core::allocator::give_memory_back_promptly();
    let tiny = std::env::var("FLEETWARD_BENCH_SIZE").is_ok_and(|v| v == "tiny");
    let (events, orgs, per_org) = if tiny {
        (2_000, 2, 10)
    } else {
        (100_000, 10, 100)
    };
    let (big_orgs, mut big_per_org) = if tiny { (4, 25) } else { (100, 500) };
    // By hand, a smaller tenant shows how the first poll grows with it.
    if let Some(n) = std::env::var("FLEETWARD_BENCH_DEVICES_PER_ORG")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        big_per_org = n;
    }
    // `cargo bench` passes `--bench`; anything else names the one part to run.
    let only = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let wanted = |part: &str| only.as_deref().is_none_or(|o| o == part);
    let runtime = tokio::runtime::Runtime::new().expect("tokio runtime");
    let mut failed = false;
    if wanted("stream") {
        failed |= runtime.block_on(run(events, orgs, per_org));
    }
    if wanted("first-poll") {
        failed |= runtime.block_on(first_poll(big_orgs, big_per_org));
    }
    println!("peak RSS of the engine process: {} MB", peak_rss_mb());
    if failed {
        eprintln!("the final incidents differ from the expected ones");
        std::process::exit(1);
    }
}

// --- the stream ---------------------------------------------------------------------------

/// One activity of the stream, compact: the whole stream is rendered on demand, never held
/// as JSON.
#[derive(Clone, Copy)]
struct Event {
    series: u32,
    device: i64,
    reset: bool,
}

/// What is sent: the `n`th unique activity, or a repeat of an earlier one's id.
#[derive(Clone, Copy)]
struct Send {
    unique: usize,
}

struct Stream {
    uniques: Vec<Event>,
    sends: Vec<Send>,
}

/// The expected incidents of the stream, computed from the events alone.
#[derive(Debug, Default, PartialEq, Eq)]
struct Expected {
    open: usize,
    resolved: usize,
    /// TRIGGERED activities per resolved series (repeats included).
    resolved_counts: HashMap<String, u32>,
}

/// SplitMix64: a seeded generator with no dependency, so the stream is the same every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn generate(total: usize, devices: &[i64]) -> Stream {
    let mut rng = Rng(12);
    let mut open: Vec<u32> = Vec::new();
    let mut next_series = 0u32;
    let mut uniques = Vec::with_capacity(total);
    let mut sends = Vec::with_capacity(total);
    for _ in 0..total {
        let roll = rng.below(100);
        if roll < 1 && !uniques.is_empty() {
            // A duplicate by id: a relay retrying a delivery it thought lost.
            sends.push(Send {
                unique: rng.below(uniques.len()),
            });
            continue;
        }
        let event = if roll < 6 && !open.is_empty() {
            let series = open.swap_remove(rng.below(open.len()));
            Event {
                series,
                device: devices[series as usize % devices.len()],
                reset: true,
            }
        } else if roll < 16 && !open.is_empty() {
            let series = open[rng.below(open.len())];
            Event {
                series,
                device: devices[series as usize % devices.len()],
                reset: false,
            }
        } else {
            let series = next_series;
            next_series += 1;
            open.push(series);
            Event {
                series,
                device: devices[series as usize % devices.len()],
                reset: false,
            }
        };
        sends.push(Send {
            unique: uniques.len(),
        });
        uniques.push(event);
    }
    Stream { uniques, sends }
}

fn expected(stream: &Stream) -> Expected {
    let mut triggers: HashMap<u32, u32> = HashMap::new();
    let mut reset: HashMap<u32, bool> = HashMap::new();
    for e in &stream.uniques {
        if e.reset {
            reset.insert(e.series, true);
        } else {
            *triggers.entry(e.series).or_default() += 1;
            reset.entry(e.series).or_insert(false);
        }
    }
    let mut out = Expected::default();
    for (series, was_reset) in reset {
        if was_reset {
            out.resolved += 1;
            out.resolved_counts.insert(
                format!("{SERIES_PREFIX}{series}"),
                triggers.get(&series).copied().unwrap_or(0),
            );
        } else {
            out.open += 1;
        }
    }
    out
}

/// The activity as NinjaOne would send it; `id` is `None` for the simulator to assign.
fn render(e: &Event, index: usize, id: Option<i64>) -> Value {
    let code = if e.reset { "RESET" } else { "TRIGGERED" };
    let mut activity = json!({
        "activityTime": 1_790_000_000.0 + index as f64,
        "deviceId": e.device,
        "seriesUid": format!("{SERIES_PREFIX}{}", e.series),
        "activityType": "CONDITION",
        "statusCode": code,
        "severity": "MAJOR",
        "priority": "HIGH",
        "sourceName": "Disk space",
        "sourceConfigUid": "bench-cfg-disk",
        "message": format!("Disk C: has less than 10% free space ({code})."),
    });
    if let Some(id) = id {
        activity["id"] = json!(id);
    }
    activity
}

// --- the simulator ------------------------------------------------------------------------
impl Sim {
    /// Appends the stream's unique activities in order; their ids, ascending.
    async fn append(&self, stream: &Stream) -> Vec<i64> {
        let mut ids = Vec::with_capacity(stream.uniques.len());
        for (n, chunk) in stream.uniques.chunks(APPEND_CHUNK).enumerate() {
            let body: Vec<Value> = chunk
                .iter()
                .enumerate()
                .map(|(i, e)| render(e, n * APPEND_CHUNK + i, None))
                .collect();
            let answer: Value = self
                .http
                .post(format!("{}/_sim/activities/batch", self.base))
                .json(&body)
                .send()
                .await
                .and_then(reqwest::Response::error_for_status)
                .expect("the simulator takes the activities")
                .json()
                .await
                .expect("JSON from the simulator");
            ids.extend(
                answer["ids"]
                    .as_array()
                    .expect("the new ids")
                    .iter()
                    .filter_map(Value::as_i64),
            );
        }
        ids
    }
}
// --- the engine ---------------------------------------------------------------------------

fn engine_config(dir: &std::path::Path) -> EngineConfig {
    EngineConfig {
        store_key: Some(SecretString::from("ef".repeat(32))),
        ..fleetward_core::testing::config(dir.join("data"))
    }
}

/// An engine connected to the simulator with every organization mapped.
async fn connected(config: &EngineConfig, sim: &Sim, orgs: &[i64]) -> Arc<Engine> {
    let engine = Engine::start(config.clone())
        .await
        .expect("the engine starts");
    let connection = sim.connect(&engine).await;
    for org in orgs {
        engine
            .map_organization(
                connection,
                NinjaOrgId(*org),
                &MappingChoice::CreateNew,
                &MappingOptions::default(),
            )
            .await
            .expect("map");
    }
    engine
}

/// The bench's incidents in `engine`: open (beyond `open_before`), and each resolved
/// series with its count.
async fn final_state(engine: &Engine, open_before: u32) -> Expected {
    let tally = engine.incident_tally().await.expect("the tally");
    let resolved: HashMap<String, u32> = engine
        .incidents(StatusFilter::Resolved)
        .await
        .expect("resolved incidents")
        .into_iter()
        .filter(|i| i.key.starts_with(SERIES_PREFIX) && i.status == IncidentStatus::Resolved)
        .map(|i| (i.key, i.count))
        .collect();
    Expected {
        open: (tally.open - open_before) as usize,
        resolved: resolved.len(),
        resolved_counts: resolved,
    }
}

fn verdict(label: &str, got: &Expected, want: &Expected) -> bool {
    let exact = got == want;
    println!(
        "{label:<10} incidents: {} open, {} resolved; expected {} open, {} resolved — {}",
        got.open,
        got.resolved,
        want.open,
        want.resolved,
        if exact {
            "exact (counts of every resolved series match too)"
        } else {
            "MISMATCH"
        }
    );
    !exact
}

// --- the run ------------------------------------------------------------------------------

async fn run(total: usize, orgs: usize, per_org: usize) -> bool {
    let sim = Sim::start(12, orgs, per_org);
    let org_ids = sim.organization_ids().await;
    // Approved devices only: NinjaOne lists no other, so no other can be placed.
    let listed = sim.get("/_sim/devices").await;
    let devices: Vec<i64> = listed
        .as_array()
        .expect("a list")
        .iter()
        .filter(|d| d["approvalStatus"] == "APPROVED")
        .filter_map(|d| d["id"].as_i64())
        .collect();
    let stream = generate(total, &devices);
    let want = expected(&stream);
    println!(
        "-- {total} deliveries ({} unique activities, {} duplicates by id) over {} series on {} devices in {} organizations",
        stream.uniques.len(),
        stream.sends.len() - stream.uniques.len(),
        want.open + want.resolved,
        devices.len(),
        org_ids.len(),
    );

    // The polling engine's first poll sets its watermark before the stream exists, so the
    // later poll reads exactly the stream (and the tenant's own active alerts are seeded now).
    let poll_dir = tempfile::tempdir().expect("a temp folder");
    let poll_config = engine_config(poll_dir.path());
    let poller = connected(&poll_config, &sim, &org_ids).await;
    poller
        .poll_activities(Trigger::Manual)
        .await
        .expect("the first poll");
    let seeded = poller.incident_tally().await.expect("tally").open;
    poller.close().await;
    drop(poller);

    let ids = sim.append(&stream).await;
    assert_eq!(ids.len(), stream.uniques.len(), "every activity appended");

    let mut failed = webhooks(&sim, &org_ids, &stream, &ids, &want).await;

    // A fresh engine, and so a fresh NinjaOne rate budget, polls the same stream.
    let poller = Engine::start(poll_config.clone())
        .await
        .expect("the engine starts");
    let started = Instant::now();
    let run = poller
        .poll_activities(Trigger::Manual)
        .await
        .expect("the poll");
    let secs = started.elapsed().as_secs_f64();
    let part = &run.connections[0];
    println!(
        "poll       {} activities in {secs:.2} s: {:.0} events/s, {} requests, status {:?}",
        part.counts.received,
        f64::from(part.counts.received) / secs,
        run.requests,
        run.status,
    );
    failed |= verdict("poll", &final_state(&poller, seeded).await, &want);
    poller.close().await;
    failed
}

/// Sends the stream to the receiver from [`SENDERS`] concurrent senders and waits until the
/// engine has processed everything it accepted. Returns whether the final state differs.
async fn webhooks(sim: &Sim, orgs: &[i64], stream: &Stream, ids: &[i64], want: &Expected) -> bool {
    let dir = tempfile::tempdir().expect("a temp folder");
    let engine = connected(&engine_config(dir.path()), sim, orgs).await;
    let receiver = Receiver::start(
        ReceiverConfig::new(
            "127.0.0.1:0".parse().expect("an address"),
            SecretString::from(SECRET),
        ),
        Arc::new(EngineSink(engine.clone())),
    )
    .await
    .expect("the receiver starts");
    let url = receiver.url();
    let started = Instant::now();
    let bodies: Arc<Vec<(usize, i64)>> = Arc::new(
        stream
            .sends
            .iter()
            .map(|s| (s.unique, ids[s.unique]))
            .collect(),
    );
    let uniques = Arc::new(stream.uniques.clone());
    let mut senders = Vec::new();
    for k in 0..SENDERS {
        let (bodies, uniques, url) = (bodies.clone(), uniques.clone(), url.clone());
        senders.push(tokio::spawn(async move {
            let http = reqwest::Client::new();
            let mut latencies = Vec::with_capacity(bodies.len() / SENDERS + 1);
            let mut answers: HashMap<u16, u32> = HashMap::new();
            for &(unique, id) in bodies.iter().skip(k).step_by(SENDERS) {
                let body = render(&uniques[unique], unique, Some(id)).to_string();
                loop {
                    let sent = Instant::now();
                    let answer = http
                        .post(&url)
                        .header("X-Fleetward-Secret", SECRET)
                        .header("Content-Type", "application/json")
                        .body(body.clone())
                        .send()
                        .await
                        .expect("the receiver answers");
                    latencies.push(sent.elapsed());
                    let status = answer.status().as_u16();
                    *answers.entry(status).or_default() += 1;
                    if status != 429 {
                        assert!(status == 202 || status == 200, "unexpected answer {status}");
                        break;
                    }
                    // As a relay does: wait as asked, then deliver again.
                    let wait = answer
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok()?.parse().ok())
                        .unwrap_or(1);
                    tokio::time::sleep(Duration::from_secs(wait)).await;
                }
            }
            (latencies, answers)
        }));
    }
    let mut latencies = Vec::new();
    let mut answers: HashMap<u16, u32> = HashMap::new();
    for sender in senders {
        let (l, a) = sender.await.expect("a sender");
        latencies.extend(l);
        a.into_iter()
            .for_each(|(status, n)| *answers.entry(status).or_default() += n);
    }
    let answered = started.elapsed().as_secs_f64();
    while receiver.queued() > 0 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let secs = started.elapsed().as_secs_f64();
    latencies.sort_unstable();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
    };
    let mut statuses: Vec<_> = answers.into_iter().collect();
    statuses.sort_unstable();
    println!(
        "webhook    {} deliveries from {SENDERS} senders answered in {answered:.2} s, processed in {secs:.2} s: {:.0} events/s; \
         answer latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; answers {statuses:?}",
        stream.sends.len(),
        stream.sends.len() as f64 / secs,
        at(0.50),
        at(0.99),
        at(1.0),
    );
    let failed = verdict("webhook", &final_state(&engine, 0).await, want);
    receiver.stop().await;
    engine.close().await;
    failed
}

// --- the first poll of a big tenant -------------------------------------------------------

/// The first poll of a tenant whose devices are all synced assets: it seeds one incident per
/// active alert, each placed on its device's asset. Returns whether an alert was left out.
async fn first_poll(orgs: usize, per_org: usize) -> bool {
    let sim = Sim::start(13, orgs, per_org);
    let org_ids = sim.organization_ids().await;
    let (alerts, on_approved) = sim.active_alerts().await;
    let dir = tempfile::tempdir().expect("a temp folder");
    let config = engine_config(dir.path());
    let engine = connected(&config, &sim, &org_ids).await;
    let started = Instant::now();
    let sync = engine
        .sync_all(Trigger::Manual)
        .await
        .expect("the asset sync");
    let assets: u32 = sync.companies.iter().map(|c| c.counts.created).sum();
    println!(
        "-- first poll of {orgs} organizations × {per_org} devices: {assets} assets synced in {:.1} s, {alerts} active alerts",
        started.elapsed().as_secs_f64(),
    );
    engine.close().await;
    drop(engine);

    // A fresh engine, and so a fresh NinjaOne rate budget, as after a restart.
    let engine = Engine::start(config).await.expect("the engine starts");
    let started = Instant::now();
    let run = engine
        .poll_activities(Trigger::Manual)
        .await
        .expect("the first poll");
    let secs = started.elapsed().as_secs_f64();
    let part = &run.connections[0];
    let open = engine
        .incidents(StatusFilter::Open)
        .await
        .expect("open incidents");
    let on_assets = open.iter().filter(|i| i.asset_id.is_some()).count();
    println!(
        "first poll {} incidents seeded from {alerts} alerts in {secs:.2} s ({:.0} alerts/s), {on_assets} on their asset ({on_approved} on approved devices), {} requests, status {:?}",
        part.seeded,
        alerts as f64 / secs,
        run.requests,
        run.status,
    );
    engine.close().await;
    // Not every approved device ends up an asset of its own after the sync, so the count on
    // assets is printed next to the approved ones, and only none at all is a failure.
    let complete = part.seeded as usize == alerts && (on_assets > 0 || on_approved == 0);
    if !complete {
        eprintln!("first poll: every active alert should be seeded, those of synced devices on their asset");
    }
    !complete
}

impl Sim {
    /// How many alerts NinjaOne lists as active, through the API as the engine reads them,
    /// and how many of them are on approved devices (the ones a sync makes assets of).
    async fn active_alerts(&self) -> (usize, usize) {
        let client = ninjaone::Client::new(
            ninjaone::BaseUrl::custom(&self.base).expect("a loopback URL"),
            ninjaone::Credentials::new("sim-client", SecretString::from("sim-secret")),
            ninjaone::ClientConfig::default(),
        )
        .expect("a client");
        let alerts = client
            .alerts(&ninjaone::DeviceFilter::new())
            .await
            .expect("the alerts");
        let approved = alerts
            .iter()
            .filter(|a| {
                a.device.as_ref().is_some_and(|d| {
                    d.approval_status == Some(ninjaone::models::ApprovalStatus::Approved)
                })
            })
            .count();
        (alerts.len(), approved)
    }
}
