//! The `df` device filter on devices, reports, activities and alerts.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::{config, enc, Harness};

async fn device_ids(h: &Harness, df: &str) -> BTreeSet<i64> {
    h.all_by_id("/v2/devices", 1000, &format!("&df={}", enc(df)))
        .await
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect()
}

fn expected(devices: &[Value], keep: impl Fn(&Value) -> bool) -> BTreeSet<i64> {
    devices
        .iter()
        .filter(|d| keep(d))
        .map(|d| d["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn device_filters_select_what_they_say() {
    let h = Harness::start(config(4, 25)).await;
    let all = h.all_by_id("/v2/devices", 1000, "").await;
    let org_in = |d: &Value| matches!(d["organizationId"].as_i64(), Some(1 | 3));
    assert_eq!(device_ids(&h, "org in (1,3)").await, expected(&all, org_in));
    assert_eq!(
        device_ids(&h, "org = 2").await,
        expected(&all, |d| d["organizationId"] == 2)
    );
    assert_eq!(
        device_ids(&h, "org notin (1,2,3)").await,
        expected(&all, |d| d["organizationId"] == 4)
    );
    let classes = |d: &Value| d["nodeClass"] == "WINDOWS_WORKSTATION" || d["nodeClass"] == "MAC";
    assert_eq!(
        device_ids(&h, "class in (WINDOWS_WORKSTATION,MAC)").await,
        expected(&all, classes)
    );
    let approved = |d: &Value| d["approvalStatus"] == "APPROVED";
    assert_eq!(
        device_ids(&h, "status eq APPROVED").await,
        expected(&all, approved)
    );
    assert!(device_ids(&h, "status eq APPROVED").await.len() < all.len());
    assert_eq!(
        device_ids(
            &h,
            "org in (1,3) AND class in (WINDOWS_WORKSTATION,MAC) AND status eq APPROVED"
        )
        .await,
        expected(&all, |d| org_in(d) && classes(d) && approved(d))
    );
    assert_eq!(
        device_ids(&h, "offline").await,
        expected(&all, |d| d["offline"] == true)
    );
    assert_eq!(device_ids(&h, "id in (3,5,8)").await, [3, 5, 8].into());
    let loc = all[0]["locationId"].as_i64().unwrap();
    assert_eq!(
        device_ids(&h, &format!("loc = {loc}")).await,
        expected(&all, |d| d["locationId"] == loc)
    );
    // The detailed list filters the same way.
    let detailed = h
        .all_by_id(
            "/v2/devices-detailed",
            1000,
            &format!("&df={}", enc("org = 2 and online")),
        )
        .await;
    assert!(detailed
        .iter()
        .all(|d| d["organizationId"] == 2 && d["offline"] == false));
}

#[tokio::test]
async fn invalid_filters_are_refused() {
    let h = Harness::small().await;
    for path in [
        "/v2/devices",
        "/v2/queries/volumes",
        "/v2/activities",
        "/v2/alerts",
        "/v2/backup/jobs",
    ] {
        let response = h
            .get(&format!("{path}?df={}", enc("org in (one,two)")))
            .await;
        assert_eq!(response.status(), 400, "{path}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["resultCode"], "INVALID_FILTER", "{path}");
        assert!(body["errorMessage"].as_str().is_some_and(|m| !m.is_empty()));
    }
    assert_eq!(
        h.get(&format!("/v2/devices?df={}", enc("tagId in (1)")))
            .await
            .status(),
        400
    );
}

#[tokio::test]
async fn reports_activities_and_alerts_filter_through_the_device() {
    let h = Harness::start(config(3, 20)).await;
    let org_one: BTreeSet<i64> = device_ids(&h, "org = 1").await;
    let df = format!("&df={}", enc("org = 1"));
    for path in [
        "/v2/queries/volumes",
        "/v2/queries/device-health",
        "/v2/queries/software",
        "/v2/backup/jobs",
    ] {
        let rows = h.all_by_cursor(path, 1000, &df).await;
        assert!(!rows.is_empty(), "{path}");
        assert!(
            rows.iter()
                .all(|r| org_one.contains(&r["deviceId"].as_i64().unwrap())),
            "{path}"
        );
    }
    let activities = h.json(&format!("/v2/activities?pageSize=1000{df}")).await;
    let activities = activities["activities"].as_array().unwrap();
    assert!(!activities.is_empty());
    assert!(activities
        .iter()
        .all(|a| org_one.contains(&a["deviceId"].as_i64().unwrap())));
    let alerts = h.json(&format!("/v2/alerts?{}", &df[1..])).await;
    assert!(alerts
        .as_array()
        .unwrap()
        .iter()
        .all(|a| org_one.contains(&a["deviceId"].as_i64().unwrap())));
}
