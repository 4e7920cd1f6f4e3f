//! The one orchestrator of asset sync (SPEC §4, §9): it owns the scope, single flight, the
//! run record, progress, and the atomic writes of each company. Drivers only fetch and map.
//! A failing company never stops the others; a preview computes everything and writes
//! nothing, not even a run record.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::broadcast;

use super::dedup;
use super::flight::{self, Flight};
use super::plan::{self, Change};
use super::{
    AssetDraft, CompanySync, Driver, RunStatus, SyncCounts, SyncRun, SyncTarget, TargetFetch,
};
use crate::assets::{AssetSource, RetiredReason};
use crate::audit::{AuditAction, Scope};
use crate::engine::Trigger;
use crate::events::{EngineEvent, NoticeSeverity};
use crate::ids::{CompanyId, ConnectionId, NinjaOrgId, RunId};
use crate::runs::{Cancel, RunKind, Running};
use crate::store::assets::Placement;
use crate::store::{self, Store, WriteTx};
use crate::time::Clock;
use crate::{Error, ErrorKind, Result};

/// Why a mapping's fetch or write failed: the kind (for exit codes) and the message.
type Failure = (Option<ErrorKind>, String);

/// What each mapping's fetch brought (with its driver's source), or why it failed.
type Fetched =
    BTreeMap<(ConnectionId, NinjaOrgId), std::result::Result<(TargetFetch, AssetSource), Failure>>;

/// How a run is told to stop: a cancel, which the deadline also pulls (then `timed_out`).
struct Stop<'a> {
    cancel: &'a Cancel,
    timed_out: &'a AtomicBool,
}

/// What the orchestrator works with.
pub struct Orchestra<'a> {
    pub store: &'a Store,
    pub clock: &'a dyn Clock,
    /// This engine instance's name in mapping locks.
    pub holder: &'a str,
    /// Whether another holder of a mapping lock is still running.
    pub alive: &'a (dyn Fn(&str) -> bool + Sync),
    pub events: &'a broadcast::Sender<EngineEvent>,
    /// This engine's runs, so a run can be cancelled by id.
    pub running: &'a Running,
}

pub struct Request<'a> {
    pub trigger: Trigger,
    /// How the run record names its scope (`all`, `company:7`).
    pub scope: &'a str,
    pub preview: bool,
    /// Past this, the run stops at its next safe point as a cancel would, lands (locks
    /// released, run recorded as failed) and answers [`Error::DeadlineExceeded`].
    pub deadline: Option<Duration>,
}

/// Syncs `groups` (each a driver with the targets it fetches) and records the run.
/// `broken` are targets whose driver could not even be made (the error says why): they
/// fail, and the others go on.
pub async fn run<D: Driver>(
    o: &Orchestra<'_>,
    request: &Request<'_>,
    groups: Vec<(D, Vec<SyncTarget>)>,
    broken: Vec<(Vec<SyncTarget>, Error)>,
) -> Result<SyncRun> {
    let all: Vec<SyncTarget> = groups.iter().flat_map(|(_, t)| t.clone()).collect();
    let flight = if request.preview {
        Flight {
            holder: o.holder.to_string(),
            held: all,
            busy: Vec::new(),
        }
    } else {
        flight::take_off(o.store, o.holder, o.alive, all, o.clock.now()).await?
    };
    if flight.held.is_empty() && !flight.busy.is_empty() {
        let err = flight::already_running(&flight.busy);
        flight.land(o.store).await;
        return Err(err);
    }
    let broken: Vec<CompanySync> = broken
        .into_iter()
        .flat_map(|(targets, err)| {
            let why: Failure = (Some(err.kind()), err.to_string());
            targets.into_iter().map(move |t| failed(&t, why.clone()))
        })
        .collect();
    let outcome = fly(o, request, groups, &flight, broken).await;
    if !request.preview {
        flight.land(o.store).await;
    }
    outcome
}

