//! A sync killed with SIGKILL at random moments never damages the store nor leaves a company
//! half-written (SPEC §9: a crash mid-sync leaves the previous state or the new one).

use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, BTreeSet};
use std::hash::{BuildHasher, Hasher};

use fleetward_core::assets::Asset;

use super::*;

/// What a company's assets look like, compared whole.
type Snapshot = BTreeMap<i64, BTreeSet<(String, String, String)>>;

fn snapshot(data: &Path) -> (String, Snapshot) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let config = fleetward_core::EngineConfig {
            store_key: Some(KEY.to_string().into()),
            ..fleetward_core::testing::config(data.to_path_buf())
        };
        let engine = fleetward_core::Engine::start(config).await.unwrap();
        let integrity = engine.check_store().await.unwrap();
        let assets: Vec<Asset> = engine.assets(None, None).await.unwrap();
        engine.close().await;
        let mut by_company: Snapshot = BTreeMap::new();
        for a in assets {
            by_company.entry(a.company_id.0).or_default().insert((
                a.external_id,
                a.status.as_str().to_string(),
                a.name.unwrap_or_default(),
            ));
        }
        (integrity, by_company)
    })
}

fn random_below(limit: u64) -> u64 {
    RandomState::new().build_hasher().finish() % limit
}

#[test]
fn a_sync_killed_at_random_moments_leaves_each_company_old_or_new_never_half() {
    let s = sim(SimConfig {
        orgs: 3,
        devices_per_org: 300,
        ..SimConfig::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let connected = connect(&data, &s.sim, "sim-secret");
    assert!(connected.status.success(), "{}", stderr(&connected));
    for org in s.sim.control().organizations() {
        let id = org.id.unwrap().to_string();
        let mapped = run(&data, &["orgs", "map", &id, "--create"]);
        assert!(
            mapped.status.success(),
            "mapping {id}: {:?} {}",
            mapped.status,
            stderr(&mapped)
        );
    }
    let first = run(&data, &["sync"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let (_, mut before) = snapshot(&data);

    // Before each attempt every device gets a new name, so a sync rewrites every company and
    // each company must afterwards hold the previous names or the new ones, never a mix.
    const ATTEMPTS: u32 = 20;
    let mut kills = 0;
    for attempt in 0..ATTEMPTS {
        let generation = format!("GEN{attempt}-");
        for device in s.sim.control().devices() {
            let id = device.id.unwrap();
            s.sim
                .control()
                .rename_device(id, &format!("{generation}{id}"));
        }
        let mut child = cli(&data)
            .arg("sync")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(random_below(1_200)));
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            kills += 1;
        }
        child.wait().unwrap();
        let (integrity, now) = snapshot(&data);
        assert_eq!(integrity, "ok", "the store is damaged after a kill");
        for (company, assets) in &now {
            let renamed = assets
                .iter()
                .filter(|(_, _, name)| name.starts_with(&generation))
                .count();
            let untouched = Some(assets) == before.get(company);
            assert!(
                untouched || renamed == assets.len(),
                "company {company} is half-written after attempt {attempt}: {renamed} of {} assets renamed",
                assets.len()
            );
        }
        before = now;
    }
    assert!(
        kills >= ATTEMPTS / 4,
        "only {kills} of {ATTEMPTS} syncs were killed mid-way; the test proved little"
    );
    let last = run(&data, &["sync"]);
    assert!(
        last.status.success(),
        "a sync after the kills finishes: {}",
        stderr(&last)
    );
    let (integrity, after) = snapshot(&data);
    assert_eq!(integrity, "ok");
    // No killed run reads as running forever: each ended as interrupted, saying why.
    let runs = json(&run(&data, &["--json", "runs", "list"]));
    let runs = runs.as_array().expect("a list of runs");
    assert!(runs.iter().all(|r| r["status"] != "running"), "{runs:?}");
    for failed in runs.iter().filter(|r| r["status"] == "failed") {
        assert!(
            failed["errors"].to_string().contains("Interrupted"),
            "{failed}"
        );
    }
    let newest = format!("GEN{}-", ATTEMPTS - 1);
    assert!(after
        .values()
        .flatten()
        .all(|(_, _, name)| name.starts_with(&newest)));
}
