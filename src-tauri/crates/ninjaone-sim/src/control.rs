//! The handle that tests, benchmarks and demo mode use to steer a running simulator:
//! change the tenant, invalidate tokens and cursors, inject faults and read request
//! statistics. The `/_sim` HTTP API ([`crate::server`]) calls these same methods, so the
//! Rust and HTTP forms cannot drift apart.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use ninjaone::models::{Activity, ApprovalStatus, Device, NodeClass, Organization};
use rand::Rng;

use crate::activities::LiveAlerts;
use crate::clock::epoch;
use crate::config::SimConfig;
use crate::cursors::CursorStore;
use crate::faults::{FaultInjector, FaultKind, Faults, RateLimit, RateLimiter};
use crate::rng::{self, Purpose};
use crate::stats::{Stats, StatsRecorder};
use crate::tenant::{Tenant, View};
use crate::{devices, organizations};

/// A poisoned lock only means another request panicked mid-update; the simulator's state
/// stays usable, and refusing every later request would hide the original failure.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn read<T>(lock: &RwLock<T>) -> RwLockReadGuard<'_, T> {
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

fn write<T>(lock: &RwLock<T>) -> RwLockWriteGuard<'_, T> {
    lock.write().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) struct Shared {
    pub config: SimConfig,
    pub base_url: String,
    tenant: RwLock<Tenant>,
    /// Issued access tokens and when they were issued, on the configured clock.
    tokens: Mutex<HashMap<String, DateTime<Utc>>>,
    pub cursors: Mutex<CursorStore>,
    faults: Mutex<FaultInjector>,
    limiter: Mutex<RateLimiter>,
    stats: Mutex<StatsRecorder>,
    live: Option<Mutex<LiveAlerts>>,
}

/// Steers a running simulator. Cheap to clone; clones share the simulator.
#[derive(Clone)]
pub struct Control {
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Control")
            .field("base_url", &self.shared.base_url)
            .finish()
    }
}

impl Control {
    pub(crate) fn new(config: SimConfig, base_url: String, tenant: Tenant) -> Control {
        let fault_rng = rng::stream(config.seed, 0, Purpose::Faults);
        let live = config
            .live_alerts
            .map(|period| Mutex::new(LiveAlerts::new(epoch(config.clock.now()), period)));
        Control {
            shared: Arc::new(Shared {
                config,
                base_url,
                tenant: RwLock::new(tenant),
                tokens: Mutex::new(HashMap::new()),
                cursors: Mutex::new(CursorStore::default()),
                faults: Mutex::new(FaultInjector::new(fault_rng)),
                limiter: Mutex::new(RateLimiter::default()),
                stats: Mutex::new(StatsRecorder::default()),
                live,
            }),
        }
    }

    /// A consistent snapshot of the tenant.
    pub(crate) fn view(&self) -> View {
        self.catch_up_live_alerts();
        read(&self.shared.tenant).view()
    }

    /// Appends the live alerts' activities that have come due on the clock.
    fn catch_up_live_alerts(&self) {
        let Some(live) = &self.shared.live else {
            return;
        };
        let now = self.now_epoch();
        let mut live = lock(live);
        if !live.due_by(now) {
            return;
        }
        let mut tenant = write(&self.shared.tenant);
        let devices = tenant.view().devices;
        for activity in live.take_due(self.shared.config.seed, now, &devices) {
            tenant.append_generated(activity);
        }
    }

    // --- data -------------------------------------------------------------------------

    /// Every organization, in the shape of `/v2/organizations`.
    pub fn organizations(&self) -> Vec<Organization> {
        self.view().orgs.iter().map(organizations::plain).collect()
    }

    /// Every device, in the detailed shape of `/v2/devices-detailed`.
    pub fn devices(&self) -> Vec<Device> {
        let view = self.view();
        view.devices
            .iter()
            .map(|device| devices::detailed(&view, device))
            .collect()
    }

    /// Adds an organization with one location; returns its id.
    pub fn add_organization(&self, name: &str) -> i64 {
        write(&self.shared.tenant).add_organization(name)
    }

    pub fn rename_organization(&self, id: i64, name: &str) {
        self.try_rename_organization(id, name);
    }

    pub(crate) fn try_rename_organization(&self, id: i64, name: &str) -> bool {
        write(&self.shared.tenant).rename_organization(id, name)
    }

    /// Removes the organization with its locations and devices.
    pub fn remove_organization(&self, id: i64) {
        self.try_remove_organization(id);
    }

    pub(crate) fn try_remove_organization(&self, id: i64) -> bool {
        write(&self.shared.tenant).remove_organization(id)
    }

    /// Adds a device to the organization's first location; returns its id (ids ascend).
    pub fn add_device(&self, org_id: i64, node_class: NodeClass, approval: ApprovalStatus) -> i64 {
        write(&self.shared.tenant).add_device(org_id, node_class, approval)
    }

    pub fn rename_device(&self, id: i64, system_name: &str) {
        self.try_rename_device(id, system_name);
    }

    pub(crate) fn try_rename_device(&self, id: i64, system_name: &str) -> bool {
        write(&self.shared.tenant).rename_device(id, system_name)
    }

