import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { App } from "../../App";
import type { SignalRow } from "../../bindings/SignalRow";
import type { SweepRun } from "../../bindings/SweepRun";
import {
  captureDownloads,
  deferred,
  emitEngine,
  mockEngine,
  rejectWith,
  startAt,
} from "../../test/engine";
import {
  companyWith,
  evidenceWith,
  fiveSignals,
  signalWith,
  sweepRunWith,
} from "../../test/fixtures";

type Handlers = Parameters<typeof mockEngine>[0];

const ACME = companyWith({ id: 1, name: "Acme", complianceTenantId: "ct_acme" });
const GLOBEX = companyWith({ id: 2, name: "Globex", complianceTenantId: "ct_globex" });
const INITECH = companyWith({ id: 3, name: "Initech", complianceTenantId: "ct_initech" });
const PLAIN = companyWith({ id: 4, name: "Umbrella" });

// Acme passes everything; Globex fails disk encryption and warns on patches; Initech's
// antivirus evidence has expired.
const SIGNALS: SignalRow[] = [
  ...fiveSignals({ companyId: 1, complianceTenantId: "ct_acme" }),
  ...fiveSignals(
    { companyId: 2, complianceTenantId: "ct_globex" },
    { disk_encryption: "fail", patch_sla: "warn" },
  ),
  ...fiveSignals({ companyId: 3, complianceTenantId: "ct_initech" }).map((row) =>
    row.signal === "antivirus_posture"
      ? { ...row, expired: true, expiresAt: "2025-11-20T06:30:00Z" }
      : row,
  ),
];

function history(companyId: number, percents: number[]): SignalRow[] {
  return percents.flatMap((percent, i) =>
    fiveSignals({
      companyId,
      collectedAt: `2025-11-2${i}T06:30:00Z`,
      expiresAt: `2025-11-2${i + 7}T06:30:00Z`,
    }).map((row) =>
      row.signal === "disk_encryption"
        ? {
            ...row,
            status: percent >= 95 ? "pass" : percent >= 80 ? "warn" : "fail",
            metadata: {
              ...(row.metadata as object),
              percentEncrypted: percent,
            } as SignalRow["metadata"],
          }
        : row,
    ),
  );
}

function openDashboard(handlers: Handlers = {}, route = "/compliance") {
  const calls = mockEngine({
    companies: () => [ACME, GLOBEX, INITECH, PLAIN],
    signals: () => SIGNALS,
    signal_history: (args) => history(args.companyId as number, [60, 70, 75]),
    evidence: () => [
      evidenceWith({ id: 1, control: "IC-024", signal: "disk_encryption", status: "fail" }),
      evidenceWith({ id: 2, control: "IC-052", signal: "disk_encryption", status: "fail" }),
      evidenceWith({
        id: 3,
        control: "IC-013",
        signal: "antivirus_posture",
        status: "pass",
        expired: true,
        summary: "18 of 20 devices protected and current",
      }),
      evidenceWith({
        id: 4,
        control: "IC-024",
        status: "pass",
        collectedAt: "2025-11-14T06:30:00Z",
        summary: "20 of 20 volumes encrypted (100.0 %)",
      }),
    ],
    ...handlers,
  });
  startAt(route);
  render(<App />);
  return calls;
}

function grid() {
  return screen.getByRole("table", { name: /Compliance tenants and their five signals/ });
}

function companyOrder(): string[] {
  return within(grid())
    .getAllByRole("rowheader")
    .map((cell) => cell.textContent ?? "");
}

