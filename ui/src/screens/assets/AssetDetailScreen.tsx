import { useId, useState } from "react";
import { Link, useParams } from "react-router-dom";

import { assetName } from "../../assetList";
import type { AssetDetail } from "../../bindings/AssetDetail";
import type { Company } from "../../bindings/Company";
import type { FieldChange } from "../../bindings/FieldChange";
import { AssetStatusBadge } from "../../components/Badges";
import { LoadFailed } from "../../components/LoadFailed";
import { Loading } from "../../components/Loading";
import { PageHeader } from "../../components/PageHeader";
import { formatTimestamp } from "../../format";
import { useLoaded } from "../../hooks/useLoaded";
import {
  asset as loadAsset,
  companies as loadCompanies,
  openInNinjaOne,
  toErrorReport,
} from "../../ipc";
import { humanizeConstant, SOURCE_LABELS } from "../../labels";
import { fieldValue, groupFields, qualifiedFieldLabel } from "./fields";
import type { FieldGroup } from "./fields";

/** The route's id, or null when it is not an asset id at all. */
function parseId(text: string | undefined): number | null {
  const id = Number(text);
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

export default function AssetDetailScreen() {
  const { assetId } = useParams();
  const id = parseId(assetId);
  if (id === null) {
    return (
      <div className="page">
        <BackLink />
        <PageHeader title="Asset not found" />
        <p className="panel inline-error" role="alert">
          &ldquo;{assetId}&rdquo; is not an asset id. Open the asset from the Assets list.
        </p>
      </div>
    );
  }
  return <AssetPage key={id} id={id} />;
}

function BackLink() {
  return (
    <Link to="/assets" className="back-link">
      ← Assets
    </Link>
  );
}

interface Data {
  detail: AssetDetail;
  /** Only for the company's name; the page still opens when they cannot be loaded. */
  companies: Company[];
}

function AssetPage({ id }: { id: number }) {
  const { state, retry } = useLoaded<Data>(async () => {
    const [detail, companies] = await Promise.all([loadAsset(id), loadCompanies().catch(() => [])]);
    return { detail, companies };
  });

  if (state.status === "loading") {
    return (
      <div className="page">
        <BackLink />
        <Loading label="Loading asset" />
      </div>
    );
  }
  if (state.status === "failed") {
    return (
      <div className="page">
        <BackLink />
        <PageHeader title="Asset" />
        <LoadFailed message={state.message} onRetry={retry} />
      </div>
    );
  }

  const { detail, companies } = state.data;
  const { asset } = detail;
  const company = companies.find((c) => c.id === asset.companyId);
  const groups = groupFields(detail.fields);
  const health = groups.find((group) => group.prefix === "health");

  return (
    <div className="page page-wide">
      <BackLink />
      <PageHeader
        title={assetName(asset)}
        description={`${SOURCE_LABELS[asset.source]} asset of ${company?.name ?? `company ${asset.companyId}`}`}
      />
      <section className="panel" aria-label="Summary">
        <dl className="facts">
          <div>
            <dt>Status</dt>
            <dd className={`status-cell asset-status-${asset.status}`}>
              <AssetStatusBadge status={asset.status} />
              {asset.retiredReason !== null && <span>{asset.retiredReason}</span>}
            </dd>
          </div>
          <div>
            <dt>Company</dt>
            <dd>
              <Link to={`/companies/${asset.companyId}`}>
                {company?.name ?? `Company ${asset.companyId}`}
              </Link>
            </dd>
          </div>
          <div>
            <dt>Source</dt>
            <dd>{SOURCE_LABELS[asset.source]}</dd>
          </div>
          <div>
            <dt>External id</dt>
            <dd>
              <code>{asset.externalId}</code>
            </dd>
          </div>
          {asset.serialNumber !== null && (
            <div>
              <dt>Serial number</dt>
              <dd>{asset.serialNumber}</dd>
            </div>
          )}
          {asset.nodeClass !== null && (
            <div>
              <dt>Class</dt>
              <dd>{humanizeConstant(asset.nodeClass)}</dd>
            </div>
          )}
          <div>
            <dt>First seen</dt>
            <dd>{formatTimestamp(asset.firstSeenAt)}</dd>
          </div>
          <div>
            <dt>Last seen</dt>
            <dd>{formatTimestamp(asset.lastSeenAt)}</dd>
          </div>
        </dl>
        {asset.source === "ninjaone" && <OpenInNinjaOne assetId={asset.id} />}
      </section>
      {health && <HealthSection group={health} />}
      <div className="field-groups">
        {groups
          .filter((group) => group !== health)
          .map((group) => (
            <FieldGroupSection key={group.prefix} group={group} />
          ))}
      </div>
      {groups.length === 0 && (
        <p className="panel muted">The engine has no fields for this asset.</p>
      )}
      <History changes={detail.history} />
    </div>
  );
}

function OpenInNinjaOne({ assetId }: { assetId: number }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function open() {
    setBusy(true);
    setError(null);
    try {
      await openInNinjaOne(assetId);
    } catch (e) {
      setError(toErrorReport(e).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <div className="action-row">
        <button
          type="button"
          className="button button-primary"
          disabled={busy}
          aria-busy={busy}
          onClick={() => void open()}
        >
          {busy ? "Opening NinjaOne…" : "Open in NinjaOne"}
        </button>
        <span className="hint inline-hint">
          Opens this device&apos;s NinjaOne page in your browser.
        </span>
      </div>
      {error && (
        <p className="inline-error action-error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

function HealthSection({ group }: { group: FieldGroup }) {
  const headingId = useId();
  return (
    <section className="panel health-panel" aria-labelledby={headingId}>
      <h2 id={headingId} className="panel-title">
        Health
      </h2>
      <dl className="health-facts">
        {group.fields.map((field) => (
          <div key={field.key} className="health-fact">
            <dt>{field.label}</dt>
            <dd>{field.value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function FieldGroupSection({ group }: { group: FieldGroup }) {
  const headingId = useId();
  return (
    <section className="panel field-group" aria-labelledby={headingId}>
      <h2 id={headingId} className="panel-title">
        {group.title}
      </h2>
      <dl className="facts">
        {group.fields.map((field) => (
          <div key={field.key}>
            <dt>{field.label}</dt>
            <dd>{field.value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

/** A value of the history: readable like the fields, with an empty side said in words. */
function historyValue(key: string, value: string | null): string {
  return value === null ? "(none)" : fieldValue(key, value);
}

function History({ changes }: { changes: FieldChange[] }) {
  const headingId = useId();
  return (
    <section aria-labelledby={headingId} className="history-section">
      <h2 id={headingId} className="section-title">
        Field history
      </h2>
      {changes.length === 0 ? (
        <p className="panel muted">No field has changed since this asset was first seen.</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <caption className="visually-hidden">Field history, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Field</th>
                <th scope="col">Change</th>
                <th scope="col">Run</th>
              </tr>
            </thead>
            <tbody>
              {changes.map((change, index) => (
                <tr key={`${change.at}:${change.field}:${index}`}>
                  <td className="nowrap">{formatTimestamp(change.at)}</td>
                  <th scope="row">{qualifiedFieldLabel(change.field)}</th>
                  <td className="change">
                    <span className="change-old">
                      {historyValue(change.field, change.oldValue)}
                    </span>
                    <span aria-hidden="true"> → </span>
                    <span className="visually-hidden"> changed to </span>
                    <span className="change-new">
                      {historyValue(change.field, change.newValue)}
                    </span>
                  </td>
                  <td>
                    {change.runId === null ? (
                      "—"
                    ) : (
                      <Link to={`/history?run=${change.runId}`}>Run {change.runId}</Link>
                    )}
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
