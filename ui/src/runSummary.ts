// Short sentences about a sync for toasts and table cells. Wording only: every number is one
// the engine counted.
import type { SyncCounts } from "./bindings/SyncCounts";
import type { SyncRun } from "./bindings/SyncRun";
import { countOf, formatCount } from "./format";
import { SYNC_COUNTS } from "./labels";

/** "12 created, 40 updated, 2 stale": the counts that are not zero, or "No changes". */
export function countsSentence(counts: SyncCounts): string {
  const parts = SYNC_COUNTS.filter(({ key }) => key !== "unchanged" && counts[key] > 0).map(
    ({ key, one, many }) => `${formatCount(counts[key])} ${counts[key] === 1 ? one : many}`,
  );
  return parts.length === 0 ? "No changes" : parts.join(", ");
}

/**
 * A run's counts over its mappings. The engine gives these totals on a recorded run
 * (`RunRow.counts`) but not on the `SyncRun` a sync returns, so the toast adds them up.
 */
export function runTotals(run: SyncRun): SyncCounts {
  const totals: SyncCounts = {
    created: 0,
    updated: 0,
    unchanged: 0,
    stale: 0,
    retiredDuplicates: 0,
    skippedPending: 0,
    skippedRejected: 0,
    unreadable: 0,
  };
  for (const part of run.companies) {
    for (const { key } of SYNC_COUNTS) totals[key] += part[key];
  }
  return totals;
}

/** Said wherever the engine marks a run or a mapping `truncated`. */
export const TRUNCATED_NOTE =
  "NinjaOne has more devices in an organization than one sync reads: only the first are included.";

/**
 * "3 items NinjaOne sent could not be read and were skipped.": said on a recorded run whose
 * `malformedItems` is above zero (SPEC §11: malformed input is skipped and counted).
 */
export function malformedSentence(items: number): string {
  return `${countOf(items, "item")} NinjaOne sent could not be read and ${items === 1 ? "was" : "were"} skipped.`;
}

/** "3 organizations: 12 created, 40 updated." plus a truncation note when NinjaOne had more. */
export function runSentence(run: SyncRun): string {
  const head = `${countOf(run.companies.length, "organization")}: ${countsSentence(runTotals(run))}.`;
  return run.truncatedAny ? `${head} ${TRUNCATED_NOTE}` : head;
}

/** The errors of a run's mappings, each as the engine worded it. */
export function runErrors(run: SyncRun): string[] {
  return run.companies.flatMap((part) => (part.error === null ? [] : [part.error]));
}
