import { useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import { Link, useParams } from "react-router-dom";

import { DEFAULT_SORT, sortAssets } from "../../assetList";
import type { AssetSort } from "../../assetList";
import type { AssetStatus } from "../../bindings/AssetStatus";
import type { Company } from "../../bindings/Company";
import type { CompanyId } from "../../bindings/CompanyId";
import type { Connection } from "../../bindings/Connection";
import type { ConnectionId } from "../../bindings/ConnectionId";
import type { NinjaOrgId } from "../../bindings/NinjaOrgId";
import type { OrganizationRow } from "../../bindings/OrganizationRow";
import { AssetTable } from "../../components/AssetTable";
import { Badge } from "../../components/Badges";
import { EmptyState } from "../../components/EmptyState";
import { LoadFailed } from "../../components/LoadFailed";
import { Loading } from "../../components/Loading";
import { PageHeader } from "../../components/PageHeader";
import { countOf, formatCount, formatTimestamp } from "../../format";
import { useLoaded } from "../../hooks/useLoaded";
import { useSubscription } from "../../hooks/useSubscription";
import {
  assets as loadAssets,
  companies as loadCompanies,
  connections as loadConnections,
  onEngineEvent,
  organizations as loadOrganizations,
} from "../../ipc";
import { ASSET_STATUS, ASSET_STATUSES } from "../../labels";
import { ComplianceSummary } from "../compliance/ComplianceSummary";
import { LastSyncState } from "./LastSync";
import { SyncPanel } from "./SyncPanel";

function parseId(text: string | undefined): CompanyId | null {
  const id = Number(text);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

export default function CompanyScreen() {
  const { companyId } = useParams();
  const id = parseId(companyId);
  if (id === null) return <NotFound />;
  return <CompanyPage key={id} id={id} />;
}

function BackLink() {
  return (
    <Link to="/companies" className="back-link">
      ← Companies
    </Link>
  );
}

function NotFound() {
  return (
    <div className="page">
      <BackLink />
      <PageHeader title="Company not found" />
      <p className="panel inline-error" role="alert">
        This company does not exist (any more). Choose one from the Companies list.
      </p>
    </div>
  );
}

interface Data {
  company: Company | null;
  connections: Connection[];
  /** This company's organizations, over every active connection. */
  organizations: OrganizationRow[];
}

async function loadCompanyPage(id: CompanyId): Promise<Data> {
  const [companies, connections] = await Promise.all([loadCompanies(), loadConnections()]);
  const active = connections.filter((connection) => connection.active);
  const rows = await Promise.all(active.map((connection) => loadOrganizations(connection.id)));
  return {
    company: companies.find((company) => company.id === id) ?? null,
    connections: active,
    organizations: rows.flat().filter((row) => row.companyId === id),
  };
}

function CompanyPage({ id }: { id: CompanyId }) {
  const { state, retry, refresh } = useLoaded(() => loadCompanyPage(id));
  const [assetsVersion, setAssetsVersion] = useState(0);

  const synced = useCallback(() => {
    refresh();
    setAssetsVersion((n) => n + 1);
  }, [refresh]);

  // A scheduled sync or Sync all now may have touched this company too.
  useSubscription(onEngineEvent, (event) => {
    if (event.type === "syncFinished") synced();
  });

  if (state.status === "loading") {
    return (
      <div className="page">
        <BackLink />
        <Loading label="Loading company" />
      </div>
    );
  }
  if (state.status === "failed") {
    return (
      <div className="page">
        <BackLink />
        <PageHeader title="Company" />
        <LoadFailed message={state.message} onRetry={retry} />
      </div>
    );
  }
  const { company, connections, organizations } = state.data;
  if (company === null) return <NotFound />;

  function organizationName(connectionId: ConnectionId, orgId: NinjaOrgId): string {
    const row = organizations.find((r) => r.connectionId === connectionId && r.orgId === orgId);
    return row?.name ?? `NinjaOne organization ${orgId}`;
  }

  return (
    <div className="page page-wide">
      <BackLink />
      <PageHeader
        title={company.name}
        description="Its NinjaOne organizations, its assets, and syncing them now."
      />
      <Overview company={company} />
      {company.complianceTenantId !== null && <ComplianceSummary companyId={company.id} />}
      <SyncPanel
        companyId={company.id}
        companyName={company.name}
        organizationName={organizationName}
        onSynced={synced}
      />
      <MappedOrganizations rows={organizations} connections={connections} />
      <CompanyAssets companyId={company.id} version={assetsVersion} />
    </div>
  );
}

function Overview({ company }: { company: Company }) {
  return (
    <section className="panel" aria-label="Overview">
      <dl className="facts">
        <div>
          <dt>Compliance</dt>
          <dd>
            {company.complianceTenantId !== null ? (
              <span className="tenant tenant-inline">
                <Badge tone="info">Compliance tenant</Badge>
                <code className="mono-small">{company.complianceTenantId}</code>
              </span>
            ) : (
              <span className="muted">
                Not a compliance tenant. Promote it from the <Link to="/companies">Companies</Link>{" "}
                list.
              </span>
            )}
          </dd>
        </div>
        <div>
          <dt>Active assets</dt>
          <dd>{formatCount(company.assets)}</dd>
        </div>
        <div>
          <dt>Last sync</dt>
          <dd className="status-cell">
            {company.lastSyncedAt === null ? (
              <span className="muted">Never synced</span>
            ) : (
              <time dateTime={company.lastSyncedAt}>{formatTimestamp(company.lastSyncedAt)}</time>
            )}
            <LastSyncState company={company} />
          </dd>
        </div>
      </dl>
    </section>
  );
}

function MappedOrganizations({
  rows,
  connections,
}: {
  rows: OrganizationRow[];
  connections: Connection[];
}) {
  const headingId = useId();
  const connectionName = (id: ConnectionId) =>
    connections.find((connection) => connection.id === id)?.name ?? `Connection ${id}`;
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId} className="section-title">
        NinjaOne organizations
      </h2>
      {rows.length === 0 ? (
        <EmptyState>
          <p>No NinjaOne organization is mapped to this company, so Sync has nothing to read.</p>
          <p>
            <Link to="/organizations">Map one in Organizations</Link>
          </p>
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">NinjaOne organizations of this company</caption>
            <thead>
              <tr>
                <th scope="col">Organization</th>
                {connections.length > 1 && <th scope="col">Connection</th>}
                <th scope="col" className="num">
                  Devices in NinjaOne
                </th>
                <th scope="col">Syncs</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={`${row.connectionId}:${row.orgId}`}>
                  <th scope="row">
                    <span className="org-name">
                      {row.name}
                      {row.gone && <Badge tone="warning">Gone from NinjaOne</Badge>}
                    </span>
                  </th>
                  {connections.length > 1 && <td>{connectionName(row.connectionId)}</td>}
                  <td className="num">
                    {row.deviceCount === null ? "—" : formatCount(row.deviceCount)}
                  </td>
                  <td>
                    {row.includeNonAgent ? "Agent, network and non-agent devices" : "Agent devices"}
                    {row.locationIds.length > 0 &&
                      `, only ${countOf(row.locationIds.length, "location")}`}
                    {row.syncSoftware && ", installed software"}
                    {row.customFields.length > 0 &&
                      `, ${countOf(row.customFields.length, "custom field")}`}
                    {row.droppedFieldGroups.length > 0 &&
                      `, ${countOf(row.droppedFieldGroups.length, "field group")} left out`}
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

function CompanyAssets({ companyId, version }: { companyId: CompanyId; version: number }) {
  const headingId = useId();
  const statusId = useId();
  const [status, setStatus] = useState<AssetStatus | null>(null);
  const [sort, setSort] = useState<AssetSort>(DEFAULT_SORT);
  return (
    <section aria-labelledby={headingId} className="assets-section">
      <div className="section-header">
        <h2 id={headingId} className="section-title">
          Assets
        </h2>
        <div className="toolbar-field toolbar-field-inline">
          <label htmlFor={statusId}>Status</label>
          <select
            id={statusId}
            value={status ?? ""}
            onChange={(e) => setStatus((e.currentTarget.value || null) as AssetStatus | null)}
          >
            <option value="">All</option>
            {ASSET_STATUSES.map((value) => (
              <option key={value} value={value}>
                {ASSET_STATUS[value].label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <CompanyAssetList
        key={status ?? "all"}
        companyId={companyId}
        status={status}
        version={version}
        sort={sort}
        onSort={setSort}
      />
    </section>
  );
}

function CompanyAssetList({
  companyId,
  status,
  version,
  sort,
  onSort,
}: {
  companyId: CompanyId;
  status: AssetStatus | null;
  /** Goes up after each sync: the list is asked for again, and stays on screen meanwhile. */
  version: number;
  sort: AssetSort;
  onSort: (sort: AssetSort) => void;
}) {
  const { state, retry, refresh } = useLoaded(() => loadAssets(companyId, status));
  const loadedVersion = useRef(version);
  useEffect(() => {
    if (loadedVersion.current === version) return;
    loadedVersion.current = version;
    refresh();
  }, [version, refresh]);
  const rows = useMemo(
    () => (state.status === "ready" ? sortAssets(state.data, sort) : []),
    [state, sort],
  );
  if (state.status === "loading") return <Loading label="Loading assets" />;
  if (state.status === "failed") return <LoadFailed message={state.message} onRetry={retry} />;
  if (rows.length === 0) {
    return (
      <EmptyState>
        <p>
          {status === null
            ? "No assets yet. Sync With NinjaOne brings in the devices of the mapped organizations."
            : `No ${ASSET_STATUS[status].label.toLocaleLowerCase()} assets.`}
        </p>
      </EmptyState>
    );
  }
  return <AssetTable rows={rows} caption="Assets of this company" sort={sort} onSort={onSort} />;
}
