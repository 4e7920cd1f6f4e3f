import { useId, useState } from "react";

import type { Company } from "../../bindings/Company";
import type { ConnectionId } from "../../bindings/ConnectionId";
import type { MappingState } from "../../bindings/MappingState";
import type { OrganizationRow } from "../../bindings/OrganizationRow";
import { EmptyState } from "../../components/EmptyState";
import { LoadFailed } from "../../components/LoadFailed";
import { Loading } from "../../components/Loading";
import { WaitingNote } from "../../components/WaitingNote";
import { useLoaded } from "../../hooks/useLoaded";
import { useWaitingMessage } from "../../hooks/useWaitingMessage";
import { countOf, formatCount } from "../../format";
import {
  acceptSuggestions,
  companies as loadCompanies,
  discoverOrganizations,
  organizations as loadOrganizations,
  toErrorReport,
} from "../../ipc";
import { COLUMNS, OrganizationRowView, STATE_LABELS } from "./OrganizationRowView";

interface Data {
  rows: OrganizationRow[];
  companies: Company[];
}

type Filter = "all" | MappingState;

const FILTERS: readonly Filter[] = ["all", "pending", "mapped", "ignored"];

type Notice =
  | { tone: "success"; text: string; warning?: string }
  | { tone: "error"; title: string; text: string };

function replaceRows(rows: OrganizationRow[], changed: OrganizationRow[]): OrganizationRow[] {
  const byOrg = new Map(changed.map((row) => [row.orgId, row]));
  return rows.map((row) => byOrg.get(row.orgId) ?? row);
}