describe("Compliance dashboard", () => {
  it("shows a spinner while loading, then the tenants worst first", async () => {
    const signals = deferred<SignalRow[]>();
    openDashboard({ signals: () => signals.promise });
    expect(
      await screen.findByRole("progressbar", { name: "Loading compliance signals" }),
    ).toBeVisible();
    signals.resolve(SIGNALS);
    await screen.findByRole("heading", { name: "Fleet overview" });

    // Globex fails, Initech's evidence expired, Acme passes; Umbrella is no tenant.
    expect(companyOrder()).toEqual(["Globex", "Initech", "Acme"]);
  });

  it("says in colour and words which customer is out of line and why", async () => {
    openDashboard();
    const row = async (name: string) =>
      (await screen.findByText(name, { selector: "button" })).closest("tr") as HTMLElement;
    const globex = await row("Globex");
    expect(within(globex).getByText("Fail")).toHaveClass("badge-danger");
    expect(within(globex).getByText("Warn")).toHaveClass("badge-warning");
    expect(within(globex).getByText("1 fail, 1 warn")).toBeVisible();
    const initech = await row("Initech");
    expect(within(initech).getByText("Expired")).toHaveClass("badge-danger");
    expect(within(initech).getByText("1 expired")).toBeVisible();
    expect(screen.getByText(/2 of 3 tenants need attention/)).toBeVisible();
  });

  it("sorts by name or by one signal", async () => {
    const user = userEvent.setup();
    openDashboard();
    await screen.findByRole("heading", { name: "Fleet overview" });
    await user.click(within(grid()).getByRole("button", { name: "Company" }));
    expect(companyOrder()).toEqual(["Acme", "Globex", "Initech"]);
    await user.click(within(grid()).getByRole("button", { name: "Antivirus posture" }));
    expect(companyOrder()).toEqual(["Initech", "Globex", "Acme"]);
  });

  it("says what failed and lets the user try again", async () => {
    const user = userEvent.setup();
    let fail = true;
    openDashboard({
      signals: () =>
        fail
          ? rejectWith({ kind: "store", message: "The store is locked. Close the CLI and retry." })
          : SIGNALS,
    });
    expect(await screen.findByRole("alert")).toHaveTextContent("The store is locked.");
    fail = false;
    await user.click(screen.getByRole("button", { name: "Try again" }));
    await screen.findByRole("heading", { name: "Fleet overview" });
  });

  it("explains how to promote a company when there is no compliance tenant", async () => {
    openDashboard({ companies: () => [PLAIN], signals: () => [] });
    expect(await screen.findByText(/No company is a compliance tenant yet/)).toBeVisible();
    expect(screen.getByText("Promote to compliance tenant")).toBeVisible();
    const empty = screen.getByText(/No company is a compliance tenant yet/)
      .parentElement as HTMLElement;
    expect(within(empty).getByRole("link", { name: "Companies" })).toHaveAttribute(
      "href",
      "#/companies",
    );
    expect(screen.queryByRole("button", { name: /Run sweep now/ })).not.toBeInTheDocument();
  });

  it("notes the dry run before the first sweep and shows tenants as not swept", async () => {
    openDashboard({ signals: () => [] });
    const button = await screen.findByRole("button", { name: "Run sweep now for all" });
    expect(button).toHaveAccessibleDescription(/first sweep of each connection is a dry run/);
    expect(within(grid()).getAllByText("No sweep yet")).toHaveLength(3);
  });

  it("shows a company's five cards in plain words, with trends", async () => {
    const user = userEvent.setup();
    const calls = openDashboard();
    await user.click(await screen.findByRole("button", { name: "Show the signals of Globex" }));

    const cards = await screen.findByRole("list", { name: "Signals of Globex" });
    const articles = within(cards).getAllByRole("article");
    expect(articles).toHaveLength(5);
    const disk = within(cards).getByRole("article", { name: "Disk encryption" });
    expect(within(disk).getByText("Fail")).toBeVisible();
    expect(within(disk).getByText("15 of 20 volumes encrypted (75 %).")).toBeVisible();
    expect(
      within(disk).getByText(
        "Not counted: 1 Mac without a FileVault event in 30 days, 2 Linux disks.",
      ),
    ).toBeVisible();
    expect(within(disk).getByText("IC-024, IC-052")).toBeVisible();
    expect(
      await within(disk).findByRole("img", {
        name: "Disk encryption trend. Volumes encrypted over the last 3 sweeps: 60 %, 70 %, 75 %",
      }),
    ).toBeVisible();
    expect(within(cards).getByRole("article", { name: "Backup activity" })).toHaveTextContent(
      "No device had backup activity in the last 7 days.",
    );

    expect(calls).toContainEqual({ cmd: "signal_history", args: { companyId: 2 } });
  });

  it("lists each control's latest evidence with its status", async () => {
    const calls = openDashboard({}, "/compliance?company=2");
    const controls = await screen.findByRole("table", {
      name: "Controls of Globex and their evidence",
    });
    const rows = within(controls).getAllByRole("row").slice(1);
    expect(rows.map((row) => within(row).getByRole("rowheader").textContent)).toEqual([
      "IC-013",
      "IC-024",
      "IC-052",
    ]);
    expect(rows[0]).toHaveTextContent("Expired");
    expect(rows[1]).toHaveTextContent("15 of 20 volumes encrypted (75.0 %)");
    expect(controls).not.toHaveTextContent("100.0 %");
    expect(calls).toContainEqual({ cmd: "evidence", args: { companyId: 2 } });
  });

  it("marks expired evidence as expired, never as current", async () => {
    openDashboard({}, "/compliance?company=3");
    const cards = await screen.findByRole("list", { name: "Signals of Initech" });
    const antivirus = within(cards).getByRole("article", { name: "Antivirus posture" });
    expect(within(antivirus).getByText("Expired", { selector: ".badge" })).toBeVisible();
    expect(within(antivirus).getByText(/this evidence no longer counts/)).toBeVisible();
    expect(within(antivirus).getByText("Pass (no longer current)")).toBeInTheDocument();
    expect(within(antivirus).queryByText("Pass", { selector: ".badge-success" })).toBeNull();
    expect(within(antivirus).getByText("Expired", { selector: "dt" })).toBeVisible();
  });

  it("runs a sweep for all with progress, disabled while it runs, then shows the result", async () => {
    const user = userEvent.setup();
    const run = deferred<SweepRun>();
    let signals = SIGNALS;
    const calls = openDashboard({ sweep: () => run.promise, signals: () => signals });
    const button = await screen.findByRole("button", { name: "Run sweep now for all" });
    await user.click(button);
    expect(button).toBeDisabled();
    expect(button).toHaveTextContent("Sweeping…");
    await emitEngine({
      type: "sweepProgress",
      runId: 31,
      companiesDone: 0,
      companiesTotal: 3,
      pages: 12,
    });
    expect(
      await screen.findByRole("progressbar", { name: "Sweep of all compliance tenants progress" }),
    ).toHaveAttribute("aria-valuetext", "Reading NinjaOne: 12 pages so far");
    await emitEngine({
      type: "sweepProgress",
      runId: 31,
      companiesDone: 1,
      companiesTotal: 3,
      pages: 30,
    });
    expect(
      screen.getByRole("progressbar", { name: "Sweep of all compliance tenants progress" }),
    ).toHaveAttribute("aria-valuetext", "1 of 3 compliance tenants swept");

    signals = SIGNALS.map((row) => (row.companyId === 2 ? { ...row, status: "pass" } : row));
    run.resolve(
      sweepRunWith({
        companies: [
          {
            companyId: 2,
            complianceTenantId: "ct_globex",
            dryRun: true,
            signals: [{ signal: "disk_encryption", status: "fail" }],
            error: null,
          },
          {
            companyId: 3,
            complianceTenantId: "ct_initech",
            dryRun: false,
            signals: [],
            error: "NinjaOne refused the credentials (401). Open Connection and save it again.",
          },
        ],
      }),
    );
    const result = await screen.findByRole("status");
    expect(result).toHaveTextContent("Sweep of 2 compliance tenants finished with 9 requests");
    expect(result).toHaveTextContent("Globex: Disk encryption fail");
    expect(result).toHaveTextContent(
      "Dry run for Globex: signals and evidence were written, no ticket was opened.",
    );
    expect(result).toHaveTextContent("Initech: NinjaOne refused the credentials (401).");
    expect(button).toBeEnabled();
    expect(calls).toContainEqual({ cmd: "sweep", args: { companyId: null } });
    // The grid was asked again: Globex passes now.
    expect(
      await screen.findByText(
        "1 of 3 tenants need attention. Worst first; choose a column to sort by it.",
      ),
    ).toBeVisible();
  });

  it("says politely when a sweep of that tenant is already running", async () => {
    const user = userEvent.setup();
    openDashboard(
      {
        sweep: () =>
          rejectWith({ kind: "alreadyRunning", message: "A sweep of ct_acme is already running." }),
      },
      "/compliance?company=1",
    );
    await user.click(await screen.findByRole("button", { name: "Run sweep now for Acme" }));
    expect(await screen.findByText(/A sweep of Acme is already running/)).toBeVisible();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("shows why a sweep failed", async () => {
    const user = userEvent.setup();
    openDashboard({
      sweep: () =>
        rejectWith({
          kind: "unreachable",
          message: "NinjaOne could not be reached. Check the network and try again.",
        }),
    });
    await user.click(await screen.findByRole("button", { name: "Run sweep now for all" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Sweep of all compliance tenants failed");
    expect(alert).toHaveTextContent("NinjaOne could not be reached.");
  });

  it("reloads when a scheduled sweep finishes", async () => {
    let signals: SignalRow[] = [];
    openDashboard({ signals: () => signals });
    await screen.findByRole("heading", { name: "Fleet overview" });
    expect(within(grid()).getAllByText("No sweep yet")).toHaveLength(3);
    signals = SIGNALS;
    await emitEngine({ type: "sweepFinished", runId: 32, status: "succeeded" });
    expect(await within(grid()).findAllByText("All passing")).toHaveLength(1);
  });

  it("exports a company's evidence as CSV to a file", async () => {
    const user = userEvent.setup();
    const downloads = captureDownloads();
    const calls = openDashboard(
      { export_evidence: () => "id,companyId,control\n1,1,IC-024\n" },
      "/compliance?company=1",
    );
    await user.click(await screen.findByRole("button", { name: "Export evidence of Acme as CSV" }));
    expect(await screen.findByText(/Saved as/)).toBeVisible();
    expect(calls).toContainEqual({ cmd: "export_evidence", args: { companyId: 1, format: "csv" } });
    expect(downloads).toHaveLength(1);
    expect(downloads[0]?.name).toMatch(/^fleetward-evidence-acme-\d{4}-\d{2}-\d{2}\.csv$/);
    await expect(downloads[0]?.blob.text()).resolves.toBe("id,companyId,control\n1,1,IC-024\n");
  });

  it("shows why an export failed", async () => {
    const user = userEvent.setup();
    captureDownloads();
    openDashboard({
      export_evidence: () => rejectWith({ kind: "store", message: "The store could not be read." }),
    });
    await user.click(
      await screen.findByRole("button", { name: "Export evidence of every tenant as JSON" }),
    );
    expect(await screen.findByRole("alert")).toHaveTextContent("The store could not be read.");
  });

  it("charts a signal's trend with a dot per sweep coloured by that sweep's status", async () => {
    openDashboard(
      { signal_history: (args) => history(args.companyId as number, [60, 85, 97]) },
      "/compliance?company=2",
    );
    const cards = await screen.findByRole("list", { name: "Signals of Globex" });
    const disk = within(cards).getByRole("article", { name: "Disk encryption" });
    const chart = await within(disk).findByRole("img", {
      name: "Disk encryption trend. Volumes encrypted over the last 3 sweeps: 60 %, 85 %, 97 %",
    });
    const dots = Array.from(chart.querySelectorAll("circle.trend-dot"));
    expect(dots.map((dot) => dot.getAttribute("data-status"))).toEqual(["fail", "warn", "pass"]);
    expect(dots.map((dot) => dot.getAttribute("class"))).toEqual([
      "trend-dot trend-danger",
      "trend-dot trend-warning",
      "trend-dot trend-success",
    ]);
    // Higher is drawn higher: the y coordinate falls as encryption rises.
    const ys = dots.map((dot) => Number(dot.getAttribute("cy")));
    expect(ys[0]).toBeGreaterThan(ys[1] as number);
    expect(ys[1]).toBeGreaterThan(ys[2] as number);
    expect(chart.querySelector("path.recharts-curve")?.getAttribute("d")).toBeTruthy();
    expect(within(disk).getByText(/Volumes encrypted: 97 % on .*, 3 sweeps/)).toBeVisible();
  });

  it("keeps one signal with no previous sweep trendless", async () => {
    openDashboard(
      { signal_history: () => [signalWith({ companyId: 1, signal: "patch_sla" })] },
      "/compliance?company=1",
    );
    const cards = await screen.findByRole("list", { name: "Signals of Acme" });
    const patch = within(cards).getByRole("article", { name: "Patch SLA" });
    expect(await within(patch).findByText("A trend appears after the next sweep.")).toBeVisible();
    expect(
      within(patch).getByText("No critical or important patch outstanding on 20 devices."),
    ).toBeVisible();
  });
});
