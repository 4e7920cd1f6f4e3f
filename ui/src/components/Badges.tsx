import type { ReactNode } from "react";

import type { AssetStatus } from "../bindings/AssetStatus";
import type { RunStatus } from "../bindings/RunStatus";
import { ASSET_STATUS, RUN_STATUS } from "../labels";
import type { Tone } from "../labels";

export function Badge({ tone, children }: { tone: Tone; children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

export function RunStatusBadge({ status }: { status: RunStatus }) {
  const { label, tone } = RUN_STATUS[status];
  return <Badge tone={tone}>{label}</Badge>;
}

export function AssetStatusBadge({ status }: { status: AssetStatus }) {
  const { label, tone } = ASSET_STATUS[status];
  return <Badge tone={tone}>{label}</Badge>;
}
