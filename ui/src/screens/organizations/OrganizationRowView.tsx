import { Fragment, useId, useState } from "react";
import type { FormEvent, ReactNode } from "react";

import type { Company } from "../../bindings/Company";
import type { MappingChoice } from "../../bindings/MappingChoice";
import type { MappingOptions } from "../../bindings/MappingOptions";
import type { MappingState } from "../../bindings/MappingState";
import type { OrganizationRow } from "../../bindings/OrganizationRow";
import { formatCount } from "../../format";
import { mapOrganization, toErrorReport } from "../../ipc";
import { FieldOptions, OPTIONAL_GROUPS } from "./FieldOptions";
import type { FieldChoice } from "./FieldOptions";

export const STATE_LABELS: Record<MappingState, string> = {
  pending: "Pending review",
  mapped: "Mapped",
  ignored: "Ignored",
};

const STATE_BADGES: Record<MappingState, string> = {
  pending: "badge badge-warning",
  mapped: "badge badge-success",
  ignored: "badge badge-muted",
};

/** The number of columns, for the options row that spans them all. */
export const COLUMNS = 5;

type Action = "accept" | "map" | "create" | "ignore" | "options";

/**
 * The choice that keeps a row as it is, so options can be saved on their own. Keeping a
 * mapping is a "use existing" choice, which the engine takes only where `canMap` says so.
 */
function currentChoice(row: OrganizationRow): MappingChoice | null {
  if (row.state === "mapped" && row.companyId !== null) {
    return row.canMap ? { action: "useExisting", companyId: row.companyId } : null;
  }
  if (row.state === "ignored") return { action: "ignore" };
  return null;
}

/** "12, 40" → [12, 40]; null when something is not a location id. */
function parseLocationIds(text: string): number[] | null {
  const parts = text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
  const ids = parts.map(Number);
  return ids.every((id) => Number.isSafeInteger(id) && id > 0) ? ids : null;
}

function optionsHint(row: OrganizationRow, keepChoice: MappingChoice | null): string {
  if (keepChoice !== null) {
    return "NinjaOne location ids separated by commas. Leave empty for all locations.";
  }
  if (!row.canMap) {
    return "This organization is gone from NinjaOne: its options cannot change until it is back.";
  }
  return "Map this organization first: options apply once it is mapped.";
}

function fieldChoiceOf(row: OrganizationRow): FieldChoice {
  return {
    dropped: row.droppedFieldGroups,
    customFields: row.customFields,
    software: row.syncSoftware,
  };
}

interface RowProps {
  row: OrganizationRow;
  companies: Company[];
  onRow: (row: OrganizationRow) => void;
  /** A company may have been created: the company list should be loaded again. */
  onCompaniesChanged: () => void;
}

