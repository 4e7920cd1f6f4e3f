// Test data shaped like the engine's answers. Each builder takes overrides for what a test needs.
import type { Asset } from "../bindings/Asset";
import type { AssetDetail } from "../bindings/AssetDetail";
import type { AuditEvent } from "../bindings/AuditEvent";
import type { Company } from "../bindings/Company";
import type { CompanySync } from "../bindings/CompanySync";
import type { Connection } from "../bindings/Connection";
import type { ConnectionSetup } from "../bindings/ConnectionSetup";
import type { ConnectionTest } from "../bindings/ConnectionTest";
import type { DiscoverySummary } from "../bindings/DiscoverySummary";
import type { EngineEvent } from "../bindings/EngineEvent";
import type { ImportReport } from "../bindings/ImportReport";
import type { OrganizationRow } from "../bindings/OrganizationRow";
import type { RegionOption } from "../bindings/RegionOption";
import type { RunCompanyRow } from "../bindings/RunCompanyRow";
import type { RunRow } from "../bindings/RunRow";
import type { SyncRun } from "../bindings/SyncRun";
// Incidents
import type { AlertRule } from "../bindings/AlertRule";
import type { EventSummary } from "../bindings/EventSummary";
import type { Incident } from "../bindings/Incident";
import type { PollRun } from "../bindings/PollRun";
import type { RulePreviewRow } from "../bindings/RulePreviewRow";
import type { WebhookPanel } from "../bindings/WebhookPanel";
import type { WebhookSecretShown } from "../bindings/WebhookSecretShown";

export const REGIONS: RegionOption[] = [
  { code: "us", label: "US", host: "app.ninjarmm.com" },
  { code: "eu", label: "EU", host: "eu.ninjarmm.com" },
  { code: "oc", label: "Oceania", host: "oc.ninjarmm.com" },
];

export function connectionWith(overrides: Partial<Connection> = {}): Connection {
  return {
    id: 1,
    name: "Contoso MSP",
    region: "us",
    baseUrl: "https://app.ninjarmm.com",
    clientId: "client-abc",
    grantedScopes: ["monitoring"],
    active: true,
    createdAt: "2025-11-20T09:00:00Z",
    testedAt: "2025-11-20T09:00:00Z",
    discoveredAt: "2025-11-20T09:00:05Z",
    disconnectedAt: null,
    organizationsTruncated: false,
    ...overrides,
  };
}

export function setupWith(overrides: Partial<ConnectionSetup> = {}): ConnectionSetup {
  return { regions: REGIONS, connections: [], demo: null, ...overrides };
}

export function connectionTestWith(overrides: Partial<ConnectionTest> = {}): ConnectionTest {
  return {
    host: "app.ninjarmm.com",
    organizations: 12,
    organizationsTruncated: false,
    grantedScopes: ["monitoring"],
    warnings: [],
    ...overrides,
  };
}

export function discoveryWith(overrides: Partial<DiscoverySummary> = {}): DiscoverySummary {
  return {
    organizations: 12,
    newOrganizations: 12,
    goneOrganizations: 0,
    truncated: false,
    ...overrides,
  };
}

/**
 * A pending organization present in NinjaOne without a suggestion. The engine's flags are not
 * derived here: a test that gives a row a suggestion, or marks it gone, sets them as the engine
 * would answer.
 */
export function orgRow(overrides: Partial<OrganizationRow> = {}): OrganizationRow {
  return {
    connectionId: 1,
    orgId: 100,
    name: "Acme Ltd",
    state: "pending",
    companyId: null,
    companyName: null,
    suggestedCompanyId: null,
    suggestedCompanyName: null,
    deviceCount: 10,
    gone: false,
    canAcceptSuggestion: false,
    canMap: true,
    locationIds: [],
    includeNonAgent: false,
    droppedFieldGroups: [],
    customFields: [],
    syncSoftware: false,
    ...overrides,
  };
}

