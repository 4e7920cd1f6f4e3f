import { describe, expect, it } from "vitest";

import { filterAssets, NO_FILTERS, nodeClassesOf, sortAssets } from "./assetList";
import { assetWith } from "./test/fixtures";

const PC10 = assetWith({ id: 1, name: "PC-10", serialNumber: "AAA", companyId: 2 });
const PC2 = assetWith({
  id: 2,
  name: "pc-2",
  serialNumber: null,
  status: "stale",
  nodeClass: "MAC",
  lastSeenAt: "2025-11-01T00:00:00Z",
});
const NAMELESS = assetWith({
  id: 3,
  name: null,
  externalId: "intune-ZZZ",
  source: "intune",
  nodeClass: null,
  status: "retired",
  lastSeenAt: "2025-12-01T00:00:00Z",
});
const ALL = [PC10, PC2, NAMELESS];

describe("asset lists", () => {
  it("sorts names in natural order, ignoring case, and falls back to the external id", () => {
    expect(sortAssets(ALL, { key: "name", direction: "ascending" }).map((a) => a.id)).toEqual([
      3, 2, 1,
    ]);
    expect(sortAssets(ALL, { key: "name", direction: "descending" }).map((a) => a.id)).toEqual([
      1, 2, 3,
    ]);
  });

  it("sorts by company name, status order and last seen, ties by name", () => {
    const names = new Map([
      [1, "Zeta"],
      [2, "Alpha"],
    ]);
    const companyName = (id: number) => names.get(id) ?? "";
    expect(
      sortAssets(ALL, { key: "company", direction: "ascending" }, companyName).map((a) => a.id),
    ).toEqual([1, 3, 2]);
    expect(sortAssets(ALL, { key: "status", direction: "ascending" }).map((a) => a.id)).toEqual([
      1, 2, 3,
    ]);
    expect(sortAssets(ALL, { key: "lastSeen", direction: "descending" }).map((a) => a.id)).toEqual([
      3, 1, 2,
    ]);
  });

  it("searches name, serial and external id and combines the filters", () => {
    expect(filterAssets(ALL, { ...NO_FILTERS, query: " aaa " }).map((a) => a.id)).toEqual([1]);
    expect(filterAssets(ALL, { ...NO_FILTERS, query: "zzz" }).map((a) => a.id)).toEqual([3]);
    expect(filterAssets(ALL, { ...NO_FILTERS, query: "PC" }).map((a) => a.id)).toEqual([1, 2]);
    expect(
      filterAssets(ALL, { ...NO_FILTERS, query: "pc", status: "stale" }).map((a) => a.id),
    ).toEqual([2]);
    expect(filterAssets(ALL, { ...NO_FILTERS, source: "intune" }).map((a) => a.id)).toEqual([3]);
    expect(filterAssets(ALL, { ...NO_FILTERS, nodeClass: "MAC" }).map((a) => a.id)).toEqual([2]);
  });

  it("offers each node class present once", () => {
    expect(nodeClassesOf([...ALL, PC10])).toEqual(["MAC", "WINDOWS_WORKSTATION"]);
  });
});
