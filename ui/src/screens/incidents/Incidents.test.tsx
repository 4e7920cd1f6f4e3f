import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { App } from "../../App";
import type { Incident } from "../../bindings/Incident";
import type { StatusFilter } from "../../bindings/StatusFilter";
import { deferred, emitEngine, mockEngine, rejectWith, startAt } from "../../test/engine";
import { companyWith, incidentWith, pollRunWith } from "../../test/fixtures";

type Handlers = Parameters<typeof mockEngine>[0];

const DISK = incidentWith();
const CPU = incidentWith({
  id: 2,
  companyId: 8,
  companyName: "Contoso",
  title: "CPU above 90% for 15 minutes",
  severity: "medium",
  count: 1,
  deviceName: "NW-WS17",
  assetId: null,
  acknowledgedAt: "2025-11-21T09:40:00Z",
});
const RESOLVED = incidentWith({
  id: 3,
  title: "Backup failed",
  status: "resolved",
  resolution: "reset",
  resolvedAt: "2025-11-21T10:00:00Z",
});

function byStatus(open: Incident[], resolved: Incident[] = [RESOLVED]) {
  return ({ status }: Record<string, unknown>) => {
    const s = status as StatusFilter;
    return s === "open" ? open : s === "resolved" ? resolved : [...open, ...resolved];
  };
}

const COMPANIES = [
  companyWith({ id: 7, name: "Northwind Traders" }),
  companyWith({ id: 8, name: "Contoso" }),
  companyWith({ id: 9, name: "Initech" }),
];

async function openIncidents(handlers: Handlers = {}) {
  const calls = mockEngine({
    incidents: byStatus([DISK, CPU]),
    companies: () => COMPANIES,
    ...handlers,
  });
  startAt("/incidents");
  render(<App />);
  await screen.findByRole("heading", { level: 1, name: "Incidents" });
  return calls;
}

function row(title: string): HTMLElement {
  return screen.getByRole("rowheader", { name: new RegExp(title) }).closest("tr")!;
}