/** The organizations of one connection. Keyed by connection, so it loads again on a switch. */
export function OrganizationsPanel({ connectionId }: { connectionId: ConnectionId }) {
  const { state, retry, update } = useLoaded<Data>(async () => {
    const [rows, companies] = await Promise.all([loadOrganizations(connectionId), loadCompanies()]);
    return { rows, companies };
  });
  const ids = { filter: useId(), search: useId(), acceptHint: useId() };
  const [filter, setFilter] = useState<Filter>("all");
  const [query, setQuery] = useState("");
  const [busy, setBusy] = useState<"discover" | "accept" | null>(null);
  const [notice, setNotice] = useState<Notice | null>(null);
  const waiting = useWaitingMessage();

  if (state.status === "loading") return <Loading label="Loading organizations" />;
  if (state.status === "failed") return <LoadFailed message={state.message} onRetry={retry} />;

  const { rows, companies } = state.data;

  function setRows(change: (rows: OrganizationRow[]) => OrganizationRow[]) {
    update((data) => ({ ...data, rows: change(data.rows) }));
  }

  async function reloadRows() {
    const fresh = await loadOrganizations(connectionId);
    setRows(() => fresh);
  }

  async function reloadCompanies() {
    try {
      const fresh = await loadCompanies();
      update((data) => ({ ...data, companies: fresh }));
    } catch {
      // The choice list keeps its companies; the next load brings the new one.
    }
  }

  async function discover() {
    waiting.clear();
    setBusy("discover");
    setNotice(null);
    try {
      const summary = await discoverOrganizations(connectionId);
      await reloadRows();
      setNotice({
        tone: "success",
        text: `${countOf(summary.organizations, "organization")}, ${formatCount(summary.newOrganizations)} new, ${formatCount(summary.goneOrganizations)} gone`,
        warning: summary.truncated
          ? `NinjaOne has more organizations than Fleetward lists; only the first ${formatCount(summary.organizations)} are shown.`
          : undefined,
      });
    } catch (e) {
      setNotice({ tone: "error", title: "Discovery failed", text: toErrorReport(e).message });
    } finally {
      setBusy(null);
    }
  }

  async function acceptAll() {
    waiting.clear();
    setBusy("accept");
    setNotice(null);
    try {
      const mapped = await acceptSuggestions(connectionId);
      setRows((current) => replaceRows(current, mapped));
      setNotice({ tone: "success", text: `${countOf(mapped.length, "organization")} mapped` });
      try {
        await reloadRows();
      } catch {
        // The mapped rows are already on screen.
      }
    } catch (e) {
      setNotice({
        tone: "error",
        title: "Accepting suggestions failed",
        text: toErrorReport(e).message,
      });
    } finally {
      setBusy(null);
    }
  }

  const counts: Record<Filter, number> = {
    all: rows.length,
    pending: rows.filter((row) => row.state === "pending").length,
    mapped: rows.filter((row) => row.state === "mapped").length,
    ignored: rows.filter((row) => row.state === "ignored").length,
  };
  const needle = query.trim().toLocaleLowerCase();
  const shown = rows.filter(
    (row) =>
      (filter === "all" || row.state === filter) &&
      (needle === "" || row.name.toLocaleLowerCase().includes(needle)),
  );
  // The rows Accept all suggestions would map, as the engine flags them.
  const acceptable = rows.filter((row) => row.canAcceptSuggestion).length;

  return (
    <>
      <div className="toolbar">
        <button
          type="button"
          className="button"
          disabled={busy !== null}
          aria-busy={busy === "discover"}
          onClick={() => void discover()}
        >
          {busy === "discover" ? "Discovering…" : "Discover again"}
        </button>
        <div className="toolbar-field">
          <label htmlFor={ids.filter}>Show</label>
          <select
            id={ids.filter}
            value={filter}
            onChange={(e) => setFilter(e.currentTarget.value as Filter)}
          >
            {FILTERS.map((value) => (
              <option key={value} value={value}>
                {value === "all" ? "All" : STATE_LABELS[value]} ({formatCount(counts[value])})
              </option>
            ))}
          </select>
        </div>
        <div className="toolbar-field toolbar-search">
          <label htmlFor={ids.search}>Search</label>
          <input
            id={ids.search}
            type="search"
            placeholder="Organization name"
            value={query}
            onChange={(e) => setQuery(e.currentTarget.value)}
          />
        </div>
        <div className="toolbar-action">
          <button
            type="button"
            className="button button-primary"
            disabled={acceptable === 0 || busy !== null}
            aria-busy={busy === "accept"}
            aria-describedby={ids.acceptHint}
            onClick={() => void acceptAll()}
          >
            {busy === "accept" ? "Accepting…" : "Accept all suggestions"}
          </button>
          <span id={ids.acceptHint} className="hint inline-hint">
            {acceptable === 0
              ? "No suggestions to accept"
              : `${countOf(acceptable, "suggestion")} to accept`}
          </span>
        </div>
      </div>
      {busy !== null && <WaitingNote message={waiting.message} />}

      {notice?.tone === "success" && (
        <div className="result result-success" role="status">
          <p className="result-title">{notice.text}</p>
          {notice.warning && <p className="callout callout-warning">{notice.warning}</p>}
        </div>
      )}
      {notice?.tone === "error" && (
        <div className="result result-failure" role="alert">
          <p className="result-title">{notice.title}</p>
          <p className="result-message">{notice.text}</p>
        </div>
      )}

      {rows.length === 0 ? (
        <EmptyState>
          <p>No organizations yet. Use Discover again to list them from NinjaOne.</p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Organizations</caption>
            <thead>
              <tr>
                <th scope="col">Organization</th>
                <th scope="col" className="num">
                  Devices
                </th>
                <th scope="col">State</th>
                <th scope="col">Company</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((row) => (
                <OrganizationRowView
                  key={row.orgId}
                  row={row}
                  companies={companies}
                  onRow={(changed) => setRows((current) => replaceRows(current, [changed]))}
                  onCompaniesChanged={() => void reloadCompanies()}
                />
              ))}
              {shown.length === 0 && (
                <tr>
                  <td colSpan={COLUMNS} className="muted table-empty">
                    No organizations match.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
