import { useId, useRef } from "react";
import type { KeyboardEvent } from "react";
import { useSearchParams } from "react-router-dom";

import { PageHeader } from "../../components/PageHeader";
import { AlertRulesPanel } from "./AlertRulesPanel";
import { IncidentsPanel } from "./IncidentsPanel";

const TABS = [
  { id: "incidents", label: "Incidents" },
  { id: "rules", label: "Alert rules" },
] as const;

type TabId = (typeof TABS)[number]["id"];

/** Incidents and the alert rules, in two tabs; `?tab=rules` opens the second. */
export default function IncidentsScreen() {
  const baseId = useId();
  const [params, setParams] = useSearchParams();
  const tab: TabId = params.get("tab") === "rules" ? "rules" : "incidents";
  const tabRefs = useRef<Record<TabId, HTMLButtonElement | null>>({ incidents: null, rules: null });

  function choose(next: TabId, focus = false) {
    setParams(next === "incidents" ? {} : { tab: next }, { replace: true });
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
        title="Incidents"
        description="NinjaOne alerts grouped into one incident per problem, resolving themselves when NinjaOne resets them."
      />
      <div className="tabs" role="tablist" aria-label="Incidents" onKeyDown={onKeyDown}>
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
        {tab === "incidents" ? <IncidentsPanel /> : <AlertRulesPanel />}
      </div>
    </div>
  );
}
