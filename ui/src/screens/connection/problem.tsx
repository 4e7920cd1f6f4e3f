import type { ErrorKind } from "../../bindings/ErrorKind";
import type { ErrorReport } from "../../bindings/ErrorReport";

/** A short headline for a failed test or save; the engine's message says cause and fix. */
export function headlineFor(kind: ErrorKind, otherwise: string): string {
  switch (kind) {
    case "authentication":
      return "NinjaOne refused the credentials";
    case "unreachable":
      return "NinjaOne could not be reached";
    case "throttled":
      return "NinjaOne is throttling requests";
    case "invalidInput":
      return "Check the form";
    default:
      return otherwise;
  }
}

export function ProblemPanel({ error, otherwise }: { error: ErrorReport; otherwise: string }) {
  return (
    <div className="result result-failure" role="alert">
      <p className="result-title">{headlineFor(error.kind, otherwise)}</p>
      <p className="result-message">{error.message}</p>
    </div>
  );
}
