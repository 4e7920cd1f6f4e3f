import { useId, useState } from "react";

import type { Connection } from "../../bindings/Connection";
import { EmptyState } from "../../components/EmptyState";
import { formatTimestamp } from "../../format";
import { disconnect, toErrorReport } from "../../ipc";

interface SavedConnectionsProps {
  connections: Connection[];
  onChanged: (connection: Connection) => void;
}

export function SavedConnections({ connections, onChanged }: SavedConnectionsProps) {
  const headingId = useId();
  return (
    <section className="saved-connections" aria-labelledby={headingId}>
      <h2 id={headingId} className="section-title">
        Saved connections
      </h2>
      {connections.length === 0 ? (
        <EmptyState>
          <p>
            No connection yet. Choose your region, paste your API client ID and secret, test, then
            save.
          </p>
        </EmptyState>
      ) : (
        <ul className="card-list">
          {connections.map((connection) => (
            <ConnectionCard key={connection.id} connection={connection} onChanged={onChanged} />
          ))}
        </ul>
      )}
    </section>
  );
}

type DisconnectState =
  | { status: "idle" }
  | { status: "confirming" }
  | { status: "busy" }
  | { status: "failed"; message: string };

function ConnectionCard({
  connection,
  onChanged,
}: {
  connection: Connection;
  onChanged: (connection: Connection) => void;
}) {
  const headingId = useId();
  const [state, setState] = useState<DisconnectState>({ status: "idle" });
  const { name } = connection;

  async function confirm() {
    setState({ status: "busy" });
    try {
      const updated = await disconnect(connection.id);
      setState({ status: "idle" });
      onChanged(updated);
    } catch (e) {
      setState({ status: "failed", message: toErrorReport(e).message });
    }
  }

  return (
    <li className="panel connection-card" aria-labelledby={headingId}>
      <div className="card-header">
        <h3 id={headingId}>{name}</h3>
        <span className={connection.active ? "badge badge-success" : "badge badge-muted"}>
          {connection.active ? "Active" : "Disconnected"}
        </span>
      </div>
      <dl className="facts">
        <div>
          <dt>Base URL</dt>
          <dd>
            <code>{connection.baseUrl}</code>
          </dd>
        </div>
        <div>
          <dt>Client ID</dt>
          <dd>
            <code>{connection.clientId}</code>
          </dd>
        </div>
        <div>
          <dt>Scopes</dt>
          <dd>
            {connection.grantedScopes.length > 0 ? (
              connection.grantedScopes.map((scope) => (
                <code key={scope} className="scope">
                  {scope}
                </code>
              ))
            ) : (
              <span className="muted">None recorded</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Last tested</dt>
          <dd>
            {connection.testedAt ? (
              <time dateTime={connection.testedAt}>{formatTimestamp(connection.testedAt)}</time>
            ) : (
              "Never"
            )}
          </dd>
        </div>
        {connection.disconnectedAt && (
          <div>
            <dt>Disconnected on</dt>
            <dd>
              <time dateTime={connection.disconnectedAt}>
                {formatTimestamp(connection.disconnectedAt)}
              </time>
            </dd>
          </div>
        )}
      </dl>

      {connection.active && state.status !== "confirming" && state.status !== "busy" && (
        <div className="action-row">
          <button
            type="button"
            className="button"
            aria-label={`Disconnect ${name}`}
            onClick={() => setState({ status: "confirming" })}
          >
            Disconnect
          </button>
        </div>
      )}
      {connection.active && (state.status === "confirming" || state.status === "busy") && (
        <div className="confirm" role="group" aria-label={`Confirm disconnecting ${name}`}>
          <p>
            Disconnect {name}? The stored secret is deleted and its assets are retired; mappings are
            kept.
          </p>
          <div className="action-row">
            <button
              type="button"
              className="button button-danger"
              disabled={state.status === "busy"}
              aria-busy={state.status === "busy"}
              onClick={() => void confirm()}
            >
              {state.status === "busy" ? "Disconnecting…" : "Confirm"}
            </button>
            <button
              type="button"
              className="button"
              disabled={state.status === "busy"}
              onClick={() => setState({ status: "idle" })}
            >
              Cancel
            </button>
          </div>
        </div>
      )}
      {state.status === "failed" && (
        <p className="inline-error" role="alert">
          {state.message}
        </p>
      )}
    </li>
  );
}
