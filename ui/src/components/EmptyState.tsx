import type { ReactNode } from "react";

/** What a list shows when it has nothing in it yet, and what to do about it. */
export function EmptyState({ children }: { children: ReactNode }) {
  return <div className="panel panel-placeholder empty-state">{children}</div>;
}
