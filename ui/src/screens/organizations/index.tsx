import { NotYetAvailable } from "../../components/NotYetAvailable";

export default function OrganizationsScreen() {
  return (
    <NotYetAvailable
      title="Organizations"
      description="Review which NinjaOne organizations belong to which customer company."
    />
  );
}