async fn fly<D: Driver>(
    o: &Orchestra<'_>,
    request: &Request<'_>,
    groups: Vec<(D, Vec<SyncTarget>)>,
    flight: &Flight,
    broken: Vec<CompanySync>,
) -> Result<SyncRun> {
    let run_id = if request.preview {
        None
    } else {
        let mut tx = o.store.write().await?;
        let id = store::runs::start(
            &mut tx,
            RunKind::Sync,
            request.trigger,
            request.scope,
            o.clock.now(),
        )
        .await?;
        store::runs::held_by(&mut tx, id, o.holder).await?;
        // Cancellable from the moment others can see it running.
        o.running.register(id);
        if let Err(err) = tx.commit().await {
            o.running.finish(id);
            return Err(err.into());
        }
        Some(id)
    };
    let cancel = run_id.map_or_else(Cancel::default, |id| o.running.register(id));
    let timed_out = AtomicBool::new(false);
    // The deadline cancels rather than drops the run, so it still lands: its record ends,
    // its locks are released and every company keeps its old assets or its new ones.
    let deadline = async {
        if let Some(limit) = request.deadline {
            tokio::time::sleep(limit).await;
            timed_out.store(true, Ordering::SeqCst);
            cancel.cancel();
        }
        std::future::pending::<()>().await
    };
    let outcome = tokio::select! {
        outcome = fly_run(o, request, groups, flight, broken, run_id, Stop { cancel: &cancel, timed_out: &timed_out }) => outcome,
        () = deadline => unreachable!("the deadline future never ends"),
    };
    if let Some(id) = run_id {
        o.running.finish(id);
        if let Err(err) = &outcome {
            // The run could not record its own end (a full disk, a store fault): it still
            // says why it failed, rather than "Interrupted" as if its process had died.
            let end = store::runs::Finish {
                status: RunStatus::Failed,
                truncated_any: false,
                requests: 0,
                malformed_items: 0,
                counts: &SyncCounts::default(),
                errors: &[err.to_string()],
            };
            if let Err(again) = store::runs::finish(o.store.pool(), id, &end, o.clock.now()).await {
                tracing::warn!(error = %again, "a failed sync could not be recorded as failed");
            }
        }
    }
    match (outcome, request.deadline) {
        (Ok(_), Some(limit)) if timed_out.load(Ordering::SeqCst) => Err(Error::DeadlineExceeded {
            action: "Asset sync",
            after_secs: limit.as_secs(),
            waiting: String::new(),
        }),
        (outcome, _) => outcome,
    }
}

