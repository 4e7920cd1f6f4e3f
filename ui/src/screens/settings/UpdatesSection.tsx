import { useState } from "react";

import type { UpdateCheck } from "../../bindings/UpdateCheck";
import type { UpdateProgress } from "../../bindings/UpdateProgress";
import type { UpdatesStatus } from "../../bindings/UpdatesStatus";
import { useSubscription } from "../../hooks/useSubscription";
import {
  checkForUpdates,
  downloadUpdate,
  installUpdate,
  onUpdateProgress,
  relaunch,
  toErrorReport,
} from "../../ipc";
import { SettingsSection } from "./SettingsSection";

// One update at a time moves through these steps; a failure keeps the last check so the
// person can try the download again.
type Step =
  | { status: "idle" }
  | { status: "checking" }
  | { status: "checked"; check: UpdateCheck }
  | { status: "downloading"; check: UpdateCheck; progress: UpdateProgress | null }
  | { status: "ready"; check: UpdateCheck }
  | { status: "installing"; check: UpdateCheck }
  | { status: "failed"; message: string; check: UpdateCheck | null };

export function UpdatesSection({ version, updates }: { version: string; updates: UpdatesStatus }) {
  return (
    <SettingsSection title="Updates">
      <p>
        Current version <strong>{version}</strong>
      </p>
      {updates.enabled ? (
        <Updater detail={updates.detail} />
      ) : (
        <>
          <p className="updates-off">Updates are off</p>
          {updates.detail && <p className="hint">{updates.detail}</p>}
        </>
      )}
    </SettingsSection>
  );
}

function percent(progress: UpdateProgress | null): number | null {
  if (!progress?.total) return null;
  return Math.min(100, Math.round((progress.downloaded / progress.total) * 100));
}

function Updater({ detail }: { detail: string }) {
  const [step, setStep] = useState<Step>({ status: "idle" });

  useSubscription(onUpdateProgress, (progress) => {
    setStep((current) => (current.status === "downloading" ? { ...current, progress } : current));
  });

  async function check() {
    setStep({ status: "checking" });
    try {
      setStep({ status: "checked", check: await checkForUpdates() });
    } catch (e) {
      setStep({ status: "failed", message: toErrorReport(e).message, check: null });
    }
  }

  async function download(found: UpdateCheck) {
    setStep({ status: "downloading", check: found, progress: null });
    try {
      await downloadUpdate();
      setStep({ status: "ready", check: found });
    } catch (e) {
      setStep({ status: "failed", message: toErrorReport(e).message, check: found });
    }
  }

  async function installAndRestart(found: UpdateCheck) {
    setStep({ status: "installing", check: found });
    try {
      await installUpdate();
      await relaunch();
    } catch (e) {
      setStep({ status: "failed", message: toErrorReport(e).message, check: found });
    }
  }

  const busy =
    step.status === "checking" || step.status === "downloading" || step.status === "installing";
  const found = "check" in step && step.check?.availableVersion ? step.check : null;
  const shown = percent(step.status === "downloading" ? step.progress : null);

  return (
    <>
      {detail && <p className="hint">{detail}</p>}
      <div className="action-row">
        <button
          type="button"
          className="button"
          onClick={() => void check()}
          disabled={busy}
          aria-busy={step.status === "checking"}
        >
          Check for updates
        </button>
        {step.status === "checking" && (
          <span className="muted" role="status">
            Checking…
          </span>
        )}
        {step.status === "checked" && !found && (
          <span className="check-result" role="status">
            You are on the latest version.
          </span>
        )}
      </div>
      {found && (
        <div className="update-offer">
          <p className="check-result" role="status">
            {`Version ${found.availableVersion} is available.`}
            {found.date && <span className="muted"> Published {found.date}.</span>}
          </p>
          {found.notes && (
            <>
              <h3>What&apos;s new</h3>
              <p className="update-notes">{found.notes}</p>
            </>
          )}
          {step.status === "downloading" && (
            <div className="update-progress">
              <progress aria-label="Download progress" max={100} value={shown ?? undefined} />
              <span className="muted" role="status">
                {shown === null ? "Downloading…" : `Downloading… ${shown}%`}
              </span>
            </div>
          )}
          <div className="action-row">
            {(step.status === "checked" || step.status === "failed") && (
              <button type="button" className="button" onClick={() => void download(found)}>
                Download update
              </button>
            )}
            {(step.status === "ready" || step.status === "installing") && (
              <>
                <span className="muted">Downloaded and verified.</span>
                <button
                  type="button"
                  className="button primary"
                  onClick={() => void installAndRestart(found)}
                  disabled={step.status === "installing"}
                  aria-busy={step.status === "installing"}
                >
                  Install and restart
                </button>
              </>
            )}
          </div>
        </div>
      )}
      {step.status === "failed" && (
        <p className="inline-error" role="alert">
          {step.message}
        </p>
      )}
    </>
  );
}
