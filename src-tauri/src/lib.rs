//! Fleetward's desktop shell. It adapts the engine (`fleetward-core`) to Tauri: thin
//! commands, the tray, notifications, the updater and window state. No business rule lives
//! here (SPEC §1); a command is arguments → engine call → typed result or typed error.

mod args;
mod builder;
mod commands;
mod demo;
mod events;
mod input;
mod models;
mod receiver;
mod startup;
mod tray;
mod updater;
pub mod webview;

use std::sync::Arc;

use fleetward_core::{Engine, ErrorReport};
use tauri::Manager;

pub use builder::run;
pub use demo::DemoTenant;
pub use models::{
    AppInfo, ConnectionSetup, DownloadedUpdate, UpdateCheck, UpdateProgress, UpdatesStatus,
    WebhookPanel,
};
pub use receiver::{InAppReceiver, ReceiverState, WebhookTest};
pub use updater::register as register_updater;

/// Label of the one main window (tauri.conf.json).
pub const MAIN_WINDOW: &str = "main";

/// What every command can reach. The engine opens in the background while the window loads
/// (`builder::run`), so the first screen never waits for the store; commands that need the
/// engine wait for it (the UI shows "Starting Fleetward" meanwhile). The engine is absent
/// only when it failed to start; the UI then shows `start_error` full-screen with what to do.
pub struct AppState {
    updates: UpdatesStatus,
    /// `None` while the engine is still opening.
    started: tokio::sync::watch::Sender<Option<Arc<Started>>>,
    /// The running schedules (asset sync every 4 h), started after the first screen; stopped
    /// with the app.
    schedules: std::sync::Mutex<Option<fleetward_core::engine::ScheduleHandle>>,
    /// Set when the UI reports its first painted screen (`first_screen_shown`).
    first_screen: tokio::sync::watch::Sender<bool>,
}

/// What the background start produced: the engine and what runs beside it, or why the
/// engine could not start.
pub struct Started {
    engine: Option<Arc<Engine>>,
    start_error: Option<ErrorReport>,
    /// The built-in simulator's tenant, in demo mode.
    demo: Option<DemoTenant>,
    /// Keeps the demo simulator running for the app's lifetime.
    _demo: Option<demo::Demo>,
    /// Stops forwarding engine events when the app's state goes.
    _forwarder: Option<events::EventForwarder>,
    /// The webhook receiver when Settings turn it on (SPEC §7); stopped on exit.
    receiver: Option<Arc<receiver::InAppReceiver>>,
}

impl Started {
    /// A running engine with its webhook receiver (demo tenant optional).
    pub fn running(engine: Arc<Engine>, demo: Option<DemoTenant>) -> Started {
        Started {
            receiver: Some(Arc::new(receiver::InAppReceiver::new(engine.clone()))),
            engine: Some(engine),
            start_error: None,
            demo,
            _demo: None,
            _forwarder: None,
        }
    }

    /// The engine could not start: every command answers `error`, and the UI shows it.
    pub fn failed(error: ErrorReport) -> Started {
        Started {
            engine: None,
            start_error: Some(error),
            demo: None,
            _demo: None,
            _forwarder: None,
            receiver: None,
        }
    }
}

impl AppState {
    /// The state of a running engine (used by the shell's tests).
    pub fn new(engine: Arc<Engine>, updates: UpdatesStatus, demo: Option<DemoTenant>) -> AppState {
        let state = AppState::starting(updates);
        state.finish(Started::running(engine, demo));
        state
    }

    /// The state while the engine opens; `finish` completes it.
    pub fn starting(updates: UpdatesStatus) -> AppState {
        AppState {
            updates,
            started: tokio::sync::watch::Sender::new(None),
            schedules: std::sync::Mutex::new(None),
            first_screen: tokio::sync::watch::Sender::new(false),
        }
    }

    /// Hands the started engine (or its start error) to every command waiting for it.
    pub fn finish(&self, started: Started) {
        self.started.send_replace(Some(Arc::new(started)));
    }

