import { useEffect, useId, useState } from "react";

import type { ExportFormat } from "../bindings/ExportFormat";
import { exportFileName, forget, saveText, type SavedFile } from "../download";
import { toErrorReport } from "../ipc";

interface ExportButtonsProps {
  /** What is exported, for the buttons' accessible names: "tickets", "evidence of Acme". */
  subject: string;
  /** File name parts after "fleetward": ["tickets", "open"]. */
  fileParts: string[];
  load: (format: ExportFormat) => Promise<string>;
}

const FORMATS: readonly { format: ExportFormat; label: string }[] = [
  { format: "csv", label: "CSV" },
  { format: "json", label: "JSON" },
];

/** Export CSV / Export JSON: the engine writes the text, the webview saves it as a file. */
export function ExportButtons({ subject, fileParts, load }: ExportButtonsProps) {
  const groupId = useId();
  const [busy, setBusy] = useState<ExportFormat | null>(null);
  const [saved, setSaved] = useState<SavedFile | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (saved === null) return;
    return () => forget(saved);
  }, [saved]);

  async function run(format: ExportFormat) {
    setBusy(format);
    setError(null);
    try {
      const text = await load(format);
      setSaved(saveText(exportFileName(fileParts, format), text, format));
    } catch (e) {
      setError(toErrorReport(e).message);
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="export-buttons">
      <div role="group" aria-labelledby={groupId} className="action-row">
        <span id={groupId} className="hint">
          Export {subject}
        </span>
        {FORMATS.map(({ format, label }) => (
          <button
            key={format}
            type="button"
            className="button button-small"
            disabled={busy !== null}
            aria-busy={busy === format}
            aria-label={`Export ${subject} as ${label}`}
            onClick={() => void run(format)}
          >
            {busy === format ? "Exporting…" : label}
          </button>
        ))}
      </div>
      <div aria-live="polite">
        {saved && (
          <p className="hint">
            Saved as{" "}
            <a href={saved.url} download={saved.name}>
              {saved.name}
            </a>{" "}
            (in your downloads folder; click the name to save it again).
          </p>
        )}
      </div>
      {error && (
        <p className="inline-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
