import { ConfigError } from "@hub/common";
import { describe, expect, it } from "vitest";
import { DEV_CORRELATOR_TOKEN, readConfig } from "./config.js";

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

describe("correlator configuration", () => {
  it("refuses the public development token in production mode", () => {
    expect(problems({ HUB_MODE: "production", CORRELATOR_API_TOKEN: DEV_CORRELATOR_TOKEN })).toEqual([
      "CORRELATOR_API_TOKEN: holds a public development secret (insecure-development-…), refused in production mode",
    ]);
    expect(problems({ HUB_MODE: "production", CORRELATOR_API_TOKEN: "a-real-token-of-32-characters-xx" })).toEqual([]);
  });

  it("takes TLS files for the gRPC API only as a whole", () => {
    expect(problems({ CORRELATOR_TLS_CERT_FILE: "server.pem" })).toEqual([
      "CORRELATOR_TLS_CERT_FILE: CORRELATOR_TLS_CERT_FILE and CORRELATOR_TLS_KEY_FILE must be set together",
    ]);
    expect(problems({ CORRELATOR_TLS_CLIENT_CA_FILE: "ca.pem" })).toEqual([
      "CORRELATOR_TLS_CLIENT_CA_FILE: needs CORRELATOR_TLS_CERT_FILE and CORRELATOR_TLS_KEY_FILE",
    ]);
  });
});
