import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";

import { App } from "../../App";
import type { AlertRule } from "../../bindings/AlertRule";
import { mockEngine, rejectWith, startAt } from "../../test/engine";
import { alertRuleWith, eventSummaryWith, previewRowWith } from "../../test/fixtures";
import { problemsByRule } from "./ruleDraft";

type Handlers = Parameters<typeof mockEngine>[0];

const SERVERS = alertRuleWith();
const NOISY = alertRuleWith({
  name: "Ignore patch scans",
  when: { ...SERVERS.when, deviceClasses: [], sourceName: "Patch*" },
  severity: null,
  actions: ["ignore"],
});

async function openRules(handlers: Handlers = {}) {
  const calls = mockEngine({
    alert_rules: () => [SERVERS, NOISY],
    preview_alert_rules: () => [previewRowWith()],
    ...handlers,
  });
  startAt("/incidents?tab=rules");
  render(<App />);
  await screen.findByRole("group", { name: "Rule 1 (Servers are critical)" });
  return calls;
}

function savedRules(calls: ReturnType<typeof mockEngine>): AlertRule[] {
  const save = calls.filter((c) => c.cmd === "save_alert_rules").at(-1);
  return save?.args.rules as AlertRule[];
}

describe("Alert rules", () => {
  it("shows the rules in order with their fields", async () => {
    await openRules();
    const first = within(screen.getByRole("group", { name: "Rule 1 (Servers are critical)" }));
    expect(first.getByLabelText("Device classes")).toHaveValue("WINDOWS_SERVER");
    expect(first.getByLabelText("Incident severity")).toHaveValue("critical");
    const second = within(screen.getByRole("group", { name: "Rule 2 (Ignore patch scans)" }));
    expect(second.getByLabelText("Source name")).toHaveValue("Patch*");
    expect(second.getByRole("checkbox", { name: /Ignore/ })).toBeChecked();
  });

  // Typing into four fields is slow on a loaded machine; the default 5 s is too tight.
  it(
    "moves a rule up, deletes one, adds one and saves the list in the new order",
    { timeout: 20_000 },
    async () => {
      const user = userEvent.setup();
      const calls = await openRules({ save_alert_rules: ({ rules }) => rules });
      await user.click(screen.getByRole("button", { name: "Move Rule 2 (Ignore patch scans) up" }));
      expect(
        screen.getByRole("group", { name: "Rule 1 (Ignore patch scans)" }),
      ).toBeInTheDocument();
      await user.click(
        screen.getByRole("button", { name: "Delete Rule 2 (Servers are critical)" }),
      );
      await user.click(screen.getByRole("button", { name: "Add rule" }));
      const added = within(screen.getByRole("group", { name: "Rule 2" }));
      await user.type(added.getByLabelText("Name"), "Critical from NinjaOne");
      await user.type(added.getByLabelText("NinjaOne severities"), "CRITICAL, MAJOR");
      await user.type(added.getByLabelText("Organization ids"), "101, 102");
      await user.selectOptions(added.getByLabelText("Incident severity"), "high");
      await user.click(added.getByRole("checkbox", { name: /Ticket/ }));
      await user.click(screen.getByRole("button", { name: "Save rules" }));
      expect(await screen.findByText(/Rules saved/)).toBeInTheDocument();
      const rules = savedRules(calls);
      expect(rules.map((r) => r.name)).toEqual(["Ignore patch scans", "Critical from NinjaOne"]);
      expect(rules[1]?.when.severities).toEqual(["CRITICAL", "MAJOR"]);
      expect(rules[1]?.when.orgIds).toEqual([101, 102]);
      expect(rules[1]?.severity).toBe("high");
      expect(rules[1]?.actions).toEqual(["notify", "ticket"]);
    },
  );

  it("shows each validation error from save next to the rule it names", async () => {
    const user = userEvent.setup();
    await openRules({
      save_alert_rules: () =>
        rejectWith({
          kind: "invalidInput",
          message:
            'Rule 2 ("Ignore patch scans"): "patch scan" is not a NinjaOne activity type. Use the code as NinjaOne sends it.',
        }),
    });
    await user.click(screen.getByRole("button", { name: "Save rules" }));
    const second = screen.getByRole("group", { name: "Rule 2 (Ignore patch scans)" });
    expect(await within(second).findByRole("alert")).toHaveTextContent(
      '"patch scan" is not a NinjaOne activity type',
    );
    const first = screen.getByRole("group", { name: "Rule 1 (Servers are critical)" });
    expect(within(first).queryByRole("alert")).toBeNull();
    expect(screen.getByText("The rules were not saved.")).toBeInTheDocument();
  });

  it("previews what the rules being edited would do with recent events", async () => {
    const user = userEvent.setup();
    const calls = await openRules({
      preview_alert_rules: ({ rules }) =>
        (rules as AlertRule[]).length === 2
          ? [previewRowWith()]
          : [
              previewRowWith({
                event: eventSummaryWith({ title: "Disk C: is 95% full" }),
                decision: { rule: null, severity: "high", actions: ["notify"] },
              }),
            ],
    });
    const preview = await screen.findByRole("region", { name: "What would these rules match?" });
    const matched = await within(preview).findByRole("row", { name: /Disk C: is 95% full/ });
    expect(matched).toHaveTextContent("Rule 1 (Servers are critical)");
    expect(matched).toHaveTextContent("Critical");
    await user.click(screen.getByRole("button", { name: "Delete Rule 1 (Servers are critical)" }));
    await user.click(screen.getByRole("button", { name: "Delete Rule 1 (Ignore patch scans)" }));
    await waitFor(() =>
      expect(within(preview).getByRole("row", { name: /Disk C/ })).toHaveTextContent(
        "No rule (NinjaOne's severity)",
      ),
    );
    expect(calls.filter((c) => c.cmd === "save_alert_rules")).toHaveLength(0);
  });

  it("says the preview has nothing to show before any event arrived", async () => {
    await openRules({ preview_alert_rules: () => [] });
    expect(await screen.findByText(/No events received yet/)).toBeInTheDocument();
  });

  it("shows a failed load with a retry", async () => {
    const user = userEvent.setup();
    let fail = true;
    mockEngine({
      alert_rules: () =>
        fail
          ? rejectWith({ kind: "store", message: "The store is locked. Try again." })
          : [SERVERS],
      preview_alert_rules: () => [],
    });
    startAt("/incidents?tab=rules");
    render(<App />);
    expect(await screen.findByRole("alert")).toHaveTextContent("The store is locked.");
    fail = false;
    await user.click(screen.getByRole("button", { name: "Try again" }));
    expect(
      await screen.findByRole("group", { name: "Rule 1 (Servers are critical)" }),
    ).toBeInTheDocument();
  });
});

describe("problemsByRule", () => {
  it("splits the engine's message by the rule each sentence names", () => {
    const { general, byRule } = problemsByRule(
      'There are 300 rules; at most 200 are allowed. Rule 1 has no name. Give it a short name. Rule 12 ("x"): bad.',
    );
    expect(general).toEqual(["There are 300 rules; at most 200 are allowed."]);
    expect(byRule.get(0)).toEqual(["Rule 1 has no name. Give it a short name."]);
    expect(byRule.get(11)).toEqual(['Rule 12 ("x"): bad.']);
  });
});
