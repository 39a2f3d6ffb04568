import { ConfigError, DEV_ALERTS_TOKEN, DEV_CORRELATOR_TOKEN } from "@hub/common";
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
const production = {
  HUB_MODE: "production",
  GATEWAY_JWT_SECRET: "j".repeat(32),
  CORRELATOR_API_TOKEN: "c".repeat(32),
  ALERTS_API_TOKEN: "a".repeat(32),
  GATEWAY_EXPORT_KEY_FILE: "export.pem",
  AUDIT_CHECKPOINT_KEY_FILE: "audit-checkpoint.pem",
};

describe("gateway configuration", () => {
  it("refuses the public development tokens in production mode, naming each", () => {
    expect(problems(production)).toEqual([]);
    expect(
      problems({ ...production, CORRELATOR_API_TOKEN: DEV_CORRELATOR_TOKEN, ALERTS_API_TOKEN: DEV_ALERTS_TOKEN }),
    ).toEqual([
      "CORRELATOR_API_TOKEN: holds a public development secret (insecure-development-…), refused in production mode",
      "ALERTS_API_TOKEN: holds a public development secret (insecure-development-…), refused in production mode",
    ]);
  });

  it("sends a client certificate to the correlator only over TLS, and only with its key", () => {
    expect(
      problems({ CORRELATOR_TLS_CLIENT_CERT_FILE: "client.pem", CORRELATOR_TLS_CLIENT_KEY_FILE: "client.key" }),
    ).toEqual([
      "CORRELATOR_TLS_CLIENT_CERT_FILE: needs CORRELATOR_TLS_CA_FILE (a client certificate is only sent over TLS)",
    ]);
    expect(problems({ CORRELATOR_TLS_CA_FILE: "ca.pem", CORRELATOR_TLS_CLIENT_CERT_FILE: "client.pem" })).toEqual([
      "CORRELATOR_TLS_CLIENT_CERT_FILE: CORRELATOR_TLS_CLIENT_CERT_FILE and CORRELATOR_TLS_CLIENT_KEY_FILE must be set together",
    ]);
  });
});
