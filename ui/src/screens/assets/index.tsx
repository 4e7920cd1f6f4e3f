import { NotYetAvailable } from "../../components/NotYetAvailable";

export default function AssetsScreen() {
  return (
    <NotYetAvailable
      title="Assets"
      description="Every synced device, searchable and sortable, with field history."
    />
  );
}
