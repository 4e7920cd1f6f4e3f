// The one place the UI talks to the Rust engine. Components import from here, never from
// "@tauri-apps/api" directly, so the command names and payload shapes live in one file.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";

import type { AppInfo } from "./bindings/AppInfo";
import type { EngineEvent } from "./bindings/EngineEvent";
import type { EngineStatus } from "./bindings/EngineStatus";
import type { ErrorKind } from "./bindings/ErrorKind";
import type { ErrorReport } from "./bindings/ErrorReport";
import type { UpdateCheck } from "./bindings/UpdateCheck";

export type { UnlistenFn };

/** Name of the event the engine emits for schedule changes and notices. */
export const ENGINE_EVENT = "engine-event";
/** Name of the event the tray menu emits to open a screen, payload a route like "/connection". */
export const NAVIGATE_EVENT = "navigate";

const ERROR_KINDS: readonly ErrorKind[] = [
  "invalidInput",
  "notConfigured",
  "authentication",
  "unreachable",
  "throttled",
  "store",
  "internal",
];

function isErrorKind(value: unknown): value is ErrorKind {
  return typeof value === "string" && (ERROR_KINDS as readonly string[]).includes(value);
}

/**
 * A rejected command carries an ErrorReport. Anything else (a thrown Error, a string from the
 * IPC layer, undefined) is normalised to kind "internal" so callers can always branch on kind.
 */
export function toErrorReport(e: unknown): ErrorReport {
  if (typeof e === "object" && e !== null) {
    const candidate = e as { kind?: unknown; message?: unknown };
    if (isErrorKind(candidate.kind) && typeof candidate.message === "string") {
      return { kind: candidate.kind, message: candidate.message };
    }
    if (e instanceof Error && e.message) {
      return { kind: "internal", message: e.message };
    }
    if (typeof candidate.message === "string" && candidate.message) {
      return { kind: "internal", message: candidate.message };
    }
  }
  if (typeof e === "string" && e) {
    return { kind: "internal", message: e };
  }
  return { kind: "internal", message: "Something went wrong inside Fleetward." };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (e) {
    // Reject with the normalised report so every caller sees the same shape.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw toErrorReport(e);
  }
}

export function appInfo(): Promise<AppInfo> {
  return call<AppInfo>("app_info");
}

export function setSchedulesPaused(paused: boolean): Promise<EngineStatus> {
  return call<EngineStatus>("set_schedules_paused", { paused });
}

export function syncAllNow(): Promise<void> {
  return call<void>("sync_all_now");
}

export function checkForUpdates(): Promise<UpdateCheck> {
  return call<UpdateCheck>("check_for_updates");
}

export function onEngineEvent(cb: (event: EngineEvent) => void): Promise<UnlistenFn> {
  return listen<EngineEvent>(ENGINE_EVENT, (event) => cb(event.payload));
}

export function onNavigate(cb: (route: string) => void): Promise<UnlistenFn> {
  return listen<string>(NAVIGATE_EVENT, (event) => cb(event.payload));
}
