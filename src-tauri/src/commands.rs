//! The IPC commands. Each is one call deep: arguments → engine → typed result or
//! [`ErrorReport`].

use fleetward_core::assets::{Asset, AssetDetail, AssetSource, AssetStatus, ImportReport};
use fleetward_core::audit::AuditEvent;
use fleetward_core::companies::Company;
use fleetward_core::connection::{
    Connection, ConnectionDraft, ConnectionTest, Region, SavedConnection,
};
use fleetward_core::ids::{AssetId, CompanyId, ConnectionId, NinjaOrgId, RunId};
use fleetward_core::organizations::{
    DiscoverySummary, MappingChoice, MappingOptions, OrganizationRow,
};
use fleetward_core::runs::RunRow;
use fleetward_core::sync::{RunStatus, SyncRun};
use fleetward_core::{EngineStatus, ErrorKind, ErrorReport, Trigger};
use tauri::{AppHandle, Runtime, State};

use crate::input::Input;
use crate::models::{ConnectionSetup, RegionOption};
use crate::{updater, AppInfo, AppState, DownloadedUpdate, UpdateCheck};

type Reply<T> = Result<T, ErrorReport>;

/// The version, update status and the engine's status, once the engine has opened (the UI
/// shows "Starting Fleetward" until this answers), or why it could not start. The version is
/// the app's package version: the one the updater compares with and the installer installed.
#[tauri::command]
pub async fn app_info<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Reply<AppInfo> {
    let started = state.started().await;
    crate::startup::mark("app_info answered");
    Ok(AppInfo {
        version: app.package_info().version.to_string(),
        engine: started.engine().ok().map(|e| e.status()),
        start_error: started.start_error.clone(),
        updates: state.updates.clone(),
    })
}

/// The UI reports that its first screen has painted. The start-up benchmark
/// (`cargo xtask bench startup`) times the process from launch to this line; the work that
/// waits for the first screen (schedules, the webhook receiver) starts now.
#[tauri::command]
pub fn first_screen_shown(state: State<'_, AppState>) {
    crate::startup::mark("first screen painted");
    tracing::info!("first screen shown");
    state.first_screen.send_replace(true);
}

#[tauri::command]
pub async fn set_schedules_paused(state: State<'_, AppState>, paused: bool) -> Reply<EngineStatus> {
    // The tray's check mark follows the engine's `SchedulesChanged` event.
    let engine = state.engine().await?;
    engine.set_schedules_paused(paused);
    Ok(engine.status())
}

#[tauri::command]
pub async fn sync_all_now(state: State<'_, AppState>) -> Reply<SyncRun> {
    let engine = state.engine().await?;
    Ok(engine.sync_all(Trigger::Manual).await?)
}

#[tauri::command]
pub async fn check_for_updates<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Reply<UpdateCheck> {
    updates_on(&state)?;
    updater::check(&app).await
}

/// Downloads the update the last check found and verifies its signature (progress as
/// `update-progress` events).
#[tauri::command]
pub async fn download_update<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Reply<DownloadedUpdate> {
    updates_on(&state)?;
    updater::download(&app).await
}

/// Installs the downloaded update; the UI then relaunches the app.
#[tauri::command]
pub async fn install_update<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
) -> Reply<()> {
    updates_on(&state)?;
    updater::install(&app)
}

fn updates_on(state: &AppState) -> Reply<()> {
    if state.updates.enabled {
        Ok(())
    } else {
        Err(ErrorReport::new(
            ErrorKind::NotConfigured,
            format!("Updates are off. {}", state.updates.detail),
        ))
    }
}

#[tauri::command]
pub async fn connection_setup(state: State<'_, AppState>) -> Reply<ConnectionSetup> {
    let engine = state.engine().await?;
    Ok(ConnectionSetup {
        regions: Region::ALL
            .iter()
            .map(|r| RegionOption {
                code: *r,
                label: r.label().into(),
                host: r.host().into(),
            })
            .collect(),
        connections: engine.connections().await?,
        demo: state.started().await.demo.clone(),
    })
}

#[tauri::command]
pub async fn test_connection(
    state: State<'_, AppState>,
    draft: Input<ConnectionDraft>,
) -> Reply<ConnectionTest> {
    let draft = draft.get()?;
    let engine = state.engine().await?;
    Ok(engine.test_connection(&draft).await?)
}

#[tauri::command]
pub async fn save_connection(
    state: State<'_, AppState>,
    draft: Input<ConnectionDraft>,
) -> Reply<SavedConnection> {
    let draft = draft.get()?;
    let engine = state.engine().await?;
    Ok(engine.save_connection(&draft).await?)
}

