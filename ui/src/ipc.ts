// The one place the UI talks to the Rust engine. Components import from here, never from
// "@tauri-apps/api" directly, so the command names and payload shapes live in one file.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { relaunch as relaunchProcess } from "@tauri-apps/plugin-process";

import type { AppInfo } from "./bindings/AppInfo";
import type { Asset } from "./bindings/Asset";
import type { AssetDetail } from "./bindings/AssetDetail";
import type { AssetId } from "./bindings/AssetId";
import type { AssetSource } from "./bindings/AssetSource";
import type { AssetStatus } from "./bindings/AssetStatus";
import type { AuditEvent } from "./bindings/AuditEvent";
import type { Company } from "./bindings/Company";
import type { CompanyId } from "./bindings/CompanyId";
import type { Connection } from "./bindings/Connection";
import type { ConnectionDraft } from "./bindings/ConnectionDraft";
import type { ConnectionId } from "./bindings/ConnectionId";
import type { ConnectionSetup } from "./bindings/ConnectionSetup";
import type { ConnectionTest } from "./bindings/ConnectionTest";
import type { DiscoverySummary } from "./bindings/DiscoverySummary";
import type { EngineEvent } from "./bindings/EngineEvent";
import type { EngineStatus } from "./bindings/EngineStatus";
import type { ErrorKind } from "./bindings/ErrorKind";
import type { ErrorReport } from "./bindings/ErrorReport";
import type { EventChannel } from "./bindings/EventChannel";
import type { ImportReport } from "./bindings/ImportReport";
import type { MappingChoice } from "./bindings/MappingChoice";
import type { MappingOptions } from "./bindings/MappingOptions";
import type { NinjaOrgId } from "./bindings/NinjaOrgId";
import type { OrganizationRow } from "./bindings/OrganizationRow";
import type { RunCompanyRow } from "./bindings/RunCompanyRow";
import type { RunRow } from "./bindings/RunRow";
import type { RunId } from "./bindings/RunId";
import type { RunStatus } from "./bindings/RunStatus";
import type { SavedConnection } from "./bindings/SavedConnection";
import type { SyncRun } from "./bindings/SyncRun";
import type { DownloadedUpdate } from "./bindings/DownloadedUpdate";
import type { UpdateCheck } from "./bindings/UpdateCheck";
import type { UpdateProgress } from "./bindings/UpdateProgress";
// Incidents
import type { AlertRule } from "./bindings/AlertRule";
import type { Incident } from "./bindings/Incident";
import type { IncidentId } from "./bindings/IncidentId";
import type { IncidentSettings } from "./bindings/IncidentSettings";
import type { PollRun } from "./bindings/PollRun";
import type { RulePreviewRow } from "./bindings/RulePreviewRow";
import type { StatusFilter } from "./bindings/StatusFilter";
import type { WebhookPanel } from "./bindings/WebhookPanel";
import type { WebhookSecretShown } from "./bindings/WebhookSecretShown";
import type { WebhookSettings } from "./bindings/WebhookSettings";
import type { WebhookTest } from "./bindings/WebhookTest";
// Compliance
import type { EvidenceRow } from "./bindings/EvidenceRow";
import type { ExportFormat } from "./bindings/ExportFormat";
import type { SignalRow } from "./bindings/SignalRow";
import type { SweepRun } from "./bindings/SweepRun";
import type { Ticket } from "./bindings/Ticket";
import type { TicketStatus } from "./bindings/TicketStatus";

export type { UnlistenFn };

// Typed as the generated EventChannel, so renaming a channel in Rust breaks this build.
/** Name of the event the engine emits for schedule changes, notices and waits. */
export const ENGINE_EVENT: EventChannel = "engine-event";
/** Name of the event the tray menu emits to open a screen, payload a route like "/connection". */
export const NAVIGATE_EVENT: EventChannel = "navigate";

