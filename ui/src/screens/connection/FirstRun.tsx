import type { DemoTenant } from "../../bindings/DemoTenant";

/**
 * The first window of a new installation: what Fleetward does, and the two ways to start.
 * Shown on the Connection screen while nothing is saved yet.
 */
export function FirstRun({
  demo,
  onConnect,
  onTryDemo,
}: {
  demo: DemoTenant | null;
  onConnect: () => void;
  onTryDemo: (demo: DemoTenant) => void;
}) {
  return (
    <section className="panel first-run" aria-labelledby="first-run-title">
      <h2 id="first-run-title">Welcome to Fleetward</h2>
      <p>
        Fleetward connects read-only to your NinjaOne tenant and keeps each customer company&apos;s
        device inventory, compliance evidence and alert incidents in one encrypted store on this
        computer. Connect your NinjaOne API client to start, or look around first with a made-up
        demo tenant that runs inside the app.
      </p>
      <div className="action-row">
        <button type="button" className="button primary" onClick={onConnect}>
          Connect NinjaOne
        </button>
        <button
          type="button"
          className="button"
          disabled={!demo}
          aria-describedby={demo ? undefined : "first-run-no-demo"}
          onClick={() => demo && onTryDemo(demo)}
        >
          Try the demo tenant
        </button>
      </div>
      {!demo && (
        <p id="first-run-no-demo" className="hint">
          The demo tenant is not available: its built-in simulator could not start. Restart
          Fleetward to try again.
        </p>
      )}
    </section>
  );
}
