import { useCallback, useState } from "react";

import { onEngineEvent } from "../ipc";
import { useSubscription } from "./useSubscription";

export interface WaitingHandle {
  /** The engine's latest word on why work is waiting on NinjaOne, or null. */
  message: string | null;
  /** Forgets the last message; call it when new work starts so an old wait is not shown. */
  clear: () => void;
}

/**
 * Follows the engine's `waiting` events, so long work (a slow test, a throttled discovery)
 * can say why it has not finished instead of looking frozen. The event does not name the
 * work it belongs to: show the message only while that work is in progress.
 */
export function useWaitingMessage(): WaitingHandle {
  const [message, setMessage] = useState<string | null>(null);

  useSubscription(onEngineEvent, (event) => {
    if (event.type === "waiting") setMessage(event.message);
  });

  const clear = useCallback(() => setMessage(null), []);
  return { message, clear };
}
