//! HTTP/1 over TCP with every bound a receiver on a network needs, which `axum::serve` does
//! not give: a deadline for a request's head (which also closes an idle keep-alive
//! connection, since hyper starts that timer whenever it waits for the next request), a cap
//! on open connections (a refused one is closed at once, so the process never runs out of
//! file descriptors), and a stop that lets requests in flight finish within a grace and
//! then cuts whatever is left. The body deadline is the handler's (it answers `400`).

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;
use tower::ServiceExt;

/// The time limits and the connection cap of a receiver. [`Limits::default`] is what the app
/// and the CLI use; tests shorten the times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// From connecting (or the end of the previous answer) to the end of a request's head.
    /// NinjaOne and relays send a head in one packet; 10 s is generous for a slow link and
    /// short enough that slow-header clients cannot pile up. It is also the idle keep-alive
    /// timeout: hyper runs this timer while it waits for the next request.
    pub header_timeout: Duration,
    /// From the head to the end of the body: 1 MiB at 35 KB/s. A body that has not arrived by
    /// then is answered `400 body incomplete`.
    pub body_timeout: Duration,
    /// Open connections at once. NinjaOne and relays use a handful; 128 leaves room for a
    /// burst and stays well under the descriptors a process gets (1,024 on Linux, 256 on
    /// macOS), with the store's files and the app's own sockets beside them.
    pub max_connections: usize,
    /// How long a stop waits for requests in flight to be answered before closing their
    /// connections; the activities they brought are journaled either way or never `202`.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_connections: 128,
            shutdown_grace: Duration::from_secs(5),
        }
    }
}

/// What a connection over the cap reads before it is closed (written only if the socket
/// takes it at once: a refusal never waits on the client).
const OVER_CAPACITY: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\n\
Content-Length: 0\r\nConnection: close\r\n\r\n";
/// The pause after a failed accept (out of descriptors, most likely) before the next: a
/// busy loop would only fail again.
const ACCEPT_PAUSE: Duration = Duration::from_millis(50);

/// Serves `app` on `listener` until `stop` turns true, then drains as [`Limits`] says.
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    mut stop: watch::Receiver<bool>,
) {
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let mut connections = JoinSet::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    loop {
        let (stream, remote) = tokio::select! {
            _ = stop.changed() => break,
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    tracing::warn!(error = %err, "the webhook receiver could not accept a connection");
                    tokio::time::sleep(ACCEPT_PAUSE).await;
                    continue;
                }
            },
        };
        let Ok(permit) = permits.clone().try_acquire_owned() else {
            tracing::warn!(%remote, max = limits.max_connections, "too many connections; one refused");
            let _ = stream.try_write(OVER_CAPACITY);
            continue;
        };
        let app = app.clone();
        // The sender's address goes with each request, for failed-secret throttling.
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(remote));
            app.clone().oneshot(request)
        });
        let connection = http.serve_connection(TokioIo::new(stream), service);
        let mut stop = stop.clone();
        connections.spawn(async move {
            let _permit = permit;
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                _ = connection.as_mut() => {}
                _ = stop.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
    }
    drop(listener);
    let drained = tokio::time::timeout(limits.shutdown_grace, async {
        while connections.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::warn!(
            open = connections.len(),
            "connections still open after the stop's grace were closed"
        );
    }
    connections.shutdown().await;
}
