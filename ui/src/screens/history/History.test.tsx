import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { App } from "../../App";
import type { RunCompanyRow } from "../../bindings/RunCompanyRow";
import type { RunRow } from "../../bindings/RunRow";
import { formatShortTimestamp } from "../../format";
import { emitEngine, mockEngine, rejectWith, startAt } from "../../test/engine";
import { auditEventWith, companyWith, runCompanyRowWith, runRowWith } from "../../test/fixtures";

type Handlers = Parameters<typeof mockEngine>[0];

const COMPANIES = [
  companyWith({ id: 1, name: "Acme", complianceTenantId: "ct_41c07e" }),
  companyWith({ id: 2, name: "Globex" }),
];

const FIX =
  "NinjaOne refused the credentials for Contoso EU (401). Open Connection, test it and save it again.";

const PARTIAL = runRowWith({
  id: 12,
  trigger: "schedule",
  scope: "all",
  status: "partial",
  startedAt: "2025-11-21T08:15:00Z",
  endedAt: "2025-11-21T08:16:30Z",
  requests: 31,
  truncatedAny: true,
  counts: {
    created: 3,
    updated: 40,
    unchanged: 200,
    stale: 2,
    retiredDuplicates: 1,
    skippedPending: 4,
    skippedRejected: 0,
    unreadable: 0,
  },
  errors: [FIX],
});
const MANUAL = runRowWith({
  id: 11,
  trigger: "manual",
  scope: "company:2",
  startedAt: "2025-11-21T07:00:00Z",
  endedAt: "2025-11-21T07:00:05Z",
});
const DISCOVERY = runRowWith({
  id: 10,
  kind: "discovery",
  trigger: "startUp",
  scope: "msp",
  status: "running",
  startedAt: "2025-11-21T06:00:00Z",
  endedAt: null,
  requests: 2,
  counts: null,
});

/** Run 12's mappings in the engine's order (by company name): Globex's failed. */
const PARTIAL_COMPANIES: RunCompanyRow[] = [
  runCompanyRowWith({
    companyId: 1,
    companyName: "Acme",
    orgId: 100,
    truncated: true,
    created: 3,
    updated: 40,
    unchanged: 200,
    stale: 2,
    retiredDuplicates: 1,
    skippedPending: 4,
  }),
  runCompanyRowWith({ companyId: 2, companyName: "Globex", orgId: 200, error: FIX }),
  runCompanyRowWith({ companyId: 9, companyName: null, orgId: 300, unchanged: 5 }),
];

async function openHistory(
  handlers: Handlers = {},
  runs: RunRow[] = [PARTIAL, MANUAL, DISCOVERY],
  route = "/history",
) {
  const calls = mockEngine({
    runs: () => runs,
    companies: () => COMPANIES,
    run_companies: () => [],
    audit_events: () => [],
    ...handlers,
  });
  startAt(route);
  render(<App />);
  await screen.findByRole("heading", { level: 1, name: "Sync history & audit" });
  return calls;
}

function cells(row: HTMLElement): string[] {
  return Array.from(row.children).map((cell) => cell.textContent ?? "");
}

function runRow(started: string): HTMLElement {
  return screen.getByRole("rowheader", { name: formatShortTimestamp(started) }).closest("tr")!;
}

/** Opens a run's details from its row and returns them. */
async function openRun(
  user: ReturnType<typeof userEvent.setup>,
  started: string,
  id: number,
): Promise<HTMLElement> {
  const toggle = within(runRow(started)).getByRole("button", {
    name: new RegExp(`Show details of run ${id} `),
  });
  await user.click(toggle);
  return document.getElementById(toggle.getAttribute("aria-controls")!)!;
}

