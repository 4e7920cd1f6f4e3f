import { useEffect, useId, useState } from "react";

import type { AlertRule } from "../../bindings/AlertRule";
import type { IncidentSeverity } from "../../bindings/IncidentSeverity";
import type { RuleAction } from "../../bindings/RuleAction";
import type { RulePreviewRow } from "../../bindings/RulePreviewRow";
import { Badge } from "../../components/Badges";
import { LoadFailed } from "../../components/LoadFailed";
import { Loading } from "../../components/Loading";
import { formatShortTimestamp } from "../../format";
import { useLoaded } from "../../hooks/useLoaded";
import { alertRules, previewAlertRules, saveAlertRules, toErrorReport } from "../../ipc";
import { ACTIONS, SEVERITIES, SEVERITY } from "./labels";
import type { ListField, RuleDraft } from "./ruleDraft";
import { badOrgIds, fromRule, newDraft, problemsByRule, toRule } from "./ruleDraft";

/** How long typing pauses before the preview asks the engine again. */
const PREVIEW_DELAY_MS = 300;

/** The ordered alert rules, edited as a whole and saved together (first match wins). */
export function AlertRulesPanel() {
  const { state, retry } = useLoaded(alertRules);
  if (state.status === "loading") return <Loading label="Loading alert rules" />;
  if (state.status === "failed") return <LoadFailed message={state.message} onRetry={retry} />;
  return <RulesEditor saved={state.data} />;
}

type SaveState =
  | { status: "idle" }
  | { status: "saving" }
  | { status: "saved" }
  | { status: "failed"; message: string };

function RulesEditor({ saved }: { saved: AlertRule[] }) {
  const [drafts, setDrafts] = useState<RuleDraft[]>(() => saved.map(fromRule));
  const [save, setSave] = useState<SaveState>({ status: "idle" });
  const rules = drafts.map(toRule);
  const problems = save.status === "failed" ? problemsByRule(save.message) : null;

  function change(next: RuleDraft[]) {
    setDrafts(next);
    if (save.status === "saved") setSave({ status: "idle" });
  }

  function move(index: number, by: -1 | 1) {
    const next = [...drafts];
    const [rule] = next.splice(index, 1);
    if (!rule) return;
    next.splice(index + by, 0, rule);
    change(next);
  }

  async function saveAll() {
    setSave({ status: "saving" });
    try {
      const stored = await saveAlertRules(rules);
      setDrafts(stored.map(fromRule));
      setSave({ status: "saved" });
    } catch (e) {
      setSave({ status: "failed", message: toErrorReport(e).message });
    }
  }

  return (
    <>
      <p className="hint">
        Rules are tried in order and the first that matches decides. An empty field matches
        anything; list several values with commas. Without a matching rule, NinjaOne&apos;s severity
        maps straight through and the incident notifies.
      </p>
      {problems && problems.general.length > 0 && (
        <p className="inline-error" role="alert">
          {problems.general.join(" ")}
        </p>
      )}
      {drafts.length === 0 ? (
        <div className="panel empty-state">
          <p>
            No alert rules: every alert keeps NinjaOne&apos;s severity. Add a rule to change that.
          </p>
        </div>
      ) : (
        <ol className="card-list rule-list">
          {drafts.map((draft, index) => (
            <li key={draft.key}>
              <RuleCard
                draft={draft}
                index={index}
                last={index === drafts.length - 1}
                problems={problems?.byRule.get(index) ?? []}
                onChange={(next) => change(drafts.map((d, i) => (i === index ? next : d)))}
                onMove={(by) => move(index, by)}
                onDelete={() => change(drafts.filter((_, i) => i !== index))}
              />
            </li>
          ))}
        </ol>
      )}
      <div className="action-row">
        <button type="button" className="button" onClick={() => change([...drafts, newDraft()])}>
          Add rule
        </button>
        <button
          type="button"
          className="button button-primary"
          disabled={save.status === "saving"}
          onClick={() => void saveAll()}
        >
          {save.status === "saving" ? "Saving…" : "Save rules"}
        </button>
        {save.status === "saved" && (
          <span role="status" className="hint">
            Rules saved. They apply to events from now on.
          </span>
        )}
        {save.status === "failed" && (
          <span role="status" className="inline-error">
            The rules were not saved.
          </span>
        )}
      </div>
      <RulePreview rules={rules} />
    </>
  );
}

