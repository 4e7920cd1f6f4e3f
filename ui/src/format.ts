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
