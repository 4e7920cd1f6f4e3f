import { describe, expect, it } from "vitest";

import type { ConnectionDraft } from "./bindings/ConnectionDraft";
import {
  acceptSuggestions,
  customFieldNames,
  addCompany,
  appInfo,
  asset,
  assets,
  auditEvents,
  companies,
  connectionSetup,
  connections,
  disconnect,
  discoverOrganizations,
  importAssets,
  mapOrganization,
  openInNinjaOne,
  organizations,
  promoteCompany,
  renameCompany,
  runCompanies,
  runs,
  saveConnection,
  setSchedulesPaused,
  syncAllNow,
  syncCompany,
  testConnection,
  toErrorReport,
  // Compliance
  evidence,
  exportEvidence,
  exportTickets,
  signalHistory,
  signals,
  sweep,
  tickets,
} from "./ipc";
// Incidents
import {
  acknowledgeIncident,
  alertRules,
  incidents,
  incidentSettings,
  pollNow,
  previewAlertRules,
  regenerateWebhookSecret,
  resolveIncident,
  saveAlertRules,
  saveIncidentSettings,
  saveWebhookSettings,
  sendTestWebhook,
  webhookPanel,
} from "./ipc";
import { alertRuleWith } from "./test/fixtures";
import { appInfoWith, ENGINE, mockEngine, rejectWith } from "./test/engine";

describe("toErrorReport", () => {
  it("keeps an ErrorReport from the engine as it is", () => {
    expect(toErrorReport({ kind: "throttled", message: "Slow down." })).toEqual({
      kind: "throttled",
      message: "Slow down.",
    });
  });

  it("keeps the newer kinds notFound, alreadyRunning and unavailable", () => {
    expect(toErrorReport({ kind: "notFound", message: "No such company." }).kind).toBe("notFound");
    expect(toErrorReport({ kind: "alreadyRunning", message: "Busy." }).kind).toBe("alreadyRunning");
    expect(toErrorReport({ kind: "unavailable", message: "Not in this build." }).kind).toBe(
      "unavailable",
    );
  });

  it("does not take an inherited property name for a kind", () => {
    expect(toErrorReport({ kind: "toString", message: "odd" }).kind).toBe("internal");
  });

  it("turns anything else into an internal error with a readable message", () => {
    expect(toErrorReport(new Error("boom"))).toEqual({ kind: "internal", message: "boom" });
    expect(toErrorReport("command not found")).toEqual({
      kind: "internal",
      message: "command not found",
    });
    expect(toErrorReport({ kind: "martian", message: "odd" })).toEqual({
      kind: "internal",
      message: "odd",
    });
    expect(toErrorReport(undefined).kind).toBe("internal");
    expect(toErrorReport(undefined).message).not.toBe("");
  });
});

