import { useDeferredValue, useId, useMemo, useState } from "react";

import { DEFAULT_SORT, filterAssets, NO_FILTERS, nodeClassesOf, sortAssets } from "../../assetList";
import type { AssetFilters, AssetSort } from "../../assetList";
import type { Asset } from "../../bindings/Asset";
import type { AssetSource } from "../../bindings/AssetSource";
import type { AssetStatus } from "../../bindings/AssetStatus";
import type { Company } from "../../bindings/Company";
import type { CompanyId } from "../../bindings/CompanyId";
import { AssetTable } from "../../components/AssetTable";
import { EmptyState } from "../../components/EmptyState";
import { LoadFailed } from "../../components/LoadFailed";
import { Loading } from "../../components/Loading";
import { PageHeader } from "../../components/PageHeader";
import { formatCount } from "../../format";
import { useLoaded } from "../../hooks/useLoaded";
import { useSubscription } from "../../hooks/useSubscription";
import { assets as loadAssets, companies as loadCompanies, onEngineEvent } from "../../ipc";
import {
  ASSET_SOURCES,
  ASSET_STATUS,
  ASSET_STATUSES,
  humanizeConstant,
  SOURCE_LABELS,
} from "../../labels";
import { ImportDialog } from "./ImportDialog";

interface Data {
  assets: Asset[];
  companies: Company[];
}

export default function AssetsScreen() {
  const { state, retry, refresh } = useLoaded<Data>(async () => {
    const [assets, companies] = await Promise.all([loadAssets(), loadCompanies()]);
    return { assets, companies };
  });
  const [importing, setImporting] = useState(false);
  const [newResults, setNewResults] = useState(false);

  // A sync elsewhere changed the inventory. Reloading under the technician's eyes would move
  // the rows they are reading, so say so and let them reload.
  useSubscription(onEngineEvent, (event) => {
    if (event.type === "syncFinished" && state.status === "ready") setNewResults(true);
  });

  function reload() {
    setNewResults(false);
    refresh();
  }

  return (
    <div className="page page-wide">
      <PageHeader
        title="Assets"
        description="Every device of every company, from NinjaOne and imports. Open one for its fields and history."
      />
      <div className="toolbar">
        <div className="toolbar-action">
          <button type="button" className="button" onClick={() => setImporting(true)}>
            Import assets…
          </button>
        </div>
      </div>
      {newResults && (
        <p className="callout callout-info callout-row" role="status">
          <span>A sync finished since this list was loaded.</span>
          <button type="button" className="button button-small" onClick={reload}>
            Reload
          </button>
        </p>
      )}
      {state.status === "loading" && <Loading label="Loading assets" />}
      {state.status === "failed" && <LoadFailed message={state.message} onRetry={retry} />}
      {state.status === "ready" && <AssetBrowser {...state.data} />}
      {importing && (
        <ImportDialog
          onClose={() => setImporting(false)}
          onImported={() => {
            setNewResults(false);
            refresh();
          }}
        />
      )}
    </div>
  );
}

function AssetBrowser({ assets, companies }: Data) {
  const ids = { search: useId(), status: useId(), source: useId(), nodeClass: useId() };
  const [filters, setFilters] = useState<AssetFilters>(NO_FILTERS);
  const [sort, setSort] = useState<AssetSort>(DEFAULT_SORT);
  // Typing stays responsive over 100,000 rows: the list follows a moment later.
  const deferredFilters = useDeferredValue(filters);

  const names = useMemo(() => new Map(companies.map((c) => [c.id, c.name])), [companies]);
  const companyName = useMemo(() => (id: CompanyId) => names.get(id) ?? `Company ${id}`, [names]);
  const nodeClasses = useMemo(() => nodeClassesOf(assets), [assets]);
  const filtered = useMemo(() => filterAssets(assets, deferredFilters), [assets, deferredFilters]);
  const shown = useMemo(
    () => sortAssets(filtered, sort, companyName),
    [filtered, sort, companyName],
  );

  if (assets.length === 0) {
    return (
      <EmptyState>
        <p>No assets yet.</p>
        <p>
          Map NinjaOne organizations to companies and sync them, or import assets from Level, Intune
          or Entra.
        </p>
      </EmptyState>
    );
  }

  function set<K extends keyof AssetFilters>(key: K, value: AssetFilters[K]) {
    setFilters((current) => ({ ...current, [key]: value }));
  }

  return (
    <>
      <div className="toolbar">
        <div className="toolbar-field toolbar-search">
          <label htmlFor={ids.search}>Search</label>
          <input
            id={ids.search}
            type="search"
            placeholder="Name, serial number or external id"
            value={filters.query}
            onChange={(e) => set("query", e.currentTarget.value)}
          />
        </div>
        <div className="toolbar-field">
          <label htmlFor={ids.status}>Status</label>
          <select
            id={ids.status}
            value={filters.status ?? ""}
            onChange={(e) => set("status", (e.currentTarget.value || null) as AssetStatus | null)}
          >
            <option value="">All</option>
            {ASSET_STATUSES.map((status) => (
              <option key={status} value={status}>
                {ASSET_STATUS[status].label}
              </option>
            ))}
          </select>
        </div>
        <div className="toolbar-field">
          <label htmlFor={ids.source}>Source</label>
          <select
            id={ids.source}
            value={filters.source ?? ""}
            onChange={(e) => set("source", (e.currentTarget.value || null) as AssetSource | null)}
          >
            <option value="">All</option>
            {ASSET_SOURCES.map((source) => (
              <option key={source} value={source}>
                {SOURCE_LABELS[source]}
              </option>
            ))}
          </select>
        </div>
        <div className="toolbar-field">
          <label htmlFor={ids.nodeClass}>Class</label>
          <select
            id={ids.nodeClass}
            value={filters.nodeClass ?? ""}
            onChange={(e) => set("nodeClass", e.currentTarget.value || null)}
          >
            <option value="">All</option>
            {nodeClasses.map((nodeClass) => (
              <option key={nodeClass} value={nodeClass}>
                {humanizeConstant(nodeClass)}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p className="list-count">
        Showing {formatCount(shown.length)} of {formatCount(assets.length)} assets
      </p>
      {shown.length === 0 ? (
        <EmptyState>
          <p>No assets match this search and these filters.</p>
          <p>
            <button
              type="button"
              className="button button-small"
              onClick={() => setFilters(NO_FILTERS)}
            >
              Clear search and filters
            </button>
          </p>
        </EmptyState>
      ) : (
        <AssetTable
          rows={shown}
          caption="Assets"
          sort={sort}
          onSort={setSort}
          companyName={companyName}
        />
      )}
    </>
  );
}
