import { describe, expect, it } from "vitest";
import { z } from "zod";
import { brokerList, commonConfigShape, loadConfig } from "./config.js";
import { ConfigError } from "./errors.js";

describe("loadConfig", () => {
  const schema = z.object(commonConfigShape);

  it("parses and defaults", () => {
    const config = loadConfig(schema, { KAFKA_BROKERS: "a:9092, b:9093", DATABASE_URL: "postgres://x@h:5432/db" });
    expect(config.KAFKA_BROKERS).toEqual(["a:9092", "b:9093"]);
    expect(config.HUB_MODE).toBe("production");
    expect(config.DATABASE_POOL_SIZE).toBe(4);
  });

  it("names every bad variable at once", () => {
    try {
      loadConfig(schema, { KAFKA_BROKERS: "no-port", DATABASE_URL: "mysql://x", HUB_MODE: "staging" });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join("\n");
      expect(problems).toMatch(/KAFKA_BROKERS/);
      expect(problems).toMatch(/DATABASE_URL/);
      expect(problems).toMatch(/HUB_MODE/);
    }
  });

  it("rejects an empty broker list", () => {
    expect(brokerList.safeParse(" , ").success).toBe(false);
  });
});
