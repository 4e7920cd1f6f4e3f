// An opened sync run, per company and organization: what each mapping did, whether NinjaOne
// had more devices than one sync reads, and what went wrong with what to do. Asked of the
// engine only when a run is opened, since a run can span hundreds of mappings.
import { Fragment } from "react";
import { Link } from "react-router-dom";

import type { RunCompanyRow } from "../../bindings/RunCompanyRow";
import type { RunRow } from "../../bindings/RunRow";
import { Loading } from "../../components/Loading";
import { formatCount } from "../../format";
import { useLoaded } from "../../hooks/useLoaded";
import { runCompanies } from "../../ipc";
import { SYNC_COUNTS } from "../../labels";

/** Company, organization, then one column per count. */
const COLUMNS = 2 + SYNC_COUNTS.length;

/**
 * The sync run's mappings, failed ones first. Give it a `key` that changes when the run ends,
 * so a run opened while it was running is asked for again once it has finished.
 */
export function RunCompanies({ run }: { run: RunRow }) {
  const { state, retry } = useLoaded(() => runCompanies(run.id));

  if (state.status === "loading") {
    return <Loading label={`Loading run ${run.id} per company`} />;
  }
  if (state.status === "failed") {
    return (
      <>
        <div className="callout-row">
          <p className="inline-error" role="alert">
            The run&apos;s results per company could not be loaded. {state.message}
          </p>
          <button type="button" className="button button-small" onClick={retry}>
            Try again
          </button>
        </div>
        {/* The run's own list still says what went wrong, each with what to do. */}
        <RunErrors errors={run.errors} />
      </>
    );
  }

  const rows = state.data;
  if (rows.length === 0) {
    return (
      <>
        <p className="muted">No organization was recorded for this run.</p>
        <RunErrors errors={run.errors} />
      </>
    );
  }
  const failed = rows.filter((row) => row.error !== null);
  const ordered = [...failed, ...rows.filter((row) => row.error === null)];
  // The organization ids only tell the mappings apart within one connection.
  const severalConnections = new Set(rows.map((row) => row.connectionId)).size > 1;
  return (
    <>
      <p className="run-details-subtitle">
        Per company and organization
        {failed.length > 0 && (
          <span className="inline-error errors-count"> · {failed.length} failed, listed first</span>
        )}
      </p>
      <div className="table-wrap">
        <table className="table table-compact">
          <caption className="visually-hidden">Run {run.id} per company and organization</caption>
          <thead>
            <tr>
              <th scope="col">Company</th>
              <th scope="col">NinjaOne organization</th>
              {SYNC_COUNTS.map(({ key, label }) => (
                <th key={key} scope="col" className="num">
                  {label}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {ordered.map((row) => (
              <RunCompanyView
                key={`${row.connectionId}:${row.orgId}`}
                row={row}
                severalConnections={severalConnections}
              />
            ))}
          </tbody>
        </table>
      </div>
      {/* Errors the engine did not tie to a mapping (a run recorded before this list was). */}
      {failed.length === 0 && <RunErrors errors={run.errors} />}
    </>
  );
}

function RunCompanyView({
  row,
  severalConnections,
}: {
  row: RunCompanyRow;
  severalConnections: boolean;
}) {
  const name = row.companyName ?? `Company ${row.companyId} (removed)`;
  return (
    <Fragment>
      <tr className={row.error !== null ? "row-failed" : undefined}>
        <th scope="row">
          <span className="org-name">
            {row.companyName !== null ? (
              <Link to={`/companies/${row.companyId}`}>{row.companyName}</Link>
            ) : (
              name
            )}
            {row.error !== null && <span className="badge badge-danger">Failed</span>}
            {row.truncated && <span className="badge badge-warning">Truncated</span>}
          </span>
        </th>
        <td className="nowrap">
          {row.orgId}
          {severalConnections && <span className="hint"> · connection {row.connectionId}</span>}
        </td>
        {SYNC_COUNTS.map(({ key }) => (
          <td key={key} className="num">
            {formatCount(row[key])}
          </td>
        ))}
      </tr>
      {row.error !== null && (
        <tr className="row-failed row-failed-error">
          <td colSpan={COLUMNS}>
            <p className="inline-error">
              <span className="visually-hidden">
                {name}, organization {row.orgId}:{" "}
              </span>
              {row.error}
            </p>
          </td>
        </tr>
      )}
    </Fragment>
  );
}

/** The errors recorded on a run, each as the engine worded it with what to do. */
export function RunErrors({ errors }: { errors: readonly string[] }) {
  if (errors.length === 0) return <p className="muted">No errors.</p>;
  return (
    <>
      <p className="run-details-subtitle">Errors, each with what to do</p>
      <ul className="run-errors">
        {errors.map((error, index) => (
          <li key={index}>{error}</li>
        ))}
      </ul>
    </>
  );
}
