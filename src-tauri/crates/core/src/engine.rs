//! The engine handle that the shell and the CLI hold: a thin facade with one method per user
//! action, each returning everything a screen needs, so that front ends stay one call deep.
//! The engine owns the store, the one clock, the per-tenant NinjaOne rate budget and the
//! event channel; the rules live in the domain modules and the queries in `store/`.

use std::collections::HashMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use ninjaone::{BaseUrl, Client, ClientConfig, Credentials, RateBudgets, RetryPolicy};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use tokio::sync::broadcast;
use ts_rs::TS;

use crate::assets::{Asset, AssetDetail, AssetSource, AssetStatus, ImportReport};
use crate::audit::AuditEvent;
use crate::companies::{self, Company};
use crate::compliance::{
    self,
    evidence::{EvidenceRow, SignalRow},
    export::ExportFormat,
    sweep::SweepRun,
    tickets::{Ticket, TicketStatus},
};
use crate::connection::{self, Connection, ConnectionDraft, ConnectionTest, SavedConnection};
use crate::ids::{AssetId, CompanyId, ConnectionId, NinjaLocationId, NinjaOrgId, RunId};
use crate::incidents::handling::{self, SECRET_HEADER, WEBHOOK_PATH};
use crate::incidents::ingest::Applied;
use crate::incidents::polling::{self, PollTarget, Poller};
use crate::incidents::{
    AlertRule, Incident, IncidentId, IncidentSettings, IncidentTally, IngestReport, PollRun,
    RulePreviewRow, StatusFilter, WebhookSecretShown, WebhookSettings,
};
use crate::organizations::{
    self, DiscoverySummary, MappingChoice, MappingOptions, MappingRequest, MappingState,
    OrganizationRow,
};
use crate::runs::RunRow;
use crate::secrets::SecretStore;
use crate::store::{self, resolve_key, Store};
use crate::sync::ninjaone::NinjaOneDriver;
use crate::sync::run::Orchestra;
use crate::sync::{self, RunStatus, SyncRun, SyncTarget};
use crate::time::Clock;
use crate::{data_dir, schedule, EngineEvent, Error, Result, SelfCheck};

/// How many events a slow subscriber may fall behind before it starts missing some. Events
/// are progress and notices, so a lagging UI loses only intermediate progress ticks.
const EVENT_BUFFER: usize = 1024;

/// How the engine's NinjaOne clients behave. The clock and the rate limiters are not here:
/// the engine hands its own to every client (limiters built from `rate_budgets`, one per
/// tenant), so there is one of each.
#[derive(Debug, Clone)]
pub struct ClientTuning {
    /// Per HTTP request, connection included.
    pub timeout: Duration,
    pub retry: RetryPolicy,
    pub page_size: usize,
    /// Requests per window each NinjaOne tenant allows: NinjaOne's published budgets
    /// (SPEC §11). Only benchmarks lift them, to time Fleetward apart from NinjaOne's limit.
    pub rate_budgets: Vec<ninjaone::rate_limit::Budget>,
}

impl Default for ClientTuning {
    fn default() -> Self {
        let defaults = ClientConfig::default();
        ClientTuning {
            timeout: defaults.timeout,
            retry: defaults.retry,
            page_size: defaults.page_size,
            rate_budgets: ninjaone::rate_limit::NINJAONE_BUDGETS.to_vec(),
        }
    }
}

/// Overall deadlines of user actions (SPEC §11: every wait ends). A single request has its
/// own timeout; these bound an action across its retries and pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// Test connection, save, and other actions a person waits for at the screen.
    pub interactive: Duration,
    /// Walks over the whole tenant (discovery, and the runs of later capabilities).
    pub long_run: Duration,
}

/// `FLEETWARD_DEADLINE_SECS` sets the long-run deadline (large tenants, slow links).
pub const DEADLINE_ENV: &str = "FLEETWARD_DEADLINE_SECS";

impl Default for Deadlines {
    fn default() -> Self {
        Deadlines {
            interactive: Duration::from_secs(60),
            long_run: Duration::from_secs(15 * 60),
        }
    }
}

impl Deadlines {
    pub fn from_env() -> Deadlines {
        let long_run = std::env::var(DEADLINE_ENV)
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|secs| *secs > 0)
            .map(Duration::from_secs);
        Deadlines {
            long_run: long_run.unwrap_or(Deadlines::default().long_run),
            ..Deadlines::default()
        }
    }
}

/// Everything the engine is started with. `Debug` never shows the store key: it is a
/// `SecretString`, which prints a redaction.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub data_dir: PathBuf,
    /// Where the store key is kept (the OS keychain outside tests and the demo).
    pub secrets: Arc<dyn SecretStore>,
    /// `FLEETWARD_STORE_KEY`, when set: the store key as 64 hex characters.
    pub store_key: Option<SecretString>,
    pub client: ClientTuning,
    pub deadlines: Deadlines,
    /// The one clock: token expiry, notification windows, schedules and every time rule.
    pub clock: Arc<dyn Clock>,
}

impl EngineConfig {
    /// The configuration the app and the CLI use: the OS keychain and the real clock.
    pub fn new(data_dir: PathBuf) -> EngineConfig {
        EngineConfig {
            data_dir,
            secrets: Arc::new(crate::secrets::KeyringSecrets::new()),
            store_key: std::env::var(store::STORE_KEY_ENV)
                .ok()
                .map(SecretString::from),
            client: ClientTuning::default(),
            deadlines: Deadlines::from_env(),
            clock: crate::time::system(),
        }
    }
}

/// The running schedules; dropping it stops them.
pub struct ScheduleHandle {
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ScheduleHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// What started a run (SPEC §4: every run records its trigger).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub enum Trigger {
    Schedule,
    Manual,
    StartUp,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Schedule => "schedule",
            Trigger::Manual => "manual",
            Trigger::StartUp => "startUp",
        }
    }

    pub fn parse(text: &str) -> Option<Trigger> {
        [Trigger::Schedule, Trigger::Manual, Trigger::StartUp]
            .into_iter()
            .find(|t| t.as_str() == text)
    }
}

