//! The engine handle that the shell and the CLI hold. It owns the data folder, the event
//! channel and the scheduler switches; later capabilities hang the store, sync, compliance
//! and incidents off it, so that every front end drives the same code.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use serde::Serialize;
use tokio::sync::broadcast;
use ts_rs::TS;

use crate::secrets::SecretStore;
use crate::store::{resolve_key, Store};
use crate::time::{Clock, SystemClock};
use crate::{data_dir, EngineEvent, Error, Result, SelfCheck};

/// How many events a slow subscriber may fall behind before it starts missing some. Events
/// are progress and notices, so a lagging UI loses only intermediate progress ticks.
const EVENT_BUFFER: usize = 1024;

#[derive(Debug, Clone)]
pub struct EngineConfig {
    pub data_dir: PathBuf,
    /// Where the store key is kept (the OS keychain outside tests).
    pub secrets: Arc<dyn SecretStore>,
    /// `FLEETWARD_STORE_KEY`, when set: the store key as 64 hex characters.
    pub store_key: Option<String>,
    /// How the NinjaOne client behaves (timeouts, retries, page size).
    pub client: ninjaone::ClientConfig,
    pub clock: Arc<dyn Clock>,
}

impl EngineConfig {
    /// The configuration the app and the CLI use: the OS keychain and the real clock.
    pub fn new(data_dir: PathBuf) -> EngineConfig {
        EngineConfig {
            data_dir,
            secrets: Arc::new(crate::secrets::KeyringSecrets::new()),
            store_key: std::env::var(crate::store::STORE_KEY_ENV).ok(),
            client: ninjaone::ClientConfig::default(),
            clock: Arc::new(SystemClock),
        }
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
    pub(crate) config: EngineConfig,
    pub(crate) store: Store,
    self_check: SelfCheck,
    events: broadcast::Sender<EngineEvent>,
    schedules_paused: AtomicBool,
}

impl Engine {
    /// Prepares the data folder and proves the store would be encrypted. Fails, with what to
    /// do, rather than start in a state that could lose or expose data.
    pub async fn start(config: EngineConfig) -> Result<Arc<Engine>> {
        data_dir::ensure_usable(&config.data_dir)?;
        let self_check = SelfCheck::run().await?;
        self_check.require_cipher()?;
        let store_exists = Store::path_in(&config.data_dir).exists();
        let key = resolve_key(
            config.store_key.clone(),
            config.secrets.as_ref(),
            store_exists,
        )?;
        let store = Store::open(&config.data_dir, &key).await?;
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        tracing::info!(data_dir = %config.data_dir.display(), "engine started");
        Ok(Arc::new(Engine {
            config,
            store,
            self_check,
            events,
            schedules_paused: AtomicBool::new(false),
        }))
    }

    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.config.clock.now()
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

    /// Syncs every mapped company now. Without a connection there is nothing to sync, and the
    /// technician is told how to set one up; asset sync itself arrives with its own
    /// capability, and until then the answer says so rather than pretending to run.
    pub async fn sync_all(&self, trigger: Trigger) -> Result<()> {
        tracing::info!(?trigger, "sync of all companies requested");
        let active = self
            .connections()
            .await?
            .into_iter()
            .filter(|c| c.active)
            .count();
        if active == 0 {
            return Err(Error::NotConfigured(
                "There is no NinjaOne connection to sync from yet. Open Connection, enter your API \
                 client id and secret, test them and save."
                    .into(),
            ));
        }
        Err(Error::NotConfigured(
            "Asset sync is not part of this build yet. Your connection and organization mappings \
             are saved and will be used as soon as it is."
                .into(),
        ))
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
    fn events_serialise_as_tagged_camel_case_for_the_ui() {
        let json = serde_json::to_value(EngineEvent::SchedulesChanged { paused: true }).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"type": "schedulesChanged", "paused": true})
        );
    }
}
