import { defineConfig } from "vitest/config";

/**
 * Two tiers (see README "Tests"):
 *   unit         src/**\/*.test.ts next to the code, no I/O beyond the process;
 *   integration  test/integration/**\/*.test.ts against the real Kafka broker and embedded TimescaleDB, started once
 *                per run by test/global-setup.ts.
 */
export default defineConfig({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: [
            "services/*/src/**/*.test.ts",
            "proto/src/**/*.test.ts",
            "contracts/src/**/*.test.ts",
            "infra/src/**/*.test.ts",
            "web/src/**/*.test.ts",
          ],
          environment: "node",
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["test/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          // One broker and one database on two cores: files run one after another.
          fileParallelism: false,
        },
      },
    ],
  },
});
