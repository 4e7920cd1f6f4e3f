import type { ErrorKind } from "../bindings/ErrorKind";
import type { ErrorReport } from "../bindings/ErrorReport";

/** The engine's message already says what to do (unlock the keychain, fix the setting…). */
const FOLLOW_MESSAGE =
  "Do what the message above says. If it keeps happening, send this message to your administrator.";
/** A passing fault: starting again may be all it takes. */
const OPEN_AGAIN =
  "Close Fleetward and open it again. If this keeps happening, send this message to your administrator.";

/**
 * Advice under the engine's message, by kind. Reopening does not unlock a keychain or repair a
 * store, so only passing faults are told to try again. A Record, so a new kind must be placed.
 */
const HINTS: Record<ErrorKind, string> = {
  store: FOLLOW_MESSAGE,
  invalidInput: FOLLOW_MESSAGE,
  notConfigured: FOLLOW_MESSAGE,
  notFound: FOLLOW_MESSAGE,
  alreadyRunning: FOLLOW_MESSAGE,
  unavailable: FOLLOW_MESSAGE,
  authentication: FOLLOW_MESSAGE,
  unreachable: OPEN_AGAIN,
  throttled: OPEN_AGAIN,
  internal: OPEN_AGAIN,
};

/** Shown instead of the whole app when the engine could not start. No navigation on purpose. */
export function StartErrorPanel({ report }: { report: ErrorReport }) {
  return (
    <main className="start-error">
      <div className="start-error-card" role="alert">
        <h1>Fleetward could not start</h1>
        <p className="start-error-message">{report.message}</p>
        <p className="start-error-hint">{HINTS[report.kind]}</p>
      </div>
    </main>
  );
}
