//! Throttling and injected faults.

use std::time::{Duration, Instant};

use ninjaone_sim::{FaultKind, Faults, RateLimit};
use serde_json::Value;

use crate::support::Harness;

fn always(kind: FaultKind) -> Faults {
    Faults {
        probability: 1.0,
        kinds: vec![kind],
        include_token_endpoint: false,
    }
}

#[tokio::test]
async fn the_rate_limit_answers_429_with_retry_after() {
    let h = Harness::small().await;
    let control = h.sim.control();
    control.set_rate_limit(Some(RateLimit {
        max: 3,
        per: Duration::from_secs(2),
    }));
    control.reset_stats();
    for _ in 0..3 {
        assert_eq!(h.get("/v2/organizations").await.status(), 200);
    }
    let limited = h.get("/v2/organizations").await;
    assert_eq!(limited.status(), 429);
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&retry), "Retry-After {retry}");
    let stats = control.stats();
    assert_eq!(stats.throttles_served, 1);
    assert_eq!(stats.total_requests, 4);
    // Control requests are never limited.
    let sim = h
        .http
        .get(format!("{}/_sim/stats", h.base))
        .send()
        .await
        .unwrap();
    assert_eq!(sim.status(), 200);
    control.set_rate_limit(None);
    assert_eq!(h.get("/v2/organizations").await.status(), 200);
}

#[tokio::test]
async fn each_fault_kind_does_what_it_says() {
    let h = Harness::small().await;
    let control = h.sim.control();
    control.reset_stats();

    control.set_faults(always(FaultKind::TooManyRequests {
        retry_after_secs: 7,
    }));
    let response = h.get("/v2/devices").await;
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "7");

    control.set_faults(always(FaultKind::Unavailable));
    assert_eq!(h.get("/v2/devices").await.status(), 503);

    control.set_faults(always(FaultKind::HtmlOk));
    let response = h.get("/v2/devices").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(response.text().await.unwrap().trim_start().starts_with('<'));

    control.set_faults(always(FaultKind::Latency { millis: 300 }));
    let started = Instant::now();
    let response = h.get("/v2/organizations").await;
    assert_eq!(response.status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(response.json::<Value>().await.unwrap().is_array());

    control.set_faults(always(FaultKind::DropConnection));
    let dropped = match h
        .http
        .get(format!("{}/v2/devices", h.base))
        .bearer_auth(&h.token)
        .send()
        .await
    {
        Err(_) => true,
        Ok(response) => response.text().await.is_err(),
    };
    assert!(dropped, "the answer should break off");

    control.set_faults(always(FaultKind::MalformedJson));
    let devices = h.json("/v2/devices").await;
    assert_eq!(devices[0]["id"], 1);
    assert_eq!(devices[0]["offline"], "yes");
    assert!(devices[1]["offline"].is_boolean());
    let page = h.json("/v2/queries/volumes?pageSize=3").await;
    assert!(page["results"][0]["timestamp"].is_string());
    let activities = h.json("/v2/activities?pageSize=3").await;
    assert!(activities["activities"][0]["activityTime"].is_string());
    assert_eq!(
        h.get("/v2/device/1").await.status(),
        503,
        "not a list: behaves as Unavailable"
    );

    // The token endpoint is spared unless asked.
    control.set_faults(always(FaultKind::Unavailable));
    assert!(!h.new_token().await.is_empty());
    control.set_faults(Faults {
        include_token_endpoint: true,
        ..always(FaultKind::Unavailable)
    });
    let token = h
        .token_request(&[
            ("grant_type", "client_credentials"),
            ("client_id", "sim-client"),
            ("client_secret", "sim-secret"),
        ])
        .await;
    assert_eq!(token.status(), 503);
    // Control requests never are.
    let stats: Value = h
        .http
        .get(format!("{}/_sim/stats", h.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(stats["totalRequests"].as_u64().unwrap() > 0);

    control.clear_faults();
    assert_eq!(h.get("/v2/device/1").await.status(), 200);
    // 429, 503, HTML, the 503 for device/1, and the token 503.
    assert_eq!(control.stats().throttles_served, 5);
}

#[tokio::test]
async fn partial_fault_probability_mixes_answers() {
    let h = Harness::small().await;
    let control = h.sim.control();
    control.set_faults(Faults {
        probability: 0.5,
        kinds: vec![
            FaultKind::Unavailable,
            FaultKind::TooManyRequests {
                retry_after_secs: 1,
            },
        ],
        include_token_endpoint: false,
    });
    let mut ok = 0;
    let mut throttled = 0;
    for _ in 0..60 {
        match h.get("/v2/organizations").await.status().as_u16() {
            200 => ok += 1,
            429 | 503 => throttled += 1,
            other => panic!("unexpected {other}"),
        }
    }
    assert!(ok > 10 && throttled > 10, "{ok} ok, {throttled} throttled");
    assert_eq!(control.stats().throttles_served, throttled);
}