const LIST_FIELDS: { field: ListField; label: string; example: string }[] = [
  { field: "activityTypes", label: "Activity types", example: "CONDITION, SYSTEM" },
  { field: "statusCodes", label: "Status codes", example: "TRIGGERED" },
  { field: "severities", label: "NinjaOne severities", example: "CRITICAL, MAJOR" },
  { field: "priorities", label: "NinjaOne priorities", example: "HIGH, MEDIUM" },
  { field: "orgIds", label: "Organization ids", example: "101, 102" },
  { field: "deviceClasses", label: "Device classes", example: "WINDOWS_SERVER" },
];

function RuleCard({
  draft,
  index,
  last,
  problems,
  onChange,
  onMove,
  onDelete,
}: {
  draft: RuleDraft;
  index: number;
  last: boolean;
  problems: string[];
  onChange: (draft: RuleDraft) => void;
  onMove: (by: -1 | 1) => void;
  onDelete: () => void;
}) {
  const id = useId();
  const errorId = `${id}-errors`;
  const title = `Rule ${index + 1}${draft.name.trim() ? ` (${draft.name.trim()})` : ""}`;
  const badIds = badOrgIds(draft);

  function set<K extends keyof RuleDraft>(key: K, value: RuleDraft[K]) {
    onChange({ ...draft, [key]: value });
  }

  function toggle(action: RuleAction, on: boolean) {
    set("actions", on ? [...draft.actions, action] : draft.actions.filter((a) => a !== action));
  }

  return (
    <fieldset
      className="panel rule-card"
      aria-describedby={problems.length > 0 ? errorId : undefined}
      aria-invalid={problems.length > 0 || undefined}
    >
      <legend>{title}</legend>
      {problems.length > 0 && (
        <div id={errorId} className="inline-error" role="alert">
          {problems.map((p) => (
            <p key={p}>{p}</p>
          ))}
        </div>
      )}
      <div className="rule-fields">
        <div className="field">
          <label htmlFor={`${id}-name`}>Name</label>
          <input
            id={`${id}-name`}
            value={draft.name}
            onChange={(e) => set("name", e.currentTarget.value)}
          />
        </div>
        {LIST_FIELDS.map(({ field, label, example }) => (
          <div className="field" key={field}>
            <label htmlFor={`${id}-${field}`}>{label}</label>
            <input
              id={`${id}-${field}`}
              value={draft[field]}
              placeholder={example}
              aria-invalid={field === "orgIds" && badIds.length > 0 ? true : undefined}
              onChange={(e) => set(field, e.currentTarget.value)}
            />
            {field === "orgIds" && badIds.length > 0 && (
              <p className="inline-error">
                {badIds.join(", ")} {badIds.length === 1 ? "is" : "are"} not an organization id (a
                number) and will be left out.
              </p>
            )}
          </div>
        ))}
        <div className="field">
          <label htmlFor={`${id}-source`}>Source name</label>
          <input
            id={`${id}-source`}
            value={draft.sourceName}
            placeholder="Disk*"
            aria-describedby={`${id}-source-hint`}
            onChange={(e) => set("sourceName", e.currentTarget.value)}
          />
          <p id={`${id}-source-hint`} className="hint">
            * matches any characters, ? one character.
          </p>
        </div>
        <div className="field">
          <label htmlFor={`${id}-severity`}>Incident severity</label>
          <select
            id={`${id}-severity`}
            value={draft.severity}
            onChange={(e) => set("severity", e.currentTarget.value as IncidentSeverity | "")}
          >
            <option value="">Keep NinjaOne&apos;s severity</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {SEVERITY[s].label}
              </option>
            ))}
          </select>
        </div>
      </div>
      <fieldset className="choice-group">
        <legend>Actions</legend>
        <div className="checkbox-grid">
          {(Object.keys(ACTIONS) as RuleAction[]).map((action) => (
            <label key={action} className="checkbox-row">
              <input
                type="checkbox"
                checked={draft.actions.includes(action)}
                onChange={(e) => toggle(action, e.currentTarget.checked)}
              />
              <span>
                {ACTIONS[action].label} <span className="hint">({ACTIONS[action].hint})</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      <div className="action-row">
        <label className="checkbox-row">
          <input
            type="checkbox"
            checked={draft.enabled}
            onChange={(e) => set("enabled", e.currentTarget.checked)}
          />
          <span>Enabled</span>
        </label>
        <button
          type="button"
          className="button button-small"
          disabled={index === 0}
          aria-label={`Move ${title} up`}
          onClick={() => onMove(-1)}
        >
          Move up
        </button>
        <button
          type="button"
          className="button button-small"
          disabled={last}
          aria-label={`Move ${title} down`}
          onClick={() => onMove(1)}
        >
          Move down
        </button>
        <button
          type="button"
          className="button button-small button-danger"
          aria-label={`Delete ${title}`}
          onClick={onDelete}
        >
          Delete
        </button>
      </div>
    </fieldset>
  );
}

type PreviewState =
  | { status: "loading" }
  | { status: "ready"; rows: RulePreviewRow[] }
  | { status: "failed"; message: string };

/** What the rules as edited would do with the most recent events (nothing is saved). */
function RulePreview({ rules }: { rules: AlertRule[] }) {
  const headingId = useId();
  const [preview, setPreview] = useState<PreviewState>({ status: "loading" });
  const key = JSON.stringify(rules);

  useEffect(() => {
    let live = true;
    const timer = setTimeout(() => {
      previewAlertRules(JSON.parse(key) as AlertRule[]).then(
        (rows) => {
          if (live) setPreview({ status: "ready", rows });
        },
        (e: unknown) => {
          if (live) setPreview({ status: "failed", message: toErrorReport(e).message });
        },
      );
    }, PREVIEW_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [key]);

  return (
    <section aria-labelledby={headingId} className="rule-preview">
      <h3 id={headingId} className="section-title">
        What would these rules match?
      </h3>
      {preview.status === "loading" && <Loading label="Loading the preview" />}
      {preview.status === "failed" && (
        <p className="inline-error" role="alert">
          {preview.message}
        </p>
      )}
      {preview.status === "ready" && preview.rows.length === 0 && (
        <p className="muted">
          No events received yet. Once NinjaOne alerts arrive (Poll now, or the webhook receiver),
          this shows what each rule would do with them.
        </p>
      )}
      {preview.status === "ready" && preview.rows.length > 0 && (
        <div className="table-wrap">
          <table className="table table-compact">
            <caption className="visually-hidden">Recent events and what the rules would do</caption>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Received</th>
                <th scope="col">Type / status</th>
                <th scope="col">Matched by</th>
                <th scope="col">Severity</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {preview.rows.map(({ event, decision }) => (
                <tr key={event.activityId}>
                  <th scope="row">{event.title || `Activity ${event.activityId}`}</th>
                  <td className="nowrap">
                    {event.receivedAt ? formatShortTimestamp(event.receivedAt) : "—"}
                  </td>
                  <td className="mono-cell">
                    {event.activityType} / {event.statusCode}
                  </td>
                  <td>
                    {decision.rule === null
                      ? "No rule (NinjaOne's severity)"
                      : `Rule ${decision.rule + 1}${rules[decision.rule]?.name ? ` (${rules[decision.rule]?.name})` : ""}`}
                  </td>
                  <td>
                    <Badge tone={SEVERITY[decision.severity].tone}>
                      {SEVERITY[decision.severity].label}
                    </Badge>
                  </td>
                  <td>
                    {decision.actions.length === 0
                      ? "None"
                      : decision.actions.map((a) => ACTIONS[a].label).join(", ")}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
