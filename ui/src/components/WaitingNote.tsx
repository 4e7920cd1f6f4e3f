/** An unobtrusive line under work in progress, saying what it is waiting for. */
export function WaitingNote({ message }: { message: string | null }) {
  if (message === null) return null;
  return (
    <p className="waiting-note" role="status">
      <span className="spinner spinner-small" aria-hidden="true" />
      <span>{message}</span>
    </p>
  );
}
