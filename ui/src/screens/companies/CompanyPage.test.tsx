import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { App } from "../../App";
import type { SyncRun } from "../../bindings/SyncRun";
import { formatTimestamp } from "../../format";
import { deferred, emitEngine, mockEngine, rejectWith, startAt } from "../../test/engine";
import {
  assetWith,
  fiveSignals,
  companySyncWith,
  companyWith,
  connectionWith,
  orgRow,
  runRowWith,
  syncProgressWith,
  syncRunWith,
} from "../../test/fixtures";
import { layOutVirtualLists } from "../../test/layout";

type Handlers = Parameters<typeof mockEngine>[0];

const ACME = companyWith({
  id: 1,
  name: "Acme",
  mappedOrganizations: 2,
  assets: 2,
  complianceTenantId: "ct_41c07e",
  lastSyncedAt: "2025-11-21T08:15:00Z",
});
const US = connectionWith({ id: 1, name: "Contoso US" });
const EU = connectionWith({ id: 2, name: "Contoso EU", region: "eu" });
const OLD = connectionWith({ id: 3, name: "Old tenant", active: false });

const ACME_US = orgRow({
  connectionId: 1,
  orgId: 100,
  name: "Acme Ltd",
  state: "mapped",
  companyId: 1,
  companyName: "Acme",
  deviceCount: 14,
});
const ACME_EU = orgRow({
  connectionId: 2,
  orgId: 200,
  name: "Acme GmbH",
  state: "mapped",
  companyId: 1,
  companyName: "Acme",
  deviceCount: 3,
  includeNonAgent: true,
  locationIds: [7, 8],
  syncSoftware: true,
  customFields: ["assetTag", "patchRing"],
  droppedFieldGroups: ["memory"],
});
const GLOBEX_US = orgRow({
  connectionId: 1,
  orgId: 101,
  name: "Globex",
  state: "mapped",
  companyId: 2,
  companyName: "Globex",
});

const PC = assetWith({ id: 10, name: "ACME-PC-01" });
const OLD_PC = assetWith({ id: 11, name: "ACME-PC-02", status: "stale" });

function openCompany(handlers: Handlers = {}, id = 1) {
  layOutVirtualLists();
  const calls = mockEngine({
    companies: () => [ACME, companyWith({ id: 2, name: "Globex" })],
    connections: () => [US, EU, OLD],
    organizations: (args) => (args.connectionId === 1 ? [ACME_US, GLOBEX_US] : [ACME_EU]),
    assets: () => [PC, OLD_PC],
    signals: () => [],
    runs: () => [],
    ...handlers,
  });
  startAt(`/companies/${id}`);
  render(<App />);
  return calls;
}

async function ready() {
  await screen.findByRole("heading", { level: 1, name: "Acme" });
  await screen.findByRole("table", { name: "Assets of this company" });
}

function facts(region: HTMLElement): [string, string][] {
  return within(region)
    .getAllByRole("term")
    .map((term) => [term.textContent ?? "", term.nextElementSibling?.textContent ?? ""]);
}

const syncButton = () =>
  screen.getByRole("button", { name: /Sync With NinjaOne|Syncing…|Sync running…/ });
const previewButton = () => screen.getByRole("button", { name: /Preview/ });

