//! The local webhook receiver inside the app (SPEC §7). Settings turn it on and off; the
//! shell starts `fleetward-receiver` on the chosen address and port feeding the engine,
//! restarts it when its settings or secret change, stops it when it is turned off or the app
//! exits, and keeps why it could not listen (a port in use) for Settings to show.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use fleetward_core::incidents::handling::{SECRET_HEADER, WEBHOOK_PATH};
use fleetward_core::{Engine, ErrorKind, ErrorReport};
use fleetward_receiver::{EngineSink, Receiver, ReceiverConfig, SIGNATURE_HEADER};
use secrecy::ExposeSecret;
use serde::Serialize;
use tokio::sync::Mutex;
use ts_rs::TS;

/// How long "send test event" waits for the receiver's answer.
const TEST_TIMEOUT_SECS: u64 = 10;

/// Whether the receiver listens, where, and why not when it is on but cannot.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ReceiverState {
    pub listening: bool,
    /// The URL to configure in NinjaOne or a relay, while it listens.
    pub url: Option<String>,
    /// Why it is not listening although it is turned on (the port is in use, no secret…).
    pub error: Option<String>,
}

/// What "send test event" got back from the receiver.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct WebhookTest {
    /// The HTTP status the receiver answered (202 accepted, 401 refused…).
    pub status: u16,
    /// The receiver's short reason, as a relay would see it.
    pub answer: String,
}

/// The app's one receiver; at most one runs at a time.
pub struct InAppReceiver {
    engine: Arc<Engine>,
    slot: Mutex<Slot>,
}

#[derive(Default)]
struct Slot {
    running: Option<Receiver>,
    state: ReceiverState,
}

impl InAppReceiver {
    pub fn new(engine: Arc<Engine>) -> InAppReceiver {
        InAppReceiver {
            engine,
            slot: Mutex::default(),
        }
    }

    /// Starts, restarts or stops the receiver to match the saved settings and secret.
    pub async fn apply(&self) -> ReceiverState {
        let mut slot = self.slot.lock().await;
        if let Some(running) = slot.running.take() {
            // Stop first: a restart on the same port must find it free.
            running.stop().await;
        }
        slot.state = match self.start().await {
            Ok(Some(receiver)) => {
                let state = ReceiverState {
                    listening: true,
                    url: Some(receiver.url()),
                    error: None,
                };
                slot.running = Some(receiver);
                state
            }
            Ok(None) => ReceiverState::default(),
            Err(message) => {
                tracing::warn!(%message, "the in-app webhook receiver is not listening");
                ReceiverState {
                    listening: false,
                    url: None,
                    error: Some(message),
                }
            }
        };
        slot.state.clone()
    }

    pub async fn state(&self) -> ReceiverState {
        self.slot.lock().await.state.clone()
    }

    /// Stops answering (on exit).
    pub async fn stop(&self) {
        let mut slot = self.slot.lock().await;
        if let Some(running) = slot.running.take() {
            running.stop().await;
        }
        slot.state = ReceiverState::default();
    }

    async fn start(&self) -> Result<Option<Receiver>, String> {
        let settings = self
            .engine
            .webhook_settings()
            .await
            .map_err(|e| e.to_string())?;
        if !settings.enabled {
            return Ok(None);
        }
        let ip: IpAddr = settings.bind.trim().parse().map_err(|_| {
            format!(
                "{:?} is not an IP address, so the receiver cannot listen. Use 127.0.0.1 (this computer only) or an address of this computer.",
                settings.bind
            )
        })?;
        let secret = self
            .engine
            .webhook_secret()
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| {
                "No webhook secret has been generated, so the receiver would refuse everything. Generate one below."
                    .to_string()
            })?;
        if let Some(refusal) = fleetward_receiver::secret_refusal(ip, &secret) {
            return Err(refusal);
        }
        let mut config = ReceiverConfig::new(SocketAddr::new(ip, settings.port), secret);
        config.require_signature = settings.require_signature;
        config.clock = self.engine.clock();
        Receiver::start(config, Arc::new(EngineSink(self.engine.clone())))
            .await
            .map(Some)
            .map_err(|e| {
                format!(
                    "The receiver cannot listen on {ip}:{} ({e}). Choose another port, or stop the program that uses it.",
                    settings.port
                )
            })
    }

    /// Sends a signed test activity to the running receiver over HTTP, as a relay would, and
    /// says what it answered. The activity names no device or organization, so it opens no
    /// incident; it shows among the last events received.
    pub async fn send_test(&self) -> Result<WebhookTest, ErrorReport> {
        let addr = {
            let slot = self.slot.lock().await;
            match &slot.running {
                Some(receiver) => receiver.local_addr(),
                None => {
                    return Err(ErrorReport::new(
                        ErrorKind::NotConfigured,
                        slot.state.error.clone().unwrap_or_else(|| {
                            "The receiver is off. Turn it on, then send a test event.".into()
                        }),
                    ))
                }
            }
        };
        let secret = self.engine.webhook_secret().await?.ok_or_else(|| {
            ErrorReport::new(
                ErrorKind::NotConfigured,
                "No webhook secret has been generated. Generate one, then send a test event.",
            )
        })?;
        let now = self.engine.now();
        let body = serde_json::json!({
            // Positive and unique per send, so the receiver never answers "already seen".
            "id": now.timestamp_millis(),
            "activityTime": now.timestamp(),
            "activityType": "SYSTEM",
            "statusCode": "FLEETWARD_TEST",
            "status": "Test event",
            "message": "Test event sent from Fleetward Settings",
            "sourceName": "Fleetward",
        })
        .to_string();
        let url = format!("http://{}{WEBHOOK_PATH}", reachable(addr));
        let answer = reqwest::Client::new()
            .post(&url)
            .timeout(std::time::Duration::from_secs(TEST_TIMEOUT_SECS))
            .header(SECRET_HEADER, secret.expose_secret())
            .header(
                SIGNATURE_HEADER,
                fleetward_receiver::sign(body.as_bytes(), &secret),
            )
            .header("Content-Type", "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| {
                ErrorReport::new(
                    ErrorKind::Unreachable,
                    format!(
                        "The test event did not reach the receiver at {url} ({e}). Turn the receiver off and on again."
                    ),
                )
            })?;
        let status = answer.status().as_u16();
        let text = answer.text().await.unwrap_or_default();
        let reason = serde_json::from_str::<serde_json::Value>(&text)
            .ok()
            .and_then(|v| v.get("reason").and_then(|r| r.as_str()).map(String::from))
            .unwrap_or(text);
        Ok(WebhookTest {
            status,
            answer: reason,
        })
    }
}

/// An address this computer can send to: a receiver on every interface is reached on
/// loopback.
fn reachable(addr: SocketAddr) -> SocketAddr {
    match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), addr.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), addr.port())
        }
        _ => addr,
    }
}
