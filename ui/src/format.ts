// Display formatting only: numbers and timestamps exactly as the engine gave them, made readable.

const NUMBER = new Intl.NumberFormat();

export function formatCount(n: number): string {
  return NUMBER.format(n);
}

/** "1 organization", "3 organizations". */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${formatCount(n)} ${n === 1 ? singular : plural}`;
}

/** A timestamp from the engine in the user's locale; the raw text when it is not a date. */
export function formatTimestamp(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toLocaleString();
}

const BYTE_UNITS = ["bytes", "KiB", "MiB", "GiB", "TiB"] as const;

/** "17179869184" bytes → "16 GiB"; binary units, as Windows and NinjaOne show memory. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${value.toLocaleString(undefined, { maximumFractionDigits: digits })} ${BYTE_UNITS[unit]}`;
}

const SHORT = new Intl.DateTimeFormat(undefined, { dateStyle: "short", timeStyle: "short" });

/** A timestamp for a table cell: date and minutes in the user's locale, raw when not a date. */
export function formatShortTimestamp(value: string): string {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : SHORT.format(date);
}
