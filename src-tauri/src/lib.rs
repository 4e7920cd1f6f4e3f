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
mod tray;
mod updater;

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

/// What every command can reach. The engine is absent only when it failed to start; the UI
/// then shows `start_error` full-screen with what to do.
pub struct AppState {
    engine: Option<Arc<Engine>>,
    start_error: Option<ErrorReport>,
    updates: UpdatesStatus,
    /// The built-in simulator's tenant, in demo mode.
    demo: Option<DemoTenant>,
    /// Keeps the demo simulator running for the app's lifetime.
    _demo: Option<demo::Demo>,
    /// Stops forwarding engine events when the app's state goes.
    _forwarder: Option<events::EventForwarder>,
    /// The running schedules (asset sync every 4 h); stopped with the app.
    _schedules: Option<fleetward_core::engine::ScheduleHandle>,
    /// The webhook receiver when Settings turn it on (SPEC §7); stopped on exit.
    receiver: Option<Arc<receiver::InAppReceiver>>,
}

impl AppState {
    /// The state of a running engine (used by `run` and by the shell's tests).
    pub fn new(engine: Arc<Engine>, updates: UpdatesStatus, demo: Option<DemoTenant>) -> AppState {
        AppState {
            receiver: Some(Arc::new(receiver::InAppReceiver::new(engine.clone()))),
            engine: Some(engine),
            start_error: None,
            updates,
            demo,
            _demo: None,
            _forwarder: None,
            _schedules: None,
        }
    }

    pub fn receiver(&self) -> Result<&Arc<receiver::InAppReceiver>, ErrorReport> {
        self.engine()?;
        self.receiver.as_ref().ok_or_else(|| {
            ErrorReport::new(
                fleetward_core::ErrorKind::Internal,
                "The webhook receiver is not available. Restart Fleetward.",
            )
        })
    }

    pub fn engine(&self) -> Result<&Arc<Engine>, ErrorReport> {
        self.engine.as_ref().ok_or_else(|| {
            self.start_error.clone().unwrap_or_else(|| {
                ErrorReport::new(
                    fleetward_core::ErrorKind::Internal,
                    "The engine is not running. Restart Fleetward.",
                )
            })
        })
    }
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
