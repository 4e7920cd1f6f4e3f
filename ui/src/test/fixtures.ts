// Test data shaped like the engine's answers. Each builder takes overrides for what a test needs.
import type { Company } from "../bindings/Company";
import type { Connection } from "../bindings/Connection";
import type { ConnectionSetup } from "../bindings/ConnectionSetup";
import type { ConnectionTest } from "../bindings/ConnectionTest";
import type { DiscoverySummary } from "../bindings/DiscoverySummary";
import type { OrganizationRow } from "../bindings/OrganizationRow";
import type { RegionOption } from "../bindings/RegionOption";

export const REGIONS: RegionOption[] = [
  { code: "us", label: "US", host: "app.ninjarmm.com" },
  { code: "eu", label: "EU", host: "eu.ninjarmm.com" },
  { code: "oc", label: "Oceania", host: "oc.ninjarmm.com" },
];

export function connectionWith(overrides: Partial<Connection> = {}): Connection {
  return {
    id: 1,
    name: "Contoso MSP",
    region: "us",
    baseUrl: "https://app.ninjarmm.com",
    clientId: "client-abc",
    grantedScopes: ["monitoring"],
    active: true,
    createdAt: "2025-11-20T09:00:00Z",
    testedAt: "2025-11-20T09:00:00Z",
    discoveredAt: "2025-11-20T09:00:05Z",
    disconnectedAt: null,
    organizationsTruncated: false,
    ...overrides,
  };
}

export function setupWith(overrides: Partial<ConnectionSetup> = {}): ConnectionSetup {
  return { regions: REGIONS, connections: [], demo: null, ...overrides };
}

export function connectionTestWith(overrides: Partial<ConnectionTest> = {}): ConnectionTest {
  return {
    host: "app.ninjarmm.com",
    organizations: 12,
    organizationsTruncated: false,
    grantedScopes: ["monitoring"],
    warnings: [],
    ...overrides,
  };
}

export function discoveryWith(overrides: Partial<DiscoverySummary> = {}): DiscoverySummary {
  return {
    organizations: 12,
    newOrganizations: 12,
    goneOrganizations: 0,
    truncated: false,
    ...overrides,
  };
}

/**
 * A pending organization present in NinjaOne without a suggestion. The engine's flags are not
 * derived here: a test that gives a row a suggestion, or marks it gone, sets them as the engine
 * would answer.
 */
export function orgRow(overrides: Partial<OrganizationRow> = {}): OrganizationRow {
  return {
    connectionId: 1,
    orgId: 100,
    name: "Acme Ltd",
    state: "pending",
    companyId: null,
    companyName: null,
    suggestedCompanyId: null,
    suggestedCompanyName: null,
    deviceCount: 10,
    gone: false,
    canAcceptSuggestion: false,
    canMap: true,
    locationIds: [],
    includeNonAgent: false,
    ...overrides,
  };
}

export function companyWith(overrides: Partial<Company> = {}): Company {
  return {
    id: 1,
    name: "Acme",
    complianceTenantId: null,
    mappedOrganizations: 0,
    assets: 0,
    createdAt: "2025-11-20T09:00:00Z",
    ...overrides,
  };
}