export function companyWith(overrides: Partial<Company> = {}): Company {
  return {
    id: 1,
    name: "Acme",
    complianceTenantId: null,
    mappedOrganizations: 0,
    assets: 0,
    createdAt: "2025-11-20T09:00:00Z",
    lastSyncedAt: null,
    lastSyncError: null,
    ...overrides,
  };
}

/** An active NinjaOne asset of company 1. */
export function assetWith(overrides: Partial<Asset> = {}): Asset {
  return {
    id: 1,
    companyId: 1,
    source: "ninjaone",
    externalId: "uid-0001",
    uid: "uid-0001",
    name: "ACME-PC-01",
    serialNumber: "SN-0001",
    nodeClass: "WINDOWS_WORKSTATION",
    status: "active",
    retiredReason: null,
    connectionId: 1,
    orgId: 100,
    firstSeenAt: "2025-11-20T09:00:00Z",
    lastSeenAt: "2025-11-21T08:15:00Z",
    updatedAt: "2025-11-21T08:15:00Z",
    ...overrides,
  };
}

export function assetDetailWith(overrides: Partial<AssetDetail> = {}): AssetDetail {
  return { asset: assetWith(), fields: {}, history: [], ...overrides };
}

/** One mapping's part of a sync: organization 100 of connection 1, all zero. */
export function companySyncWith(overrides: Partial<CompanySync> = {}): CompanySync {
  return {
    companyId: 1,
    connectionId: 1,
    orgId: 100,
    truncated: false,
    error: null,
    created: 0,
    updated: 0,
    unchanged: 0,
    stale: 0,
    retiredDuplicates: 0,
    skippedPending: 0,
    skippedRejected: 0,
    unreadable: 0,
    ...overrides,
  };
}

/** A succeeded sync run with one mapping. */
export function syncRunWith(overrides: Partial<SyncRun> = {}): SyncRun {
  return {
    runId: 7,
    preview: false,
    status: "succeeded",
    truncatedAny: false,
    requests: 4,
    malformedItems: 0,
    companies: [companySyncWith()],
    ...overrides,
  };
}

type SyncProgress = Extract<EngineEvent, { type: "syncProgress" }>;

/** A progress event of a recorded sync of every company, one organization of two done. */
export function syncProgressWith(
  overrides: Partial<Omit<SyncProgress, "type">> = {},
): SyncProgress {
  return {
    type: "syncProgress",
    runId: 7,
    scope: "all",
    company: null,
    pages: 1,
    devices: 14,
    organizationsDone: 1,
    organizationsTotal: 2,
    ...overrides,
  };
}

export function runRowWith(overrides: Partial<RunRow> = {}): RunRow {
  return {
    id: 7,
    kind: "sync",
    trigger: "manual",
    scope: "all",
    status: "succeeded",
    startedAt: "2025-11-21T08:15:00Z",
    endedAt: "2025-11-21T08:15:09Z",
    requests: 4,
    malformedItems: 0,
    truncatedAny: false,
    sweep: null,
    counts: {
      created: 0,
      updated: 0,
      unchanged: 0,
      stale: 0,
      retiredDuplicates: 0,
      skippedPending: 0,
      skippedRejected: 0,
      unreadable: 0,
    },
    errors: [],
    ...overrides,
  };
}

/** One mapping of a recorded sync run: Acme's organization 100 on connection 1, all zero. */
export function runCompanyRowWith(overrides: Partial<RunCompanyRow> = {}): RunCompanyRow {
  return { ...companySyncWith(), companyName: "Acme", ...overrides };
}

export function auditEventWith(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    at: "2025-11-20T09:00:00Z",
    scope: "company:1",
    action: "COMPANY_CREATED",
    detail: "Acme",
    ...overrides,
  };
}

export function importReportWith(overrides: Partial<ImportReport> = {}): ImportReport {
  return {
    source: "level",
    imported: 0,
    created: 0,
    updated: 0,
    retiredDuplicates: 0,
    errors: [],
    ...overrides,
  };
}

