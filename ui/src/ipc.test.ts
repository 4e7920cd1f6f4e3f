import { describe, expect, it } from "vitest";

import { appInfo, setSchedulesPaused, syncAllNow, toErrorReport } from "./ipc";
import { appInfoWith, ENGINE, mockEngine, rejectWith } from "./test/engine";

describe("toErrorReport", () => {
  it("keeps an ErrorReport from the engine as it is", () => {
    expect(toErrorReport({ kind: "throttled", message: "Slow down." })).toEqual({
      kind: "throttled",
      message: "Slow down.",
    });
  });

  it("turns anything else into an internal error with a readable message", () => {
    expect(toErrorReport(new Error("boom"))).toEqual({ kind: "internal", message: "boom" });
    expect(toErrorReport("command not found")).toEqual({
      kind: "internal",
      message: "command not found",
    });
    expect(toErrorReport({ kind: "martian", message: "odd" })).toEqual({
      kind: "internal",
      message: "odd",
    });
    expect(toErrorReport(undefined).kind).toBe("internal");
    expect(toErrorReport(undefined).message).not.toBe("");
  });
});

describe("commands", () => {
  it("call the engine's commands with their arguments", async () => {
    const calls = mockEngine({
      set_schedules_paused: (args) => ({ ...ENGINE, schedulesPaused: args.paused }),
      sync_all_now: () => null,
    });

    await expect(appInfo()).resolves.toEqual(appInfoWith());
    await expect(setSchedulesPaused(true)).resolves.toMatchObject({ schedulesPaused: true });
    await syncAllNow();

    expect(calls).toEqual([
      { cmd: "app_info", args: {} },
      { cmd: "set_schedules_paused", args: { paused: true } },
      { cmd: "sync_all_now", args: {} },
    ]);
  });

  it("reject with the engine's ErrorReport so callers can branch on kind", async () => {
    mockEngine({
      sync_all_now: () => rejectWith({ kind: "notConfigured", message: "Connect NinjaOne first." }),
    });
    await expect(syncAllNow()).rejects.toEqual({
      kind: "notConfigured",
      message: "Connect NinjaOne first.",
    });
  });
});
