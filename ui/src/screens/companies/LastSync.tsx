import type { Company } from "../../bindings/Company";
import { Badge } from "../../components/Badges";

/**
 * How the company's last sync went, as the engine recorded it: never run, OK, or failed with
 * the engine's message one click (or Enter) away. The message stays in the page, so it is
 * reachable by keyboard and screen readers, not only on hover.
 */
export function LastSyncState({ company }: { company: Company }) {
  if (company.lastSyncError !== null) {
    return (
      <details className="sync-error">
        <summary title={company.lastSyncError}>
          <Badge tone="danger">Failed</Badge>
          <span className="visually-hidden"> (show why)</span>
        </summary>
        <p>{company.lastSyncError}</p>
      </details>
    );
  }
  if (company.lastSyncedAt === null) return <span className="muted">—</span>;
  return <Badge tone="success">OK</Badge>;
}
