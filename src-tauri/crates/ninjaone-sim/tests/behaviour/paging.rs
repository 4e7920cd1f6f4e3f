//! The three paging styles: id watermark, report cursors and activity ids.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use fleetward_clock::{Clock, ManualClock};
use ninjaone::models::{Activity, ActivityType};
use ninjaone_sim::SimConfig;
use serde_json::{json, Value};

use crate::support::{config, enc, Harness};

fn ids(items: &[Value]) -> Vec<i64> {
    items
        .iter()
        .map(|item| item["id"].as_i64().expect("id"))
        .collect()
}

#[tokio::test]
async fn id_paging_returns_every_device_once_for_any_page_size() {
    let h = Harness::start(config(3, 17)).await;
    let expected: Vec<i64> = (1..=51).collect();
    for size in [1, 7, 17, 50, 51, 1000] {
        for path in ["/v2/devices", "/v2/devices-detailed", "/api/v2/devices"] {
            let items = h.all_by_id(path, size, "").await;
            assert_eq!(ids(&items), expected, "{path} pageSize={size}");
        }
    }
    let orgs = h.all_by_id("/v2/organizations", 2, "").await;
    assert_eq!(ids(&orgs), vec![1, 2, 3]);
    let locations = h.all_by_id("/v2/locations", 1, "").await;
    let location_ids = ids(&locations);
    assert!(location_ids.windows(2).all(|w| w[0] < w[1]));
    assert!(locations.iter().all(|l| l["organizationId"].is_i64()));
    let detailed = h.json("/v2/organizations-detailed").await;
    let nested: usize = detailed
        .as_array()
        .unwrap()
        .iter()
        .map(|org| org["locations"].as_array().unwrap().len())
        .sum();
    assert_eq!(nested, locations.len());
    let per_org = h.json("/v2/organization/1/locations").await;
    assert!(per_org
        .as_array()
        .unwrap()
        .iter()
        .all(|l| l.get("organizationId").is_none()));
    assert_eq!(h.get("/v2/organization/99/locations").await.status(), 404);
}

fn row_keys(rows: &[Value]) -> Vec<String> {
    rows.iter().map(Value::to_string).collect()
}

#[tokio::test]
async fn cursor_paging_returns_every_row_once() {
    let h = Harness::start(config(3, 20)).await;
    let reports = [
        ("/v2/queries/volumes", "&include=bl"),
        ("/v2/queries/antivirus-status", ""),
        ("/v2/queries/os-patches", ""),
        ("/v2/queries/software-patches", ""),
        ("/v2/queries/os-patch-installs", ""),
        ("/v2/queries/software-patch-installs", ""),
        ("/v2/queries/device-health", ""),
        ("/v2/queries/operating-systems", ""),
        ("/v2/queries/computer-systems", ""),
        ("/v2/queries/custom-fields", ""),
        ("/v2/queries/software", ""),
        ("/v2/backup/jobs", ""),
    ];
    for (path, query) in reports {
        let whole = h.all_by_cursor(path, 100_000, query).await;
        assert!(!whole.is_empty(), "{path} has rows");
        for size in [1, 7] {
            let paged = h.all_by_cursor(path, size, query).await;
            assert_eq!(row_keys(&paged), row_keys(&whole), "{path} pageSize={size}");
        }
        let unique: BTreeSet<String> = row_keys(&whole).into_iter().collect();
        assert_eq!(unique.len(), whole.len(), "{path} repeats a row");
    }
    let health = h.all_by_cursor("/v2/queries/device-health", 1000, "").await;
    assert_eq!(health.len(), 60, "one health row per device");
}

