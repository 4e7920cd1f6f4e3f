import type { ComponentType } from "react";

import type { IconName } from "./components/Icon";
import AssetsScreen from "./screens/assets";
import AssetDetailScreen from "./screens/assets/AssetDetailScreen";
import CompaniesScreen from "./screens/companies";
import CompanyScreen from "./screens/companies/CompanyPage";
import ComplianceScreen from "./screens/compliance";
import ConnectionScreen from "./screens/connection";
import HistoryScreen from "./screens/history";
import IncidentsScreen from "./screens/incidents";
import OrganizationsScreen from "./screens/organizations";
import SettingsScreen from "./screens/settings";
import TicketsScreen from "./screens/tickets";

export interface ScreenRoute {
  path: string;
  label: string;
  icon: IconName;
  Component: ComponentType;
}

/** The sidebar order. The tray's "navigate" event uses these paths too. */
export const SCREENS: readonly ScreenRoute[] = [
  { path: "/connection", label: "Connection", icon: "connection", Component: ConnectionScreen },
  {
    path: "/organizations",
    label: "Organizations",
    icon: "organizations",
    Component: OrganizationsScreen,
  },
  { path: "/companies", label: "Companies", icon: "companies", Component: CompaniesScreen },
  { path: "/assets", label: "Assets", icon: "assets", Component: AssetsScreen },
  { path: "/compliance", label: "Compliance", icon: "compliance", Component: ComplianceScreen },
  { path: "/incidents", label: "Incidents", icon: "incidents", Component: IncidentsScreen },
  { path: "/tickets", label: "Tickets", icon: "tickets", Component: TicketsScreen },
  { path: "/history", label: "Sync history & audit", icon: "history", Component: HistoryScreen },
  { path: "/settings", label: "Settings", icon: "settings", Component: SettingsScreen },
];

/** Pages inside a screen, reached from its lists; the sidebar keeps their screen highlighted. */
export const DETAIL_ROUTES: readonly { path: string; Component: ComponentType }[] = [
  { path: "/companies/:companyId", Component: CompanyScreen },
  { path: "/assets/:assetId", Component: AssetDetailScreen },
];

export const DEFAULT_ROUTE = "/connection";
