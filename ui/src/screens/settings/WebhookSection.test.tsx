import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { App } from "../../App";
import type { IncidentSettings } from "../../bindings/IncidentSettings";
import type { WebhookSettings } from "../../bindings/WebhookSettings";
import { emitEngine, INCIDENT_SETTINGS, mockEngine, rejectWith, startAt } from "../../test/engine";
import { eventSummaryWith, secretShownWith, webhookPanelWith } from "../../test/fixtures";
import { RECENT_EVENTS_REFRESH_MS } from "./WebhookSection";

type Handlers = Parameters<typeof mockEngine>[0];

const LISTENING = webhookPanelWith({
  settings: {
    enabled: true,
    bind: "127.0.0.1",
    port: 8787,
    requireSignature: false,
    secretSet: true,
  },
  receiver: { listening: true, url: "http://127.0.0.1:8787/ninjaone/webhook", error: null },
  recent: [eventSummaryWith({ title: "Disk C: is 95% full" })],
});

async function openReceiver(handlers: Handlers = {}) {
  const calls = mockEngine(handlers);
  startAt("/settings");
  const { unmount } = render(<App />);
  // The first render of the whole app is slow on a loaded machine.
  const region = await screen.findByRole("region", { name: "Webhook receiver" }, { timeout: 5000 });
  await within(region).findByRole("checkbox", { name: "Receive NinjaOne webhooks" });
  return { calls, region: within(region), unmount };
}

