import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { App } from "../../App";
import type { ImportReport } from "../../bindings/ImportReport";
import { deferred, mockEngine, rejectWith, startAt } from "../../test/engine";
import { assetWith, companyWith, importReportWith } from "../../test/fixtures";
import { layOutVirtualLists } from "../../test/layout";

type Handlers = Parameters<typeof mockEngine>[0];

const CSV = "externalId,company,name,serialNumber\nA1,Acme,ACME-PC-01,SN1\nA2,Nobody,,\n";

function csvFile(content = CSV, name = "intune-export.csv"): File {
  return new File([content], name, { type: "text/csv" });
}

async function openDialog(handlers: Handlers = {}) {
  layOutVirtualLists();
  const calls = mockEngine({
    assets: () => [assetWith()],
    companies: () => [companyWith()],
    ...handlers,
  });
  startAt("/assets");
  render(<App />);
  await screen.findByRole("table", { name: "Assets" });
  const user = userEvent.setup();
  await user.click(screen.getByRole("button", { name: "Import assets…" }));
  const dialog = screen.getByRole("dialog", { name: "Import assets" });
  return { calls, user, dialog };
}

describe("Import assets", () => {
  it("opens as a modal with Level chosen and focused, and Import waiting for a file", async () => {
    const { dialog } = await openDialog();

    expect(dialog).toHaveAttribute("aria-modal", "true");
    const level = within(dialog).getByRole("radio", { name: "Level" });
    expect(level).toBeChecked();
    expect(level).toHaveFocus();
    expect(within(dialog).getByRole("radio", { name: "Intune" })).not.toBeChecked();
    expect(within(dialog).getByRole("radio", { name: "Entra" })).not.toBeChecked();
    expect(within(dialog).queryByRole("radio", { name: "NinjaOne" })).not.toBeInTheDocument();
    expect(within(dialog).getByRole("button", { name: "Import" })).toBeDisabled();
  });

  it("sends the chosen file's text as the chosen source and reports every bad line", async () => {
    const answer = deferred<ImportReport>();
    const { calls, user, dialog } = await openDialog({ import_assets: () => answer.promise });

    await user.click(within(dialog).getByRole("radio", { name: "Intune" }));
    await user.upload(within(dialog).getByLabelText("File"), csvFile());
    await user.click(within(dialog).getByRole("button", { name: "Import" }));

    expect(await within(dialog).findByRole("button", { name: "Importing…" })).toBeDisabled();
    expect(within(dialog).getByRole("button", { name: "Close: Import assets" })).toBeDisabled();
    answer.resolve(
      importReportWith({
        source: "intune",
        imported: 1,
        created: 1,
        updated: 0,
        retiredDuplicates: 1,
        errors: [
          { line: 3, message: "No company is named “Nobody”. Use a company id or its exact name." },
          { line: 5, message: "externalId is missing. Give every row an externalId." },
        ],
      }),
    );

    expect(await within(dialog).findByText("1 row imported from Intune")).toBeVisible();
    expect(
      within(dialog).getByText("1 created, 0 updated, 1 retired as duplicates of better copies."),
    ).toBeVisible();
    expect(within(dialog).getByText("2 lines were not imported:")).toBeVisible();
    const lines = within(dialog).getByRole("table", { name: "Lines not imported" });
    expect(
      within(lines)
        .getAllByRole("row")
        .slice(1)
        .map((row) => row.textContent),
    ).toEqual([
      "3No company is named “Nobody”. Use a company id or its exact name.",
      "5externalId is missing. Give every row an externalId.",
    ]);
    expect(calls.filter((call) => call.cmd === "import_assets")).toEqual([
      { cmd: "import_assets", args: { source: "intune", content: CSV } },
    ]);
    // The list behind the dialog is asked for again, with the imported rows.
    expect(calls.filter((call) => call.cmd === "assets")).toHaveLength(2);
  });

  it("says a clean import worked without a table of lines", async () => {
    const { user, dialog } = await openDialog({
      import_assets: () =>
        importReportWith({ source: "entra", imported: 12, created: 10, updated: 2 }),
    });

    await user.click(within(dialog).getByRole("radio", { name: "Entra" }));
    await user.upload(within(dialog).getByLabelText("File"), csvFile("[]", "entra.json"));
    await user.click(within(dialog).getByRole("button", { name: "Import" }));

    expect(await within(dialog).findByText("12 rows imported from Entra")).toBeVisible();
    expect(within(dialog).queryByRole("table")).not.toBeInTheDocument();
  });

  it("shows the engine's message when it refuses the file, and keeps the choice", async () => {
    const message =
      "The file is neither CSV with a header row nor a JSON array. Export it again as CSV.";
    const { calls, user, dialog } = await openDialog({
      import_assets: () => rejectWith({ kind: "invalidInput", message }),
    });

    await user.upload(within(dialog).getByLabelText("File"), csvFile("garbage"));
    await user.click(within(dialog).getByRole("button", { name: "Import" }));

    const alert = await within(dialog).findByRole("alert");
    expect(alert).toHaveTextContent("Import failed");
    expect(alert).toHaveTextContent(message);
    expect(within(dialog).getByRole("button", { name: "Import" })).toBeEnabled();
    expect(calls.filter((call) => call.cmd === "assets")).toHaveLength(1);
  });

  it("closes on Escape and gives focus back to the button that opened it", async () => {
    const { user } = await openDialog();

    await user.keyboard("{Escape}");

    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Import assets…" })).toHaveFocus();
  });

  it("keeps Tab inside the dialog", async () => {
    const { user, dialog } = await openDialog();

    const first = within(dialog).getByRole("button", { name: "Close: Import assets" });
    const last = within(dialog).getByRole("button", { name: "Close" });

    await user.tab({ shift: true });
    expect(first).toHaveFocus();
    await user.tab({ shift: true });
    expect(last).toHaveFocus();
    await user.tab();
    expect(first).toHaveFocus();
  });
});