async fn fly_run<D: Driver>(
    o: &Orchestra<'_>,
    request: &Request<'_>,
    groups: Vec<(D, Vec<SyncTarget>)>,
    flight: &Flight,
    broken: Vec<CompanySync>,
    run_id: Option<RunId>,
    stop: Stop<'_>,
) -> Result<SyncRun> {
    let Stop { cancel, timed_out } = stop;
    let total = flight.held.len() as u32;
    let progress = Progress::new(o, run_id, request.scope, total);

    // Fetch in batches of whole companies (about BATCH_DEVICES devices each, so memory stays
    // bounded), and write each company, in one transaction, as soon as all its organizations
    // are fetched.
    let mut fetched: Fetched = BTreeMap::new();
    let mut waiting: BTreeMap<CompanyId, Vec<&SyncTarget>> = BTreeMap::new();
    for t in &flight.held {
        waiting.entry(t.company).or_default().push(t);
    }
    let mut companies: Vec<CompanySync> = broken;
    let (mut requests, mut malformed) = (0, 0);
    let mut cancelled = false;
    'groups: for (driver, targets) in groups {
        let targets: Vec<SyncTarget> = targets
            .into_iter()
            .filter(|t| flight.held.contains(t))
            .collect();
        for batch in batches(&targets) {
            if stop_asked(o.store, run_id, cancel).await {
                cancelled = true;
                requests += driver.requests();
                malformed += driver.malformed_items();
                break 'groups;
            }
            let tick = |devices: u64| progress.devices(devices, driver.requests());
            // A long fetch (a large tenant, throttling) keeps its mappings' locks fresh, so
            // no other process takes them over as abandoned.
            let renewing = async {
                if request.preview {
                    return std::future::pending().await;
                }
                crate::runs::every(LOCK_RENEWAL, || async {
                    if let Err(err) = flight.renew(o.store, o.clock.now()).await {
                        tracing::warn!(error = %err, "sync locks could not be renewed; trying again");
                    }
                })
                .await
            };
            let fetch = tokio::select! {
                fetch = driver.fetch(&batch, &tick) => fetch,
                () = renewing => unreachable!("lock renewal never ends"),
                () = stop_awaited(o.store, run_id, cancel) => {
                    cancelled = true;
                    requests += driver.requests();
                    malformed += driver.malformed_items();
                    break 'groups;
                }
            };
            match fetch {
                Ok(mut by_target) => {
                    for t in &batch {
                        let key = (t.connection, t.org);
                        fetched.insert(
                            key,
                            Ok((by_target.remove(&key).unwrap_or_default(), driver.source())),
                        );
                    }
                }
                Err(err) => {
                    for t in &batch {
                        fetched.insert(
                            (t.connection, t.org),
                            Err((Some(err.kind()), err.to_string())),
                        );
                    }
                }
            }
            progress.add_devices_base();
            if !request.preview {
                flight.renew(o.store, o.clock.now()).await?;
            }
            let ready: Vec<CompanyId> = waiting
                .iter()
                .filter(|(_, ts)| {
                    ts.iter()
                        .all(|t| fetched.contains_key(&(t.connection, t.org)))
                })
                .map(|(company, _)| *company)
                .collect();
            for company in ready {
                if cancel.is_cancelled() {
                    cancelled = true;
                    requests += driver.requests();
                    malformed += driver.malformed_items();
                    break 'groups;
                }
                let targets = waiting.remove(&company).unwrap_or_default();
                let results =
                    company_sync(o, run_id, request.preview, company, &targets, &mut fetched).await;
                companies.extend(results);
                progress.company_done(company, targets.len(), driver.requests());
            }
        }
        requests += driver.requests();
        malformed += driver.malformed_items();
        progress.driver_done(requests);
    }
    let timed_out = timed_out.load(Ordering::SeqCst);
    if cancelled {
        let why = if timed_out {
            "The sync reached its time limit before this organization was synced; its assets are as they were. \
             Check the network and NinjaOne's status, then sync again."
        } else {
            "Cancelled before this organization was synced; its assets are as they were. Sync again to bring it up to date."
        };
        for t in waiting.values().flatten() {
            let kind = timed_out.then_some(ErrorKind::Unreachable);
            companies.push(failed(t, (kind, why.into())));
        }
    }
    // Failures are recorded with their company (successes were, in their own write), so
    // the Companies list shows a company's failed last sync and its reason.
    if let Some(run) = run_id.filter(|_| !request.preview) {
        record_failures(o.store, run, &companies).await?;
    }
    for t in &flight.busy {
        let mut part = failed(t, (Some(ErrorKind::AlreadyRunning), "A sync of this mapping is already running elsewhere (the app or another fleetward-cli); it was left to finish.".into()));
        part.busy = true;
        companies.push(part);
    }

    let counted = companies.iter().filter(|c| !c.busy).count();
    let failures = companies.iter().filter(|c| c.failed()).count();
    let status = if cancelled && timed_out {
        RunStatus::Failed
    } else if cancelled {
        RunStatus::Cancelled
    } else {
        let unreadable = companies.iter().map(|c| c.counts.unreadable).sum();
        RunStatus::of(counted, failures).with_unreadable(unreadable)
    };
    let failure_kind = ErrorKind::common(
        companies
            .iter()
            .filter(|c| c.failed())
            .map(|c| c.error_kind),
    );
    let truncated_any = companies.iter().any(|c| c.truncated);
    if let Some(run) = run_id {
        let mut totals = SyncCounts::default();
        companies.iter().for_each(|c| totals.add(&c.counts));
        let errors: Vec<String> = companies
            .iter()
            .filter_map(|c| {
                c.error
                    .as_ref()
                    .map(|e| format!("company {} (organization {}): {e}", c.company_id, c.org_id))
            })
            .collect();
        let end = store::runs::Finish {
            status,
            truncated_any,
            requests,
            malformed_items: malformed,
            counts: &totals,
            errors: &errors,
        };
        store::runs::finish(o.store.pool(), run, &end, o.clock.now()).await?;
        let _ = o.events.send(EngineEvent::SyncFinished {
            run_id: run,
            status,
        });
        if matches!(status, RunStatus::Partial | RunStatus::Failed) {
            let _ = o.events.send(EngineEvent::Notice {
                severity: NoticeSeverity::Error,
                title: "Asset sync did not fully succeed".into(),
                message: partial_message(&companies),
            });
        }
    }
    Ok(SyncRun {
        run_id,
        preview: request.preview,
        status,
        truncated_any,
        requests,
        malformed_items: malformed,
        companies,
        failure_kind,
    })
}