describe("Settings → webhook receiver", () => {
  it("is off by default and says so, with nothing received yet", async () => {
    const { region } = await openReceiver();
    expect(region.getByRole("checkbox", { name: "Receive NinjaOne webhooks" })).not.toBeChecked();
    expect(region.getByText("The receiver is off.")).toBeInTheDocument();
    expect(region.getByLabelText("Address")).toHaveValue("127.0.0.1");
    expect(region.getByText(/Nothing received yet/)).toBeInTheDocument();
    expect(region.getByRole("button", { name: "Send test event" })).toBeDisabled();
  });

  it("turns on and shows where it listens, and the last events received", async () => {
    const user = userEvent.setup();
    const { calls, region } = await openReceiver({ save_webhook_settings: () => LISTENING });
    await user.click(region.getByRole("checkbox", { name: "Receive NinjaOne webhooks" }));
    expect(
      await region.findByText("Listening at http://127.0.0.1:8787/ninjaone/webhook."),
    ).toBeInTheDocument();
    expect(region.getByText("Disk C: is 95% full")).toBeInTheDocument();
    const saved = calls.find((c) => c.cmd === "save_webhook_settings")?.args
      .settings as WebhookSettings;
    expect(saved).toMatchObject({ enabled: true, bind: "127.0.0.1", port: 8787 });
  });

  it("says what became of each event received in plain words", async () => {
    const outcomes = [
      ["applied", "applied to an incident"],
      ["ignored", "ignored by an alert rule"],
      ["informational", "informational (no incident)"],
      ["unmapped", "organization not mapped"],
      ["ignoredOrganization", "organization ignored"],
      ["unplaced", "no organization (not placed)"],
      ["duplicate", "duplicate (already received)"],
      ["somethingNew", "somethingNew"],
    ] as const;
    const { region } = await openReceiver({
      webhook_panel: () => ({
        ...LISTENING,
        recent: outcomes.map(([outcome], index) =>
          eventSummaryWith({ activityId: 9100 + index, title: `Event ${index}`, outcome }),
        ),
      }),
    });
    const list = region.getByText("Event 0").closest("ul")!;
    const items = within(list).getAllByRole("listitem");
    expect(items.map((item) => item.textContent?.split(" · ").at(-1))).toEqual(
      outcomes.map(([, words]) => words),
    );
    expect(region.queryByText(/ignoredOrganization|unplaced/)).toBeNull();
  });

  it("says clearly when the port is in use", async () => {
    const user = userEvent.setup();
    const inUse =
      "The receiver cannot listen on 127.0.0.1:8787 (Address already in use). Choose another port, or stop the program that uses it.";
    const { region } = await openReceiver({
      save_webhook_settings: ({ settings }) =>
        webhookPanelWith({
          settings: settings as WebhookSettings,
          receiver: { listening: false, url: null, error: inUse },
        }),
    });
    await user.click(region.getByRole("checkbox", { name: "Receive NinjaOne webhooks" }));
    expect(await region.findByText(inUse)).toBeInTheDocument();
  });

  it("saves a new port and signature requirement", async () => {
    const user = userEvent.setup();
    const { calls, region } = await openReceiver({
      save_webhook_settings: ({ settings }) =>
        webhookPanelWith({ settings: settings as WebhookSettings }),
    });
    await user.clear(region.getByLabelText("Port"));
    await user.type(region.getByLabelText("Port"), "9000");
    await user.click(
      region.getByRole("checkbox", { name: /Require a valid X-Fleetward-Signature/ }),
    );
    await user.click(region.getByRole("button", { name: "Save receiver settings" }));
    const saved = calls.find((c) => c.cmd === "save_webhook_settings")?.args
      .settings as WebhookSettings;
    expect(saved).toMatchObject({ port: 9000, requireSignature: true, enabled: false });
  });

  it("shows a generated secret once, with the URL and header, and copies it", async () => {
    const user = userEvent.setup();
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    const { region } = await openReceiver({ regenerate_webhook_secret: () => secretShownWith() });
    expect(region.getByText(/No secret yet/)).toBeInTheDocument();
    await user.click(region.getByRole("button", { name: "Generate secret" }));
    const shown = await region.findByRole("region", { name: "New webhook secret" });
    expect(shown).toHaveTextContent("s3cr3t-shown-once");
    expect(shown).toHaveTextContent("http://127.0.0.1:8787/ninjaone/webhook");
    expect(shown).toHaveTextContent("X-Fleetward-Secret: s3cr3t-shown-once");
    expect(shown).toHaveTextContent("shown only this once");
    await user.click(within(shown).getByRole("button", { name: "Copy secret" }));
    expect(writeText).toHaveBeenCalledWith("s3cr3t-shown-once");
    expect(region.getByRole("button", { name: "Regenerate secret" })).toBeInTheDocument();
  });

  it("never shows a secret that was set before: it offers to regenerate", async () => {
    const { region } = await openReceiver({ webhook_panel: () => LISTENING });
    expect(region.getByText(/A secret is set/)).toBeInTheDocument();
    expect(region.queryByRole("region", { name: "New webhook secret" })).toBeNull();
    expect(region.queryByText(/s3cr3t/)).toBeNull();
  });

  it("shows the URL and header name to configure whenever a secret is set", async () => {
    const { region } = await openReceiver({ webhook_panel: () => LISTENING });
    const setup = within(region.getByRole("region", { name: "Webhook setup" }));
    expect(setup.getByText("http://127.0.0.1:8787/ninjaone/webhook")).toBeVisible();
    expect(setup.getByText("X-Fleetward-Secret:")).toBeVisible();
    expect(setup.getByText("the secret shown when it was generated")).toBeVisible();
    expect(region.getByRole("button", { name: "Regenerate secret" })).toBeEnabled();
  });

  it("says where the URL appears when a secret is set but the receiver is off", async () => {
    const { region } = await openReceiver({
      webhook_panel: () =>
        webhookPanelWith({ settings: { ...LISTENING.settings, enabled: false } }),
    });
    const setup = within(region.getByRole("region", { name: "Webhook setup" }));
    expect(setup.getByText("Shown here while the receiver listens.")).toBeVisible();
    expect(setup.getByText("X-Fleetward-Secret:")).toBeVisible();
  });

  it("refreshes the last events received while open, and stops when closed", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    try {
      let recent = LISTENING.recent;
      const { calls, region, unmount } = await openReceiver({
        webhook_panel: () => ({ ...LISTENING, recent }),
      });
      expect(region.getByText("Disk C: is 95% full")).toBeInTheDocument();
      const asked = () => calls.filter((c) => c.cmd === "webhook_panel").length;
      const before = asked();

      recent = [eventSummaryWith({ activityId: 9002, title: "CPU above 90%" }), ...recent];
      await act(() => vi.advanceTimersByTimeAsync(RECENT_EVENTS_REFRESH_MS));
      expect(await region.findByText("CPU above 90%")).toBeInTheDocument();
      expect(asked()).toBe(before + 1);

      // A poll that brought events is shown at once, without waiting for the next refresh.
      recent = [eventSummaryWith({ activityId: 9003, title: "Backup failed" }), ...recent];
      await emitEngine({ type: "pollFinished", runId: 14, status: "succeeded" });
      expect(await region.findByText("Backup failed")).toBeInTheDocument();

      const open = asked();
      unmount();
      vi.advanceTimersByTime(RECENT_EVENTS_REFRESH_MS * 3);
      expect(asked()).toBe(open);
    } finally {
      vi.useRealTimers();
    }
  });

  it("sends a test event and shows the receiver's answer", async () => {
    const user = userEvent.setup();
    let status = 202;
    const { region } = await openReceiver({
      webhook_panel: () => LISTENING,
      send_test_webhook: () => ({ status, answer: status === 202 ? "queued" : "bad signature" }),
    });
    await user.click(region.getByRole("button", { name: "Send test event" }));
    expect(
      await region.findByText("The receiver accepted the test event (HTTP 202)."),
    ).toBeInTheDocument();
    status = 401;
    await user.click(region.getByRole("button", { name: "Send test event" }));
    expect(
      await region.findByText("The receiver refused the test event (HTTP 401: bad signature)."),
    ).toBeInTheDocument();
  });

  it("shows a failed load with a retry", async () => {
    const user = userEvent.setup();
    let fail = true;
    mockEngine({
      webhook_panel: () =>
        fail
          ? rejectWith({ kind: "store", message: "The store is locked. Try again." })
          : LISTENING,
    });
    startAt("/settings");
    render(<App />);
    const region = within(await screen.findByRole("region", { name: "Webhook receiver" }));
    expect(await region.findByRole("alert")).toHaveTextContent("The store is locked.");
    fail = false;
    await user.click(region.getByRole("button", { name: "Try again" }));
    expect(await region.findByText(/Listening at/)).toBeInTheDocument();
  });
});

