import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./components/App";
import { I18nProvider } from "./i18n/I18nProvider";
import { themeStore } from "./theme/useTheme";
// MapLibre's styles first, so ours (restyled controls) come after them.
import "maplibre-gl/dist/maplibre-gl.css";
import "./styles.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
// The remembered theme is on <html> before the first paint (the store applied it when created).
themeStore.get();
createRoot(root).render(
  <StrictMode>
    <I18nProvider>
      <App />
    </I18nProvider>
  </StrictMode>,
);
