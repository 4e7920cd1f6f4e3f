import { NotYetAvailable } from "../../components/NotYetAvailable";

export default function ComplianceScreen() {
  return (
    <NotYetAvailable
      title="Compliance"
      description="Five evidence signals per compliance tenant, with expiry and export."
    />
  );
}
