import { useId, useState } from "react";

import type { EngineStatus } from "../../bindings/EngineStatus";
import { useSubscription } from "../../hooks/useSubscription";
import { onEngineEvent, setSchedulesPaused, toErrorReport } from "../../ipc";
import { SettingsSection } from "./SettingsSection";

export function SchedulesSection({ engine }: { engine: EngineStatus | null }) {
  return (
    <SettingsSection title="Schedules">
      {engine ? (
        <>
          <ul className="plain-list schedule-list" aria-label="Schedules">
            <li>Asset sync: every 4 hours at :15 (00:15, 04:15, 08:15, …).</li>
            <li>Compliance sweep: every 6 hours at :30 (00:30, 06:30, 12:30, 18:30).</li>
            <li className="hint">
              A run missed while Fleetward was closed catches up at start-up.
            </li>
          </ul>
          <PauseSwitch initialPaused={engine.schedulesPaused} />
        </>
      ) : (
        <p className="muted">Schedules are not available because the engine is not running.</p>
      )}
    </SettingsSection>
  );
}

function PauseSwitch({ initialPaused }: { initialPaused: boolean }) {
  const hintId = useId();
  const [paused, setPaused] = useState(initialPaused);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // The tray menu can pause and resume too; the engine tells every window.
  useSubscription(onEngineEvent, (event) => {
    if (event.type === "schedulesChanged") setPaused(event.paused);
  });

  async function change(next: boolean) {
    setSaving(true);
    setError(null);
    try {
      const status = await setSchedulesPaused(next);
      setPaused(status.schedulesPaused);
    } catch (e) {
      setError(toErrorReport(e).message);
    } finally {
      setSaving(false);
    }
  }

  return (
    <>
      <label className="switch-row">
        <input
          type="checkbox"
          className="switch"
          checked={paused}
          disabled={saving}
          aria-describedby={hintId}
          onChange={(e) => void change(e.currentTarget.checked)}
        />
        <span>Pause scheduled syncs and sweeps</span>
      </label>
      <p id={hintId} className="hint">
        {paused
          ? "Paused: nothing runs on a schedule until you resume."
          : "Scheduled syncs and sweeps run as planned."}
      </p>
      {error && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
