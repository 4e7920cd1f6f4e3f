// Compliance wording: names of the five signals and their statuses, and each signal's
// aggregate numbers in plain words. Which status applies is always the engine's answer.
import type { AntivirusMetadata } from "../../bindings/AntivirusMetadata";
import type { BackupMetadata } from "../../bindings/BackupMetadata";
import type { DeviceInventoryMetadata } from "../../bindings/DeviceInventoryMetadata";
import type { DiskEncryptionMetadata } from "../../bindings/DiskEncryptionMetadata";
import type { PatchSlaMetadata } from "../../bindings/PatchSlaMetadata";
import type { SignalKind } from "../../bindings/SignalKind";
import type { SignalRow } from "../../bindings/SignalRow";
import type { SignalStatus } from "../../bindings/SignalStatus";
import type { TicketPriority } from "../../bindings/TicketPriority";
import type { TicketStatus } from "../../bindings/TicketStatus";
import { countOf, formatCount } from "../../format";
import { humanizeConstant, type Tone } from "../../labels";

/** In the order SPEC §5 lists them. */
export const SIGNAL_KINDS: readonly SignalKind[] = [
  "disk_encryption",
  "antivirus_posture",
  "patch_sla",
  "backup_activity",
  "device_inventory",
];

export const SIGNAL_LABELS: Record<SignalKind, string> = {
  disk_encryption: "Disk encryption",
  antivirus_posture: "Antivirus posture",
  patch_sla: "Patch SLA",
  backup_activity: "Backup activity",
  device_inventory: "Device inventory",
};

export const SIGNAL_STATUS: Record<SignalStatus, { label: string; tone: Tone; rank: number }> = {
  fail: { label: "Fail", tone: "danger", rank: 0 },
  warn: { label: "Warn", tone: "warning", rank: 1 },
  no_data: { label: "No data", tone: "muted", rank: 2 },
  pass: { label: "Pass", tone: "success", rank: 3 },
};

/** Expired evidence ranks with failures: it proves nothing any more. */
export function signalRank(row: Pick<SignalRow, "status" | "expired">): number {
  return row.expired ? 0.5 : SIGNAL_STATUS[row.status].rank;
}

export const TICKET_PRIORITY: Record<TicketPriority, { label: string; tone: Tone }> = {
  high: { label: "High", tone: "danger" },
  normal: { label: "Normal", tone: "warning" },
};

export const TICKET_STATUS: Record<TicketStatus, { label: string; tone: Tone }> = {
  open: { label: "Open", tone: "info" },
  closed: { label: "Closed", tone: "muted" },
};

function percent(value: number | null): string {
  return value === null
    ? "—"
    : `${value.toLocaleString(undefined, { maximumFractionDigits: 1 })} %`;
}

function distribution(values: { [key in string]?: number }, readable = false): string | null {
  const parts = Object.entries(values)
    .filter((entry): entry is [string, number] => typeof entry[1] === "number" && entry[1] > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([key, n]) => `${readable ? humanizeConstant(key) : key} ${formatCount(n)}`);
  return parts.length === 0 ? null : parts.join(", ");
}

const METHODS: Record<string, string> = { bitLocker: "BitLocker", fileVault: "FileVault" };
const PRODUCTS: Record<string, string> = {
  ninjaBackup: "NinjaOne Backup",
  cloudberry: "CloudBerry",
};

function renamed(values: { [key in string]?: number }, names: Record<string, string>) {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [names[k] ?? k, v]));
}

/**
 * The signal's aggregate numbers as short sentences, most telling first. Aggregates only:
 * the metadata never holds a device, so neither does this.
 */
