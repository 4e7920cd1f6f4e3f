import { NotYetAvailable } from "../../components/NotYetAvailable";

export default function CompaniesScreen() {
  return (
    <NotYetAvailable
      title="Companies"
      description="Your customers, their assets, last sync and compliance status, with Sync With NinjaOne."
    />
  );
}
