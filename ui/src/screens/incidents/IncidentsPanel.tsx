import { useId, useState } from "react";
import { Link } from "react-router-dom";

import type { CompanyId } from "../../bindings/CompanyId";
import type { Incident } from "../../bindings/Incident";
import type { IncidentSeverity } from "../../bindings/IncidentSeverity";
import type { PollRun } from "../../bindings/PollRun";
import type { StatusFilter } from "../../bindings/StatusFilter";
import { Badge } from "../../components/Badges";
import { EmptyState } from "../../components/EmptyState";
import { LoadFailed } from "../../components/LoadFailed";
import { Loading } from "../../components/Loading";
import { countOf, formatCount, formatShortTimestamp, formatTimestamp } from "../../format";
import { useLoaded } from "../../hooks/useLoaded";
import { useSubscription } from "../../hooks/useSubscription";
import {
  acknowledgeIncident,
  companies as loadCompanies,
  incidents as loadIncidents,
  onEngineEvent,
  pollNow,
  resolveIncident,
  toErrorReport,
} from "../../ipc";
import { RESOLUTION, SEVERITIES, SEVERITY } from "./labels";

const STATUS_OPTIONS: { value: StatusFilter; label: string }[] = [
  { value: "open", label: "Open" },
  { value: "resolved", label: "Resolved" },
  { value: "all", label: "All" },
];

/** The company filter: any company, incidents of no company, or one company. */
type CompanyFilter = { kind: "any" } | { kind: "none" } | { kind: "company"; id: CompanyId };

const ANY_COMPANY: CompanyFilter = { kind: "any" };

function companyFilterValue(filter: CompanyFilter): string {
  return filter.kind === "company" ? String(filter.id) : filter.kind;
}

function parseCompanyFilter(value: string): CompanyFilter {
  if (value === "none") return { kind: "none" };
  const id = Number(value);
  return Number.isSafeInteger(id) && id > 0 ? { kind: "company", id } : ANY_COMPANY;
}

function matchesCompany(incident: Incident, filter: CompanyFilter): boolean {
  switch (filter.kind) {
    case "any":
      return true;
    case "none":
      return incident.companyId === null;
    case "company":
      return incident.companyId === filter.id;
  }
}

type PollState =
  | { status: "idle" }
  | { status: "polling" }
  | { status: "done"; run: PollRun }
  | { status: "failed"; message: string };

/** Incidents with their filters, "Poll now", acknowledge and resolve. */
export function IncidentsPanel() {
  const [status, setStatus] = useState<StatusFilter>("open");
  const [severity, setSeverity] = useState<IncidentSeverity | null>(null);
  const [company, setCompany] = useState<CompanyFilter>(ANY_COMPANY);
  const [poll, setPoll] = useState<PollState>({ status: "idle" });
  const statusId = useId();
  const severityId = useId();
  const companyId = useId();
  // The filter's choices; without them the filter offers "Any company" and "No company" only.
  const companies = useLoaded(loadCompanies);
  const companyOptions =
    companies.state.status === "ready"
      ? [...companies.state.data].sort((a, b) => a.name.localeCompare(b.name))
      : [];

  async function runPoll() {
    setPoll({ status: "polling" });
    try {
      setPoll({ status: "done", run: await pollNow() });
    } catch (e) {
      setPoll({ status: "failed", message: toErrorReport(e).message });
    }
  }

  return (
    <>
      <div className="toolbar">
        <div className="toolbar-field">
          <label htmlFor={statusId}>Status</label>
          <select
            id={statusId}
            value={status}
            onChange={(e) => setStatus(e.currentTarget.value as StatusFilter)}
          >
            {STATUS_OPTIONS.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        <div className="toolbar-field">
          <label htmlFor={severityId}>Severity</label>
          <select
            id={severityId}
            value={severity ?? ""}
            onChange={(e) =>
              setSeverity((e.currentTarget.value || null) as IncidentSeverity | null)
            }
          >
            <option value="">Any severity</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {SEVERITY[s].label}
              </option>
            ))}
          </select>
        </div>
        <div className="toolbar-field">
          <label htmlFor={companyId}>Company</label>
          <select
            id={companyId}
            value={companyFilterValue(company)}
            onChange={(e) => setCompany(parseCompanyFilter(e.currentTarget.value))}
          >
            <option value="any">Any company</option>
            {companyOptions.map((c) => (
              <option key={c.id} value={String(c.id)}>
                {c.name}
              </option>
            ))}
            <option value="none">No company</option>
          </select>
        </div>
        <div className="toolbar-action">
          <button
            type="button"
            className="button"
            disabled={poll.status === "polling"}
            onClick={() => void runPoll()}
          >
            {poll.status === "polling" ? "Polling…" : "Poll now"}
          </button>
        </div>
      </div>
      <PollOutcome poll={poll} />
      {/* A new list per status: the engine filters by status, the screen by severity and company. */}
      <IncidentList
        key={status}
        status={status}
        severity={severity}
        company={company}
        companyName={
          company.kind === "company"
            ? (companyOptions.find((c) => c.id === company.id)?.name ?? `company ${company.id}`)
            : null
        }
      />
    </>
  );
}