#[tauri::command]
pub async fn connections(state: State<'_, AppState>) -> Reply<Vec<Connection>> {
    let engine = state.engine().await?;
    Ok(engine.connections().await?)
}

#[tauri::command]
pub async fn discover_organizations(
    state: State<'_, AppState>,
    connection_id: ConnectionId,
) -> Reply<DiscoverySummary> {
    let engine = state.engine().await?;
    Ok(engine.discover_organizations(connection_id).await?)
}

#[tauri::command]
pub async fn organizations(
    state: State<'_, AppState>,
    connection_id: ConnectionId,
) -> Reply<Vec<OrganizationRow>> {
    let engine = state.engine().await?;
    Ok(engine.organizations(connection_id).await?)
}

#[tauri::command]
pub async fn map_organization(
    state: State<'_, AppState>,
    connection_id: ConnectionId,
    org_id: NinjaOrgId,
    choice: MappingChoice,
    options: Option<MappingOptions>,
) -> Reply<OrganizationRow> {
    let engine = state.engine().await?;
    Ok(engine
        .map_organization(connection_id, org_id, &choice, &options.unwrap_or_default())
        .await?)
}

/// The custom field names in a live sample of the organization's devices (the picker).
#[tauri::command]
pub async fn custom_field_names(
    state: State<'_, AppState>,
    connection_id: ConnectionId,
    org_id: NinjaOrgId,
) -> Reply<Vec<String>> {
    let engine = state.engine().await?;
    Ok(engine.custom_field_names(connection_id, org_id).await?)
}

#[tauri::command]
pub async fn accept_suggestions(
    state: State<'_, AppState>,
    connection_id: ConnectionId,
) -> Reply<Vec<OrganizationRow>> {
    let engine = state.engine().await?;
    Ok(engine.accept_suggestions(connection_id).await?)
}

#[tauri::command]
pub async fn companies(state: State<'_, AppState>) -> Reply<Vec<Company>> {
    let engine = state.engine().await?;
    Ok(engine.companies().await?)
}

#[tauri::command]
pub async fn add_company(state: State<'_, AppState>, name: String) -> Reply<Company> {
    let engine = state.engine().await?;
    Ok(engine.add_company(&name).await?)
}

#[tauri::command]
pub async fn rename_company(
    state: State<'_, AppState>,
    company_id: CompanyId,
    name: String,
) -> Reply<Company> {
    let engine = state.engine().await?;
    Ok(engine.rename_company(company_id, &name).await?)
}

#[tauri::command]
pub async fn promote_company(state: State<'_, AppState>, company_id: CompanyId) -> Reply<Company> {
    let engine = state.engine().await?;
    Ok(engine.promote_company(company_id).await?)
}

#[tauri::command]
pub async fn sync_company(
    state: State<'_, AppState>,
    company_id: CompanyId,
    preview: Option<bool>,
) -> Reply<SyncRun> {
    let engine = state.engine().await?;
    Ok(engine
        .sync(Some(company_id), Trigger::Manual, preview.unwrap_or(false))
        .await?)
}

#[tauri::command]
pub async fn assets(
    state: State<'_, AppState>,
    company_id: Option<CompanyId>,
    status: Option<AssetStatus>,
) -> Reply<Vec<Asset>> {
    let engine = state.engine().await?;
    Ok(engine.assets(company_id, status).await?)
}

#[tauri::command]
pub async fn asset(state: State<'_, AppState>, asset_id: AssetId) -> Reply<AssetDetail> {
    let engine = state.engine().await?;
    Ok(engine.asset(asset_id).await?)
}

/// Import from the app: the UI reads the chosen file and sends its text.
#[tauri::command]
pub async fn import_assets(
    state: State<'_, AppState>,
    source: Input<AssetSource>,
    content: String,
) -> Reply<ImportReport> {
    let source = source.get()?;
    let engine = state.engine().await?;
    Ok(engine.import_assets(source, content.as_bytes()).await?)
}

#[tauri::command]
pub async fn audit_events(
    state: State<'_, AppState>,
    company_id: Option<CompanyId>,
) -> Reply<Vec<AuditEvent>> {
    let engine = state.engine().await?;
    Ok(engine.audit_events(company_id).await?)
}

#[tauri::command]
pub async fn runs(state: State<'_, AppState>) -> Reply<Vec<RunRow>> {
    let engine = state.engine().await?;
    Ok(engine.runs(500).await?)
}

/// A sync run's companies, with their counts and errors (a run opened in Sync history).
#[tauri::command]
pub async fn run_companies(
    state: State<'_, AppState>,
    run_id: RunId,
) -> Reply<Vec<fleetward_core::runs::RunCompanyRow>> {
    let engine = state.engine().await?;
    Ok(engine.run_companies(run_id).await?)
}

