import { useId, useState } from "react";

import type { ConnectionId } from "../../bindings/ConnectionId";
import type { FieldGroup } from "../../bindings/FieldGroup";
import type { NinjaOrgId } from "../../bindings/NinjaOrgId";
import { customFieldNames, toErrorReport } from "../../ipc";

/** The groups a mapping may leave out, in the order the asset page shows them. */
export const OPTIONAL_GROUPS: readonly { group: FieldGroup; label: string }[] = [
  { group: "processor", label: "Processor" },
  { group: "memory", label: "Memory" },
  { group: "volumes", label: "Volumes" },
  { group: "network", label: "Network addresses" },
  { group: "location", label: "Location" },
  { group: "organization", label: "Organization" },
  { group: "policy", label: "Role & policy" },
  { group: "owner", label: "Assigned owner" },
  { group: "maintenance", label: "Maintenance" },
  { group: "warranty", label: "Warranty" },
  { group: "health", label: "Health & patches" },
];

export interface FieldChoice {
  dropped: FieldGroup[];
  customFields: string[];
  software: boolean;
}

type Picker =
  | { status: "idle" }
  | { status: "loading" }
  | { status: "failed"; message: string }
  | { status: "loaded"; names: string[] };

interface Props {
  connectionId: ConnectionId;
  orgId: NinjaOrgId;
  name: string;
  choice: FieldChoice;
  onChange: (choice: FieldChoice) => void;
}

/**
 * Which fields a mapping keeps: the optional groups, installed software, and the NinjaOne
 * custom fields, picked from the names found on the organization's devices now.
 */
export function FieldOptions({ connectionId, orgId, name, choice, onChange }: Props) {
  const ids = { groupsHint: useId(), customHint: useId() };
  const [picker, setPicker] = useState<Picker>({ status: "idle" });

  function toggleGroup(group: FieldGroup, keep: boolean) {
    const dropped = keep
      ? choice.dropped.filter((g) => g !== group)
      : [...choice.dropped.filter((g) => g !== group), group];
    onChange({ ...choice, dropped });
  }

  function toggleCustom(field: string, keep: boolean) {
    const rest = choice.customFields.filter((f) => f !== field);
    onChange({ ...choice, customFields: keep ? [...rest, field].sort() : rest });
  }

  async function loadNames() {
    setPicker({ status: "loading" });
    try {
      setPicker({ status: "loaded", names: await customFieldNames(connectionId, orgId) });
    } catch (e) {
      setPicker({ status: "failed", message: toErrorReport(e).message });
    }
  }

  // Chosen fields stay listed even when the sample no longer shows them, so they can be
  // unticked.
  const offered = [
    ...new Set([...(picker.status === "loaded" ? picker.names : []), ...choice.customFields]),
  ].sort();

  return (
    <>
      <fieldset className="field-groups" aria-describedby={ids.groupsHint}>
        <legend>Fields to keep</legend>
        <p id={ids.groupsHint} className="hint">
          Identity, operating system, hardware and lifecycle are always kept.
        </p>
        <div className="checkbox-grid">
          {OPTIONAL_GROUPS.map(({ group, label }) => (
            <label key={group} className="checkbox-row">
              <input
                type="checkbox"
                checked={!choice.dropped.includes(group)}
                onChange={(e) => toggleGroup(group, e.currentTarget.checked)}
              />
              <span>{label}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <label className="checkbox-row">
        <input
          type="checkbox"
          checked={choice.software}
          onChange={(e) => onChange({ ...choice, software: e.currentTarget.checked })}
        />
        <span>Installed software</span>
      </label>
      <fieldset className="field-groups" aria-describedby={ids.customHint}>
        <legend>Custom fields</legend>
        <p id={ids.customHint} className="hint">
          NinjaOne custom fields found on this organization&apos;s devices. None are kept unless
          chosen.
        </p>
        {offered.length > 0 && (
          <div className="checkbox-grid">
            {offered.map((field) => (
              <label key={field} className="checkbox-row">
                <input
                  type="checkbox"
                  checked={choice.customFields.includes(field)}
                  onChange={(e) => toggleCustom(field, e.currentTarget.checked)}
                />
                <span>{field}</span>
              </label>
            ))}
          </div>
        )}
        {picker.status === "loaded" && picker.names.length === 0 && (
          <p className="muted">No custom fields were found on this organization&apos;s devices.</p>
        )}
        {picker.status === "failed" && (
          <p className="inline-error" role="alert">
            Custom fields could not be loaded: {picker.message}
          </p>
        )}
        <div className="action-row">
          <button
            type="button"
            className="button button-small"
            disabled={picker.status === "loading"}
            aria-busy={picker.status === "loading"}
            aria-label={`Load custom fields of ${name} from NinjaOne`}
            onClick={() => void loadNames()}
          >
            {picker.status === "loading"
              ? "Loading custom fields…"
              : picker.status === "idle"
                ? "Load from NinjaOne"
                : "Load again"}
          </button>
        </div>
      </fieldset>
    </>
  );
}
