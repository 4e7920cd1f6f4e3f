import { useState } from "react";

import type { Connection } from "../../bindings/Connection";
import type { SavedConnection } from "../../bindings/SavedConnection";
import { LoadFailed } from "../../components/LoadFailed";
import { Loading } from "../../components/Loading";
import { PageHeader } from "../../components/PageHeader";
import { useLoaded } from "../../hooks/useLoaded";
import { connectionSetup, connections } from "../../ipc";
import { ConnectionForm } from "./ConnectionForm";
import { FirstRun } from "./FirstRun";
import { SavedConnections } from "./SavedConnections";

function withConnection(list: Connection[], connection: Connection): Connection[] {
  return list.some((c) => c.id === connection.id)
    ? list.map((c) => (c.id === connection.id ? connection : c))
    : [...list, connection];
}

export default function ConnectionScreen() {
  const { state, retry, update } = useLoaded(connectionSetup);
  /** First run: the welcome shows until the person picks a way to start. */
  const [start, setStart] = useState<"welcome" | "connect" | "demo">("welcome");

  function replace(connection: Connection) {
    update((setup) => ({ ...setup, connections: withConnection(setup.connections, connection) }));
  }

  /** Asks the engine for the saved list again; the list on screen stays if that fails. */
  async function refreshConnections() {
    try {
      const list = await connections();
      update((setup) => ({ ...setup, connections: list }));
    } catch {
      // Keep what is shown; the next visit loads the list again.
    }
  }

  function saved(result: SavedConnection) {
    replace(result.connection);
    void refreshConnections();
  }

  return (
    <div className="page">
      <PageHeader
        title="Connection"
        description="Choose your NinjaOne region, paste API credentials, test them and save."
      />
      {state.status === "loading" && <Loading label="Loading connections" />}
      {state.status === "failed" && <LoadFailed message={state.message} onRetry={retry} />}
      {state.status === "ready" && state.data.connections.length === 0 && start === "welcome" && (
        <FirstRun
          demo={state.data.demo}
          onConnect={() => setStart("connect")}
          onTryDemo={() => setStart("demo")}
        />
      )}
      {state.status === "ready" && (
        <>
          <ConnectionForm
            key={start === "demo" ? "demo" : "form"}
            regions={state.data.regions}
            demo={state.data.demo}
            startWithDemo={start === "demo"}
            onSaved={saved}
            onSaveFailed={() => void refreshConnections()}
          />
          <SavedConnections connections={state.data.connections} onChanged={replace} />
        </>
      )}
    </div>
  );
}
