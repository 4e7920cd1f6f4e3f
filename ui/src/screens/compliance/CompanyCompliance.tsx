import { lazy, Suspense, useEffect, useId, useRef } from "react";
import { Link } from "react-router-dom";

import type { Company } from "../../bindings/Company";
import type { CompanyId } from "../../bindings/CompanyId";
import type { EvidenceRow } from "../../bindings/EvidenceRow";
import type { SignalKind } from "../../bindings/SignalKind";
import type { SignalRow } from "../../bindings/SignalRow";
import { ExportButtons } from "../../components/ExportButtons";
import { LoadFailed } from "../../components/LoadFailed";
import { Loading } from "../../components/Loading";
import { formatShortTimestamp, formatTimestamp } from "../../format";
import { useLoaded } from "../../hooks/useLoaded";
import { evidence as loadEvidence, exportEvidence, signalHistory } from "../../ipc";
import { describeSignal, SIGNAL_KINDS, SIGNAL_LABELS } from "./labels";
import { SignalBadge } from "./SignalBadge";
import { SweepPanel } from "./SweepPanel";

// The chart library is loaded with the first company's trends, not with the app's first
// screen.
const Trend = lazy(() => import("./Trend").then((module) => ({ default: module.Trend })));

interface Props {
  company: Company;
  /** The company's latest signals. */
  signals: SignalRow[];
  /** Goes up after each sweep: history and evidence are asked for again. */
  version: number;
  companyNameOf: (id: CompanyId) => string;
  onSwept: () => void;
  onClose: () => void;
}

interface Detail {
  history: SignalRow[];
  evidence: EvidenceRow[];
}

/** One compliance tenant: its five signal cards with trends, its controls, sweep and export. */
export function CompanyCompliance({
  company,
  signals,
  version,
  companyNameOf,
  onSwept,
  onClose,
}: Props) {
  const headingId = useId();
  const { state, retry, refresh } = useLoaded<Detail>(async () => {
    const [history, evidence] = await Promise.all([
      signalHistory(company.id),
      loadEvidence(company.id),
    ]);
    return { history, evidence };
  });
  const loadedVersion = useRef(version);
  useEffect(() => {
    if (loadedVersion.current === version) return;
    loadedVersion.current = version;
    refresh();
  }, [version, refresh]);

  const byKind = new Map<SignalKind, SignalRow>(signals.map((row) => [row.signal, row]));
  return (
    <section className="company-compliance" aria-labelledby={headingId}>
      <div className="section-header">
        <h2 id={headingId} className="section-title">
          {company.name}
        </h2>
        <span className="action-row">
          <Link to={`/companies/${company.id}`}>Company page</Link>
          <button type="button" className="button button-small" onClick={onClose}>
            Close
          </button>
        </span>
      </div>
      <div className="panel">
        <SweepPanel
          companyId={company.id}
          companyName={company.name}
          firstSweep={signals.length === 0}
          companyNameOf={companyNameOf}
          onSwept={onSwept}
        />
        <ExportButtons
          subject={`evidence of ${company.name}`}
          fileParts={["evidence", company.name.replace(/[^A-Za-z0-9]+/g, "-").toLowerCase()]}
          load={(format) => exportEvidence(format, company.id)}
        />
      </div>
      {signals.length === 0 ? (
        <p className="callout">
          {company.name} has not been swept yet. Run sweep now collects its five signals; the first
          sweep is a dry run that opens no tickets.
        </p>
      ) : (
        <ul className="signal-cards" aria-label={`Signals of ${company.name}`}>
          {SIGNAL_KINDS.map((kind) => (
            <li key={kind}>
              <SignalCard
                kind={kind}
                row={byKind.get(kind) ?? null}
                history={state.status === "ready" ? state.data.history : null}
              />
            </li>
          ))}
        </ul>
      )}
      {state.status === "loading" && <Loading label={`Loading the evidence of ${company.name}`} />}
      {state.status === "failed" && <LoadFailed message={state.message} onRetry={retry} />}
      {state.status === "ready" && <ControlsView company={company} rows={state.data.evidence} />}
    </section>
  );
}

function SignalCard({
  kind,
  row,
  history,
}: {
  kind: SignalKind;
  row: SignalRow | null;
  history: SignalRow[] | null;
}) {
  const headingId = useId();
  return (
    <article
      className={`panel signal-card${row?.expired ? " signal-card-expired" : ""}`}
      aria-labelledby={headingId}
      data-status={row ? (row.expired ? "expired" : row.status) : "none"}
    >
      <div className="card-header">
        <h3 id={headingId}>{SIGNAL_LABELS[kind]}</h3>
        {row ? <SignalBadge row={row} /> : <span className="muted">Not swept</span>}
      </div>
      {row === null ? (
        <p className="hint">The last sweep did not collect this signal.</p>
      ) : (
        <>
          {row.expired && (
            <p className="inline-error">
              Expired on <time dateTime={row.expiresAt}>{formatTimestamp(row.expiresAt)}</time>:
              this evidence no longer counts. Run a sweep to collect it again.
            </p>
          )}
          <ul className="signal-facts">
            {describeSignal(row).map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
          <dl className="signal-dates">
            <div>
              <dt>Collected</dt>
              <dd>
                <time dateTime={row.collectedAt}>{formatShortTimestamp(row.collectedAt)}</time>
              </dd>
            </div>
            <div>
              <dt>{row.expired ? "Expired" : "Expires"}</dt>
              <dd>
                <time dateTime={row.expiresAt}>{formatShortTimestamp(row.expiresAt)}</time>
              </dd>
            </div>
            <div>
              <dt>Controls</dt>
              <dd>{row.controls.join(", ")}</dd>
            </div>
          </dl>
        </>
      )}
      {history !== null && (
        <Suspense fallback={null}>
          <Trend signal={kind} history={history} />
        </Suspense>
      )}
    </article>
  );
}

/** IC-xxx → status → evidence: each control's latest evidence, oldest collection first. */
function ControlsView({ company, rows }: { company: Company; rows: EvidenceRow[] }) {
  const headingId = useId();
  const latest = new Map<string, EvidenceRow>();
  for (const row of rows) {
    const seen = latest.get(row.control);
    if (!seen || row.collectedAt > seen.collectedAt) latest.set(row.control, row);
  }
  const controls = [...latest.values()].sort((a, b) => a.control.localeCompare(b.control));
  return (
    <section aria-labelledby={headingId}>
      <h3 id={headingId} className="section-title">
        Controls
      </h3>
      {controls.length === 0 ? (
        <p className="hint">No evidence yet: a sweep writes one row per control.</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">
              Controls of {company.name} and their evidence
            </caption>
            <thead>
              <tr>
                <th scope="col">Control</th>
                <th scope="col">Status</th>
                <th scope="col">Signal</th>
                <th scope="col">Evidence</th>
                <th scope="col">Collected</th>
                <th scope="col">Expires</th>
              </tr>
            </thead>
            <tbody>
              {controls.map((row) => (
                <tr key={row.control}>
                  <th scope="row">
                    <code>{row.control}</code>
                  </th>
                  <td>
                    <SignalBadge row={row} />
                  </td>
                  <td>{SIGNAL_LABELS[row.signal]}</td>
                  <td>{row.summary}</td>
                  <td className="nowrap">
                    <time dateTime={row.collectedAt}>{formatShortTimestamp(row.collectedAt)}</time>
                  </td>
                  <td className="nowrap">
                    <time dateTime={row.expiresAt}>{formatShortTimestamp(row.expiresAt)}</time>
                    {row.expired && <span className="visually-hidden"> (expired)</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
