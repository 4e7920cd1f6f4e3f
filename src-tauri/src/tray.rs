//! The tray icon and its menu (SPEC §8): open, sync all now, pause schedules, quit. The icon
//! shows the app's state: ok, syncing, or needs attention.

use std::sync::Arc;

use fleetward_core::notifications::Notification;
use fleetward_core::{Engine, Trigger};
use tauri::image::Image;
use tauri::menu::{CheckMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Emitter, Manager, Runtime, Wry};

pub const ID: &str = "main-tray";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub enum TrayState {
    #[default]
    Ok,
    Syncing,
    Attention,
}

/// The look the tray icon was last given, for `tray_state` (the icon itself is out of reach
/// of the UI and of WebDriver tests).
#[derive(Default)]
pub struct ShownLook(std::sync::Mutex<TrayState>);

impl ShownLook {
    pub fn get(&self) -> TrayState {
        // A plain copy in and out: a poisoned lock still holds a whole value.
        *self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn set(&self, state: TrayState) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = state;
    }
}

/// The menu items whose state changes while the app runs.
struct TrayMenu<R: Runtime> {
    pause: CheckMenuItem<R>,
}

pub fn create(app: &AppHandle, engine: &Arc<Engine>) -> tauri::Result<()> {
    let open = MenuItem::with_id(app, "open", "Open Fleetward", true, None::<&str>)?;
    let sync = MenuItem::with_id(app, "sync-all", "Sync all now", true, None::<&str>)?;
    let pause = CheckMenuItem::with_id(
        app,
        "pause",
        "Pause schedules",
        true,
        engine.schedules_paused(),
        None::<&str>,
    )?;
    let quit = MenuItem::with_id(app, "quit", "Quit Fleetward", true, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&open, &sync, &pause, &separator, &quit])?;

    let engine = engine.clone();
    TrayIconBuilder::with_id(ID)
        .icon(icon(TrayState::Ok)?)
        .tooltip("Fleetward")
        .menu(&menu)
        .show_menu_on_left_click(false)
        .on_menu_event(move |app, event| match event.id.as_ref() {
            "open" => crate::show_main_window(app),
            "sync-all" => sync_all(app, engine.clone()),
            "pause" => {
                let paused = app
                    .state::<TrayMenu<Wry>>()
                    .pause
                    .is_checked()
                    .unwrap_or(!engine.schedules_paused());
                engine.set_schedules_paused(paused);
            }
            "quit" => app.exit(0),
            _ => {}
        })
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                crate::show_main_window(tray.app_handle());
            }
        })
        .build(app)?;
    app.manage(TrayMenu { pause });
    Ok(())
}

fn sync_all(app: &AppHandle, engine: Arc<Engine>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Err(err) = engine.sync_all(Trigger::Manual).await {
            // Nothing on screen asked for this sync, so say why it did not run where the
            // technician will see it, and open the screen that fixes it.
            crate::events::notify(
                &app,
                &Notification {
                    title: "Sync all now did not run".into(),
                    body: err.to_string(),
                },
            );
            if err.kind() == fleetward_core::ErrorKind::NotConfigured {
                crate::show_main_window(&app);
                let _ = app.emit(fleetward_core::EventChannel::Navigate.name(), "/connection");
            }
        }
    });
}

/// Keeps the menu's check mark in step with the engine (called on `SchedulesChanged`).
pub fn show_paused<R: Runtime>(app: &AppHandle<R>, paused: bool) {
    if let Some(menu) = app.try_state::<TrayMenu<R>>() {
        let _ = menu.pause.set_checked(paused);
    }
}

pub fn set_state(app: &AppHandle, state: TrayState) {
    if let Some(shown) = app.try_state::<ShownLook>() {
        shown.set(state);
    }
    let Some(tray) = app.tray_by_id(ID) else {
        return;
    };
    match icon(state) {
        Ok(image) => {
            let _ = tray.set_icon(Some(image));
        }
        Err(err) => tracing::warn!(error = %err, "tray icon could not be decoded"),
    }
}

fn icon(state: TrayState) -> tauri::Result<Image<'static>> {
    let bytes: &'static [u8] = match state {
        TrayState::Ok => include_bytes!("../../icons/tray-ok.png"),
        TrayState::Syncing => include_bytes!("../../icons/tray-syncing.png"),
        TrayState::Attention => include_bytes!("../../icons/tray-attention.png"),
    };
    Image::from_bytes(bytes)
}
