import { useId, useState } from "react";
import { Link } from "react-router-dom";

import type { Company } from "../../bindings/Company";
import type { CompanyId } from "../../bindings/CompanyId";
import { EmptyState } from "../../components/EmptyState";
import { LoadFailed } from "../../components/LoadFailed";
import { Loading } from "../../components/Loading";
import { formatShortTimestamp, formatTimestamp } from "../../format";
import { useLoaded } from "../../hooks/useLoaded";
import { auditEvents, companies as loadCompanies } from "../../ipc";
import { AUDIT_ACTION_LABELS } from "../../labels";
import { scopeView } from "./scope";

/** The audit trail, all of it or one company's. */
export function AuditPanel() {
  const selectId = useId();
  const companies = useLoaded(loadCompanies);
  const [companyId, setCompanyId] = useState<CompanyId | null>(null);
  const list = companies.state.status === "ready" ? companies.state.data : [];
  return (
    <>
      <div className="toolbar">
        <div className="toolbar-field">
          <label htmlFor={selectId}>Company</label>
          <select
            id={selectId}
            value={companyId ?? ""}
            disabled={companies.state.status !== "ready"}
            onChange={(e) =>
              setCompanyId(e.currentTarget.value === "" ? null : Number(e.currentTarget.value))
            }
          >
            <option value="">All companies and the MSP</option>
            {list.map((company) => (
              <option key={company.id} value={company.id}>
                {company.name}
              </option>
            ))}
          </select>
        </div>
      </div>
      <AuditList key={companyId ?? "all"} companyId={companyId} companies={list} />
    </>
  );
}

function AuditList({
  companyId,
  companies,
}: {
  companyId: CompanyId | null;
  companies: Company[];
}) {
  const { state, retry } = useLoaded(() => auditEvents(companyId));
  if (state.status === "loading") return <Loading label="Loading the audit log" />;
  if (state.status === "failed") return <LoadFailed message={state.message} onRetry={retry} />;
  if (state.data.length === 0) {
    return (
      <EmptyState>
        <p>Nothing recorded {companyId === null ? "yet" : "for this company yet"}.</p>
      </EmptyState>
    );
  }
  return (
    <div className="table-wrap">
      <table className="table">
        <caption className="visually-hidden">Audit log, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Action</th>
            <th scope="col">Scope</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {state.data.map((event, index) => {
            const scope = scopeView(event.scope, companies);
            return (
              <tr key={`${event.at}:${index}`}>
                <td className="nowrap">
                  <time dateTime={event.at} title={formatTimestamp(event.at)}>
                    {formatShortTimestamp(event.at)}
                  </time>
                </td>
                <th scope="row">{AUDIT_ACTION_LABELS[event.action]}</th>
                <td>
                  {scope.companyId !== null ? (
                    <Link to={`/companies/${scope.companyId}`}>{scope.text}</Link>
                  ) : (
                    scope.text
                  )}
                </td>
                <td className="detail-cell">{event.detail}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
