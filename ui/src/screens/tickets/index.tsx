import { useId, useState } from "react";
import { Link } from "react-router-dom";

import type { Ticket } from "../../bindings/Ticket";
import type { TicketStatus } from "../../bindings/TicketStatus";
import { Badge } from "../../components/Badges";
import { EmptyState } from "../../components/EmptyState";
import { ExportButtons } from "../../components/ExportButtons";
import { LoadFailed } from "../../components/LoadFailed";
import { Loading } from "../../components/Loading";
import { PageHeader } from "../../components/PageHeader";
import { countOf, formatShortTimestamp } from "../../format";
import { useLoaded } from "../../hooks/useLoaded";
import { useSubscription } from "../../hooks/useSubscription";
import { exportTickets, onEngineEvent, tickets as loadTickets } from "../../ipc";
import { SignalBadge } from "../compliance/SignalBadge";
import { SIGNAL_LABELS, TICKET_PRIORITY, TICKET_STATUS } from "../compliance/labels";

type Filter = TicketStatus | "all";

const FILTERS: readonly { value: Filter; label: string }[] = [
  { value: "open", label: "Open" },
  { value: "closed", label: "Closed" },
  { value: "all", label: "All" },
];

export default function TicketsScreen() {
  const filterId = useId();
  const [filter, setFilter] = useState<Filter>("open");
  const status = filter === "all" ? null : filter;
  return (
    <div className="page page-wide">
      <PageHeader
        title="Tickets"
        description="Findings from compliance sweeps: one ticket per company and signal that warns or fails, closed when it passes again. Export them for your PSA."
      />
      <div className="toolbar">
        <div className="toolbar-field">
          <label htmlFor={filterId}>Status</label>
          <select
            id={filterId}
            value={filter}
            onChange={(e) => setFilter(e.currentTarget.value as Filter)}
          >
            {FILTERS.map(({ value, label }) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div className="toolbar-action">
          <ExportButtons
            subject={filter === "all" ? "all tickets" : `${filter} tickets`}
            fileParts={["tickets", filter]}
            load={(format) => exportTickets(format, status)}
          />
        </div>
      </div>
      <TicketList key={filter} status={status} />
    </div>
  );
}

function TicketList({ status }: { status: TicketStatus | null }) {
  const { state, retry, refresh } = useLoaded(() => loadTickets(status));
  // A sweep opens, updates and closes tickets.
  useSubscription(onEngineEvent, (event) => {
    if (event.type === "sweepFinished") refresh();
  });
  if (state.status === "loading") return <Loading label="Loading tickets" />;
  if (state.status === "failed") return <LoadFailed message={state.message} onRetry={retry} />;
  const rows = state.data;
  if (rows.length === 0) {
    return (
      <EmptyState>
        <p>
          {status === "open"
            ? "No open ticket: every swept signal passes, or no sweep has opened one yet."
            : status === "closed"
              ? "No closed ticket yet."
              : "No ticket yet."}
        </p>
        <p>
          Sweeps open a ticket when a signal of a compliance tenant warns (normal priority) or fails
          (high priority); the first sweep of a connection is a dry run that opens none. Run a sweep
          from the <Link to="/compliance">Compliance</Link> dashboard.
        </p>
      </EmptyState>
    );
  }
  return <TicketTable rows={rows} />;
}

function TicketTable({ rows }: { rows: Ticket[] }) {
  const sorted = [...rows].sort(
    (a, b) =>
      Number(a.status === "closed") - Number(b.status === "closed") ||
      Number(a.priority === "normal") - Number(b.priority === "normal") ||
      b.updatedAt.localeCompare(a.updatedAt),
  );
  return (
    <>
      <p className="list-count">{countOf(rows.length, "ticket")}</p>
      <div className="table-wrap">
        <table className="table">
          <caption className="visually-hidden">
            Tickets, open and high priority first, then most recently updated
          </caption>
          <thead>
            <tr>
              <th scope="col">Ticket</th>
              <th scope="col">Priority</th>
              <th scope="col">Status</th>
              <th scope="col">Company</th>
              <th scope="col">Signal</th>
              <th scope="col">Latest numbers</th>
              <th scope="col">Opened</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {sorted.map((ticket) => (
              <tr key={ticket.id}>
                <th scope="row">
                  <span className="mono-small">#{ticket.id}</span> {ticket.title}
                </th>
                <td>
                  <Badge tone={TICKET_PRIORITY[ticket.priority].tone}>
                    {TICKET_PRIORITY[ticket.priority].label}
                  </Badge>
                </td>
                <td>
                  <Badge tone={TICKET_STATUS[ticket.status].tone}>
                    {TICKET_STATUS[ticket.status].label}
                  </Badge>
                  {ticket.closedAt !== null && (
                    <span className="hint">
                      {" "}
                      <time dateTime={ticket.closedAt}>
                        {formatShortTimestamp(ticket.closedAt)}
                      </time>
                    </span>
                  )}
                </td>
                <td>
                  <Link to={`/compliance?company=${ticket.companyId}`}>{ticket.companyName}</Link>
                </td>
                <td>
                  <span className="signal-cell">
                    {SIGNAL_LABELS[ticket.signal]}{" "}
                    <SignalBadge row={{ status: ticket.signalStatus, expired: false }} />
                  </span>
                </td>
                <td>{ticket.detail}</td>
                <td className="nowrap">
                  <time dateTime={ticket.openedAt}>{formatShortTimestamp(ticket.openedAt)}</time>
                </td>
                <td className="nowrap">
                  <time dateTime={ticket.updatedAt}>{formatShortTimestamp(ticket.updatedAt)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