describe("Incidents", () => {
  it("lists open incidents with severity, count, company and a link to the device's asset", async () => {
    await openIncidents();
    await screen.findByRole("table");
    const disk = within(row("Disk C: is 95% full"));
    expect(disk.getByText("High")).toBeInTheDocument();
    expect(disk.getByText("3")).toBeInTheDocument();
    expect(disk.getByText("Northwind Traders")).toBeInTheDocument();
    expect(disk.getByRole("link", { name: "NW-FS01" })).toHaveAttribute("href", "#/assets/42");
    // A device without a synced asset is named, not linked.
    const cpu = within(row("CPU above 90%"));
    expect(cpu.getByText("NW-WS17")).toBeInTheDocument();
    expect(cpu.queryByRole("link")).toBeNull();
    expect(cpu.getByText("Acknowledged")).toBeInTheDocument();
    expect(screen.queryByText("Backup failed")).toBeNull();
  });

  it("shows resolved incidents with how they resolved when the status filter changes", async () => {
    const user = userEvent.setup();
    const calls = await openIncidents();
    await screen.findByRole("table");
    await user.selectOptions(screen.getByLabelText("Status"), "resolved");
    expect(await screen.findByText("Backup failed")).toBeInTheDocument();
    expect(screen.getByText("NinjaOne reset the condition")).toBeInTheDocument();
    expect(screen.queryByText("Disk C: is 95% full")).toBeNull();
    expect(calls.filter((c) => c.cmd === "incidents").map((c) => c.args.status)).toEqual([
      "open",
      "resolved",
    ]);
  });

  it("filters by severity and says how to see the rest when none match", async () => {
    const user = userEvent.setup();
    await openIncidents();
    await screen.findByRole("table");
    await user.selectOptions(screen.getByLabelText("Severity"), "medium");
    expect(screen.getByText("CPU above 90% for 15 minutes")).toBeInTheDocument();
    expect(screen.queryByText("Disk C: is 95% full")).toBeNull();
    await user.selectOptions(screen.getByLabelText("Severity"), "critical");
    expect(
      screen.getByText(/Choose “Any severity” to see the other 2 incidents/),
    ).toBeInTheDocument();
  });

  it("filters by company, incidents of no company included, and says how to see the rest", async () => {
    const user = userEvent.setup();
    const UNMAPPED = incidentWith({
      id: 4,
      title: "Agent offline",
      companyId: null,
      companyName: null,
    });
    const calls = await openIncidents({ incidents: byStatus([DISK, CPU, UNMAPPED]) });
    await screen.findByRole("table");
    const filter = screen.getByRole("combobox", { name: "Company" });
    await waitFor(() =>
      expect(
        within(filter)
          .getAllByRole("option")
          .map((o) => o.textContent),
      ).toEqual(["Any company", "Contoso", "Initech", "Northwind Traders", "No company"]),
    );

    await user.selectOptions(filter, "Contoso");
    expect(screen.getByText("CPU above 90% for 15 minutes")).toBeInTheDocument();
    expect(screen.queryByText("Disk C: is 95% full")).toBeNull();
    expect(screen.queryByText("Agent offline")).toBeNull();

    await user.selectOptions(filter, "No company");
    expect(screen.getByText("Agent offline")).toBeInTheDocument();
    expect(screen.queryByText("CPU above 90% for 15 minutes")).toBeNull();

    await user.selectOptions(filter, "Initech");
    expect(
      screen.getByText(
        "No open incidents of Initech. Choose “Any company” to see the other 3 incidents.",
      ),
    ).toBeInTheDocument();

    // Both filters at once: each one not at "Any" is named.
    await user.selectOptions(filter, "Northwind Traders");
    await user.selectOptions(screen.getByLabelText("Severity"), "low");
    expect(
      screen.getByText(
        "No open incidents of Northwind Traders are Low. Choose “Any severity” and “Any company” to see the other 3 incidents.",
      ),
    ).toBeInTheDocument();
    await user.selectOptions(filter, "Any company");
    await user.selectOptions(screen.getByLabelText("Severity"), "");
    expect(screen.getByText("Disk C: is 95% full")).toBeInTheDocument();
    // The screen filters by company itself: the engine was asked for open incidents once.
    expect(calls.filter((c) => c.cmd === "incidents")).toHaveLength(1);
    expect(calls.filter((c) => c.cmd === "companies")).toHaveLength(1);
  });

  it("says what to do when there are no incidents", async () => {
    await openIncidents({ incidents: () => [] });
    const empty = (await screen.findByText(/Nothing expected\?/)).closest("div")!;
    expect(empty).toHaveTextContent("No open incidents.");
    expect(within(empty).getByRole("link", { name: "Organizations" })).toHaveAttribute(
      "href",
      "#/organizations",
    );
  });

  it("shows the engine's message when loading fails, and loads again on Try again", async () => {
    const user = userEvent.setup();
    let fail = true;
    await openIncidents({
      incidents: (args) =>
        fail
          ? rejectWith({
              kind: "store",
              message: "The store could not be read. Restart Fleetward.",
            })
          : byStatus([DISK])(args),
    });
    expect(await screen.findByRole("alert")).toHaveTextContent("The store could not be read.");
    fail = false;
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(await screen.findByText("Disk C: is 95% full")).toBeInTheDocument();
  });

  it("acknowledges an incident and shows it acknowledged", async () => {
    const user = userEvent.setup();
    const calls = await openIncidents({
      acknowledge_incident: () => ({ ...DISK, acknowledgedAt: "2025-11-21T10:00:00Z" }),
    });
    await screen.findByRole("table");
    await user.click(screen.getByRole("button", { name: "Acknowledge Disk C: is 95% full" }));
    expect(await within(row("Disk C:")).findByText("Acknowledged")).toBeInTheDocument();
    expect(calls.find((c) => c.cmd === "acknowledge_incident")?.args).toEqual({ incidentId: 1 });
  });

  it("resolves an incident by hand: it leaves the open list", async () => {
    const user = userEvent.setup();
    const answer = deferred<Incident>();
    await openIncidents({ resolve_incident: () => answer.promise });
    await screen.findByRole("table");
    await user.click(screen.getByRole("button", { name: "Resolve Disk C: is 95% full" }));
    expect(screen.getByRole("button", { name: "Resolve Disk C: is 95% full" })).toHaveTextContent(
      "Resolving…",
    );
    answer.resolve({ ...DISK, status: "resolved", resolution: "manual" });
    await waitFor(() => expect(screen.queryByText("Disk C: is 95% full")).toBeNull());
    expect(screen.getByText("CPU above 90% for 15 minutes")).toBeInTheDocument();
  });

  it("says why a resolve failed next to the incident", async () => {
    const user = userEvent.setup();
    await openIncidents({
      resolve_incident: () =>
        rejectWith({ kind: "notFound", message: "There is no incident 1. Refresh the list." }),
    });
    await screen.findByRole("table");
    await user.click(screen.getByRole("button", { name: "Resolve Disk C: is 95% full" }));
    expect(await within(row("Disk C:")).findByRole("alert")).toHaveTextContent(
      "There is no incident 1.",
    );
  });

  it("refreshes when the engine says incidents changed", async () => {
    let open = [DISK];
    await openIncidents({ incidents: (args) => byStatus(open)(args) });
    await screen.findByText("Disk C: is 95% full");
    open = [DISK, CPU];
    await emitEngine({
      type: "incidentsChanged",
      tally: { open: 2, openHighOrCritical: 1, attention: true },
    });
    expect(await screen.findByText("CPU above 90% for 15 minutes")).toBeInTheDocument();
  });

  it("polls now and says what the poll did, or why it could not run", async () => {
    const user = userEvent.setup();
    let fail = false;
    await openIncidents({
      poll_now: () =>
        fail
          ? rejectWith({
              kind: "invalidInput",
              message:
                "No NinjaOne organization is mapped to a company yet. Map organizations first.",
            })
          : pollRunWith({
              connections: [
                {
                  connectionId: 1,
                  firstPoll: false,
                  watermark: 9001,
                  received: 4,
                  duplicates: 0,
                  opened: 2,
                  reopened: 0,
                  repeated: 1,
                  resolved: 1,
                  ignored: 0,
                  informational: 0,
                  droppedUnmapped: 0,
                  droppedIgnored: 0,
                  unplaced: 0,
                  tickets: 0,
                  seeded: 0,
                  reconciled: 0,
                  error: null,
                },
              ],
            }),
    });
    await screen.findByRole("table");
    await user.click(screen.getByRole("button", { name: "Poll now" }));
    expect(
      await screen.findByText(/2 incidents opened or reopened, 1 resolved/),
    ).toBeInTheDocument();
    fail = true;
    await user.click(screen.getByRole("button", { name: "Poll now" }));
    expect(await screen.findByText(/No NinjaOne organization is mapped/)).toBeInTheDocument();
  });
});
