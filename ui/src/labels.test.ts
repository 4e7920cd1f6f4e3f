import { describe, expect, it } from "vitest";

import { eventOutcomeLabel } from "./labels";

describe("event outcome words", () => {
  it("names the outcomes the engine sends in plain words", () => {
    expect(eventOutcomeLabel("unplaced")).toBe("no organization (not placed)");
    expect(eventOutcomeLabel("ignoredOrganization")).toBe("organization ignored");
    expect(eventOutcomeLabel("unmapped")).toBe("organization not mapped");
  });

  it("shows an outcome it does not know as the engine sent it", () => {
    expect(eventOutcomeLabel("rateLimited")).toBe("rateLimited");
    expect(eventOutcomeLabel("toString")).toBe("toString");
    expect(eventOutcomeLabel("")).toBe("");
  });
});
