import { act, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { App } from "../../App";
import type { Asset } from "../../bindings/Asset";
import { formatShortTimestamp } from "../../format";
import { emitEngine, mockEngine, rejectWith, startAt } from "../../test/engine";
import { assetWith, companyWith } from "../../test/fixtures";
import { layOutVirtualLists, scrollBox } from "../../test/layout";

type Handlers = Parameters<typeof mockEngine>[0];

const COMPANIES = [companyWith({ id: 1, name: "Acme" }), companyWith({ id: 2, name: "Globex" })];

const LAPTOP = assetWith({
  id: 1,
  name: "ACME-LT-07",
  externalId: "uid-lt-07",
  serialNumber: "5CD1234XYZ",
  nodeClass: "WINDOWS_WORKSTATION",
  lastSeenAt: "2025-11-21T08:15:00Z",
});
const SERVER = assetWith({
  id: 2,
  companyId: 2,
  name: "GLOBEX-SRV-01",
  externalId: "uid-srv-01",
  serialNumber: "CZ20ABCD",
  nodeClass: "WINDOWS_SERVER",
  status: "stale",
  lastSeenAt: "2025-11-01T10:00:00Z",
});
const OLD_COPY = assetWith({
  id: 3,
  source: "intune",
  name: "ACME-LT-07",
  externalId: "intune-9f3e",
  uid: null,
  serialNumber: "5CD1234XYZ",
  nodeClass: null,
  status: "retired",
  retiredReason: "duplicate of asset 1 (serial number)",
  connectionId: null,
  orgId: null,
  lastSeenAt: "2025-10-15T12:00:00Z",
});
const MAC = assetWith({
  id: 4,
  name: null,
  externalId: "level-77",
  source: "level",
  serialNumber: null,
  nodeClass: "MAC",
  lastSeenAt: "2025-11-20T18:30:00Z",
});

async function openAssets(
  handlers: Handlers = {},
  list: Asset[] = [LAPTOP, SERVER, OLD_COPY, MAC],
) {
  layOutVirtualLists();
  const calls = mockEngine({ assets: () => list, companies: () => COMPANIES, ...handlers });
  startAt("/assets");
  render(<App />);
  await screen.findByRole("heading", { level: 1, name: "Assets" });
  return calls;
}

async function assetTable(): Promise<HTMLElement> {
  return screen.findByRole("table", { name: "Assets" });
}

/** The names of the asset rows in the DOM, in order. */
function shownNames(table: HTMLElement): string[] {
  return within(table)
    .getAllByRole("rowheader")
    .map((cell) => cell.textContent ?? "");
}

function rowOf(table: HTMLElement, name: string, index = 0): HTMLElement {
  const cell = within(table).getAllByRole("rowheader", { name })[index];
  if (!cell) throw new Error(`no row named ${name}`);
  return cell.closest("tr")!;
}

/** 100,000 assets named PC-000000 … PC-099999, so name order is id order. */
function manyAssets(count: number): Asset[] {
  return Array.from({ length: count }, (_, i) =>
    assetWith({
      id: i + 1,
      name: `PC-${String(i).padStart(6, "0")}`,
      externalId: `uid-${i}`,
      serialNumber: `SN${i}`,
    }),
  );
}

describe("Assets list", () => {
  it("asks the engine for every asset of every status and shows each one's columns", async () => {
    const calls = await openAssets();
    const table = await assetTable();

    expect(calls.filter((call) => call.cmd === "assets")).toEqual([
      { cmd: "assets", args: { companyId: null, status: null } },
    ]);
    expect(shownNames(table)).toEqual(["ACME-LT-07", "ACME-LT-07", "GLOBEX-SRV-01", "level-77"]);
    expect(
      within(rowOf(table, "GLOBEX-SRV-01"))
        .getAllByRole("cell")
        .map((cell) => cell.textContent),
    ).toEqual([
      "Globex",
      "NinjaOne",
      "Windows server",
      "CZ20ABCD",
      "Stale",
      formatShortTimestamp("2025-11-01T10:00:00Z"),
    ]);
    expect(screen.getByText("Showing 4 of 4 assets")).toBeVisible();
  });

  it("greys stale rows and shows why a retired row was retired", async () => {
    await openAssets();
    const table = await assetTable();

    expect(rowOf(table, "GLOBEX-SRV-01")).toHaveClass("asset-row-stale");
    const retired = rowOf(table, "ACME-LT-07", 1);
    expect(retired).toHaveClass("asset-row-retired");
    expect(within(retired).getByText("Retired")).toBeVisible();
    expect(within(retired).getByText("duplicate of asset 1 (serial number)")).toBeVisible();
    expect(rowOf(table, "ACME-LT-07", 0)).toHaveClass("asset-row-active");
  });

  it("searches names, serial numbers and external ids, ignoring case", async () => {
    const user = userEvent.setup();
    await openAssets();
    const table = await assetTable();
    const search = screen.getByRole("searchbox", { name: "Search" });

    await user.type(search, "globex");
    expect(shownNames(table)).toEqual(["GLOBEX-SRV-01"]);

    await user.clear(search);
    await user.type(search, "5cd1234");
    expect(shownNames(table)).toEqual(["ACME-LT-07", "ACME-LT-07"]);

    await user.clear(search);
    await user.type(search, "LEVEL-77");
    expect(shownNames(table)).toEqual(["level-77"]);
    expect(screen.getByText("Showing 1 of 4 assets")).toBeVisible();
  });

  it("filters by status, source and node class", async () => {
    const user = userEvent.setup();
    await openAssets();
    const table = await assetTable();

    await user.selectOptions(screen.getByRole("combobox", { name: "Status" }), "Retired");
    expect(shownNames(table)).toEqual(["ACME-LT-07"]);
    expect(within(table).getByText("Intune")).toBeVisible();

    await user.selectOptions(screen.getByRole("combobox", { name: "Status" }), "All");
    await user.selectOptions(screen.getByRole("combobox", { name: "Source" }), "Level");
    expect(shownNames(table)).toEqual(["level-77"]);

    await user.selectOptions(screen.getByRole("combobox", { name: "Source" }), "All");
    const classes = screen.getByRole("combobox", { name: "Class" });
    expect(
      within(classes)
        .getAllByRole("option")
        .map((option) => option.textContent),
    ).toEqual(["All", "Mac", "Windows server", "Windows workstation"]);
    await user.selectOptions(classes, "Windows server");
    expect(shownNames(table)).toEqual(["GLOBEX-SRV-01"]);
  });

  it("says when nothing matches and clears search and filters on request", async () => {
    const user = userEvent.setup();
    await openAssets();
    await assetTable();

    await user.type(screen.getByRole("searchbox", { name: "Search" }), "no-such-machine");
    expect(await screen.findByText("No assets match this search and these filters.")).toBeVisible();
    expect(screen.queryByRole("table", { name: "Assets" })).not.toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Clear search and filters" }));
    expect(shownNames(await assetTable())).toHaveLength(4);
    expect(screen.getByRole("searchbox", { name: "Search" })).toHaveValue("");
  });

  it("sorts by name, company, status and last seen from the column headers", async () => {
    const user = userEvent.setup();
    await openAssets();
    const table = await assetTable();
    const header = (name: string) =>
      within(table).getByRole("columnheader", { name: new RegExp(name) });

    expect(header("Name")).toHaveAttribute("aria-sort", "ascending");

    await user.click(within(header("Name")).getByRole("button"));
    expect(header("Name")).toHaveAttribute("aria-sort", "descending");
    expect(shownNames(table)).toEqual(["level-77", "GLOBEX-SRV-01", "ACME-LT-07", "ACME-LT-07"]);

    await user.click(within(header("Company")).getByRole("button"));
    expect(header("Company")).toHaveAttribute("aria-sort", "ascending");
    expect(header("Name")).not.toHaveAttribute("aria-sort");
    expect(shownNames(table)).toEqual(["ACME-LT-07", "ACME-LT-07", "level-77", "GLOBEX-SRV-01"]);

    await user.click(within(header("Status")).getByRole("button"));
    expect(
      within(table)
        .getAllByRole("row")
        .slice(1)
        .map((row) => row.className.replace("asset-row ", "")),
    ).toEqual(["asset-row-active", "asset-row-active", "asset-row-stale", "asset-row-retired"]);

    await user.click(within(header("Last seen")).getByRole("button"));
    await user.click(within(header("Last seen")).getByRole("button"));
    expect(header("Last seen")).toHaveAttribute("aria-sort", "descending");
    expect(shownNames(table)).toEqual(["ACME-LT-07", "level-77", "GLOBEX-SRV-01", "ACME-LT-07"]);
  });

  it("opens an asset's page by clicking its row or pressing Enter on it", async () => {
    const user = userEvent.setup();
    await openAssets({
      asset: (args) => ({ asset: args.assetId === 2 ? SERVER : MAC, fields: {}, history: [] }),
    });
    let table = await assetTable();

    await user.click(within(rowOf(table, "GLOBEX-SRV-01")).getByText("Windows server"));
    expect(await screen.findByRole("heading", { level: 1, name: "GLOBEX-SRV-01" })).toBeVisible();
    expect(window.location.hash).toBe("#/assets/2");

    await user.click(screen.getByRole("link", { name: "← Assets" }));
    table = await assetTable();
    rowOf(table, "level-77").focus();
    await user.keyboard("{Enter}");
    expect(await screen.findByRole("heading", { level: 1, name: "level-77" })).toBeVisible();
  });

  it("is one tab stop, with arrow keys, Home and End moving between rows", async () => {
    const user = userEvent.setup();
    await openAssets();
    const table = await assetTable();
    const rows = () => within(table).getAllByRole("row").slice(1);

    expect(rows().map((row) => row.tabIndex)).toEqual([0, -1, -1, -1]);
    await user.click(screen.getByRole("combobox", { name: "Class" }));
    await user.tab();
    await user.tab();
    await user.tab();
    await user.tab();
    await user.tab();
    expect(rows()[0]).toHaveFocus();

    // The table moves the focus in an effect once the row is rendered (it may have to scroll
    // to it first), so each move is awaited.
    await user.keyboard("{ArrowDown}");
    await waitFor(() => expect(rows()[1]).toHaveFocus());
    await user.keyboard("{End}");
    await waitFor(() => expect(rows()[3]).toHaveFocus());
    await user.keyboard("{ArrowUp}");
    await waitFor(() => expect(rows()[2]).toHaveFocus());
    await user.keyboard("{Home}");
    await waitFor(() => expect(rows()[0]).toHaveFocus());
    expect(rows().map((row) => row.tabIndex)).toEqual([0, -1, -1, -1]);
  });

  it("keeps only a window of 100,000 rows in the DOM and follows the scroll", async () => {
    const user = userEvent.setup();
    await openAssets({}, manyAssets(100_000));
    const table = await assetTable();

    expect(table).toHaveAttribute("aria-rowcount", "100001");
    expect(screen.getByText("Showing 100,000 of 100,000 assets")).toBeVisible();
    const first = shownNames(table);
    expect(first[0]).toBe("PC-000000");
    expect(first.length).toBeGreaterThanOrEqual(10);
    expect(first.length).toBeLessThan(40);

    const box = table.closest<HTMLElement>(".virtual-scroll")!;
    act(() => scrollBox(box, 50_000 * 44));
    const middle = shownNames(table);
    expect(middle).toContain("PC-050000");
    expect(middle).not.toContain("PC-000000");
    expect(middle.length).toBeLessThan(40);
    const row = rowOf(table, "PC-050000");
    expect(row).toHaveAttribute("aria-rowindex", "50002");

    row.focus();
    await user.keyboard("{End}");
    const last = rowOf(table, "PC-099999");
    expect(last).toHaveFocus();
    expect(last).toHaveAttribute("aria-rowindex", "100001");
    expect(shownNames(table).length).toBeLessThan(40);
  });

  it("says how to get assets when there are none", async () => {
    await openAssets({}, []);
    expect(await screen.findByText("No assets yet.")).toBeVisible();
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
  });

  it("shows the engine's message when the assets cannot be loaded, and tries again", async () => {
    const user = userEvent.setup();
    let fail = true;
    await openAssets({
      assets: () =>
        fail ? rejectWith({ kind: "store", message: "The store is locked." }) : [LAPTOP],
    });
    expect(await screen.findByRole("alert")).toHaveTextContent("The store is locked.");

    fail = false;
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(shownNames(await assetTable())).toEqual(["ACME-LT-07"]);
  });

  it("offers to reload after a sync finished instead of moving the rows by itself", async () => {
    const user = userEvent.setup();
    let list = [LAPTOP];
    await openAssets({ assets: () => list });
    const table = await assetTable();

    list = [LAPTOP, SERVER];
    await emitEngine({ type: "syncFinished", runId: 9, status: "succeeded" });

    expect(await screen.findByText("A sync finished since this list was loaded.")).toBeVisible();
    expect(shownNames(table)).toEqual(["ACME-LT-07"]);

    await user.click(screen.getByRole("button", { name: "Reload" }));
    expect(await within(table).findByRole("rowheader", { name: "GLOBEX-SRV-01" })).toBeVisible();
    expect(screen.queryByText("A sync finished since this list was loaded.")).toBeNull();
  });
});