/** Every kind the engine may answer; a Record so a kind added in Rust fails to compile here. */
const ERROR_KINDS: Record<ErrorKind, true> = {
  invalidInput: true,
  notConfigured: true,
  notFound: true,
  alreadyRunning: true,
  unavailable: true,
  authentication: true,
  unreachable: true,
  throttled: true,
  store: true,
  internal: true,
};

function isErrorKind(value: unknown): value is ErrorKind {
  return typeof value === "string" && Object.hasOwn(ERROR_KINDS, value);
}

/**
 * A rejected command carries an ErrorReport. Anything else (a thrown Error, a string from the
 * IPC layer, undefined) is normalised to kind "internal" so callers can always branch on kind.
 */
export function toErrorReport(e: unknown): ErrorReport {
  if (typeof e === "object" && e !== null) {
    const candidate = e as { kind?: unknown; message?: unknown };
    if (isErrorKind(candidate.kind) && typeof candidate.message === "string") {
      return { kind: candidate.kind, message: candidate.message };
    }
    if (e instanceof Error && e.message) {
      return { kind: "internal", message: e.message };
    }
    if (typeof candidate.message === "string" && candidate.message) {
      return { kind: "internal", message: candidate.message };
    }
  }
  if (typeof e === "string" && e) {
    return { kind: "internal", message: e };
  }
  return { kind: "internal", message: "Something went wrong inside Fleetward." };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    // Reject with the normalised report so every caller sees the same shape.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw toErrorReport(e);
  }
}

export function appInfo(): Promise<AppInfo> {
  return call<AppInfo>("app_info");
}

/** Tells the shell the first screen has painted (the start-up benchmark times it). */
export function firstScreenShown(): Promise<void> {
  return call<void>("first_screen_shown");
}

export function setSchedulesPaused(paused: boolean): Promise<EngineStatus> {
  return call<EngineStatus>("set_schedules_paused", { paused });
}

/** Syncs every mapped organization now; rejects `invalidInput` when nothing is mapped. */
export function syncAllNow(): Promise<SyncRun> {
  return call<SyncRun>("sync_all_now");
}

export function checkForUpdates(): Promise<UpdateCheck> {
  return call<UpdateCheck>("check_for_updates");
}

/** Downloads the update the last check found; resolves once its signature verified. */
export function downloadUpdate(): Promise<DownloadedUpdate> {
  return call<DownloadedUpdate>("download_update");
}

export function installUpdate(): Promise<void> {
  return call<void>("install_update");
}

/** Restarts Fleetward (tauri-plugin-process), after an update is installed. */
export async function relaunch(): Promise<void> {
  try {
    await relaunchProcess();
  } catch (e) {
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw toErrorReport(e);
  }
}

/** The shell's download progress channel (`updater::PROGRESS_EVENT`). */
export const UPDATE_PROGRESS_EVENT = "update-progress";

export function onUpdateProgress(cb: (progress: UpdateProgress) => void): Promise<UnlistenFn> {
  return listen<UpdateProgress>(UPDATE_PROGRESS_EVENT, (event) => cb(event.payload));
}

// ---------- Connection ----------

/** Regions, saved connections and (in demo builds) the built-in simulator's tenant. */
export function connectionSetup(): Promise<ConnectionSetup> {
  return call<ConnectionSetup>("connection_setup");
}

/** Tries the credentials without saving anything. */
export function testConnection(draft: ConnectionDraft): Promise<ConnectionTest> {
  return call<ConnectionTest>("test_connection", { draft });
}

/** The engine tests again, saves, then discovers the organizations. */
export function saveConnection(draft: ConnectionDraft): Promise<SavedConnection> {
  return call<SavedConnection>("save_connection", { draft });
}

export function connections(): Promise<Connection[]> {
  return call<Connection[]>("connections");
}

export function disconnect(connectionId: ConnectionId): Promise<Connection> {
  return call<Connection>("disconnect", { connectionId });
}

// ---------- Organizations ----------

export function discoverOrganizations(connectionId: ConnectionId): Promise<DiscoverySummary> {
  return call<DiscoverySummary>("discover_organizations", { connectionId });
}

export function organizations(connectionId: ConnectionId): Promise<OrganizationRow[]> {
  return call<OrganizationRow[]>("organizations", { connectionId });
}

