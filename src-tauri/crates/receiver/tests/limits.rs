//! The receiver's bounds over real loopback TCP (SPEC §7, §11): a request's head, its body
//! and an idle connection each have a deadline; open connections are capped; a stop
//! finishes while a slow client is connected; wrong secrets are throttled per address.
//! Short limits keep each test to a few seconds.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};

use fleetward_core::time::ManualClock;
use fleetward_receiver::{Limits, Receiver, ReceiverConfig, Sink};
use ninjaone::models::Activity;
use ninjaone::secrecy::SecretString;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SECRET: &str = "limits-secret-0123456789abcdef";

/// Accepts everything and keeps nothing: these tests are about connections.
struct Accepting;

type Answer<'a, T> = Pin<Box<dyn Future<Output = Result<T, String>> + Send + 'a>>;

impl Sink for Accepting {
    fn seen(&self, _ids: Vec<i64>) -> Answer<'_, Vec<i64>> {
        Box::pin(async { Ok(Vec::new()) })
    }
    fn journal(&self, _activities: Vec<Activity>) -> Answer<'_, ()> {
        Box::pin(async { Ok(()) })
    }
    fn process(&self, _limit: usize) -> Answer<'_, Vec<i64>> {
        Box::pin(async { Ok(Vec::new()) })
    }
    fn journaled(&self) -> Answer<'_, u64> {
        Box::pin(async { Ok(0) })
    }
}

fn short_limits() -> Limits {
    Limits {
        header_timeout: Duration::from_secs(1),
        body_timeout: Duration::from_secs(1),
        max_connections: 128,
        shutdown_grace: Duration::from_secs(1),
    }
}

async fn start(limits: Limits) -> Receiver {
    let config = ReceiverConfig {
        limits,
        ..ReceiverConfig::new("127.0.0.1:0".parse().unwrap(), SecretString::from(SECRET))
    };
    Receiver::start(config, Arc::new(Accepting)).await.unwrap()
}

