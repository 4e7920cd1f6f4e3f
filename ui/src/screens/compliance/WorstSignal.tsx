import type { SignalRow } from "../../bindings/SignalRow";
import { SIGNAL_LABELS, signalRank } from "./labels";
import { SignalBadge } from "./SignalBadge";

/**
 * A compliance tenant's status at a glance: the worst of its latest signals, ranked as the
 * fleet overview ranks them (fail, expired, warn, no data, pass). Each signal's status is the
 * engine's; only the pick of the worst is made here.
 */
export function WorstSignal({ rows }: { rows: readonly SignalRow[] }) {
  const worst = rows.reduce<SignalRow | null>(
    (current, row) => (current === null || signalRank(row) < signalRank(current) ? row : current),
    null,
  );
  if (worst === null) return <span className="muted">No sweep yet</span>;
  return (
    <span className="worst-signal" title={`Worst of its signals: ${SIGNAL_LABELS[worst.signal]}`}>
      <SignalBadge row={worst} />
    </span>
  );
}
