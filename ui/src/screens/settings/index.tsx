import { useEffect, useState } from "react";

import type { AppInfo } from "../../bindings/AppInfo";
import { Loading } from "../../components/Loading";
import { PageHeader } from "../../components/PageHeader";
import { appInfo, toErrorReport } from "../../ipc";
import { AboutSection } from "./AboutSection";
import { AppearanceSection } from "./AppearanceSection";
import { SchedulesSection } from "./SchedulesSection";
import { UpdatesSection } from "./UpdatesSection";
// Incidents (SPEC §7)
import { IncidentAlertsSection } from "./IncidentAlertsSection";
import { WebhookSection } from "./WebhookSection";

type LoadState =
  | { status: "loading" }
  | { status: "ready"; info: AppInfo }
  | { status: "failed"; message: string };

export default function SettingsScreen() {
  const [state, setState] = useState<LoadState>({ status: "loading" });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    appInfo().then(
      (info) => {
        if (live) setState({ status: "ready", info });
      },
      (e: unknown) => {
        if (live) setState({ status: "failed", message: toErrorReport(e).message });
      },
    );
    return () => {
      live = false;
    };
  }, [attempt]);

  function retry() {
    setState({ status: "loading" });
    setAttempt((n) => n + 1);
  }

  return (
    <div className="page">
      <PageHeader
        title="Settings"
        description="About this installation, schedules, updates and appearance."
      />
      {state.status === "loading" && <Loading label="Loading settings" />}
      {state.status === "failed" && (
        <div className="panel">
          <p className="inline-error" role="alert">
            {state.message}
          </p>
          <button type="button" className="button" onClick={retry}>
            Try again
          </button>
        </div>
      )}
      {state.status === "ready" && (
        <div className="settings-grid">
          <AboutSection info={state.info} />
          <SchedulesSection engine={state.info.engine} />
          {state.info.engine && (
            <>
              <IncidentAlertsSection />
              <WebhookSection />
            </>
          )}
          <UpdatesSection version={state.info.version} updates={state.info.updates} />
          <AppearanceSection />
        </div>
      )}
    </div>
  );
}
