import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { App } from "../../App";
import type { AppInfo } from "../../bindings/AppInfo";
import type { UpdateCheck } from "../../bindings/UpdateCheck";
import {
  appInfoWith,
  ENGINE,
  emitEngine,
  mockEngine,
  rejectWith,
  startAt,
} from "../../test/engine";
import { THEME_STORAGE_KEY } from "../../theme";

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

    answer({ availableVersion: null });
    expect(await screen.findByText("You are on the latest version.")).toBeVisible();
    expect(button).toBeEnabled();
  });

  it("shows which version is available when an update exists", async () => {
    const user = userEvent.setup();
    mockEngine({
      app_info: () => appInfoWith(UPDATES_ON),
      check_for_updates: () => ({ availableVersion: "0.2.0" }),
    });
    await openSettings();

    await user.click(screen.getByRole("button", { name: "Check for updates" }));

    expect(await screen.findByText("Version 0.2.0 is available.")).toBeVisible();
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
