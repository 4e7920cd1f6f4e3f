//! The local webhook receiver (SPEC §7), exactly its contract, so NinjaOne, a relay or a
//! script can target it: `POST` or `PUT /ninjaone/webhook` with one activity object or a
//! JSON array of them; the shared secret in `X-Fleetward-Secret` or `Authorization: Bearer`
//! (compared in constant time); an optional — or required — `X-Fleetward-Signature:
//! sha256=<hex HMAC-SHA256 of the raw body>`; answers `202` accepted and journaled, `200`
//! already seen, `401` missing or wrong secret or signature, `413` over 1 MiB, `400` not
//! JSON, not an activity or a body that never arrived whole, `429` + `Retry-After` when the
//! queue is full, the store cannot journal, or an address sent too many wrong secrets;
//! `GET /healthz` answers `200` and says nothing else.
//!
//! `202` means durable: a delivery is journaled in the encrypted store before it is
//! answered, processed after, and a stop (SIGINT/SIGTERM) empties the journal before the
//! process exits (`journal`). Every connection is bounded in time and number (`serve`).
//! Nothing from a rejected request is stored. Its own crate, so the engine stays free of an
//! HTTP server.

mod journal;
mod serve;
mod throttle;

use std::collections::HashSet;
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use fleetward_core::incidents::handling::{SECRET_HEADER, WEBHOOK_PATH};
use fleetward_core::incidents::payload;
use fleetward_core::time::Clock;
use fleetward_core::Engine;
use hmac::{Hmac, Mac};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use ninjaone::models::Activity;
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use subtle::ConstantTimeEq;
use tokio::sync::{mpsc, oneshot, watch, Notify};

pub use journal::StopReport;
pub use serve::Limits;
pub use throttle::{FAILURE_WINDOW, MAX_SECRET_FAILURES};

use journal::Delivery;
use throttle::SecretFailures;

/// Bodies over this are refused with `413` (SPEC §7: 1 MiB).
pub const BODY_LIMIT: usize = 1024 * 1024;
/// Deliveries waiting to be journaled before the receiver answers `429`: about a second of
/// a storm (the incidents benchmark's eight senders deliver ~8,000 a second), a few MB.
pub const QUEUE_CAPACITY: usize = 8_192;
/// Most activities journaled in one transaction, and handed to the engine at once: a burst
/// costs one commit per this many instead of one per delivery.
pub const MAX_BATCH: usize = 2_000;
/// Activities accepted but not yet processed before the receiver answers `429`, whatever
/// the number of deliveries they came in: a few tens of MB at most (an activity is ~1 KB),
/// about ten seconds of the engine's work.
pub const MAX_QUEUED_ACTIVITIES: usize = 50_000;
/// What `429` asks a sender to wait, in seconds: the engine drains a full queue in about
/// that (5,000+ activities a second), so a longer wait only idles the sender.
pub const RETRY_AFTER_SECS: u64 = 1;
/// The shortest secret a receiver reachable from other computers accepts: 32 characters of
/// a generated secret are ~190 bits, beyond guessing even at the throttled rate; a short
/// hand-typed one is not. On loopback only this computer can try, so any secret does.
pub const MIN_EXPOSED_SECRET_CHARS: usize = 32;
pub const SIGNATURE_HEADER: &str = "X-Fleetward-Signature";

type Answer<'a, T> = Pin<Box<dyn Future<Output = Result<T, String>> + Send + 'a>>;

/// Where the accepted work goes: the engine in the app and the CLI, a recorder in tests.
pub trait Sink: Send + Sync + 'static {
    /// Which of `ids` have been processed already.
    fn seen(&self, ids: Vec<i64>) -> Answer<'_, Vec<i64>>;
    /// Keeps accepted activities durably, all in one transaction: once this succeeds they
    /// survive a crash, a kill and a stop.
    fn journal(&self, activities: Vec<Activity>) -> Answer<'_, ()>;
    /// Processes up to `limit` journaled activities, oldest first, and removes them from the
    /// journal; their ids (none when it is empty). A failure leaves the journal as it was.
    fn process(&self, limit: usize) -> Answer<'_, Vec<i64>>;
    /// How many activities the journal holds.
    fn journaled(&self) -> Answer<'_, u64>;
}

/// The engine as the receiver's sink.
pub struct EngineSink(pub Arc<Engine>);

