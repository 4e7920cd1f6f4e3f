// Display names and tones of the engine's incident values (no rule lives here).
import type { IncidentSeverity } from "../../bindings/IncidentSeverity";
import type { Resolution } from "../../bindings/Resolution";
import type { RuleAction } from "../../bindings/RuleAction";
import type { Tone } from "../../labels";

/** Most severe first, as lists and pickers show them. */
export const SEVERITIES: readonly IncidentSeverity[] = [
  "critical",
  "high",
  "medium",
  "low",
  "info",
];

export const SEVERITY: Record<IncidentSeverity, { label: string; tone: Tone }> = {
  critical: { label: "Critical", tone: "danger" },
  high: { label: "High", tone: "danger" },
  medium: { label: "Medium", tone: "warning" },
  low: { label: "Low", tone: "info" },
  info: { label: "Info", tone: "muted" },
};

export const RESOLUTION: Record<Resolution, string> = {
  reset: "NinjaOne reset the condition",
  completed: "The action set completed",
  manual: "Resolved by hand",
  reconciled: "No longer an active alert in NinjaOne",
};

export const ACTIONS: Record<RuleAction, { label: string; hint: string }> = {
  notify: { label: "Notify", hint: "a notification, at or above the chosen severity" },
  ticket: { label: "Ticket", hint: "a ticket in the local queue" },
  ignore: { label: "Ignore", hint: "no incident at all" },
};
