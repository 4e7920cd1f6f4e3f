import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { App } from "../../App";
import type { AssetDetail } from "../../bindings/AssetDetail";
import { formatTimestamp } from "../../format";
import { deferred, mockEngine, rejectWith, startAt } from "../../test/engine";
import { assetDetailWith, assetWith, companyWith } from "../../test/fixtures";

type Handlers = Parameters<typeof mockEngine>[0];

const LAPTOP = assetDetailWith({
  asset: assetWith({ id: 42, name: "ACME-LT-07", externalId: "uid-lt-07", serialNumber: "5CD1" }),
  fields: {
    "os.name": "Windows 11 Pro",
    "identity.systemName": "ACME-LT-07",
    "identity.nodeClass": "WINDOWS_WORKSTATION",
    "hardware.serialNumber": "5CD1",
    "hardware.virtualMachine": "no",
    "memory.bytes": "17179869184",
    "lifecycle.lastContact": "2025-11-21T08:10:00Z",
    "health.status": "NEEDS_ATTENTION",
    "health.pendingOsPatches": "3",
    "health.activeThreats": "0",
    "custom.assetTag": "AT-0042",
  },
  history: [
    {
      at: "2025-11-21T08:15:00Z",
      field: "os.name",
      oldValue: "Windows 10 Pro",
      newValue: "Windows 11 Pro",
      runId: 12,
    },
    {
      at: "2025-11-20T04:15:00Z",
      field: "network.publicIp",
      oldValue: null,
      newValue: "203.0.113.7",
      runId: null,
    },
  ],
});

function openAsset(detail: AssetDetail = LAPTOP, handlers: Handlers = {}, id = 42) {
  const calls = mockEngine({
    asset: () => detail,
    companies: () => [companyWith({ id: 1, name: "Acme" })],
    ...handlers,
  });
  startAt(`/assets/${id}`);
  render(<App />);
  return calls;
}

function section(name: string): HTMLElement {
  return screen.getByRole("region", { name });
}

function facts(region: HTMLElement): [string, string][] {
  return within(region)
    .getAllByRole("term")
    .map((term) => [term.textContent ?? "", term.nextElementSibling?.textContent ?? ""]);
}

