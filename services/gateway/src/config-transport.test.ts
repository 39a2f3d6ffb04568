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

  it("serves HTTPS with a certificate and its key, both or neither, naming the one missing", () => {
    const tls = readConfig({ ...base, GATEWAY_TLS_CERT_FILE: "gateway.pem", GATEWAY_TLS_KEY_FILE: "gateway.key" });
    expect([tls.GATEWAY_TLS_CERT_FILE, tls.GATEWAY_TLS_KEY_FILE]).toEqual(["gateway.pem", "gateway.key"]);
    expect(problems({ GATEWAY_TLS_CERT_FILE: "gateway.pem" })).toEqual([
      "GATEWAY_TLS_KEY_FILE: is required with GATEWAY_TLS_CERT_FILE (set both or neither)",
    ]);
    expect(problems({ GATEWAY_TLS_KEY_FILE: "gateway.key" })).toEqual([
      "GATEWAY_TLS_CERT_FILE: is required with GATEWAY_TLS_KEY_FILE (set both or neither)",
    ]);
  });

  it("uses the alerts TLS files only with an https:// ALERTS_URL, and the client certificate only with its key", () => {
    const https = "https://alerts.hub.svc:8081";
    const client = { ALERTS_TLS_CLIENT_CERT_FILE: "client.pem", ALERTS_TLS_CLIENT_KEY_FILE: "client.key" };
    expect(problems({ ALERTS_URL: https, ALERTS_TLS_CA_FILE: "ca.pem", ...client })).toEqual([]);
    // Without a CA file the system's CAs verify the alerts service.
    expect(problems({ ALERTS_URL: https, ...client })).toEqual([]);
    expect(problems({ ALERTS_URL: https, ALERTS_TLS_CLIENT_CERT_FILE: "client.pem" })).toEqual([
      "ALERTS_TLS_CLIENT_KEY_FILE: is required with ALERTS_TLS_CLIENT_CERT_FILE (set both or neither)",
    ]);
    expect(problems({ ALERTS_URL: https, ALERTS_TLS_CLIENT_KEY_FILE: "client.key" })).toEqual([
      "ALERTS_TLS_CLIENT_CERT_FILE: is required with ALERTS_TLS_CLIENT_KEY_FILE (set both or neither)",
    ]);
    expect(problems({ ALERTS_URL: "http://alerts:8081", ALERTS_TLS_CA_FILE: "ca.pem", ...client })).toEqual([
      "ALERTS_TLS_CA_FILE: needs an https:// ALERTS_URL (TLS files are only used over TLS)",
      "ALERTS_TLS_CLIENT_CERT_FILE: needs an https:// ALERTS_URL (TLS files are only used over TLS)",
      "ALERTS_TLS_CLIENT_KEY_FILE: needs an https:// ALERTS_URL (TLS files are only used over TLS)",
    ]);
  });

  it("accepts the TLS settings in production mode and still refuses the development token over TLS", () => {
    const tls = {
      GATEWAY_TLS_CERT_FILE: "gateway.pem",
      GATEWAY_TLS_KEY_FILE: "gateway.key",
      ALERTS_URL: "https://alerts.hub.svc:8081",
      ALERTS_TLS_CA_FILE: "ca.pem",
      ALERTS_TLS_CLIENT_CERT_FILE: "client.pem",
      ALERTS_TLS_CLIENT_KEY_FILE: "client.key",
    };
    expect(problems({ ...production, ...tls })).toEqual([]);
    expect(problems({ ...production, ...tls, ALERTS_API_TOKEN: DEV_ALERTS_TOKEN })).toEqual([
      "ALERTS_API_TOKEN: holds a public development secret (insecure-development-…), refused in production mode",
    ]);
  });
});
