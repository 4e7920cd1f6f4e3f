import { useCallback, useId, useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";

import type { Company } from "../../bindings/Company";
import type { CompanyId } from "../../bindings/CompanyId";
import type { SignalKind } from "../../bindings/SignalKind";
import type { SignalRow } from "../../bindings/SignalRow";
import { EmptyState } from "../../components/EmptyState";
import { ExportButtons } from "../../components/ExportButtons";
import { LoadFailed } from "../../components/LoadFailed";
import { Loading } from "../../components/Loading";
import { PageHeader } from "../../components/PageHeader";
import { useLoaded } from "../../hooks/useLoaded";
import { useSubscription } from "../../hooks/useSubscription";
import {
  companies as loadCompanies,
  exportEvidence,
  onEngineEvent,
  signals as loadSignals,
} from "../../ipc";
import { CompanyCompliance } from "./CompanyCompliance";
import { SIGNAL_KINDS, SIGNAL_LABELS, SIGNAL_STATUS, signalRank } from "./labels";
import { SignalBadge } from "./SignalBadge";
import { SweepPanel } from "./SweepPanel";

interface Data {
  tenants: Company[];
  signals: SignalRow[];
}

async function loadDashboard(): Promise<Data> {
  const [companies, signals] = await Promise.all([loadCompanies(), loadSignals()]);
  return {
    tenants: companies.filter((company) => company.complianceTenantId !== null),
    signals,
  };
}

type SortKey = "worst" | "name" | SignalKind;

export interface TenantRow {
  company: Company;
  signals: Partial<Record<SignalKind, SignalRow>>;
  /** Lower is worse: fail, expired, warn, no data, pass; never swept sorts after pass. */
  worst: number;
  /** How many signals are not passing (tie-break for worst first). */
  problems: number;
}

function tenantRows(data: Data): TenantRow[] {
  return data.tenants.map((company) => {
    const own = data.signals.filter((row) => row.companyId === company.id);
    const signals: TenantRow["signals"] = {};
    for (const row of own) signals[row.signal] = row;
    const ranks = own.map(signalRank);
    return {
      company,
      signals,
      worst: ranks.length === 0 ? 4 : Math.min(...ranks),
      problems: own.filter((row) => row.expired || row.status === "fail" || row.status === "warn")
        .length,
    };
  });
}

function sortRows(rows: TenantRow[], key: SortKey): TenantRow[] {
  const byName = (a: TenantRow, b: TenantRow) => a.company.name.localeCompare(b.company.name);
  const rank = (row: TenantRow, signal: SignalKind) => {
    const s = row.signals[signal];
    return s ? signalRank(s) : 4;
  };
  return [...rows].sort((a, b) => {
    if (key === "name") return byName(a, b);
    if (key === "worst") return a.worst - b.worst || b.problems - a.problems || byName(a, b);
    return rank(a, key) - rank(b, key) || a.worst - b.worst || byName(a, b);
  });
}

function parseId(text: string | null): CompanyId | null {
  const id = Number(text);
  return text !== null && Number.isSafeInteger(id) && id > 0 ? id : null;
}

export default function ComplianceScreen() {
  const { state, retry, refresh } = useLoaded(loadDashboard);
  const [params, setParams] = useSearchParams();
  const selected = parseId(params.get("company"));
  const [version, setVersion] = useState(0);

  const swept = useCallback(() => {
    refresh();
    setVersion((n) => n + 1);
  }, [refresh]);

  // A scheduled sweep, or one started from another window or the CLI.
  useSubscription(onEngineEvent, (event) => {
    if (event.type === "sweepFinished") swept();
  });

  const select = useCallback(
    (id: CompanyId | null) => setParams(id === null ? {} : { company: String(id) }),
    [setParams],
  );

  const header = (
    <PageHeader
      title="Compliance"
      description="Five evidence signals per compliance tenant, collected every 6 hours and on demand, with expiry, tickets and export."
    />
  );
  if (state.status === "loading") {
    return (
      <div className="page page-wide">
        {header}
        <Loading label="Loading compliance signals" />
      </div>
    );
  }
  if (state.status === "failed") {
    return (
      <div className="page page-wide">
        {header}
        <LoadFailed message={state.message} onRetry={retry} />
      </div>
    );
  }
  const { tenants, signals } = state.data;
  if (tenants.length === 0) {
    return (
      <div className="page page-wide">
        {header}
        <EmptyState>
          <p>No company is a compliance tenant yet, so there is nothing to sweep.</p>
          <p>
            Open <Link to="/companies">Companies</Link> and choose{" "}
            <strong>Promote to compliance tenant</strong> for each customer you prepare for an
            audit. Its organizations need to be mapped in{" "}
            <Link to="/organizations">Organizations</Link>. Then run a sweep here.
          </p>
        </EmptyState>
      </div>
    );
  }
  const nameOf = (id: CompanyId) =>
    tenants.find((company) => company.id === id)?.name ?? `Company ${id}`;
  const company = tenants.find((c) => c.id === selected) ?? null;
  return (
    <div className="page page-wide">
      {header}
      <section className="panel" aria-label="Sweep">
        <SweepPanel
          companyId={null}
          companyName={null}
          firstSweep={signals.length === 0}
          companyNameOf={nameOf}
          onSwept={swept}
        />
        <ExportButtons
          subject="evidence of every tenant"
          fileParts={["evidence"]}
          load={(format) => exportEvidence(format)}
        />
      </section>
      <FleetGrid data={state.data} selected={selected} onSelect={select} />
      {company && (
        <CompanyCompliance
          key={company.id}
          company={company}
          signals={signals.filter((row) => row.companyId === company.id)}
          version={version}
          companyNameOf={nameOf}
          onSwept={swept}
          onClose={() => select(null)}
        />
      )}
    </div>
  );
}

function FleetGrid({
  data,
  selected,
  onSelect,
}: {
  data: Data;
  selected: CompanyId | null;
  onSelect: (id: CompanyId) => void;
}) {
  const headingId = useId();
  const [sort, setSort] = useState<SortKey>("worst");
  const rows = useMemo(() => sortRows(tenantRows(data), sort), [data, sort]);
  const outOfLine = rows.filter((row) => row.problems > 0).length;

  function header(key: SortKey, label: string) {
    const active = sort === key;
    return (
      <th
        key={key}
        scope="col"
        aria-sort={active ? (key === "name" ? "ascending" : "other") : undefined}
      >
        <button type="button" className="sort-button" onClick={() => setSort(key)}>
          {label}
          {active && (
            <span className="sort-arrow" aria-hidden="true">
              {key === "name" ? "▲" : "▼"}
            </span>
          )}
        </button>
      </th>
    );
  }

  return (
    <section aria-labelledby={headingId}>
      <div className="section-header">
        <h2 id={headingId} className="section-title">
          Fleet overview
        </h2>
        <span className="hint">
          {outOfLine === 0
            ? "Every swept tenant passes."
            : `${outOfLine} of ${rows.length} tenants need attention. Worst first; choose a column to sort by it.`}
        </span>
      </div>
      <div className="table-wrap">
        <table className="table fleet-grid">
          <caption className="visually-hidden">
            Compliance tenants and their five signals, sorted{" "}
            {sort === "worst"
              ? "worst first"
              : sort === "name"
                ? "by name"
                : `by ${SIGNAL_LABELS[sort]}`}
          </caption>
          <thead>
            <tr>
              {header("name", "Company")}
              {SIGNAL_KINDS.map((kind) => header(kind, SIGNAL_LABELS[kind]))}
              {header("worst", "Overall")}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr
                key={row.company.id}
                aria-current={row.company.id === selected ? "true" : undefined}
              >
                <th scope="row">
                  <button
                    type="button"
                    className="link-button"
                    aria-label={`Show the signals of ${row.company.name}`}
                    onClick={() => onSelect(row.company.id)}
                  >
                    {row.company.name}
                  </button>
                </th>
                {SIGNAL_KINDS.map((kind) => {
                  const signal = row.signals[kind];
                  return (
                    <td key={kind}>
                      {signal ? (
                        <SignalBadge row={signal} />
                      ) : (
                        <span className="muted">Not swept</span>
                      )}
                    </td>
                  );
                })}
                <td>
                  <Overall row={row} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Overall({ row }: { row: TenantRow }) {
  const present = SIGNAL_KINDS.map((kind) => row.signals[kind]).filter(
    (s): s is SignalRow => s !== undefined,
  );
  if (present.length === 0) return <span className="muted">No sweep yet</span>;
  const failing = present.filter((s) => !s.expired && s.status === "fail");
  const warning = present.filter((s) => !s.expired && s.status === "warn");
  const expired = present.filter((s) => s.expired);
  const noData = present.filter((s) => !s.expired && s.status === "no_data");
  const parts = [
    failing.length > 0 ? `${failing.length} ${SIGNAL_STATUS.fail.label.toLocaleLowerCase()}` : null,
    warning.length > 0 ? `${warning.length} ${SIGNAL_STATUS.warn.label.toLocaleLowerCase()}` : null,
    expired.length > 0 ? `${expired.length} expired` : null,
    noData.length > 0 ? `${noData.length} without data` : null,
  ].filter(Boolean);
  return <span>{parts.length === 0 ? "All passing" : parts.join(", ")}</span>;
}
