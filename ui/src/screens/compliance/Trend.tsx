import { Line, LineChart, Tooltip, XAxis, YAxis } from "recharts";

import type { SignalKind } from "../../bindings/SignalKind";
import type { SignalRow } from "../../bindings/SignalRow";
import type { SignalStatus } from "../../bindings/SignalStatus";
import { formatShortTimestamp } from "../../format";
import { SIGNAL_LABELS, SIGNAL_STATUS, TREND_MEASURE, trendValue } from "./labels";

const WIDTH = 220;
const HEIGHT = 64;
/** The sweeps a trend shows: four a day, so five days. */
const MAX_POINTS = 20;

function formatValue(value: number | null, unit: string): string {
  if (value === null) return "not measured";
  const text = value.toLocaleString(undefined, { maximumFractionDigits: 1 });
  return unit ? `${text} ${unit}` : text;
}

interface Point {
  /** When the sweep collected it, for the tooltip. */
  collected: string;
  /** `null` draws a gap: the sweep had nothing to measure. */
  value: number | null;
  status: SignalStatus;
}

interface DotProps {
  cx?: number;
  cy?: number;
  index?: number;
  payload?: Point;
}

/** A dot per sweep, coloured by the status the engine gave that sweep. */
function StatusDot({ cx, cy, index, payload }: DotProps) {
  if (cx === undefined || cy === undefined || payload?.value == null) {
    return <g key={`gap-${index ?? 0}`} />;
  }
  return (
    <circle
      key={`dot-${index ?? 0}`}
      cx={cx}
      cy={cy}
      r={3}
      className={`trend-dot trend-${SIGNAL_STATUS[payload.status].tone}`}
      data-status={payload.status}
    />
  );
}

/**
 * One signal over past sweeps: a line of its key number with a dot per sweep coloured by
 * status (drawn by Recharts), and the same figures as text for screen readers and for a
 * closer look.
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
  const points: Point[] = rows.map((row) => ({
    collected: formatShortTimestamp(row.collectedAt),
    value: trendValue(row),
    status: row.status,
  }));
  const known = points.map((p) => p.value).filter((v): v is number => v !== null);
  const percent = measure.unit === "%";
  const domain: [number, number] = percent ? [0, 100] : [0, Math.max(1, ...known)];
  const last = rows[rows.length - 1] as SignalRow;
  const description = `${measure.label} over the last ${rows.length} sweeps: ${points
    .map((p) => formatValue(p.value, measure.unit))
    .join(", ")}`;
  return (
    <figure className="trend">
      <div role="img" aria-label={`${SIGNAL_LABELS[signal]} trend. ${description}`}>
        <LineChart
          width={WIDTH}
          height={HEIGHT}
          data={points}
          margin={{ top: 6, right: 6, bottom: 6, left: 6 }}
          accessibilityLayer={false}
        >
          <XAxis dataKey="collected" hide />
          <YAxis domain={domain} hide />
          <Tooltip
            formatter={(value) => [
              formatValue(typeof value === "number" ? value : null, measure.unit),
              measure.label,
            ]}
            isAnimationActive={false}
          />
          <Line
            type="monotone"
            dataKey="value"
            className="trend-line"
            stroke="var(--accent)"
            strokeWidth={1.5}
            dot={StatusDot}
            activeDot={false}
            connectNulls={false}
            isAnimationActive={false}
          />
        </LineChart>
      </div>
      <figcaption className="hint">
        {measure.label}: {formatValue(trendValue(last), measure.unit)} on{" "}
        {formatShortTimestamp(last.collectedAt)}, {rows.length} sweeps
      </figcaption>
    </figure>
  );
}