function PollOutcome({ poll }: { poll: PollState }) {
  if (poll.status === "failed") {
    return (
      <p className="inline-error" role="alert">
        {poll.message}
      </p>
    );
  }
  if (poll.status !== "done") return null;
  const { run } = poll;
  const opened = run.connections.reduce((n, c) => n + c.opened + c.reopened + c.seeded, 0);
  const resolved = run.connections.reduce((n, c) => n + c.resolved + c.reconciled, 0);
  const errors = run.connections.flatMap((c) => (c.error ? [c.error] : []));
  return (
    <div role="status" className="hint">
      <p>
        Poll {run.status === "succeeded" ? "finished" : run.status}: {countOf(opened, "incident")}{" "}
        opened or reopened, {formatCount(resolved)} resolved.
      </p>
      {errors.map((error) => (
        <p key={error} className="inline-error">
          {error}
        </p>
      ))}
    </div>
  );
}

function IncidentList({
  status,
  severity,
  company,
  companyName,
}: {
  status: StatusFilter;
  severity: IncidentSeverity | null;
  company: CompanyFilter;
  /** The chosen company's name, when one is chosen. */
  companyName: string | null;
}) {
  const { state, retry, refresh, update } = useLoaded(() => loadIncidents(status));

  // Polls, webhook deliveries and resolutions anywhere change the list.
  useSubscription(onEngineEvent, (event) => {
    if (event.type === "incidentsChanged" || event.type === "pollFinished") refresh();
  });

  if (state.status === "loading") return <Loading label="Loading incidents" />;
  if (state.status === "failed") return <LoadFailed message={state.message} onRetry={retry} />;

  const all = state.data;
  const shown = all.filter(
    (i) => (severity === null || i.severity === severity) && matchesCompany(i, company),
  );
  if (all.length === 0) return <NoIncidents status={status} />;
  if (shown.length === 0) {
    const of =
      company.kind === "company"
        ? ` of ${companyName}`
        : company.kind === "none"
          ? " without a company"
          : "";
    const are = severity ? ` are ${SEVERITY[severity].label}` : "";
    const choose = [
      severity ? "“Any severity”" : null,
      company.kind !== "any" ? "“Any company”" : null,
    ]
      .filter(Boolean)
      .join(" and ");
    return (
      <EmptyState>
        <p>
          No {status === "all" ? "" : `${status} `}incidents{of}
          {are}. Choose {choose} to see the other {countOf(all.length, "incident")}.
        </p>
      </EmptyState>
    );
  }

  function put(changed: Incident) {
    update((rows) =>
      rows
        .map((row) => (row.id === changed.id ? changed : row))
        // A resolved incident leaves the open list (and the other way round).
        .filter((row) => status === "all" || row.status === status),
    );
  }

  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">
          {countOf(shown.length, "incident")}, most recent activity first
        </caption>
        <thead>
          <tr>
            <th scope="col">Incident</th>
            <th scope="col">Severity</th>
            <th scope="col" className="num">
              Count
            </th>
            <th scope="col">First seen</th>
            <th scope="col">Last seen</th>
            <th scope="col">Company</th>
            <th scope="col">Device</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {shown.map((incident) => (
            <IncidentRow key={incident.id} incident={incident} onChanged={put} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function NoIncidents({ status }: { status: StatusFilter }) {
  return (
    <EmptyState>
      {status === "resolved" ? (
        <p>
          No resolved incidents yet. Incidents appear here when NinjaOne resets them or you resolve
          them.
        </p>
      ) : (
        <>
          <p>
            No {status === "open" ? "open " : ""}incidents. NinjaOne alerts of mapped organizations
            become incidents here, every poll (every 2 minutes by default) or as soon as the webhook
            receiver gets them.
          </p>
          <p className="hint">
            Nothing expected? Check that organizations are mapped on{" "}
            <Link to="/organizations">Organizations</Link>, then choose Poll now. The receiver and
            the poll interval are in <Link to="/settings">Settings</Link>.
          </p>
        </>
      )}
    </EmptyState>
  );
}

function When({ value }: { value: string }) {
  return (
    <time dateTime={value} title={formatTimestamp(value)}>
      {formatShortTimestamp(value)}
    </time>
  );
}

function IncidentRow({
  incident,
  onChanged,
}: {
  incident: Incident;
  onChanged: (incident: Incident) => void;
}) {
  const [busy, setBusy] = useState<"acknowledge" | "resolve" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const open = incident.status === "open";

  async function act(what: "acknowledge" | "resolve") {
    setBusy(what);
    setError(null);
    try {
      onChanged(
        await (what === "acknowledge" ? acknowledgeIncident : resolveIncident)(incident.id),
      );
    } catch (e) {
      setError(toErrorReport(e).message);
    } finally {
      setBusy(null);
    }
  }

  const { label, tone } = SEVERITY[incident.severity];
  return (
    <tr aria-busy={busy !== null}>
      <th scope="row">
        <span>{incident.title}</span>
        {incident.sourceName && <span className="hint"> · {incident.sourceName}</span>}
        {error && (
          <p className="inline-error row-error" role="alert">
            {error}
          </p>
        )}
      </th>
      <td>
        <Badge tone={tone}>{label}</Badge>
      </td>
      <td className="num">{formatCount(incident.count)}</td>
      <td className="nowrap">
        <When value={incident.firstSeen} />
      </td>
      <td className="nowrap">
        <When value={incident.lastSeen} />
      </td>
      <td>{incident.companyName ?? <span className="muted">No company</span>}</td>
      <td>
        {incident.assetId !== null ? (
          <Link to={`/assets/${incident.assetId}`}>{incident.deviceName ?? "Open asset"}</Link>
        ) : (
          (incident.deviceName ?? <span className="muted">No device</span>)
        )}
      </td>
      <td>
        {open ? (
          incident.acknowledgedAt ? (
            <Badge tone="info">Acknowledged</Badge>
          ) : (
            <Badge tone="warning">Open</Badge>
          )
        ) : (
          <span title={incident.resolution ? RESOLUTION[incident.resolution] : undefined}>
            <Badge tone="success">Resolved</Badge>
            {incident.resolution && (
              <span className="hint"> {RESOLUTION[incident.resolution]}</span>
            )}
          </span>
        )}
      </td>
      <td>
        {open && (
          <div className="row-actions">
            {!incident.acknowledgedAt && (
              <button
                type="button"
                className="button button-small"
                disabled={busy !== null}
                aria-label={`Acknowledge ${incident.title}`}
                onClick={() => void act("acknowledge")}
              >
                {busy === "acknowledge" ? "Acknowledging…" : "Acknowledge"}
              </button>
            )}
            <button
              type="button"
              className="button button-small"
              disabled={busy !== null}
              aria-label={`Resolve ${incident.title}`}
              onClick={() => void act("resolve")}
            >
              {busy === "resolve" ? "Resolving…" : "Resolve"}
            </button>
          </div>
        )}
      </td>
    </tr>
  );
}
