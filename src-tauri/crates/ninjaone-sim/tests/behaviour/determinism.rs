//! Same seed, same tenant; and big tenants start fast.

use std::sync::Arc;
use std::time::Instant;

use fleetward_clock::ManualClock;

use ninjaone_sim::{SimConfig, Simulator};
use serde_json::Value;

use crate::support::{config, Harness};

async fn snapshot(seed: u64) -> (String, Vec<Value>) {
    let h = Harness::start(SimConfig {
        seed,
        ..config(3, 15)
    })
    .await;
    let devices = serde_json::to_string(&h.sim.control().devices()).unwrap();
    let mut bodies = Vec::new();
    for path in [
        "/v2/organizations-detailed",
        "/v2/devices-detailed",
        "/v2/activities?pageSize=1000",
        "/v2/alerts",
    ] {
        bodies.push(h.json(path).await);
    }
    for path in [
        "/v2/queries/volumes?include=bl",
        "/v2/queries/software",
        "/v2/backup/jobs",
    ] {
        bodies.push(h.json(path).await["results"].clone());
    }
    h.sim.shutdown().await;
    (devices, bodies)
}

#[tokio::test]
async fn the_same_seed_serves_the_same_tenant() {
    let (devices_a, bodies_a) = snapshot(42).await;
    let (devices_b, bodies_b) = snapshot(42).await;
    assert_eq!(devices_a, devices_b);
    assert_eq!(bodies_a, bodies_b);
    let (devices_c, _) = snapshot(43).await;
    assert_ne!(devices_a, devices_c);
}

#[tokio::test]
async fn organization_names_are_awkward_on_purpose() {
    let h = Harness::start(config(25, 1)).await;
    let names: Vec<String> = h
        .json("/v2/organizations")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_string())
        .collect();
    for expected in [
        "Acme Ltd",
        "ACME Ltd",
        " Bäckerei Müller GmbH ",
        "Zoë's Café",
        "北京科技",
        "Smith & Sons",
        "Acme Ltd 2",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected:?} missing from {names:?}"
        );
    }
}

fn resident_mib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024)
}

#[tokio::test]
async fn generated_data_is_dated_from_the_configured_clock() {
    let at = chrono::DateTime::parse_from_rfc3339("2031-03-04T05:06:07Z")
        .unwrap()
        .to_utc();
    let clock = Arc::new(ManualClock::new(at));
    let h = Harness::start(SimConfig {
        clock,
        ..config(2, 10)
    })
    .await;
    // The anchor is the start of that hour.
    let anchor = chrono::DateTime::parse_from_rfc3339("2031-03-04T05:00:00Z")
        .unwrap()
        .timestamp() as f64;
    let devices = h.json("/v2/devices-detailed").await;
    for device in devices.as_array().unwrap() {
        let last_contact = device["lastContact"].as_f64().unwrap();
        let created = device["created"].as_f64().unwrap();
        assert!(last_contact <= anchor, "{device}");
        assert!(
            anchor - last_contact < 400.0 * 86_400.0,
            "contact within the year before the clock's time: {device}"
        );
        assert!(created <= last_contact, "{device}");
    }
}

#[tokio::test]
async fn a_hundred_thousand_devices_start_quickly() {
    let before = resident_mib();
    let started = Instant::now();
    let sim = Simulator::start(SimConfig {
        orgs: 500,
        devices_per_org: 200,
        ..SimConfig::default()
    })
    .await
    .expect("the simulator starts");
    let elapsed = started.elapsed();
    let after = resident_mib();
    println!(
        "100,000-device tenant started in {:.2} s; resident memory {before:?} MiB -> {after:?} MiB",
        elapsed.as_secs_f64()
    );
    let control = sim.control();
    let h = Harness {
        base: sim.base_url(),
        http: reqwest::Client::new(),
        token: String::new(),
        sim,
    };
    let h = Harness {
        token: h.new_token().await,
        ..h
    };
    let last = h.json("/v2/devices?pageSize=1&after=99999").await;
    assert_eq!(last[0]["id"], 100_000);
    let first_page = Instant::now();
    let page = h.json("/v2/queries/volumes?include=bl&pageSize=1000").await;
    println!(
        "first volumes page over 100,000 devices: {:.2} s, {} rows in the report",
        first_page.elapsed().as_secs_f64(),
        page["cursor"]["count"]
    );
    assert_eq!(page["results"].as_array().unwrap().len(), 1000);
    assert_eq!(control.organizations().len(), 500);
}
