/**
 * A labelled progress bar with its text below: determinate once `total` is known (above
 * zero), indeterminate before. `text` is both shown and read out as the bar's value.
 */
export function ProgressBar({
  label,
  done,
  total,
  text,
}: {
  label: string;
  done: number;
  total: number | null;
  text: string;
}) {
  const determinate = total !== null && total > 0;
  return (
    <div className="sync-progress">
      <div
        className={determinate ? "progress" : "progress progress-indeterminate"}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={determinate ? total : undefined}
        aria-valuenow={determinate ? done : undefined}
        aria-valuetext={text}
      >
        <div
          className="progress-bar"
          style={determinate ? { width: `${Math.min(100, (done / total) * 100)}%` } : undefined}
        />
      </div>
      <p className="progress-text">{text}</p>
    </div>
  );
}
