import type { SweepCounts } from "../../bindings/SweepCounts";
import { countOf, formatCount } from "../../format";

/** "3 tenants, 15 signals, 2 tickets opened, 1 closed, 1 dry run": a sweep in one line. */
export function sweepSentence(counts: SweepCounts): string {
  const parts = [
    countOf(counts.companies, "tenant"),
    countOf(counts.signals, "signal"),
    counts.ticketsOpened > 0 ? `${countOf(counts.ticketsOpened, "ticket")} opened` : null,
    counts.ticketsUpdated > 0 ? `${formatCount(counts.ticketsUpdated)} updated` : null,
    counts.ticketsClosed > 0 ? `${formatCount(counts.ticketsClosed)} closed` : null,
    counts.dryRunCompanies > 0 ? countOf(counts.dryRunCompanies, "dry run") : null,
  ];
  return parts.filter(Boolean).join(", ");
}

/** A sweep run's details in Sync history: what it wrote and its requests per report. */
export function SweepCountsDetails({ counts }: { counts: SweepCounts }) {
  const reports = Object.entries(counts.requestsByReport).filter(
    (entry): entry is [string, number] => typeof entry[1] === "number",
  );
  return (
    <>
      <dl className="counts">
        {(
          [
            ["Tenants", counts.companies],
            ["Signals", counts.signals],
            ["Evidence rows", counts.evidence],
            ["Dry runs (no tickets)", counts.dryRunCompanies],
            ["Tickets opened", counts.ticketsOpened],
            ["Tickets updated", counts.ticketsUpdated],
            ["Tickets closed", counts.ticketsClosed],
          ] as const
        ).map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd>{formatCount(value)}</dd>
          </div>
        ))}
      </dl>
      {reports.length > 0 && (
        <>
          <p className="run-details-subtitle">Requests per report, every tenant together</p>
          <ul className="plain-list">
            {reports.map(([report, n]) => (
              <li key={report}>
                <code>{report}</code>: {formatCount(n)}
              </li>
            ))}
          </ul>
        </>
      )}
    </>
  );
}