export function describeSignal(row: SignalRow): string[] {
  switch (row.signal) {
    case "disk_encryption": {
      const m = row.metadata as DiskEncryptionMetadata;
      const lines = [
        m.volumesMeasured === 0
          ? "No volume with a known encryption state."
          : `${formatCount(m.encrypted)} of ${countOf(m.volumesMeasured, "volume")} encrypted (${percent(m.percentEncrypted)}).`,
      ];
      if (m.notEncrypted > 0) lines.push(`${countOf(m.notEncrypted, "volume")} not encrypted.`);
      const unknown = m.unknownMac + m.unknownLinux;
      if (unknown > 0) {
        lines.push(
          `Not counted: ${[
            m.unknownMac > 0
              ? countOf(m.unknownMac, "Mac") + " without a FileVault event in 30 days"
              : null,
            m.unknownLinux > 0 ? countOf(m.unknownLinux, "Linux disk") : null,
          ]
            .filter(Boolean)
            .join(", ")}.`,
        );
      }
      const methods = distribution(renamed(m.byMethod, METHODS));
      if (methods) lines.push(`By method: ${methods}.`);
      return lines;
    }
    case "antivirus_posture": {
      const m = row.metadata as AntivirusMetadata;
      if (m.devices === 0) return ["No Windows or macOS device in scope."];
      const lines = [
        `${formatCount(m.current)} of ${countOf(m.devices, "device")} protected and current.`,
      ];
      if (m.stale > 0) lines.push(`${countOf(m.stale, "device")} with stale signatures.`);
      if (m.expired > 0)
        lines.push(`${countOf(m.expired, "device")} not reported for over 30 days.`);
      if (m.protectionOff > 0)
        lines.push(`${countOf(m.protectionOff, "device")} with real-time protection off.`);
      if (m.notReported > 0)
        lines.push(`${countOf(m.notReported, "device")} with no antivirus reported.`);
      const vendors = distribution(m.vendors);
      if (vendors) lines.push(`Products: ${vendors}.`);
      return lines;
    }
    case "patch_sla": {
      const m = row.metadata as PatchSlaMetadata;
      if (m.devices === 0) return ["No device in scope."];
      const lines = [
        m.outstanding === 0
          ? `No critical or important patch outstanding on ${countOf(m.devices, "device")}.`
          : `${countOf(m.outstanding, "critical or important patch", "critical or important patches")} outstanding on ${formatCount(m.devicesWithOutstanding)} of ${countOf(m.devices, "device")} (${formatCount(m.outstandingOs)} OS, ${formatCount(m.outstandingSoftware)} software).`,
      ];
      const failed = m.failedPending + m.failedInstalls;
      if (failed > 0) {
        lines.push(
          `Failures: ${countOf(m.failedPending, "pending patch", "pending patches")} failed, ${countOf(m.failedInstalls, "install")} failed in the last 7 days.`,
        );
      }
      const severity = distribution(m.bySeverity, true);
      if (severity) lines.push(`By severity: ${severity}.`);
      return lines;
    }
    case "backup_activity": {
      const m = row.metadata as BackupMetadata;
      if (m.devices === 0) return ["No device had backup activity in the last 7 days."];
      const lines = [
        `${formatCount(m.withSuccess)} of ${countOf(m.devices, "device")} with backup activity had a successful job in the last 7 days.`,
      ];
      if (m.onlyFailed > 0) {
        lines.push(
          `${countOf(m.onlyFailed, "device")} only failed (${percent(m.percentOnlyFailed)}).`,
        );
      }
      if (m.noResult > 0) lines.push(`${countOf(m.noResult, "device")} without a result yet.`);
      const products = distribution(renamed(m.byProduct, PRODUCTS));
      if (products) lines.push(`Products: ${products}.`);
      return lines;
    }
    case "device_inventory": {
      const m = row.metadata as DeviceInventoryMetadata;
      if (m.devices === 0) return ["No approved device: the inventory is empty."];
      const lines = [
        `${countOf(m.devices, "approved device")}, ${formatCount(m.offline)} offline (${percent(m.percentOffline)}).`,
      ];
      const classes = distribution(m.byClass, true);
      if (classes) lines.push(`By class: ${classes}.`);
      return lines;
    }
  }
}

/** The one number a trend follows for each signal, with its unit; null when nothing was measured. */
export function trendValue(row: SignalRow): number | null {
  switch (row.signal) {
    case "disk_encryption":
      return (row.metadata as DiskEncryptionMetadata).percentEncrypted;
    case "antivirus_posture": {
      const m = row.metadata as AntivirusMetadata;
      return m.devices === 0 ? null : Math.round((m.current / m.devices) * 1000) / 10;
    }
    case "patch_sla":
      return (row.metadata as PatchSlaMetadata).outstanding;
    case "backup_activity":
      return (row.metadata as BackupMetadata).percentOnlyFailed;
    case "device_inventory":
      return (row.metadata as DeviceInventoryMetadata).percentOffline;
  }
}

export const TREND_MEASURE: Record<SignalKind, { label: string; unit: string }> = {
  disk_encryption: { label: "Volumes encrypted", unit: "%" },
  antivirus_posture: { label: "Devices protected and current", unit: "%" },
  patch_sla: { label: "Outstanding patches", unit: "" },
  backup_activity: { label: "Devices whose backups only failed", unit: "%" },
  device_inventory: { label: "Devices offline", unit: "%" },
};