describe("Sync history", () => {
  it("cancels a sync in progress from its row, and offers no cancel for other kinds", async () => {
    const user = userEvent.setup();
    const running = runRowWith({
      id: 12,
      scope: "all",
      status: "running",
      startedAt: "2025-11-21T09:15:00Z",
      endedAt: null,
    });
    const calls = await openHistory({ cancel_run: () => "running" }, [running, DISCOVERY]);
    const name = `Cancel run 12 started ${formatShortTimestamp("2025-11-21T09:15:00Z")}`;
    await user.click(await screen.findByRole("button", { name }));
    expect(calls.filter((call) => call.cmd === "cancel_run")).toEqual([
      { cmd: "cancel_run", args: { runId: 12 } },
    ]);
    expect(screen.getByRole("button", { name })).toHaveTextContent("Cancelling…");
    expect(
      within(runRow("2025-11-21T06:00:00Z")).queryByRole("button", { name: /Cancel/ }),
    ).toBeNull();
  });

  it("lists runs newest first with kind, trigger, scope, status, times, requests and changes", async () => {
    await openHistory();
    const table = await screen.findByRole("table", { name: "Runs, newest first" });

    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map(cells)).toEqual([
      [
        "▸",
        formatShortTimestamp("2025-11-21T08:15:00Z"),
        "Asset sync",
        "Schedule",
        "All companies",
        "PartialTruncated",
        formatShortTimestamp("2025-11-21T08:16:30Z"),
        "31",
        "3 created, 40 updated, 2 stale, 1 retired duplicate, 4 skipped (pending) · 1 error",
      ],
      [
        "▸",
        formatShortTimestamp("2025-11-21T07:00:00Z"),
        "Asset sync",
        "Manual",
        "Globex",
        "Succeeded",
        formatShortTimestamp("2025-11-21T07:00:05Z"),
        "4",
        "No changes",
      ],
      [
        "▸",
        formatShortTimestamp("2025-11-21T06:00:00Z"),
        "Discovery",
        "Start-up",
        "MSP",
        "Running",
        "—",
        "2",
        "—",
      ],
    ]);
    expect(within(rows[1]!).getByRole("link", { name: "Globex" })).toHaveAttribute(
      "href",
      "#/companies/2",
    );
  });

  it("shows a run's totals and truncation in its details", async () => {
    const user = userEvent.setup();
    await openHistory({ run_companies: () => PARTIAL_COMPANIES });
    await screen.findByRole("table", { name: "Runs, newest first" });
    const row = runRow("2025-11-21T08:15:00Z");
    const toggle = within(row).getByRole("button", { name: /Show details of run 12/ });
    expect(toggle).toHaveAttribute("aria-expanded", "false");

    await user.click(toggle);

    expect(toggle).toHaveAttribute("aria-expanded", "true");
    const details = document.getElementById(toggle.getAttribute("aria-controls")!)!;
    expect(
      within(details)
        .getAllByRole("term")
        .map((term) => `${term.textContent}: ${term.nextElementSibling?.textContent}`),
    ).toEqual([
      "Created: 3",
      "Updated: 40",
      "Unchanged: 200",
      "Stale: 2",
      "Retired duplicates: 1",
      "Skipped (pending): 4",
      "Skipped (rejected): 0",
      "Unreadable (kept): 0",
    ]);
    expect(within(details).getByText(/only the first are included/)).toBeVisible();
    await within(details).findByRole("table", { name: "Run 12 per company and organization" });

    await user.click(within(row).getByRole("button", { name: /Hide details of run 12/ }));
    expect(document.getElementById(toggle.getAttribute("aria-controls")!)).toBeNull();
  });

  it("shows an opened sync per company, failed first with the fix, truncated marked", async () => {
    const user = userEvent.setup();
    const calls = await openHistory({ run_companies: () => PARTIAL_COMPANIES });
    await screen.findByRole("table", { name: "Runs, newest first" });
    // Asked for only when a run is opened, not for every row of the list.
    expect(calls.filter((call) => call.cmd === "run_companies")).toEqual([]);

    const details = await openRun(user, "2025-11-21T08:15:00Z", 12);

    const table = await within(details).findByRole("table", {
      name: "Run 12 per company and organization",
    });
    expect(calls.filter((call) => call.cmd === "run_companies")).toEqual([
      { cmd: "run_companies", args: { runId: 12 } },
    ]);
    expect(
      within(table)
        .getAllByRole("columnheader")
        .map((header) => header.textContent),
    ).toEqual([
      "Company",
      "NinjaOne organization",
      "Created",
      "Updated",
      "Unchanged",
      "Stale",
      "Retired duplicates",
      "Skipped (pending)",
      "Skipped (rejected)",
      "Unreadable (kept)",
    ]);
    expect(within(table).getAllByRole("row").slice(1).map(cells)).toEqual([
      ["GlobexFailed", "200", "0", "0", "0", "0", "0", "0", "0", "0"],
      [`Globex, organization 200: ${FIX}`],
      ["AcmeTruncated", "100", "3", "40", "200", "2", "1", "4", "0", "0"],
      ["Company 9 (removed)", "300", "0", "0", "5", "0", "0", "0", "0", "0"],
    ]);
    expect(within(details).getByText(/1 failed, listed first/)).toBeVisible();
    expect(within(table).getByText(FIX)).toBeVisible();
    expect(within(table).getByRole("link", { name: "Globex" })).toHaveAttribute(
      "href",
      "#/companies/2",
    );
    expect(within(table).getByRole("link", { name: "Acme" })).toHaveAttribute(
      "href",
      "#/companies/1",
    );
    expect(within(table).queryByRole("link", { name: /Company 9/ })).toBeNull();
    // The run's own error list would say the same again.
    expect(within(details).queryByText("Errors, each with what to do")).toBeNull();
  });

  it("shows a loading state while an opened run's companies load", async () => {
    const user = userEvent.setup();
    let answer: (rows: RunCompanyRow[]) => void = () => undefined;
    await openHistory({
      run_companies: () =>
        new Promise<RunCompanyRow[]>((resolve) => {
          answer = resolve;
        }),
    });
    await screen.findByRole("table", { name: "Runs, newest first" });

    const details = await openRun(user, "2025-11-21T08:15:00Z", 12);

    expect(
      within(details).getByRole("progressbar", { name: "Loading run 12 per company" }),
    ).toBeInTheDocument();
    await act(() => Promise.resolve(answer(PARTIAL_COMPANIES)));
    expect(
      await within(details).findByRole("table", { name: "Run 12 per company and organization" }),
    ).toBeVisible();
    expect(within(details).queryByRole("progressbar")).toBeNull();
  });

  it("says when an opened run's companies cannot be loaded, keeping the run's errors", async () => {
    const user = userEvent.setup();
    let fail = true;
    await openHistory({
      run_companies: () =>
        fail ? rejectWith({ kind: "store", message: "The store is locked." }) : PARTIAL_COMPANIES,
    });
    await screen.findByRole("table", { name: "Runs, newest first" });

    const details = await openRun(user, "2025-11-21T08:15:00Z", 12);

    expect(await within(details).findByRole("alert")).toHaveTextContent(
      "The run's results per company could not be loaded. The store is locked.",
    );
    expect(within(details).getByText("Errors, each with what to do")).toBeVisible();
    expect(within(details).getByRole("listitem")).toHaveTextContent(FIX);

    fail = false;
    await user.click(within(details).getByRole("button", { name: "Try again" }));
    expect(
      await within(details).findByRole("table", { name: "Run 12 per company and organization" }),
    ).toBeVisible();
    expect(within(details).queryByRole("alert")).toBeNull();
  });

  it("asks again for an opened run's companies once it has finished", async () => {
    const running = runRowWith({ id: 12, status: "running", endedAt: null });
    let runs = [running];
    let parts = PARTIAL_COMPANIES.slice(0, 1);
    const calls = await openHistory(
      { runs: () => runs, run_companies: () => parts },
      undefined,
      "/history?run=12",
    );
    const table = await screen.findByRole("table", {
      name: "Run 12 per company and organization",
    });
    expect(within(table).getAllByRole("row")).toHaveLength(2);

    runs = [{ ...PARTIAL, startedAt: running.startedAt }];
    parts = PARTIAL_COMPANIES;
    await emitEngine({ type: "syncFinished", runId: 12, status: "partial" });

    expect(await screen.findByText(/1 failed, listed first/)).toBeVisible();
    expect(calls.filter((call) => call.cmd === "run_companies")).toHaveLength(2);
  });

  it("says in plain words how many items NinjaOne sent could not be read", async () => {
    const user = userEvent.setup();
    const several = runRowWith({ id: 14, startedAt: "2025-11-21T10:15:00Z", malformedItems: 3 });
    const one = runRowWith({ id: 15, startedAt: "2025-11-21T11:15:00Z", malformedItems: 1 });
    await openHistory({}, [one, several, MANUAL]);
    await screen.findByRole("table", { name: "Runs, newest first" });

    expect(
      within(await openRun(user, "2025-11-21T10:15:00Z", 14)).getByText(
        "3 items NinjaOne sent could not be read and were skipped.",
      ),
    ).toBeVisible();
    expect(
      within(await openRun(user, "2025-11-21T11:15:00Z", 15)).getByText(
        "1 item NinjaOne sent could not be read and was skipped.",
      ),
    ).toBeVisible();
    expect(
      within(await openRun(user, "2025-11-21T07:00:00Z", 11)).queryByText(/could not be read/),
    ).toBeNull();
  });

  it("shows a compliance sweep's tenants, tickets and requests per report", async () => {
    const user = userEvent.setup();
    const SWEEP = runRowWith({
      id: 13,
      kind: "sweep",
      startedAt: "2025-11-21T09:30:00Z",
      endedAt: "2025-11-21T09:30:04Z",
      requests: 9,
      counts: null,
      sweep: {
        companies: 3,
        signals: 15,
        evidence: 30,
        dryRunCompanies: 1,
        ticketsOpened: 2,
        ticketsUpdated: 1,
        ticketsClosed: 0,
        requestsByReport: { "queries/volumes": 2, activities: 3 },
      },
    });
    const calls = await openHistory({}, [SWEEP, PARTIAL]);
    await screen.findByRole("table", { name: "Runs, newest first" });
    const row = runRow("2025-11-21T09:30:00Z");
    expect(row).toHaveTextContent("3 tenants, 15 signals, 2 tickets opened, 1 updated, 1 dry run");
    await user.click(within(row).getByRole("button", { name: /Show details of run 13/ }));
    const toggle = within(row).getByRole("button", { name: /Hide details of run 13/ });
    const details = document.getElementById(toggle.getAttribute("aria-controls")!)!;
    expect(within(details).getByText("Evidence rows").nextElementSibling).toHaveTextContent("30");
    expect(within(details).getByText("queries/volumes").parentElement).toHaveTextContent(
      "queries/volumes: 2",
    );
    expect(within(details).getByText("No errors.")).toBeVisible();
    // Only a sync run has companies to ask for.
    expect(calls.filter((call) => call.cmd === "run_companies")).toEqual([]);
  });

  it("opens the run named in the address, as the asset history links to it", async () => {
    await openHistory({}, undefined, "/history?run=11");
    await screen.findByRole("table", { name: "Runs, newest first" });

    const row = runRow("2025-11-21T07:00:00Z");
    expect(within(row).getByRole("button", { name: /Hide details of run 11/ })).toHaveAttribute(
      "aria-expanded",
      "true",
    );
    expect(await screen.findByText("No errors.")).toBeVisible();
  });

  it("shows a run that finishes while the page is open", async () => {
    let runs = [MANUAL];
    await openHistory({ runs: () => runs });
    await screen.findByRole("table", { name: "Runs, newest first" });

    runs = [PARTIAL, MANUAL];
    await emitEngine({ type: "syncFinished", runId: 12, status: "partial" });

    expect(
      await screen.findByRole("rowheader", { name: formatShortTimestamp("2025-11-21T08:15:00Z") }),
    ).toBeVisible();
  });

  it("says when nothing has run yet", async () => {
    await openHistory({}, []);
    expect(
      await screen.findByText(
        "No runs yet. Syncs, sweeps and discoveries appear here as they run.",
      ),
    ).toBeVisible();
  });

  it("shows the engine's message when the runs cannot be loaded", async () => {
    await openHistory({
      runs: () => rejectWith({ kind: "store", message: "The store is locked." }),
    });
    expect(await screen.findByRole("alert")).toHaveTextContent("The store is locked.");
  });
});

