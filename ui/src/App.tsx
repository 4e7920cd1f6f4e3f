import { Suspense, useEffect, useState } from "react";
import { HashRouter, Navigate, Route, Routes, useNavigate } from "react-router-dom";

import type { AppInfo } from "./bindings/AppInfo";
import type { ErrorReport } from "./bindings/ErrorReport";
import { Loading } from "./components/Loading";
import { Sidebar } from "./components/Sidebar";
import { StartErrorPanel } from "./components/StartErrorPanel";
import { ToastProvider, useToast } from "./components/Toasts";
import { useSubscription } from "./hooks/useSubscription";
import { appInfo, firstScreenShown, onEngineEvent, onNavigate, toErrorReport } from "./ipc";
import { DEFAULT_ROUTE, DETAIL_ROUTES, SCREENS } from "./routes";
import { ThemeProvider } from "./theme";

type StartState =
  | { status: "loading" }
  | { status: "ready"; info: AppInfo }
  | { status: "failed"; error: ErrorReport };

export function App() {
  return (
    <ThemeProvider>
      <ToastProvider>
        <Start />
      </ToastProvider>
    </ThemeProvider>
  );
}

function Start() {
  const [state, setState] = useState<StartState>({ status: "loading" });

  useEffect(() => {
    let live = true;
    appInfo().then(
      (info) => {
        if (live) setState({ status: "ready", info });
      },
      (e: unknown) => {
        if (live) setState({ status: "failed", error: toErrorReport(e) });
      },
    );
    return () => {
      live = false;
    };
  }, []);

  switch (state.status) {
    case "loading":
      return <Loading label="Starting Fleetward" fullScreen />;
    case "failed":
      return <StartErrorPanel report={state.error} />;
    case "ready":
      if (state.info.startError) return <StartErrorPanel report={state.info.startError} />;
      return (
        <HashRouter>
          <Shell version={state.info.version} />
        </HashRouter>
      );
  }
}

function Shell({ version }: { version: string }) {
  const navigate = useNavigate();
  const toast = useToast();

  useSubscription(onEngineEvent, (event) => {
    if (event.type === "notice") {
      toast({ severity: event.severity, title: event.title, message: event.message });
    }
  });

  // The tray menu asks for a screen by route, e.g. "/connection".
  useSubscription(onNavigate, (route) => {
    if (route.startsWith("/")) void navigate(route);
  });

  // Once the first screen has painted (two frames after mount), tell the shell: the start-up
  // benchmark measures launch → this report.
  useEffect(() => {
    const frame = requestAnimationFrame(() =>
      requestAnimationFrame(() => void firstScreenShown().catch(() => undefined)),
    );
    return () => cancelAnimationFrame(frame);
  }, []);

  return (
    <div className="app-shell">
      <Sidebar version={version} />
      <main className="content">
        {/* Screens other than the first load on first use (routes.ts). */}
        <Suspense fallback={<Loading label="Opening the screen" />}>
          <Routes>
            <Route path="/" element={<Navigate to={DEFAULT_ROUTE} replace />} />
            {SCREENS.map(({ path, Component }) => (
              <Route key={path} path={path} element={<Component />} />
            ))}
            {DETAIL_ROUTES.map(({ path, Component }) => (
              <Route key={path} path={path} element={<Component />} />
            ))}
            <Route path="*" element={<Navigate to={DEFAULT_ROUTE} replace />} />
          </Routes>
        </Suspense>
      </main>
    </div>
  );
}
