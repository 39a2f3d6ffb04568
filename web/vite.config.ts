import react from "@vitejs/plugin-react";
import { defaultClientConditions, defineConfig } from "vite";

/** The gateway a developer runs locally (`npm start`); the built dashboard is served by the gateway itself. */
const gateway = "http://127.0.0.1:8080";
const here = (path: string) => decodeURIComponent(new URL(path, import.meta.url).pathname);

export default defineConfig({
  plugins: [react()],
  // "source" first: "@hub/contracts" resolves to its TypeScript, so no build of the contracts is needed.
  resolve: { conditions: ["source", ...defaultClientConditions] },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1200,
    // Two pages: the signed-in dashboard, and the public warning page (served by the gateway at /public/alerts),
    // which shares no code with the dashboard beyond React and the Socket.IO client.
    rolldownOptions: { input: { index: here("./index.html"), public: here("./public.html") } },
  },
  // MapLibre starts its worker as a module worker.
  worker: { format: "es" },
  server: {
    proxy: {
      "/api": { target: gateway },
      "/socket.io": { target: gateway, ws: true },
      "/basemap": { target: gateway },
      "/cap": { target: gateway },
    },
  },
});