/// A snapshot of the engine for Settings and the CLI's `status`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct EngineStatus {
    pub version: String,
    pub data_dir: String,
    pub store_path: String,
    pub schedules_paused: bool,
    pub self_check: SelfCheck,
}

pub struct Engine {
    config: EngineConfig,
    store: Store,
    self_check: SelfCheck,
    events: broadcast::Sender<EngineEvent>,
    schedules_paused: AtomicBool,
    /// Every client of one tenant shares one budget (SPEC §11), owned here, not globally.
    rate_budgets: Arc<RateBudgets>,
    /// One client per saved connection, so its token (valid about an hour) serves every
    /// action instead of costing a request each time. Dropped on save and disconnect.
    clients: Mutex<HashMap<ConnectionId, CachedClient>>,
    /// This engine's name in the store's mapping locks (single flight across processes).
    holder: String,
    /// Shows the others on this data folder that `holder` is alive.
    _holder_file: data_dir::HolderFile,
    /// This engine's runs in progress, so they can be cancelled.
    running: crate::runs::Running,
}

/// The last wait of one action, to say what it was waiting for if its deadline passes.
type LastWait = Arc<Mutex<Option<String>>>;

/// How long a run that stopped itself at its deadline may take to land (record its end,
/// release its locks) before it is dropped.
const LANDING_GRACE: Duration = Duration::from_secs(60);

/// A run's own [`Error::DeadlineExceeded`] with what it was last waiting for.
fn with_last_wait<T>(outcome: Result<T>, waits: &LastWait) -> Result<T> {
    match outcome {
        Err(Error::DeadlineExceeded {
            action,
            after_secs,
            waiting,
        }) if waiting.is_empty() => Err(Error::DeadlineExceeded {
            action,
            after_secs,
            waiting: last_wait_text(waits),
        }),
        other => other,
    }
}

/// " (last: …)" when the action was waiting for something.
fn last_wait_text(waits: &LastWait) -> String {
    waits
        .lock()
        .ok()
        .and_then(|slot| slot.clone())
        .map(|w| format!(" (last: {w})"))
        .unwrap_or_default()
}

/// A connection's client, its waits, and what it was made from (address, client id and
/// secret; kept in memory only, like the client's own copy of the secret).
type CachedClient = (Client, LastWait, SecretString);

impl Engine {
    /// Prepares the data folder and proves the store would be encrypted. Fails, with what to
    /// do, rather than start in a state that could lose or expose data.
    pub async fn start(config: EngineConfig) -> Result<Arc<Engine>> {
        data_dir::ensure_usable(&config.data_dir)?;
        let self_check = SelfCheck::run().await?;
        self_check.require_cipher()?;
        // Processes starting on the same new data folder take turns: one makes the key and
        // the store, the others then find both.
        let _starting = data_dir::StartLock::acquire(&config.data_dir).await?;
        let store_exists = Store::path_in(&config.data_dir).exists();
        let key = resolve_key(
            config.store_key.clone(),
            config.secrets.as_ref(),
            store_exists,
        )?;
        let store = Store::open(&config.data_dir, &key).await?;
        let holder = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
        let holder_file = data_dir::HolderFile::create(&config.data_dir, &holder)?;
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        tracing::info!(data_dir = %config.data_dir.display(), "engine started");
        let rate_budgets = Arc::new(RateBudgets::new(config.client.rate_budgets.clone()));
        Ok(Arc::new(Engine {
            config,
            store,
            self_check,
            events,
            schedules_paused: AtomicBool::new(false),
            rate_budgets,
            clients: Mutex::default(),
            holder,
            _holder_file: holder_file,
            running: crate::runs::Running::default(),
        }))
    }

    /// Checkpoints and closes the store, waiting until every connection is closed. Call it
    /// before the process ends: SQLite's worker threads must not still be closing connections
    /// while the process tears down the crypto library they use.
    pub async fn close(&self) {
        self.store.close().await;
    }

    /// SQLite's own check of the store file (`PRAGMA integrity_check`): "ok", or what is wrong.
    pub async fn check_store(&self) -> Result<String> {
        self.store.integrity_check().await
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.config.clock.now()
    }

    pub fn clock(&self) -> Arc<dyn Clock> {
        self.config.clock.clone()
    }

    pub fn subscribe(&self) -> broadcast::Receiver<EngineEvent> {
        self.events.subscribe()
    }

    fn publish(&self, event: EngineEvent) {
        // No subscriber is not an error: the CLI often runs without one.
        let _ = self.events.send(event);
    }

    pub fn status(&self) -> EngineStatus {
        EngineStatus {
            version: crate::VERSION.to_string(),
            data_dir: self.config.data_dir.display().to_string(),
            store_path: self.store.path().display().to_string(),
            schedules_paused: self.schedules_paused(),
            self_check: self.self_check.clone(),
        }
    }

    pub fn schedules_paused(&self) -> bool {
        self.schedules_paused.load(Ordering::SeqCst)
    }

    /// Pauses or resumes scheduled runs; announces only real changes.
    pub fn set_schedules_paused(&self, paused: bool) {
        let was = self.schedules_paused.swap(paused, Ordering::SeqCst);
        if was != paused {
            self.publish(EngineEvent::SchedulesChanged { paused });
        }
    }

    /// Syncs every mapped company now (tray, sidebar, schedule).
    pub async fn sync_all(&self, trigger: Trigger) -> Result<SyncRun> {
        self.sync(None, trigger, false).await
    }

