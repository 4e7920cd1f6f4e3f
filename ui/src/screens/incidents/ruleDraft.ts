// The rule editor's form state: lists as the text a person types ("CONDITION, SYSTEM"),
// turned into the engine's AlertRule as is. Validation is the engine's, on save.
import type { AlertRule } from "../../bindings/AlertRule";
import type { IncidentSeverity } from "../../bindings/IncidentSeverity";
import type { RuleAction } from "../../bindings/RuleAction";

export interface RuleDraft {
  /** Stable React key while rules move up and down. */
  key: number;
  name: string;
  enabled: boolean;
  activityTypes: string;
  statusCodes: string;
  severities: string;
  priorities: string;
  sourceName: string;
  orgIds: string;
  deviceClasses: string;
  /** "" keeps NinjaOne's severity. */
  severity: IncidentSeverity | "";
  actions: RuleAction[];
}

export type ListField =
  "activityTypes" | "statusCodes" | "severities" | "priorities" | "orgIds" | "deviceClasses";

let nextKey = 1;

function list(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((part) => part.trim())
    .filter((part) => part !== "");
}

export function fromRule(rule: AlertRule): RuleDraft {
  const w = rule.when;
  return {
    key: nextKey++,
    name: rule.name,
    enabled: rule.enabled,
    activityTypes: w.activityTypes.join(", "),
    statusCodes: w.statusCodes.join(", "),
    severities: w.severities.join(", "),
    priorities: w.priorities.join(", "),
    sourceName: w.sourceName ?? "",
    orgIds: w.orgIds.join(", "),
    deviceClasses: w.deviceClasses.join(", "),
    severity: rule.severity ?? "",
    actions: [...rule.actions],
  };
}

export function newDraft(): RuleDraft {
  return fromRule({
    name: "",
    enabled: true,
    when: {
      activityTypes: [],
      statusCodes: [],
      severities: [],
      priorities: [],
      sourceName: null,
      orgIds: [],
      deviceClasses: [],
    },
    severity: null,
    actions: ["notify"],
  });
}

/** Organization ids typed that are not whole numbers (said next to the field). */
export function badOrgIds(draft: RuleDraft): string[] {
  return list(draft.orgIds).filter((part) => !/^\d+$/.test(part));
}

export function toRule(draft: RuleDraft): AlertRule {
  return {
    name: draft.name,
    enabled: draft.enabled,
    when: {
      activityTypes: list(draft.activityTypes),
      statusCodes: list(draft.statusCodes),
      severities: list(draft.severities),
      priorities: list(draft.priorities),
      sourceName: draft.sourceName.trim() === "" ? null : draft.sourceName.trim(),
      orgIds: list(draft.orgIds)
        .filter((part) => /^\d+$/.test(part))
        .map(Number),
      deviceClasses: list(draft.deviceClasses),
    },
    severity: draft.severity === "" ? null : draft.severity,
    actions: draft.actions,
  };
}

/**
 * The engine's validation message names each problem "Rule N …"; this puts each sentence
 * next to the rule it names (the rest stays above the list). Display only.
 */
export function problemsByRule(message: string): {
  general: string[];
  byRule: Map<number, string[]>;
} {
  const byRule = new Map<number, string[]>();
  const general: string[] = [];
  for (const part of message.split(/(?=\bRule \d+[ :(])/)) {
    const text = part.trim();
    if (!text) continue;
    const match = /^Rule (\d+)[ :(]/.exec(text);
    if (match) {
      const index = Number(match[1]) - 1;
      byRule.set(index, [...(byRule.get(index) ?? []), text]);
    } else {
      general.push(text);
    }
  }
  return { general, byRule };
}
