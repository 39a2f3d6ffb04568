import { defineConfig } from "vitest/config";
import { integrationFiles } from "./test/shards.js";

/**
 * Two tiers (see README "Tests"):
 *   unit         src/**\/*.test.ts next to the code, no I/O beyond the process;
 *   integration  test/integration/**\/*.test.ts against the real Kafka broker and embedded TimescaleDB, started once
 *                per run by test/global-setup.ts. With HUB_TEST_SHARD=i/n only shard i's files (test/shards.ts):
 *                `npm test` runs two shards in two processes, each with its own broker and database.
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
          include: integrationFiles(process.env.HUB_TEST_SHARD),
          environment: "node",
          globalSetup: ["test/global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 180_000,
          // Files of one process share its broker and database: they run one after another.
          fileParallelism: false,
        },
      },
    ],
  },
});