impl Sink for EngineSink {
    fn seen(&self, ids: Vec<i64>) -> Answer<'_, Vec<i64>> {
        Box::pin(async move {
            self.0
                .activities_seen(&ids)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn journal(&self, activities: Vec<Activity>) -> Answer<'_, ()> {
        Box::pin(async move {
            self.0
                .journal_activities(&activities)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn process(&self, limit: usize) -> Answer<'_, Vec<i64>> {
        Box::pin(async move {
            self.0
                .process_journal(limit)
                .await
                .map_err(|e| e.to_string())
        })
    }

    fn journaled(&self) -> Answer<'_, u64> {
        Box::pin(async move {
            self.0
                .journaled_activities()
                .await
                .map_err(|e| e.to_string())
        })
    }
}

#[derive(Clone)]
pub struct ReceiverConfig {
    pub bind: SocketAddr,
    pub secret: SecretString,
    pub require_signature: bool,
    pub queue_capacity: usize,
    pub limits: Limits,
    /// Times failed secrets (the engine's clock in the app and the CLI).
    pub clock: Arc<dyn Clock>,
}

impl ReceiverConfig {
    /// The receiver on `bind` with `secret`, the default queue and limits, the system clock.
    pub fn new(bind: SocketAddr, secret: SecretString) -> ReceiverConfig {
        ReceiverConfig {
            bind,
            secret,
            require_signature: false,
            queue_capacity: QUEUE_CAPACITY,
            limits: Limits::default(),
            clock: fleetward_core::time::system(),
        }
    }
}

impl std::fmt::Debug for ReceiverConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceiverConfig")
            .field("bind", &self.bind)
            .field("secret", &"[redacted]")
            .field("require_signature", &self.require_signature)
            .field("queue_capacity", &self.queue_capacity)
            .field("limits", &self.limits)
            .finish()
    }
}

/// Why `secret` may not guard a receiver listening on `ip`, if it may not: reachable from
/// other computers, it must have at least [`MIN_EXPOSED_SECRET_CHARS`] characters.
pub fn secret_refusal(ip: IpAddr, secret: &SecretString) -> Option<String> {
    let chars = secret.expose_secret().trim().chars().count();
    if chars == 0 {
        return Some(
            "The webhook secret is empty, so the receiver would refuse everything.".into(),
        );
    }
    (!ip.is_loopback() && chars < MIN_EXPOSED_SECRET_CHARS).then(|| {
        format!(
            "The webhook secret has {chars} characters; a receiver on {ip}, reachable from other computers, needs at least \
             {MIN_EXPOSED_SECRET_CHARS}. Generate one (in the app under Settings → Webhook receiver, or e.g. `openssl rand -hex 32`), \
             or listen on 127.0.0.1 only."
        )
    })
}

pub(crate) struct Shared {
    secret: SecretString,
    require_signature: bool,
    queue: mpsc::Sender<Delivery>,
    /// Ids accepted but not yet processed: a repeat answers `200` at once.
    pending: Mutex<HashSet<i64>>,
    sink: Arc<dyn Sink>,
    failures: Mutex<SecretFailures>,
    clock: Arc<dyn Clock>,
    body_timeout: std::time::Duration,
}

impl Shared {
    fn pending(&self) -> std::sync::MutexGuard<'_, HashSet<i64>> {
        // Insert and remove are single steps: a poisoned set is still consistent.
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Drops `ids` from the pending set (processed, or refused by the store).
    pub(crate) fn forget(&self, ids: &[i64]) {
        let mut pending = self.pending();
        ids.iter().for_each(|id| {
            pending.remove(id);
        });
    }