    /// What start-up produced, waiting while the engine still opens.
    pub async fn started(&self) -> Arc<Started> {
        let mut started = self.started.subscribe();
        let ready = match started.wait_for(Option::is_some).await {
            Ok(ready) => ready.clone(),
            // The sender lives in this state, so it cannot be gone while `self` is borrowed.
            Err(_) => None,
        };
        ready.unwrap_or_else(|| Arc::new(Started::failed(not_running())))
    }

    /// How many commands are waiting for the engine to open.
    pub fn commands_waiting(&self) -> usize {
        self.started.receiver_count()
    }

    /// What start-up produced so far, without waiting (`None` while the engine opens).
    pub fn started_now(&self) -> Option<Arc<Started>> {
        self.started.borrow().clone()
    }

    pub async fn receiver(&self) -> Result<Arc<receiver::InAppReceiver>, ErrorReport> {
        let started = self.started().await;
        started.engine()?;
        started.receiver.clone().ok_or_else(|| {
            ErrorReport::new(
                fleetward_core::ErrorKind::Internal,
                "The webhook receiver is not available. Restart Fleetward.",
            )
        })
    }

    /// The engine, once it has opened, or the reason it could not.
    pub async fn engine(&self) -> Result<Arc<Engine>, ErrorReport> {
        self.started().await.engine().cloned()
    }

    /// Waits until the UI has painted its first screen, or `at_most` has passed (a window
    /// started hidden never paints).
    async fn first_screen_or(&self, at_most: std::time::Duration) {
        let mut shown = self.first_screen.subscribe();
        let _ = tokio::time::timeout(at_most, shown.wait_for(|shown| *shown)).await;
    }

    /// Keeps the running schedules until the app ends.
    fn keep_schedules(&self, schedules: fleetward_core::engine::ScheduleHandle) {
        if let Ok(mut slot) = self.schedules.lock() {
            *slot = Some(schedules);
        }
    }
}

impl Started {
    pub fn engine(&self) -> Result<&Arc<Engine>, ErrorReport> {
        self.engine
            .as_ref()
            .ok_or_else(|| self.start_error.clone().unwrap_or_else(not_running))
    }
}

fn not_running() -> ErrorReport {
    ErrorReport::new(
        fleetward_core::ErrorKind::Internal,
        "The engine is not running. Restart Fleetward.",
    )
}

/// Every IPC command, for the app and for the shell's tests on Tauri's mock runtime.
pub fn invoke_handler<R: tauri::Runtime>(
) -> impl Fn(tauri::ipc::Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        commands::app_info,
        commands::first_screen_shown,
        commands::set_schedules_paused,
        commands::sync_all_now,
        commands::check_for_updates,
        commands::download_update,
        commands::install_update,
        commands::connection_setup,
        commands::test_connection,
        commands::save_connection,
        commands::connections,
        commands::discover_organizations,
        commands::organizations,
        commands::map_organization,
        commands::custom_field_names,
        commands::accept_suggestions,
        commands::companies,
        commands::add_company,
        commands::rename_company,
        commands::promote_company,
        commands::disconnect,
        commands::sync_company,
        commands::assets,
        commands::asset,
        commands::runs,
        commands::run_companies,
        commands::cancel_run,
        commands::audit_events,
        commands::import_assets,
        commands::open_in_ninjaone,
        // Incidents (SPEC §7)
        commands::incidents,
        commands::acknowledge_incident,
        commands::resolve_incident,
        commands::poll_now,
        commands::tray_state,
        commands::alert_rules,
        commands::save_alert_rules,
        commands::preview_alert_rules,
        commands::incident_settings,
        commands::save_incident_settings,
        commands::webhook_panel,
        commands::save_webhook_settings,
        commands::regenerate_webhook_secret,
        commands::send_test_webhook,
        // Compliance (SPEC §5)
        commands::sweep,
        commands::signals,
        commands::signal_history,
        commands::evidence,
        commands::tickets,
        commands::export_tickets,
        commands::export_evidence,
    ]
}

pub(crate) fn show_main_window<R: tauri::Runtime>(app: &tauri::AppHandle<R>) {
    if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}
