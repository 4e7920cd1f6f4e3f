//! Fleetward's desktop shell. It adapts the engine (`fleetward-core`) to Tauri: thin
//! commands, the tray, notifications, the updater and window state. No business rule lives
//! here (SPEC §1); a command is arguments → engine call → typed result or typed error.

mod commands;
mod events;
mod models;
mod tray;
mod updater;

use std::path::PathBuf;
use std::sync::Arc;

use fleetward_core::demo::{Demo, DemoTenant};
use fleetward_core::{data_dir, Engine, EngineConfig, ErrorReport};
use tauri::{Manager, WindowEvent};

pub use models::{AppInfo, ConnectionSetup, SavedConnection, UpdateCheck, UpdatesStatus};

/// The demo simulator's port when nothing else says otherwise; a saved demo connection keeps
/// working across restarts because the simulator comes back on the same address.
const DEMO_PORT: u16 = 47123;

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
    _demo: Option<Demo>,
}

impl AppState {
    /// The state of a running engine (used by `run` and by the shell's tests).
    pub fn new(engine: Arc<Engine>, updates: UpdatesStatus, demo: Option<DemoTenant>) -> AppState {
        AppState {
            engine: Some(engine),
            start_error: None,
            updates,
            demo,
            _demo: None,
        }
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
        commands::set_schedules_paused,
        commands::sync_all_now,
        commands::check_for_updates,
        commands::connection_setup,
        commands::test_connection,
        commands::save_connection,
        commands::connections,
        commands::discover_organizations,
        commands::organizations,
        commands::map_organization,
        commands::accept_suggestions,
        commands::companies,
        commands::add_company,
        commands::rename_company,
        commands::promote_company,
        commands::disconnect,
    ]
}

pub fn run() {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FLEETWARD_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();

    let result = tauri::Builder::default()
        // Must be the first plugin: a second launch hands over to us and exits (SPEC §11).
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            show_main_window(app);
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_notification::init())
        .invoke_handler(invoke_handler())
        .setup(|app| {
            let updates = updater::register(app.handle());
            let (engine, start_error) = start_engine();
            let demo = match &engine {
                Some(engine) => tauri::async_runtime::block_on(start_demo(engine)),
                None => None,
            };
            if let Some(engine) = &engine {
                tray::create(app.handle(), engine)?;
                events::forward(app.handle().clone(), engine.subscribe());
            }
            app.manage(AppState {
                engine,
                start_error,
                updates,
                demo: demo.as_ref().map(|d| d.tenant().clone()),
                _demo: demo,
            });
            Ok(())
        })
        .on_window_event(|window, event| {
            // Closing the window keeps Fleetward running in the tray (SPEC §8).
            if let WindowEvent::CloseRequested { api, .. } = event {
                if window.label() == MAIN_WINDOW
                    && window.app_handle().tray_by_id(tray::ID).is_some()
                {
                    api.prevent_close();
                    let _ = window.hide();
                    tell_once_that_it_keeps_running(window.app_handle());
                }
            }
        })
        .run(tauri::generate_context!());
    if let Err(err) = result {
        eprintln!("Fleetward could not start its window: {err}");
        std::process::exit(1);
    }
}

fn start_engine() -> (Option<Arc<Engine>>, Option<ErrorReport>) {
    let started = data_dir::from_env(data_dir_argument()).and_then(|data_dir| {
        tauri::async_runtime::block_on(Engine::start(EngineConfig::new(data_dir)))
    });
    match started {
        Ok(engine) => (Some(engine), None),
        Err(err) => {
            tracing::error!(error = %err, "engine failed to start");
            (None, Some(err.into()))
        }
    }
}

/// Demo mode (README): with `--demo`, or while no connection is saved, a built-in simulator
/// offers a ready "Demo tenant". A saved demo connection brings its simulator back on the
/// same port.
async fn start_demo(engine: &Engine) -> Option<Demo> {
    let connections = engine.connections().await.unwrap_or_default();
    let saved_port = connections
        .iter()
        .filter(|c| c.active)
        .find_map(|c| fleetward_core::demo::loopback_port(&c.base_url));
    let wanted = std::env::args().any(|a| a == "--demo") || connections.is_empty();
    let port = match (saved_port, wanted) {
        (Some(port), _) => port,
        (None, true) => DEMO_PORT,
        (None, false) => return None,
    };
    let started = match Demo::start(port).await {
        Ok(demo) => Ok(demo),
        // The usual port is taken (another Fleetward's demo?): any free port will do.
        Err(_) if saved_port.is_none() => Demo::start(0).await,
        Err(err) => Err(err),
    };
    match started {
        Ok(demo) => {
            tracing::info!(url = %demo.tenant().base_url, "demo NinjaOne simulator running");
            Some(demo)
        }
        Err(err) => {
            tracing::warn!(error = %err, "demo mode is unavailable");
            None
        }
    }
}

/// `--data-dir DIR` on the app's command line, as for the CLI (SPEC §9).
fn data_dir_argument() -> Option<PathBuf> {
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--data-dir" {
            return args.next().map(PathBuf::from);
        }
        if let Some(value) = arg.to_str().and_then(|a| a.strip_prefix("--data-dir=")) {
            return Some(PathBuf::from(value));
        }
    }
    None
}

/// The first time the window is closed, say where Fleetward went, so that closing does not
/// look like quitting (schedules and alerts keep running in the tray).
fn tell_once_that_it_keeps_running(app: &tauri::AppHandle) {
    static TOLD: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if TOLD.swap(true, std::sync::atomic::Ordering::SeqCst) {
        return;
    }
    events::notify(
        app,
        &fleetward_core::notifications::Notification {
            title: "Fleetward is still running".into(),
            body: "It keeps syncing and watching alerts from the tray. Choose Quit Fleetward in the tray menu to stop it.".into(),
        },
    );
}

pub(crate) fn show_main_window<R: tauri::Runtime>(app: &tauri::AppHandle<R>) {
    if let Some(window) = app.get_webview_window(MAIN_WINDOW) {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}