export function mapOrganization(
  connectionId: ConnectionId,
  orgId: NinjaOrgId,
  choice: MappingChoice,
  options: MappingOptions | null = null,
): Promise<OrganizationRow> {
  return call<OrganizationRow>("map_organization", { connectionId, orgId, choice, options });
}

/** The custom field names in a live sample of the organization's devices, sorted. */
export function customFieldNames(connectionId: ConnectionId, orgId: NinjaOrgId): Promise<string[]> {
  return call<string[]>("custom_field_names", { connectionId, orgId });
}

/** Maps every organization flagged `canAcceptSuggestion`; returns the rows it mapped. */
export function acceptSuggestions(connectionId: ConnectionId): Promise<OrganizationRow[]> {
  return call<OrganizationRow[]>("accept_suggestions", { connectionId });
}

// ---------- Companies ----------

export function companies(): Promise<Company[]> {
  return call<Company[]>("companies");
}

export function addCompany(name: string): Promise<Company> {
  return call<Company>("add_company", { name });
}

export function renameCompany(companyId: CompanyId, name: string): Promise<Company> {
  return call<Company>("rename_company", { companyId, name });
}

export function promoteCompany(companyId: CompanyId): Promise<Company> {
  return call<Company>("promote_company", { companyId });
}

// ---------- Assets and sync ----------

/**
 * Syncs one company's mappings now, or with `preview` says what a sync would do without
 * writing anything. Rejects `alreadyRunning` while a sync of that company runs elsewhere.
 */
export function syncCompany(companyId: CompanyId, preview = false): Promise<SyncRun> {
  return call<SyncRun>("sync_company", { companyId, preview });
}

/** Assets of one company or of all; `status` null means every status. */
export function assets(
  companyId: CompanyId | null = null,
  status: AssetStatus | null = null,
): Promise<Asset[]> {
  return call<Asset[]>("assets", { companyId, status });
}

/** One asset with its curated fields and its field history, newest first. */
export function asset(assetId: AssetId): Promise<AssetDetail> {
  return call<AssetDetail>("asset", { assetId });
}

/** The engine fetches the device's short-lived dashboard link and the OS opens it. */
export function openInNinjaOne(assetId: AssetId): Promise<void> {
  return call<void>("open_in_ninjaone", { assetId });
}

/** Imports a CSV or JSON file's text as assets of `source`; bad lines come back by number. */
export function importAssets(source: AssetSource, content: string): Promise<ImportReport> {
  return call<ImportReport>("import_assets", { source, content });
}

// ---------- History ----------

/** Recorded runs, newest first. */
export function runs(): Promise<RunRow[]> {
  return call<RunRow[]>("runs");
}

/**
 * One sync run's part per mapping (company and organization): its counts, truncation and
 * error with the fix, as recorded. Asked for when a run is opened in Sync history.
 */
export function runCompanies(runId: RunId): Promise<RunCompanyRow[]> {
  return call<RunCompanyRow[]>("run_companies", { runId });
}

/** Asks a run in progress to stop at its next safe point (this app's or a CLI's run). */
export function cancelRun(runId: RunId): Promise<RunStatus> {
  return call<RunStatus>("cancel_run", { runId });
}

/** The audit trail, newest first; of one company when `companyId` is given. */
export function auditEvents(companyId: CompanyId | null = null): Promise<AuditEvent[]> {
  return call<AuditEvent[]>("audit_events", { companyId });
}

// ---------- Incidents (SPEC §7) ----------

/** Incidents, open or resolved or all, newest activity first. */
export function incidents(status: StatusFilter): Promise<Incident[]> {
  return call<Incident[]>("incidents", { status });
}

export function acknowledgeIncident(incidentId: IncidentId): Promise<Incident> {
  return call<Incident>("acknowledge_incident", { incidentId });
}

/** Resolves by hand; only a newer TRIGGERED from NinjaOne reopens it. */
export function resolveIncident(incidentId: IncidentId): Promise<Incident> {
  return call<Incident>("resolve_incident", { incidentId });
}

