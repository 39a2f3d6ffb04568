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
  it("refuses a raw retention under which a refresh policy would erase aggregate history, naming the variable", () => {
    expect(
      problems({ CORRELATOR_RETENTION_DETECTIONS_DAYS: "7", CORRELATOR_RETENTION_SENSOR_READINGS_DAYS: "5" }),
    ).toEqual([
      "CORRELATOR_RETENTION_DETECTIONS_DAYS: must be at least 8: detections_per_minute refreshes the last 7 days 6 hours, and a refresh over dropped detections erases that aggregate's history unless the raw rows outlive the window by 12 hours (docs/retention.md)",
      "CORRELATOR_RETENTION_SENSOR_READINGS_DAYS: must be at least 8: sensor_stats_5m refreshes the last 7 days 6 hours, and a refresh over dropped sensor_readings erases that aggregate's history unless the raw rows outlive the window by 12 hours (docs/retention.md)",
    ]);
    expect(
      problems({ CORRELATOR_RETENTION_DETECTIONS_DAYS: "8", CORRELATOR_RETENTION_SENSOR_READINGS_DAYS: "8" }),
    ).toEqual([]);
    // camera_status has its availability aggregate (camera_status_5m, migration 0022): the same floor.
    expect(problems({ CORRELATOR_RETENTION_CAMERA_STATUS_DAYS: "7" })).toEqual([
      "CORRELATOR_RETENTION_CAMERA_STATUS_DAYS: must be at least 8: camera_status_5m refreshes the last 7 days 6 hours, and a refresh over dropped camera_status erases that aggregate's history unless the raw rows outlive the window by 12 hours (docs/retention.md)",
    ]);
    expect(problems({ CORRELATOR_RETENTION_CAMERA_STATUS_DAYS: "8" })).toEqual([]);
  });

  it("runs the policies' jobs only where the database has no scheduler, unless told otherwise", () => {
    expect(readConfig({ ...base, HUB_MODE: "development" }).CORRELATOR_RUN_DB_JOBS).toBe("auto");
    expect(readConfig(base).CORRELATOR_RUN_DB_JOBS).toBe("never"); // tests run them themselves
    expect(readConfig({ ...base, CORRELATOR_RUN_DB_JOBS: "always" }).CORRELATOR_RUN_DB_JOBS).toBe("always");
    expect(problems({ CORRELATOR_RUN_DB_JOBS: "sometimes" })).toEqual([
      expect.stringMatching(/^CORRELATOR_RUN_DB_JOBS: /),
    ]);
  });
});
