import { type ComponentType, lazy } from "react";

import type { IconName } from "./components/Icon";
// The first screen comes with the app's first script; every other screen is a chunk of its
// own, fetched when it is first opened, so the first screen's JavaScript stays small.
import ConnectionScreen from "./screens/connection";

const AssetsScreen = lazy(() => import("./screens/assets"));
const AssetDetailScreen = lazy(() => import("./screens/assets/AssetDetailScreen"));
const CompaniesScreen = lazy(() => import("./screens/companies"));
const CompanyScreen = lazy(() => import("./screens/companies/CompanyPage"));
const ComplianceScreen = lazy(() => import("./screens/compliance"));
const HistoryScreen = lazy(() => import("./screens/history"));
const IncidentsScreen = lazy(() => import("./screens/incidents"));
const OrganizationsScreen = lazy(() => import("./screens/organizations"));
const SettingsScreen = lazy(() => import("./screens/settings"));
const TicketsScreen = lazy(() => import("./screens/tickets"));

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

/** The first screen; its code is loaded with the app (see the imports above). */
export const DEFAULT_ROUTE = "/connection";
