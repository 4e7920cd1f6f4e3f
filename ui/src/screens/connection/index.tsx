import { NotYetAvailable } from "../../components/NotYetAvailable";

export default function ConnectionScreen() {
  return (
    <NotYetAvailable
      title="Connection"
      description="Choose your NinjaOne region, paste API credentials, test them and save."
    />
  );
}
