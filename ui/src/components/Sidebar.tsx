import { useState } from "react";
import { NavLink, useNavigate } from "react-router-dom";

import type { SyncRun } from "../bindings/SyncRun";
import { syncAllNow, toErrorReport } from "../ipc";
import { runErrors, runSentence } from "../runSummary";
import { SCREENS } from "../routes";
import { Icon } from "./Icon";
import { useToast } from "./Toasts";
import type { ToastInput } from "./Toasts";

/** The toast a finished Sync all now leaves: how it went, what changed, what failed. */
function runToast(run: SyncRun): ToastInput {
  const errors = runErrors(run);
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more: see Sync history)` : "";
  const problems = errors.length > 0 ? ` ${errors[0]}${more}` : "";
  const message = `${runSentence(run)}${problems}`;
  switch (run.status) {
    case "succeeded":
      return { severity: "info", title: "Sync all now finished", message };
    case "partial":
      return { severity: "warning", title: "Sync all now finished with errors", message };
    case "failed":
      return { severity: "error", title: "Sync all now failed", message };
    case "cancelled":
      return { severity: "warning", title: "Sync all now was cancelled", message };
    case "running":
      // The command answers when the run has ended; say what it said all the same.
      return { severity: "info", title: "Sync all now is running", message };
  }
}

export function Sidebar({ version }: { version: string }) {
  return (
    <aside className="sidebar">
      <div className="sidebar-header">
        <span className="brand-mark" aria-hidden="true">
          F
        </span>
        <span className="brand-text">
          <span className="brand-name">Fleetward</span>
          <span className="brand-version">Version {version}</span>
        </span>
      </div>
      <nav className="sidebar-nav" aria-label="Main">
        <ul>
          {SCREENS.map((screen) => (
            <li key={screen.path}>
              <NavLink to={screen.path} className="nav-link">
                <Icon name={screen.icon} />
                <span>{screen.label}</span>
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <div className="sidebar-footer">
        <SyncAllButton />
      </div>
    </aside>
  );
}

function SyncAllButton() {
  const toast = useToast();
  const navigate = useNavigate();
  const [busy, setBusy] = useState(false);

  async function run() {
    setBusy(true);
    try {
      toast(runToast(await syncAllNow()));
    } catch (e) {
      const { kind, message } = toErrorReport(e);
      switch (kind) {
        // The capability is not in this build: nothing the technician can set up changes that.
        case "unavailable":
          toast({ severity: "info", title: "Sync all now is not available yet", message });
          break;
        // Nothing is mapped yet: the message says where to map organizations.
        case "invalidInput":
          toast({ severity: "warning", title: "Nothing to sync yet", message });
          break;
        // No connection yet: the message says so, and Connection is where to add one.
        case "notConfigured":
          toast({ severity: "error", title: "Sync all now failed", message });
          void navigate("/connection");
          break;
        // A sync (scheduled, from the tray or another window) is already at work: nothing
        // failed, and starting a second one would only wait for the first.
        case "alreadyRunning":
          toast({
            severity: "info",
            title: "A sync is already running",
            message: "It will finish on its own; see Sync history for its result.",
          });
          break;
        default:
          toast({ severity: "error", title: "Sync all now failed", message });
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <button
      type="button"
      className="button button-primary sync-all"
      onClick={() => void run()}
      disabled={busy}
      aria-busy={busy}
    >
      <Icon name="sync" className={busy ? "icon-spin" : undefined} />
      <span>{busy ? "Syncing…" : "Sync all now"}</span>
    </button>
  );
}
