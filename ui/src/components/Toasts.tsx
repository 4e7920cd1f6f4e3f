import { createContext, useCallback, useContext, useEffect, useRef, useState } from "react";
import type { ReactNode } from "react";

import type { NoticeSeverity } from "../bindings/NoticeSeverity";

export interface ToastInput {
  severity: NoticeSeverity;
  title: string;
  message: string;
}

interface Toast extends ToastInput {
  id: number;
}

/** Info toasts close by themselves after this long; warnings and errors wait for the user. */
const INFO_TIMEOUT_MS = 8000;
/** Keeps a burst of notices from filling the window. */
const MAX_TOASTS = 5;

const ToastContext = createContext<((toast: ToastInput) => void) | null>(null);

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);

  const push = useCallback((toast: ToastInput) => {
    const id = nextId.current++;
    setToasts((current) => [...current, { ...toast, id }].slice(-MAX_TOASTS));
  }, []);

  const dismiss = useCallback((id: number) => {
    setToasts((current) => current.filter((toast) => toast.id !== id));
  }, []);

  return (
    <ToastContext.Provider value={push}>
      {children}
      <section className="toasts" aria-label="Notifications">
        {toasts.map((toast) => (
          <ToastItem key={toast.id} toast={toast} onDismiss={dismiss} />
        ))}
      </section>
    </ToastContext.Provider>
  );
}

function ToastItem({ toast, onDismiss }: { toast: Toast; onDismiss: (id: number) => void }) {
  const { id, severity, title, message } = toast;

  useEffect(() => {
    if (severity !== "info") return;
    const timer = window.setTimeout(() => onDismiss(id), INFO_TIMEOUT_MS);
    return () => window.clearTimeout(timer);
  }, [id, severity, onDismiss]);

  return (
    <div className={`toast toast-${severity}`} role={severity === "info" ? "status" : "alert"}>
      <div className="toast-body">
        <p className="toast-title">{title}</p>
        {message && <p className="toast-message">{message}</p>}
      </div>
      <button
        type="button"
        className="toast-dismiss"
        aria-label={`Dismiss: ${title}`}
        onClick={() => onDismiss(id)}
      >
        <span aria-hidden="true">×</span>
      </button>
    </div>
  );
}

/** Returns a function that shows a toast. */
export function useToast(): (toast: ToastInput) => void {
  const push = useContext(ToastContext);
  if (!push) throw new Error("useToast must be used inside <ToastProvider>");
  return push;
}