/// A connection that has sent half a request head and then nothing.
async fn slow_header(r: &Receiver) -> TcpStream {
    let mut stream = TcpStream::connect(r.local_addr()).await.unwrap();
    stream
        .write_all(b"POST /ninjaone/webhook HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    stream
}

/// Reads until the server closes the connection (bounded by `within`); what it sent, or
/// `None` when it was still open.
async fn closed_within(stream: &mut TcpStream, within: Duration) -> Option<String> {
    let mut got = Vec::new();
    let read = tokio::time::timeout(within, async {
        let mut buf = [0u8; 1024];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    read.ok()
        .map(|()| String::from_utf8_lossy(&got).into_owned())
}

fn request(body: &str, length: usize) -> String {
    format!(
        "POST /ninjaone/webhook HTTP/1.1\r\nHost: x\r\nX-Fleetward-Secret: {SECRET}\r\nContent-Length: {length}\r\n\r\n{body}"
    )
}

const ACTIVITY: &str = r#"{"id": 1, "statusCode": "TRIGGERED"}"#;

#[tokio::test]
async fn a_hundred_slow_header_clients_are_all_closed_after_the_header_timeout() {
    let r = start(short_limits()).await;
    let mut clients = Vec::new();
    for _ in 0..100 {
        clients.push(slow_header(&r).await);
    }
    let started = Instant::now();
    let closes: Vec<_> = clients
        .into_iter()
        .map(|mut c| {
            tokio::spawn(async move { closed_within(&mut c, Duration::from_secs(5)).await })
        })
        .collect();
    let mut open = 0;
    for close in closes {
        open += usize::from(close.await.unwrap().is_none());
    }
    assert_eq!(open, 0, "{open} slow clients still connected");
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_header_timeout() {
    let r = start(short_limits()).await;
    let mut stream = TcpStream::connect(r.local_addr()).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 256];
    let n = stream.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    // Kept alive, then idle: closed once no next request came within the header timeout.
    let started = Instant::now();
    assert!(closed_within(&mut stream, Duration::from_secs(5))
        .await
        .is_some());
    assert!(started.elapsed() >= Duration::from_millis(900));
}

#[tokio::test]
async fn a_body_shorter_than_its_content_length_answers_400_not_413() {
    let r = start(short_limits()).await;
    // The sender stalls: answered when the body deadline passes.
    let mut stalled = TcpStream::connect(r.local_addr()).await.unwrap();
    stalled
        .write_all(request(ACTIVITY, ACTIVITY.len() + 100).as_bytes())
        .await
        .unwrap();
    let answer = closed_within(&mut stalled, Duration::from_secs(5))
        .await
        .expect("answered and closed");
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(answer.contains("body incomplete"), "{answer}");
    // The sender hangs up its side early: answered at once.
    let mut cut = TcpStream::connect(r.local_addr()).await.unwrap();
    cut.write_all(request(ACTIVITY, ACTIVITY.len() + 100).as_bytes())
        .await
        .unwrap();
    cut.shutdown().await.unwrap();
    let answer = closed_within(&mut cut, Duration::from_secs(5))
        .await
        .expect("answered and closed");
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    // A whole body is still accepted.
    let mut whole = TcpStream::connect(r.local_addr()).await.unwrap();
    whole
        .write_all(request(ACTIVITY, ACTIVITY.len()).as_bytes())
        .await
        .unwrap();
    let mut buf = [0u8; 256];
    let n = whole.read(&mut buf).await.unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 202"));
}

#[tokio::test]
async fn connections_over_the_limit_are_refused_at_once_and_a_freed_place_is_reused() {
    let r = start(Limits {
        max_connections: 4,
        header_timeout: Duration::from_secs(30),
        ..short_limits()
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..4 {
        held.push(slow_header(&r).await);
    }
    let mut over = slow_header(&r).await;
    let refusal = closed_within(&mut over, Duration::from_secs(2))
        .await
        .expect("the fifth connection is closed at once");
    assert!(
        refusal.is_empty() || refusal.starts_with("HTTP/1.1 503"),
        "{refusal}"
    );
    drop(held.pop());
    // The server notices the close when it next reads: try a bounded number of times.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let answer = reqwest::get(format!("http://{}/healthz", r.local_addr())).await;
        if answer.is_ok_and(|a| a.status() == 200) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the freed place was never reused"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_stop_completes_while_a_slow_client_is_connected() {
    let r = start(Limits {
        header_timeout: Duration::from_secs(60),
        body_timeout: Duration::from_secs(60),
        ..short_limits()
    })
    .await;
    let _slow = slow_header(&r).await;
    let mut stalled = TcpStream::connect(r.local_addr()).await.unwrap();
    stalled
        .write_all(request(ACTIVITY, ACTIVITY.len() + 100).as_bytes())
        .await
        .unwrap();
    let started = Instant::now();
    tokio::time::timeout(Duration::from_secs(5), r.stop())
        .await
        .expect("the stop finished within its grace");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn wrong_secrets_from_one_address_are_refused_429_until_the_window_passes() {
    let clock = Arc::new(ManualClock::starting_now());
    let config = ReceiverConfig {
        clock: clock.clone(),
        ..ReceiverConfig::new("127.0.0.1:0".parse().unwrap(), SecretString::from(SECRET))
    };
    let r = Receiver::start(config, Arc::new(Accepting)).await.unwrap();
    let http = reqwest::Client::new();
    let send = |secret: &'static str| {
        http.post(r.url())
            .header("X-Fleetward-Secret", secret)
            .body(ACTIVITY)
            .send()
    };
    for _ in 0..fleetward_receiver::MAX_SECRET_FAILURES {
        assert_eq!(send("guess").await.unwrap().status(), 401);
    }
    // Even the right secret waits now: a guess that happens to be right proves nothing.
    let refused = send(SECRET).await.unwrap();
    assert_eq!(refused.status(), 429);
    assert_eq!(refused.headers()["retry-after"], "60");
    clock.advance(Duration::from_secs(30));
    let later = send(SECRET).await.unwrap();
    assert_eq!(later.headers()["retry-after"], "30");
    clock.advance(fleetward_receiver::FAILURE_WINDOW);
    assert_eq!(send(SECRET).await.unwrap().status(), 202);
}