/// Cancels a run in progress, whether this app or a `fleetward-cli` runs it.
#[tauri::command]
pub async fn cancel_run(state: State<'_, AppState>, run_id: RunId) -> Reply<RunStatus> {
    let engine = state.engine().await?;
    Ok(engine.cancel_run(run_id).await?)
}

/// Open in NinjaOne: the engine fetches the device's short-lived link, the OS opens it.
#[tauri::command]
pub async fn open_in_ninjaone<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    asset_id: AssetId,
) -> Reply<()> {
    use tauri_plugin_opener::OpenerExt;
    let engine = state.engine().await?;
    let url = engine.device_link(asset_id).await?;
    app.opener().open_url(url, None::<&str>).map_err(|e| {
        ErrorReport::new(
            ErrorKind::Internal,
            format!("The browser could not be opened ({e}). Open the device in NinjaOne by hand."),
        )
    })
}

#[tauri::command]
pub async fn disconnect(
    state: State<'_, AppState>,
    connection_id: ConnectionId,
) -> Reply<Connection> {
    let engine = state.engine().await?;
    Ok(engine.disconnect(connection_id).await?)
}

// ---------- Incidents (SPEC §7) ----------

use fleetward_core::incidents::{
    AlertRule, Incident, IncidentId, IncidentSettings, PollRun, RulePreviewRow, StatusFilter,
    WebhookSecretShown, WebhookSettings,
};

use crate::models::WebhookPanel;
use crate::receiver::WebhookTest;

/// Recent events the rule preview and "last events received" look at.
const RECENT_EVENTS: u32 = 50;
/// Events Settings lists under "last events received".
const LAST_RECEIVED: usize = 10;

#[tauri::command]
pub async fn incidents(state: State<'_, AppState>, status: StatusFilter) -> Reply<Vec<Incident>> {
    let engine = state.engine().await?;
    Ok(engine.incidents(status).await?)
}

#[tauri::command]
pub async fn acknowledge_incident(
    state: State<'_, AppState>,
    incident_id: IncidentId,
) -> Reply<Incident> {
    let engine = state.engine().await?;
    Ok(engine.acknowledge_incident(incident_id).await?)
}

#[tauri::command]
pub async fn resolve_incident(
    state: State<'_, AppState>,
    incident_id: IncidentId,
) -> Reply<Incident> {
    let engine = state.engine().await?;
    Ok(engine.resolve_incident(incident_id).await?)
}

/// What the tray icon shows now: `ok`, `syncing` or `attention` (for the e2e tests, which
/// cannot see the tray).
#[tauri::command]
pub fn tray_state<R: Runtime>(app: AppHandle<R>) -> crate::tray::TrayState {
    use tauri::Manager;
    app.try_state::<crate::tray::ShownLook>()
        .map(|shown| shown.get())
        .unwrap_or_default()
}

/// Polls NinjaOne's activities now ("Poll now").
#[tauri::command]
pub async fn poll_now(state: State<'_, AppState>) -> Reply<PollRun> {
    let engine = state.engine().await?;
    Ok(engine.poll_activities(Trigger::Manual).await?)
}

#[tauri::command]
pub async fn alert_rules(state: State<'_, AppState>) -> Reply<Vec<AlertRule>> {
    let engine = state.engine().await?;
    Ok(engine.alert_rules().await?)
}

#[tauri::command]
pub async fn save_alert_rules(
    state: State<'_, AppState>,
    rules: Input<Vec<AlertRule>>,
) -> Reply<Vec<AlertRule>> {
    let rules = rules.get()?;
    let engine = state.engine().await?;
    Ok(engine.save_alert_rules(&rules).await?)
}

/// What the rules being edited would do with the most recent events (nothing is saved).
#[tauri::command]
pub async fn preview_alert_rules(
    state: State<'_, AppState>,
    rules: Input<Vec<AlertRule>>,
) -> Reply<Vec<RulePreviewRow>> {
    let rules = rules.get()?;
    let engine = state.engine().await?;
    Ok(engine.preview_alert_rules(&rules, RECENT_EVENTS).await?)
}

#[tauri::command]
pub async fn incident_settings(state: State<'_, AppState>) -> Reply<IncidentSettings> {
    let engine = state.engine().await?;
    Ok(engine.incident_settings().await?)
}

#[tauri::command]
pub async fn save_incident_settings(
    state: State<'_, AppState>,
    settings: Input<IncidentSettings>,
) -> Reply<IncidentSettings> {
    let settings = settings.get()?;
    let engine = state.engine().await?;
    Ok(engine.save_incident_settings(&settings).await?)
}

