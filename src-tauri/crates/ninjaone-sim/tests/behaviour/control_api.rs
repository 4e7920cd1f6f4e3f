//! The control surface: the Rust [`Control`](ninjaone_sim::Control) and the `/_sim` HTTP API.

use ninjaone::models::{Activity, ActivityType, ApprovalStatus, NodeClass};
use serde_json::{json, Value};

use crate::support::Harness;

#[tokio::test]
async fn the_rust_control_changes_what_the_api_serves() {
    let h = Harness::small().await;
    let control = h.sim.control();
    let org = control.add_organization("Neue Kunde GmbH");
    assert_eq!(org, 3);
    let first = control.add_device(org, NodeClass::Mac, ApprovalStatus::Pending);
    let second = control.add_device(org, NodeClass::NmsSwitch, ApprovalStatus::Approved);
    assert_eq!((first, second), (21, 22));
    control.rename_device(first, "Renamed-Mac");
    control.set_approval(first, ApprovalStatus::Approved);
    control.set_offline(first, true);
    let device = h.json(&format!("/v2/device/{first}")).await;
    assert_eq!(device["systemName"], "Renamed-Mac");
    assert_eq!(device["approvalStatus"], "APPROVED");
    assert_eq!(device["offline"], true);
    assert_eq!(device["organizationId"], org);
    assert!(device["locationId"].is_i64());
    assert_eq!(control.devices().len(), 22);
    control.rename_organization(org, "Neue Kunde AG");
    assert!(control
        .organizations()
        .iter()
        .any(|o| o.name.as_deref() == Some("Neue Kunde AG")));
    control.remove_device(second);
    assert_eq!(h.get(&format!("/v2/device/{second}")).await.status(), 404);
    control.remove_organization(org);
    assert_eq!(h.get(&format!("/v2/device/{first}")).await.status(), 404);
    assert_eq!(
        h.json("/v2/organizations").await.as_array().unwrap().len(),
        2
    );
    // Ids keep ascending after removals.
    assert_eq!(
        control.add_device(1, NodeClass::WindowsWorkstation, ApprovalStatus::Approved),
        23
    );
}

#[tokio::test]
async fn condition_activities_open_and_close_alerts() {
    let h = Harness::small().await;
    let control = h.sim.control();
    let before = h.json("/v2/alerts").await.as_array().unwrap().len();
    assert!(before > 0, "the generated tenant has an active alert");
    let series = "0f8a7c1e-3b2d-4c5e-9f60-1a2b3c4d5e6f";
    let condition = |status: &str| Activity {
        device_id: Some(2),
        activity_type: Some(ActivityType::Condition),
        status_code: Some(status.into()),
        series_uid: Some(series.into()),
        message: Some("Disk almost full".into()),
        ..Activity::default()
    };
    control.append_activity(condition("TRIGGERED"));
    let alerts = h.json("/v2/alerts").await;
    let alert = alerts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["uid"] == series)
        .expect("new alert");
    assert_eq!(alert["deviceId"], 2);
    assert_eq!(alert["device"]["id"], 2);
    control.append_activity(condition("RESET"));
    let alerts = h.json("/v2/alerts").await;
    assert!(alerts
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["uid"] != series));
    assert_eq!(alerts.as_array().unwrap().len(), before);
    // Resetting a generated alert closes it too.
    let generated = alerts[0]["uid"].as_str().unwrap().to_string();
    control.append_activity(Activity {
        series_uid: Some(generated.clone()),
        ..condition("RESET")
    });
    let alerts = h.json("/v2/alerts").await;
    assert!(alerts
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["uid"] != generated.as_str()));
}