describe("Settings → incident alerts", () => {
  it("shows the threshold and poll interval and saves changes", async () => {
    const user = userEvent.setup();
    const calls = mockEngine({ save_incident_settings: ({ settings }) => settings });
    startAt("/settings");
    render(<App />);
    const region = within(await screen.findByRole("region", { name: "Incident alerts" }));
    const notify = await region.findByLabelText(/Notify for new or reopened incidents/);
    expect(notify).toHaveValue("high");
    expect(region.getByLabelText(/Poll NinjaOne activities every/)).toHaveValue(2);
    await user.selectOptions(notify, "critical");
    await user.clear(region.getByLabelText(/Poll NinjaOne activities every/));
    await user.type(region.getByLabelText(/Poll NinjaOne activities every/), "5");
    await user.click(region.getByRole("button", { name: "Save incident alerts" }));
    expect(await region.findByText("Saved.")).toBeInTheDocument();
    const saved = calls.find((c) => c.cmd === "save_incident_settings")?.args
      .settings as IncidentSettings;
    expect(saved).toEqual({ ...INCIDENT_SETTINGS, notifyAt: "critical", pollEverySecs: 300 });
  });

  it("shows why a save was refused", async () => {
    const user = userEvent.setup();
    mockEngine({
      save_incident_settings: () =>
        rejectWith({
          kind: "invalidInput",
          message: "The poll interval must be at least 1 minute. Choose a longer interval.",
        }),
    });
    startAt("/settings");
    render(<App />);
    const region = within(await screen.findByRole("region", { name: "Incident alerts" }));
    await user.click(await region.findByRole("button", { name: "Save incident alerts" }));
    expect(await region.findByRole("alert")).toHaveTextContent(
      "The poll interval must be at least 1 minute.",
    );
  });
});
