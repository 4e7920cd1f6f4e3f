import type { ErrorKind } from "../../bindings/ErrorKind";
import type { ErrorReport } from "../../bindings/ErrorReport";

/**
 * A short headline per kind for a failed test or save; null uses the caller's own words. A
 * Record, so a kind added in Rust must be given a headline (or null) here to compile.
 */
const HEADLINES: Record<ErrorKind, string | null> = {
  authentication: "NinjaOne refused the credentials",
  unreachable: "NinjaOne could not be reached",
  throttled: "NinjaOne is throttling requests",
  invalidInput: "Check the form",
  unavailable: "Not available in this build",
  notConfigured: null,
  notFound: null,
  alreadyRunning: null,
  store: null,
  internal: null,
};

/** The headline for a failed test or save; the engine's message says cause and fix. */
export function headlineFor(kind: ErrorKind, otherwise: string): string {
  return HEADLINES[kind] ?? otherwise;
}

export function ProblemPanel({ error, otherwise }: { error: ErrorReport; otherwise: string }) {
  return (
    <div className="result result-failure" role="alert">
      <p className="result-title">{headlineFor(error.kind, otherwise)}</p>
      <p className="result-message">{error.message}</p>
    </div>
  );
}