    pub fn remove_device(&self, id: i64) {
        self.try_remove_device(id);
    }

    pub(crate) fn try_remove_device(&self, id: i64) -> bool {
        write(&self.shared.tenant).remove_device(id)
    }

    pub fn set_approval(&self, id: i64, approval: ApprovalStatus) {
        self.try_set_approval(id, approval);
    }

    pub(crate) fn try_set_approval(&self, id: i64, approval: ApprovalStatus) -> bool {
        write(&self.shared.tenant).set_approval(id, approval)
    }

    pub fn set_offline(&self, id: i64, offline: bool) {
        self.try_set_offline(id, offline);
    }

    pub(crate) fn try_set_offline(&self, id: i64, offline: bool) -> bool {
        write(&self.shared.tenant).set_offline(id, offline)
    }

    /// Appends an activity with the next id; `activityTime` defaults to now. A CONDITION
    /// activity changes `/v2/alerts` (TRIGGERED opens an alert for its series, RESET
    /// closes it).
    pub fn append_activity(&self, activity: Activity) -> i64 {
        write(&self.shared.tenant).append_activity(activity, self.now_epoch())
    }

    /// Appends activities in order under one lock (a benchmark's stream of thousands);
    /// returns their ids.
    pub fn append_activities(&self, activities: Vec<Activity>) -> Vec<i64> {
        let now = self.now_epoch();
        let mut tenant = write(&self.shared.tenant);
        activities
            .into_iter()
            .map(|a| tenant.append_activity(a, now))
            .collect()
    }

    /// Now on the configured clock, in epoch seconds.
    pub(crate) fn now_epoch(&self) -> f64 {
        epoch(self.now())
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.shared.config.clock.now()
    }

    // --- auth and paging --------------------------------------------------------------

    /// Every issued token becomes invalid: the next use answers 401.
    pub fn expire_tokens(&self) {
        lock(&self.shared.tokens).clear();
    }

    /// Every open report cursor expires: the next page answers 400 `CURSOR_EXPIRED`.
    pub fn expire_cursors(&self) {
        lock(&self.shared.cursors).expire_all();
    }

    /// The access tokens that are still valid, for tests that check a token never leaks
    /// (into a log, an error message, a store).
    pub fn issued_tokens(&self) -> Vec<String> {
        let now = self.now();
        lock(&self.shared.tokens)
            .iter()
            .filter(|(_, issued)| self.alive(**issued, now))
            .map(|(token, _)| token.clone())
            .collect()
    }

    pub(crate) fn issue_token(&self) -> String {
        let token = format!(
            "sim.{:032x}{:016x}",
            rand::rng().random::<u128>(),
            rand::rng().random::<u64>()
        );
        let now = self.now();
        let mut tokens = lock(&self.shared.tokens);
        tokens.retain(|_, issued| self.alive(*issued, now));
        tokens.insert(token.clone(), now);
        token
    }

    pub(crate) fn token_valid(&self, token: &str) -> bool {
        let now = self.now();
        lock(&self.shared.tokens)
            .get(token)
            .is_some_and(|issued| self.alive(*issued, now))
    }

    /// Whether a token issued at `issued` is still valid at `now`.
    fn alive(&self, issued: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        let lifetime = chrono::Duration::seconds(
            i64::try_from(self.shared.config.token_lifetime_secs).unwrap_or(i64::MAX),
        );
        issued
            .checked_add_signed(lifetime)
            .is_none_or(|expiry| now < expiry)
    }

    // --- faults -----------------------------------------------------------------------

    pub fn set_faults(&self, faults: Faults) {
        lock(&self.shared.faults).set(Some(faults));
    }

    pub fn clear_faults(&self) {
        lock(&self.shared.faults).set(None);
    }

    /// Limits requests (token requests included); beyond it the answer is 429 with
    /// `Retry-After` in whole seconds until a slot frees. `None` lifts the limit.
    pub fn set_rate_limit(&self, limit: Option<RateLimit>) {
        lock(&self.shared.limiter).set(limit);
    }

    pub(crate) fn draw_fault(&self, token_endpoint: bool) -> Option<FaultKind> {
        lock(&self.shared.faults).draw(token_endpoint)
    }

    pub(crate) fn admit(&self, now: Instant) -> Result<Option<usize>, u64> {
        lock(&self.shared.limiter).admit(now)
    }

    // --- stats ------------------------------------------------------------------------

    pub fn stats(&self) -> Stats {
        lock(&self.shared.stats).snapshot()
    }

    pub fn reset_stats(&self) {
        lock(&self.shared.stats).reset();
    }

    /// The window of [`Stats::max_requests_in_window`] (60 s by default). The maximum
    /// restarts from the requests inside the new window.
    pub fn set_stats_window(&self, window: Duration) {
        lock(&self.shared.stats).set_window(window, Instant::now());
    }

    pub(crate) fn record_request(&self, endpoint: &str, token: bool, now: Instant) {
        lock(&self.shared.stats).record(endpoint, token, now);
    }

    pub(crate) fn record_throttle(&self) {
        lock(&self.shared.stats).throttled();
    }
}
