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
use crate::connection::{self, Connection, ConnectionDraft, ConnectionTest, SavedConnection};
use crate::ids::{AssetId, CompanyId, ConnectionId, NinjaLocationId, NinjaOrgId, RunId};
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

/// How the engine's NinjaOne clients behave. The clock and the rate budget are not here:
/// the engine hands its own to every client, so there is one of each.
#[derive(Debug, Clone)]
pub struct ClientTuning {
    /// Per HTTP request, connection included.
    pub timeout: Duration,
    pub retry: RetryPolicy,
    pub page_size: usize,
}

impl Default for ClientTuning {
    fn default() -> Self {
        let defaults = ClientConfig::default();
        ClientTuning {
            timeout: defaults.timeout,
            retry: defaults.retry,
            page_size: defaults.page_size,
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
        Ok(Arc::new(Engine {
            config,
            store,
            self_check,
            events,
            schedules_paused: AtomicBool::new(false),
            rate_budgets: Arc::new(RateBudgets::ninjaone()),
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
        for (connection, targets) in by_connection {
            let (client, wait) = self.saved_client(connection).await?;
            waits.push(wait);
            let tenant_devices =
                store::organizations::tenant_devices(self.store.pool(), connection).await?;
            groups.push((NinjaOneDriver::new(client, tenant_devices), targets));
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
        let request = sync::run::Request {
            trigger,
            scope: &scope,
            preview,
        };
        let last_wait = waits.into_iter().next().unwrap_or_default();
        self.within(
            "Asset sync",
            self.config.deadlines.long_run,
            &last_wait,
            async { sync::run::run(&orchestra, &request, groups).await },
        )
        .await
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
        let now = self.now();
        let mut tx = self.store.write().await?;
        let until = now + chrono::Duration::from_std(schedule::LEASE_FOR).unwrap_or_default();
        let held = store::leases::take(&mut tx, schedule::LEASE, &self.holder, now, until).await?;
        tx.commit().await?;
        // A paused holder keeps its lease: pausing here must not hand the schedules to the CLI.
        if !held || self.schedules_paused() {
            return Ok(None);
        }
        let tick = schedule::latest_tick(
            now,
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
                trigger = Trigger::Schedule;
                tokio::time::sleep(schedule::CHECK_EVERY).await;
            }
        });
        ScheduleHandle { task }
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
            Err(_) => {
                let waiting = waits
                    .lock()
                    .ok()
                    .and_then(|slot| slot.clone())
                    .map(|w| format!(" (last: {w})"))
                    .unwrap_or_default();
                Err(Error::DeadlineExceeded {
                    action,
                    after_secs: limit.as_secs(),
                    waiting,
                })
            }
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
