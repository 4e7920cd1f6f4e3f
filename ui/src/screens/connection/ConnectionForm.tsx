import { useId, useState } from "react";
import type { FormEvent } from "react";
import { Link } from "react-router-dom";

import type { ConnectionDraft } from "../../bindings/ConnectionDraft";
import type { ConnectionTest } from "../../bindings/ConnectionTest";
import type { DemoTenant } from "../../bindings/DemoTenant";
import type { ErrorReport } from "../../bindings/ErrorReport";
import type { Region } from "../../bindings/Region";
import type { RegionOption } from "../../bindings/RegionOption";
import type { SavedConnection } from "../../bindings/SavedConnection";
import { WaitingNote } from "../../components/WaitingNote";
import { useWaitingMessage } from "../../hooks/useWaitingMessage";
import { saveConnection, testConnection, toErrorReport } from "../../ipc";
import { countOf, formatCount } from "../../format";
import { ProblemPanel } from "./problem";

/** The value of the "Custom base URL" option; region codes are short lowercase words. */
const CUSTOM = "__custom__";

type Target = Region | typeof CUSTOM;

interface Values {
  target: Target;
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  name: string;
}

type Outcome<T> =
  | { status: "idle" }
  | { status: "busy" }
  | { status: "done"; result: T }
  | { status: "failed"; error: ErrorReport };

/** The draft exactly as typed: a region code or a base URL, never both. */
function toDraft(values: Values): ConnectionDraft {
  const draft: ConnectionDraft = { clientId: values.clientId, clientSecret: values.clientSecret };
  if (values.target === CUSTOM) draft.baseUrl = values.baseUrl;
  else draft.region = values.target;
  if (values.name.trim() !== "") draft.name = values.name;
  return draft;
}

/** The picker's value as a region the engine offered, or CUSTOM for anything else. */
function targetOf(value: string, regions: RegionOption[]): Target {
  return regions.find((region) => region.code === value)?.code ?? CUSTOM;
}

function keyOf(values: Values): string {
  return JSON.stringify(toDraft(values));
}

interface ConnectionFormProps {
  regions: RegionOption[];
  demo: DemoTenant | null;
  /** Start filled with the demo tenant (first run's "Try the demo tenant"). */
  startWithDemo?: boolean;
  onSaved: (saved: SavedConnection) => void;
  /** A save failed part-way (for example during discovery): the saved list may have changed. */
  onSaveFailed: () => void;
}

