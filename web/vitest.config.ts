import { defineConfig } from "vitest/config";

/**
 * Runs the dashboard's pure unit tests alone (`npx vitest run -c web/vitest.config.ts` from the repository root);
 * they need no DOM. The root config's "unit" project can include `web/src/**\/*.test.ts` as well.
 */
export default defineConfig({
  root: decodeURIComponent(new URL(".", import.meta.url).pathname),
  resolve: { conditions: ["source"] },
  test: { name: "web", include: ["src/**/*.test.ts"], environment: "node" },
});