describe("commands", () => {
  it("call the engine's commands with their arguments", async () => {
    const calls = mockEngine({
      set_schedules_paused: (args) => ({ ...ENGINE, schedulesPaused: args.paused }),
      sync_all_now: () => null,
    });

    await expect(appInfo()).resolves.toEqual(appInfoWith());
    await expect(setSchedulesPaused(true)).resolves.toMatchObject({ schedulesPaused: true });
    await syncAllNow();

    expect(calls).toEqual([
      { cmd: "app_info", args: {} },
      { cmd: "set_schedules_paused", args: { paused: true } },
      { cmd: "sync_all_now", args: {} },
    ]);
  });

  it("reject with the engine's ErrorReport so callers can branch on kind", async () => {
    mockEngine({
      sync_all_now: () => rejectWith({ kind: "notConfigured", message: "Connect NinjaOne first." }),
    });
    await expect(syncAllNow()).rejects.toEqual({
      kind: "notConfigured",
      message: "Connect NinjaOne first.",
    });
  });

  it("send the mapping commands with camelCase argument keys", async () => {
    const calls = mockEngine({
      connection_setup: () => null,
      test_connection: () => null,
      save_connection: () => null,
      connections: () => [],
      disconnect: () => null,
      discover_organizations: () => null,
      organizations: () => [],
      map_organization: () => null,
      custom_field_names: () => [],
      accept_suggestions: () => [],
      companies: () => [],
      add_company: () => null,
      rename_company: () => null,
      promote_company: () => null,
    });
    const draft: ConnectionDraft = { region: "us", clientId: "id", clientSecret: "secret" };

    await connectionSetup();
    await testConnection(draft);
    await saveConnection(draft);
    await connections();
    await disconnect(1);
    await discoverOrganizations(1);
    await organizations(1);
    await mapOrganization(1, 100, { action: "useExisting", companyId: 7 });
    await mapOrganization(
      1,
      100,
      { action: "ignore" },
      { includeNonAgent: true, locationIds: [3] },
    );
    await customFieldNames(1, 100);
    await acceptSuggestions(1);
    await companies();
    await addCompany("Acme");
    await renameCompany(7, "Acme Ltd");
    await promoteCompany(7);

    expect(calls).toEqual([
      { cmd: "connection_setup", args: {} },
      { cmd: "test_connection", args: { draft } },
      { cmd: "save_connection", args: { draft } },
      { cmd: "connections", args: {} },
      { cmd: "disconnect", args: { connectionId: 1 } },
      { cmd: "discover_organizations", args: { connectionId: 1 } },
      { cmd: "organizations", args: { connectionId: 1 } },
      {
        cmd: "map_organization",
        args: {
          connectionId: 1,
          orgId: 100,
          choice: { action: "useExisting", companyId: 7 },
          options: null,
        },
      },
      {
        cmd: "map_organization",
        args: {
          connectionId: 1,
          orgId: 100,
          choice: { action: "ignore" },
          options: { includeNonAgent: true, locationIds: [3] },
        },
      },
      { cmd: "custom_field_names", args: { connectionId: 1, orgId: 100 } },
      { cmd: "accept_suggestions", args: { connectionId: 1 } },
      { cmd: "companies", args: {} },
      { cmd: "add_company", args: { name: "Acme" } },
      { cmd: "rename_company", args: { companyId: 7, name: "Acme Ltd" } },
      { cmd: "promote_company", args: { companyId: 7 } },
    ]);
  });

  it("send the asset, sync and history commands with camelCase argument keys", async () => {
    const calls = mockEngine({
      sync_company: () => null,
      assets: () => [],
      asset: () => null,
      open_in_ninjaone: () => null,
      import_assets: () => null,
      runs: () => [],
      run_companies: () => [],
      audit_events: () => [],
    });

    await syncCompany(7);
    await syncCompany(7, true);
    await assets();
    await assets(7, "stale");
    await asset(42);
    await openInNinjaOne(42);
    await importAssets("intune", "externalId,company\nA1,Acme\n");
    await runs();
    await runCompanies(12);
    await auditEvents();
    await auditEvents(7);

    expect(calls).toEqual([
      { cmd: "sync_company", args: { companyId: 7, preview: false } },
      { cmd: "sync_company", args: { companyId: 7, preview: true } },
      { cmd: "assets", args: { companyId: null, status: null } },
      { cmd: "assets", args: { companyId: 7, status: "stale" } },
      { cmd: "asset", args: { assetId: 42 } },
      { cmd: "open_in_ninjaone", args: { assetId: 42 } },
      {
        cmd: "import_assets",
        args: { source: "intune", content: "externalId,company\nA1,Acme\n" },
      },
      { cmd: "runs", args: {} },
      { cmd: "run_companies", args: { runId: 12 } },
      { cmd: "audit_events", args: { companyId: null } },
      { cmd: "audit_events", args: { companyId: 7 } },
    ]);
  });

  it("send the compliance commands with camelCase argument keys", async () => {
    const calls = mockEngine({
      sweep: () => null,
      signals: () => [],
      signal_history: () => [],
      evidence: () => [],
      tickets: () => [],
      export_tickets: () => "id,companyId\n",
      export_evidence: () => "[]",
    });

    await sweep();
    await sweep(7);
    await signals();
    await signals(7);
    await signalHistory(7);
    await evidence(7);
    await tickets();
    await tickets("open");
    await expect(exportTickets("csv", "closed")).resolves.toBe("id,companyId\n");
    await expect(exportEvidence("json")).resolves.toBe("[]");
    await exportEvidence("csv", 7);

    expect(calls).toEqual([
      { cmd: "sweep", args: { companyId: null } },
      { cmd: "sweep", args: { companyId: 7 } },
      { cmd: "signals", args: { companyId: null } },
      { cmd: "signals", args: { companyId: 7 } },
      { cmd: "signal_history", args: { companyId: 7 } },
      { cmd: "evidence", args: { companyId: 7 } },
      { cmd: "tickets", args: { status: null } },
      { cmd: "tickets", args: { status: "open" } },
      { cmd: "export_tickets", args: { status: "closed", format: "csv" } },
      { cmd: "export_evidence", args: { companyId: null, format: "json" } },
      { cmd: "export_evidence", args: { companyId: 7, format: "csv" } },
    ]);
  });
});

describe("incident commands", () => {
  it("send the incident, rule and receiver commands with camelCase argument keys", async () => {
    const calls = mockEngine({
      incidents: () => [],
      acknowledge_incident: () => null,
      resolve_incident: () => null,
      poll_now: () => null,
      alert_rules: () => [],
      save_alert_rules: () => [],
      preview_alert_rules: () => [],
      incident_settings: () => null,
      save_incident_settings: () => null,
      webhook_panel: () => null,
      save_webhook_settings: () => null,
      regenerate_webhook_secret: () => null,
      send_test_webhook: () => null,
    });
    const rule = alertRuleWith();
    const receiver = {
      enabled: true,
      bind: "127.0.0.1",
      port: 9000,
      requireSignature: true,
      secretSet: true,
    };

    await incidents("open");
    await acknowledgeIncident(3);
    await resolveIncident(3);
    await pollNow();
    await alertRules();
    await saveAlertRules([rule]);
    await previewAlertRules([rule]);
    await incidentSettings();
    await saveIncidentSettings({ pollEverySecs: 300, notifyAt: "critical" });
    await webhookPanel();
    await saveWebhookSettings(receiver);
    await regenerateWebhookSecret();
    await sendTestWebhook();

    expect(calls).toEqual([
      { cmd: "incidents", args: { status: "open" } },
      { cmd: "acknowledge_incident", args: { incidentId: 3 } },
      { cmd: "resolve_incident", args: { incidentId: 3 } },
      { cmd: "poll_now", args: {} },
      { cmd: "alert_rules", args: {} },
      { cmd: "save_alert_rules", args: { rules: [rule] } },
      { cmd: "preview_alert_rules", args: { rules: [rule] } },
      { cmd: "incident_settings", args: {} },
      {
        cmd: "save_incident_settings",
        args: { settings: { pollEverySecs: 300, notifyAt: "critical" } },
      },
      { cmd: "webhook_panel", args: {} },
      { cmd: "save_webhook_settings", args: { settings: receiver } },
      { cmd: "regenerate_webhook_secret", args: {} },
      { cmd: "send_test_webhook", args: {} },
    ]);
  });
});
