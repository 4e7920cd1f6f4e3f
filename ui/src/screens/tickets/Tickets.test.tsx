import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { App } from "../../App";
import type { Ticket } from "../../bindings/Ticket";
import { formatShortTimestamp } from "../../format";
import {
  captureDownloads,
  deferred,
  emitEngine,
  mockEngine,
  rejectWith,
  startAt,
} from "../../test/engine";
import { ticketWith } from "../../test/fixtures";

type Handlers = Parameters<typeof mockEngine>[0];

const DISK = ticketWith({ id: 1 });
const PATCH = ticketWith({
  id: 2,
  companyId: 2,
  companyName: "Globex",
  signal: "patch_sla",
  priority: "normal",
  signalStatus: "warn",
  title: "Globex: patch SLA warns",
  detail: "3 critical or important patches outstanding on 2 of 40 devices",
  openedAt: "2025-11-20T06:30:00Z",
  updatedAt: "2025-11-21T18:30:00Z",
});
const CLOSED = ticketWith({
  id: 3,
  status: "closed",
  signal: "backup_activity",
  priority: "normal",
  signalStatus: "pass",
  title: "Acme: backup activity warns",
  closedAt: "2025-11-21T12:30:00Z",
});

function byStatus(status: unknown): Ticket[] {
  const all = [DISK, PATCH, CLOSED];
  return status === null ? all : all.filter((t) => t.status === status);
}

function openTickets(handlers: Handlers = {}) {
  const calls = mockEngine({ tickets: (args) => byStatus(args.status), ...handlers });
  startAt("/tickets");
  render(<App />);
  return calls;
}

function cellsOf(row: HTMLElement): string[] {
  return Array.from(row.children).map((cell) => cell.textContent ?? "");
}

describe("Tickets", () => {
  it("lists open tickets first with priority, signal, company and dates", async () => {
    const list = deferred<Ticket[]>();
    const calls = openTickets({ tickets: () => list.promise });
    expect(await screen.findByRole("progressbar", { name: "Loading tickets" })).toBeVisible();
    list.resolve([PATCH, DISK]);
    const table = await screen.findByRole("table");
    const rows = within(table).getAllByRole("row").slice(1);
    // High priority before normal.
    expect(cellsOf(rows[0] as HTMLElement)).toEqual([
      "#1 Acme: disk encryption fails",
      "High",
      "Open",
      "Acme",
      "Disk encryption Fail",
      "15 of 20 volumes encrypted (75.0 %)",
      formatShortTimestamp(DISK.openedAt),
      formatShortTimestamp(DISK.updatedAt),
    ]);
    expect(cellsOf(rows[1] as HTMLElement).slice(1, 5)).toEqual([
      "Normal",
      "Open",
      "Globex",
      "Patch SLA Warn",
    ]);
    expect(within(rows[1] as HTMLElement).getByRole("link", { name: "Globex" })).toHaveAttribute(
      "href",
      "#/compliance?company=2",
    );
    expect(screen.getByText("2 tickets")).toBeVisible();
    expect(calls).toContainEqual({ cmd: "tickets", args: { status: "open" } });
  });

  it("filters by closed and all", async () => {
    const user = userEvent.setup();
    const calls = openTickets();
    await screen.findByRole("table");
    const filter = screen.getByRole("combobox", { name: "Status" });
    await user.selectOptions(filter, "closed");
    expect(await screen.findByText("1 ticket")).toBeVisible();
    const closed = screen.getByText("#3").closest("tr") as HTMLElement;
    expect(closed).toHaveTextContent("Closed");
    expect(closed).toHaveTextContent(formatShortTimestamp("2025-11-21T12:30:00Z"));
    await user.selectOptions(filter, "all");
    expect(await screen.findByText("3 tickets")).toBeVisible();
    expect(calls.filter((c) => c.cmd === "tickets").map((c) => c.args.status)).toEqual([
      "open",
      "closed",
      null,
    ]);
  });

  it("explains where tickets come from when there is none", async () => {
    openTickets({ tickets: () => [] });
    expect(await screen.findByText(/No open ticket/)).toBeVisible();
    expect(screen.getByText(/first sweep of a connection is a dry run/)).toBeVisible();
  });

  it("says what failed and lets the user try again", async () => {
    const user = userEvent.setup();
    let fail = true;
    openTickets({
      tickets: (args) =>
        fail
          ? rejectWith({ kind: "store", message: "The store is locked." })
          : byStatus(args.status),
    });
    expect(await screen.findByRole("alert")).toHaveTextContent("The store is locked.");
    fail = false;
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByText("2 tickets")).toBeVisible();
  });

  it("shows the tickets a sweep opened without a reload", async () => {
    let rows: Ticket[] = [];
    openTickets({ tickets: () => rows });
    await screen.findByText(/No open ticket/);
    rows = [DISK];
    await emitEngine({ type: "sweepFinished", runId: 40, status: "succeeded" });
    expect(await screen.findByText("1 ticket")).toBeVisible();
  });

  it("exports the shown tickets as CSV and JSON for a PSA", async () => {
    const user = userEvent.setup();
    const downloads = captureDownloads();
    const calls = openTickets({
      export_tickets: (args) => (args.format === "csv" ? "id,companyId\n1,1\n" : "[]"),
    });
    await screen.findByRole("table");
    await user.click(screen.getByRole("button", { name: "Export open tickets as CSV" }));
    expect(
      await screen.findByRole("link", { name: /fleetward-tickets-open-.*\.csv/ }),
    ).toBeVisible();
    await user.selectOptions(screen.getByRole("combobox", { name: "Status" }), "all");
    await user.click(screen.getByRole("button", { name: "Export all tickets as JSON" }));
    expect(
      await screen.findByRole("link", { name: /fleetward-tickets-all-.*\.json/ }),
    ).toBeVisible();

    expect(calls.filter((c) => c.cmd === "export_tickets").map((c) => c.args)).toEqual([
      { status: "open", format: "csv" },
      { status: null, format: "json" },
    ]);
    expect(downloads.map((d) => d.name.replace(/\d{4}-\d{2}-\d{2}/, "DAY"))).toEqual([
      "fleetward-tickets-open-DAY.csv",
      "fleetward-tickets-all-DAY.json",
    ]);
    await expect(downloads[0]?.blob.text()).resolves.toBe("id,companyId\n1,1\n");
  });
});