/// What a run that did not fully succeed left undone, for a notice or the CLI: the
/// organizations that failed and the devices NinjaOne sent that could not be read.
pub fn partial_message(companies: &[CompanySync]) -> String {
    let counted = companies.iter().filter(|c| !c.busy).count();
    let failures = companies.iter().filter(|c| c.failed()).count();
    let unreadable: u32 = companies.iter().map(|c| c.counts.unreadable).sum();
    let mut parts = Vec::new();
    if failures > 0 {
        parts.push(format!(
            "{failures} of {counted} organizations could not be synced."
        ));
    }
    if unreadable > 0 {
        parts.push(format!(
            "{unreadable} devices NinjaOne sent could not be read whole (a field of an unexpected \
             type, or an id that is not a positive number); what could not be read was kept as \
             it was and none of them was marked stale. Sync again later; if it repeats, report it."
        ));
    }
    parts.push("Open Sync history for the reasons and what to do.".into());
    parts.join(" ")
}

/// Writes the run's failed mappings (not the busy ones: another run holds them).
async fn record_failures(store: &Store, run: RunId, companies: &[CompanySync]) -> Result<()> {
    let failures: Vec<&CompanySync> = companies.iter().filter(|c| c.failed()).collect();
    if failures.is_empty() {
        return Ok(());
    }
    let mut tx = store.write().await?;
    for part in failures {
        store::runs::record_company(&mut tx, run, part).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Whether the run was asked to stop, here or by another process (through the store).
async fn stop_asked(store: &Store, run: Option<RunId>, cancel: &Cancel) -> bool {
    if cancel.is_cancelled() {
        return true;
    }
    match run {
        Some(run) => store::runs::cancel_requested(store.pool(), run)
            .await
            .unwrap_or(false),
        None => false,
    }
}

/// How often a sync renews its mapping locks while it fetches (they expire after
/// [`flight::LOCK_EXPIRY`]).
const LOCK_RENEWAL: std::time::Duration = std::time::Duration::from_secs(60);

/// How often a fetch looks for a cancel request another process left in the store.
const CANCEL_POLL: std::time::Duration = std::time::Duration::from_secs(2);

/// Resolves when the run is asked to stop: at once from this process, within
/// [`CANCEL_POLL`] from another.
async fn stop_awaited(store: &Store, run: Option<RunId>, cancel: &Cancel) {
    let from_store = async {
        let Some(run) = run else {
            return std::future::pending().await;
        };
        loop {
            tokio::time::sleep(CANCEL_POLL).await;
            if store::runs::cancel_requested(store.pool(), run)
                .await
                .unwrap_or(false)
            {
                return;
            }
        }
    };
    tokio::select! {
        () = cancel.cancelled() => {}
        () = from_store => {}
    }
}

/// Devices fetched (and held in memory) per batch. A batch holds whole companies, so a
/// company larger than this is one batch of its own. Splitting costs at most one extra page
/// per endpoint per batch.
const BATCH_DEVICES: u32 = 50_000;

/// The targets split into batches of whole companies of about [`BATCH_DEVICES`] devices, by
/// the device counts of the last discovery.
fn batches(targets: &[SyncTarget]) -> Vec<Vec<SyncTarget>> {
    let mut by_company: BTreeMap<CompanyId, Vec<SyncTarget>> = BTreeMap::new();
    for t in targets {
        by_company.entry(t.company).or_default().push(t.clone());
    }
    let mut batches: Vec<Vec<SyncTarget>> = Vec::new();
    let mut current: Vec<SyncTarget> = Vec::new();
    let mut size = 0u32;
    for (_, company) in by_company {
        let devices: u32 = company.iter().map(|t| t.expected_devices).sum();
        if !current.is_empty() && size + devices > BATCH_DEVICES {
            batches.push(std::mem::take(&mut current));
            size = 0;
        }
        size += devices;
        current.extend(company);
    }
    if !current.is_empty() {
        batches.push(current);
    }
    batches
}

/// One company's mappings, planned and (unless previewing) written in one transaction: a
/// crash or an error leaves the company's old assets or its new ones, never half.
async fn company_sync(
    o: &Orchestra<'_>,
    run: Option<RunId>,
    preview: bool,
    company: CompanyId,
    targets: &[&SyncTarget],
    fetched: &mut Fetched,
) -> Vec<CompanySync> {
    let mut results = Vec::new();
    let mut usable = Vec::new();
    for t in targets {
        match fetched.remove(&(t.connection, t.org)) {
            Some(Ok((fetch, source))) => usable.push((*t, fetch, source)),
            Some(Err(err)) => results.push(failed(t, err)),
            None => results.push(failed(
                t,
                (None, "Nothing was fetched for this organization.".into()),
            )),
        }
    }
    if usable.is_empty() {
        return results;
    }
    match write_company(o, run, preview, company, &usable).await {
        Ok(done) => results.extend(done),
        Err(err) => {
            let why: Failure = (Some(err.kind()), err.to_string());
            results.extend(usable.iter().map(|(t, _, _)| failed(t, why.clone())));
        }
    }
    results
}

async fn write_company(
    o: &Orchestra<'_>,
    run: Option<RunId>,
    preview: bool,
    company: CompanyId,
    usable: &[(&SyncTarget, TargetFetch, AssetSource)],
) -> Result<Vec<CompanySync>> {
    let now = o.clock.now();
    // A preview does the same work in a transaction it then rolls back: it sees exactly
    // what a sync would create, update, mark stale and retire, and keeps none of it.
    let mut tx: WriteTx = o.store.write().await?;
    let mut results = Vec::new();
    let mut changed = false;
    for (target, fetch, source) in usable {
        let stored = store::assets::stored_for_mapping(
            &mut tx,
            target.company,
            target.connection,
            target.org,
        )
        .await?;
        let plan = plan::plan(stored, fetch);
        let place = Placement {
            company: target.company,
            source: *source,
            connection: Some(target.connection),
            org: Some(target.org),
        };
        apply(&mut tx, &place, &plan.changes, run, now).await?;
        changed |= !plan.changes.is_empty();
        let part = CompanySync {
            company_id: target.company,
            connection_id: target.connection,
            org_id: target.org,
            counts: plan.counts,
            truncated: fetch.truncated,
            error: None,
            error_kind: None,
            busy: false,
        };
        results.push(part);
    }
    // Duplicates can only appear or go when the company's assets changed.
    let retired = if changed {
        retire_duplicates(&mut tx, company, now).await?
    } else {
        0
    };
    if let Some(first) = results.first_mut() {
        first.counts.retired_duplicates += retired;
    }
    // A preview rolls its transaction back, so only a recorded run leaves an audit row.
    if let (true, Some(run)) = (changed, run) {
        let mut totals = SyncCounts::default();
        results.iter().for_each(|r| totals.add(&r.counts));
        let detail = format!(
            "sync run {run}: {} created, {} updated, {} marked stale, {} retired as duplicates",
            totals.created, totals.updated, totals.stale, totals.retired_duplicates
        );
        store::audit::record(
            &mut tx,
            now,
            Scope::Company(company),
            AuditAction::AssetsSynced,
            &detail,
        )
        .await?;
    }
    if let Some(run) = run {
        for part in &results {
            store::runs::record_company(&mut tx, run, part).await?;
        }
    }
    if preview {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
    }
    Ok(results)
}

/// Writes a plan's changes for assets placed at `place` (a sync's mapping, or an import's
/// company and source), with one history row per changed field.
pub(crate) async fn apply(
    tx: &mut WriteTx,
    place: &Placement,
    changes: &[Change],
    run: Option<RunId>,
    now: DateTime<Utc>,
) -> Result<()> {
    let created: Vec<(&AssetDraft, Option<String>)> = changes
        .iter()
        .filter_map(|change| match change {
            Change::Create(draft) => Some((
                draft,
                draft.serial_number.as_deref().and_then(dedup::serial_key),
            )),
            _ => None,
        })
        .collect();
    store::assets::insert_many(tx, place, &created, now).await?;
    for change in changes {
        match change {
            Change::Create(_) => {}
            Change::Update {
                id,
                draft,
                diffs,
                status,
            } => {
                let serial = draft.serial_number.as_deref().and_then(dedup::serial_key);
                store::assets::update(tx, *id, draft, serial.as_deref(), *status, now).await?;
                for diff in diffs {
                    store::assets::record_change(tx, *id, run, diff, now).await?;
                }
            }
            Change::MarkStale(id) => store::assets::mark_stale(tx, *id, now).await?,
        }
    }
    Ok(())
}

/// Dedup across sources within the company (SPEC §4): the lower copy of a machine is
/// retired with the winner's id. Returns how many were retired.
pub(crate) async fn retire_duplicates(
    tx: &mut WriteTx,
    company: CompanyId,
    now: DateTime<Utc>,
) -> Result<u32> {
    let candidates = store::assets::dedup_candidates(tx, company).await?;
    let retirements = dedup::duplicates(&candidates);
    if !retirements.is_empty() {
        let detail = format!(
            "{} copies retired in favour of a better source's copy of the same machine",
            retirements.len()
        );
        store::audit::record(
            tx,
            now,
            Scope::Company(company),
            AuditAction::DuplicatesRetired,
            &detail,
        )
        .await?;
    }
    for r in &retirements {
        let reason = RetiredReason::DuplicateOf {
            winner: r.winner,
            reason: r.reason,
        };
        store::assets::retire_duplicate(tx, r.loser, r.winner, &reason, now).await?;
    }
    Ok(retirements.len() as u32)
}

fn failed(target: &SyncTarget, (kind, error): Failure) -> CompanySync {
    CompanySync {
        company_id: target.company,
        connection_id: target.connection,
        org_id: target.org,
        counts: SyncCounts::default(),
        truncated: false,
        error: Some(error),
        error_kind: kind,
        busy: false,
    }
}

/// Progress on the event channel: devices read so far, companies written of how many.
struct Progress<'a> {
    events: &'a broadcast::Sender<EngineEvent>,
    run_id: Option<RunId>,
    scope: &'a str,
    total: u32,
    done: AtomicU64,
    devices_base: AtomicU64,
    devices_now: AtomicU64,
    /// Pages of earlier drivers (connections), and of the run so far.
    pages_base: AtomicU64,
    pages_now: AtomicU64,
    /// The company written last.
    company: std::sync::Mutex<Option<CompanyId>>,
}

impl<'a> Progress<'a> {
    fn new(
        o: &'a Orchestra<'_>,
        run_id: Option<RunId>,
        scope: &'a str,
        total: u32,
    ) -> Progress<'a> {
        Progress {
            events: o.events,
            run_id,
            scope,
            total,
            done: AtomicU64::new(0),
            devices_base: AtomicU64::new(0),
            devices_now: AtomicU64::new(0),
            pages_base: AtomicU64::new(0),
            pages_now: AtomicU64::new(0),
            company: std::sync::Mutex::new(None),
        }
    }

    /// Devices read in the current batch and pages the current driver read.
    fn devices(&self, read_in_batch: u64, driver_pages: u64) {
        let devices = self.devices_base.load(Ordering::Relaxed) + read_in_batch;
        self.devices_now.store(devices, Ordering::Relaxed);
        self.driver_pages(driver_pages);
        self.send();
    }

    fn driver_pages(&self, pages: u64) {
        self.pages_now.store(
            self.pages_base.load(Ordering::Relaxed) + pages,
            Ordering::Relaxed,
        );
    }

    fn add_devices_base(&self) {
        let now = self.devices_now.load(Ordering::Relaxed);
        self.devices_base.store(now, Ordering::Relaxed);
    }

    /// A driver is done: `pages` is the run's total so far.
    fn driver_done(&self, pages: u64) {
        self.pages_base.store(pages, Ordering::Relaxed);
        self.pages_now.store(pages, Ordering::Relaxed);
    }

    /// A company's `mappings` were written (or failed).
    fn company_done(&self, company: CompanyId, mappings: usize, driver_pages: u64) {
        self.done.fetch_add(mappings as u64, Ordering::Relaxed);
        *self.company.lock().unwrap_or_else(|p| p.into_inner()) = Some(company);
        self.driver_pages(driver_pages);
        self.send();
    }

    fn send(&self) {
        let _ = self.events.send(EngineEvent::SyncProgress {
            run_id: self.run_id,
            scope: self.scope.to_string(),
            company: *self.company.lock().unwrap_or_else(|p| p.into_inner()),
            pages: self.pages_now.load(Ordering::Relaxed),
            devices: self.devices_now.load(Ordering::Relaxed),
            organizations_done: self.done.load(Ordering::Relaxed) as u32,
            organizations_total: self.total,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{CompanyId, ConnectionId, NinjaOrgId};

    fn target(company: i64, org: i64, devices: u32) -> SyncTarget {
        SyncTarget {
            connection: ConnectionId(1),
            org: NinjaOrgId(org),
            company: CompanyId(company),
            locations: vec![],
            include_non_agent: false,
            expected_devices: devices,
            fields: crate::sync::fields::FieldChoice::default(),
        }
    }

    #[test]
    fn batches_hold_whole_companies_of_about_the_budget() {
        let targets = vec![
            target(1, 10, BATCH_DEVICES * 3 / 4),
            target(1, 11, BATCH_DEVICES / 8),
            target(2, 20, BATCH_DEVICES / 4),
            target(3, 30, BATCH_DEVICES * 3 / 2),
            target(4, 40, 100),
        ];
        let sizes: Vec<Vec<i64>> = batches(&targets)
            .iter()
            .map(|b| b.iter().map(|t| t.org.0).collect())
            .collect();
        assert_eq!(sizes, vec![vec![10, 11], vec![20], vec![30], vec![40]]);
        assert_eq!(batches(&[]).len(), 0);
    }
}
