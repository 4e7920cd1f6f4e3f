//! Request statistics.

use std::time::Duration;

use crate::support::Harness;

#[tokio::test]
async fn requests_are_counted_by_route_template() {
    let h = Harness::small().await;
    let control = h.sim.control();
    control.reset_stats();
    h.get("/v2/device/1").await;
    h.get("/api/v2/device/2").await;
    h.get("/v2/devices-detailed").await;
    h.get("/v2/queries/volumes?include=bl").await;
    h.new_token().await;
    h.http
        .get(format!("{}/_sim/stats", h.base))
        .send()
        .await
        .unwrap();
    let stats = control.stats();
    assert_eq!(stats.requests_by_endpoint["GET /v2/device/{id}"], 2);
    assert_eq!(stats.requests_by_endpoint["GET /v2/devices-detailed"], 1);
    assert_eq!(stats.requests_by_endpoint["GET /v2/queries/volumes"], 1);
    assert_eq!(stats.requests_by_endpoint["POST /ws/oauth/token"], 1);
    assert_eq!(stats.total_requests, 5);
    assert_eq!(stats.token_requests, 1);
    assert!(!stats
        .requests_by_endpoint
        .keys()
        .any(|k| k.contains("_sim")));
}

#[tokio::test]
async fn the_window_maximum_sees_bursts() {
    let h = Harness::small().await;
    let control = h.sim.control();
    control.set_stats_window(Duration::from_millis(400));
    control.reset_stats();
    for _ in 0..5 {
        h.get("/v2/organizations").await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    for _ in 0..2 {
        h.get("/v2/organizations").await;
    }
    let stats = control.stats();
    assert_eq!(stats.total_requests, 7);
    assert_eq!(stats.max_requests_in_window, 5);
    control.set_stats_window(Duration::from_secs(60));
    control.reset_stats();
    assert_eq!(control.stats(), ninjaone_sim::Stats::default());
}
