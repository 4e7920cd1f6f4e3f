import { useEffect, useRef } from "react";

import type { UnlistenFn } from "../ipc";

/** Stops a listener without letting a late or failed unlisten surface as an unhandled error. */
function release(unlisten: UnlistenFn): void {
  try {
    const result: unknown = unlisten();
    if (result instanceof Promise) {
      result.catch(() => undefined);
    }
  } catch {
    // The IPC bridge is already gone (window closing, or a test tearing down).
  }
}

/**
 * Subscribes to an engine event source (see ipc.ts) for as long as the component is mounted.
 * The latest `handler` is always used, so callers can pass an inline function.
 */
export function useSubscription<T>(
  subscribe: (cb: (value: T) => void) => Promise<UnlistenFn>,
  handler: (value: T) => void,
): void {
  const handlerRef = useRef(handler);
  useEffect(() => {
    handlerRef.current = handler;
  });

  useEffect(() => {
    let active = true;
    let unlisten: UnlistenFn | undefined;
    subscribe((value) => {
      if (active) handlerRef.current(value);
    }).then(
      (fn) => {
        if (active) unlisten = fn;
        else release(fn);
      },
      () => {
        // Not running inside Tauri (for example the plain Vite dev server): nothing to listen to.
      },
    );
    return () => {
      active = false;
      if (unlisten) release(unlisten);
    };
  }, [subscribe]);
}
