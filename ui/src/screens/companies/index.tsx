import { useId, useState } from "react";
import type { FormEvent } from "react";
import { Link } from "react-router-dom";

import type { Company } from "../../bindings/Company";
import type { SignalRow } from "../../bindings/SignalRow";
import { EmptyState } from "../../components/EmptyState";
import { LoadFailed } from "../../components/LoadFailed";
import { Loading } from "../../components/Loading";
import { PageHeader } from "../../components/PageHeader";
import { formatCount, formatTimestamp } from "../../format";
import { useLoaded } from "../../hooks/useLoaded";
import { useSubscription } from "../../hooks/useSubscription";
import {
  addCompany,
  companies,
  onEngineEvent,
  promoteCompany,
  renameCompany,
  signals as loadSignals,
  toErrorReport,
} from "../../ipc";
import { WorstSignal } from "../compliance/WorstSignal";
import { LastSyncState } from "./LastSync";

function withCompany(list: Company[], company: Company): Company[] {
  return list.some((c) => c.id === company.id)
    ? list.map((c) => (c.id === company.id ? company : c))
    : [...list, company];
}

export default function CompaniesScreen() {
  const { state, retry, update, refresh } = useLoaded(companies);
  const changed = (company: Company) => update((list) => withCompany(list, company));
  // Every tenant's latest signals in one call, for the compliance column.
  const signals = useLoaded(() => loadSignals());
  const refreshSignals = signals.refresh;

  // Asset counts and last-sync columns change with every sync, wherever it was started; the
  // compliance column with every sweep.
  useSubscription(onEngineEvent, (event) => {
    if (event.type === "syncFinished") refresh();
    if (event.type === "sweepFinished") refreshSignals();
  });

  return (
    <div className="page">
      <PageHeader
        title="Companies"
        description="Your customers, the NinjaOne organizations mapped to them, their assets and compliance status."
      />
      <AddCompanyForm onAdded={changed} />
      {state.status === "loading" && <Loading label="Loading companies" />}
      {state.status === "failed" && <LoadFailed message={state.message} onRetry={retry} />}
      {state.status === "ready" &&
        (state.data.length === 0 ? (
          <EmptyState>
            <p>No companies yet. Add one, or create them from Organizations.</p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Companies</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col" className="num">
                    Organizations
                  </th>
                  <th scope="col" className="num">
                    Assets
                  </th>
                  <th scope="col">Last sync</th>
                  <th scope="col">Sync state</th>
                  <th scope="col">Compliance</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {state.data.map((company) => (
                  <CompanyRow
                    key={company.id}
                    company={company}
                    signals={
                      signals.state.status === "ready"
                        ? signals.state.data.filter((row) => row.companyId === company.id)
                        : null
                    }
                    onChanged={changed}
                  />
                ))}
              </tbody>
            </table>
          </div>
        ))}
    </div>
  );
}

function AddCompanyForm({ onAdded }: { onAdded: (company: Company) => void }) {
  const inputId = useId();
  const headingId = useId();
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const company = await addCompany(name);
      setName("");
      onAdded(company);
    } catch (e) {
      setError(toErrorReport(e).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId} className="panel-title">
        Add company
      </h2>
      <form className="inline-form" onSubmit={(e) => void submit(e)}>
        <div className="field">
          <label htmlFor={inputId}>Company name</label>
          <input
            id={inputId}
            type="text"
            autoComplete="off"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
        </div>
        <button
          type="submit"
          className="button button-primary"
          disabled={busy || name.trim() === ""}
          aria-busy={busy}
        >
          {busy ? "Adding…" : "Add"}
        </button>
      </form>
      {error && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}
    </section>
  );
}

function CompanyRow({
  company,
  signals,
  onChanged,
}: {
  company: Company;
  /** Its latest compliance signals; null while they load or when they could not be. */
  signals: SignalRow[] | null;
  onChanged: (company: Company) => void;
}) {
  const inputId = useId();
  const [renaming, setRenaming] = useState(false);
  const [newName, setNewName] = useState(company.name);
  const [busy, setBusy] = useState<"rename" | "promote" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { name } = company;

  function startRename() {
    setNewName(name);
    setError(null);
    setRenaming(true);
  }

  async function saveRename(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    setBusy("rename");
    setError(null);
    try {
      const renamed = await renameCompany(company.id, newName);
      setRenaming(false);
      onChanged(renamed);
    } catch (e) {
      setError(toErrorReport(e).message);
    } finally {
      setBusy(null);
    }
  }

  async function promote() {
    setBusy("promote");
    setError(null);
    try {
      onChanged(await promoteCompany(company.id));
    } catch (e) {
      setError(toErrorReport(e).message);
    } finally {
      setBusy(null);
    }
  }

  return (
    <tr aria-busy={busy !== null}>
      <th scope="row">
        {renaming ? (
          <form
            className="chooser"
            onSubmit={(e) => void saveRename(e)}
            onKeyDown={(e) => {
              if (e.key === "Escape" && !busy) setRenaming(false);
            }}
          >
            <label htmlFor={inputId} className="visually-hidden">
              New name for {name}
            </label>
            <input
              id={inputId}
              type="text"
              autoComplete="off"
              value={newName}
              disabled={busy !== null}
              onChange={(e) => setNewName(e.currentTarget.value)}
            />
            <button
              type="submit"
              className="button button-primary button-small"
              disabled={busy !== null || newName.trim() === ""}
              aria-busy={busy === "rename"}
              aria-label={`Save new name for ${name}`}
            >
              {busy === "rename" ? "Saving…" : "Save"}
            </button>
            <button
              type="button"
              className="button button-small"
              disabled={busy !== null}
              aria-label={`Cancel renaming ${name}`}
              onClick={() => setRenaming(false)}
            >
              Cancel
            </button>
            {error && (
              <p className="inline-error row-error" role="alert">
                {error}
              </p>
            )}
          </form>
        ) : (
          <Link to={`/companies/${company.id}`}>{name}</Link>
        )}
      </th>
      <td className="num">{formatCount(company.mappedOrganizations)}</td>
      <td className="num">{formatCount(company.assets)}</td>
      <td className="nowrap">
        {company.lastSyncedAt === null ? (
          <span className="muted">Never</span>
        ) : (
          <time dateTime={company.lastSyncedAt}>{formatTimestamp(company.lastSyncedAt)}</time>
        )}
      </td>
      <td>
        <LastSyncState company={company} />
      </td>
      <td>
        {company.complianceTenantId !== null ? (
          <span className="tenant">
            <span className="badge badge-info">Compliance tenant</span>
            <code className="mono-small">{company.complianceTenantId}</code>
            {signals !== null && <WorstSignal rows={signals} />}
          </span>
        ) : (
          <button
            type="button"
            className="button button-small"
            disabled={busy !== null}
            aria-busy={busy === "promote"}
            aria-label={`Promote to compliance tenant: ${name}`}
            onClick={() => void promote()}
          >
            {busy === "promote" ? "Promoting…" : "Promote to compliance tenant"}
          </button>
        )}
      </td>
      <td className="actions-cell">
        {!renaming && (
          <button
            type="button"
            className="button button-small"
            disabled={busy !== null}
            aria-label={`Rename ${name}`}
            onClick={startRename}
          >
            Rename
          </button>
        )}
        {error && !renaming && (
          <p className="inline-error row-error" role="alert">
            {error}
          </p>
        )}
      </td>
    </tr>
  );
}
