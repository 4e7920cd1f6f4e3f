// Display names for the engine's enums. Each table is a Record over the generated union, so a
// value added in Rust fails to compile here until it has a name. Wording only: which value
// applies is always the engine's answer.
import type { AssetSource } from "./bindings/AssetSource";
import type { AssetStatus } from "./bindings/AssetStatus";
import type { AuditAction } from "./bindings/AuditAction";
import type { RunKind } from "./bindings/RunKind";
import type { RunStatus } from "./bindings/RunStatus";
import type { SyncCounts } from "./bindings/SyncCounts";
import type { Trigger } from "./bindings/Trigger";

export type Tone = "success" | "warning" | "danger" | "info" | "muted";

export const RUN_STATUS: Record<RunStatus, { label: string; tone: Tone }> = {
  running: { label: "Running", tone: "info" },
  succeeded: { label: "Succeeded", tone: "success" },
  partial: { label: "Partial", tone: "warning" },
  failed: { label: "Failed", tone: "danger" },
  cancelled: { label: "Cancelled", tone: "muted" },
};

export const ASSET_STATUS: Record<AssetStatus, { label: string; tone: Tone }> = {
  active: { label: "Active", tone: "success" },
  stale: { label: "Stale", tone: "warning" },
  retired: { label: "Retired", tone: "muted" },
};

export const ASSET_STATUSES: readonly AssetStatus[] = ["active", "stale", "retired"];

export const SOURCE_LABELS: Record<AssetSource, string> = {
  ninjaone: "NinjaOne",
  level: "Level",
  intune: "Intune",
  entra: "Entra",
};

/** In dedup precedence order, as the engine defines it. */
export const ASSET_SOURCES: readonly AssetSource[] = ["ninjaone", "level", "intune", "entra"];

export const TRIGGER_LABELS: Record<Trigger, string> = {
  schedule: "Schedule",
  manual: "Manual",
  startUp: "Start-up",
};

export const RUN_KIND_LABELS: Record<RunKind, string> = {
  sync: "Asset sync",
  sweep: "Compliance sweep",
  poll: "Alert poll",
  discovery: "Discovery",
};

export const AUDIT_ACTION_LABELS: Record<AuditAction, string> = {
  CONNECTION_SAVED: "Connection saved",
  CONNECTION_DISCONNECTED: "Connection disconnected",
  NINJAONE_DISCONNECTED: "NinjaOne disconnected",
  ORGANIZATIONS_DISCOVERED: "Organizations discovered",
  ORGANIZATION_MAPPED: "Organization mapped",
  COMPANY_CREATED: "Company created",
  COMPANY_RENAMED: "Company renamed",
  COMPLIANCE_TENANT_CREATED: "Compliance tenant created",
  ASSETS_SYNCED: "Assets synced",
  ASSETS_IMPORTED: "Assets imported",
  DUPLICATES_RETIRED: "Duplicates retired",
};

/**
 * The counts of a sync in the order SPEC §4 lists them, with their column names and the
 * words a sentence uses for one and for several ("1 retired duplicate", "2 stale").
 */
export const SYNC_COUNTS: readonly {
  key: keyof SyncCounts;
  label: string;
  one: string;
  many: string;
}[] = [
  { key: "created", label: "Created", one: "created", many: "created" },
  { key: "updated", label: "Updated", one: "updated", many: "updated" },
  { key: "unchanged", label: "Unchanged", one: "unchanged", many: "unchanged" },
  { key: "stale", label: "Stale", one: "stale", many: "stale" },
  {
    key: "retiredDuplicates",
    label: "Retired duplicates",
    one: "retired duplicate",
    many: "retired duplicates",
  },
  {
    key: "skippedPending",
    label: "Skipped (pending)",
    one: "skipped (pending)",
    many: "skipped (pending)",
  },
  {
    key: "skippedRejected",
    label: "Skipped (rejected)",
    one: "skipped (rejected)",
    many: "skipped (rejected)",
  },
  // Devices NinjaOne sent that could not be read whole: their assets were kept as they were.
  {
    key: "unreadable",
    label: "Unreadable (kept)",
    one: "device unreadable (asset kept)",
    many: "devices unreadable (assets kept)",
  },
];

/**
 * What became of an activity received by webhook or poll (`EventSummary.outcome`), in plain
 * words. The engine sends the outcome as text, so this is not a Record over a union: use
 * `eventOutcomeLabel`, which falls back to the text as it came.
 */
export const EVENT_OUTCOME_LABELS: Readonly<Record<string, string>> = {
  applied: "applied to an incident",
  ignored: "ignored by an alert rule",
  informational: "informational (no incident)",
  unmapped: "organization not mapped",
  ignoredOrganization: "organization ignored",
  unplaced: "no organization (not placed)",
  duplicate: "duplicate (already received)",
};

/** An event outcome in plain words; an outcome this build does not know, as the engine sent it. */
export function eventOutcomeLabel(outcome: string): string {
  // hasOwn, so that an outcome named like an Object method ("toString") is not taken for one.
  if (!Object.hasOwn(EVENT_OUTCOME_LABELS, outcome)) return outcome;
  return EVENT_OUTCOME_LABELS[outcome] ?? outcome;
}

/** "WINDOWS_WORKSTATION" → "Windows workstation": NinjaOne's constants, made readable. */
export function humanizeConstant(value: string): string {
  const words = value.replace(/[_-]+/g, " ").trim().toLocaleLowerCase();
  return words.charAt(0).toLocaleUpperCase() + words.slice(1);
}

/** "pendingOsPatches" → "Pending os patches": the fallback label of a field key. */
export function humanizeKey(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_.-]+/g, " ")
    .trim()
    .toLocaleLowerCase();
  return words.charAt(0).toLocaleUpperCase() + words.slice(1);
}
