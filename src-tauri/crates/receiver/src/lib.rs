//! The local webhook receiver (SPEC §7), exactly its contract, so NinjaOne, a relay or a
//! script can target it: `POST` or `PUT /ninjaone/webhook` with one activity object or a
//! JSON array of them; the shared secret in `X-Fleetward-Secret` or `Authorization: Bearer`
//! (compared in constant time); an optional — or required — `X-Fleetward-Signature:
//! sha256=<hex HMAC-SHA256 of the raw body>`; answers `202` queued, `200` already seen,
//! `401` missing or wrong secret or signature, `413` over 1 MiB, `400` not JSON or not an
//! activity, `429` + `Retry-After` when the queue is full; `GET /healthz` answers `200` and
//! says nothing else. It answers before the work is done: accepted deliveries go through a
//! bounded queue to one worker that hands them to the engine. Nothing from a rejected
//! request is stored. Its own crate, so the engine stays free of an HTTP server.

use std::collections::HashSet;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use fleetward_core::incidents::handling::{SECRET_HEADER, WEBHOOK_PATH};
use fleetward_core::incidents::payload;
use fleetward_core::Engine;
use hmac::{Hmac, Mac};
use ninjaone::models::Activity;
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use tokio::sync::{mpsc, oneshot};

/// Bodies over this are refused with `413` (SPEC §7: 1 MiB).
pub const BODY_LIMIT: usize = 1024 * 1024;
/// Deliveries waiting for the engine before the receiver answers `429`: about a second of a
/// storm (the incidents benchmark's eight senders deliver ~8,000 a second), a few MB.
pub const QUEUE_CAPACITY: usize = 8_192;
/// Most activities the worker hands to the engine at once. Deliveries waiting in the queue
/// are merged up to this, so a burst costs one store transaction per batch instead of one
/// per delivery.
pub const MAX_BATCH: usize = 2_000;
/// Activities accepted but not yet processed before the receiver answers `429`, whatever
/// the number of deliveries they came in: a few tens of MB at most (an activity is ~1 KB),
/// about ten seconds of the engine's work.
pub const MAX_QUEUED_ACTIVITIES: usize = 50_000;
/// What `429` asks a sender to wait, in seconds: the engine drains a full queue in about
/// that (5,000+ activities a second), so a longer wait only idles the sender.
pub const RETRY_AFTER_SECS: u64 = 1;
pub const SIGNATURE_HEADER: &str = "X-Fleetward-Signature";
/// Tries to store an accepted delivery when the store is busy, and the first wait between
/// them (doubling): 0.25 + 0.5 + 1 + 2 s, about as long as SQLite's own busy wait again.
const INGEST_ATTEMPTS: u32 = 5;
const INGEST_BACKOFF: std::time::Duration = std::time::Duration::from_millis(250);

/// Where the accepted work goes: the engine in the app and the CLI, a recorder in tests.
pub trait Sink: Send + Sync + 'static {
    /// Which of `ids` have been processed already.
    fn seen(
        &self,
        ids: Vec<i64>,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<i64>, String>> + Send + '_>>;
    /// Processes one accepted delivery.
    fn ingest(&self, activities: Vec<Activity>) -> Pin<Box<dyn Future<Output = ()> + Send + '_>>;
}

/// The engine as the receiver's sink.
pub struct EngineSink(pub Arc<Engine>);

impl Sink for EngineSink {
    fn seen(
        &self,
        ids: Vec<i64>,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<i64>, String>> + Send + '_>> {
        Box::pin(async move {
            self.0
                .activities_seen(&ids)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn ingest(&self, activities: Vec<Activity>) -> Pin<Box<dyn Future<Output = ()> + Send + '_>> {
        Box::pin(async move {
            let count = activities.len();
            // A delivery was answered `202`: it is not dropped on a passing store fault (the
            // CLI or the app holding the store a moment) but tried again, with backoff.
            let mut attempt = 1;
            loop {
                match self.0.ingest_activities(&activities).await {
                    Ok(report) => {
                        tracing::info!(
                            received = report.counts.received,
                            opened = report.counts.opened,
                            resolved = report.counts.resolved,
                            "webhook delivery processed"
                        );
                        return;
                    }
                    Err(err)
                        if err.kind() == fleetward_core::ErrorKind::Store
                            && attempt < INGEST_ATTEMPTS =>
                    {
                        tracing::warn!(error = %err, attempt, "a webhook delivery could not be stored yet; trying again");
                        tokio::time::sleep(INGEST_BACKOFF * 2u32.pow(attempt - 1)).await;
                        attempt += 1;
                    }
                    Err(err) => {
                        tracing::warn!(error = %err, activities = count, "a webhook delivery could not be processed; the next activity poll brings its activities in");
                        return;
                    }
                }
            }
        })
    }
}

#[derive(Clone)]
pub struct ReceiverConfig {
    pub bind: SocketAddr,
    pub secret: SecretString,
    pub require_signature: bool,
    pub queue_capacity: usize,
}

impl std::fmt::Debug for ReceiverConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceiverConfig")
            .field("bind", &self.bind)
            .field("secret", &"[redacted]")
            .field("require_signature", &self.require_signature)
            .field("queue_capacity", &self.queue_capacity)
            .finish()
    }
}

