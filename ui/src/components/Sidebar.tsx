import { useState } from "react";
import { NavLink } from "react-router-dom";

import { syncAllNow, toErrorReport } from "../ipc";
import { SCREENS } from "../routes";
import { Icon } from "./Icon";
import { useToast } from "./Toasts";

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
  const [busy, setBusy] = useState(false);

  async function run() {
    setBusy(true);
    try {
      await syncAllNow();
    } catch (e) {
      toast({ severity: "error", title: "Sync all now failed", message: toErrorReport(e).message });
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
