import { useId, useState } from "react";
import { Link } from "react-router-dom";

import type { Connection } from "../../bindings/Connection";
import { EmptyState } from "../../components/EmptyState";
import { LoadFailed } from "../../components/LoadFailed";
import { Loading } from "../../components/Loading";
import { PageHeader } from "../../components/PageHeader";
import { useLoaded } from "../../hooks/useLoaded";
import { connections } from "../../ipc";
import { OrganizationsPanel } from "./OrganizationsPanel";

export default function OrganizationsScreen() {
  const { state, retry } = useLoaded(connections);
  return (
    <div className="page page-wide">
      <PageHeader
        title="Organizations"
        description="Review which NinjaOne organizations belong to which customer company."
      />
      {state.status === "loading" && <Loading label="Loading connections" />}
      {state.status === "failed" && <LoadFailed message={state.message} onRetry={retry} />}
      {state.status === "ready" && (
        <ForConnections active={state.data.filter((connection) => connection.active)} />
      )}
    </div>
  );
}

function ForConnections({ active }: { active: Connection[] }) {
  const selectId = useId();
  const [chosen, setChosen] = useState<number | null>(null);
  const first = active[0];
  if (!first) {
    return (
      <EmptyState>
        <p>Connect to NinjaOne first.</p>
        <p>
          <Link to="/connection">Open Connection</Link>
        </p>
      </EmptyState>
    );
  }
  const current = active.find((connection) => connection.id === chosen) ?? first;
  return (
    <>
      {active.length > 1 && (
        <div className="toolbar-field">
          <label htmlFor={selectId}>Connection</label>
          <select
            id={selectId}
            value={current.id}
            onChange={(e) => setChosen(Number(e.currentTarget.value))}
          >
            {active.map((connection) => (
              <option key={connection.id} value={connection.id}>
                {connection.name}
              </option>
            ))}
          </select>
        </div>
      )}
      <OrganizationsPanel key={current.id} connectionId={current.id} />
    </>
  );
}