#[tokio::test]
async fn finished_unknown_and_expired_cursors() {
    let h = Harness::small().await;
    let first = h.json("/v2/queries/software?pageSize=5").await;
    let name = first["cursor"]["name"].as_str().unwrap().to_string();
    let count = first["cursor"]["count"].as_u64().unwrap();
    let rest = h
        .json(&format!(
            "/v2/queries/software?pageSize=100000&cursor={name}"
        ))
        .await;
    assert_eq!(rest["cursor"]["offset"], 5);
    assert_eq!(rest["results"].as_array().unwrap().len() as u64, count - 5);
    let after_end = h.json(&format!("/v2/queries/software?cursor={name}")).await;
    assert_eq!(after_end["results"], json!([]));
    let unknown = h.json("/v2/queries/software?cursor=not-a-cursor").await;
    assert_eq!(unknown["results"], json!([]));

    let open = h.json("/v2/queries/volumes?pageSize=2").await;
    let name = open["cursor"]["name"].as_str().unwrap().to_string();
    assert!(open["cursor"]["expires"].as_f64().unwrap() > 1.0e9);
    h.sim.control().expire_cursors();
    let expired = h
        .get(&format!("/v2/queries/volumes?pageSize=2&cursor={name}"))
        .await;
    assert_eq!(expired.status(), 400);
    assert_eq!(
        expired.json::<Value>().await.unwrap(),
        json!({"resultCode": "CURSOR_EXPIRED", "errorMessage": "Cursor expired, start the query again"})
    );
    // A new report works again.
    assert_eq!(h.get("/v2/queries/volumes?pageSize=2").await.status(), 200);
}

#[tokio::test]
async fn cursors_expire_when_the_configured_clock_passes_their_lifetime() {
    let clock = Arc::new(ManualClock::starting_now());
    let h = Harness::start(SimConfig {
        clock: clock.clone(),
        ..config(2, 10)
    })
    .await;
    let open = h.json("/v2/queries/device-health?pageSize=2").await;
    let expires = open["cursor"]["expires"].as_f64().unwrap();
    let now = clock.now().timestamp() as f64;
    assert!(
        (expires - now - 600.0).abs() < 1.0,
        "expires 600 s after {now}: {expires}"
    );
    let next = format!(
        "/v2/queries/device-health?pageSize=2&cursor={}",
        enc(open["cursor"]["name"].as_str().unwrap())
    );
    clock.advance(Duration::from_secs(599));
    assert_eq!(h.get(&next).await.status(), 200);
    clock.advance(Duration::from_secs(1));
    let expired = h.get(&next).await;
    assert_eq!(expired.status(), 400);
    assert_eq!(
        expired.json::<Value>().await.unwrap()["resultCode"],
        "CURSOR_EXPIRED"
    );
}

#[tokio::test]
async fn volumes_carry_bitlocker_only_when_asked() {
    let h = Harness::start(config(3, 20)).await;
    let with = h
        .all_by_cursor("/v2/queries/volumes", 1000, "&include=bl")
        .await;
    let without = h.all_by_cursor("/v2/queries/volumes", 1000, "").await;
    assert_eq!(with.len(), without.len());
    assert!(without.iter().all(|v| v.get("bitLockerStatus").is_none()));
    assert!(with
        .iter()
        .any(|v| v["bitLockerStatus"]["protectionStatus"] == "PROTECTED"));
    assert!(with
        .iter()
        .any(|v| v["bitLockerStatus"]["protectionStatus"] == "UNPROTECTED"));
    let devices = h.sim.control().devices();
    let windows: BTreeSet<i64> = devices
        .iter()
        .filter(|d| d.node_class.as_ref().is_some_and(|c| c.is_windows()))
        .filter_map(|d| d.id)
        .collect();
    for volume in with.iter().filter(|v| v.get("bitLockerStatus").is_some()) {
        assert!(windows.contains(&volume["deviceId"].as_i64().unwrap()));
    }
}

#[tokio::test]
async fn installs_honour_time_and_status_filters() {
    let h = Harness::start(config(3, 20)).await;
    for path in [
        "/v2/queries/os-patch-installs",
        "/v2/queries/software-patch-installs",
    ] {
        let all = h.all_by_cursor(path, 1000, "").await;
        assert!(!all.is_empty());
        let mut times: Vec<f64> = all
            .iter()
            .map(|r| r["installedAt"].as_f64().unwrap())
            .collect();
        times.sort_by(f64::total_cmp);
        let middle = times[times.len() / 2].floor();
        let after = h
            .all_by_cursor(path, 1000, &format!("&installedAfter={middle}"))
            .await;
        let expected = all
            .iter()
            .filter(|r| r["installedAt"].as_f64().unwrap() >= middle)
            .count();
        assert_eq!(after.len(), expected, "{path} installedAfter");
        let before = h
            .all_by_cursor(path, 1000, &format!("&installedBefore={middle}"))
            .await;
        assert!(before
            .iter()
            .all(|r| r["installedAt"].as_f64().unwrap() <= middle));
        let failed = h.all_by_cursor(path, 1000, "&status=FAILED").await;
        assert!(failed.iter().all(|r| r["status"] == "FAILED"));
        assert!(failed.len() < all.len());
        assert_eq!(
            h.get(&format!("{path}?installedAfter=yesterday"))
                .await
                .status(),
            400
        );
    }
}

