import { useEffect, useId, useState } from "react";

import type { WebhookPanel } from "../../bindings/WebhookPanel";
import type { WebhookSecretShown } from "../../bindings/WebhookSecretShown";
import type { WebhookSettings } from "../../bindings/WebhookSettings";
import type { WebhookTest } from "../../bindings/WebhookTest";
import { LoadFailed } from "../../components/LoadFailed";
import { Loading } from "../../components/Loading";
import { formatShortTimestamp } from "../../format";
import { useLoaded } from "../../hooks/useLoaded";
import { useSubscription } from "../../hooks/useSubscription";
import {
  onEngineEvent,
  regenerateWebhookSecret,
  saveWebhookSettings,
  sendTestWebhook,
  toErrorReport,
  webhookPanel,
} from "../../ipc";
import { eventOutcomeLabel } from "../../labels";
import { SettingsSection } from "./SettingsSection";

/**
 * The header that carries the secret, as SPEC §7's receiver contract fixes it. The engine names
 * it only with a freshly generated secret, yet a relay needs it every time it is set up.
 */
const SECRET_HEADER = "X-Fleetward-Secret";

/**
 * How often the open section asks again for the last events received. No engine event names a
 * webhook delivery that changed no incident (an ignored or informational one), so it asks.
 */
export const RECENT_EVENTS_REFRESH_MS = 5_000;

