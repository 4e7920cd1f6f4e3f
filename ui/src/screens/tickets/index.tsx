import { NotYetAvailable } from "../../components/NotYetAvailable";

export default function TicketsScreen() {
  return (
    <NotYetAvailable
      title="Tickets"
      description="Findings from compliance sweeps, ready to export to your PSA."
    />
  );
}