async fn sim(
    h: &Harness,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let mut request = h.http.request(method, format!("{}/_sim{path}", h.base));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_http_control_api_round_trips() {
    use reqwest::Method;
    let h = Harness::small().await;

    let (status, created) = sim(
        &h,
        Method::POST,
        "/organizations",
        Some(json!({"name": "Über Org"})),
    )
    .await;
    assert_eq!(status, 200);
    let org = created["id"].as_i64().unwrap();
    assert_eq!(
        sim(
            &h,
            Method::PATCH,
            &format!("/organizations/{org}"),
            Some(json!({"name": "Über Org 2"}))
        )
        .await
        .0,
        204
    );
    let orgs = h.json("/v2/organizations").await;
    assert!(orgs
        .as_array()
        .unwrap()
        .iter()
        .any(|o| o["name"] == "Über Org 2"));

    let (status, created) = sim(
        &h,
        Method::POST,
        "/devices",
        Some(json!({"orgId": org, "nodeClass": "LINUX_SERVER", "approvalStatus": "PENDING"})),
    )
    .await;
    assert_eq!(status, 200);
    let device = created["id"].as_i64().unwrap();
    let change = json!({"systemName": "db-new", "approvalStatus": "APPROVED", "offline": true});
    assert_eq!(
        sim(
            &h,
            Method::PATCH,
            &format!("/devices/{device}"),
            Some(change)
        )
        .await
        .0,
        204
    );
    let served = h.json(&format!("/v2/device/{device}")).await;
    assert_eq!(served["systemName"], "db-new");
    assert_eq!(served["approvalStatus"], "APPROVED");
    assert_eq!(served["offline"], true);
    assert_eq!(
        sim(
            &h,
            Method::PATCH,
            "/devices/99999",
            Some(json!({"offline": true}))
        )
        .await
        .0,
        404
    );
    let (_, listed) = sim(&h, Method::GET, "/devices", None).await;
    assert_eq!(listed.as_array().unwrap().len(), 21);
    assert_eq!(
        sim(&h, Method::DELETE, &format!("/devices/{device}"), None)
            .await
            .0,
        204
    );
    assert_eq!(h.get(&format!("/v2/device/{device}")).await.status(), 404);
    assert_eq!(
        sim(&h, Method::DELETE, &format!("/organizations/{org}"), None)
            .await
            .0,
        204
    );
    assert_eq!(
        sim(&h, Method::DELETE, &format!("/organizations/{org}"), None)
            .await
            .0,
        404
    );

    let faults = json!({"probability": 1.0, "kinds": [{"kind": "tooManyRequests", "retryAfterSecs": 2}], "includeTokenEndpoint": false});
    assert_eq!(sim(&h, Method::POST, "/faults", Some(faults)).await.0, 204);
    assert_eq!(h.get("/v2/organizations").await.status(), 429);
    assert_eq!(sim(&h, Method::DELETE, "/faults", None).await.0, 204);
    assert_eq!(h.get("/v2/organizations").await.status(), 200);

    assert_eq!(
        sim(
            &h,
            Method::POST,
            "/rate-limit",
            Some(json!({"max": 1, "perSecs": 30}))
        )
        .await
        .0,
        204
    );
    h.get("/v2/organizations").await;
    assert_eq!(h.get("/v2/organizations").await.status(), 429);
    assert_eq!(
        sim(&h, Method::POST, "/rate-limit", Some(Value::Null))
            .await
            .0,
        204
    );
    assert_eq!(h.get("/v2/organizations").await.status(), 200);

    let open = h.json("/v2/queries/software?pageSize=1").await;
    let name = open["cursor"]["name"].as_str().unwrap().to_string();
    assert_eq!(sim(&h, Method::POST, "/cursors/expire", None).await.0, 204);
    assert_eq!(
        h.get(&format!("/v2/queries/software?cursor={name}"))
            .await
            .status(),
        400
    );

    assert_eq!(sim(&h, Method::POST, "/tokens/expire", None).await.0, 204);
    assert_eq!(h.get("/v2/organizations").await.status(), 401);

    let (status, created) = sim(
        &h,
        Method::POST,
        "/activities",
        Some(json!({"deviceId": 1, "activityType": "SYSTEM", "statusCode": "SYSTEM_REBOOTED"})),
    )
    .await;
    assert_eq!(status, 200);
    assert!(created["id"].as_i64().unwrap() > 1_000_000);

    let (status, stats) = sim(&h, Method::GET, "/stats", None).await;
    assert_eq!(status, 200);
    assert!(stats["totalRequests"].as_u64().unwrap() > 0);
    assert!(
        stats["requestsByEndpoint"]["GET /v2/organizations"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert_eq!(
        sim(&h, Method::POST, "/stats/window", Some(json!({"secs": 5})))
            .await
            .0,
        204
    );
    assert_eq!(sim(&h, Method::POST, "/stats/reset", None).await.0, 204);
    let (_, stats) = sim(&h, Method::GET, "/stats", None).await;
    assert_eq!(stats["totalRequests"], 0);
}