async fn walk_activities(h: &Harness, page_size: usize, query: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut older: Option<i64> = None;
    loop {
        let older_param = older
            .map(|id| format!("&olderThan={id}"))
            .unwrap_or_default();
        let page = h
            .json(&format!(
                "/v2/activities?pageSize={page_size}{older_param}{query}"
            ))
            .await;
        let batch: Vec<i64> = page["activities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_i64().unwrap())
            .collect();
        let Some(&min) = batch.iter().min() else {
            return ids;
        };
        ids.extend(batch);
        older = Some(min);
    }
}

#[tokio::test]
async fn activities_walk_newest_first_and_poll_newer() {
    let h = Harness::start(config(3, 20)).await;
    let all = walk_activities(&h, 1000, "").await;
    assert!(all.len() > 20, "{} activities", all.len());
    assert!(
        all.windows(2).all(|w| w[0] > w[1]),
        "newest first, no repeats"
    );
    assert_eq!(walk_activities(&h, 7, "").await, all);

    let first = h.json("/v2/activities?pageSize=5").await;
    assert_eq!(first["lastActivityId"].as_i64(), Some(all[0]));
    let pivot = all[all.len() / 2];
    let newer = h
        .json(&format!("/v2/activities?pageSize=1000&newerThan={pivot}"))
        .await;
    let newer_ids: Vec<i64> = newer["activities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        newer_ids,
        all.iter()
            .copied()
            .filter(|&id| id > pivot)
            .collect::<Vec<_>>()
    );

    let control = h.sim.control();
    let added = control.append_activity(Activity {
        device_id: Some(1),
        activity_type: Some(ActivityType::System),
        status_code: Some("SYSTEM_REBOOTED".into()),
        ..Activity::default()
    });
    assert_eq!(added, all[0] + 1);
    let polled = h
        .json(&format!("/v2/activities?newerThan={}", all[0]))
        .await;
    assert_eq!(polled["lastActivityId"], added);
    let polled = polled["activities"].as_array().unwrap();
    assert_eq!(polled.len(), 1);
    assert_eq!(polled[0]["statusCode"], "SYSTEM_REBOOTED");
    assert!(polled[0]["activityTime"].as_f64().unwrap() > 1.0e9);
}

#[tokio::test]
async fn activity_filters() {
    let h = Harness::start(config(3, 20)).await;
    let backups = h
        .json("/v2/activities?pageSize=1000&type=NINJA_BACKUP")
        .await;
    let backups = backups["activities"].as_array().unwrap();
    assert!(!backups.is_empty());
    assert!(backups.iter().all(|a| a["activityType"] == "NINJA_BACKUP"));
    let failed = h
        .json("/v2/activities?pageSize=1000&status=NINJA_BACKUP_BACKUPJOB_FAILED,CLOUDBERRY_BACKUPJOB_FAILED")
        .await;
    assert!(failed["activities"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["statusCode"].as_str().unwrap().ends_with("_FAILED")));
    let all = h.json("/v2/activities?pageSize=1000").await;
    let all = all["activities"].as_array().unwrap();
    let middle = all[all.len() / 2]["activityTime"].as_f64().unwrap().floor();
    let recent = h
        .json(&format!("/v2/activities?pageSize=1000&after={middle}"))
        .await;
    assert!(recent["activities"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["activityTime"].as_f64().unwrap() >= middle));
    let series = all
        .iter()
        .find(|a| a["statusCode"] == "RESET")
        .and_then(|a| a["seriesUid"].as_str())
        .expect("a reset condition");
    let one = h
        .json(&format!(
            "/v2/activities?pageSize=1000&seriesUid={}",
            enc(series)
        ))
        .await;
    let codes: Vec<&str> = one["activities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["statusCode"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["RESET", "TRIGGERED"]);
    assert_eq!(h.get("/v2/activities?olderThan=abc").await.status(), 400);
}
