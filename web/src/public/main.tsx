import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { openPublicConnection } from "./connection";
import { PublicAlerts } from "./PublicAlerts";
import { PublicAlertStore } from "./store";
import "./public.css";

const root = document.getElementById("root");
if (!root) throw new Error("public.html has no #root");
// One store and one connection for the page's life (outside React, so StrictMode's double effects do not reconnect).
const store = new PublicAlertStore();
const connection = openPublicConnection(store, { onError: (error) => console.warn("public alerts:", error) });
// Leaving closes the socket (so the page can enter the back/forward cache); coming back from it starts afresh.
globalThis.addEventListener("pagehide", () => connection.close());
globalThis.addEventListener("pageshow", (event) => {
  if (event.persisted) globalThis.location.reload();
});
createRoot(root).render(
  <StrictMode>
    <PublicAlerts store={store} connection={connection} />
  </StrictMode>,
);
