import { useId } from "react";
import { Link } from "react-router-dom";

import type { CompanyId } from "../../bindings/CompanyId";
import { LoadFailed } from "../../components/LoadFailed";
import { Loading } from "../../components/Loading";
import { formatShortTimestamp } from "../../format";
import { useLoaded } from "../../hooks/useLoaded";
import { useSubscription } from "../../hooks/useSubscription";
import { onEngineEvent, signals as loadSignals } from "../../ipc";
import { describeSignal, SIGNAL_KINDS, SIGNAL_LABELS } from "./labels";
import { SignalBadge } from "./SignalBadge";
import { WorstSignal } from "./WorstSignal";

/** A compliance tenant's five signals on its company page, with the way to the dashboard. */
export function ComplianceSummary({ companyId }: { companyId: CompanyId }) {
  const headingId = useId();
  const { state, retry, refresh } = useLoaded(() => loadSignals(companyId));
  useSubscription(onEngineEvent, (event) => {
    if (event.type === "sweepFinished") refresh();
  });
  const dashboard = `/compliance?company=${companyId}`;
  return (
    <section className="panel" aria-labelledby={headingId}>
      <div className="section-header">
        <h2 id={headingId} className="panel-title">
          Compliance signals
        </h2>
        <Link to={dashboard}>Open in the Compliance dashboard</Link>
      </div>
      {state.status === "loading" && <Loading label="Loading compliance signals" />}
      {state.status === "failed" && <LoadFailed message={state.message} onRetry={retry} />}
      {state.status === "ready" &&
        (state.data.length === 0 ? (
          <p className="muted">
            No sweep yet: its five signals appear here after a sweep from the{" "}
            <Link to={dashboard}>Compliance dashboard</Link>.
          </p>
        ) : (
          <>
            <p className="compliance-status">
              Compliance status: <WorstSignal rows={state.data} />{" "}
              <span className="hint">(the worst of its latest signals)</span>
            </p>
            <table className="table">
              <caption className="visually-hidden">
                Latest compliance signals of this company
              </caption>
              <thead>
                <tr>
                  <th scope="col">Signal</th>
                  <th scope="col">Status</th>
                  <th scope="col">Numbers</th>
                  <th scope="col">Collected</th>
                </tr>
              </thead>
              <tbody>
                {SIGNAL_KINDS.map((kind) => {
                  const row = state.data.find((r) => r.signal === kind);
                  return (
                    <tr key={kind}>
                      <th scope="row">{SIGNAL_LABELS[kind]}</th>
                      <td>
                        {row ? <SignalBadge row={row} /> : <span className="muted">Not swept</span>}
                      </td>
                      <td>{row ? describeSignal(row)[0] : "—"}</td>
                      <td className="nowrap">
                        {row ? (
                          <time dateTime={row.collectedAt}>
                            {formatShortTimestamp(row.collectedAt)}
                          </time>
                        ) : (
                          "—"
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </>
        ))}
    </section>
  );
}
