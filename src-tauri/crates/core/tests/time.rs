//! Time as the engine sees it: one clock, set by the test, reaches the NinjaOne client; and
//! every wait has an end (SPEC §11): a NinjaOne that never answers stops a user action at its
//! deadline with a message that says what it was waiting for, and every wait is announced on
//! the engine's event channel as it happens.

use std::time::Duration;

use fleetward_core::connection::ConnectionDraft;
use fleetward_core::{Deadlines, Engine, EngineEvent, ErrorKind};
use ninjaone::secrecy::SecretString;

#[tokio::test]
async fn a_server_that_never_answers_ends_at_the_deadline_saying_what_was_awaited() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    // Accepts every connection and never says a word.
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let mut config = fleetward_core::testing::config(dir.path().join("data"));
    config.client.timeout = Duration::from_secs(1);
    config.client.retry.max_attempts = 20;
    config.deadlines = Deadlines {
        interactive: Duration::from_millis(2_500),
        ..Deadlines::default()
    };
    let engine = Engine::start(config).await.unwrap();
    let mut events = engine.subscribe();
    let draft = ConnectionDraft {
        name: None,
        region: None,
        base_url: Some(format!("http://{address}")),
        client_id: "id".into(),
        client_secret: SecretString::from("secret"),
    };
    let started = std::time::Instant::now();
    let err = engine.test_connection(&draft).await.unwrap_err();
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(10),
        "the deadline held: {took:?}"
    );
    assert_eq!(err.kind(), ErrorKind::Unreachable);
    let message = err.to_string();
    assert!(
        message.contains("Test connection did not finish within 2 s"),
        "{message}"
    );
    assert!(message.contains("did not answer"), "{message}");
    let mut announced = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let EngineEvent::Waiting { message } = event {
            announced.push(message);
        }
    }
    assert!(
        announced.iter().any(|m| m.contains("attempt 2 of 20")),
        "{announced:?}"
    );
    silent.abort();
}

/// The engine's one clock reaches the NinjaOne client: a saved connection's token serves
/// later actions until the engine's clock passes its lifetime, and no longer.
#[tokio::test]
async fn the_engine_clock_decides_when_a_connection_signs_in_again() {
    use std::sync::Arc;

    use fleetward_core::time::ManualClock;
    use ninjaone_sim::{SimConfig, Simulator};

    let clock = Arc::new(ManualClock::starting_now());
    let sim = Simulator::start(SimConfig {
        orgs: 2,
        devices_per_org: 1,
        token_lifetime_secs: 3600,
        clock: clock.clone(),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut config = fleetward_core::testing::config(dir.path().join("data"));
    config.clock = clock.clone();
    let engine = Engine::start(config).await.unwrap();
    let draft = ConnectionDraft {
        name: None,
        region: None,
        base_url: Some(sim.base_url()),
        client_id: "sim-client".into(),
        client_secret: SecretString::from("sim-secret"),
    };
    let id = engine.save_connection(&draft).await.unwrap().connection.id;
    let signed_in = || sim.control().stats().token_requests;
    engine.discover_organizations(id).await.unwrap();
    let before = signed_in();
    clock.advance(Duration::from_secs(30 * 60));
    engine.discover_organizations(id).await.unwrap();
    assert_eq!(
        signed_in(),
        before,
        "the token still serves after 30 minutes"
    );
    clock.advance(Duration::from_secs(31 * 60));
    engine.discover_organizations(id).await.unwrap();
    assert_eq!(
        signed_in(),
        before + 1,
        "past its lifetime the client signs in again"
    );
    sim.shutdown().await;
}
