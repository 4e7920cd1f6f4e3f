//! OAuth client credentials and the bearer check.

use std::sync::Arc;
use std::time::Duration;

use fleetward_clock::ManualClock;
use ninjaone_sim::SimConfig;
use serde_json::{json, Value};

use crate::support::{config, Harness};

const GRANT: (&str, &str) = ("grant_type", "client_credentials");

#[tokio::test]
async fn the_token_endpoint_grants_the_configured_scopes() {
    let h = Harness::start(SimConfig {
        granted_scopes: "monitoring management".into(),
        token_lifetime_secs: 1800,
        ..config(1, 2)
    })
    .await;
    let response = h
        .token_request(&[
            GRANT,
            ("client_id", "sim-client"),
            ("client_secret", "sim-secret"),
            ("scope", "monitoring"),
        ])
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert!(body["access_token"].as_str().is_some_and(|t| t.len() > 20));
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 1800);
    assert_eq!(body["scope"], "monitoring management");
}

#[tokio::test]
async fn token_rejections_have_ninjaones_bodies() {
    let h = Harness::small().await;
    let unknown = h
        .token_request(&[
            GRANT,
            ("client_id", "nobody"),
            ("client_secret", "sim-secret"),
        ])
        .await;
    assert_eq!(unknown.status(), 400);
    assert_eq!(
        unknown.json::<Value>().await.unwrap(),
        json!({"resultCode": "Client app not exist", "incidentId": "WEB-1"})
    );
    let wrong_secret = h
        .token_request(&[
            GRANT,
            ("client_id", "sim-client"),
            ("client_secret", "nope"),
        ])
        .await;
    assert_eq!(wrong_secret.status(), 401);
    assert_eq!(
        wrong_secret.json::<Value>().await.unwrap(),
        json!({"error": "unauthorized", "error_description": "Bad client credentials"})
    );
    let wrong_grant = h
        .token_request(&[
            ("grant_type", "password"),
            ("client_id", "sim-client"),
            ("client_secret", "sim-secret"),
        ])
        .await;
    assert_eq!(wrong_grant.status(), 400);
    assert_eq!(
        wrong_grant.json::<Value>().await.unwrap(),
        json!({"error": "unsupported_grant_type"})
    );
}

fn not_authenticated() -> Value {
    json!({"error": "not_authenticated", "error_description": "Invalid credentials", "error_code": 10})
}

#[tokio::test]
async fn api_calls_need_a_valid_token() {
    let h = Harness::small().await;
    let url = format!("{}/v2/devices", h.base);
    let bare = h.http.get(&url).send().await.unwrap();
    assert_eq!(bare.status(), 401);
    assert_eq!(bare.json::<Value>().await.unwrap(), not_authenticated());
    let forged = h
        .http
        .get(&url)
        .bearer_auth("sim.forged")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
    assert_eq!(h.get("/v2/devices").await.status(), 200);
    assert_eq!(h.get("/api/v2/devices").await.status(), 200);
    assert_eq!(h.get("/v2/queries/volumes").await.status(), 200);

    h.sim.control().expire_tokens();
    let expired = h.get("/v2/devices").await;
    assert_eq!(expired.status(), 401);
    assert_eq!(expired.json::<Value>().await.unwrap(), not_authenticated());
    let fresh = h.new_token().await;
    let again = h.http.get(&url).bearer_auth(fresh).send().await.unwrap();
    assert_eq!(again.status(), 200);
}

#[tokio::test]
async fn tokens_expire_when_the_configured_clock_passes_their_lifetime() {
    let clock = Arc::new(ManualClock::starting_now());
    let h = Harness::start(SimConfig {
        token_lifetime_secs: 60,
        clock: clock.clone(),
        ..config(1, 2)
    })
    .await;
    assert_eq!(h.sim.control().issued_tokens(), vec![h.token.clone()]);
    clock.advance(Duration::from_secs(59));
    assert_eq!(h.get("/v2/organizations").await.status(), 200);
    clock.advance(Duration::from_secs(1));
    assert_eq!(h.get("/v2/organizations").await.status(), 401);
    assert!(h.sim.control().issued_tokens().is_empty());
}

#[tokio::test]
async fn unknown_routes_answer_ninjaones_404() {
    let h = Harness::small().await;
    let response = h.get("/v2/no-such-thing").await;
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"resultCode": "FAILURE", "errorMessage": "HTTP 404 Not Found"})
    );
    let missing = h.get("/v2/device/999999").await;
    assert_eq!(missing.status(), 404);
    assert_eq!(
        missing.json::<Value>().await.unwrap()["resultCode"],
        "FAILURE"
    );
}
