import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { App } from "./App";
import {
  appInfoWith,
  emitEngine,
  emitNavigate,
  mockEngine as mockEngineOnly,
  rejectWith,
  startAt,
} from "./test/engine";
import type { SyncRun } from "./bindings/SyncRun";
import { companySyncWith, setupWith, syncRunWith } from "./test/fixtures";

/** The fake engine, with what the Connection screen (the default route) loads. */
function mockEngine(handlers: Parameters<typeof mockEngineOnly>[0] = {}) {
  return mockEngineOnly({ connection_setup: () => setupWith(), companies: () => [], ...handlers });
}

const SIDEBAR = [
  ["Connection", "/connection"],
  ["Organizations", "/organizations"],
  ["Companies", "/companies"],
  ["Assets", "/assets"],
  ["Compliance", "/compliance"],
  ["Incidents", "/incidents"],
  ["Tickets", "/tickets"],
  ["Sync history & audit", "/history"],
  ["Settings", "/settings"],
] as const;

async function renderReadyApp() {
  render(<App />);
  return screen.findByRole("navigation", { name: "Main" });
}

describe("App frame", () => {
  it("tells the shell once that the first screen has painted", async () => {
    const calls = mockEngine();
    await renderReadyApp();

    await vi.waitFor(() =>
      expect(calls.filter((call) => call.cmd === "first_screen_shown")).toHaveLength(1),
    );
    await screen.findByRole("heading", { level: 1, name: "Connection" });
    expect(calls.filter((call) => call.cmd === "first_screen_shown")).toHaveLength(1);
  });

  it("shows a loading indicator while the engine has not answered yet", () => {
    mockEngine({ app_info: () => new Promise(() => undefined) });
    render(<App />);
    expect(screen.getByRole("progressbar")).toBeInTheDocument();
    expect(screen.getByText("Loading…")).toBeInTheDocument();
  });

  it("lists the sidebar links in order with their routes", async () => {
    mockEngine();
    const nav = await renderReadyApp();
    const links = within(nav).getAllByRole("link");
    expect(links.map((link) => [link.textContent, link.getAttribute("href")])).toEqual(
      SIDEBAR.map(([label, route]) => [label, `#${route}`]),
    );
  });

  it("shows Fleetward and the engine version in the sidebar header", async () => {
    mockEngine({ app_info: () => appInfoWith({ version: "1.2.3" }) });
    await renderReadyApp();
    expect(screen.getByText("Fleetward")).toBeInTheDocument();
    expect(screen.getByText("Version 1.2.3")).toBeInTheDocument();
  });

  it("redirects the default route to Connection and its form", async () => {
    mockEngine();
    await renderReadyApp();
    expect(await screen.findByRole("heading", { level: 1, name: "Connection" })).toBeVisible();
    expect(
      screen.getByText("Choose your NinjaOne region, paste API credentials, test them and save."),
    ).toBeInTheDocument();
    expect(await screen.findByRole("combobox", { name: "Region" })).toBeVisible();
    expect(screen.getByRole("link", { name: "Connection" })).toHaveAttribute(
      "aria-current",
      "page",
    );
  });

  it("navigates between screens with the sidebar", async () => {
    const user = userEvent.setup();
    mockEngine();
    await renderReadyApp();

    await user.click(screen.getByRole("link", { name: "Settings" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Settings" })).toBeVisible();

    await user.click(screen.getByRole("link", { name: "Companies" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Companies" })).toBeVisible();

    await user.click(screen.getByRole("link", { name: "Tickets" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Tickets" })).toBeVisible();
    expect(screen.getByRole("combobox", { name: "Status" })).toHaveValue("open");

    await user.click(screen.getByRole("link", { name: "Sync history & audit" }));
    expect(
      await screen.findByRole("heading", { level: 1, name: "Sync history & audit" }),
    ).toBeVisible();
  });

  it("routes to the screen named by a navigate event from the tray", async () => {
    mockEngine();
    await renderReadyApp();
    await screen.findByRole("heading", { level: 1, name: "Connection" });

    await emitNavigate("/incidents");

    expect(await screen.findByRole("heading", { level: 1, name: "Incidents" })).toBeVisible();
  });

  it("sends an unknown route back to Connection", async () => {
    startAt("/no-such-screen");
    mockEngine();
    await renderReadyApp();
    expect(await screen.findByRole("heading", { level: 1, name: "Connection" })).toBeVisible();
  });
});

describe("start errors", () => {
  it("shows a full-screen alert with the engine's message and no navigation", async () => {
    mockEngine({
      app_info: () =>
        appInfoWith({
          engine: null,
          startError: { kind: "store", message: "The database key does not match this data." },
        }),
    });
    render(<App />);

    const alert = await screen.findByRole("alert");
    expect(within(alert).getByRole("heading", { name: "Fleetward could not start" })).toBeVisible();
    expect(alert).toHaveTextContent("The database key does not match this data.");
    expect(screen.queryByRole("navigation")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Sync all now" })).not.toBeInTheDocument();
  });

  it("does not tell the technician to reopen Fleetward when the store needs them to act", async () => {
    const message =
      "The keychain is locked, so the database key cannot be read. Unlock your keychain, then open Fleetward.";
    mockEngine({
      app_info: () => appInfoWith({ engine: null, startError: { kind: "store", message } }),
    });
    render(<App />);

    const alert = await screen.findByRole("alert");
    expect(within(alert).getByText(message)).toBeVisible();
    expect(alert).not.toHaveTextContent("Close Fleetward and open it again");
    expect(alert).toHaveTextContent("Do what the message above says.");
  });

  it("suggests reopening Fleetward after an internal start failure", async () => {
    mockEngine({
      app_info: () =>
        appInfoWith({
          engine: null,
          startError: { kind: "internal", message: "The engine stopped unexpectedly." },
        }),
    });
    render(<App />);

    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Close Fleetward and open it again.",
    );
  });

  it("shows the full-screen alert when app_info itself is rejected", async () => {
    mockEngine({
      app_info: () => rejectWith({ kind: "internal", message: "Engine is not running." }),
    });
    render(<App />);

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Fleetward could not start");
    expect(alert).toHaveTextContent("Engine is not running.");
    expect(screen.queryByRole("navigation")).not.toBeInTheDocument();
  });
});

describe("Sync all now", () => {
  it("calls sync_all_now and is busy until the engine answers", async () => {
    const user = userEvent.setup();
    let finish: () => void = () => undefined;
    const calls = mockEngine({
      sync_all_now: () =>
        new Promise<SyncRun>((resolve) => {
          finish = () => resolve(syncRunWith());
        }),
    });
    await renderReadyApp();

    await user.click(screen.getByRole("button", { name: "Sync all now" }));

    const busy = screen.getByRole("button", { name: "Syncing…" });
    expect(busy).toBeDisabled();
    expect(calls.map((call) => call.cmd)).toContain("sync_all_now");

    finish();
    expect(await screen.findByRole("button", { name: "Sync all now" })).toBeEnabled();
  });

  it("shows the engine's error message in a toast", async () => {
    const user = userEvent.setup();
    mockEngine({
      sync_all_now: () =>
        rejectWith({
          kind: "notConfigured",
          message: "NinjaOne is not connected yet. Open Connection to add your API credentials.",
        }),
    });
    await renderReadyApp();

    await user.click(screen.getByRole("button", { name: "Sync all now" }));

    const toast = await screen.findByRole("alert");
    expect(toast).toHaveTextContent("Sync all now failed");
    expect(toast).toHaveTextContent(
      "NinjaOne is not connected yet. Open Connection to add your API credentials.",
    );
    expect(screen.getByRole("button", { name: "Sync all now" })).toBeEnabled();
  });
});

describe("Sync all now answers", () => {
  it("shows an unavailable capability's message and stays on the current screen", async () => {
    const user = userEvent.setup();
    const message =
      "Asset sync is not part of this build yet. Your connection and organization mappings are saved and will be used as soon as it is.";
    startAt("/settings");
    mockEngine({ sync_all_now: () => rejectWith({ kind: "unavailable", message }) });
    await renderReadyApp();
    await screen.findByRole("heading", { level: 1, name: "Settings" });

    await user.click(screen.getByRole("button", { name: "Sync all now" }));

    const region = screen.getByRole("region", { name: "Notifications" });
    const toast = await within(region).findByRole("status");
    expect(toast).toHaveTextContent("Sync all now is not available yet");
    expect(toast).toHaveTextContent(message);
    expect(screen.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
    expect(screen.queryByRole("heading", { level: 1, name: "Connection" })).toBeNull();
    expect(screen.getByRole("link", { name: "Connection" })).not.toHaveAttribute("aria-current");
  });

  it("opens Connection when no connection is configured yet", async () => {
    const user = userEvent.setup();
    startAt("/settings");
    mockEngine({
      sync_all_now: () =>
        rejectWith({ kind: "notConfigured", message: "NinjaOne is not connected yet." }),
    });
    await renderReadyApp();
    await screen.findByRole("heading", { level: 1, name: "Settings" });

    await user.click(screen.getByRole("button", { name: "Sync all now" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Connection" })).toBeVisible();
    expect(screen.getByRole("alert")).toHaveTextContent("NinjaOne is not connected yet.");
  });

  it("says politely that a sync is already running, as information and not as a failure", async () => {
    const user = userEvent.setup();
    mockEngine({
      sync_all_now: () =>
        rejectWith({ kind: "alreadyRunning", message: "A sync of every company is running." }),
    });
    await renderReadyApp();

    await user.click(screen.getByRole("button", { name: "Sync all now" }));

    const region = screen.getByRole("region", { name: "Notifications" });
    const toast = await within(region).findByRole("status");
    expect(toast).toHaveTextContent("A sync is already running");
    expect(toast).toHaveTextContent("It will finish on its own; see Sync history for its result.");
    expect(toast).toHaveClass("toast-info");
    expect(within(region).queryByRole("alert")).toBeNull();
    expect(screen.queryByText(/Sync all now failed/)).toBeNull();
    expect(screen.getByRole("button", { name: "Sync all now" })).toBeEnabled();
  });
});

describe("Sync all now results", () => {
  it("sums up the finished run in a toast", async () => {
    const user = userEvent.setup();
    mockEngine({
      sync_all_now: () =>
        syncRunWith({
          companies: [
            companySyncWith({ orgId: 100, created: 2, updated: 10, unchanged: 50 }),
            companySyncWith({
              orgId: 101,
              companyId: 2,
              updated: 1,
              stale: 1,
              retiredDuplicates: 1,
            }),
          ],
        }),
    });
    await renderReadyApp();

    await user.click(screen.getByRole("button", { name: "Sync all now" }));

    const region = screen.getByRole("region", { name: "Notifications" });
    const toast = await within(region).findByRole("status");
    expect(toast).toHaveTextContent("Sync all now finished");
    expect(toast).toHaveTextContent(
      "2 organizations: 2 created, 11 updated, 1 stale, 1 retired duplicate.",
    );
  });

  it("warns with the first error of a partial run and where to see the rest", async () => {
    const user = userEvent.setup();
    const first = "NinjaOne refused the credentials for Contoso EU (401). Save them again.";
    mockEngine({
      sync_all_now: () =>
        syncRunWith({
          status: "partial",
          truncatedAny: true,
          companies: [
            companySyncWith({ orgId: 100, created: 1, truncated: true }),
            companySyncWith({ orgId: 200, error: first }),
            companySyncWith({ orgId: 300, error: "Another problem." }),
          ],
        }),
    });
    await renderReadyApp();

    await user.click(screen.getByRole("button", { name: "Sync all now" }));

    const toast = await screen.findByRole("alert");
    expect(toast).toHaveTextContent("Sync all now finished with errors");
    expect(toast).toHaveTextContent("3 organizations: 1 created.");
    expect(toast).toHaveTextContent("only the first are included");
    expect(toast).toHaveTextContent(`${first} (and 1 more: see Sync history)`);
  });

  it("shows a failed run as an error toast", async () => {
    const user = userEvent.setup();
    mockEngine({
      sync_all_now: () =>
        syncRunWith({
          status: "failed",
          companies: [companySyncWith({ error: "NinjaOne cannot be reached. Check the network." })],
        }),
    });
    await renderReadyApp();

    await user.click(screen.getByRole("button", { name: "Sync all now" }));

    const toast = await screen.findByRole("alert");
    expect(toast).toHaveTextContent("Sync all now failed");
    expect(toast).toHaveTextContent("NinjaOne cannot be reached. Check the network.");
  });

  it("says there is nothing to sync with the engine's message when nothing is mapped", async () => {
    const user = userEvent.setup();
    const message =
      "No NinjaOne organization is mapped to a company yet. Map organizations in Organizations, then sync.";
    startAt("/settings");
    mockEngine({ sync_all_now: () => rejectWith({ kind: "invalidInput", message }) });
    await renderReadyApp();
    await screen.findByRole("heading", { level: 1, name: "Settings" });

    await user.click(screen.getByRole("button", { name: "Sync all now" }));

    const toast = await screen.findByRole("alert");
    expect(toast).toHaveTextContent("Nothing to sync yet");
    expect(toast).toHaveTextContent(message);
    expect(screen.getByRole("heading", { level: 1, name: "Settings" })).toBeVisible();
  });
});

describe("engine notices", () => {
  it("shows an info notice as a status toast that can be dismissed", async () => {
    const user = userEvent.setup();
    mockEngine();
    await renderReadyApp();

    await emitEngine({
      type: "notice",
      severity: "info",
      title: "Sync finished",
      message: "12 devices updated.",
    });

    const region = screen.getByRole("region", { name: "Notifications" });
    const toast = within(region).getByRole("status");
    expect(toast).toHaveTextContent("Sync finished");
    expect(toast).toHaveTextContent("12 devices updated.");

    await user.click(within(toast).getByRole("button", { name: "Dismiss: Sync finished" }));
    expect(within(region).queryByRole("status")).not.toBeInTheDocument();
  });

  it("shows warning and error notices as alerts", async () => {
    mockEngine();
    await renderReadyApp();

    await emitEngine({
      type: "notice",
      severity: "warning",
      title: "NinjaOne is slowing us down",
      message: "Retrying in 30 seconds.",
    });
    await emitEngine({
      type: "notice",
      severity: "error",
      title: "Sync failed",
      message: "The API credentials were rejected.",
    });

    const alerts = screen.getAllByRole("alert");
    expect(alerts).toHaveLength(2);
    expect(alerts[0]).toHaveTextContent("NinjaOne is slowing us down");
    expect(alerts[1]).toHaveTextContent("The API credentials were rejected.");
  });
});
