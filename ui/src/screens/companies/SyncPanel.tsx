import { useEffect, useId, useRef, useState } from "react";
import { Link } from "react-router-dom";

import type { CompanyId } from "../../bindings/CompanyId";
import type { ConnectionId } from "../../bindings/ConnectionId";
import type { EngineEvent } from "../../bindings/EngineEvent";
import type { NinjaOrgId } from "../../bindings/NinjaOrgId";
import type { RunId } from "../../bindings/RunId";
import type { SyncRun } from "../../bindings/SyncRun";
import { CancelRunButton } from "../../components/CancelRunButton";
import { Icon } from "../../components/Icon";
import { ProgressBar } from "../../components/ProgressBar";
import { SyncRunSummary } from "../../components/SyncRunSummary";
import { WaitingNote } from "../../components/WaitingNote";
import { countOf, formatCount } from "../../format";
import { useSubscription } from "../../hooks/useSubscription";
import { useWaitingMessage } from "../../hooks/useWaitingMessage";
import { onEngineEvent, runs as loadRuns, syncCompany, toErrorReport } from "../../ipc";

type Progress = Extract<EngineEvent, { type: "syncProgress" }>;

type Outcome =
  | { kind: "run"; run: SyncRun }
  | { kind: "alreadyRunning" }
  | { kind: "failed"; preview: boolean; message: string };

/**
 * A recorded sync that writes this company but was not started here: Sync all now, the
 * schedule, the tray, another window or the CLI. `progress` is null until its first event.
 */
interface Elsewhere {
  runId: RunId;
  scope: string;
  progress: Progress | null;
}

/** Whether a run of `scope` (as its record names it) writes the company: `all` writes each. */
function covers(scope: string, companyId: CompanyId): boolean {
  return scope === "all" || scope === `company:${companyId}`;
}

interface SyncPanelProps {
  companyId: CompanyId;
  companyName: string;
  organizationName: (connectionId: ConnectionId, orgId: NinjaOrgId) => string;
  /** A real sync finished (not a preview): what the page shows may have changed. */
  onSynced: () => void;
}

/** Sync With NinjaOne and Preview for one company, with live progress and the result. */
export function SyncPanel({ companyId, companyName, organizationName, onSynced }: SyncPanelProps) {
  const headingId = useId();
  const [busy, setBusy] = useState<"sync" | "preview" | null>(null);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [elsewhere, setElsewhere] = useState<Elsewhere | null>(null);
  // Runs known to have ended, so a late answer or event cannot show one as running again.
  const finished = useRef(new Set<RunId>());
  const waiting = useWaitingMessage();

  // This page's own run moves its bar: the event names the run's scope, and a preview records
  // no run (runId null) while a sync does. Any other recorded sync that writes this company
  // (scope `all` or this company) holds Sync back until its `syncFinished`.
  useSubscription(onEngineEvent, (event) => {
    if (event.type === "syncFinished") {
      finished.current.add(event.runId);
      setElsewhere((current) => (current?.runId === event.runId ? null : current));
      return;
    }
    if (event.type !== "syncProgress" || !covers(event.scope, companyId)) return;
    const own = event.scope === `company:${companyId}`;
    if (event.runId === null) {
      if (busy === "preview" && own) setProgress(event);
      return;
    }
    if (busy === "sync" && own) {
      setProgress(event);
      return;
    }
    if (finished.current.has(event.runId)) return;
    setElsewhere({ runId: event.runId, scope: event.scope, progress: event });
  });

  // A sync may have started before this page opened: its record says so at once, without
  // waiting for its next progress event.
  useEffect(() => {
    let live = true;
    loadRuns().then(
      (rows) => {
        const run = rows.find(
          (row) =>
            row.kind === "sync" &&
            row.status === "running" &&
            covers(row.scope, companyId) &&
            !finished.current.has(row.id),
        );
        if (live && run) {
          setElsewhere((current) => current ?? { runId: run.id, scope: run.scope, progress: null });
        }
      },
      // Without the history the page still learns of a running sync from its events.
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [companyId]);

  async function start(preview: boolean) {
    waiting.clear();
    setBusy(preview ? "preview" : "sync");
    setProgress(null);
    setOutcome(null);
    try {
      const run = await syncCompany(companyId, preview);
      setOutcome({ kind: "run", run });
      if (!preview) onSynced();
    } catch (e) {
      const { kind, message } = toErrorReport(e);
      setOutcome(kind === "alreadyRunning" ? { kind } : { kind: "failed", preview, message });
    } finally {
      setBusy(null);
    }
  }

  // While this page's own sync runs, its bar says it all.
  const running = busy === "sync" ? null : elsewhere;
  const syncLabel =
    busy === "sync" ? "Syncing…" : running !== null ? "Sync running…" : "Sync With NinjaOne";

  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId} className="panel-title">
        Sync with NinjaOne
      </h2>
      <div className="action-row action-row-top">
        <button
          type="button"
          className="button button-primary"
          disabled={busy !== null || running !== null}
          aria-busy={busy === "sync" || running !== null}
          onClick={() => void start(false)}
        >
          <Icon
            name="sync"
            className={busy === "sync" || running !== null ? "icon-spin" : undefined}
          />
          <span>{syncLabel}</span>
        </button>
        <button
          type="button"
          className="button"
          disabled={busy !== null}
          aria-busy={busy === "preview"}
          onClick={() => void start(true)}
        >
          {busy === "preview" ? "Previewing…" : "Preview"}
        </button>
        <span className="hint inline-hint">
          Preview shows what a sync would create, update, mark stale and retire, without writing
          anything.
        </span>
      </div>
      {busy !== null && (
        <div className="sync-progress-row">
          <SyncProgress progress={progress} label={busy === "preview" ? "Preview" : "Sync"} />
          {busy === "sync" && progress?.runId != null && (
            <CancelRunButton runId={progress.runId} label={`Cancel the sync of ${companyName}`} />
          )}
        </div>
      )}
      {running !== null && (
        <div>
          <SyncProgress progress={running.progress} label="Running sync" />
          <p className="hint">
            {running.scope === "all"
              ? "Every company is being synced (Sync all now or the schedule)."
              : "A sync of this company, started in another window or from the command line, is running."}{" "}
            Sync With NinjaOne is available again when it finishes, and this page then shows what it
            changed. Its result will be in <Link to="/history">Sync history</Link>.
          </p>
        </div>
      )}
      <WaitingNote message={busy !== null || running !== null ? waiting.message : null} />
      <div className="sync-outcome" aria-live="polite">
        {outcome?.kind === "run" && (
          <SyncRunSummary run={outcome.run} organizationName={organizationName} />
        )}
        {outcome?.kind === "alreadyRunning" && (
          <p className="callout callout-info">
            A sync of this company is already running; its result will appear in{" "}
            <Link to="/history">Sync history</Link>.
          </p>
        )}
      </div>
      {outcome?.kind === "failed" && (
        <div className="result result-failure" role="alert">
          <p className="result-title">
            {outcome.preview ? "Preview" : "Sync"} of {companyName} failed
          </p>
          <p className="result-message">{outcome.message}</p>
        </div>
      )}
    </section>
  );
}

function SyncProgress({ progress, label }: { progress: Progress | null; label: string }) {
  const text =
    progress === null
      ? "Starting…"
      : `${formatCount(progress.organizationsDone)} of ${countOf(progress.organizationsTotal, "organization")} done · ${countOf(progress.devices, "device")} read`;
  return (
    <ProgressBar
      label={`${label} progress`}
      done={progress?.organizationsDone ?? 0}
      total={progress?.organizationsTotal ?? null}
      text={text}
    />
  );
}
