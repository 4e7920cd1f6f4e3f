import { describe, expect, it } from "vitest";

import { fieldLabel, fieldValue, groupFields, qualifiedFieldLabel } from "./fields";

describe("asset fields", () => {
  it("puts known groups in page order and their fields in the curated order", () => {
    const groups = groupFields({
      "os.releaseId": "24H2",
      "os.name": "Windows 11 Pro",
      "hardware.model": "EliteBook 840",
      "hardware.manufacturer": "HP",
      "identity.tags": "finance",
      "identity.systemName": "PC-1",
    });
    expect(groups.map((g) => [g.title, g.fields.map((f) => f.label)])).toEqual([
      ["Identity", ["System name", "Tags"]],
      ["Operating system", ["Name", "Release id"]],
      ["Hardware", ["Make", "Model"]],
    ]);
  });

  it("keeps fields of unknown groups after the known ones, by prefix, with readable names", () => {
    const groups = groupFields({
      "warranty.endDate": "2027-01-31",
      "custom.assetTag": "AT-1",
      "os.name": "macOS 15",
      orphan: "x",
    });
    expect(groups.map((g) => [g.title, g.fields.map((f) => [f.label, f.value])])).toEqual([
      ["Operating system", [["Name", "macOS 15"]]],
      ["Other", [["Orphan", "x"]]],
      ["Custom", [["Asset tag", "AT-1"]]],
      ["Warranty", [["End date", "2027-01-31"]]],
    ]);
  });

  it("makes values readable without changing what they say", () => {
    expect(fieldValue("memory.bytes", "8589934592")).toBe("8 GiB");
    expect(fieldValue("memory.bytes", "unknown")).toBe("unknown");
    expect(fieldValue("os.needsReboot", "yes")).toBe("Yes");
    expect(fieldValue("lifecycle.approval", "APPROVED")).toBe("Approved");
    expect(fieldValue("health.status", "UNHEALTHY")).toBe("Unhealthy");
    expect(fieldValue("os.name", "WINDOWS_SERVER")).toBe("WINDOWS_SERVER");
  });

  it("names a field with its group where the group is not already said", () => {
    expect(fieldLabel("hardware.serialNumber")).toBe("Serial number");
    expect(qualifiedFieldLabel("hardware.serialNumber")).toBe("Hardware · Serial number");
    expect(qualifiedFieldLabel("custom.assetTag")).toBe("Custom · Asset tag");
  });
});
