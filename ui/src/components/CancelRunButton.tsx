import { useState } from "react";

import type { RunId } from "../bindings/RunId";
import { cancelRun, toErrorReport } from "../ipc";

/**
 * Cancel for a run in progress. The run stops at its next safe point: companies already
 * written stay, the rest keep their assets as they were.
 */
export function CancelRunButton({ runId, label }: { runId: RunId; label: string }) {
  const [state, setState] = useState<"idle" | "asking" | "asked">("idle");
  const [error, setError] = useState<string | null>(null);

  async function cancel() {
    setState("asking");
    setError(null);
    try {
      await cancelRun(runId);
      setState("asked");
    } catch (e) {
      setError(toErrorReport(e).message);
      setState("idle");
    }
  }

  return (
    <span className="cancel-run">
      <button
        type="button"
        className="button button-small"
        disabled={state !== "idle"}
        aria-label={label}
        onClick={() => void cancel()}
      >
        {state === "idle" ? "Cancel" : "Cancelling…"}
      </button>
      {error !== null && (
        <span className="inline-error" role="alert">
          {" "}
          {error}
        </span>
      )}
    </span>
  );
}
