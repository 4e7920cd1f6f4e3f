interface LoadingProps {
  /** What is loading, for screen readers; the visible text is always "Loading…". */
  label?: string;
  fullScreen?: boolean;
}

export function Loading({ label = "Loading", fullScreen = false }: LoadingProps) {
  return (
    <div className={fullScreen ? "loading loading-full" : "loading"}>
      <span className="spinner" role="progressbar" aria-label={label} />
      <span>Loading…</span>
    </div>
  );
}
