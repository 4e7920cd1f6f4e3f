import type { ConnectionId } from "../bindings/ConnectionId";
import type { NinjaOrgId } from "../bindings/NinjaOrgId";
import type { SyncRun } from "../bindings/SyncRun";
import { countOf, formatCount } from "../format";
import { RUN_STATUS, SYNC_COUNTS } from "../labels";
import { TRUNCATED_NOTE } from "../runSummary";
import { RunStatusBadge } from "./Badges";

const RESULT_CLASS = {
  success: "result result-success",
  warning: "result result-warning",
  danger: "result result-failure",
  info: "result",
  muted: "result",
} as const;

interface SyncRunSummaryProps {
  run: SyncRun;
  /** The name to show for one mapping's organization. */
  organizationName: (connectionId: ConnectionId, orgId: NinjaOrgId) => string;
}

/** What a sync (or its preview) did per organization, with the engine's errors as it wrote them. */
export function SyncRunSummary({ run, organizationName }: SyncRunSummaryProps) {
  const { label, tone } = RUN_STATUS[run.status];
  const failures = run.companies.filter((part) => part.error !== null);
  return (
    <div className={run.preview ? "result result-preview" : RESULT_CLASS[tone]}>
      <p className="result-title result-title-row">
        <span>
          {run.preview ? "Preview — nothing was written" : `Sync ${label.toLocaleLowerCase()}`}
        </span>
        <RunStatusBadge status={run.status} />
        {run.runId !== null && <span className="muted">Run {run.runId}</span>}
      </p>
      <p className="result-message">
        {countOf(run.requests, "request")} to NinjaOne.
        {run.malformedItems > 0 &&
          ` ${countOf(run.malformedItems, "item")} NinjaOne sent did not fit and ${run.malformedItems === 1 ? "was" : "were"} skipped.`}
      </p>
      {run.truncatedAny && <p className="callout callout-warning">{TRUNCATED_NOTE}</p>}
      {run.companies.length === 0 ? (
        <p className="result-message">No mapped organization took part in this sync.</p>
      ) : (
        <div className="table-wrap">
          <table className="table table-compact">
            <caption className="visually-hidden">
              {run.preview
                ? "What a sync would do, per organization"
                : "Sync result per organization"}
            </caption>
            <thead>
              <tr>
                <th scope="col">Organization</th>
                {SYNC_COUNTS.map(({ key, label: heading }) => (
                  <th key={key} scope="col" className="num">
                    {heading}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {run.companies.map((part) => (
                <tr key={`${part.connectionId}:${part.orgId}`}>
                  <th scope="row">
                    <span className="org-name">
                      {organizationName(part.connectionId, part.orgId)}
                      {part.truncated && " "}
                      {part.truncated && <span className="badge badge-warning">Truncated</span>}
                      {part.error !== null && " "}
                      {part.error !== null && <span className="badge badge-danger">Failed</span>}
                    </span>
                  </th>
                  {SYNC_COUNTS.map(({ key }) => (
                    <td key={key} className="num">
                      {formatCount(part[key])}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {failures.length > 0 && (
        <ul className="run-errors" aria-label="Errors">
          {failures.map((part) => (
            <li key={`${part.connectionId}:${part.orgId}`}>
              <strong>{organizationName(part.connectionId, part.orgId)}:</strong> {part.error}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
