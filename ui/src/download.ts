// Saving text the engine produced (an export) as a file: a Blob link the webview downloads.
// It works the same in the browser, the Tauri webview and under WebDriver, without a dialog
// plugin; the link stays on screen so the user can save it again.

export interface SavedFile {
  name: string;
  url: string;
}

const TYPES = { csv: "text/csv", json: "application/json" } as const;

export function saveText(name: string, text: string, format: keyof typeof TYPES): SavedFile {
  const url = URL.createObjectURL(new Blob([text], { type: `${TYPES[format]};charset=utf-8` }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.rel = "noopener";
  link.click();
  return { name, url };
}

/** Frees a saved file's link once it is no longer shown. */
export function forget(file: SavedFile): void {
  URL.revokeObjectURL(file.url);
}

/** "fleetward-tickets-open-2025-11-21.csv": what, which, when. */
export function exportFileName(
  parts: string[],
  format: keyof typeof TYPES,
  now = new Date(),
): string {
  const day = now.toISOString().slice(0, 10);
  return `${["fleetward", ...parts, day].join("-")}.${format}`;
}