describe("Company page", () => {
  it("shows the company, its compliance tenant and last sync", async () => {
    openCompany();
    await ready();

    expect(facts(screen.getByRole("region", { name: "Overview" }))).toEqual([
      ["Compliance", "Compliance tenantct_41c07e"],
      ["Active assets", "2"],
      ["Last sync", `${formatTimestamp("2025-11-21T08:15:00Z")}OK`],
    ]);
    expect(screen.getByRole("link", { name: "Companies" })).toHaveAttribute("aria-current", "page");
  });

  it("lists the organizations mapped to it over every active connection", async () => {
    const calls = openCompany();
    await ready();

    const table = screen.getByRole("table", { name: "NinjaOne organizations of this company" });
    expect(
      within(table)
        .getAllByRole("row")
        .slice(1)
        .map((row) => Array.from(row.children).map((cell) => cell.textContent)),
    ).toEqual([
      ["Acme Ltd", "Contoso US", "14", "Agent devices"],
      [
        "Acme GmbH",
        "Contoso EU",
        "3",
        "Agent, network and non-agent devices, only 2 locations, installed software, 2 custom fields, 1 field group left out",
      ],
    ]);
    expect(calls.filter((call) => call.cmd === "organizations").map((call) => call.args)).toEqual([
      { connectionId: 1 },
      { connectionId: 2 },
    ]);
  });

  it("says how to map an organization when none is", async () => {
    openCompany({ organizations: () => [GLOBEX_US] });
    await ready();

    expect(
      screen.getByText(
        "No NinjaOne organization is mapped to this company, so Sync has nothing to read.",
      ),
    ).toBeVisible();
    expect(screen.getByRole("link", { name: "Map one in Organizations" })).toHaveAttribute(
      "href",
      "#/organizations",
    );
  });

  it("lists its assets and filters them by status through the engine", async () => {
    const user = userEvent.setup();
    const calls = openCompany({
      assets: (args) => (args.status === "stale" ? [OLD_PC] : [PC, OLD_PC]),
    });
    await ready();
    const table = screen.getByRole("table", { name: "Assets of this company" });
    expect(
      within(table)
        .getAllByRole("rowheader")
        .map((cell) => cell.textContent),
    ).toEqual(["ACME-PC-01", "ACME-PC-02"]);
    expect(within(table).queryByRole("columnheader", { name: /Company/ })).toBeNull();

    await user.selectOptions(screen.getByRole("combobox", { name: "Status" }), "Stale");

    const stale = await screen.findByRole("table", { name: "Assets of this company" });
    expect(
      within(stale)
        .getAllByRole("rowheader")
        .map((cell) => cell.textContent),
    ).toEqual(["ACME-PC-02"]);
    expect(calls.filter((call) => call.cmd === "assets").map((call) => call.args)).toEqual([
      { companyId: 1, status: null },
      { companyId: 1, status: "stale" },
    ]);
  });

  it("syncs with a live progress bar, then shows what the sync did per organization", async () => {
    const user = userEvent.setup();
    const answer = deferred<SyncRun>();
    const calls = openCompany({ sync_company: () => answer.promise, cancel_run: () => "running" });
    await ready();

    await user.click(syncButton());

    expect(syncButton()).toBeDisabled();
    expect(syncButton()).toHaveTextContent("Syncing…");
    expect(previewButton()).toBeDisabled();
    const bar = screen.getByRole("progressbar", { name: "Sync progress" });
    expect(bar).not.toHaveAttribute("aria-valuenow");
    expect(bar).toHaveAttribute("aria-valuetext", "Starting…");

    // Another company's run does not move this bar.
    await emitEngine(
      syncProgressWith({
        runId: 30,
        scope: "company:2",
        devices: 400,
        organizationsDone: 3,
        organizationsTotal: 4,
      }),
    );
    expect(bar).not.toHaveAttribute("aria-valuenow");
    await emitEngine(
      syncProgressWith({
        runId: 31,
        scope: "company:1",
        devices: 14,
        organizationsDone: 1,
        organizationsTotal: 2,
      }),
    );
    expect(bar).toHaveAttribute("aria-valuemin", "0");
    expect(bar).toHaveAttribute("aria-valuemax", "2");
    expect(bar).toHaveAttribute("aria-valuenow", "1");
    expect(bar).toHaveAttribute("aria-valuetext", "1 of 2 organizations done · 14 devices read");
    expect(screen.getByText("1 of 2 organizations done · 14 devices read")).toBeVisible();

    await user.click(screen.getByRole("button", { name: "Cancel the sync of Acme" }));
    expect(calls.filter((call) => call.cmd === "cancel_run")).toEqual([
      { cmd: "cancel_run", args: { runId: 31 } },
    ]);
    expect(screen.getByRole("button", { name: "Cancel the sync of Acme" })).toHaveTextContent(
      "Cancelling…",
    );

    answer.resolve(
      syncRunWith({
        runId: 31,
        requests: 9,
        companies: [
          companySyncWith({ connectionId: 1, orgId: 100, created: 2, updated: 5, unchanged: 7 }),
          companySyncWith({
            connectionId: 2,
            orgId: 200,
            stale: 1,
            retiredDuplicates: 1,
            skippedPending: 2,
            skippedRejected: 1,
            unreadable: 3,
          }),
        ],
      }),
    );

    const summary = await screen.findByRole("table", { name: "Sync result per organization" });
    expect(screen.queryByRole("progressbar", { name: "Sync progress" })).toBeNull();
    expect(syncButton()).toBeEnabled();
    expect(screen.getByText("Sync succeeded")).toBeVisible();
    expect(screen.getByText("Run 31")).toBeVisible();
    expect(screen.getByText("9 requests to NinjaOne.")).toBeVisible();
    expect(
      within(summary)
        .getAllByRole("columnheader")
        .map((cell) => cell.textContent),
    ).toEqual([
      "Organization",
      "Created",
      "Updated",
      "Unchanged",
      "Stale",
      "Retired duplicates",
      "Skipped (pending)",
      "Skipped (rejected)",
      "Unreadable (kept)",
    ]);
    expect(
      within(summary)
        .getAllByRole("row")
        .slice(1)
        .map((row) => Array.from(row.children).map((cell) => cell.textContent)),
    ).toEqual([
      ["Acme Ltd", "2", "5", "7", "0", "0", "0", "0", "0"],
      ["Acme GmbH", "0", "0", "0", "1", "1", "2", "1", "3"],
    ]);
    expect(summary.closest("[aria-live]")).toHaveAttribute("aria-live", "polite");
    expect(calls.filter((call) => call.cmd === "sync_company")).toEqual([
      { cmd: "sync_company", args: { companyId: 1, preview: false } },
    ]);
  });

  it("loads the company and its assets again after a sync", async () => {
    const user = userEvent.setup();
    let synced = false;
    const calls = openCompany({
      companies: () => [synced ? { ...ACME, assets: 3 } : ACME],
      assets: () =>
        synced ? [PC, OLD_PC, assetWith({ id: 12, name: "ACME-PC-03" })] : [PC, OLD_PC],
      sync_company: () => {
        synced = true;
        return syncRunWith({ companies: [companySyncWith({ created: 1 })] });
      },
    });
    await ready();

    await user.click(syncButton());

    expect(await screen.findByRole("rowheader", { name: "ACME-PC-03" })).toBeVisible();
    const overview = screen.getByRole("region", { name: "Overview" });
    expect(facts(overview)[1]).toEqual(["Active assets", "3"]);
    expect(calls.filter((call) => call.cmd === "assets")).toHaveLength(2);
  });

  it("previews a sync with preview: true and labels the summary as nothing written", async () => {
    const user = userEvent.setup();
    const answer = deferred<SyncRun>();
    const calls = openCompany({ sync_company: () => answer.promise });
    await ready();

    await user.click(previewButton());
    expect(previewButton()).toHaveTextContent("Previewing…");
    expect(syncButton()).toBeDisabled();
    const bar = screen.getByRole("progressbar", { name: "Preview progress" });

    // A recorded run's progress is another sync's, not this preview's.
    await emitEngine(
      syncProgressWith({
        runId: 40,
        scope: "company:1",
        devices: 500,
        organizationsDone: 3,
        organizationsTotal: 9,
      }),
    );
    expect(bar).not.toHaveAttribute("aria-valuenow");
    await emitEngine(
      syncProgressWith({
        runId: null,
        scope: "company:1",
        devices: 14,
        organizationsDone: 1,
        organizationsTotal: 2,
      }),
    );
    expect(bar).toHaveAttribute("aria-valuenow", "1");

    answer.resolve(
      syncRunWith({
        runId: null,
        preview: true,
        companies: [companySyncWith({ connectionId: 1, orgId: 100, created: 14 })],
      }),
    );

    expect(await screen.findByText("Preview — nothing was written")).toBeVisible();
    const summary = screen.getByRole("table", { name: "What a sync would do, per organization" });
    expect(within(summary).getByRole("rowheader", { name: "Acme Ltd" })).toBeVisible();
    expect(screen.queryByText(/^Run /)).toBeNull();
    expect(calls.filter((call) => call.cmd === "sync_company")).toEqual([
      { cmd: "sync_company", args: { companyId: 1, preview: true } },
    ]);
    // Nothing was written, so nothing is loaded again.
    expect(calls.filter((call) => call.cmd === "assets")).toHaveLength(1);
  });

  it("shows each organization's error, the truncation notice and skipped items", async () => {
    const user = userEvent.setup();
    const error =
      "NinjaOne refused the credentials for Contoso EU (401). Open Connection, test it and save it again.";
    openCompany({
      sync_company: () =>
        syncRunWith({
          status: "partial",
          truncatedAny: true,
          malformedItems: 2,
          companies: [
            companySyncWith({ connectionId: 1, orgId: 100, created: 3, truncated: true }),
            companySyncWith({ connectionId: 2, orgId: 200, error }),
            companySyncWith({ connectionId: 9, orgId: 900, error: "Gone." }),
          ],
        }),
    });
    await ready();

    await user.click(syncButton());

    expect(await screen.findByText("Sync partial")).toBeVisible();
    expect(
      screen.getByText(
        "NinjaOne has more devices in an organization than one sync reads: only the first are included.",
      ),
    ).toBeVisible();
    expect(screen.getByText(/2 items NinjaOne sent did not fit and were skipped\./)).toBeVisible();
    const summary = screen.getByRole("table", { name: "Sync result per organization" });
    expect(within(summary).getByRole("rowheader", { name: "Acme Ltd Truncated" })).toBeVisible();
    expect(within(summary).getByRole("rowheader", { name: "Acme GmbH Failed" })).toBeVisible();
    const errors = screen.getByRole("list", { name: "Errors" });
    expect(
      within(errors)
        .getAllByRole("listitem")
        .map((item) => item.textContent),
    ).toEqual([`Acme GmbH: ${error}`, "NinjaOne organization 900: Gone."]);
  });

  it("says politely that a sync of this company is already running", async () => {
    const user = userEvent.setup();
    openCompany({
      sync_company: () =>
        rejectWith({ kind: "alreadyRunning", message: "Company 1 is already syncing." }),
    });
    await ready();

    await user.click(syncButton());

    expect(
      await screen.findByText(
        /A sync of this company is already running; its result will appear in/,
      ),
    ).toBeVisible();
    expect(screen.getByRole("link", { name: "Sync history" })).toHaveAttribute("href", "#/history");
    expect(screen.queryByRole("alert")).toBeNull();
    expect(syncButton()).toBeEnabled();
  });

  it("holds Sync back with a live bar while Sync all now syncs every company, then refreshes", async () => {
    let synced = false;
    const calls = openCompany({
      companies: () => [synced ? { ...ACME, assets: 3 } : ACME],
    });
    await ready();
    expect(syncButton()).toBeEnabled();

    await emitEngine(syncProgressWith({ runId: 50, scope: "all", devices: 14 }));

    expect(syncButton()).toBeDisabled();
    expect(syncButton()).toHaveTextContent("Sync running…");
    const bar = screen.getByRole("progressbar", { name: "Running sync progress" });
    expect(bar).toHaveAttribute("aria-valuenow", "1");
    expect(bar).toHaveAttribute("aria-valuemax", "2");
    expect(screen.getByText("1 of 2 organizations done · 14 devices read")).toBeVisible();
    expect(screen.getByText(/Every company is being synced/)).toBeVisible();

    await emitEngine(
      syncProgressWith({ runId: 50, scope: "all", organizationsDone: 2, devices: 30 }),
    );
    expect(bar).toHaveAttribute("aria-valuenow", "2");

    synced = true;
    await emitEngine({ type: "syncFinished", runId: 50, status: "succeeded" });

    expect(await screen.findByRole("button", { name: "Sync With NinjaOne" })).toBeEnabled();
    expect(screen.queryByRole("progressbar", { name: "Running sync progress" })).toBeNull();
    await waitFor(() =>
      expect(facts(screen.getByRole("region", { name: "Overview" }))[1]).toEqual([
        "Active assets",
        "3",
      ]),
    );
    expect(calls.filter((call) => call.cmd === "assets")).toHaveLength(2);
    expect(calls.some((call) => call.cmd === "sync_company")).toBe(false);
  });

  it("keeps Sync available while another company syncs or a preview runs elsewhere", async () => {
    openCompany();
    await ready();

    await emitEngine(syncProgressWith({ runId: 51, scope: "company:2" }));
    await emitEngine(syncProgressWith({ runId: null, scope: "company:1" }));

    expect(syncButton()).toBeEnabled();
    expect(syncButton()).toHaveTextContent("Sync With NinjaOne");
    expect(screen.queryByRole("progressbar")).toBeNull();
  });

  it("shows a sync of this company that was already running when the page opened", async () => {
    openCompany({
      runs: () => [
        runRowWith({ id: 60, scope: "company:2", status: "running", endedAt: null }),
        runRowWith({ id: 61, scope: "company:1", status: "running", endedAt: null }),
        runRowWith({ id: 59, scope: "all", status: "succeeded" }),
      ],
    });
    await ready();

    await waitFor(() => expect(syncButton()).toBeDisabled());
    expect(syncButton()).toHaveTextContent("Sync running…");
    const bar = screen.getByRole("progressbar", { name: "Running sync progress" });
    expect(bar).toHaveAttribute("aria-valuetext", "Starting…");
    expect(screen.getByText(/A sync of this company, started in another window/)).toBeVisible();

    // Another run's end changes nothing; this one's gives Sync back.
    await emitEngine({ type: "syncFinished", runId: 60, status: "succeeded" });
    expect(syncButton()).toBeDisabled();
    await emitEngine({ type: "syncFinished", runId: 61, status: "partial" });
    expect(await screen.findByRole("button", { name: "Sync With NinjaOne" })).toBeEnabled();
  });

  it("shows the engine's message when the sync fails", async () => {
    const user = userEvent.setup();
    const message = "NinjaOne cannot be reached (timed out). Check the network and try again.";
    openCompany({ sync_company: () => rejectWith({ kind: "unreachable", message }) });
    await ready();

    await user.click(syncButton());

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Sync of Acme failed");
    expect(alert).toHaveTextContent(message);
  });

  it("shows the engine's message for the last sync that failed", async () => {
    const error = "NinjaOne refused the credentials (401). Open Connection and save them again.";
    openCompany({
      companies: () => [{ ...ACME, lastSyncError: error }],
    });
    await ready();

    const overview = screen.getByRole("region", { name: "Overview" });
    expect(within(overview).getByText("Failed")).toBeVisible();
    expect(within(overview).getByText(error)).toBeInTheDocument();
  });

  it("says when the company does not exist", async () => {
    openCompany({}, 77);

    expect(
      await screen.findByRole("heading", { level: 1, name: "Company not found" }),
    ).toBeVisible();
    expect(screen.getByRole("link", { name: "← Companies" })).toHaveAttribute(
      "href",
      "#/companies",
    );
  });

  it("shows a compliance tenant's five signals with a link to the dashboard", async () => {
    const signals = fiveSignals({}, { disk_encryption: "fail", patch_sla: "warn" }).map((row) =>
      row.signal === "device_inventory" ? { ...row, expired: true } : row,
    );
    const calls = openCompany({ signals: () => signals });
    const table = await screen.findByRole("table", {
      name: "Latest compliance signals of this company",
    });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((row) => row.children[0]?.textContent)).toEqual([
      "Disk encryption",
      "Antivirus posture",
      "Patch SLA",
      "Backup activity",
      "Device inventory",
    ]);
    expect(screen.getByText(/Compliance status:/)).toHaveTextContent(
      "Compliance status: Fail (the worst of its latest signals)",
    );
    expect(rows[0]).toHaveTextContent("Fail15 of 20 volumes encrypted (75 %).");
    expect(rows[2]).toHaveTextContent("Warn");
    expect(rows[4]).toHaveTextContent("Expired");
    expect(screen.getByRole("link", { name: "Open in the Compliance dashboard" })).toHaveAttribute(
      "href",
      "#/compliance?company=1",
    );
    expect(calls).toContainEqual({ cmd: "signals", args: { companyId: 1 } });
  });

  it("shows the company's compliance status as the worst of its signals", async () => {
    openCompany({
      signals: () => fiveSignals({}, { backup_activity: "warn", device_inventory: "no_data" }),
    });
    const status = await screen.findByText(/Compliance status:/);
    expect(within(status).getByText("Warn")).toBeVisible();
    expect(within(status).queryByText("Fail")).toBeNull();
  });

  it("says a compliance tenant has not been swept yet", async () => {
    openCompany();
    expect(await screen.findByText(/No sweep yet/)).toBeVisible();
    expect(screen.getByRole("link", { name: "Compliance dashboard" })).toHaveAttribute(
      "href",
      "#/compliance?company=1",
    );
  });

  it("leaves the compliance section out for a company that is no compliance tenant", async () => {
    const calls = openCompany({}, 2);
    await screen.findByRole("heading", { level: 1, name: "Globex" });
    expect(screen.queryByRole("region", { name: "Compliance signals" })).not.toBeInTheDocument();
    expect(calls.some((call) => call.cmd === "signals")).toBe(false);
  });
});
