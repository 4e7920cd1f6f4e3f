import { useId, useState } from "react";
import { Link } from "react-router-dom";

import type { CompanyId } from "../../bindings/CompanyId";
import type { EngineEvent } from "../../bindings/EngineEvent";
import type { SweepRun } from "../../bindings/SweepRun";
import { RunStatusBadge } from "../../components/Badges";
import { Icon } from "../../components/Icon";
import { ProgressBar } from "../../components/ProgressBar";
import { countOf, formatCount } from "../../format";
import { useSubscription } from "../../hooks/useSubscription";
import { onEngineEvent, sweep, toErrorReport } from "../../ipc";
import { SIGNAL_LABELS, SIGNAL_STATUS } from "./labels";

type Progress = Extract<EngineEvent, { type: "sweepProgress" }>;

type Outcome =
  { kind: "run"; run: SweepRun } | { kind: "alreadyRunning" } | { kind: "failed"; message: string };

interface SweepButtonProps {
  /** One company's tenant, or every compliance tenant when null. */
  companyId: CompanyId | null;
  /** For the button and messages: "Acme", or null for all. */
  companyName: string | null;
  /** No signal has been collected yet: say that the first sweep is a dry run. */
  firstSweep: boolean;
  /** Names a company of the run's result. */
  companyNameOf: (id: CompanyId) => string;
  /** A sweep finished here: the signals on screen may have changed. */
  onSwept: () => void;
}

/** Run sweep now (one company or all), with progress from the engine's sweep events. */
export function SweepPanel({
  companyId,
  companyName,
  firstSweep,
  companyNameOf,
  onSwept,
}: SweepButtonProps) {
  const noteId = useId();
  const [running, setRunning] = useState(false);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const subject = companyName ?? "all compliance tenants";

  useSubscription(onEngineEvent, (event) => {
    if (event.type === "sweepProgress" && running) setProgress(event);
  });

  async function start() {
    setRunning(true);
    setProgress(null);
    setOutcome(null);
    try {
      setOutcome({ kind: "run", run: await sweep(companyId) });
      onSwept();
    } catch (e) {
      const { kind, message } = toErrorReport(e);
      setOutcome(kind === "alreadyRunning" ? { kind } : { kind: "failed", message });
    } finally {
      setRunning(false);
    }
  }

  return (
    <div className="sweep-panel">
      <div className="action-row action-row-top">
        <button
          type="button"
          className="button button-primary"
          disabled={running}
          aria-busy={running}
          aria-describedby={firstSweep ? noteId : undefined}
          aria-label={
            companyName === null ? "Run sweep now for all" : `Run sweep now for ${companyName}`
          }
          onClick={() => void start()}
        >
          <Icon name="sync" className={running ? "icon-spin" : undefined} />
          <span>
            {running
              ? "Sweeping…"
              : companyName === null
                ? "Run sweep now for all"
                : "Run sweep now"}
          </span>
        </button>
        {firstSweep && (
          <span id={noteId} className="hint inline-hint">
            The first sweep of each connection is a dry run: it collects signals and evidence but
            opens no tickets. Later sweeps open a ticket for each warning or failure.
          </span>
        )}
      </div>
      {running && <SweepProgress progress={progress} subject={subject} />}
      <div className="sync-outcome" aria-live="polite">
        {outcome?.kind === "run" && (
          <SweepSummary run={outcome.run} companyNameOf={companyNameOf} />
        )}
        {outcome?.kind === "alreadyRunning" && (
          <p className="callout callout-info">
            A sweep of {subject} is already running (started by the schedule, another window or the
            CLI). Its signals appear here when it finishes; see{" "}
            <Link to="/history">Sync history</Link>.
          </p>
        )}
      </div>
      {outcome?.kind === "failed" && (
        <div className="result result-failure" role="alert">
          <p className="result-title">Sweep of {subject} failed</p>
          <p className="result-message">{outcome.message}</p>
        </div>
      )}
    </div>
  );
}

function SweepProgress({ progress, subject }: { progress: Progress | null; subject: string }) {
  const text =
    progress === null
      ? "Starting…"
      : progress.companiesDone === 0 && progress.pages > 0
        ? `Reading NinjaOne: ${countOf(progress.pages, "page")} so far`
        : `${formatCount(progress.companiesDone)} of ${countOf(progress.companiesTotal, "compliance tenant")} swept`;
  return (
    <ProgressBar
      label={`Sweep of ${subject} progress`}
      done={progress?.companiesDone ?? 0}
      total={progress?.companiesTotal ?? null}
      text={text}
    />
  );
}

function SweepSummary({
  run,
  companyNameOf,
}: {
  run: SweepRun;
  companyNameOf: (id: CompanyId) => string;
}) {
  const dryRun = run.companies.filter((c) => c.dryRun && c.error === null);
  const failed = run.companies.filter((c) => c.error !== null);
  const notPassing = run.companies.flatMap((c) =>
    c.signals
      .filter((s) => s.status === "fail" || s.status === "warn")
      .map((s) => ({ company: c.companyId, ...s })),
  );
  return (
    <div className="result" role="status">
      <p className="result-title">
        <RunStatusBadge status={run.status} /> Sweep of{" "}
        {countOf(run.companies.length, "compliance tenant")} finished with{" "}
        {countOf(run.requests, "request")} to NinjaOne.
      </p>
      {notPassing.length > 0 ? (
        <ul className="plain-list">
          {notPassing.map((s) => (
            <li key={`${s.company}:${s.signal}`}>
              {companyNameOf(s.company)}: {SIGNAL_LABELS[s.signal]}{" "}
              {SIGNAL_STATUS[s.status].label.toLocaleLowerCase()}
            </li>
          ))}
        </ul>
      ) : (
        failed.length < run.companies.length && <p>No signal warns or fails.</p>
      )}
      {dryRun.length > 0 && (
        <p className="callout">
          Dry run for {dryRun.map((c) => companyNameOf(c.companyId)).join(", ")}: signals and
          evidence were written, no ticket was opened. The next sweep opens tickets.
        </p>
      )}
      {failed.map((c) => (
        <p key={c.companyId} className="inline-error">
          {companyNameOf(c.companyId)}: {c.error}
        </p>
      ))}
    </div>
  );
}
