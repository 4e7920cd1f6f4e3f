import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useId, useRef, useState } from "react";
import type { KeyboardEvent } from "react";
import { useNavigate } from "react-router-dom";

import { assetName } from "../assetList";
import type { AssetSort, AssetSortKey } from "../assetList";
import type { Asset } from "../bindings/Asset";
import type { CompanyId } from "../bindings/CompanyId";
import { formatShortTimestamp, formatTimestamp } from "../format";
import { humanizeConstant, SOURCE_LABELS } from "../labels";
import { AssetStatusBadge } from "./Badges";

/** Every row is this tall (CSS holds it there), so the list never measures a row. */
export const ROW_HEIGHT = 44;
/** Rows rendered beyond each edge of the window, so fast scrolling does not show blanks. */
const OVERSCAN = 12;
/** How far Page Up and Page Down move the focused row. */
const PAGE_ROWS = 10;

interface AssetTableProps {
  /** Already filtered and sorted. */
  rows: readonly Asset[];
  caption: string;
  sort: AssetSort;
  onSort: (sort: AssetSort) => void;
  /** When given, a Company column shows each asset's company by this name. */
  companyName?: (id: CompanyId) => string;
}

interface Column {
  title: string;
  sortKey?: AssetSortKey;
  width: string;
}

/**
 * A list of assets that stays smooth at 100,000 rows: only the rows in view (plus a margin)
 * are in the DOM, between two spacer rows that keep the scroll height. It is a real table
 * with a row count, so screen readers still know where they are. A row opens its asset on
 * click or Enter; arrow keys, Home, End, Page Up and Page Down move between rows.
 */
export function AssetTable({ rows, caption, sort, onSort, companyName }: AssetTableProps) {
  const navigate = useNavigate();
  const hintId = useId();
  const scrollRef = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const focusPending = useRef(false);

  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read during render on purpose
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: OVERSCAN,
    // React 19 batches the scroll update on its own; flushSync from the virtualizer's layout
    // effect would only warn.
    useFlushSync: false,
  });

  const activeIndex = Math.max(0, Math.min(active, rows.length - 1));

  // After a key moved the focus, the row is rendered once the virtualizer has scrolled to it.
  useEffect(() => {
    if (!focusPending.current) return;
    const row = scrollRef.current?.querySelector<HTMLElement>(`tr[data-index="${activeIndex}"]`);
    if (row) {
      focusPending.current = false;
      row.focus();
    }
  });

  const columns: Column[] = [
    { title: "Name", sortKey: "name", width: "19%" },
    ...(companyName ? [{ title: "Company", sortKey: "company" as const, width: "13%" }] : []),
    { title: "Source", width: "9%" },
    { title: "Class", width: "15%" },
    { title: "Serial number", width: "13%" },
    { title: "Status", sortKey: "status", width: "17%" },
    { title: "Last seen", sortKey: "lastSeen", width: "14%" },
  ];

  function open(asset: Asset) {
    void navigate(`/assets/${asset.id}`);
  }

  function moveTo(index: number) {
    const next = Math.max(0, Math.min(index, rows.length - 1));
    setActive(next);
    focusPending.current = true;
    virtualizer.scrollToIndex(next);
  }

  function onRowKeyDown(event: KeyboardEvent<HTMLTableRowElement>, index: number, asset: Asset) {
    const moves: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      PageDown: index + PAGE_ROWS,
      PageUp: index - PAGE_ROWS,
      Home: 0,
      End: rows.length - 1,
    };
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      open(asset);
    } else if (event.key in moves) {
      event.preventDefault();
      moveTo(moves[event.key] ?? index);
    }
  }

  function sortBy(key: AssetSortKey) {
    onSort({
      key,
      direction: sort.key === key && sort.direction === "ascending" ? "descending" : "ascending",
    });
  }

  const items = virtualizer.getVirtualItems();
  const first = items[0];
  const last = items[items.length - 1];
  const padTop = first ? first.start : 0;
  const padBottom = last ? virtualizer.getTotalSize() - last.end : 0;

  return (
    <div className="table-wrap virtual-scroll" ref={scrollRef}>
      <table
        className="table table-fixed asset-table"
        aria-rowcount={rows.length + 1}
        aria-describedby={hintId}
      >
        <caption className="visually-hidden">{caption}</caption>
        <colgroup>
          {columns.map((column) => (
            <col key={column.title} style={{ width: column.width }} />
          ))}
        </colgroup>
        <thead>
          <tr aria-rowindex={1}>
            {columns.map((column) => (
              <th
                key={column.title}
                scope="col"
                aria-sort={column.sortKey === sort.key ? sort.direction : undefined}
              >
                {column.sortKey ? (
                  <SortButton
                    title={column.title}
                    sortKey={column.sortKey}
                    sort={sort}
                    onSort={sortBy}
                  />
                ) : (
                  column.title
                )}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {padTop > 0 && (
            <tr className="virtual-pad" aria-hidden="true" style={{ height: padTop }}>
              <td colSpan={columns.length} />
            </tr>
          )}
          {items.map((item) => {
            const asset = rows[item.index];
            if (!asset) return null;
            return (
              <tr
                key={asset.id}
                data-index={item.index}
                aria-rowindex={item.index + 2}
                tabIndex={item.index === activeIndex ? 0 : -1}
                className={`asset-row asset-row-${asset.status}`}
                style={{ height: ROW_HEIGHT }}
                onClick={() => open(asset)}
                onFocus={() => setActive(item.index)}
                onKeyDown={(e) => onRowKeyDown(e, item.index, asset)}
              >
                <th scope="row" title={`${assetName(asset)} (${asset.externalId})`}>
                  {assetName(asset)}
                </th>
                {companyName && <td>{companyName(asset.companyId)}</td>}
                <td>{SOURCE_LABELS[asset.source]}</td>
                <td>{asset.nodeClass === null ? "—" : humanizeConstant(asset.nodeClass)}</td>
                <td className="mono-cell">{asset.serialNumber ?? "—"}</td>
                <td title={asset.retiredReason ?? undefined}>
                  <AssetStatusBadge status={asset.status} />
                  {asset.retiredReason !== null && (
                    <span className="row-reason">{asset.retiredReason}</span>
                  )}
                </td>
                <td title={formatTimestamp(asset.lastSeenAt)}>
                  {formatShortTimestamp(asset.lastSeenAt)}
                </td>
              </tr>
            );
          })}
          {padBottom > 0 && (
            <tr className="virtual-pad" aria-hidden="true" style={{ height: padBottom }}>
              <td colSpan={columns.length} />
            </tr>
          )}
        </tbody>
      </table>
      <p id={hintId} className="visually-hidden">
        Press Enter on a row to open the asset; arrow keys move between rows.
      </p>
    </div>
  );
}

function SortButton({
  title,
  sortKey,
  sort,
  onSort,
}: {
  title: string;
  sortKey: AssetSortKey;
  sort: AssetSort;
  onSort: (key: AssetSortKey) => void;
}) {
  const current = sort.key === sortKey;
  const arrow = current ? (sort.direction === "ascending" ? "▲" : "▼") : "";
  return (
    <button type="button" className="sort-button" onClick={() => onSort(sortKey)}>
      <span>{title}</span>
      <span className="sort-arrow" aria-hidden="true">
        {arrow}
      </span>
    </button>
  );
}