describe("Audit log", () => {
  const EVENTS = [
    auditEventWith({
      at: "2025-11-21T09:00:00Z",
      scope: "tenant:ct_41c07e",
      action: "COMPLIANCE_TENANT_CREATED",
      detail: "ct_41c07e",
    }),
    auditEventWith({
      at: "2025-11-20T09:05:00Z",
      scope: "company:1",
      action: "ORGANIZATION_MAPPED",
      detail: "Acme Ltd (100) → Acme",
    }),
    auditEventWith({
      at: "2025-11-20T09:00:00Z",
      scope: "msp",
      action: "CONNECTION_SAVED",
      detail: "Contoso US",
    }),
  ];

  it("shows the audit trail in its tab with readable actions and scopes", async () => {
    const user = userEvent.setup();
    const calls = await openHistory({ audit_events: () => EVENTS });

    await user.click(screen.getByRole("tab", { name: "Audit log" }));

    expect(screen.getByRole("tab", { name: "Audit log" })).toHaveAttribute("aria-selected", "true");
    const table = await screen.findByRole("table", { name: "Audit log, newest first" });
    expect(within(table).getAllByRole("row").slice(1).map(cells)).toEqual([
      [
        formatShortTimestamp("2025-11-21T09:00:00Z"),
        "Compliance tenant created",
        "Acme (compliance tenant)",
        "ct_41c07e",
      ],
      [
        formatShortTimestamp("2025-11-20T09:05:00Z"),
        "Organization mapped",
        "Acme",
        "Acme Ltd (100) → Acme",
      ],
      [formatShortTimestamp("2025-11-20T09:00:00Z"), "Connection saved", "MSP", "Contoso US"],
    ]);
    expect(screen.getByRole("tabpanel")).toContainElement(table);
    expect(calls.filter((call) => call.cmd === "audit_events")).toEqual([
      { cmd: "audit_events", args: { companyId: null } },
    ]);
  });

  it("shows one company's audit trail through the engine's filter", async () => {
    const user = userEvent.setup();
    const calls = await openHistory(
      { audit_events: (args) => (args.companyId === 1 ? [EVENTS[1]] : EVENTS) },
      undefined,
      "/history?tab=audit",
    );
    await screen.findByRole("table", { name: "Audit log, newest first" });

    await user.selectOptions(screen.getByRole("combobox", { name: "Company" }), "Acme");

    const table = await screen.findByRole("table", { name: "Audit log, newest first" });
    expect(within(table).getAllByRole("row")).toHaveLength(2);
    expect(within(table).getByText("Organization mapped")).toBeVisible();
    expect(calls.filter((call) => call.cmd === "audit_events").map((call) => call.args)).toEqual([
      { companyId: null },
      { companyId: 1 },
    ]);
  });

  it("moves between the tabs with the arrow keys", async () => {
    const user = userEvent.setup();
    await openHistory();
    const runs = screen.getByRole("tab", { name: "Runs" });
    expect(runs).toHaveAttribute("aria-selected", "true");

    runs.focus();
    await user.keyboard("{ArrowRight}");

    const audit = screen.getByRole("tab", { name: "Audit log" });
    expect(audit).toHaveFocus();
    expect(audit).toHaveAttribute("aria-selected", "true");
    expect(await screen.findByText("Nothing recorded yet.")).toBeVisible();

    await user.keyboard("{ArrowLeft}");
    expect(runs).toHaveFocus();
    expect(await screen.findByRole("table", { name: "Runs, newest first" })).toBeVisible();
  });
});
