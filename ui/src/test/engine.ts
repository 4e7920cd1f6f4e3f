// Test helpers: a fake engine behind the Tauri IPC mock.
import type { InvokeArgs } from "@tauri-apps/api/core";
import { emit } from "@tauri-apps/api/event";
import { mockIPC } from "@tauri-apps/api/mocks";
import { act } from "@testing-library/react";

import type { AppInfo } from "../bindings/AppInfo";
import type { EngineEvent } from "../bindings/EngineEvent";
import type { EngineStatus } from "../bindings/EngineStatus";
import type { ErrorReport } from "../bindings/ErrorReport";
import { ENGINE_EVENT, NAVIGATE_EVENT } from "../ipc";
// Incidents
import type { IncidentSettings } from "../bindings/IncidentSettings";
import { webhookPanelWith } from "./fixtures";

export const ENGINE: EngineStatus = {
  version: "0.1.0",
  dataDir: "/home/tester/.local/share/com.fleetward.desktop",
  storePath: "/home/tester/.local/share/com.fleetward.desktop/fleetward.db",
  schedulesPaused: false,
  selfCheck: { sqlcipherVersion: "4.6.1 community", sqliteVersion: "3.46.1" },
};

export function appInfoWith(overrides: Partial<AppInfo> = {}): AppInfo {
  return {
    version: "0.1.0",
    engine: ENGINE,
    startError: null,
    updates: { enabled: false, detail: "This build was made without an update key." },
    ...overrides,
  };
}

type Handler = (args: Record<string, unknown>) => unknown;

export interface IpcCall {
  cmd: string;
  args: Record<string, unknown>;
}

/** What a rejected Tauri command delivers: the engine's ErrorReport. */
export function rejectWith(report: ErrorReport): Promise<never> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
  return Promise.reject(report);
}

/**
 * Installs a fake engine. "app_info" answers with a default AppInfo unless overridden; any other
 * command without a handler is rejected as an internal error. Events are mocked so `emitEngine`
 * and `emitNavigate` reach the app's listeners.
 */
export function mockEngine(handlers: Record<string, Handler> = {}): IpcCall[] {
  const calls: IpcCall[] = [];
  const all: Record<string, Handler> = {
    app_info: () => appInfoWith(),
    ...INCIDENT_SETTINGS_HANDLERS,
    first_screen_shown: () => null,
    ...handlers,
  };
  mockIPC(
    (cmd: string, payload?: InvokeArgs) => {
      const args = (payload ?? {}) as Record<string, unknown>;
      calls.push({ cmd, args });
      const handler = all[cmd];
      if (!handler) return rejectWith({ kind: "internal", message: `unexpected command ${cmd}` });
      return handler(args);
    },
    { shouldMockEvents: true },
  );
  return calls;
}

/**
 * Emits an event as the Rust side would. A first act() flushes pending effects, so listeners the
 * last render subscribed are registered before the event goes out.
 */
export async function emitEvent(event: string, payload: unknown): Promise<void> {
  await act(async () => {});
  await act(async () => {
    await emit(event, payload);
  });
}

export function emitEngine(event: EngineEvent): Promise<void> {
  return emitEvent(ENGINE_EVENT, event);
}

export function emitNavigate(route: string): Promise<void> {
  return emitEvent(NAVIGATE_EVENT, route);
}

/** Opens the app at a route, as the hash router sees it. */
export function startAt(route: string): void {
  window.history.replaceState(null, "", `/#${route}`);
}

/** A promise the test settles itself, to look at busy states while the engine "works". */
export function deferred<T>(): {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (report: ErrorReport) => void;
} {
  let resolve: (value: T) => void = () => undefined;
  let reject: (report: ErrorReport) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

// ---------- Incidents ----------

export const INCIDENT_SETTINGS: IncidentSettings = { pollEverySecs: 120, notifyAt: "high" };

/**
 * What Settings asks about incidents when it opens, answered with the defaults (receiver off,
 * no secret, nothing received), so tests of other Settings sections need not mock them.
 */
export const INCIDENT_SETTINGS_HANDLERS: Record<string, Handler> = {
  incident_settings: () => INCIDENT_SETTINGS,
  webhook_panel: () => webhookPanelWith(),
};

// ---------- Compliance: exports ----------

export interface CapturedDownload {
  name: string;
  blob: Blob;
}

/**
 * Catches the files an export saves (see download.ts): jsdom has no object URLs and cannot
 * follow a download link, so both are stubbed and each saved file is recorded.
 */
export function captureDownloads(): CapturedDownload[] {
  const saved: CapturedDownload[] = [];
  const blobs = new Map<string, Blob>();
  let next = 0;
  URL.createObjectURL = (object: Blob | MediaSource) => {
    const url = `blob:fleetward/${++next}`;
    blobs.set(url, object as Blob);
    return url;
  };
  URL.revokeObjectURL = (url: string) => {
    blobs.delete(url);
  };
  HTMLAnchorElement.prototype.click = function click(this: HTMLAnchorElement) {
    const blob = blobs.get(this.href);
    if (blob && this.download) saved.push({ name: this.download, blob });
  };
  return saved;
}
