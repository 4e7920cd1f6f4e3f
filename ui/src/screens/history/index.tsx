import { NotYetAvailable } from "../../components/NotYetAvailable";

export default function HistoryScreen() {
  return (
    <NotYetAvailable
      title="Sync history & audit"
      description="Every sync and sweep run, and the audit trail."
    />
  );
}