    /// Asset sync (SPEC §4) of one company's mappings, or of every mapping; with `preview`,
    /// what it would change, writing nothing.
    pub async fn sync(
        &self,
        company: Option<CompanyId>,
        trigger: Trigger,
        preview: bool,
    ) -> Result<SyncRun> {
        let targets = store::organizations::sync_targets(self.store.pool(), company).await?;
        if targets.is_empty() {
            return Err(match company {
                Some(id) => {
                    self.company(id).await?;
                    Error::InvalidInput(format!(
                        "Company {id} has no mapped NinjaOne organization to sync. Map one on Organizations \
                         (or `fleetward-cli orgs map ORG_ID --company {id}`) first."
                    ))
                }
                None => {
                    connection::choose(self.connections().await?, None)?;
                    Error::InvalidInput(
                        "No NinjaOne organization is mapped to a company yet, so there is nothing to sync. \
                         Map organizations on Organizations (or `fleetward-cli orgs accept-suggestions`) first."
                            .into(),
                    )
                }
            });
        }
        if !preview {
            let mut tx = self.store.write().await?;
            let cutoff = self.now() - chrono::Duration::days(crate::runs::RETENTION_DAYS);
            store::runs::prune(&mut tx, cutoff).await?;
            tx.commit().await?;
        }
        let mut groups: Vec<(NinjaOneDriver, Vec<SyncTarget>)> = Vec::new();
        let mut waits = Vec::new();
        let mut by_connection: std::collections::BTreeMap<ConnectionId, Vec<SyncTarget>> =
            std::collections::BTreeMap::new();
        for target in targets {
            by_connection
                .entry(target.connection)
                .or_default()
                .push(target);
        }
        // A connection whose client cannot be made (its secret gone from the keychain, say)
        // fails its own mappings only; when every connection fails, that is the answer.
        let mut broken: Vec<(Vec<SyncTarget>, Error)> = Vec::new();
        for (connection, targets) in by_connection {
            match self.saved_client(connection).await {
                Ok((client, wait)) => {
                    waits.push(wait);
                    let tenant_devices =
                        store::organizations::tenant_devices(self.store.pool(), connection).await?;
                    groups.push((NinjaOneDriver::new(client, tenant_devices), targets));
                }
                Err(err) => broken.push((targets, err)),
            }
        }
        if groups.is_empty() && !broken.is_empty() {
            return Err(broken.swap_remove(0).1);
        }
        let scope = company.map_or("all".to_string(), |c| format!("company:{c}"));
        let data_dir = self.config.data_dir.clone();
        let alive = move |holder: &str| data_dir::holder_alive(&data_dir, holder);
        let orchestra = Orchestra {
            store: &self.store,
            clock: self.config.clock.as_ref(),
            holder: &self.holder,
            alive: &alive,
            events: &self.events,
            running: &self.running,
        };
        let limit = self.config.deadlines.long_run;
        let request = sync::run::Request {
            trigger,
            scope: &scope,
            preview,
            deadline: Some(limit),
        };
        let last_wait = waits.into_iter().next().unwrap_or_default();
        // The run stops itself at the deadline and lands; the outer limit only catches a
        // run that could not (a store that never answers).
        let outcome = self
            .within(
                "Asset sync",
                limit + LANDING_GRACE,
                &last_wait,
                sync::run::run(&orchestra, &request, groups, broken),
            )
            .await;
        with_last_wait(outcome, &last_wait)
    }

    /// Assets, of one company and one status when given (`None`: every status).
    pub async fn assets(
        &self,
        company: Option<CompanyId>,
        status: Option<AssetStatus>,
    ) -> Result<Vec<Asset>> {
        store::assets::list(self.store.pool(), company, status).await
    }

