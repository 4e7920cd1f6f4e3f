//! Starting and stopping the server. The tenant is generated before the port answers, so
//! the first request never waits for it; generation runs on a blocking thread because a
//! 100,000-device tenant takes a moment.

use std::io;
use std::net::Ipv4Addr;
use std::time::Duration;

use axum::serve::ListenerExt;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::clock::{anchor_for, epoch};
use crate::config::SimConfig;
use crate::control::Control;
use crate::{server, tenant};

/// In-flight requests get this long to finish when the simulator shuts down.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A running simulator on 127.0.0.1.
pub struct Simulator {
    base_url: String,
    control: Control,
    stop: oneshot::Sender<()>,
    task: JoinHandle<io::Result<()>>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("base_url", &self.base_url)
            .finish()
    }
}

impl Simulator {
    /// Starts on a free port.
    pub async fn start(config: SimConfig) -> io::Result<Simulator> {
        Simulator::start_on(config, 0).await
    }

    /// Starts on `port` (0 picks a free one).
    pub async fn start_on(config: SimConfig, port: u16) -> io::Result<Simulator> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).await?;
        let port = listener.local_addr()?.port();
        let base_url = format!("http://127.0.0.1:{port}");
        let anchor = anchor_for(epoch(config.clock.now()));
        let generation_config = config.clone();
        let tenant =
            tokio::task::spawn_blocking(move || tenant::generate(&generation_config, anchor))
                .await
                .map_err(io::Error::other)?;
        let control = Control::new(config, base_url.clone(), tenant);
        let app = server::router(control.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        // Each answer goes out as soon as it is written: without TCP_NODELAY, Nagle's
        // algorithm holds an answer's last segment back until the client's delayed ACK (40 ms
        // on Linux), which would add that to every page a client reads.
        let listener = listener.tap_io(|stream| {
            let _ = stream.set_nodelay(true);
        });
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    // Dropping the Simulator without `shutdown` keeps serving: a test that
                    // only kept `base_url()` or a `Control` still has a server.
                    if stopped.await.is_err() {
                        std::future::pending::<()>().await;
                    }
                })
                .await
        });
        Ok(Simulator {
            base_url,
            control,
            stop,
            task,
        })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    pub fn control(&self) -> Control {
        self.control.clone()
    }

    /// Stops accepting connections and waits briefly for in-flight requests.
    pub async fn shutdown(self) {
        let Simulator { stop, mut task, .. } = self;
        // The server may already have stopped, dropping the receiver; nothing to do then.
        let _ = stop.send(());
        if tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
            .await
            .is_err()
        {
            task.abort();
        }
    }
}
