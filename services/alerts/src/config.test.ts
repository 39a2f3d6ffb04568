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

describe("alerts configuration", () => {
  it("marks messages as an exercise outside production, and wants a real API token in production", () => {
    expect(readConfig(base).ALERTS_CAP_STATUS).toBe("Exercise");
    expect(problems({ HUB_MODE: "production", ALERTS_PUBLIC_BASE_URL: "https://alerts.gov.mo" })).toEqual([
      "ALERTS_API_TOKEN: is required in production mode",
    ]);
    expect(
      readConfig({
        ...base,
        HUB_MODE: "production",
        ALERTS_API_TOKEN: "x".repeat(32),
        ALERTS_PUBLIC_BASE_URL: "https://alerts.gov.mo",
      }).ALERTS_CAP_STATUS,
    ).toBe("Actual");
  });

  it("refuses in production a public base URL on loopback and the public development token", () => {
    const production = { HUB_MODE: "production", ALERTS_API_TOKEN: "x".repeat(32) };
    expect(problems(production)).toEqual([
      "ALERTS_PUBLIC_BASE_URL: is on loopback (http://127.0.0.1:8080), which no one else can reach; set the public origin in production mode",
    ]);
    expect(
      problems({
        ...production,
        ALERTS_PUBLIC_BASE_URL: "https://alerts.gov.mo",
        ALERTS_API_TOKEN: "insecure-development-alerts-token",
      }),
    ).toEqual([
      "ALERTS_API_TOKEN: holds a public development secret (insecure-development-…), refused in production mode",
    ]);
  });

  it("refuses crash injection outside test mode and half a WeChat or signing setup", () => {
    expect(problems({ HUB_MODE: "development", ALERTS_CRASH_AFTER_SENDS: "3" })).toEqual([
      "ALERTS_CRASH_AFTER_SENDS: is only allowed in test mode",
    ]);
    expect(problems({ ALERTS_WECHAT_APP_ID: "wx123" })).toEqual([
      "ALERTS_WECHAT_APP_SECRET: is required with ALERTS_WECHAT_APP_ID",
      "ALERTS_WECHAT_TEMPLATE_ID: is required with ALERTS_WECHAT_APP_ID",
    ]);
    expect(problems({ ALERTS_CAP_SIGNING_KEY_FILE: "key.pem" })[0]).toMatch(/^ALERTS_CAP_SIGNING_CERT_FILE: set both/);
  });

  it("reads the WeChat template's data keys, and names a bad pair", () => {
    expect(readConfig(base).ALERTS_WECHAT_TEMPLATE_KEYS).toBeUndefined();
    expect(
      readConfig({ ...base, ALERTS_WECHAT_TEMPLATE_KEYS: "headline=thing7, time=time2" }).ALERTS_WECHAT_TEMPLATE_KEYS,
    ).toEqual({ headline: "thing7", time: "time2" });
    expect(problems({ ALERTS_WECHAT_TEMPLATE_KEYS: "title=thing1" })[0]).toMatch(
      /^ALERTS_WECHAT_TEMPLATE_KEYS: "title=thing1": expected <field>=<key>/,
    );
    expect(problems({ ALERTS_WECHAT_TEMPLATE_KEYS: "headline=thing 1" })[0]).toMatch(
      /^ALERTS_WECHAT_TEMPLATE_KEYS: "thing 1": not a WeChat template data key/,
    );
    expect(problems({ ALERTS_WECHAT_TEMPLATE_KEYS: "headline" })).toHaveLength(1);
  });

  it("serves HTTPS with a certificate and its key, both or neither, and requires client certificates with a CA", () => {
    const tls = { ALERTS_TLS_CERT_FILE: "alerts.pem", ALERTS_TLS_KEY_FILE: "alerts.key" };
    expect(problems(tls)).toEqual([]);
    expect(readConfig({ ...base, ...tls, ALERTS_TLS_CLIENT_CA_FILE: "ca.pem" }).ALERTS_TLS_CLIENT_CA_FILE).toBe(
      "ca.pem",
    );
    expect(problems({ ALERTS_TLS_CERT_FILE: "alerts.pem" })).toEqual([
      "ALERTS_TLS_KEY_FILE: is required with ALERTS_TLS_CERT_FILE (set both or neither)",
    ]);
    expect(problems({ ALERTS_TLS_KEY_FILE: "alerts.key" })).toEqual([
      "ALERTS_TLS_CERT_FILE: is required with ALERTS_TLS_KEY_FILE (set both or neither)",
    ]);
    expect(problems({ ALERTS_TLS_CLIENT_CA_FILE: "ca.pem" })).toEqual([
      "ALERTS_TLS_CLIENT_CA_FILE: needs ALERTS_TLS_CERT_FILE and ALERTS_TLS_KEY_FILE (client certificates are only asked for over TLS)",
    ]);
  });
});
