import { useId, useRef } from "react";
import type { KeyboardEvent } from "react";
import { useSearchParams } from "react-router-dom";

import { PageHeader } from "../../components/PageHeader";
import { AuditPanel } from "./AuditPanel";
import { RunsPanel } from "./RunsPanel";

const TABS = [
  { id: "runs", label: "Runs" },
  { id: "audit", label: "Audit log" },
] as const;

type TabId = (typeof TABS)[number]["id"];

/** Runs and the audit trail, in two tabs; `?tab=audit` opens the second, `?run=7` a run. */
export default function HistoryScreen() {
  const baseId = useId();
  const [params, setParams] = useSearchParams();
  const tab: TabId = params.get("tab") === "audit" ? "audit" : "runs";
  const runParam = Number(params.get("run"));
  const openRun = Number.isSafeInteger(runParam) && runParam > 0 ? runParam : null;
  const tabRefs = useRef<Record<TabId, HTMLButtonElement | null>>({ runs: null, audit: null });

  function choose(next: TabId, focus = false) {
    setParams(next === "runs" ? {} : { tab: next }, { replace: true });
    if (focus) tabRefs.current[next]?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    const index = TABS.findIndex((t) => t.id === tab);
    const moves: Record<string, number> = {
      ArrowRight: (index + 1) % TABS.length,
      ArrowLeft: (index - 1 + TABS.length) % TABS.length,
      Home: 0,
      End: TABS.length - 1,
    };
    const next = TABS[moves[event.key] ?? -1];
    if (next) {
      event.preventDefault();
      choose(next.id, true);
    }
  }

  return (
    <div className="page page-wide">
      <PageHeader
        title="Sync history & audit"
        description="Every sync, sweep and discovery run with what it did, and the audit trail of changes."
      />
      <div className="tabs" role="tablist" aria-label="History" onKeyDown={onKeyDown}>
        {TABS.map(({ id, label }) => (
          <button
            key={id}
            ref={(el) => {
              tabRefs.current[id] = el;
            }}
            type="button"
            role="tab"
            id={`${baseId}-${id}-tab`}
            aria-selected={tab === id}
            aria-controls={`${baseId}-${id}-panel`}
            tabIndex={tab === id ? 0 : -1}
            className="tab"
            onClick={() => choose(id)}
          >
            {label}
          </button>
        ))}
      </div>
      <div
        role="tabpanel"
        id={`${baseId}-${tab}-panel`}
        aria-labelledby={`${baseId}-${tab}-tab`}
        className="tab-panel"
      >
        {tab === "runs" ? <RunsPanel openRun={openRun} /> : <AuditPanel />}
      </div>
    </div>
  );
}
