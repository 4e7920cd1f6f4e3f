// Search, filter and sort for asset lists, done in the window over the engine's rows. They
// only choose which of the engine's rows to show and in what order; they decide nothing about
// an asset.
import type { Asset } from "./bindings/Asset";
import type { AssetSource } from "./bindings/AssetSource";
import type { AssetStatus } from "./bindings/AssetStatus";
import type { CompanyId } from "./bindings/CompanyId";
import { ASSET_STATUSES } from "./labels";

export type AssetSortKey = "name" | "company" | "status" | "lastSeen";

export interface AssetSort {
  key: AssetSortKey;
  direction: "ascending" | "descending";
}

export const DEFAULT_SORT: AssetSort = { key: "name", direction: "ascending" };

export interface AssetFilters {
  /** Matched against name, serial number and external id, ignoring case. */
  query: string;
  status: AssetStatus | null;
  source: AssetSource | null;
  nodeClass: string | null;
}

export const NO_FILTERS: AssetFilters = { query: "", status: null, source: null, nodeClass: null };

/** Natural order, so "PC-2" comes before "PC-10". */
const COLLATOR = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

/** What a list shows as an asset's name: its name, or its external id when it has none. */
export function assetName(asset: Asset): string {
  return asset.name ?? asset.externalId;
}

export function filterAssets(rows: readonly Asset[], filters: AssetFilters): Asset[] {
  const needle = filters.query.trim().toLocaleLowerCase();
  return rows.filter(
    (asset) =>
      (filters.status === null || asset.status === filters.status) &&
      (filters.source === null || asset.source === filters.source) &&
      (filters.nodeClass === null || asset.nodeClass === filters.nodeClass) &&
      (needle === "" ||
        (asset.name?.toLocaleLowerCase().includes(needle) ?? false) ||
        (asset.serialNumber?.toLocaleLowerCase().includes(needle) ?? false) ||
        asset.externalId.toLocaleLowerCase().includes(needle)),
  );
}

export function sortAssets(
  rows: readonly Asset[],
  sort: AssetSort,
  companyName: (id: CompanyId) => string = String,
): Asset[] {
  const byName = (a: Asset, b: Asset) =>
    COLLATOR.compare(assetName(a), assetName(b)) || a.id - b.id;
  let primary: (a: Asset, b: Asset) => number;
  switch (sort.key) {
    case "name":
      primary = () => 0;
      break;
    case "company":
      primary = (a, b) => COLLATOR.compare(companyName(a.companyId), companyName(b.companyId));
      break;
    case "status":
      primary = (a, b) => ASSET_STATUSES.indexOf(a.status) - ASSET_STATUSES.indexOf(b.status);
      break;
    case "lastSeen":
      primary = (a, b) => Date.parse(a.lastSeenAt) - Date.parse(b.lastSeenAt) || 0;
      break;
  }
  const sign = sort.direction === "ascending" ? 1 : -1;
  return [...rows].sort((a, b) => sign * (primary(a, b) || byName(a, b)));
}

/** The node classes present in a list, for its filter, in natural order. */
export function nodeClassesOf(rows: readonly Asset[]): string[] {
  const classes = new Set<string>();
  for (const asset of rows) if (asset.nodeClass !== null) classes.add(asset.nodeClass);
  return [...classes].sort(COLLATOR.compare);
}
