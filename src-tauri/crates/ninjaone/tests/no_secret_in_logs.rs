//! Neither the client secret nor an access token reaches a log at any level, from this
//! crate or from the HTTP stack beneath it. Its own test binary, because it installs a
//! process-wide subscriber (and a `log` bridge) that records everything at TRACE.

use std::sync::{Arc, Mutex};

use futures::TryStreamExt;
use ninjaone::{BaseUrl, Client, ClientConfig, Credentials, DeviceFilter};
use ninjaone_sim::{SimConfig, Simulator};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

const SECRET: &str = "canary-secret-5f2a9c";
const WRONG_SECRET: &str = "canary-wrong-secret-81d0";

#[tokio::test]
async fn no_secret_or_token_is_logged_at_any_level() {
    let captured = Captured::default();
    // `init` also bridges the `log` records of reqwest and rustls into the subscriber.
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(captured.clone())
        .with_ansi(false)
        .init();

    let sim = Simulator::start(SimConfig {
        client_secret: SECRET.into(),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let base = BaseUrl::custom(&sim.base_url()).unwrap();
    let client_with = |secret: &str| {
        Client::new(
            base.clone(),
            Credentials::new("sim-client", secret.into()),
            ClientConfig::default(),
        )
        .unwrap()
    };

    let _ = client_with(WRONG_SECRET).sign_in().await.unwrap_err();
    let client = client_with(SECRET);
    client.sign_in().await.unwrap();
    let mut tokens = sim.control().issued_tokens();
    client
        .organizations()
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    // A revoked token: the client signs in again after a 401.
    sim.control().expire_tokens();
    client
        .devices(&DeviceFilter::new())
        .try_collect::<Vec<_>>()
        .await
        .unwrap();
    tokens.extend(sim.control().issued_tokens());
    assert_eq!(tokens.len(), 2, "two sign-ins, two tokens");

    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("reqwest::connect"),
        "the HTTP stack's records are captured too:\n{log}"
    );
    for secret in [SECRET, WRONG_SECRET].iter().copied() {
        assert!(!log.contains(secret), "a client secret was logged:\n{log}");
    }
    for token in &tokens {
        assert!(
            !log.contains(token.as_str()),
            "an access token was logged:\n{log}"
        );
    }
}