export function OrganizationRowView({ row, companies, onRow, onCompaniesChanged }: RowProps) {
  const ids = { company: useId(), options: useId(), locations: useId(), locationsHint: useId() };
  const { name } = row;
  const [choosing, setChoosing] = useState(false);
  const [selected, setSelected] = useState("");
  const [busy, setBusy] = useState<Action | null>(null);
  /** The last failure, shown next to the part of the row it came from. */
  const [error, setError] = useState<{ where: "row" | "options"; message: string } | null>(null);
  const [optionsOpen, setOptionsOpen] = useState(false);
  const [includeNonAgent, setIncludeNonAgent] = useState(row.includeNonAgent);
  const [locations, setLocations] = useState(row.locationIds.join(", "));
  const [fields, setFields] = useState<FieldChoice>(fieldChoiceOf(row));

  const working = busy !== null;
  // The engine decides whether a suggestion may be accepted; the id is only what it names.
  const suggestion = row.canAcceptSuggestion ? row.suggestedCompanyId : null;
  const keepChoice = currentChoice(row);

  async function run(action: Action, choice: MappingChoice, options: MappingOptions | null) {
    setBusy(action);
    setError(null);
    try {
      const updated = await mapOrganization(row.connectionId, row.orgId, choice, options);
      setChoosing(false);
      onRow(updated);
      if (choice.action === "createNew") onCompaniesChanged();
    } catch (e) {
      setError({
        where: action === "options" ? "options" : "row",
        message: toErrorReport(e).message,
      });
    } finally {
      setBusy(null);
    }
  }

  function startChoosing() {
    setError(null);
    setSelected(String(row.companyId ?? row.suggestedCompanyId ?? ""));
    setChoosing(true);
  }

  function mapToSelected(event: FormEvent) {
    event.preventDefault();
    if (selected === "" || working) return;
    void run("map", { action: "useExisting", companyId: Number(selected) }, null);
  }

  function toggleOptions() {
    if (error?.where === "options") setError(null);
    if (!optionsOpen) {
      setIncludeNonAgent(row.includeNonAgent);
      setLocations(row.locationIds.join(", "));
      setFields(fieldChoiceOf(row));
    }
    setOptionsOpen(!optionsOpen);
  }

  function saveOptions(event: FormEvent) {
    event.preventDefault();
    if (!keepChoice || working) return;
    const locationIds = parseLocationIds(locations);
    if (locationIds === null) {
      setError({
        where: "options",
        message: "Limit to locations takes NinjaOne location ids separated by commas, e.g. 12, 40.",
      });
      return;
    }
    const groups = OPTIONAL_GROUPS.map(({ group }) => group);
    void run("options", keepChoice, {
      includeNonAgent,
      locationIds,
      dropFieldGroups: groups.filter((g) => fields.dropped.includes(g)),
      keepFieldGroups: groups.filter((g) => !fields.dropped.includes(g)),
      customFields: fields.customFields,
      syncSoftware: fields.software,
    });
  }

  let company: ReactNode = <span className="muted">—</span>;
  if (row.state === "mapped" && row.companyName !== null) company = row.companyName;
  else if (suggestion !== null && row.suggestedCompanyName !== null)
    company = <span className="suggestion">Suggested: {row.suggestedCompanyName}</span>;

  return (
    <Fragment>
      <tr aria-busy={working}>
        <th scope="row">
          <div className="org-name">
            <span>{name}</span>
            {row.gone && <span className="badge badge-danger">Gone from NinjaOne</span>}
          </div>
        </th>
        <td className="num">
          {row.deviceCount === null ? (
            <span className="muted">—</span>
          ) : (
            formatCount(row.deviceCount)
          )}
        </td>
        <td>
          <span className={STATE_BADGES[row.state]}>{STATE_LABELS[row.state]}</span>
        </td>
        <td>{company}</td>
        <td className="actions-cell">
          {choosing ? (
            <form className="chooser" onSubmit={mapToSelected}>
              <label htmlFor={ids.company} className="visually-hidden">
                Company for {name}
              </label>
              <select
                id={ids.company}
                value={selected}
                disabled={working}
                onChange={(e) => setSelected(e.currentTarget.value)}
              >
                <option value="">Choose a company…</option>
                {companies.map((c) => (
                  <option key={c.id} value={String(c.id)}>
                    {c.name}
                  </option>
                ))}
              </select>
              <button
                type="submit"
                className="button button-primary button-small"
                disabled={selected === "" || working}
                aria-busy={busy === "map"}
                aria-label={`Map ${name}`}
              >
                {busy === "map" ? "Mapping…" : "Map"}
              </button>
              <button
                type="button"
                className="button button-small"
                disabled={working}
                aria-label={`Cancel choosing a company for ${name}`}
                onClick={() => setChoosing(false)}
              >
                Cancel
              </button>
            </form>
          ) : (
            <div className="row-actions">
              {suggestion !== null && (
                <button
                  type="button"
                  className="button button-primary button-small"
                  disabled={working}
                  aria-busy={busy === "accept"}
                  aria-label={`Accept suggestion for ${name}`}
                  onClick={() =>
                    void run("accept", { action: "useExisting", companyId: suggestion }, null)
                  }
                >
                  {busy === "accept" ? "Mapping…" : "Accept suggestion"}
                </button>
              )}
              {row.canMap && (
                <button
                  type="button"
                  className="button button-small"
                  disabled={working}
                  aria-label={`Use existing company for ${name}`}
                  onClick={startChoosing}
                >
                  Use existing
                </button>
              )}
              {row.canMap && row.state !== "mapped" && (
                <button
                  type="button"
                  className="button button-small"
                  disabled={working}
                  aria-busy={busy === "create"}
                  aria-label={`Create new company for ${name}`}
                  onClick={() => void run("create", { action: "createNew" }, null)}
                >
                  {busy === "create" ? "Creating…" : "Create new"}
                </button>
              )}
              {row.state !== "ignored" && (
                <button
                  type="button"
                  className="button button-small"
                  disabled={working}
                  aria-busy={busy === "ignore"}
                  aria-label={`Don't sync ${name}`}
                  onClick={() => void run("ignore", { action: "ignore" }, null)}
                >
                  {busy === "ignore" ? "Saving…" : "Don't sync"}
                </button>
              )}
              <button
                type="button"
                className="button button-small button-quiet"
                aria-expanded={optionsOpen}
                aria-controls={ids.options}
                aria-label={`Options for ${name}`}
                onClick={toggleOptions}
              >
                Options
              </button>
            </div>
          )}
          {error?.where === "row" && (
            <p className="inline-error row-error" role="alert">
              {error.message}
            </p>
          )}
        </td>
      </tr>
      {optionsOpen && (
        <tr className="options-row" id={ids.options}>
          <td colSpan={COLUMNS}>
            <form className="row-options" onSubmit={saveOptions}>
              <fieldset disabled={keepChoice === null || working}>
                <legend>Options for {name}</legend>
                <label className="checkbox-row">
                  <input
                    type="checkbox"
                    checked={includeNonAgent}
                    onChange={(e) => setIncludeNonAgent(e.currentTarget.checked)}
                  />
                  <span>Include network &amp; non-agent devices</span>
                </label>
                <div className="field field-inline">
                  <label htmlFor={ids.locations}>Limit to locations</label>
                  <input
                    id={ids.locations}
                    type="text"
                    inputMode="numeric"
                    spellCheck={false}
                    autoComplete="off"
                    placeholder="All locations"
                    value={locations}
                    aria-describedby={ids.locationsHint}
                    onChange={(e) => setLocations(e.currentTarget.value)}
                  />
                </div>
                <p id={ids.locationsHint} className="hint">
                  {optionsHint(row, keepChoice)}
                </p>
                <FieldOptions
                  connectionId={row.connectionId}
                  orgId={row.orgId}
                  name={name}
                  choice={fields}
                  onChange={setFields}
                />
                <div className="action-row">
                  <button
                    type="submit"
                    className="button button-small"
                    aria-busy={busy === "options"}
                    aria-label={`Save options for ${name}`}
                  >
                    {busy === "options" ? "Saving…" : "Save options"}
                  </button>
                </div>
                {error?.where === "options" && (
                  <p className="inline-error" role="alert">
                    {error.message}
                  </p>
                )}
              </fieldset>
            </form>
          </td>
        </tr>
      )}
    </Fragment>
  );
}
