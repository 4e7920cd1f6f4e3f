import { useId, useState } from "react";
import type { FormEvent } from "react";

import type { AssetSource } from "../../bindings/AssetSource";
import type { ImportReport } from "../../bindings/ImportReport";
import { Dialog } from "../../components/Dialog";
import { countOf, formatCount } from "../../format";
import { importAssets, toErrorReport } from "../../ipc";
import { SOURCE_LABELS } from "../../labels";

/** The sources an import may name; NinjaOne assets come only from sync. */
const IMPORT_SOURCES: readonly Exclude<AssetSource, "ninjaone">[] = ["level", "intune", "entra"];

interface ImportDialogProps {
  onClose: () => void;
  /** Some rows were written: the asset list should load again. */
  onImported: () => void;
}

type Outcome = { tone: "done"; report: ImportReport } | { tone: "failed"; message: string };

export function ImportDialog({ onClose, onImported }: ImportDialogProps) {
  const ids = { file: useId(), fileHint: useId() };
  const [source, setSource] = useState<AssetSource>("level");
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy || !file) return;
    setBusy(true);
    setOutcome(null);
    let content: string;
    try {
      content = await file.text();
    } catch (e) {
      setOutcome({
        tone: "failed",
        message: `${file.name} could not be read (${toErrorReport(e).message}). Check the file and choose it again.`,
      });
      setBusy(false);
      return;
    }
    try {
      const report = await importAssets(source, content);
      setOutcome({ tone: "done", report });
      if (report.imported > 0 || report.retiredDuplicates > 0) onImported();
    } catch (e) {
      setOutcome({ tone: "failed", message: toErrorReport(e).message });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title="Import assets" onClose={onClose} canClose={!busy}>
      <form className="form dialog-body" onSubmit={(e) => void submit(e)}>
        <fieldset className="choice-group">
          <legend>Source</legend>
          <div className="choice-options">
            {IMPORT_SOURCES.map((value, index) => (
              <label key={value} className="choice">
                <input
                  type="radio"
                  name="import-source"
                  value={value}
                  checked={source === value}
                  disabled={busy}
                  data-autofocus={index === 0 ? true : undefined}
                  onChange={() => setSource(value)}
                />
                <span>{SOURCE_LABELS[value]}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <div className="field">
          <label htmlFor={ids.file}>File</label>
          <input
            id={ids.file}
            type="file"
            accept=".csv,.json,text/csv,application/json"
            disabled={busy}
            aria-describedby={ids.fileHint}
            onChange={(e) => {
              setFile(e.currentTarget.files?.[0] ?? null);
              setOutcome(null);
            }}
          />
          <p id={ids.fileHint} className="hint">
            A CSV file with a header row, or a JSON array. Each row needs <code>externalId</code>{" "}
            and <code>company</code> (the company&apos;s id or exact name); <code>name</code>,{" "}
            <code>serialNumber</code>, <code>macAddress</code>, <code>os</code>,{" "}
            <code>manufacturer</code>, <code>model</code> and <code>lastSeen</code> are optional.
          </p>
        </div>
        <div className="action-row">
          <button
            type="submit"
            className="button button-primary"
            disabled={busy || file === null}
            aria-busy={busy}
          >
            {busy ? "Importing…" : "Import"}
          </button>
          <button type="button" className="button" disabled={busy} onClick={onClose}>
            Close
          </button>
        </div>
        <div aria-live="polite">
          {outcome?.tone === "done" && <ImportResult report={outcome.report} />}
        </div>
        {outcome?.tone === "failed" && (
          <div className="result result-failure" role="alert">
            <p className="result-title">Import failed</p>
            <p className="result-message">{outcome.message}</p>
          </div>
        )}
      </form>
    </Dialog>
  );
}

function ImportResult({ report }: { report: ImportReport }) {
  const { imported, created, updated, retiredDuplicates, errors } = report;
  return (
    <div className={errors.length === 0 ? "result result-success" : "result result-warning"}>
      <p className="result-title">
        {countOf(imported, "row")} imported from {SOURCE_LABELS[report.source]}
      </p>
      <p className="result-message">
        {formatCount(created)} created, {formatCount(updated)} updated,{" "}
        {formatCount(retiredDuplicates)} retired as duplicates of better copies.
      </p>
      {errors.length > 0 && (
        <>
          <p className="result-message">
            {countOf(errors.length, "line was", "lines were")} not imported:
          </p>
          <div className="table-wrap import-errors">
            <table className="table table-compact">
              <caption className="visually-hidden">Lines not imported</caption>
              <thead>
                <tr>
                  <th scope="col" className="num">
                    Line
                  </th>
                  <th scope="col">Problem</th>
                </tr>
              </thead>
              <tbody>
                {errors.map((error) => (
                  <tr key={`${error.line}:${error.message}`}>
                    <th scope="row" className="num">
                      {formatCount(error.line)}
                    </th>
                    <td>{error.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </div>
  );
}
