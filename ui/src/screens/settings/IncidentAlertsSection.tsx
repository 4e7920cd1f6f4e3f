import { useId, useState } from "react";

import type { IncidentSettings } from "../../bindings/IncidentSettings";
import type { IncidentSeverity } from "../../bindings/IncidentSeverity";
import { LoadFailed } from "../../components/LoadFailed";
import { Loading } from "../../components/Loading";
import { useLoaded } from "../../hooks/useLoaded";
import { incidentSettings, saveIncidentSettings, toErrorReport } from "../../ipc";
import { SEVERITIES, SEVERITY } from "../incidents/labels";
import { SettingsSection } from "./SettingsSection";

/** Notification threshold and poll interval of incidents (SPEC §7, §8). */
export function IncidentAlertsSection() {
  const { state, retry } = useLoaded(incidentSettings);
  return (
    <SettingsSection title="Incident alerts">
      {state.status === "loading" && <Loading label="Loading incident settings" />}
      {state.status === "failed" && <LoadFailed message={state.message} onRetry={retry} />}
      {state.status === "ready" && <IncidentSettingsForm saved={state.data} />}
    </SettingsSection>
  );
}

function IncidentSettingsForm({ saved }: { saved: IncidentSettings }) {
  const ids = { notify: useId(), poll: useId(), pollHint: useId() };
  const [notifyAt, setNotifyAt] = useState<IncidentSeverity>(saved.notifyAt);
  const [minutes, setMinutes] = useState(String(saved.pollEverySecs / 60));
  const [status, setStatus] = useState<
    { kind: "idle" } | { kind: "saving" } | { kind: "saved" } | { kind: "failed"; message: string }
  >({ kind: "idle" });

  async function save() {
    setStatus({ kind: "saving" });
    try {
      const stored = await saveIncidentSettings({
        notifyAt,
        pollEverySecs: Math.round(Number(minutes) * 60),
      });
      setNotifyAt(stored.notifyAt);
      setMinutes(String(stored.pollEverySecs / 60));
      setStatus({ kind: "saved" });
    } catch (e) {
      setStatus({ kind: "failed", message: toErrorReport(e).message });
    }
  }

  return (
    <div className="form">
      <div className="field">
        <label htmlFor={ids.notify}>Notify for new or reopened incidents at or above</label>
        <select
          id={ids.notify}
          value={notifyAt}
          onChange={(e) => setNotifyAt(e.currentTarget.value as IncidentSeverity)}
        >
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {SEVERITY[s].label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={ids.poll}>Poll NinjaOne activities every (minutes)</label>
        <input
          id={ids.poll}
          type="number"
          min={1}
          step={1}
          value={minutes}
          aria-describedby={ids.pollHint}
          onChange={(e) => setMinutes(e.currentTarget.value)}
        />
        <p id={ids.pollHint} className="hint">
          2 minutes by default. Polling needs no inbound network; the webhook receiver below brings
          alerts sooner.
        </p>
      </div>
      <div className="action-row">
        <button
          type="button"
          className="button"
          disabled={status.kind === "saving"}
          onClick={() => void save()}
        >
          {status.kind === "saving" ? "Saving…" : "Save incident alerts"}
        </button>
        {status.kind === "saved" && (
          <span role="status" className="hint">
            Saved.
          </span>
        )}
      </div>
      {status.kind === "failed" && (
        <p className="inline-error" role="alert">
          {status.message}
        </p>
      )}
    </div>
  );
}