/** Settings → webhook receiver (SPEC §7): on/off, address, port, secret, test, last events. */
export function WebhookSection() {
  const { state, retry, update, refresh } = useLoaded(webhookPanel);
  const ready = state.status === "ready";

  // The last events received stay current while the section is open.
  useEffect(() => {
    if (!ready) return;
    const timer = window.setInterval(refresh, RECENT_EVENTS_REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [ready, refresh]);
  useSubscription(onEngineEvent, (event) => {
    if (ready && (event.type === "incidentsChanged" || event.type === "pollFinished")) refresh();
  });
  return (
    <SettingsSection title="Webhook receiver">
      <p className="hint">
        Off by default: polling already brings NinjaOne alerts every few minutes. Turn the receiver
        on to get them within seconds from a NinjaOne webhook or a relay (such as your tunnel).
      </p>
      {state.status === "loading" && <Loading label="Loading the webhook receiver" />}
      {state.status === "failed" && <LoadFailed message={state.message} onRetry={retry} />}
      {state.status === "ready" && (
        <WebhookForm panel={state.data} onPanel={(panel) => update(() => panel)} />
      )}
    </SettingsSection>
  );
}

type Busy = "saving" | "secret" | "test" | null;

function WebhookForm({
  panel,
  onPanel,
}: {
  panel: WebhookPanel;
  onPanel: (panel: WebhookPanel) => void;
}) {
  const ids = { bind: useId(), port: useId(), bindHint: useId() };
  const [draft, setDraft] = useState<WebhookSettings>(panel.settings);
  const [port, setPort] = useState(String(panel.settings.port));
  const [busy, setBusy] = useState<Busy>(null);
  const [error, setError] = useState<string | null>(null);
  const [shown, setShown] = useState<WebhookSecretShown | null>(null);
  const [test, setTest] = useState<WebhookTest | null>(null);
  const { receiver, recent } = panel;

  async function run(what: Busy, work: () => Promise<void>) {
    setBusy(what);
    setError(null);
    try {
      await work();
    } catch (e) {
      setError(toErrorReport(e).message);
    } finally {
      setBusy(null);
    }
  }

  function save(next: WebhookSettings) {
    void run("saving", async () => {
      const saved = await saveWebhookSettings(next);
      setDraft(saved.settings);
      setPort(String(saved.settings.port));
      onPanel(saved);
    });
  }

  function regenerate() {
    void run("secret", async () => {
      setShown(await regenerateWebhookSecret());
      setDraft((d) => ({ ...d, secretSet: true }));
      setTest(null);
    });
  }

  function sendTest() {
    void run("test", async () => {
      setTest(await sendTestWebhook());
    });
  }

  const edited = { ...draft, port: Number(port) };

  return (
    <div className="form">
      <label className="switch-row">
        <input
          type="checkbox"
          className="switch"
          checked={draft.enabled}
          disabled={busy !== null}
          onChange={(e) => save({ ...edited, enabled: e.currentTarget.checked })}
        />
        <span>Receive NinjaOne webhooks</span>
      </label>
      <p role="status" className={receiver.error ? "inline-error" : "hint"}>
        {receiver.listening && receiver.url
          ? `Listening at ${receiver.url}.`
          : receiver.error
            ? receiver.error
            : draft.enabled
              ? "Not listening."
              : "The receiver is off."}
      </p>
      <div className="inline-form">
        <div className="field">
          <label htmlFor={ids.bind}>Address</label>
          <input
            id={ids.bind}
            value={draft.bind}
            aria-describedby={ids.bindHint}
            onChange={(e) => setDraft({ ...draft, bind: e.currentTarget.value })}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.port}>Port</label>
          <input
            id={ids.port}
            type="number"
            min={1}
            max={65535}
            value={port}
            onChange={(e) => setPort(e.currentTarget.value)}
          />
        </div>
      </div>
      <p id={ids.bindHint} className="hint">
        127.0.0.1 accepts only this computer (a relay or tunnel running here). Another address
        exposes the receiver to that network.
      </p>
      <label className="checkbox-row">
        <input
          type="checkbox"
          checked={draft.requireSignature}
          onChange={(e) => setDraft({ ...draft, requireSignature: e.currentTarget.checked })}
        />
        <span>Require a valid X-Fleetward-Signature (for relays that sign)</span>
      </label>
      <div className="action-row">
        <button
          type="button"
          className="button"
          disabled={busy !== null}
          onClick={() => save(edited)}
        >
          {busy === "saving" ? "Saving…" : "Save receiver settings"}
        </button>
      </div>

      <h3 className="section-title">Secret</h3>
      {shown ? (
        <SecretShown shown={shown} />
      ) : draft.secretSet ? (
        <ReceiverSetup url={receiver.url} />
      ) : (
        <p className="hint">No secret yet. Generate one: every request must carry it.</p>
      )}
      <div className="action-row">
        <button type="button" className="button" disabled={busy !== null} onClick={regenerate}>
          {busy === "secret"
            ? "Generating…"
            : draft.secretSet
              ? "Regenerate secret"
              : "Generate secret"}
        </button>
        <button
          type="button"
          className="button"
          disabled={busy !== null || !receiver.listening}
          onClick={sendTest}
        >
          {busy === "test" ? "Sending…" : "Send test event"}
        </button>
      </div>
      {test && (
        <p
          role="status"
          className={test.status === 202 || test.status === 200 ? "hint" : "inline-error"}
        >
          {test.status === 202 || test.status === 200
            ? `The receiver accepted the test event (HTTP ${test.status}).`
            : `The receiver refused the test event (HTTP ${test.status}: ${test.answer}).`}
        </p>
      )}
      {error && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}

      <h3 className="section-title">Last events received</h3>
      {recent.length === 0 ? (
        <p className="muted">Nothing received yet, by webhook or by poll.</p>
      ) : (
        <ul className="recent-events">
          {recent.map((event) => (
            <li key={event.activityId}>
              <span className="mono-small">
                {event.activityType} / {event.statusCode}
              </span>{" "}
              {event.title || `Activity ${event.activityId}`}
              {event.receivedAt && (
                <span className="hint"> · {formatShortTimestamp(event.receivedAt)}</span>
              )}
              <span className="hint"> · {eventOutcomeLabel(event.outcome)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/**
 * What to configure in NinjaOne or a relay once a secret is set: the URL and the header's name.
 * The secret itself was shown once, when it was generated, and is never shown again.
 */
function ReceiverSetup({ url }: { url: string | null }) {
  return (
    <div role="region" aria-label="Webhook setup">
      <p className="hint">
        A secret is set. It was shown once when it was generated; generate a new one if it is lost
        (the old one stops working).
      </p>
      <dl className="facts">
        <div>
          <dt>URL</dt>
          <dd>
            {url ? (
              <code className="path">{url}</code>
            ) : (
              <span className="muted">Shown here while the receiver listens.</span>
            )}
          </dd>
        </div>
        <div>
          <dt>Header</dt>
          <dd>
            <code className="path">{SECRET_HEADER}:</code>{" "}
            <span className="muted">the secret shown when it was generated</span>
          </dd>
        </div>
      </dl>
      <p className="hint">
        In NinjaOne (or your relay), send activities to the URL with this header, or with
        Authorization: Bearer and the secret.
      </p>
    </div>
  );
}

/** The new secret, this once, with what to configure in NinjaOne or a relay. */
function SecretShown({ shown }: { shown: WebhookSecretShown }) {
  const [copied, setCopied] = useState<string | null>(null);

  async function copy(what: string, text: string) {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(what);
    } catch {
      setCopied(null);
    }
  }

  return (
    <div className="callout callout-warning" role="region" aria-label="New webhook secret">
      <p>
        <strong>Copy the secret now.</strong> It is shown only this once.
      </p>
      <dl className="facts">
        <div>
          <dt>Secret</dt>
          <dd>
            <code className="path">{shown.secret}</code>{" "}
            <button
              type="button"
              className="button button-small"
              onClick={() => void copy("secret", shown.secret)}
            >
              Copy secret
            </button>
          </dd>
        </div>
        <div>
          <dt>URL</dt>
          <dd>
            <code className="path">{shown.url}</code>
          </dd>
        </div>
        <div>
          <dt>Header</dt>
          <dd>
            <code className="path">
              {shown.headerName}: {shown.headerValue}
            </code>{" "}
            <button
              type="button"
              className="button button-small"
              onClick={() => void copy("header", `${shown.headerName}: ${shown.headerValue}`)}
            >
              Copy header
            </button>
          </dd>
        </div>
      </dl>
      <p className="hint">
        In NinjaOne (or your relay), send activities to the URL with this header, or with
        Authorization: Bearer and the secret.
      </p>
      {copied && (
        <p role="status" className="hint">
          {copied === "secret" ? "Secret copied." : "Header copied."}
        </p>
      )}
    </div>
  );
}
