import type { SignalKind } from "../../bindings/SignalKind";
import type { SignalRow } from "../../bindings/SignalRow";
import { formatShortTimestamp } from "../../format";
import { SIGNAL_LABELS, SIGNAL_STATUS, TREND_MEASURE, trendValue } from "./labels";

const WIDTH = 160;
const HEIGHT = 40;
const PAD = 4;
/** The sweeps a trend shows: four a day, so five days. */
const MAX_POINTS = 20;

function formatValue(value: number | null, unit: string): string {
  if (value === null) return "not measured";
  const text = value.toLocaleString(undefined, { maximumFractionDigits: 1 });
  return unit ? `${text} ${unit}` : text;
}

/**
 * One signal over past sweeps: a small line of its key number with a dot per sweep coloured
 * by status, and the same figures as text for screen readers and for a closer look.
 */
export function Trend({ signal, history }: { signal: SignalKind; history: SignalRow[] }) {
  const rows = history.filter((row) => row.signal === signal).slice(-MAX_POINTS);
  const measure = TREND_MEASURE[signal];
  if (rows.length < 2) {
    return (
      <p className="hint trend-empty">
        {rows.length === 0 ? "No sweep yet." : "A trend appears after the next sweep."}
      </p>
    );
  }
  const values = rows.map(trendValue);
  const known = values.filter((v): v is number => v !== null);
  const max = Math.max(measure.unit === "%" ? 100 : 1, ...known);
  const min = measure.unit === "%" ? 0 : Math.min(0, ...known);
  const x = (i: number) => PAD + (i * (WIDTH - 2 * PAD)) / (rows.length - 1);
  const y = (v: number) => HEIGHT - PAD - ((v - min) * (HEIGHT - 2 * PAD)) / (max - min || 1);
  const points = values
    .map((v, i) => (v === null ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`))
    .filter((p): p is string => p !== null)
    .join(" ");
  const last = rows[rows.length - 1] as SignalRow;
  const description = `${measure.label} over the last ${rows.length} sweeps: ${values
    .map((v) => formatValue(v, measure.unit))
    .join(", ")}`;
  return (
    <figure className="trend">
      <svg
        role="img"
        aria-label={`${SIGNAL_LABELS[signal]} trend. ${description}`}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        width={WIDTH}
        height={HEIGHT}
        className="sparkline"
      >
        <polyline points={points} className="sparkline-line" fill="none" />
        {values.map((v, i) =>
          v === null ? null : (
            <circle
              key={rows[i]?.collectedAt ?? i}
              cx={x(i)}
              cy={y(v)}
              r={2.5}
              className={`sparkline-dot sparkline-${SIGNAL_STATUS[rows[i]?.status ?? "no_data"].tone}`}
            />
          ),
        )}
      </svg>
      <figcaption className="hint">
        {measure.label}: {formatValue(trendValue(last), measure.unit)} on{" "}
        {formatShortTimestamp(last.collectedAt)}, {rows.length} sweeps
      </figcaption>
    </figure>
  );
}
