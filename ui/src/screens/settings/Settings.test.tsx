import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { App } from "../../App";
import type { AppInfo } from "../../bindings/AppInfo";
import type { DownloadedUpdate } from "../../bindings/DownloadedUpdate";
import type { UpdateCheck } from "../../bindings/UpdateCheck";
import { UPDATE_PROGRESS_EVENT } from "../../ipc";
import {
  appInfoWith,
  deferred,
  ENGINE,
  emitEngine,
  emitEvent,
  mockEngine,
  rejectWith,
  startAt,
} from "../../test/engine";
import { THEME_STORAGE_KEY } from "../../theme";

const noUpdate: UpdateCheck = {
  currentVersion: "0.1.0",
  availableVersion: null,
  notes: null,
  date: null,
};

const offer: UpdateCheck = {
  currentVersion: "0.1.0",
  availableVersion: "0.2.0",
  notes: "Faster sync. A new About page.",
  date: "2026-11-27",
};

const UPDATES_ON: Partial<AppInfo> = {
  updates: { enabled: true, detail: "Updates come from the Fleetward release feed." },
};

async function openSettings() {
  startAt("/settings");
  render(<App />);
  await screen.findByRole("heading", { level: 1, name: "Settings" });
  return screen.findByRole("region", { name: "About" });
}

function section(name: string) {
  return screen.getByRole("region", { name });
}

