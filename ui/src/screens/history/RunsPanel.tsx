import { Fragment, useState } from "react";
import { Link } from "react-router-dom";

import type { Company } from "../../bindings/Company";
import type { RunId } from "../../bindings/RunId";
import type { RunRow } from "../../bindings/RunRow";
import { RunStatusBadge } from "../../components/Badges";
import { CancelRunButton } from "../../components/CancelRunButton";
import { EmptyState } from "../../components/EmptyState";
import { LoadFailed } from "../../components/LoadFailed";
import { Loading } from "../../components/Loading";
import { countOf, formatCount, formatShortTimestamp, formatTimestamp } from "../../format";
import { useLoaded } from "../../hooks/useLoaded";
import { useSubscription } from "../../hooks/useSubscription";
import { companies as loadCompanies, onEngineEvent, runs as loadRuns } from "../../ipc";
import { RUN_KIND_LABELS, SYNC_COUNTS, TRIGGER_LABELS } from "../../labels";
import { countsSentence, malformedSentence, TRUNCATED_NOTE } from "../../runSummary";
import { SweepCountsDetails, sweepSentence } from "../compliance/SweepCounts";
import { RunCompanies, RunErrors } from "./RunCompanies";
import { scopeView } from "./scope";

interface Data {
  runs: RunRow[];
  /** For scope names only: the list still opens when they cannot be loaded. */
  companies: Company[];
}

const COLUMNS = 9;

/** Kinds of run that stop at a safe point when asked. */
const CANCELLABLE: RunRow["kind"][] = ["sync"];

export function RunsPanel({ openRun }: { openRun: RunId | null }) {
  const { state, retry, refresh } = useLoaded<Data>(async () => {
    const [runs, companies] = await Promise.all([loadRuns(), loadCompanies().catch(() => [])]);
    return { runs, companies };
  });

  // A run that finished anywhere (schedule, tray, another screen) shows up here at once.
  useSubscription(onEngineEvent, (event) => {
    if (event.type === "syncFinished") refresh();
  });

  if (state.status === "loading") return <Loading label="Loading runs" />;
  if (state.status === "failed") return <LoadFailed message={state.message} onRetry={retry} />;
  const { runs, companies } = state.data;
  if (runs.length === 0) {
    return (
      <EmptyState>
        <p>No runs yet. Syncs, sweeps and discoveries appear here as they run.</p>
      </EmptyState>
    );
  }
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Runs, newest first</caption>
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">Details</span>
            </th>
            <th scope="col">Started</th>
            <th scope="col">Kind</th>
            <th scope="col">Trigger</th>
            <th scope="col">Scope</th>
            <th scope="col">Status</th>
            <th scope="col">Ended</th>
            <th scope="col" className="num">
              Requests
            </th>
            <th scope="col">Changes</th>
          </tr>
        </thead>
        <tbody>
          {runs.map((run) => (
            <RunRowView
              key={run.id}
              run={run}
              companies={companies}
              initiallyOpen={run.id === openRun}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RunRowView({
  run,
  companies,
  initiallyOpen,
}: {
  run: RunRow;
  companies: Company[];
  initiallyOpen: boolean;
}) {
  const [open, setOpen] = useState(initiallyOpen);
  const detailsId = `run-${run.id}-details`;
  const scope = scopeView(run.scope, companies);
  const started = formatShortTimestamp(run.startedAt);
  return (
    <Fragment>
      <tr className={initiallyOpen ? "row-highlight" : undefined}>
        <td className="toggle-cell">
          <button
            type="button"
            className="button button-small button-quiet disclosure"
            aria-expanded={open}
            aria-controls={detailsId}
            aria-label={`${open ? "Hide" : "Show"} details of run ${run.id} started ${started}`}
            onClick={() => setOpen((value) => !value)}
          >
            <span aria-hidden="true">{open ? "▾" : "▸"}</span>
          </button>
        </td>
        <th scope="row" className="nowrap">
          <time dateTime={run.startedAt} title={formatTimestamp(run.startedAt)}>
            {started}
          </time>
        </th>
        <td className="nowrap">{RUN_KIND_LABELS[run.kind]}</td>
        <td className="nowrap">{TRIGGER_LABELS[run.trigger]}</td>
        <td>
          {scope.companyId !== null ? (
            <Link to={`/companies/${scope.companyId}`}>{scope.text}</Link>
          ) : (
            scope.text
          )}
        </td>
        <td>
          <span className="status-cell">
            <RunStatusBadge status={run.status} />
            {run.status === "running" && CANCELLABLE.includes(run.kind) && (
              <CancelRunButton runId={run.id} label={`Cancel run ${run.id} started ${started}`} />
            )}
            {run.truncatedAny && <span className="badge badge-warning">Truncated</span>}
          </span>
        </td>
        <td className="nowrap">
          {run.endedAt === null ? (
            "—"
          ) : (
            <time dateTime={run.endedAt} title={formatTimestamp(run.endedAt)}>
              {formatShortTimestamp(run.endedAt)}
            </time>
          )}
        </td>
        <td className="num">{formatCount(run.requests)}</td>
        <td className="changes-cell">
          {run.counts !== null
            ? countsSentence(run.counts)
            : run.sweep !== null
              ? sweepSentence(run.sweep)
              : "—"}
          {run.errors.length > 0 && (
            <span className="inline-error errors-count">
              {" "}
              · {countOf(run.errors.length, "error")}
            </span>
          )}
        </td>
      </tr>
      {open && (
        <tr className="options-row" id={detailsId}>
          <td colSpan={COLUMNS}>
            <RunDetails run={run} />
          </td>
        </tr>
      )}
    </Fragment>
  );
}

function RunDetails({ run }: { run: RunRow }) {
  return (
    <div className="run-details">
      <p className="run-details-title">Run {run.id}</p>
      {run.counts !== null && (
        <dl className="counts">
          {SYNC_COUNTS.map(({ key, label }) => (
            <div key={key}>
              <dt>{label}</dt>
              <dd>{formatCount(run.counts?.[key] ?? 0)}</dd>
            </div>
          ))}
        </dl>
      )}
      {run.sweep !== null && <SweepCountsDetails counts={run.sweep} />}
      {run.malformedItems > 0 && (
        <p className="callout callout-warning">{malformedSentence(run.malformedItems)}</p>
      )}
      {run.truncatedAny && <p className="callout callout-warning">{TRUNCATED_NOTE}</p>}
      {run.kind === "sync" ? (
        // Keyed by status: a run opened while running is asked for again once it ends.
        <RunCompanies key={run.status} run={run} />
      ) : (
        <RunErrors errors={run.errors} />
      )}
    </div>
  );
}
