import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "./App";
import { applyTheme, readThemePreference } from "./theme";
import "./styles/base.css";
import "./styles/app.css";

// Apply the saved theme before the first paint so the window does not flash.
applyTheme(readThemePreference());

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