    /// One asset with its fields and field history (`assets show`, the asset page).
    pub async fn asset(&self, id: AssetId) -> Result<AssetDetail> {
        let (asset, fields) = store::assets::get(self.store.pool(), id)
            .await?
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "There is no asset {id}. List them with `fleetward-cli assets list`."
                ))
            })?;
        let history = store::assets::history(self.store.pool(), id).await?;
        Ok(AssetDetail {
            asset,
            fields,
            history,
        })
    }

    /// A short-lived link that opens a NinjaOne asset's device in NinjaOne (fetched on click,
    /// SPEC §4).
    pub async fn device_link(&self, id: AssetId) -> Result<String> {
        let detail = self.asset(id).await?;
        let not_ninja = || {
            Error::InvalidInput(format!(
                "Asset {id} did not come from NinjaOne, so it has no NinjaOne page."
            ))
        };
        let connection = detail.asset.connection_id.ok_or_else(not_ninja)?;
        let device: i64 = detail
            .fields
            .get("identity.deviceId")
            .and_then(|d| d.parse().ok())
            .ok_or_else(not_ninja)?;
        let (client, waits) = self.saved_client(connection).await?;
        let answer = self
            .within(
                "Opening the device in NinjaOne",
                self.config.deadlines.interactive,
                &waits,
                async { Ok(client.dashboard_url(device).await?) },
            )
            .await?;
        answer.url.filter(|u| u.starts_with("https://") || u.starts_with("http://")).ok_or_else(|| {
            Error::Internal("NinjaOne answered without a link to the device. Try again; if it persists, open the device in NinjaOne by hand.".into())
        })
    }

    /// Imports another source's assets from a CSV or JSON file's bytes (SPEC §4).
    pub async fn import_assets(&self, source: AssetSource, bytes: &[u8]) -> Result<ImportReport> {
        crate::assets::importing::import(&self.store, source, bytes, self.now()).await
    }

    /// The newest runs first (`runs list`, Sync history); runs whose process died read as
    /// interrupted.
    pub async fn runs(&self, limit: u32) -> Result<Vec<RunRow>> {
        crate::runs::settle_interrupted(
            &self.store,
            &self.config.data_dir,
            &self.holder,
            self.now(),
        )
        .await?;
        store::runs::list(self.store.pool(), limit).await
    }

    /// A sync run's mappings with their counts and errors (a run opened in Sync history).
    pub async fn run_companies(&self, run: RunId) -> Result<Vec<crate::runs::RunCompanyRow>> {
        store::runs::companies(self.store.pool(), run).await
    }

    /// Cancels a run in progress (here at once, in another process at its next check).
    pub async fn cancel_run(&self, run: RunId) -> Result<RunStatus> {
        crate::runs::cancel(&self.store, &self.running, run).await
    }

    /// Cancels every run of this engine (Ctrl-C, quitting); how many there were.
    pub fn cancel_runs(&self) -> usize {
        self.running.cancel_all()
    }

    /// Runs what the schedules say is due now: one asset sync of everything when its latest
    /// tick came after the last full sync (a tick missed while closed runs once, at start-up).
    /// Only the holder of the schedule lease runs anything, and nothing runs while paused.
    pub async fn run_due_schedules(&self, trigger: Trigger) -> Result<Option<SyncRun>> {
        if !self.holds_schedules().await? {
            return Ok(None);
        }
        let tick = schedule::latest_tick(
            self.now(),
            &chrono::Local,
            schedule::SYNC_EVERY_HOURS,
            schedule::SYNC_AT_MINUTE,
        );
        let last = store::runs::last_full_sync(self.store.pool()).await?;
        if !schedule::is_due(tick, last) {
            return Ok(None);
        }
        match self.sync_all(trigger).await {
            Ok(run) => Ok(Some(run)),
            // Nothing mapped yet, or no connection: nothing to do on a schedule.
            Err(Error::InvalidInput(_) | Error::NotConfigured(_)) => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// The compliance sweep's schedule (every 6 h at :30, start-up catch-up), through the same
    /// lease and pause switch as asset sync.
    pub async fn run_due_sweep(&self, trigger: Trigger) -> Result<Option<SweepRun>> {
        if !self.holds_schedules().await? {
            return Ok(None);
        }
        let tick = schedule::latest_tick(
            self.now(),
            &chrono::Local,
            schedule::SWEEP_EVERY_HOURS,
            schedule::SWEEP_AT_MINUTE,
        );
        let last = store::runs::last_full_sweep(self.store.pool()).await?;
        if !schedule::is_due(tick, last) {
            return Ok(None);
        }
        match self.sweep(None, trigger).await {
            Ok(run) => Ok(Some(run)),
            // No compliance tenant yet: nothing to do on a schedule.
            Err(Error::InvalidInput(_) | Error::NotConfigured(_)) => Ok(None),
            Err(err) => Err(err),
        }
    }

    /// Takes or renews the schedule lease; `false` when another process holds it or the
    /// schedules are paused. A paused holder keeps its lease: pausing here must not hand the
    /// schedules to the CLI.
    async fn holds_schedules(&self) -> Result<bool> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let until = now + chrono::Duration::from_std(schedule::LEASE_FOR).unwrap_or_default();
        let held = store::leases::take(&mut tx, schedule::LEASE, &self.holder, now, until).await?;
        tx.commit().await?;
        Ok(held && !self.schedules_paused())
    }

    /// Starts the schedules in the background: a start-up check (catch-up), then one every
    /// minute. The returned handle stops them when dropped.
    pub fn start_schedules(self: &Arc<Self>) -> ScheduleHandle {
        let engine = Arc::clone(self);
        let task = tokio::spawn(async move {
            let mut trigger = Trigger::StartUp;
            loop {
                match engine.run_due_schedules(trigger).await {
                    Ok(Some(run)) => {
                        tracing::info!(status = ?run.status, ?trigger, "scheduled asset sync finished")
                    }
                    Ok(None) => {}
                    Err(err) => {
                        tracing::warn!(error = %err, "a scheduled asset sync could not run")
                    }
                }
                match engine.run_due_sweep(trigger).await {
                    Ok(Some(run)) => {
                        tracing::info!(status = ?run.status, ?trigger, "scheduled compliance sweep finished")
                    }
                    Ok(None) => {}
                    Err(err) => {
                        tracing::warn!(error = %err, "a scheduled compliance sweep could not run")
                    }
                }
                match engine.run_due_polls(trigger).await {
                    Ok(Some(run)) => {
                        tracing::info!(status = ?run.status, ?trigger, "scheduled activity poll finished")
                    }
                    Ok(None) => {}
                    Err(err) => {
                        tracing::warn!(error = %err, "a scheduled activity poll could not run")
                    }
                }
                trigger = Trigger::Schedule;
                tokio::time::sleep(schedule::CHECK_EVERY).await;
            }
        });
        ScheduleHandle { task }
    }

    /// Polls NinjaOne's activities when the poll interval (2 minutes by default) has passed
    /// since the last poll; nothing while paused, or when nothing is mapped.
    pub async fn run_due_polls(&self, trigger: Trigger) -> Result<Option<PollRun>> {
        if !self.holds_schedules().await? {
            return Ok(None);
        }
        let every = self.incident_settings().await?.poll_every_secs;
        let last = store::runs::last_started(self.store.pool(), crate::runs::RunKind::Poll).await?;
        if !polling::is_due(last, Duration::from_secs(every.into()), self.now()) {
            return Ok(None);
        }
        match self.poll_activities(trigger).await {
            Ok(run) => Ok(Some(run)),
            Err(Error::InvalidInput(_) | Error::NotConfigured(_)) => Ok(None),
            Err(err) => Err(err),
        }
    }

    // Incidents (SPEC §7)

    /// Polls `/v2/activities` of every active connection's mapped organizations into
    /// incidents (`activities poll`, the schedule).
    pub async fn poll_activities(&self, trigger: Trigger) -> Result<PollRun> {
        let mut orgs: std::collections::BTreeMap<ConnectionId, Vec<NinjaOrgId>> =
            std::collections::BTreeMap::new();
        for t in store::organizations::sync_targets(self.store.pool(), None).await? {
            orgs.entry(t.connection).or_default().push(t.org);
        }
        if orgs.is_empty() {
            connection::choose(self.connections().await?, None)?;
            return Err(Error::InvalidInput(
                "No NinjaOne organization is mapped to a company yet, so there are no activities to poll. \
                 Map organizations on Organizations (or `fleetward-cli orgs accept-suggestions`) first."
                    .into(),
            ));
        }
        let mut targets = Vec::new();
        let mut waits = Vec::new();
        for (connection, orgs) in orgs {
            let (client, wait) = self.saved_client(connection).await?;
            waits.push(wait);
            targets.push(PollTarget {
                connection,
                client,
                orgs,
            });
        }
        let rules = store::incidents::rules(self.store.pool()).await?;
        let poller = Poller {
            holder: &self.holder,
            store: &self.store,
            clock: self.config.clock.as_ref(),
            rules: &rules,
        };
        let last_wait = waits.into_iter().next().unwrap_or_default();
        let (run, applied) = self
            .within(
                "Activity poll",
                self.config.deadlines.long_run,
                &last_wait,
                async { polling::poll(&poller, trigger, targets).await },
            )
            .await?;
        self.publish(EngineEvent::PollFinished {
            run_id: run.run_id,
            status: run.status,
        });
        self.announce(&applied).await?;
        Ok(run)
    }

    /// One webhook delivery's raw body (`webhook ingest`): refused whole, with nothing
    /// changed, when it is not JSON or not activities.
    pub async fn ingest_webhook(&self, bytes: &[u8]) -> Result<IngestReport> {
        let activities = crate::incidents::payload::parse(bytes).map_err(|e| {
            Error::InvalidInput(format!(
                "The webhook payload was refused and nothing changed: {e}. Send one NinjaOne \
                 activity object, or a JSON array of them."
            ))
        })?;
        self.ingest_activities(&activities).await
    }

    /// Activities the receiver accepted: placed on their connection, grouped, stored.
    pub async fn ingest_activities(
        &self,
        activities: &[ninjaone::models::Activity],
    ) -> Result<IngestReport> {
        let active: Vec<ConnectionId> = self
            .connections()
            .await?
            .into_iter()
            .filter(|c| c.active)
            .map(|c| c.id)
            .collect();
        let mut all = Applied::default();
        for (connection, share) in
            handling::split_by_connection(&self.store, &active, activities).await?
        {
            let client = self.saved_client(connection).await.ok();
            let applied = handling::ingest(
                &self.store,
                connection,
                &share,
                client.as_ref().map(|(c, _)| c),
                self.now(),
            )
            .await?;
            all.merge(applied);
        }
        self.announce(&all).await?;
        Ok(IngestReport {
            counts: all.counts,
            incidents: all.touched,
        })
    }

    /// Which of these activity ids were processed already (the receiver's `200`).
    pub async fn activities_seen(&self, ids: &[i64]) -> Result<Vec<i64>> {
        store::incidents::seen(self.store.pool(), ids).await
    }

    /// Keeps activities the receiver accepted in its journal, in one transaction: once this
    /// returns, they survive a crash, a kill and a stop (SPEC §7), and the receiver may
    /// answer `202`.
    pub async fn journal_activities(
        &self,
        activities: &[ninjaone::models::Activity],
    ) -> Result<()> {
        let mut tx = self.store.write().await?;
        store::webhook_inbox::keep(&mut tx, activities, self.now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Processes up to `limit` journaled activities, oldest first, then removes them from
    /// the journal; the ids processed (none when the journal is empty). A failure leaves
    /// them journaled for the next try; processing is idempotent by activity id, so a kill
    /// between processing and removal only means they are found already seen next time.
    pub async fn process_journal(&self, limit: usize) -> Result<Vec<i64>> {
        let activities = store::webhook_inbox::oldest(self.store.pool(), limit).await?;
        if activities.is_empty() {
            return Ok(Vec::new());
        }
        let report = self.ingest_activities(&activities).await?;
        tracing::info!(
            received = report.counts.received,
            opened = report.counts.opened,
            resolved = report.counts.resolved,
            "webhook activities processed"
        );
        let ids: Vec<i64> = activities.iter().filter_map(|a| a.id).collect();
        let mut tx = self.store.write().await?;
        store::webhook_inbox::remove(&mut tx, &ids).await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// How many accepted activities wait in the receiver's journal.
    pub async fn journaled_activities(&self) -> Result<u64> {
        store::webhook_inbox::count(self.store.pool()).await
    }

    pub async fn incidents(&self, filter: StatusFilter) -> Result<Vec<Incident>> {
        store::incidents::list(self.store.pool(), filter).await
    }

    pub async fn incident(&self, id: IncidentId) -> Result<Incident> {
        store::incidents::get(self.store.pool(), id).await?.ok_or_else(|| {
            Error::NotFound(format!(
                "There is no incident {id}. List them with `fleetward-cli incidents list --status all`."
            ))
        })
    }

    pub async fn acknowledge_incident(&self, id: IncidentId) -> Result<Incident> {
        handling::acknowledge(&self.store, id, self.now()).await?;
        self.incident(id).await
    }

    /// Resolves an incident by hand; only a newer TRIGGERED reopens it.
    pub async fn resolve_incident(&self, id: IncidentId) -> Result<Incident> {
        handling::resolve(&self.store, id, self.now()).await?;
        self.publish(EngineEvent::IncidentsChanged {
            tally: self.incident_tally().await?,
        });
        self.incident(id).await
    }

    /// Open incidents and whether the tray shows "attention".
    pub async fn incident_tally(&self) -> Result<IncidentTally> {
        store::incidents::tally(self.store.pool()).await
    }

    pub async fn alert_rules(&self) -> Result<Vec<AlertRule>> {
        store::incidents::rules(self.store.pool()).await
    }

    /// Validates and saves the ordered rule list (applies to events from now on).
    pub async fn save_alert_rules(&self, rules: &[AlertRule]) -> Result<Vec<AlertRule>> {
        crate::incidents::rules::validate(rules)?;
        let mut tx = self.store.write().await?;
        store::incidents::replace_rules(&mut tx, rules).await?;
        tx.commit().await?;
        self.alert_rules().await
    }

    /// What `rules` would do with the most recent events (the rule editor's preview).
    pub async fn preview_alert_rules(
        &self,
        rules: &[AlertRule],
        limit: u32,
    ) -> Result<Vec<RulePreviewRow>> {
        let events = store::incidents::recent_events(self.store.pool(), limit).await?;
        Ok(events
            .into_iter()
            .map(|event| {
                let facts = crate::incidents::rules::Facts {
                    activity_type: &event.activity_type,
                    status_code: &event.status_code,
                    severity: event.severity.as_deref(),
                    priority: event.priority.as_deref(),
                    source_name: event.source_name.as_deref(),
                    org: event.org_id,
                    device_class: event.device_class.as_deref(),
                };
                let decision = crate::incidents::rules::decide(rules, &facts);
                RulePreviewRow { event, decision }
            })
            .collect())
    }

    pub async fn incident_settings(&self) -> Result<IncidentSettings> {
        handling::settings(&self.store).await
    }

    pub async fn save_incident_settings(
        &self,
        settings: &IncidentSettings,
    ) -> Result<IncidentSettings> {
        handling::save_settings(&self.store, settings).await?;
        self.incident_settings().await
    }

    pub async fn webhook_settings(&self) -> Result<WebhookSettings> {
        handling::webhook_settings(&self.store).await
    }

    pub async fn save_webhook_settings(
        &self,
        settings: &WebhookSettings,
    ) -> Result<WebhookSettings> {
        handling::save_webhook_settings(&self.store, settings).await?;
        self.webhook_settings().await
    }

    /// Generates a new webhook secret and shows it, once, with what to configure.
    pub async fn regenerate_webhook_secret(&self) -> Result<WebhookSecretShown> {
        let secret = handling::regenerate_secret(&self.store).await?;
        let settings = self.webhook_settings().await?;
        let host = match settings.bind.as_str() {
            "0.0.0.0" | "::" => "127.0.0.1".to_string(),
            ip if ip.contains(':') => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        Ok(WebhookSecretShown {
            secret: secret.expose_secret().to_string(),
            url: format!("http://{host}:{}{WEBHOOK_PATH}", settings.port),
            header_name: SECRET_HEADER.into(),
            header_value: secret.expose_secret().to_string(),
        })
    }

    /// The stored webhook secret, for a receiver this process runs. Never shown or logged.
    pub async fn webhook_secret(&self) -> Result<Option<SecretString>> {
        handling::secret(&self.store).await
    }

    /// Announces new and reopened incidents at or above the chosen severity, and the new
    /// tally when anything changed.
    async fn announce(&self, applied: &Applied) -> Result<()> {
        if applied.raised.is_empty() && !applied.changed() {
            return Ok(());
        }
        let threshold = self.incident_settings().await?.notify_at;
        for incident in applied.raised.iter().filter(|n| n.severity >= threshold) {
            self.publish(EngineEvent::IncidentRaised {
                incident: incident.clone(),
            });
        }
        self.publish(EngineEvent::IncidentsChanged {
            tally: self.incident_tally().await?,
        });
        Ok(())
    }

    // Compliance (SPEC §5)

    /// A compliance sweep now of one company's tenant, or of every compliance tenant.
    pub async fn sweep(&self, company: Option<CompanyId>, trigger: Trigger) -> Result<SweepRun> {
        let tenants = store::compliance::tenants(self.store.pool(), company).await?;
        if tenants.is_empty() {
            return Err(match company {
                Some(id) => {
                    self.company(id).await?;
                    Error::InvalidInput(format!(
                        "Company {id} is not a compliance tenant, so there is nothing to sweep. Promote it on its \
                         company page (or `fleetward-cli companies promote {id}`) first."
                    ))
                }
                None => Error::InvalidInput(
                    "No company is a compliance tenant yet, so there is nothing to sweep. Promote a company on \
                     its company page (or `fleetward-cli companies promote COMPANY_ID`) first."
                        .into(),
                ),
            });
        }
        let tenant_companies: std::collections::BTreeSet<CompanyId> =
            tenants.iter().map(|t| t.company).collect();
        let mut by_connection: std::collections::BTreeMap<ConnectionId, Vec<SyncTarget>> =
            std::collections::BTreeMap::new();
        for target in store::organizations::sync_targets(self.store.pool(), company).await? {
            if tenant_companies.contains(&target.company) {
                by_connection
                    .entry(target.connection)
                    .or_default()
                    .push(target);
            }
        }
        let mut sources = Vec::new();
        let mut waits = Vec::new();
        for (connection, mappings) in by_connection {
            // A connection without a usable client fails its own tenants only.
            let client = self.saved_client(connection).await.map(|(client, wait)| {
                waits.push(wait);
                client
            });
            sources.push(compliance::sweep::Source {
                connection,
                client,
                mappings,
            });
        }
        if !sources.is_empty() && sources.iter().all(|s| s.client.is_err()) {
            sources.swap_remove(0).client?;
        }
        let scope = company.map_or("all".to_string(), |c| format!("company:{c}"));
        let data_dir = self.config.data_dir.clone();
        let alive = move |holder: &str| data_dir::holder_alive(&data_dir, holder);
        let orchestra = compliance::sweep::Orchestra {
            store: &self.store,
            clock: self.config.clock.as_ref(),
            holder: &self.holder,
            alive: &alive,
            events: &self.events,
        };
        let limit = self.config.deadlines.long_run;
        let request = compliance::sweep::Request {
            trigger,
            scope: &scope,
            deadline: Some(limit),
        };
        let last_wait = waits.into_iter().next().unwrap_or_default();
        // Reading stops itself at the deadline and the sweep lands; the outer limit only
        // catches a sweep that could not.
        self.within(
            "Compliance sweep",
            limit + LANDING_GRACE,
            &last_wait,
            compliance::sweep::run(&orchestra, &request, tenants, sources),
        )
        .await
    }

    /// The latest signal of each compliance tenant and signal (`signals`, the dashboard).
    pub async fn signals(&self, company: Option<CompanyId>) -> Result<Vec<SignalRow>> {
        if let Some(id) = company {
            self.company(id).await?;
        }
        let rows = store::compliance::latest_signals(self.store.pool(), company).await?;
        Ok(compliance::evidence::signals_at(rows, self.now()))
    }

    /// Every signal of a company's tenant, oldest first (trend charts).
    pub async fn signal_history(&self, company: CompanyId) -> Result<Vec<SignalRow>> {
        self.company(company).await?;
        let rows = store::compliance::signal_history(self.store.pool(), company).await?;
        Ok(compliance::evidence::signals_at(rows, self.now()))
    }

    /// Evidence rows, newest first (the controls view).
    pub async fn evidence(&self, company: Option<CompanyId>) -> Result<Vec<EvidenceRow>> {
        if let Some(id) = company {
            self.company(id).await?;
        }
        let rows = store::compliance::evidence(self.store.pool(), company).await?;
        Ok(compliance::evidence::evidence_at(rows, self.now()))
    }

    pub async fn tickets(&self, status: Option<TicketStatus>) -> Result<Vec<Ticket>> {
        store::compliance::tickets(self.store.pool(), status).await
    }

    /// Tickets as CSV or JSON for a PSA.
    pub async fn export_tickets(
        &self,
        status: Option<TicketStatus>,
        format: ExportFormat,
    ) -> Result<String> {
        compliance::export::tickets(&self.tickets(status).await?, format)
    }

    /// Evidence as CSV or JSON for an auditor or a PSA.
    pub async fn export_evidence(
        &self,
        company: Option<CompanyId>,
        format: ExportFormat,
    ) -> Result<String> {
        compliance::export::evidence(&self.evidence(company).await?, format)
    }

    // Connections (SPEC §2, §6)

    /// Test connection with the values as typed.
    pub async fn test_connection(&self, draft: &ConnectionDraft) -> Result<ConnectionTest> {
        let target = draft.target()?;
        let waits = LastWait::default();
        let client = self.client(target.base.clone(), target.credentials(), &waits)?;
        self.test_within(&client, &waits).await
    }

    /// Tests the draft and, only if the test passes, saves it and discovers its organizations.
    pub async fn save_connection(&self, draft: &ConnectionDraft) -> Result<SavedConnection> {
        let target = draft.target()?;
        let waits = LastWait::default();
        let client = self.client(target.base.clone(), target.credentials(), &waits)?;
        let test = self.test_within(&client, &waits).await?;
        let id = connection::save(&self.store, &target, &test, self.now()).await?;
        self.forget_client(id);
        let discovery = self.discover_with(id, &client, &waits).await?;
        Ok(SavedConnection {
            connection: self.connection(id).await?,
            test,
            discovery,
        })
    }

    pub async fn connections(&self) -> Result<Vec<Connection>> {
        store::connections::list(self.store.pool()).await
    }

    pub async fn connection(&self, id: ConnectionId) -> Result<Connection> {
        connection::choose(self.connections().await?, Some(id))
    }

    /// The one active connection, or the one named; several active connections need a name.
    pub async fn resolve_connection(&self, id: Option<ConnectionId>) -> Result<Connection> {
        connection::choose(self.connections().await?, id)
    }

    /// Re-tests a saved connection with its stored secret (`test-connection`).
    pub async fn retest_connection(&self, id: ConnectionId) -> Result<ConnectionTest> {
        let (client, waits) = self.saved_client(id).await?;
        let test = self.test_within(&client, &waits).await?;
        let mut tx = self.store.write().await?;
        store::connections::mark_tested(&mut tx, id, self.now(), &test.granted_scopes).await?;
        tx.commit().await?;
        Ok(test)
    }

    /// Disconnect (SPEC §6).
    pub async fn disconnect(&self, id: ConnectionId) -> Result<Connection> {
        let connection = self.connection(id).await?;
        self.forget_client(id);
        connection::disconnect(&self.store, &connection, self.now()).await?;
        self.connection(id).await
    }

    // Organizations (SPEC §3)

    pub async fn discover_organizations(&self, id: ConnectionId) -> Result<DiscoverySummary> {
        let (client, waits) = self.saved_client(id).await?;
        self.discover_with(id, &client, &waits).await
    }

    pub async fn organizations(&self, connection: ConnectionId) -> Result<Vec<OrganizationRow>> {
        organizations::rows(&self.store, connection).await
    }

    /// Applies a choice (and options) to one organization. A location restriction is checked
    /// against the organization's locations in NinjaOne.
    pub async fn map_organization(
        &self,
        connection: ConnectionId,
        org: NinjaOrgId,
        choice: &MappingChoice,
        options: &MappingOptions,
    ) -> Result<OrganizationRow> {
        let known_locations = match options.location_ids.as_deref() {
            Some(wanted) if !wanted.is_empty() => Some(self.locations_of(connection, org).await?),
            _ => None,
        };
        let request = MappingRequest {
            connection,
            org,
            choice,
            options,
            known_locations: known_locations.as_deref(),
        };
        organizations::map(&self.store, &request, self.now()).await
    }

    /// The NinjaOne custom field names in a live sample of one organization's devices, sorted:
    /// what the mapping's custom field picker offers (one small request).
    pub async fn custom_field_names(
        &self,
        connection: ConnectionId,
        org: NinjaOrgId,
    ) -> Result<Vec<String>> {
        organizations::one(&self.store, connection, org).await?;
        let (client, waits) = self.saved_client(connection).await?;
        self.within(
            "Reading the organization's custom fields",
            self.config.deadlines.interactive,
            &waits,
            sync::ninjaone::custom_field_names(&client, org),
        )
        .await
    }

    /// Maps every organization whose suggestion can be accepted to its suggested company.
    pub async fn accept_suggestions(
        &self,
        connection: ConnectionId,
    ) -> Result<Vec<OrganizationRow>> {
        let mut accepted = Vec::new();
        for org in self.organizations(connection).await? {
            let (true, Some(company_id)) = (org.can_accept_suggestion, org.suggested_company_id)
            else {
                continue;
            };
            let request = MappingRequest {
                connection,
                org: org.org_id,
                choice: &MappingChoice::UseExisting { company_id },
                options: &MappingOptions::default(),
                known_locations: None,
            };
            let row = organizations::map(&self.store, &request, self.now()).await?;
            debug_assert_eq!(row.state, MappingState::Mapped);
            accepted.push(row);
        }
        Ok(accepted)
    }

    // Companies (SPEC §4)

    pub async fn companies(&self) -> Result<Vec<Company>> {
        store::companies::list(self.store.pool()).await
    }

    pub async fn company(&self, id: CompanyId) -> Result<Company> {
        companies::get(&self.store, id).await
    }

    pub async fn add_company(&self, name: &str) -> Result<Company> {
        companies::add(&self.store, name, self.now()).await
    }

    pub async fn rename_company(&self, id: CompanyId, name: &str) -> Result<Company> {
        companies::rename(&self.store, id, name, self.now()).await
    }

    pub async fn promote_company(&self, id: CompanyId) -> Result<Company> {
        companies::promote(&self.store, id, self.now()).await
    }

    pub async fn audit_events(&self, company: Option<CompanyId>) -> Result<Vec<AuditEvent>> {
        store::audit::list(self.store.pool(), company).await
    }

    // Plumbing

    /// Test connection, bounded by the interactive deadline.
    async fn test_within(&self, client: &Client, waits: &LastWait) -> Result<ConnectionTest> {
        self.within(
            "Test connection",
            self.config.deadlines.interactive,
            waits,
            connection::test(client),
        )
        .await
    }

    async fn discover_with(
        &self,
        id: ConnectionId,
        client: &Client,
        waits: &LastWait,
    ) -> Result<DiscoverySummary> {
        self.within(
            "Discovering organizations",
            self.config.deadlines.long_run,
            waits,
            async { organizations::discover(&self.store, client, id, self.now()).await },
        )
        .await
    }

    async fn locations_of(
        &self,
        connection: ConnectionId,
        org: NinjaOrgId,
    ) -> Result<Vec<NinjaLocationId>> {
        let (client, waits) = self.saved_client(connection).await?;
        let locations = self
            .within(
                "Reading the organization's locations",
                self.config.deadlines.interactive,
                &waits,
                async { Ok(client.organization_locations(org.0).await?) },
            )
            .await?;
        Ok(locations
            .into_iter()
            .filter_map(|l| l.id)
            .map(NinjaLocationId)
            .collect())
    }

    /// A client for one action, sharing the engine's clock and rate budget; its waits are
    /// announced on the event channel and remembered for the deadline's message.
    fn client(&self, base: BaseUrl, credentials: Credentials, waits: &LastWait) -> Result<Client> {
        let events = self.events.clone();
        let last = waits.clone();
        let tuning = &self.config.client;
        let config = ClientConfig {
            timeout: tuning.timeout,
            retry: tuning.retry,
            page_size: tuning.page_size,
            clock: self.config.clock.clone(),
            rate_budgets: self.rate_budgets.clone(),
            on_wait: Some(Arc::new(move |wait: &ninjaone::Wait| {
                let message = wait.to_string();
                if let Ok(mut slot) = last.lock() {
                    *slot = Some(message.clone());
                }
                let _ = events.send(EngineEvent::Waiting { message });
            })),
            ..ClientConfig::default()
        };
        Ok(Client::new(base, credentials, config)?)
    }

    /// The client of a saved, active connection. The stored row is read every time, so a
    /// disconnect or a new secret saved by another process (the CLI beside the app) takes
    /// effect at once; the client itself, and with it its token, is kept while they match.
    async fn saved_client(&self, id: ConnectionId) -> Result<(Client, LastWait)> {
        let stored = store::connections::credentials(self.store.pool(), id)
            .await?
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "There is no connection {id}. List them with `fleetward-cli status`."
                ))
            })?;
        let Some(secret) = stored.client_secret else {
            self.forget_client(id);
            return Err(connection::disconnected(&self.connection(id).await?));
        };
        let fingerprint = SecretString::from(format!(
            "{}|{}|{}",
            stored.base_url,
            stored.client_id,
            secret.expose_secret()
        ));
        if let Some((client, waits, kept)) = self.cached_clients().get(&id) {
            if kept.expose_secret() == fingerprint.expose_secret() {
                return Ok((client.clone(), waits.clone()));
            }
        }
        let base = BaseUrl::custom(&stored.base_url)?;
        let waits = LastWait::default();
        let client = self.client(base, Credentials::new(stored.client_id, secret), &waits)?;
        self.cached_clients()
            .insert(id, (client.clone(), waits.clone(), fingerprint));
        Ok((client, waits))
    }

    fn forget_client(&self, id: ConnectionId) {
        self.cached_clients().remove(&id);
    }

    fn cached_clients(&self) -> std::sync::MutexGuard<'_, HashMap<ConnectionId, CachedClient>> {
        // A panic while holding the map cannot leave a half-made entry: insert is one step.
        self.clients
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `work` with an overall deadline; past it, the work is dropped (a transaction in
    /// flight rolls back) and the error says what it was waiting for.
    async fn within<T>(
        &self,
        action: &'static str,
        limit: Duration,
        waits: &LastWait,
        work: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        match tokio::time::timeout(limit, work).await {
            Ok(result) => result,
            Err(_) => Err(Error::DeadlineExceeded {
                action,
                after_secs: limit.as_secs(),
                waiting: last_wait_text(waits),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn engine() -> (tempfile::TempDir, Arc<Engine>) {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::start(crate::testing::config(dir.path().join("data")))
            .await
            .unwrap();
        (dir, engine)
    }

    #[tokio::test]
    async fn start_creates_the_data_folder_and_reports_it() {
        let (dir, engine) = engine().await;
        assert!(dir.path().join("data").is_dir());
        let status = engine.status();
        assert!(status.data_dir.ends_with("data"));
        assert_eq!(status.version, crate::VERSION);
        assert!(status.self_check.sqlcipher_version.is_some());
    }

    #[tokio::test]
    async fn pausing_schedules_is_announced_once_per_change() {
        let (_dir, engine) = engine().await;
        let mut events = engine.subscribe();
        engine.set_schedules_paused(true);
        engine.set_schedules_paused(true);
        engine.set_schedules_paused(false);
        assert!(!engine.schedules_paused());
        assert_eq!(
            events.try_recv().unwrap(),
            EngineEvent::SchedulesChanged { paused: true }
        );
        assert_eq!(
            events.try_recv().unwrap(),
            EngineEvent::SchedulesChanged { paused: false }
        );
        assert!(
            events.try_recv().is_err(),
            "a repeated pause must not be announced"
        );
    }

    #[tokio::test]
    async fn sync_without_a_connection_says_how_to_add_one() {
        let (_dir, engine) = engine().await;
        let err = engine.sync_all(Trigger::Manual).await.unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::NotConfigured);
        assert!(err.to_string().contains("Open Connection"));
    }

    #[test]
    fn debug_of_the_engine_config_prints_no_key() {
        let key = "ab12".repeat(16);
        let config = EngineConfig {
            store_key: Some(SecretString::from(key.clone())),
            ..crate::testing::config(PathBuf::from("/tmp/x"))
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains(&key), "{shown}");
        assert!(!shown.contains("ab12ab12"), "{shown}");
    }

    #[test]
    fn events_serialise_as_tagged_camel_case_for_the_ui() {
        let json = serde_json::to_value(EngineEvent::SchedulesChanged { paused: true }).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"type": "schedulesChanged", "paused": true})
        );
    }
}