// ---------- Incidents ----------

export function incidentWith(overrides: Partial<Incident> = {}): Incident {
  return {
    id: 1,
    key: "series:4f1c",
    connectionId: 1,
    status: "open",
    severity: "high",
    count: 3,
    title: "Disk C: is 95% full",
    firstSeen: "2025-11-21T08:00:00Z",
    lastSeen: "2025-11-21T09:30:00Z",
    resolvedAt: null,
    resolution: null,
    acknowledgedAt: null,
    companyId: 7,
    companyName: "Northwind Traders",
    orgId: 101,
    deviceId: 5001,
    deviceName: "NW-FS01",
    deviceClass: "WINDOWS_SERVER",
    assetId: 42,
    activityType: "CONDITION",
    statusCode: "TRIGGERED",
    sourceName: "Disk space",
    ninjaSeverity: "MAJOR",
    ninjaPriority: "HIGH",
    actions: ["notify"],
    ...overrides,
  };
}

// ---------- Compliance ----------

import type { EvidenceRow } from "../bindings/EvidenceRow";
import type { SignalKind } from "../bindings/SignalKind";
import type { SignalMetadata } from "../bindings/SignalMetadata";
import type { SignalRow } from "../bindings/SignalRow";
import type { SweepRun } from "../bindings/SweepRun";
import type { Ticket } from "../bindings/Ticket";

export const SIGNAL_CONTROLS: Record<SignalKind, string[]> = {
  disk_encryption: ["IC-024", "IC-052"],
  antivirus_posture: ["IC-013", "IC-051"],
  patch_sla: ["IC-038", "IC-053"],
  backup_activity: ["IC-060", "IC-061"],
  device_inventory: ["IC-031", "IC-032"],
};

/** Typical aggregates of each signal, as a sweep of a 20-device customer writes them. */
export const SIGNAL_METADATA: Record<SignalKind, SignalMetadata> = {
  disk_encryption: {
    volumesMeasured: 20,
    encrypted: 15,
    notEncrypted: 5,
    percentEncrypted: 75,
    unknownMac: 1,
    unknownLinux: 2,
    byMethod: { bitLocker: 18, fileVault: 2 },
  },
  antivirus_posture: {
    devices: 20,
    current: 18,
    stale: 2,
    expired: 0,
    protectionOff: 0,
    notReported: 0,
    vendors: { "Windows Defender": 20 },
  },
  patch_sla: {
    devices: 20,
    outstanding: 0,
    outstandingOs: 0,
    outstandingSoftware: 0,
    devicesWithOutstanding: 0,
    failedPending: 0,
    failedInstalls: 0,
    bySeverity: {},
  },
  backup_activity: {
    devices: 0,
    withSuccess: 0,
    onlyFailed: 0,
    noResult: 0,
    percentOnlyFailed: null,
    byProduct: {},
  },
  device_inventory: {
    devices: 20,
    online: 19,
    offline: 1,
    percentOffline: 5,
    byClass: { WINDOWS_WORKSTATION: 20 },
  },
};

export function signalWith(overrides: Partial<SignalRow> = {}): SignalRow {
  const signal = overrides.signal ?? "disk_encryption";
  return {
    companyId: 1,
    complianceTenantId: "ct_41c07e",
    signal,
    status: "pass",
    collectedAt: "2025-11-21T06:30:00Z",
    expiresAt: "2025-11-28T06:30:00Z",
    expired: false,
    controls: SIGNAL_CONTROLS[signal],
    metadata: SIGNAL_METADATA[signal],
    ...overrides,
  };
}

