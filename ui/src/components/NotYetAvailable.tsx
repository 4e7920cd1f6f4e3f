import { PageHeader } from "./PageHeader";

interface NotYetAvailableProps {
  title: string;
  description: string;
}

/** The honest placeholder for a screen whose engine side is not in this build yet. */
export function NotYetAvailable({ title, description }: NotYetAvailableProps) {
  return (
    <div className="page">
      <PageHeader title={title} description={description} />
      <div className="panel panel-placeholder placeholder-status">
        <span className="placeholder-badge" aria-hidden="true">
          Coming
        </span>
        <p role="status">Not yet available in this build.</p>
      </div>
    </div>
  );
}