export function ConnectionForm({
  regions,
  demo,
  startWithDemo = false,
  onSaved,
  onSaveFailed,
}: ConnectionFormProps) {
  const ids = {
    heading: useId(),
    region: useId(),
    baseUrl: useId(),
    baseUrlHint: useId(),
    clientId: useId(),
    clientSecret: useId(),
    secretHint: useId(),
    name: useId(),
    nameHint: useId(),
    saveHint: useId(),
  };
  const [values, setValues] = useState<Values>(() =>
    startWithDemo && demo
      ? {
          target: CUSTOM,
          baseUrl: demo.baseUrl,
          clientId: demo.clientId,
          clientSecret: demo.clientSecret,
          name: demo.name,
        }
      : {
          target: regions[0]?.code ?? CUSTOM,
          baseUrl: "",
          clientId: "",
          clientSecret: "",
          name: "",
        },
  );
  const [test, setTest] = useState<Outcome<ConnectionTest>>({ status: "idle" });
  /** The values the last successful test used; Save needs the form to still match them. */
  const [testedKey, setTestedKey] = useState<string | null>(null);
  const [save, setSave] = useState<Outcome<SavedConnection>>({ status: "idle" });
  const waiting = useWaitingMessage();

  const testing = test.status === "busy";
  const saving = save.status === "busy";
  const currentKey = keyOf(values);
  const testedAsTyped = test.status === "done" && testedKey === currentKey;
  const canSave = testedAsTyped && !testing && !saving;

  function change(field: Exclude<keyof Values, "target">, value: string) {
    setValues((current) => ({ ...current, [field]: value }));
  }

  function changeTarget(target: Target) {
    setValues((current) => ({ ...current, target }));
  }

  function fillFromDemo(tenant: DemoTenant) {
    setValues({
      target: CUSTOM,
      baseUrl: tenant.baseUrl,
      clientId: tenant.clientId,
      clientSecret: tenant.clientSecret,
      name: tenant.name,
    });
  }

  async function runTest(event?: FormEvent) {
    event?.preventDefault();
    if (testing || saving) return;
    const key = currentKey;
    waiting.clear();
    setTest({ status: "busy" });
    setTestedKey(null);
    setSave({ status: "idle" });
    try {
      const result = await testConnection(toDraft(values));
      setTest({ status: "done", result });
      setTestedKey(key);
    } catch (e) {
      setTest({ status: "failed", error: toErrorReport(e) });
    }
  }

  async function runSave() {
    if (!canSave) return;
    waiting.clear();
    setSave({ status: "busy" });
    try {
      const result = await saveConnection(toDraft(values));
      setSave({ status: "done", result });
      setTest({ status: "idle" });
      setTestedKey(null);
      // The secret is gone from the window once the engine has it.
      setValues((current) => ({ ...current, clientSecret: "" }));
      onSaved(result);
    } catch (e) {
      setSave({ status: "failed", error: toErrorReport(e) });
      onSaveFailed();
    }
  }

  const custom = values.target === CUSTOM;

  return (
    <section className="panel form-panel" aria-labelledby={ids.heading}>
      <h2 id={ids.heading}>Connect to NinjaOne</h2>

      {demo && (
        <div className="callout callout-info demo-callout">
          <p>Demo mode: a built-in NinjaOne simulator is running.</p>
          <button type="button" className="button" onClick={() => fillFromDemo(demo)}>
            Use demo tenant
          </button>
        </div>
      )}

      <form className="form" onSubmit={(e) => void runTest(e)} noValidate>
        <div className="field">
          <label htmlFor={ids.region}>Region</label>
          <select
            id={ids.region}
            value={values.target}
            onChange={(e) => changeTarget(targetOf(e.currentTarget.value, regions))}
          >
            {regions.map((region) => (
              <option key={region.code} value={region.code}>
                {region.label} — {region.host}
              </option>
            ))}
            <option value={CUSTOM}>Custom base URL</option>
          </select>
        </div>

        {custom && (
          <div className="field">
            <label htmlFor={ids.baseUrl}>Base URL</label>
            <input
              id={ids.baseUrl}
              type="url"
              inputMode="url"
              spellCheck={false}
              autoComplete="off"
              placeholder="https://ninja.example.com"
              value={values.baseUrl}
              aria-describedby={ids.baseUrlHint}
              onChange={(e) => change("baseUrl", e.currentTarget.value)}
            />
            <p id={ids.baseUrlHint} className="hint">
              Use https://. Plain http:// works only for 127.0.0.1 and localhost.
            </p>
          </div>
        )}

        <div className="field">
          <label htmlFor={ids.clientId}>Client ID</label>
          <input
            id={ids.clientId}
            type="text"
            spellCheck={false}
            autoComplete="off"
            value={values.clientId}
            onChange={(e) => change("clientId", e.currentTarget.value)}
          />
        </div>

        <div className="field">
          <label htmlFor={ids.clientSecret}>Client Secret</label>
          <input
            id={ids.clientSecret}
            type="password"
            spellCheck={false}
            autoComplete="off"
            value={values.clientSecret}
            aria-describedby={ids.secretHint}
            onChange={(e) => change("clientSecret", e.currentTarget.value)}
          />
          <p id={ids.secretHint} className="hint">
            Fleetward keeps the secret to itself: it is never shown again after saving.
          </p>
        </div>

        <div className="field">
          <label htmlFor={ids.name}>Name (optional)</label>
          <input
            id={ids.name}
            type="text"
            autoComplete="off"
            value={values.name}
            aria-describedby={ids.nameHint}
            onChange={(e) => change("name", e.currentTarget.value)}
          />
          <p id={ids.nameHint} className="hint">
            Shown in lists. Leave empty to use the host name.
          </p>
        </div>

        <div className="action-row">
          <button type="submit" className="button" disabled={testing || saving} aria-busy={testing}>
            {testing ? "Testing…" : "Test connection"}
          </button>
          <button
            type="button"
            className="button button-primary"
            disabled={!canSave}
            aria-busy={saving}
            aria-describedby={ids.saveHint}
            onClick={() => void runSave()}
          >
            {saving ? "Saving…" : "Save"}
          </button>
          <span id={ids.saveHint} className="hint inline-hint">
            {test.status === "done" && !testedAsTyped
              ? "The form changed since the test. Test again to save."
              : "Save becomes available after a successful test."}
          </span>
        </div>
        {(testing || saving) && <WaitingNote message={waiting.message} />}
      </form>

      {test.status === "done" && <TestSuccess test={test.result} />}
      {test.status === "failed" && <ProblemPanel error={test.error} otherwise="The test failed" />}
      {save.status === "done" && <SaveSuccess saved={save.result} />}
      {save.status === "failed" && <ProblemPanel error={save.error} otherwise="Saving failed" />}
    </section>
  );
}

function TestSuccess({ test }: { test: ConnectionTest }) {
  return (
    <div className="result result-success" role="status">
      <p className="result-title">
        {`Connected to ${test.host}: ${countOf(test.organizations, "organization")}.`}
      </p>
      {test.organizationsTruncated && (
        <p className="hint">
          NinjaOne has more organizations than Fleetward lists; only the first{" "}
          {formatCount(test.organizations)} were counted.
        </p>
      )}
      <p className="scopes">
        Granted scopes:{" "}
        {test.grantedScopes.length > 0 ? (
          test.grantedScopes.map((scope) => (
            <code key={scope} className="scope">
              {scope}
            </code>
          ))
        ) : (
          <span className="muted">none reported</span>
        )}
      </p>
      {test.warnings.length > 0 && (
        <ul className="warnings">
          {test.warnings.map((warning) => (
            <li key={warning} className="callout callout-warning">
              <strong>Warning:</strong> {warning}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function SaveSuccess({ saved }: { saved: SavedConnection }) {
  const { connection, discovery } = saved;
  return (
    <div className="result result-success" role="status">
      <p className="result-title">
        {`Saved ${connection.name}. ${countOf(discovery.organizations, "organization")} found (${formatCount(discovery.newOrganizations)} new).`}
      </p>
      {discovery.truncated && (
        <p className="callout callout-warning">
          NinjaOne has more organizations than Fleetward lists; only the first{" "}
          {formatCount(discovery.organizations)} are shown.
        </p>
      )}
      <div className="action-row">
        <Link to="/organizations" className="button button-primary">
          Review organizations
        </Link>
      </div>
    </div>
  );
}