/** A company's five signals; `statuses` gives each its status (default pass). */
export function fiveSignals(
  overrides: Partial<SignalRow> = {},
  statuses: Partial<Record<SignalKind, SignalRow["status"]>> = {},
): SignalRow[] {
  return (Object.keys(SIGNAL_CONTROLS) as SignalKind[]).map((signal) =>
    signalWith({ ...overrides, signal, status: statuses[signal] ?? "pass" }),
  );
}

export function evidenceWith(overrides: Partial<EvidenceRow> = {}): EvidenceRow {
  return {
    id: 1,
    companyId: 1,
    companyName: "Acme",
    complianceTenantId: "ct_41c07e",
    control: "IC-024",
    signal: "disk_encryption",
    status: "fail",
    collectedAt: "2025-11-21T06:30:00Z",
    expiresAt: "2025-11-28T06:30:00Z",
    expired: false,
    summary: "15 of 20 volumes encrypted (75.0 %)",
    ...overrides,
  };
}

export function ticketWith(overrides: Partial<Ticket> = {}): Ticket {
  return {
    id: 1,
    companyId: 1,
    companyName: "Acme",
    signal: "disk_encryption",
    priority: "high",
    status: "open",
    signalStatus: "fail",
    title: "Acme: disk encryption fails",
    detail: "15 of 20 volumes encrypted (75.0 %)",
    openedAt: "2025-11-21T06:30:00Z",
    updatedAt: "2025-11-21T12:30:00Z",
    closedAt: null,
    ...overrides,
  };
}

export function alertRuleWith(overrides: Partial<AlertRule> = {}): AlertRule {
  return {
    name: "Servers are critical",
    enabled: true,
    when: {
      activityTypes: [],
      statusCodes: [],
      severities: [],
      priorities: [],
      sourceName: null,
      orgIds: [],
      deviceClasses: ["WINDOWS_SERVER"],
    },
    severity: "critical",
    actions: ["notify"],
    ...overrides,
  };
}

export function eventSummaryWith(overrides: Partial<EventSummary> = {}): EventSummary {
  return {
    activityId: 9001,
    connectionId: 1,
    receivedAt: "2025-11-21T09:30:00Z",
    activityType: "CONDITION",
    statusCode: "TRIGGERED",
    severity: "MAJOR",
    priority: "HIGH",
    sourceName: "Disk space",
    orgId: 101,
    deviceClass: "WINDOWS_SERVER",
    title: "Disk C: is 95% full",
    outcome: "applied",
    ...overrides,
  };
}

export function previewRowWith(overrides: Partial<RulePreviewRow> = {}): RulePreviewRow {
  return {
    event: eventSummaryWith(),
    decision: { rule: 0, severity: "critical", actions: ["notify"] },
    ...overrides,
  };
}

export function pollRunWith(overrides: Partial<PollRun> = {}): PollRun {
  return { runId: 12, status: "succeeded", requests: 2, connections: [], ...overrides };
}

export function webhookPanelWith(overrides: Partial<WebhookPanel> = {}): WebhookPanel {
  return {
    settings: {
      enabled: false,
      bind: "127.0.0.1",
      port: 8787,
      requireSignature: false,
      secretSet: false,
    },
    receiver: { listening: false, url: null, error: null },
    recent: [],
    ...overrides,
  };
}

export function secretShownWith(overrides: Partial<WebhookSecretShown> = {}): WebhookSecretShown {
  return {
    secret: "s3cr3t-shown-once",
    url: "http://127.0.0.1:8787/ninjaone/webhook",
    headerName: "X-Fleetward-Secret",
    headerValue: "s3cr3t-shown-once",
    ...overrides,
  };
}

export function sweepRunWith(overrides: Partial<SweepRun> = {}): SweepRun {
  return {
    runId: 31,
    status: "succeeded",
    requests: 9,
    requestsByReport: { "queries/volumes": 2, activities: 3 },
    companies: [
      {
        companyId: 1,
        complianceTenantId: "ct_41c07e",
        dryRun: false,
        signals: [],
        error: null,
      },
    ],
    ...overrides,
  };
}
