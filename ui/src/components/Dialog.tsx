import { useEffect, useId, useRef } from "react";
import type { KeyboardEvent, ReactNode } from "react";

const FOCUSABLE =
  'a[href], button:not(:disabled), input:not(:disabled), select:not(:disabled), textarea:not(:disabled), [tabindex]:not([tabindex="-1"])';

interface DialogProps {
  title: string;
  /** Escape and the close button call this; pass `canClose={false}` while work is running. */
  onClose: () => void;
  canClose?: boolean;
  children: ReactNode;
}

/**
 * A modal dialog: focus moves into it (to the element marked `data-autofocus`, if any), Tab stays inside, Escape closes it, and focus goes back
 * to where it was when it closes.
 */
export function Dialog({ title, onClose, canClose = true, children }: DialogProps) {
  const titleId = useId();
  const ref = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    // The control marked data-autofocus, else the dialog itself, which reads out its title.
    const start = ref.current?.querySelector<HTMLElement>("[data-autofocus]");
    (start ?? ref.current)?.focus();
    return () => opener?.focus();
  }, []);

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === "Escape") {
      event.stopPropagation();
      if (canClose) onClose();
      return;
    }
    if (event.key !== "Tab" || !ref.current) return;
    // In document order: not every DOM implementation keeps it for a selector list.
    const focusable = Array.from(ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)).sort(
      (a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1),
    );
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  return (
    <div className="dialog-backdrop">
      <div
        ref={ref}
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        tabIndex={-1}
        onKeyDown={onKeyDown}
      >
        <div className="dialog-header">
          <h2 id={titleId}>{title}</h2>
          <button
            type="button"
            className="toast-dismiss"
            aria-label={`Close: ${title}`}
            disabled={!canClose}
            onClick={onClose}
          >
            <span aria-hidden="true">×</span>
          </button>
        </div>
        {children}
      </div>
    </div>
  );
}
