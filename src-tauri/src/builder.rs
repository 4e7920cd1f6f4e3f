//! Building and running the app: plugins, the engine (or the reason it could not start),
//! demo mode, the tray, event forwarding, and closing to the tray.

use std::sync::Arc;
use std::time::Duration;

use fleetward_core::secrets::DemoFolderSecrets;
use fleetward_core::{data_dir, Engine, EngineConfig, ErrorReport};
use tauri::{Manager, WindowEvent};

use crate::args::AppArgs;
use crate::{
    demo, events, show_main_window, startup, tray, updater, AppState, Started, MAIN_WINDOW,
};

/// How long the schedules and the webhook receiver wait for the first screen before they
/// start anyway (a window that starts hidden never paints).
const FIRST_SCREEN_WAIT: Duration = Duration::from_secs(10);

pub fn run() {
    startup::begin();
    use std::io::IsTerminal;
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("FLEETWARD_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .init();
    startup::mark("main");
    let args = AppArgs::from_process();

    let result = tauri::Builder::default()
        // Must be the first plugin: a second launch hands over to us and exits (SPEC §11).
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            show_main_window(app);
        }))
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_process::init())
        .invoke_handler(crate::invoke_handler())
        .on_page_load(|_webview, payload| match payload.event() {
            tauri::webview::PageLoadEvent::Started => startup::mark("page load started"),
            tauri::webview::PageLoadEvent::Finished => startup::mark("page load finished"),
        })
        .setup(move |app| {
            // The window exists now (Tauri creates it before this hook). Nothing slow runs
            // here: the main thread serves the page and IPC, so the engine opens on a thread
            // of its own and commands wait for it.
            startup::mark("window created");
            let updates = updater::register(app.handle());
            app.manage(AppState::starting(updates));
            app.manage(tray::ShownLook::default());
            let handle = app.handle().clone();
            std::thread::Builder::new()
                .name("fleetward-start".into())
                .spawn(move || start_in_background(handle, args))?;
            startup::mark("setup returned");
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
        .build(tauri::generate_context!());
    match result {
        Ok(app) => app.run(|app, event| {
            // Close the store before the process ends (see `Engine::close`).
            if let tauri::RunEvent::Exit = event {
                let Some(started) = app.try_state::<AppState>().and_then(|s| s.started_now())
                else {
                    return;
                };
                // Stop receiving before the store closes, so no delivery is cut halfway.
                if let Some(receiver) = &started.receiver {
                    tauri::async_runtime::block_on(receiver.stop());
                }
                if let Ok(engine) = started.engine() {
                    tauri::async_runtime::block_on(engine.close());
                }
            }
        }),
        Err(err) => {
            eprintln!("Fleetward could not start its window: {err}");
            std::process::exit(1);
        }
    }
}

/// Opens the engine and what runs beside it while the window loads, then, once the first
/// screen has painted, starts the schedules (with their catch-up runs) and the webhook
/// receiver, so they do not compete with the first screen for the CPU.
fn start_in_background(app: tauri::AppHandle, args: AppArgs) {
    let state = app.state::<AppState>();
    let (engine, start_error) = start_engine(&args);
    startup::mark("engine opened");
    let Some(engine) = engine else {
        state.finish(Started::failed(start_error.unwrap_or_else(|| {
            ErrorReport::new(
                fleetward_core::ErrorKind::Internal,
                "The engine did not start. Restart Fleetward.",
            )
        })));
        return;
    };
    let demo = tauri::async_runtime::block_on(async {
        let connections = engine.connections().await.unwrap_or_default();
        demo::start(&connections, args.demo).await
    });
    startup::mark("demo ready");
    if let Err(err) = tray::create(&app, &engine) {
        // Without a tray, closing the window quits (see `on_window_event`).
        tracing::warn!(error = %err, "could not create the tray icon");
    }
    startup::mark("tray created");
    let forwarder = events::forward(app.clone(), &engine);
    let receiver = Arc::new(crate::receiver::InAppReceiver::new(engine.clone()));
    state.finish(Started {
        engine: Some(engine.clone()),
        start_error: None,
        demo: demo.as_ref().map(|d| d.tenant.clone()),
        _demo: demo,
        _forwarder: Some(forwarder),
        receiver: Some(receiver.clone()),
    });
    startup::mark("engine ready");
    tauri::async_runtime::block_on(async {
        state.first_screen_or(FIRST_SCREEN_WAIT).await;
        // Schedules start after the forwarder, so their first progress reaches the tray.
        state.keep_schedules(engine.start_schedules());
        // The webhook receiver starts when Settings turned it on (SPEC §7).
        receiver.apply().await;
    });
    startup::mark("schedules and receiver started");
}

/// The engine, or the report the UI shows full-screen. With `--demo` in a folder of the
/// demo's own, the store key lives beside the store, so the demo needs no keychain
/// (SPEC §9); a real store always keeps its key in the keychain.
fn start_engine(args: &AppArgs) -> (Option<Arc<Engine>>, Option<ErrorReport>) {
    let started = data_dir::from_env(args.data_dir.clone()).and_then(|folder| {
        let demo_folder = args.demo && DemoFolderSecrets::is_demo_folder(&folder);
        let mut config = EngineConfig::new(folder.clone());
        if demo_folder {
            config.secrets = Arc::new(DemoFolderSecrets::new(&folder));
            config.store_key = None;
        }
        tauri::async_runtime::block_on(Engine::start(config))
    });
    match started {
        Ok(engine) => (Some(engine), None),
        Err(err) => {
            tracing::error!(error = %err, "engine failed to start");
            (None, Some(err.into()))
        }
    }
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
