import type { ErrorReport } from "../bindings/ErrorReport";

/** Shown instead of the whole app when the engine could not start. No navigation on purpose. */
export function StartErrorPanel({ report }: { report: ErrorReport }) {
  return (
    <main className="start-error">
      <div className="start-error-card" role="alert">
        <h1>Fleetward could not start</h1>
        <p className="start-error-message">{report.message}</p>
        <p className="start-error-hint">
          Close Fleetward and open it again. If this keeps happening, send this message to your
          administrator.
        </p>
      </div>
    </main>
  );
}
