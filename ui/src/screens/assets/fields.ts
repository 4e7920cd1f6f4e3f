// How the asset page names and groups the engine's curated fields (keys like `os.name`,
// SPEC §4). Presentation only: the engine chose the fields and their values.
import { formatBytes, formatTimestamp } from "../../format";
import { humanizeConstant, humanizeKey } from "../../labels";

/** The groups in the order the page shows them, with their headings. */
export const GROUPS: readonly { prefix: string; title: string }[] = [
  { prefix: "identity", title: "Identity" },
  { prefix: "os", title: "Operating system" },
  { prefix: "hardware", title: "Hardware" },
  { prefix: "processor", title: "Processor" },
  { prefix: "memory", title: "Memory" },
  { prefix: "volumes", title: "Volumes" },
  { prefix: "network", title: "Network" },
  { prefix: "location", title: "Location" },
  { prefix: "organization", title: "Organization" },
  { prefix: "policy", title: "Role and policy" },
  { prefix: "owner", title: "Assigned owner" },
  { prefix: "maintenance", title: "Maintenance" },
  { prefix: "lifecycle", title: "Lifecycle" },
  { prefix: "health", title: "Health" },
];

const LABELS: Record<string, string> = {
  "identity.systemName": "System name",
  "identity.displayName": "Display name",
  "identity.dnsName": "DNS name",
  "identity.netbiosName": "NetBIOS name",
  "identity.name": "Name",
  "identity.uid": "UID",
  "identity.deviceId": "NinjaOne device id",
  "identity.nodeClass": "Node class",
  "identity.tags": "Tags",
  "os.name": "Name",
  "os.manufacturer": "Manufacturer",
  "os.architecture": "Architecture",
  "os.buildNumber": "Build",
  "os.releaseId": "Release id",
  "os.lastBoot": "Last boot",
  "os.needsReboot": "Needs reboot",
  "hardware.manufacturer": "Make",
  "hardware.model": "Model",
  "hardware.serialNumber": "Serial number",
  "hardware.biosSerialNumber": "BIOS serial number",
  "hardware.chassis": "Chassis",
  "hardware.domain": "Domain",
  "hardware.virtualMachine": "Virtual machine",
  "processor.name": "Name",
  "processor.cores": "Cores",
  "processor.logicalCores": "Logical cores",
  "memory.bytes": "Installed",
  "volumes.count": "Count",
  "volumes.primary": "Primary",
  "volumes.summary": "Summary",
  "network.publicIp": "Public IP",
  "network.ipAddresses": "IP addresses",
  "network.macAddresses": "MAC addresses",
  "location.id": "NinjaOne location id",
  "organization.id": "NinjaOne organization id",
  "policy.rolePolicyId": "Role policy id",
  "policy.policyId": "Policy id",
  "policy.nodeRoleId": "Node role id",
  "owner.assignedOwnerUid": "Owner UID",
  "maintenance.status": "Status",
  "lifecycle.created": "Created in NinjaOne",
  "lifecycle.lastContact": "Last contact",
  "lifecycle.lastUpdate": "Last update",
  "lifecycle.lastSeen": "Last seen",
  "lifecycle.approval": "Approval",
  "lifecycle.offline": "Offline",
  "health.status": "Health status",
  "health.pendingOsPatches": "Pending OS patches",
  "health.failedOsPatches": "Failed OS patches",
  "health.pendingSoftwarePatches": "Pending software patches",
  "health.failedSoftwarePatches": "Failed software patches",
  "health.activeThreats": "Active threats",
  "health.avInstallStatus": "Antivirus install status",
};

type Shape = "timestamp" | "bytes" | "flag" | "constant";

/** How a value of the engine is made readable; anything else is shown as it came. */
const SHAPES: Record<string, Shape> = {
  "identity.nodeClass": "constant",
  "os.lastBoot": "timestamp",
  "os.needsReboot": "flag",
  "hardware.virtualMachine": "flag",
  "memory.bytes": "bytes",
  "maintenance.status": "constant",
  "lifecycle.created": "timestamp",
  "lifecycle.lastContact": "timestamp",
  "lifecycle.lastUpdate": "timestamp",
  "lifecycle.lastSeen": "timestamp",
  "lifecycle.approval": "constant",
  "lifecycle.offline": "flag",
  "health.status": "constant",
  "health.avInstallStatus": "constant",
};

/** "os.name" → "os"; a key without a dot belongs to no group ("" ). */
export function prefixOf(key: string): string {
  const dot = key.indexOf(".");
  return dot < 0 ? "" : key.slice(0, dot);
}

export function fieldLabel(key: string): string {
  return LABELS[key] ?? humanizeKey(key.slice(key.indexOf(".") + 1));
}

/** The label of a key wherever the group is not already said, e.g. in the field history. */
export function qualifiedFieldLabel(key: string): string {
  const group = GROUPS.find((g) => g.prefix === prefixOf(key));
  const title = group?.title ?? (prefixOf(key) ? humanizeKey(prefixOf(key)) : "");
  return title ? `${title} · ${fieldLabel(key)}` : fieldLabel(key);
}

export function fieldValue(key: string, value: string): string {
  switch (SHAPES[key]) {
    case "timestamp":
      return formatTimestamp(value);
    case "bytes": {
      const bytes = Number(value);
      return Number.isFinite(bytes) && value.trim() !== "" ? formatBytes(bytes) : value;
    }
    case "flag":
      return value === "yes" ? "Yes" : value === "no" ? "No" : value;
    case "constant":
      return humanizeConstant(value);
    default:
      return value;
  }
}

/** Known keys in the order LABELS lists them (SPEC §4's order), others after by name. */
const ORDER = new Map(Object.keys(LABELS).map((key, index) => [key, index]));

function byCuratedOrder(a: { key: string }, b: { key: string }): number {
  const left = ORDER.get(a.key) ?? Number.MAX_SAFE_INTEGER;
  const right = ORDER.get(b.key) ?? Number.MAX_SAFE_INTEGER;
  return left - right || a.key.localeCompare(b.key);
}

export interface FieldGroup {
  prefix: string;
  title: string;
  fields: { key: string; label: string; value: string }[];
}

/**
 * The fields in their groups: the known groups first in page order, then any other prefix
 * (custom fields, a group a newer engine adds) by name. Empty groups are left out.
 */
export function groupFields(fields: { [key in string]?: string }): FieldGroup[] {
  const byPrefix = new Map<string, FieldGroup["fields"]>();
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const prefix = prefixOf(key);
    const list = byPrefix.get(prefix) ?? [];
    list.push({ key, label: fieldLabel(key), value: fieldValue(key, value) });
    byPrefix.set(prefix, list);
  }
  for (const list of byPrefix.values()) list.sort(byCuratedOrder);
  const known = GROUPS.flatMap(({ prefix, title }) => {
    const list = byPrefix.get(prefix);
    return list ? [{ prefix, title, fields: list }] : [];
  });
  const others = [...byPrefix.entries()]
    .filter(([prefix]) => !GROUPS.some((g) => g.prefix === prefix))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([prefix, list]) => ({
      prefix,
      title: prefix === "" ? "Other" : humanizeKey(prefix),
      fields: list,
    }));
  return [...known, ...others];
}