struct Shared {
    secret: SecretString,
    require_signature: bool,
    queue: mpsc::Sender<Vec<Activity>>,
    /// Ids queued but not yet processed: a repeat answers `200` at once.
    pending: Mutex<HashSet<i64>>,
    sink: Arc<dyn Sink>,
}

impl Shared {
    fn pending(&self) -> std::sync::MutexGuard<'_, HashSet<i64>> {
        // Insert and remove are single steps: a poisoned set is still consistent.
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running receiver; dropping it stops it.
pub struct Receiver {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<()>,
    worker: tokio::task::JoinHandle<()>,
}

impl Receiver {
    /// Binds `config.bind` and starts answering.
    pub async fn start(config: ReceiverConfig, sink: Arc<dyn Sink>) -> std::io::Result<Receiver> {
        let listener = tokio::net::TcpListener::bind(config.bind).await?;
        let addr = listener.local_addr()?;
        let (queue, mut work) = mpsc::channel::<Vec<Activity>>(config.queue_capacity.max(1));
        let shared = Arc::new(Shared {
            secret: config.secret,
            require_signature: config.require_signature,
            queue,
            pending: Mutex::default(),
            sink,
        });
        let worker_shared = shared.clone();
        let worker = tokio::spawn(async move {
            while let Some(mut batch) = work.recv().await {
                while batch.len() < MAX_BATCH {
                    match work.try_recv() {
                        Ok(more) => batch.extend(more),
                        Err(_) => break,
                    }
                }
                let ids: Vec<i64> = batch.iter().filter_map(|a| a.id).collect();
                worker_shared.sink.ingest(batch).await;
                let mut pending = worker_shared.pending();
                ids.iter().for_each(|id| {
                    pending.remove(id);
                });
            }
        });
        let app = router(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(async move {
            let serve = axum::serve(listener, app).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(err) = serve.await {
                tracing::warn!(error = %err, "the webhook receiver stopped");
            }
        });
        tracing::info!(%addr, "webhook receiver listening");
        Ok(Receiver {
            addr,
            shared,
            stop: Some(stop),
            server,
            worker,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Activities accepted (`202`) that the engine has not processed yet.
    pub fn queued(&self) -> usize {
        self.shared.pending().len()
    }

    /// The address to configure in NinjaOne or a relay.
    pub fn url(&self) -> String {
        format!("http://{}{WEBHOOK_PATH}", self.addr)
    }

    /// Stops answering (requests in flight finish).
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = (&mut self.server).await;
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
        self.worker.abort();
    }
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(WEBHOOK_PATH, post(receive).put(receive))
        .route("/healthz", get(|| async { StatusCode::OK }))
        .layer(DefaultBodyLimit::disable())
        .with_state(shared)
}

fn answer(status: StatusCode, reason: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::json!({ "status": status.as_u16(), "reason": reason }).to_string(),
    )
        .into_response()
}

/// The secret a request presents, from either header.
fn presented(headers: &HeaderMap) -> Option<&[u8]> {
    if let Some(value) = headers.get(SECRET_HEADER) {
        return Some(value.as_bytes());
    }
    let auth = headers.get(header::AUTHORIZATION)?.as_bytes();
    let prefix = b"Bearer ";
    (auth.len() > prefix.len() && auth[..prefix.len()].eq_ignore_ascii_case(prefix))
        .then(|| &auth[prefix.len()..])
}

fn secret_matches(given: &[u8], secret: &SecretString) -> bool {
    let expected = secret.expose_secret().as_bytes();
    // `ct_eq` on slices of different lengths is false without comparing; only the length
    // of the secret can be learnt that way, never its content.
    !expected.is_empty() && bool::from(given.ct_eq(expected))
}

/// `sha256=<hex>` of the raw body, keyed with the secret; verified in constant time.
fn signature_matches(header: &[u8], body: &[u8], secret: &SecretString) -> bool {
    let Some(hex_sig) = header.strip_prefix(b"sha256=") else {
        return false;
    };
    let Ok(signature) = hex::decode(hex_sig) else {
        return false;
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes()) else {
        return false;
    };
    mac.update(body);
    mac.verify_slice(&signature).is_ok()
}

/// The `X-Fleetward-Signature` value for `body` (for relays, tests and "send test event").
pub fn sign(body: &[u8], secret: &SecretString) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose_secret().as_bytes())
        .expect("HMAC-SHA256 accepts keys of any length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

async fn receive(State(s): State<Arc<Shared>>, headers: HeaderMap, body: Body) -> Response {
    match presented(&headers) {
        Some(given) if secret_matches(given, &s.secret) => {}
        Some(_) => return answer(StatusCode::UNAUTHORIZED, "wrong secret"),
        None => return answer(StatusCode::UNAUTHORIZED, "missing secret"),
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        return answer(StatusCode::PAYLOAD_TOO_LARGE, "body over 1 MiB");
    }
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return answer(StatusCode::PAYLOAD_TOO_LARGE, "body over 1 MiB");
    };
    match headers.get(SIGNATURE_HEADER) {
        Some(sig) if !signature_matches(sig.as_bytes(), &bytes, &s.secret) => {
            return answer(StatusCode::UNAUTHORIZED, "bad signature")
        }
        None if s.require_signature => {
            return answer(StatusCode::UNAUTHORIZED, "missing signature")
        }
        _ => {}
    }
    let activities = match payload::parse(&bytes) {
        Ok(list) => list,
        Err(err) => return answer(StatusCode::BAD_REQUEST, &err.to_string()),
    };
    let ids: Vec<i64> = activities.iter().filter_map(|a| a.id).collect();
    let mut seen: HashSet<i64> = {
        let pending = s.pending();
        ids.iter()
            .copied()
            .filter(|id| pending.contains(id))
            .collect()
    };
    match s.sink.seen(ids.clone()).await {
        Ok(found) => seen.extend(found),
        Err(err) => {
            tracing::warn!(error = %err, "the store could not say which activities were seen");
            return retry_later("the store is busy");
        }
    }
    let fresh: Vec<Activity> = {
        let mut taken = HashSet::new();
        activities
            .into_iter()
            .filter(|a| {
                a.id.is_some_and(|id| !seen.contains(&id) && taken.insert(id))
            })
            .collect()
    };
    if fresh.is_empty() {
        return answer(StatusCode::OK, "already seen");
    }
    let fresh_ids: Vec<i64> = fresh.iter().filter_map(|a| a.id).collect();
    {
        let mut pending = s.pending();
        // Deliveries are bounded in number by the queue and in activities here, so a storm
        // of large deliveries cannot hold more than a bounded amount of memory.
        if pending.len() + fresh_ids.len() > MAX_QUEUED_ACTIVITIES {
            return retry_later("queue full");
        }
        fresh_ids.iter().for_each(|id| {
            pending.insert(*id);
        });
    }
    match s.queue.try_send(fresh) {
        Ok(()) => answer(StatusCode::ACCEPTED, "queued"),
        Err(_) => {
            let mut pending = s.pending();
            fresh_ids.iter().for_each(|id| {
                pending.remove(id);
            });
            retry_later("queue full")
        }
    }
}

fn retry_later(reason: &str) -> Response {
    let mut response = answer(StatusCode::TOO_MANY_REQUESTS, reason);
    response.headers_mut().insert(
        header::RETRY_AFTER,
        header::HeaderValue::from(RETRY_AFTER_SECS),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_verify_only_for_the_same_body_and_secret() {
        let secret = SecretString::from("s3cret");
        let sig = sign(b"{\"id\":1}", &secret);
        assert!(sig.starts_with("sha256="));
        assert!(signature_matches(sig.as_bytes(), b"{\"id\":1}", &secret));
        assert!(!signature_matches(sig.as_bytes(), b"{\"id\":2}", &secret));
        assert!(!signature_matches(
            sig.as_bytes(),
            b"{\"id\":1}",
            &SecretString::from("other")
        ));
        assert!(!signature_matches(b"sha1=00", b"", &secret));
        assert!(!signature_matches(b"sha256=zz", b"", &secret));
    }

    #[test]
    fn the_secret_comes_from_either_header() {
        let mut headers = HeaderMap::new();
        assert_eq!(presented(&headers), None);
        headers.insert(header::AUTHORIZATION, "bearer abc".parse().unwrap());
        assert_eq!(presented(&headers), Some(&b"abc"[..]));
        headers.insert(SECRET_HEADER, "xyz".parse().unwrap());
        assert_eq!(presented(&headers), Some(&b"xyz"[..]));
        assert!(secret_matches(b"xyz", &SecretString::from("xyz")));
        assert!(!secret_matches(b"xy", &SecretString::from("xyz")));
        assert!(!secret_matches(b"", &SecretString::from("")));
    }
}