/** Polls NinjaOne's activities now; rejects `invalidInput` when nothing is mapped. */
export function pollNow(): Promise<PollRun> {
  return call<PollRun>("poll_now");
}

export function alertRules(): Promise<AlertRule[]> {
  return call<AlertRule[]>("alert_rules");
}

/** Validates and saves the ordered list; rejects `invalidInput` naming each bad rule. */
export function saveAlertRules(rules: AlertRule[]): Promise<AlertRule[]> {
  return call<AlertRule[]>("save_alert_rules", { rules });
}

/** What `rules` (not yet saved) would do with the most recent events. */
export function previewAlertRules(rules: AlertRule[]): Promise<RulePreviewRow[]> {
  return call<RulePreviewRow[]>("preview_alert_rules", { rules });
}

export function incidentSettings(): Promise<IncidentSettings> {
  return call<IncidentSettings>("incident_settings");
}

export function saveIncidentSettings(settings: IncidentSettings): Promise<IncidentSettings> {
  return call<IncidentSettings>("save_incident_settings", { settings });
}

/** The receiver's settings, whether it listens (or why not), the last events received. */
export function webhookPanel(): Promise<WebhookPanel> {
  return call<WebhookPanel>("webhook_panel");
}

/** Saves and starts, restarts or stops the receiver to match. */
export function saveWebhookSettings(settings: WebhookSettings): Promise<WebhookPanel> {
  return call<WebhookPanel>("save_webhook_settings", { settings });
}

/** A new secret, shown this once; the old one stops working. */
export function regenerateWebhookSecret(): Promise<WebhookSecretShown> {
  return call<WebhookSecretShown>("regenerate_webhook_secret");
}

/** Sends a signed test event to the running receiver and returns its answer. */
export function sendTestWebhook(): Promise<WebhookTest> {
  return call<WebhookTest>("send_test_webhook");
}

// ---------- Compliance ----------

/**
 * Run sweep now: one company's compliance tenant, or every tenant when `companyId` is null.
 * Rejects `alreadyRunning` while a sweep of that tenant runs elsewhere, and `invalidInput`
 * when there is no compliance tenant to sweep.
 */
export function sweep(companyId: CompanyId | null = null): Promise<SweepRun> {
  return call<SweepRun>("sweep", { companyId });
}

/** The latest signal of each compliance tenant and signal; of one company when given. */
export function signals(companyId: CompanyId | null = null): Promise<SignalRow[]> {
  return call<SignalRow[]>("signals", { companyId });
}

/** Every signal a company's tenant has had, oldest first (the trends). */
export function signalHistory(companyId: CompanyId): Promise<SignalRow[]> {
  return call<SignalRow[]>("signal_history", { companyId });
}

/** Evidence rows, newest first; of one company when given. */
export function evidence(companyId: CompanyId | null = null): Promise<EvidenceRow[]> {
  return call<EvidenceRow[]>("evidence", { companyId });
}

/** Tickets from sweeps; `status` null means open and closed. */
export function tickets(status: TicketStatus | null = null): Promise<Ticket[]> {
  return call<Ticket[]>("tickets", { status });
}

/** The tickets as CSV or JSON text for a PSA. */
export function exportTickets(
  format: ExportFormat,
  status: TicketStatus | null = null,
): Promise<string> {
  return call<string>("export_tickets", { status, format });
}

/** The evidence as CSV or JSON text, of one company or of all. */
export function exportEvidence(
  format: ExportFormat,
  companyId: CompanyId | null = null,
): Promise<string> {
  return call<string>("export_evidence", { companyId, format });
}

// ---------- Events ----------

export function onEngineEvent(cb: (event: EngineEvent) => void): Promise<UnlistenFn> {
  return listen<EngineEvent>(ENGINE_EVENT, (event) => cb(event.payload));
}

export function onNavigate(cb: (route: string) => void): Promise<UnlistenFn> {
  return listen<string>(NAVIGATE_EVENT, (event) => cb(event.payload));
}
