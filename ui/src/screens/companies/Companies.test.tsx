import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { App } from "../../App";
import type { Company } from "../../bindings/Company";
import { companyWith, fiveSignals } from "../../test/fixtures";
import { formatTimestamp } from "../../format";
import { deferred, emitEngine, mockEngine, rejectWith, startAt } from "../../test/engine";

type Handlers = Parameters<typeof mockEngine>[0];

const ACME = companyWith({ id: 1, name: "Acme", mappedOrganizations: 2, assets: 57 });
const GLOBEX = companyWith({
  id: 2,
  name: "Globex",
  mappedOrganizations: 1,
  assets: 12,
  complianceTenantId: "ct_8f2a91",
});

async function openCompanies(handlers: Handlers = {}, list: Company[] = [ACME, GLOBEX]) {
  const calls = mockEngine({ companies: () => list, signals: () => [], ...handlers });
  startAt("/companies");
  render(<App />);
  await screen.findByRole("heading", { level: 1, name: "Companies" });
  return calls;
}

function rowOf(name: string): HTMLElement {
  return screen.getByRole("rowheader", { name }).closest("tr")!;
}

describe("Companies", () => {
  it("lists each company with its organizations, assets, last sync and compliance status", async () => {
    await openCompanies();
    await screen.findByRole("table", { name: "Companies" });

    const acme = rowOf("Acme");
    expect(
      within(acme)
        .getAllByRole("cell")
        .map((cell) => cell.textContent),
    ).toEqual(["2", "57", "Never", "—", "Promote to compliance tenant", "Rename"]);
    const globex = rowOf("Globex");
    expect(within(globex).getByText("Compliance tenant")).toBeVisible();
    expect(within(globex).getByText("ct_8f2a91")).toBeVisible();
    expect(within(globex).queryByRole("button", { name: /Promote/ })).not.toBeInTheDocument();
  });

  it("shows each compliance tenant's worst signal, asking the engine once for every tenant", async () => {
    const INITECH = companyWith({ id: 3, name: "Initech", complianceTenantId: "ct_77b310" });
    const UMBRELLA = companyWith({ id: 4, name: "Umbrella", complianceTenantId: "ct_90aa12" });
    const calls = await openCompanies(
      {
        signals: () => [
          ...fiveSignals({ companyId: 2 }, { patch_sla: "warn", disk_encryption: "fail" }),
          ...fiveSignals({ companyId: 4 }),
        ],
      },
      [ACME, GLOBEX, INITECH, UMBRELLA],
    );
    await screen.findByRole("table", { name: "Companies" });

    const globex = within(rowOf("Globex"));
    expect(await globex.findByText("Fail")).toBeVisible();
    expect(globex.queryByText("Warn")).toBeNull();
    expect(within(rowOf("Umbrella")).getByText("Pass")).toBeVisible();
    expect(within(rowOf("Initech")).getByText("No sweep yet")).toBeVisible();
    // A company that is no compliance tenant has no status, only the way to become one.
    const acme = within(rowOf("Acme"));
    expect(acme.queryByText(/Pass|Fail|Warn|No sweep yet/)).toBeNull();
    expect(acme.getByRole("button", { name: "Promote to compliance tenant: Acme" })).toBeVisible();
    expect(calls.filter((call) => call.cmd === "signals")).toEqual([
      { cmd: "signals", args: { companyId: null } },
    ]);
  });

  it("shows expired evidence as the worst status and follows a finished sweep", async () => {
    let swept = false;
    await openCompanies({
      signals: () =>
        swept
          ? fiveSignals({ companyId: 2 })
          : fiveSignals({ companyId: 2 }, { backup_activity: "warn" }).map((row) =>
              row.signal === "device_inventory" ? { ...row, expired: true } : row,
            ),
    });
    await screen.findByRole("table", { name: "Companies" });
    const globex = within(rowOf("Globex"));
    expect(await globex.findByText("Expired")).toBeVisible();

    swept = true;
    await emitEngine({ type: "sweepFinished", runId: 12, status: "succeeded" });

    expect(await globex.findByText("Pass")).toBeVisible();
    expect(globex.queryByText("Expired")).toBeNull();
  });

  it("shows when each company last synced and whether that sync went well", async () => {
    const user = userEvent.setup();
    const failure =
      "NinjaOne refused the credentials (401). Open Connection, test the connection and save it again.";
    await openCompanies({}, [
      companyWith({ id: 1, name: "Acme", lastSyncedAt: "2025-11-21T08:15:00Z" }),
      companyWith({
        id: 2,
        name: "Globex",
        lastSyncedAt: "2025-11-21T04:15:00Z",
        lastSyncError: failure,
      }),
    ]);
    await screen.findByRole("table", { name: "Companies" });

    const acme = rowOf("Acme");
    expect(within(acme).getByText(formatTimestamp("2025-11-21T08:15:00Z"))).toBeVisible();
    expect(within(acme).getByText("OK")).toBeVisible();

    const globex = rowOf("Globex");
    expect(within(globex).getByText(formatTimestamp("2025-11-21T04:15:00Z"))).toBeVisible();
    const failed = within(globex).getByText("Failed");
    expect(within(globex).getByText(failure)).not.toBeVisible();
    await user.click(failed);
    expect(within(globex).getByText(failure)).toBeVisible();
  });

  it("opens a company's page from its name", async () => {
    const user = userEvent.setup();
    await openCompanies({
      connections: () => [],
      assets: () => [],
    });
    await screen.findByRole("table", { name: "Companies" });

    await user.click(screen.getByRole("link", { name: "Globex" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Globex" })).toBeVisible();
    expect(screen.getByRole("button", { name: "Sync With NinjaOne" })).toBeEnabled();
    expect(screen.getByRole("link", { name: "Companies" })).toHaveAttribute("aria-current", "page");
  });

  it("loads the list again when a sync finishes, wherever it was started", async () => {
    let synced = false;
    await openCompanies({
      companies: () => (synced ? [{ ...ACME, assets: 60 }, GLOBEX] : [ACME, GLOBEX]),
    });
    await screen.findByRole("table", { name: "Companies" });
    expect(within(rowOf("Acme")).getByText("57")).toBeVisible();

    synced = true;
    await emitEngine({ type: "syncFinished", runId: 9, status: "succeeded" });

    expect(await within(rowOf("Acme")).findByText("60")).toBeVisible();
  });

  it("says how to get companies when there are none", async () => {
    await openCompanies({}, []);
    expect(
      await screen.findByText("No companies yet. Add one, or create them from Organizations."),
    ).toBeVisible();
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
  });

  it("adds a company through add_company, lists it and clears the name", async () => {
    const user = userEvent.setup();
    const answer = deferred<Company>();
    const calls = await openCompanies({ add_company: () => answer.promise }, []);

    const name = screen.getByRole("textbox", { name: "Company name" });
    const add = screen.getByRole("button", { name: "Add" });
    expect(add).toBeDisabled();
    await user.type(name, "Initech");
    await user.click(add);
    expect(screen.getByRole("button", { name: "Adding…" })).toBeDisabled();

    answer.resolve(companyWith({ id: 3, name: "Initech" }));

    expect(await screen.findByRole("rowheader", { name: "Initech" })).toBeVisible();
    expect(name).toHaveValue("");
    expect(calls.filter((call) => call.cmd === "add_company")).toEqual([
      { cmd: "add_company", args: { name: "Initech" } },
    ]);
  });

  it("shows a duplicate name error inline and keeps what was typed", async () => {
    const user = userEvent.setup();
    await openCompanies({
      add_company: () =>
        rejectWith({ kind: "invalidInput", message: "A company named Acme already exists." }),
    });

    await user.type(screen.getByRole("textbox", { name: "Company name" }), "acme");
    await user.click(screen.getByRole("button", { name: "Add" }));

    expect(await screen.findByRole("alert")).toHaveTextContent(
      "A company named Acme already exists.",
    );
    expect(screen.getByRole("textbox", { name: "Company name" })).toHaveValue("acme");
  });

  it("renames a company inline through rename_company", async () => {
    const user = userEvent.setup();
    const calls = await openCompanies({
      rename_company: (args) => ({ ...ACME, name: args.name as string }),
    });
    await screen.findByRole("table", { name: "Companies" });

    await user.click(screen.getByRole("button", { name: "Rename Acme" }));
    const input = screen.getByRole("textbox", { name: "New name for Acme" });
    expect(input).toHaveValue("Acme");
    await user.clear(input);
    await user.type(input, "Acme Holdings");
    await user.click(screen.getByRole("button", { name: "Save new name for Acme" }));

    expect(await screen.findByRole("rowheader", { name: "Acme Holdings" })).toBeVisible();
    expect(screen.queryByRole("textbox", { name: /New name/ })).not.toBeInTheDocument();
    expect(calls.filter((call) => call.cmd === "rename_company")).toEqual([
      { cmd: "rename_company", args: { companyId: 1, name: "Acme Holdings" } },
    ]);
  });

  it("cancels a rename without calling the engine", async () => {
    const user = userEvent.setup();
    const calls = await openCompanies();
    await screen.findByRole("table", { name: "Companies" });

    await user.click(screen.getByRole("button", { name: "Rename Acme" }));
    await user.type(screen.getByRole("textbox", { name: "New name for Acme" }), " Inc");
    await user.click(screen.getByRole("button", { name: "Cancel renaming Acme" }));

    expect(screen.getByRole("rowheader", { name: "Acme" })).toBeVisible();
    expect(calls.some((call) => call.cmd === "rename_company")).toBe(false);
  });

  it("shows a rename error next to the name", async () => {
    const user = userEvent.setup();
    await openCompanies({
      rename_company: () =>
        rejectWith({ kind: "invalidInput", message: "A company named Globex already exists." }),
    });
    await screen.findByRole("table", { name: "Companies" });

    await user.click(screen.getByRole("button", { name: "Rename Acme" }));
    const input = screen.getByRole("textbox", { name: "New name for Acme" });
    await user.clear(input);
    await user.type(input, "Globex");
    await user.click(screen.getByRole("button", { name: "Save new name for Acme" }));

    expect(await screen.findByRole("alert")).toHaveTextContent(
      "A company named Globex already exists.",
    );
    expect(input).toHaveValue("Globex");
  });

  it("promotes a company to compliance tenant and shows the tenant id", async () => {
    const user = userEvent.setup();
    const calls = await openCompanies({
      promote_company: () => ({ ...ACME, complianceTenantId: "ct_41c07e" }),
    });
    await screen.findByRole("table", { name: "Companies" });

    await user.click(screen.getByRole("button", { name: "Promote to compliance tenant: Acme" }));

    const acme = rowOf("Acme");
    expect(await within(acme).findByText("ct_41c07e")).toBeVisible();
    expect(within(acme).getByText("Compliance tenant")).toBeVisible();
    expect(within(acme).getByText("No sweep yet")).toBeVisible();
    expect(calls.filter((call) => call.cmd === "promote_company")).toEqual([
      { cmd: "promote_company", args: { companyId: 1 } },
    ]);
  });

  it("shows the engine's message when the list cannot be loaded", async () => {
    await openCompanies({
      companies: () => rejectWith({ kind: "store", message: "The store is locked." }),
    });
    expect(await screen.findByRole("alert")).toHaveTextContent("The store is locked.");
  });
});