describe("Asset detail", () => {
  it("asks the engine for the asset of the route and shows its summary", async () => {
    const calls = openAsset();

    expect(await screen.findByRole("heading", { level: 1, name: "ACME-LT-07" })).toBeVisible();
    expect(screen.getByText("NinjaOne asset of Acme")).toBeVisible();
    expect(calls.filter((call) => call.cmd === "asset")).toEqual([
      { cmd: "asset", args: { assetId: 42 } },
    ]);
    const summary = section("Summary");
    expect(facts(summary)).toEqual([
      ["Status", "Active"],
      ["Company", "Acme"],
      ["Source", "NinjaOne"],
      ["External id", "uid-lt-07"],
      ["Serial number", "5CD1"],
      ["Class", "Windows workstation"],
      ["First seen", formatTimestamp("2025-11-20T09:00:00Z")],
      ["Last seen", formatTimestamp("2025-11-21T08:15:00Z")],
    ]);
    expect(within(summary).getByRole("link", { name: "Acme" })).toHaveAttribute(
      "href",
      "#/companies/1",
    );
    expect(screen.getByRole("link", { name: "Assets" })).toHaveAttribute("aria-current", "page");
  });

  it("groups the fields by prefix under readable headings, in the page's order", async () => {
    openAsset();
    await screen.findByRole("heading", { level: 1, name: "ACME-LT-07" });

    expect(
      screen.getAllByRole("heading", { level: 2 }).map((heading) => heading.textContent),
    ).toEqual([
      "Health",
      "Identity",
      "Operating system",
      "Hardware",
      "Memory",
      "Lifecycle",
      "Custom",
      "Field history",
    ]);
    expect(facts(section("Identity"))).toEqual([
      ["System name", "ACME-LT-07"],
      ["Node class", "Windows workstation"],
    ]);
    expect(facts(section("Hardware"))).toEqual([
      ["Serial number", "5CD1"],
      ["Virtual machine", "No"],
    ]);
    expect(facts(section("Memory"))).toEqual([["Installed", "16 GiB"]]);
    expect(facts(section("Lifecycle"))).toEqual([
      ["Last contact", formatTimestamp("2025-11-21T08:10:00Z")],
    ]);
    expect(facts(section("Custom"))).toEqual([["Asset tag", "AT-0042"]]);
  });

  it("shows the health the engine fetched in its own section", async () => {
    openAsset();
    await screen.findByRole("heading", { level: 1, name: "ACME-LT-07" });

    expect(facts(section("Health"))).toEqual([
      ["Health status", "Needs attention"],
      ["Pending OS patches", "3"],
      ["Active threats", "0"],
    ]);
  });

  it("lists the field history newest first, old value to new, with when and the run", async () => {
    openAsset();
    const history = await screen.findByRole("table", { name: "Field history, newest first" });

    const rows = within(history).getAllByRole("row").slice(1);
    const cells = (row: HTMLElement) =>
      Array.from(row.children).map((cell) => cell.textContent?.replace(/\s+/g, " ").trim());
    expect(rows.map(cells)).toEqual([
      [
        formatTimestamp("2025-11-21T08:15:00Z"),
        "Operating system · Name",
        "Windows 10 Pro → changed to Windows 11 Pro",
        "Run 12",
      ],
      [
        formatTimestamp("2025-11-20T04:15:00Z"),
        "Network · Public IP",
        "(none) → changed to 203.0.113.7",
        "—",
      ],
    ]);
    expect(within(rows[0]!).getByRole("link", { name: "Run 12" })).toHaveAttribute(
      "href",
      "#/history?run=12",
    );
  });

  it("says so when no field has changed", async () => {
    openAsset(assetDetailWith({ fields: { "os.name": "macOS 15" } }));
    expect(
      await screen.findByText("No field has changed since this asset was first seen."),
    ).toBeVisible();
  });

  it("opens the device in NinjaOne through open_in_ninjaone", async () => {
    const user = userEvent.setup();
    const answer = deferred<null>();
    const calls = openAsset(LAPTOP, { open_in_ninjaone: () => answer.promise });

    await user.click(await screen.findByRole("button", { name: "Open in NinjaOne" }));
    expect(screen.getByRole("button", { name: "Opening NinjaOne…" })).toBeDisabled();
    answer.resolve(null);

    expect(await screen.findByRole("button", { name: "Open in NinjaOne" })).toBeEnabled();
    expect(calls.filter((call) => call.cmd === "open_in_ninjaone")).toEqual([
      { cmd: "open_in_ninjaone", args: { assetId: 42 } },
    ]);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("shows the engine's message when NinjaOne cannot be opened", async () => {
    const user = userEvent.setup();
    const message =
      "NinjaOne did not give a link for this device (404): it may have been deleted. Sync again.";
    openAsset(LAPTOP, {
      open_in_ninjaone: () => rejectWith({ kind: "notFound", message }),
    });

    await user.click(await screen.findByRole("button", { name: "Open in NinjaOne" }));

    expect(await screen.findByRole("alert")).toHaveTextContent(message);
    expect(screen.getByRole("button", { name: "Open in NinjaOne" })).toBeEnabled();
  });

  it("offers no Open in NinjaOne for an imported asset, and says why a retired one is retired", async () => {
    openAsset(
      assetDetailWith({
        asset: assetWith({
          id: 43,
          source: "intune",
          name: "ACME-LT-07",
          status: "retired",
          retiredReason: "duplicate of asset 42 (serial number)",
        }),
      }),
      {},
      43,
    );

    expect(await screen.findByText("Intune asset of Acme")).toBeVisible();
    expect(facts(section("Summary"))[0]).toEqual([
      "Status",
      "Retiredduplicate of asset 42 (serial number)",
    ]);
    expect(screen.queryByRole("button", { name: "Open in NinjaOne" })).not.toBeInTheDocument();
  });

  it("shows the engine's message when the asset does not exist", async () => {
    openAsset(
      LAPTOP,
      {
        asset: () => rejectWith({ kind: "notFound", message: "There is no asset 999." }),
      },
      999,
    );

    expect(await screen.findByRole("alert")).toHaveTextContent("There is no asset 999.");
    expect(screen.getByRole("link", { name: "← Assets" })).toHaveAttribute("href", "#/assets");
  });

  it("does not ask the engine for a route that is not an asset id", async () => {
    const calls = mockEngine({});
    startAt("/assets/not-a-number");
    render(<App />);

    expect(await screen.findByRole("alert")).toHaveTextContent(
      "“not-a-number” is not an asset id.",
    );
    expect(calls.some((call) => call.cmd === "asset")).toBe(false);
  });
});
