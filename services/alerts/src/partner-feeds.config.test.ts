import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "@hub/common";
import { afterAll, describe, expect, it } from "vitest";
import { readConfig } from "./config.js";

const dir = mkdtempSync(join(tmpdir(), "partner-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A self-signed certificate with this subject (openssl: node:crypto cannot issue X.509). */
function certificate(file: string, subject: string): string {
  const path = join(dir, file);
  const run = spawnSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", `${path}.key`, "-out", path, "-days", "1"].concat([
      "-subj",
      subject,
    ]),
    { encoding: "utf8" },
  );
  if (run.status !== 0) throw new Error(run.stderr);
  return path;
}

const partnerCert = certificate("partner.pem", "/CN=smg.gov.mo CAP signing");
const devCert = certificate("dev.pem", "/CN=insecure-development partner feed (development only)");
const name = { "zh-Hant": "氣象局", pt: "SMG", en: "SMG" };
const production = {
  HUB_MODE: "production",
  KAFKA_BROKERS: "kafka.internal:9092",
  DATABASE_URL: "postgres://hub@db.internal:5432/hub",
  ALERTS_API_TOKEN: "x".repeat(32),
  ALERTS_PUBLIC_BASE_URL: "https://alerts.gov.mo",
};
const feeds = (entries: unknown[]) => JSON.stringify(entries);
const problems = (env: Record<string, string>): string[] => {
  try {
    readConfig(env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
};

describe("ALERTS_PARTNER_FEEDS", () => {
  it("reads the feeds with their certificates, rules and defaults", () => {
    const config = readConfig({
      ...production,
      ALERTS_PARTNER_FEEDS: feeds([
        {
          id: "smg",
          name,
          url: "https://smg.gov.mo/cap/feed.atom",
          trustedCertFiles: [partnerCert],
          rules: [{ eventCode: { valueName: "SMG-rain", value: "R" }, templateId: "rainstorm-red" }],
        },
      ]),
    });
    expect(config.ALERTS_PARTNER_FEEDS).toMatchObject([
      { id: "smg", pollIntervalMs: 60_000, defaultTemplateId: null, rules: [{ templateId: "rainstorm-red" }] },
    ]);
    expect(config.ALERTS_PARTNER_FEEDS[0]?.trustedCerts[0]?.pem).toContain("BEGIN CERTIFICATE");
  });

  it("names each bad field: unknown template, unreadable certificate, a rule with neither event nor eventCode", () => {
    const found = problems({
      ...production,
      ALERTS_PARTNER_FEEDS: feeds([
        {
          id: "smg",
          name,
          url: "https://smg.gov.mo/feed.atom",
          trustedCertFiles: [join(dir, "missing.pem")],
          rules: [{ templateId: "no-such-template" }],
        },
      ]),
    });
    expect(found.join("\n")).toMatch(/\[0\.rules\.0\.templateId\] is not a template id/);
    expect(found.join("\n")).toMatch(/\[0\.rules\.0\] set event or eventCode/);
    expect(problems({ ...production, ALERTS_PARTNER_FEEDS: "[{" })[0]).toMatch(/^ALERTS_PARTNER_FEEDS: is not JSON/);
    const unreadable = problems({
      ...production,
      ALERTS_PARTNER_FEEDS: feeds([
        { id: "smg", name, url: "https://smg.gov.mo/feed.atom", trustedCertFiles: [join(dir, "missing.pem")] },
      ]),
    });
    expect(unreadable.join("\n")).toMatch(/trustedCertFiles\.0\] .*missing\.pem: not a readable PEM certificate/);
  });

  it("refuses in production the development certificate and a feed over plain HTTP", () => {
    const found = problems({
      ...production,
      ALERTS_PARTNER_FEEDS: feeds([
        { id: "dev", name, url: "http://127.0.0.1:8091/feed.atom", trustedCertFiles: [devCert] },
      ]),
    });
    expect(found).toContain("ALERTS_PARTNER_FEEDS: [0.url] must be an https URL of another host in production mode");
    expect(found.join("\n")).toMatch(/dev\.pem is a development certificate \(insecure-development\), refused/);
    // Development accepts both.
    expect(
      problems({
        ...production,
        HUB_MODE: "development",
        ALERTS_PARTNER_FEEDS: feeds([
          { id: "dev", name, url: "http://127.0.0.1:8091/feed.atom", trustedCertFiles: [devCert] },
        ]),
      }),
    ).toEqual([]);
  });
});
