import { useState } from "react";

import type { UpdatesStatus } from "../../bindings/UpdatesStatus";
import { checkForUpdates, toErrorReport } from "../../ipc";
import { SettingsSection } from "./SettingsSection";

type CheckState =
  | { status: "idle" }
  | { status: "checking" }
  | { status: "done"; availableVersion: string | null }
  | { status: "failed"; message: string };

export function UpdatesSection({ updates }: { updates: UpdatesStatus }) {
  return (
    <SettingsSection title="Updates">
      {updates.enabled ? (
        <UpdateChecker detail={updates.detail} />
      ) : (
        <>
          <p className="updates-off">Updates are off</p>
          {updates.detail && <p className="hint">{updates.detail}</p>}
        </>
      )}
    </SettingsSection>
  );
}

function UpdateChecker({ detail }: { detail: string }) {
  const [check, setCheck] = useState<CheckState>({ status: "idle" });

  async function run() {
    setCheck({ status: "checking" });
    try {
      const result = await checkForUpdates();
      setCheck({ status: "done", availableVersion: result.availableVersion });
    } catch (e) {
      setCheck({ status: "failed", message: toErrorReport(e).message });
    }
  }

  const checking = check.status === "checking";
  return (
    <>
      {detail && <p className="hint">{detail}</p>}
      <div className="action-row">
        <button
          type="button"
          className="button"
          onClick={() => void run()}
          disabled={checking}
          aria-busy={checking}
        >
          Check for updates
        </button>
        {checking && (
          <span className="muted" role="status">
            Checking…
          </span>
        )}
        {check.status === "done" && (
          <span className="check-result" role="status">
            {check.availableVersion
              ? `Version ${check.availableVersion} is available.`
              : "You are on the latest version."}
          </span>
        )}
        {check.status === "failed" && (
          <span className="inline-error" role="alert">
            {check.message}
          </span>
        )}
      </div>
    </>
  );
}