describe("Settings", () => {
  it("shows the version, data folder and encryption in About", async () => {
    mockEngine({ app_info: () => appInfoWith({ version: "0.4.2" }) });
    const about = await openSettings();

    expect(about).toHaveTextContent("0.4.2");
    expect(about).toHaveTextContent(ENGINE.dataDir);
    expect(about).toHaveTextContent("SQLCipher 4.6.1 community");
  });

  it("says updates are off with the reason and offers no check button when updates are disabled", async () => {
    mockEngine({
      app_info: () =>
        appInfoWith({
          updates: { enabled: false, detail: "Updates are managed by your IT team." },
        }),
    });
    await openSettings();

    const updates = section("Updates");
    expect(within(updates).getByText("Updates are off")).toBeVisible();
    expect(within(updates).getByText("Updates are managed by your IT team.")).toBeVisible();
    expect(screen.queryByRole("button", { name: "Check for updates" })).not.toBeInTheDocument();
  });

  it("checks for updates and says when this is the latest version", async () => {
    const user = userEvent.setup();
    let answer: (check: UpdateCheck) => void = () => undefined;
    const calls = mockEngine({
      app_info: () => appInfoWith(UPDATES_ON),
      check_for_updates: () =>
        new Promise<UpdateCheck>((resolve) => {
          answer = resolve;
        }),
    });
    await openSettings();

    const button = within(section("Updates")).getByRole("button", { name: "Check for updates" });
    await user.click(button);
    expect(button).toBeDisabled();
    expect(calls.map((call) => call.cmd)).toContain("check_for_updates");

    answer(noUpdate);
    expect(await screen.findByText("You are on the latest version.")).toBeVisible();
    expect(button).toBeEnabled();
  });

  it("shows which version is available when an update exists", async () => {
    const user = userEvent.setup();
    mockEngine({
      app_info: () => appInfoWith(UPDATES_ON),
      check_for_updates: () => offer,
    });
    await openSettings();

    await user.click(screen.getByRole("button", { name: "Check for updates" }));

    expect(await screen.findByText("Version 0.2.0 is available.")).toBeVisible();
    expect(screen.getByRole("heading", { name: "What's new" })).toBeVisible();
    expect(screen.getByText(/Faster sync\./)).toBeVisible();
  });

  it("downloads with progress, then installs and restarts through the process plugin", async () => {
    const user = userEvent.setup();
    const download = deferred<DownloadedUpdate>();
    const calls = mockEngine({
      app_info: () => appInfoWith(UPDATES_ON),
      check_for_updates: () => offer,
      download_update: () => download.promise,
      install_update: () => null,
      "plugin:process|restart": () => null,
    });
    await openSettings();
    await user.click(screen.getByRole("button", { name: "Check for updates" }));
    await user.click(await screen.findByRole("button", { name: "Download update" }));

    expect(await screen.findByText("Downloading…")).toBeVisible();
    await emitEvent(UPDATE_PROGRESS_EVENT, { downloaded: 250, total: 1000 });
    expect(screen.getByText("Downloading… 25%")).toBeVisible();
    expect(screen.getByRole("progressbar", { name: "Download progress" })).toHaveAttribute(
      "value",
      "25",
    );
    expect(screen.getByRole("button", { name: "Check for updates" })).toBeDisabled();

    act(() => download.resolve({ version: "0.2.0" }));
    expect(await screen.findByText("Downloaded and verified.")).toBeVisible();
    await user.click(screen.getByRole("button", { name: "Install and restart" }));

    await vi.waitFor(() =>
      expect(calls.map((call) => call.cmd)).toEqual(
        expect.arrayContaining(["download_update", "install_update", "plugin:process|restart"]),
      ),
    );
    const order = calls.map((call) => call.cmd);
    expect(order.indexOf("install_update")).toBeLessThan(order.indexOf("plugin:process|restart"));
  });

  it("shows why a download was refused and installs nothing", async () => {
    const user = userEvent.setup();
    const calls = mockEngine({
      app_info: () => appInfoWith(UPDATES_ON),
      check_for_updates: () => offer,
      download_update: () =>
        rejectWith({
          kind: "internal",
          message:
            "Version 0.2.0 was refused: its signature does not match Fleetward's update key.",
        }),
    });
    await openSettings();
    await user.click(screen.getByRole("button", { name: "Check for updates" }));
    await user.click(await screen.findByRole("button", { name: "Download update" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("was refused");
    expect(screen.queryByRole("button", { name: "Install and restart" })).not.toBeInTheDocument();
    expect(calls.map((call) => call.cmd)).not.toContain("install_update");
    expect(screen.getByRole("button", { name: "Download update" })).toBeEnabled();
  });

  it("shows the current version in Updates even when updates are off", async () => {
    mockEngine({
      app_info: () =>
        appInfoWith({ version: "0.3.1", updates: { enabled: false, detail: "No feed." } }),
    });
    await openSettings();
    expect(section("Updates")).toHaveTextContent("Current version 0.3.1");
  });

  it("shows the error message when the update check fails", async () => {
    const user = userEvent.setup();
    mockEngine({
      app_info: () => appInfoWith(UPDATES_ON),
      check_for_updates: () =>
        rejectWith({ kind: "unreachable", message: "The update server could not be reached." }),
    });
    await openSettings();

    await user.click(screen.getByRole("button", { name: "Check for updates" }));

    expect(await screen.findByRole("alert")).toHaveTextContent(
      "The update server could not be reached.",
    );
  });

  it("lists the sync and compliance sweep schedules", async () => {
    mockEngine();
    await openSettings();
    const schedules = screen.getByRole("list", { name: "Schedules" });
    expect(schedules).toHaveTextContent("Asset sync: every 4 hours at :15");
    expect(schedules).toHaveTextContent("Compliance sweep: every 6 hours at :30");
  });

  it("pauses schedules through set_schedules_paused and shows what the engine returned", async () => {
    const user = userEvent.setup();
    const calls = mockEngine({
      set_schedules_paused: (args) => ({ ...ENGINE, schedulesPaused: args.paused }),
    });
    await openSettings();

    const pause = screen.getByRole("checkbox", { name: "Pause scheduled syncs and sweeps" });
    expect(pause).not.toBeChecked();

    await user.click(pause);

    expect(calls.filter((call) => call.cmd === "set_schedules_paused")).toEqual([
      { cmd: "set_schedules_paused", args: { paused: true } },
    ]);
    expect(pause).toBeChecked();
    expect(pause).toBeEnabled();
  });

  it("keeps the pause switch unchanged and shows the message when pausing fails", async () => {
    const user = userEvent.setup();
    mockEngine({
      set_schedules_paused: () =>
        rejectWith({ kind: "store", message: "The settings could not be saved." }),
    });
    await openSettings();

    const pause = screen.getByRole("checkbox", { name: "Pause scheduled syncs and sweeps" });
    await user.click(pause);

    expect(await screen.findByRole("alert")).toHaveTextContent("The settings could not be saved.");
    expect(pause).not.toBeChecked();
  });

  it("follows schedulesChanged events, such as a pause from the tray menu", async () => {
    mockEngine();
    await openSettings();
    const pause = screen.getByRole("checkbox", { name: "Pause scheduled syncs and sweeps" });
    expect(pause).not.toBeChecked();

    await emitEngine({ type: "schedulesChanged", paused: true });
    expect(pause).toBeChecked();

    await emitEngine({ type: "schedulesChanged", paused: false });
    expect(pause).not.toBeChecked();
  });

  it("applies the chosen theme to the document and remembers it", async () => {
    const user = userEvent.setup();
    mockEngine();
    await openSettings();

    const appearance = section("Appearance");
    expect(within(appearance).getByRole("radio", { name: "System" })).toBeChecked();

    await user.click(within(appearance).getByRole("radio", { name: "Dark" }));
    expect(document.documentElement.dataset.theme).toBe("dark");
    expect(window.localStorage.getItem(THEME_STORAGE_KEY)).toBe("dark");

    await user.click(within(appearance).getByRole("radio", { name: "Light" }));
    expect(document.documentElement.dataset.theme).toBe("light");
    expect(window.localStorage.getItem(THEME_STORAGE_KEY)).toBe("light");
  });

  it("starts with the remembered theme", async () => {
    window.localStorage.setItem(THEME_STORAGE_KEY, "dark");
    mockEngine();
    await openSettings();

    expect(screen.getByRole("radio", { name: "Dark" })).toBeChecked();
    expect(document.documentElement.dataset.theme).toBe("dark");
  });
});
