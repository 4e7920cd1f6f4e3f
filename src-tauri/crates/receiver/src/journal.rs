//! What makes `202` mean "durable" (SPEC §7): the receiver's two workers. The keeper takes
//! the deliveries the handlers validated, journals as many as are waiting in ONE store
//! transaction (group commit: a burst costs one commit, not one per delivery), and only then
//! lets their handlers answer `202`; a failure there answers `429`, never `202`. The
//! processor then hands the journal to the engine and removes what it processed; a failure
//! leaves the journal as it is and is tried again with backoff. At start it processes what a
//! killed receiver left; at a stop it empties the journal before the process exits.

use std::sync::Arc;
use std::time::Duration;

use ninjaone::models::Activity;
use tokio::sync::{mpsc, oneshot, watch, Notify};

use crate::{Shared, MAX_BATCH};

/// The first wait before processing the journal again after a failure (the store busy, no
/// active connection yet), doubling up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// The longest wait between tries: a fault that lasts (no connection yet) is retried twice a
/// minute, cheaply, and what it holds is processed soon after it is fixed.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// Tries a stop makes to empty the journal before it leaves the rest for the next start:
/// 0.25 + 0.5 + 1 + 2 s, about as long as SQLite's own busy wait again.
const STOP_ATTEMPTS: u32 = 5;

/// One validated delivery, and where its handler waits to hear it is journaled.
pub(crate) struct Delivery {
    pub(crate) activities: Vec<Activity>,
    pub(crate) kept: oneshot::Sender<Result<(), String>>,
}

/// What a stop did with the journal.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StopReport {
    /// Activities the stop processed (accepted, not yet processed when it began).
    pub processed: usize,
    /// Activities still journaled (processed at the next start), when the store could say.
    pub left: Option<u64>,
}

/// Journals waiting deliveries in one transaction each round, answers their handlers, and
/// wakes the processor. Returns once `closing` is set and the queue is empty.
pub(crate) async fn keep(
    shared: Arc<Shared>,
    mut queue: mpsc::Receiver<Delivery>,
    mut closing: watch::Receiver<bool>,
    kept: Arc<Notify>,
) {
    let mut closed = false;
    loop {
        let first = tokio::select! {
            delivery = queue.recv() => match delivery {
                Some(d) => d,
                None => return,
            },
            _ = closing.changed(), if !closed => {
                // No new delivery gets in; those already queued are still journaled.
                closed = true;
                queue.close();
                continue;
            }
        };
        let mut round = vec![first];
        let mut count = round[0].activities.len();
        while count < MAX_BATCH {
            match queue.try_recv() {
                Ok(more) => {
                    count += more.activities.len();
                    round.push(more);
                }
                Err(_) => break,
            }
        }
        let activities: Vec<Activity> = round
            .iter()
            .flat_map(|d| d.activities.iter().cloned())
            .collect();
        let result = shared.sink.journal(activities).await;
        match &result {
            Ok(()) => kept.notify_one(),
            Err(err) => {
                tracing::warn!(error = %err, deliveries = round.len(), "accepted webhook deliveries could not be journaled; their senders are asked to retry");
                let ids: Vec<i64> = round
                    .iter()
                    .flat_map(|d| d.activities.iter().filter_map(|a| a.id))
                    .collect();
                shared.forget(&ids);
            }
        }
        for delivery in round {
            // A sender that hung up meanwhile is journaled all the same.
            let _ = delivery.kept.send(result.clone());
        }
    }
}

/// Processes the journal whenever the keeper adds to it (and once at start, for what a
/// killed receiver left), until `finishing` is set; then empties it and reports.
pub(crate) async fn process(
    shared: Arc<Shared>,
    kept: Arc<Notify>,
    mut finishing: watch::Receiver<bool>,
) -> StopReport {
    let mut backoff = FIRST_BACKOFF;
    loop {
        match shared.sink.process(MAX_BATCH).await {
            Ok(ids) if !ids.is_empty() => {
                shared.forget(&ids);
                backoff = FIRST_BACKOFF;
                continue;
            }
            Ok(_) => {
                backoff = FIRST_BACKOFF;
                tokio::select! {
                    () = kept.notified() => {}
                    _ = finishing.changed() => break,
                }
            }
            Err(err) => {
                tracing::warn!(error = %err, retry_in_ms = backoff.as_millis() as u64, "journaled webhook activities could not be processed yet; they stay journaled");
                tokio::select! {
                    () = tokio::time::sleep(backoff) => {}
                    _ = finishing.changed() => break,
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
    let mut report = StopReport::default();
    let mut attempt = 0;
    loop {
        match shared.sink.process(MAX_BATCH).await {
            Ok(ids) if ids.is_empty() => break,
            Ok(ids) => {
                report.processed += ids.len();
                shared.forget(&ids);
            }
            Err(err) => {
                attempt += 1;
                if attempt >= STOP_ATTEMPTS {
                    tracing::warn!(error = %err, "the journal could not be emptied before the stop; the next start processes it");
                    break;
                }
                tokio::time::sleep(FIRST_BACKOFF * 2u32.pow(attempt - 1)).await;
            }
        }
    }
    report.left = shared.sink.journaled().await.ok();
    report
}
