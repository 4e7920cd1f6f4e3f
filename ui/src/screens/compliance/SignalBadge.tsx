import type { SignalRow } from "../../bindings/SignalRow";
import type { SignalStatus } from "../../bindings/SignalStatus";
import { Badge } from "../../components/Badges";
import { SIGNAL_STATUS } from "./labels";

/** A signal's status in colour and words; expired evidence says so and never looks current. */
export function SignalBadge({
  row,
}: {
  row: Pick<SignalRow, "status" | "expired"> | { status: SignalStatus; expired: boolean };
}) {
  const { label, tone } = SIGNAL_STATUS[row.status];
  if (row.expired) {
    return (
      <span className="signal-badges">
        <Badge tone="muted">
          <s aria-hidden="true">{label}</s>
          <span className="visually-hidden">{label} (no longer current)</span>
        </Badge>
        <Badge tone="danger">Expired</Badge>
      </span>
    );
  }
  return <Badge tone={tone}>{label}</Badge>;
}
