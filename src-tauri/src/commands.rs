//! The IPC commands. Each is one call deep: arguments → engine → typed result or
//! [`ErrorReport`].

use fleetward_core::{EngineStatus, ErrorKind, ErrorReport, Trigger};
use tauri::{AppHandle, State};

use crate::{tray, updater, AppInfo, AppState, UpdateCheck};

#[tauri::command]
pub fn app_info(state: State<'_, AppState>) -> AppInfo {
    AppInfo {
        version: fleetward_core::VERSION.to_string(),
        engine: state.engine.as_ref().map(|e| e.status()),
        start_error: state.start_error.clone(),
        updates: state.updates.clone(),
    }
}

#[tauri::command]
pub fn set_schedules_paused(
    app: AppHandle,
    state: State<'_, AppState>,
    paused: bool,
) -> Result<EngineStatus, ErrorReport> {
    let engine = state.engine()?;
    engine.set_schedules_paused(paused);
    tray::show_paused(&app, paused);
    Ok(engine.status())
}

#[tauri::command]
pub async fn sync_all_now(state: State<'_, AppState>) -> Result<(), ErrorReport> {
    let engine = state.engine()?.clone();
    engine
        .sync_all(Trigger::Manual)
        .await
        .map_err(ErrorReport::from)
}

#[tauri::command]
pub async fn check_for_updates(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Result<UpdateCheck, ErrorReport> {
    if !state.updates.enabled {
        return Err(ErrorReport::new(
            ErrorKind::NotConfigured,
            format!("Updates are off. {}", state.updates.detail),
        ));
    }
    updater::check(&app).await
}