/// Settings → webhook receiver: its settings, whether it listens, the last events received.
#[tauri::command]
pub async fn webhook_panel(state: State<'_, AppState>) -> Reply<WebhookPanel> {
    let engine = state.engine().await?;
    let receiver = state.receiver().await?.state().await;
    webhook_panel_of(&engine, receiver).await
}

/// Saves the receiver's settings and starts, restarts or stops it to match.
#[tauri::command]
pub async fn save_webhook_settings(
    state: State<'_, AppState>,
    settings: Input<WebhookSettings>,
) -> Reply<WebhookPanel> {
    let settings = settings.get()?;
    let engine = state.engine().await?;
    engine.save_webhook_settings(&settings).await?;
    let receiver = state.receiver().await?.apply().await;
    webhook_panel_of(&engine, receiver).await
}

/// A new secret, shown this once; a running receiver restarts with it.
#[tauri::command]
pub async fn regenerate_webhook_secret(state: State<'_, AppState>) -> Reply<WebhookSecretShown> {
    let engine = state.engine().await?;
    let shown = engine.regenerate_webhook_secret().await?;
    state.receiver().await?.apply().await;
    Ok(shown)
}

#[tauri::command]
pub async fn send_test_webhook(state: State<'_, AppState>) -> Reply<WebhookTest> {
    state.receiver().await?.send_test().await
}

async fn webhook_panel_of(
    engine: &fleetward_core::Engine,
    receiver: crate::receiver::ReceiverState,
) -> Reply<WebhookPanel> {
    let settings = engine.webhook_settings().await?;
    // The preview with the saved rules lists the newest events with what became of them.
    let rules = engine.alert_rules().await?;
    let mut recent: Vec<_> = engine
        .preview_alert_rules(&rules, RECENT_EVENTS)
        .await?
        .into_iter()
        .map(|row| row.event)
        .collect();
    recent.truncate(LAST_RECEIVED);
    Ok(WebhookPanel {
        settings,
        receiver,
        recent,
    })
}

// Compliance (SPEC §5): sweeps, signals, evidence, tickets and their exports. Exports return
// the text; the UI offers it as a download, which works the same in the WebDriver e2e.

use fleetward_core::compliance::evidence::{EvidenceRow, SignalRow};
use fleetward_core::compliance::export::ExportFormat;
use fleetward_core::compliance::sweep::SweepRun;
use fleetward_core::compliance::tickets::{Ticket, TicketStatus};

/// Run sweep now: one company's compliance tenant, or every tenant when `company_id` is absent.
#[tauri::command]
pub async fn sweep(state: State<'_, AppState>, company_id: Option<CompanyId>) -> Reply<SweepRun> {
    let engine = state.engine().await?;
    Ok(engine.sweep(company_id, Trigger::Manual).await?)
}

#[tauri::command]
pub async fn signals(
    state: State<'_, AppState>,
    company_id: Option<CompanyId>,
) -> Reply<Vec<SignalRow>> {
    let engine = state.engine().await?;
    Ok(engine.signals(company_id).await?)
}

#[tauri::command]
pub async fn signal_history(
    state: State<'_, AppState>,
    company_id: CompanyId,
) -> Reply<Vec<SignalRow>> {
    let engine = state.engine().await?;
    Ok(engine.signal_history(company_id).await?)
}

#[tauri::command]
pub async fn evidence(
    state: State<'_, AppState>,
    company_id: Option<CompanyId>,
) -> Reply<Vec<EvidenceRow>> {
    let engine = state.engine().await?;
    Ok(engine.evidence(company_id).await?)
}

/// Tickets; every status when `status` is absent.
#[tauri::command]
pub async fn tickets(
    state: State<'_, AppState>,
    status: Option<Input<TicketStatus>>,
) -> Reply<Vec<Ticket>> {
    let status = status.map(Input::get).transpose()?;
    let engine = state.engine().await?;
    Ok(engine.tickets(status).await?)
}

#[tauri::command]
pub async fn export_tickets(
    state: State<'_, AppState>,
    status: Option<Input<TicketStatus>>,
    format: Input<ExportFormat>,
) -> Reply<String> {
    let status = status.map(Input::get).transpose()?;
    let format = format.get()?;
    let engine = state.engine().await?;
    Ok(engine.export_tickets(status, format).await?)
}

#[tauri::command]
pub async fn export_evidence(
    state: State<'_, AppState>,
    company_id: Option<CompanyId>,
    format: Input<ExportFormat>,
) -> Reply<String> {
    let format = format.get()?;
    let engine = state.engine().await?;
    Ok(engine.export_evidence(company_id, format).await?)
}
