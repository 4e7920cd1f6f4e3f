//! Runs as the history shows them (SPEC §4, §10 `runs list`): syncs and sweeps now, polls
//! with their capability.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::compliance::sweep::SweepCounts;
use crate::engine::Trigger;
use crate::ids::RunId;
use crate::sync::{RunStatus, SyncCounts};

/// How long run details are kept (SPEC §4: 90 days); the audit trail is never pruned.
pub const RETENTION_DAYS: i64 = 90;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum RunKind {
    Sync,
    Sweep,
    Poll,
    Discovery,
}

impl RunKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RunKind::Sync => "sync",
            RunKind::Sweep => "sweep",
            RunKind::Poll => "poll",
            RunKind::Discovery => "discovery",
        }
    }

    pub fn parse(text: &str) -> Option<RunKind> {
        [
            RunKind::Sync,
            RunKind::Sweep,
            RunKind::Poll,
            RunKind::Discovery,
        ]
        .into_iter()
        .find(|k| k.as_str() == text)
    }
}

/// One row of `runs list` and the Sync history screen.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RunRow {
    pub id: RunId,
    pub kind: RunKind,
    pub trigger: Trigger,
    pub scope: String,
    pub status: RunStatus,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    #[ts(type = "number")]
    pub requests: u64,
    /// Items NinjaOne sent that did not parse (skipped, counted).
    #[ts(type = "number")]
    pub malformed_items: u64,
    pub truncated_any: bool,
    /// For syncs: the totals over the run's mappings.
    pub counts: Option<SyncCounts>,
    /// For sweeps: companies swept, what was written, and requests per report.
    pub sweep: Option<SweepCounts>,
    /// What went wrong, each with what to do.
    pub errors: Vec<String>,
}

/// Runs `tick` every `period`, forever: work beside a run (renewing its locks, reporting its
/// progress) that the run races and drops when it ends.
pub(crate) async fn every<F, Fut>(period: std::time::Duration, mut tick: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    loop {
        tokio::time::sleep(period).await;
        tick().await;
    }
}

/// One mapping's part of a sync run, as Sync history shows it when a run is opened.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RunCompanyRow {
    pub company_id: crate::ids::CompanyId,
    /// `None` when the company has since been removed.
    pub company_name: Option<String>,
    pub connection_id: crate::ids::ConnectionId,
    pub org_id: crate::ids::NinjaOrgId,
    #[serde(flatten)]
    #[ts(flatten)]
    pub counts: SyncCounts,
    pub truncated: bool,
    pub error: Option<String>,
}

/// A request to stop a run at its next safe point (between pages, before a company's
/// write), within this process. Other processes ask through the store
/// (`store::runs::request_cancel`), which a run checks as it goes.
#[derive(Debug, Clone, Default)]
pub struct Cancel(std::sync::Arc<CancelState>);

#[derive(Debug, Default)]
struct CancelState {
    requested: std::sync::atomic::AtomicBool,
    notify: tokio::sync::Notify,
}

impl Cancel {
    pub fn cancel(&self) {
        self.0
            .requested
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.0.notify.notify_waiters();
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.requested.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Resolves once the run is cancelled.
    pub async fn cancelled(&self) {
        loop {
            let notified = self.0.notify.notified();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}

/// The runs this engine is running, so they can be cancelled by id or all at once.
#[derive(Debug, Default)]
pub struct Running(std::sync::Mutex<std::collections::HashMap<RunId, Cancel>>);

impl Running {
    /// The run's cancel token, made on first call (registering twice keeps a cancel made
    /// in between).
    pub fn register(&self, run: RunId) -> Cancel {
        self.lock().entry(run).or_default().clone()
    }

    pub fn finish(&self, run: RunId) {
        self.lock().remove(&run);
    }

    /// Cancels `run` when this engine runs it; false when it does not.
    pub fn cancel(&self, run: RunId) -> bool {
        self.lock().get(&run).map(Cancel::cancel).is_some()
    }

    /// Cancels every run of this engine (Ctrl-C in the CLI, quitting the app); how many.
    pub fn cancel_all(&self) -> usize {
        let runs = self.lock();
        runs.values().for_each(Cancel::cancel);
        runs.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<RunId, Cancel>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Asks a running run to stop (SPEC §4: a run can be cancelled): at once when this engine
/// runs it, at its next check when another process does. Answers what the run is now.
pub async fn cancel(
    store: &crate::store::Store,
    running: &Running,
    run: RunId,
) -> crate::Result<RunStatus> {
    let status = crate::store::runs::request_cancel(store.pool(), run)
        .await?
        .ok_or_else(|| {
            crate::Error::InvalidInput(format!(
                "There is no run {run}. `fleetward-cli runs list` (or Sync history) shows the runs."
            ))
        })?;
    if status != RunStatus::Running {
        return Err(crate::Error::InvalidInput(format!(
            "Run {run} has already ended ({}), so there is nothing to cancel.",
            status.as_str()
        )));
    }
    running.cancel(run);
    Ok(status)
}

/// Runs left "running" by a process that died (closed, killed, crashed) end as failed, with
/// why and what to do, so history never shows a run running forever.
pub async fn settle_interrupted(
    store: &crate::store::Store,
    data_dir: &std::path::Path,
    own_holder: &str,
    now: DateTime<Utc>,
) -> crate::Result<u64> {
    let mut settled = 0;
    for holder in crate::store::runs::running_holders(store.pool()).await? {
        if holder == own_holder || crate::data_dir::holder_alive(data_dir, &holder) {
            continue;
        }
        let mut tx = store.write().await?;
        settled += crate::store::runs::interrupted(&mut tx, &holder, INTERRUPTED, now).await?;
        tx.commit().await?;
    }
    Ok(settled)
}

const INTERRUPTED: &str =
    "Interrupted: the app or fleetward-cli running it stopped (closed, killed or crashed) \
     before it finished. Companies written before that were kept whole; run it again for the rest.";

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_cancelled_run_is_told_at_once_and_an_unknown_one_is_not_found() {
        let running = Running::default();
        let cancel = running.register(RunId(4));
        let waiter = tokio::spawn({
            let cancel = cancel.clone();
            async move { cancel.cancelled().await }
        });
        assert!(!running.cancel(RunId(5)), "not a run of this engine");
        assert!(running.cancel(RunId(4)));
        waiter.await.unwrap();
        assert!(cancel.is_cancelled());
        running.finish(RunId(4));
        assert!(
            !running.cancel(RunId(4)),
            "a finished run cannot be cancelled"
        );
    }
}
