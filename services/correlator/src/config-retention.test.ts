import { ConfigError } from "@hub/common";
import { describe, expect, it } from "vitest";
import { readConfig } from "./config.js";

const base = { HUB_MODE: "test", KAFKA_BROKERS: "127.0.0.1:9092", DATABASE_URL: "postgres://hub@127.0.0.1:5432/hub" };
const problems = (env: Record<string, string>): string[] => {
  try {
    readConfig({ ...base, ...env });
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
};

describe("correlator configuration: retention and the policies' jobs", () => {
  it("runs the policies' jobs only where the database has no scheduler, unless told otherwise", () => {
    expect(readConfig({ ...base, HUB_MODE: "development" }).CORRELATOR_RUN_DB_JOBS).toBe("auto");
    expect(readConfig(base).CORRELATOR_RUN_DB_JOBS).toBe("never"); // tests run them themselves
    expect(readConfig({ ...base, CORRELATOR_RUN_DB_JOBS: "always" }).CORRELATOR_RUN_DB_JOBS).toBe("always");
    expect(problems({ CORRELATOR_RUN_DB_JOBS: "sometimes" })).toEqual([
      expect.stringMatching(/^CORRELATOR_RUN_DB_JOBS: /),
    ]);
  });
});
