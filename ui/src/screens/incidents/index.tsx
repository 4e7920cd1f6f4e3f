import { NotYetAvailable } from "../../components/NotYetAvailable";

export default function IncidentsScreen() {
  return (
    <NotYetAvailable
      title="Incidents"
      description="NinjaOne alerts grouped into incidents that resolve themselves."
    />
  );
}
