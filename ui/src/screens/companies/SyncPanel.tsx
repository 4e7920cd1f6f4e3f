import { useId, useState } from "react";
import { Link } from "react-router-dom";

import type { CompanyId } from "../../bindings/CompanyId";
import type { ConnectionId } from "../../bindings/ConnectionId";
import type { EngineEvent } from "../../bindings/EngineEvent";
import type { NinjaOrgId } from "../../bindings/NinjaOrgId";
import type { SyncRun } from "../../bindings/SyncRun";
import { CancelRunButton } from "../../components/CancelRunButton";
import { Icon } from "../../components/Icon";
import { ProgressBar } from "../../components/ProgressBar";
import { SyncRunSummary } from "../../components/SyncRunSummary";
import { WaitingNote } from "../../components/WaitingNote";
import { countOf, formatCount } from "../../format";
import { useSubscription } from "../../hooks/useSubscription";
import { useWaitingMessage } from "../../hooks/useWaitingMessage";
import { onEngineEvent, syncCompany, toErrorReport } from "../../ipc";

type Progress = Extract<EngineEvent, { type: "syncProgress" }>;

type Outcome =
  | { kind: "run"; run: SyncRun }
  | { kind: "alreadyRunning" }
  | { kind: "failed"; preview: boolean; message: string };

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
  const waiting = useWaitingMessage();

  // Only this company's own run moves its bar: the event names the run's scope, and a preview
  // records no run (runId null) while a sync does.
  useSubscription(onEngineEvent, (event) => {
    if (event.type !== "syncProgress" || busy === null) return;
    if (event.scope !== `company:${companyId}`) return;
    if ((busy === "preview") === (event.runId === null)) setProgress(event);
  });

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

  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId} className="panel-title">
        Sync with NinjaOne
      </h2>
      <div className="action-row action-row-top">
        <button
          type="button"
          className="button button-primary"
          disabled={busy !== null}
          aria-busy={busy === "sync"}
          onClick={() => void start(false)}
        >
          <Icon name="sync" className={busy === "sync" ? "icon-spin" : undefined} />
          <span>{busy === "sync" ? "Syncing…" : "Sync With NinjaOne"}</span>
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
      <WaitingNote message={busy !== null ? waiting.message : null} />
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
