//! Single flight per mapping (SPEC §9): the app and the CLI never sync the same mapping at
//! once. Locks live in the store, so they work across processes; a lock not renewed for
//! [`LOCK_EXPIRY`] belongs to a holder that died and is taken over.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::SyncTarget;
use crate::store::{self, Store};
use crate::{Error, Result};

/// A lock not renewed for this long is taken over. Holders renew it as they read devices,
/// far more often than this.
pub const LOCK_EXPIRY: Duration = Duration::from_secs(10 * 60);

/// The mappings this process holds; released by [`Flight::land`].
pub struct Flight {
    pub holder: String,
    pub held: Vec<SyncTarget>,
    /// Targets another process is syncing right now.
    pub busy: Vec<SyncTarget>,
}

/// Takes what it can of `targets` in one transaction. Locks of holders that are no longer
/// running (`alive` says so) are dropped first, so a killed process never blocks the next.
pub async fn take_off(
    store: &Store,
    holder: &str,
    alive: &(dyn Fn(&str) -> bool + Sync),
    targets: Vec<SyncTarget>,
    now: DateTime<Utc>,
) -> Result<Flight> {
    let stale_before =
        now - chrono::Duration::from_std(LOCK_EXPIRY).unwrap_or(chrono::Duration::MAX);
    let mut tx = store.write().await?;
    for other in store::locks::other_holders(&mut tx, holder).await? {
        if !alive(&other) {
            store::locks::forget_holder(&mut tx, &other).await?;
        }
    }
    let (mut held, mut busy) = (Vec::new(), Vec::new());
    for target in targets {
        if store::locks::take(
            &mut tx,
            target.connection,
            target.org,
            holder,
            now,
            stale_before,
        )
        .await?
        {
            held.push(target);
        } else {
            busy.push(target);
        }
    }
    tx.commit().await?;
    Ok(Flight {
        holder: holder.to_string(),
        held,
        busy,
    })
}

impl Flight {
    pub async fn renew(&self, store: &Store, now: DateTime<Utc>) -> Result<()> {
        store::locks::renew(store.pool(), &self.holder, now).await
    }

    /// Releases every held lock (also after a failure; a crash leaves them to expire).
    pub async fn land(self, store: &Store) {
        for target in &self.held {
            if let Err(err) =
                store::locks::release(store.pool(), &self.holder, target.connection, target.org)
                    .await
            {
                tracing::warn!(error = %err, "a mapping lock could not be released; it expires on its own");
            }
        }
    }
}

/// The answer when nothing could be taken: the same work is already running elsewhere.
pub fn already_running(busy: &[SyncTarget]) -> Error {
    let which = busy
        .iter()
        .map(|t| format!("organization {} → company {}", t.org, t.company))
        .collect::<Vec<_>>()
        .join(", ");
    Error::AlreadyRunning(format!(
        "A sync of {which} is already running (in the app or another fleetward-cli). It was left to \
         finish; look at Sync history or `fleetward-cli runs list` for its result."
    ))
}
