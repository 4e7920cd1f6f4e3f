import { useCallback, useEffect, useRef, useState } from "react";

import { toErrorReport } from "../ipc";

export type Loaded<T> =
  { status: "loading" } | { status: "ready"; data: T } | { status: "failed"; message: string };

export interface LoadedHandle<T> {
  state: Loaded<T>;
  /** Shows the loading state and asks the engine again (the "Try again" button). */
  retry: () => void;
  /** Changes the loaded data in place, e.g. to put in a row the engine returned. */
  update: (change: (data: T) => T) => void;
  /**
   * Asks the engine again while the current data stays on screen, e.g. after a sync
   * finished. A failure keeps what is shown: it was right a moment ago, and the next
   * refresh or a visit brings the news.
   */
  refresh: () => void;
}

/**
 * Loads data from the engine once, when the component mounts. Give the component a `key` to
 * load again for another subject (for example another connection).
 */
export function useLoaded<T>(load: () => Promise<T>): LoadedHandle<T> {
  const [state, setState] = useState<Loaded<T>>({ status: "loading" });
  const [attempt, setAttempt] = useState(0);
  const loadRef = useRef(load);
  const liveRef = useRef(true);
  useEffect(() => {
    loadRef.current = load;
  });
  useEffect(() => {
    liveRef.current = true;
    return () => {
      liveRef.current = false;
    };
  }, []);

  useEffect(() => {
    let live = true;
    loadRef.current().then(
      (data) => {
        if (live) setState({ status: "ready", data });
      },
      (e: unknown) => {
        if (live) setState({ status: "failed", message: toErrorReport(e).message });
      },
    );
    return () => {
      live = false;
    };
  }, [attempt]);

  const retry = useCallback(() => {
    setState({ status: "loading" });
    setAttempt((n) => n + 1);
  }, []);

  const refresh = useCallback(() => {
    loadRef.current().then(
      (data) => {
        if (liveRef.current) setState({ status: "ready", data });
      },
      () => undefined,
    );
  }, []);

  const update = useCallback((change: (data: T) => T) => {
    setState((current) =>
      current.status === "ready" ? { status: "ready", data: change(current.data) } : current,
    );
  }, []);

  return { state, retry, update, refresh };
}
