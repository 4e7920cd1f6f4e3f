import { describe, expect, it } from "vitest";

import { countsSentence, malformedSentence, runErrors, runSentence, runTotals } from "./runSummary";
import { companySyncWith, syncRunWith } from "./test/fixtures";

describe("run sentences", () => {
  it("names the counts that are not zero, leaving unchanged out", () => {
    expect(
      countsSentence({
        created: 1,
        updated: 0,
        unchanged: 90,
        stale: 2,
        retiredDuplicates: 3,
        skippedPending: 0,
        skippedRejected: 1,
        unreadable: 0,
      }),
    ).toBe("1 created, 2 stale, 3 retired duplicates, 1 skipped (rejected)");
    expect(runSentence(syncRunWith({ companies: [companySyncWith({ unchanged: 5 })] }))).toBe(
      "1 organization: No changes.",
    );
  });

  it("says how many devices could not be read and that their assets were kept", () => {
    const run = syncRunWith({
      companies: [
        companySyncWith({ unchanged: 5, unreadable: 1 }),
        companySyncWith({ unreadable: 2 }),
      ],
    });
    expect(runTotals(run).unreadable).toBe(3);
    expect(runSentence(run)).toBe("2 organizations: 3 devices unreadable (assets kept).");
  });

  it("adds up a run's mappings and keeps their errors in order", () => {
    const run = syncRunWith({
      companies: [
        companySyncWith({ created: 2, skippedPending: 1, error: "First." }),
        companySyncWith({ created: 3, skippedPending: 4 }),
        companySyncWith({ error: "Second." }),
      ],
    });
    expect(runTotals(run)).toMatchObject({ created: 5, skippedPending: 5, updated: 0 });
    expect(runErrors(run)).toEqual(["First.", "Second."]);
  });

  it("says how many items NinjaOne sent could not be read, in the singular for one", () => {
    expect(malformedSentence(1)).toBe("1 item NinjaOne sent could not be read and was skipped.");
    expect(malformedSentence(1200)).toBe(
      `${(1200).toLocaleString()} items NinjaOne sent could not be read and were skipped.`,
    );
  });
});