    fn failures(&self) -> std::sync::MutexGuard<'_, SecretFailures> {
        // Each update is one map operation: a poisoned map is still consistent.
        self.failures.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running receiver; dropping it stops it at once (what was answered `202` stays
/// journaled for the next start); [`Receiver::stop`] stops it cleanly.
pub struct Receiver {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    closing: watch::Sender<bool>,
    finishing: watch::Sender<bool>,
    server: tokio::task::JoinHandle<()>,
    keeper: tokio::task::JoinHandle<()>,
    processor: tokio::task::JoinHandle<StopReport>,
}

impl Receiver {
    /// Binds `config.bind` and starts answering; what a previous receiver left journaled is
    /// processed first.
    pub async fn start(config: ReceiverConfig, sink: Arc<dyn Sink>) -> std::io::Result<Receiver> {
        let listener = tokio::net::TcpListener::bind(config.bind).await?;
        let addr = listener.local_addr()?;
        let (queue, work) = mpsc::channel::<Delivery>(config.queue_capacity.max(1));
        let shared = Arc::new(Shared {
            secret: config.secret,
            require_signature: config.require_signature,
            queue,
            pending: Mutex::default(),
            sink,
            failures: Mutex::default(),
            clock: config.clock,
            body_timeout: config.limits.body_timeout,
        });
        let kept = Arc::new(Notify::new());
        let (closing, closing_rx) = watch::channel(false);
        let (finishing, finishing_rx) = watch::channel(false);
        let keeper = tokio::spawn(journal::keep(
            shared.clone(),
            work,
            closing_rx,
            kept.clone(),
        ));
        let processor = tokio::spawn(journal::process(shared.clone(), kept, finishing_rx));
        let (stop, stop_rx) = watch::channel(false);
        let server = tokio::spawn(serve::serve(
            listener,
            router(shared.clone()),
            config.limits,
            stop_rx,
        ));
        tracing::info!(%addr, "webhook receiver listening");
        Ok(Receiver {
            addr,
            shared,
            stop,
            closing,
            finishing,
            server,
            keeper,
            processor,
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

    /// Stops cleanly: no new connection; requests in flight are answered within the grace
    /// (their connections closed after it); everything accepted is journaled, then the
    /// journal is processed. Says what the stop processed and what stays journaled.
    pub async fn stop(mut self) -> StopReport {
        let _ = self.stop.send(true);
        let _ = (&mut self.server).await;
        let _ = self.closing.send(true);
        let _ = (&mut self.keeper).await;
        let _ = self.finishing.send(true);
        (&mut self.processor).await.unwrap_or_default()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.server.abort();
        self.keeper.abort();
        self.processor.abort();
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

async fn receive(
    State(s): State<Arc<Shared>>,
    ConnectInfo(remote): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    if let Some(wait) = s.failures().refused_for(remote.ip(), s.clock.now()) {
        return retry_after(
            "too many wrong secrets from this address",
            wait.as_secs().max(1),
        );
    }
    let failed = match presented(&headers) {
        Some(given) if secret_matches(given, &s.secret) => None,
        Some(_) => Some("wrong secret"),
        None => Some("missing secret"),
    };
    if let Some(reason) = failed {
        s.failures().record(remote.ip(), s.clock.now());
        return answer(StatusCode::UNAUTHORIZED, reason);
    }
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        return answer(StatusCode::PAYLOAD_TOO_LARGE, "body over 1 MiB");
    }
    let read = tokio::time::timeout(s.body_timeout, Limited::new(body, BODY_LIMIT).collect());
    let bytes = match read.await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(err)) if err.downcast_ref::<LengthLimitError>().is_some() => {
            return answer(StatusCode::PAYLOAD_TOO_LARGE, "body over 1 MiB")
        }
        // The sender hung up or stalled before the length it announced.
        Ok(Err(_)) | Err(_) => return answer(StatusCode::BAD_REQUEST, "body incomplete"),
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
    let (kept, journaled) = oneshot::channel();
    let delivery = Delivery {
        activities: fresh,
        kept,
    };
    if s.queue.try_send(delivery).is_err() {
        s.forget(&fresh_ids);
        return retry_later("queue full");
    }
    // `202` only once the delivery is in the store's journal: it survives what follows.
    match journaled.await {
        Ok(Ok(())) => answer(StatusCode::ACCEPTED, "queued"),
        Ok(Err(_)) | Err(_) => retry_later("the store could not keep the delivery"),
    }
}

fn retry_later(reason: &str) -> Response {
    retry_after(reason, RETRY_AFTER_SECS)
}

fn retry_after(reason: &str, secs: u64) -> Response {
    let mut response = answer(StatusCode::TOO_MANY_REQUESTS, reason);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
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

    #[test]
    fn a_receiver_reachable_from_other_computers_needs_a_long_secret() {
        let short = SecretString::from("serve-secret");
        let long = SecretString::from("x".repeat(MIN_EXPOSED_SECRET_CHARS));
        let loopback: IpAddr = "127.0.0.1".parse().unwrap();
        let everywhere: IpAddr = "0.0.0.0".parse().unwrap();
        let lan: IpAddr = "192.168.1.5".parse().unwrap();
        assert_eq!(secret_refusal(loopback, &short), None);
        assert_eq!(secret_refusal("::1".parse().unwrap(), &short), None);
        assert!(secret_refusal(everywhere, &short)
            .unwrap()
            .contains("at least 32"));
        assert!(secret_refusal(lan, &short).is_some());
        assert_eq!(secret_refusal(lan, &long), None);
        assert!(secret_refusal(loopback, &SecretString::from(" ")).is_some());
    }
}
