import type { PeerCertificate } from "node:tls";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import {
  checkCommonConfig,
  checkPublicBaseUrl,
  commonConfigShape,
  isLoopbackUrl,
  kafkaTopicsConfigShape,
  loadConfig,
} from "./config.js";
import { databaseSsl } from "./database.js";
import { ConfigError } from "./errors.js";
import { kafkaSecurity } from "./kafka.js";

const schema = z
  .object({ ...commonConfigShape, ...kafkaTopicsConfigShape, PUBLIC_BASE_URL: z.url().optional() })
  .superRefine((env, context) => {
    checkCommonConfig(env, context);
    checkPublicBaseUrl(env, "PUBLIC_BASE_URL", context);
  });
const base = { HUB_MODE: "test", KAFKA_BROKERS: "kafka:9093", DATABASE_URL: "postgres://hub@db.example:5432/hub" };
const read = (env: Record<string, string>) => loadConfig(schema, { ...base, ...env });
const problems = (env: Record<string, string>): string[] => {
  try {
    read(env);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
};
const files: Record<string, string> = {
  "/ca.pem": "CA",
  "/cert.pem": "CERT",
  "/key.pem": "KEY",
  "/password": "s3cret-from-file\n",
};
const fakeRead = (file: string) => {
  const text = files[file];
  if (text === undefined) throw new Error(`no ${file}`);
  return text;
};

describe("Kafka transport security", () => {
  it("is plaintext without authentication by default", () => {
    expect(kafkaSecurity(read({}), fakeRead)).toEqual({});
  });

  it("maps SSL with a CA and a client certificate to kafkajs' ssl option, verifying the broker", () => {
    const config = read({
      KAFKA_SECURITY_PROTOCOL: "SSL",
      KAFKA_SSL_CA_FILE: "/ca.pem",
      KAFKA_SSL_CERT_FILE: "/cert.pem",
      KAFKA_SSL_KEY_FILE: "/key.pem",
    });
    expect(kafkaSecurity(config, fakeRead)).toEqual({
      ssl: { rejectUnauthorized: true, ca: "CA", cert: "CERT", key: "KEY" },
    });
  });

  it("maps SASL_SSL to SCRAM-SHA-512 over TLS, the password from a file without its newline", () => {
    const config = read({
      KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
      KAFKA_SSL_CA_FILE: "/ca.pem",
      KAFKA_SASL_USERNAME: "hub",
      KAFKA_SASL_PASSWORD_FILE: "/password",
    });
    expect(kafkaSecurity(config, fakeRead)).toEqual({
      ssl: { rejectUnauthorized: true, ca: "CA" },
      sasl: { mechanism: "scram-sha-512", username: "hub", password: "s3cret-from-file" },
    });
  });

  it("names settings that do not fit together", () => {
    expect(problems({ KAFKA_SSL_CA_FILE: "/ca.pem" })).toEqual([
      "KAFKA_SSL_CA_FILE: needs KAFKA_SECURITY_PROTOCOL=SSL or SASL_SSL",
    ]);
    expect(problems({ KAFKA_SECURITY_PROTOCOL: "SSL", KAFKA_SSL_CERT_FILE: "/cert.pem" })).toEqual([
      "KAFKA_SSL_CERT_FILE: KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE must be set together",
    ]);
    expect(problems({ KAFKA_SECURITY_PROTOCOL: "SASL_SSL" })).toEqual([
      "KAFKA_SASL_USERNAME: is required with SASL_SSL",
      "KAFKA_SASL_PASSWORD: set KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE (one of them) with SASL_SSL",
    ]);
    expect(problems({ KAFKA_SASL_USERNAME: "hub", KAFKA_SASL_PASSWORD: "x" })).toHaveLength(2);
    expect(problems({ KAFKA_SASL_MECHANISM: "plain" })[0]).toMatch(/^KAFKA_SASL_MECHANISM/);
  });

  it("refuses more in-sync replicas than replicas, and leaves min.insync.replicas unset for the derivation", () => {
    expect(read({ KAFKA_REPLICATION_FACTOR: "3" }).KAFKA_MIN_INSYNC_REPLICAS).toBeUndefined();
    expect(problems({ KAFKA_REPLICATION_FACTOR: "1", KAFKA_MIN_INSYNC_REPLICAS: "2" })).toEqual([
      "KAFKA_MIN_INSYNC_REPLICAS: must be at most KAFKA_REPLICATION_FACTOR (1): no write could ever be acknowledged",
    ]);
  });
});

/** What tls.checkServerIdentity reads of a peer certificate. */
const peer = (subjectaltname: string) => ({ subject: { CN: "db" }, subjectaltname }) as unknown as PeerCertificate;

describe("PostgreSQL transport security", () => {
  const url = "postgres://hub@db.example:5432/hub";
  const settings = (mode: string, ca?: string) =>
    read({ DATABASE_SSL_MODE: mode, ...(ca ? { DATABASE_SSL_CA_FILE: ca } : {}) });

  it("is off by default, and require encrypts without checking the server", () => {
    expect(databaseSsl(read({}), url, fakeRead)).toBe(false);
    expect(databaseSsl(settings("require"), url, fakeRead)).toEqual({ rejectUnauthorized: false });
  });

  it("verify-ca checks the chain against the CA but not the host name", () => {
    const ssl = databaseSsl(settings("verify-ca", "/ca.pem"), url, fakeRead);
    if (!ssl) throw new Error("expected TLS options");
    expect(ssl).toMatchObject({ ca: "CA", rejectUnauthorized: true });
    expect(ssl.checkServerIdentity?.("db.example", peer("DNS:other.example"))).toBeUndefined();
  });

  it("verify-full checks the chain and that the certificate names the host of DATABASE_URL", () => {
    const ssl = databaseSsl(settings("verify-full", "/ca.pem"), url, fakeRead);
    if (!ssl) throw new Error("expected TLS options");
    expect(ssl).toMatchObject({ ca: "CA", rejectUnauthorized: true, servername: "db.example" });
    expect(ssl.checkServerIdentity?.("db.example", peer("DNS:db.example"))).toBeUndefined();
    // Another host's certificate, even one the CA signed, is refused, whatever name the driver passes.
    expect(ssl.checkServerIdentity?.("db.example", peer("DNS:other.example"))).toBeInstanceOf(Error);
    expect(ssl.checkServerIdentity?.("other.example", peer("DNS:other.example"))).toBeInstanceOf(Error);
  });

  it("verify-full to an IP address checks the certificate's IP entries and sends no SNI", () => {
    const ssl = databaseSsl(settings("verify-full"), "postgres://hub@10.0.0.5:5432/hub", fakeRead);
    if (!ssl) throw new Error("expected TLS options");
    expect(ssl.servername).toBeUndefined();
    expect(ssl.checkServerIdentity?.("localhost", peer("IP Address:10.0.0.5"))).toBeUndefined();
    expect(ssl.checkServerIdentity?.("localhost", peer("DNS:localhost"))).toBeInstanceOf(Error);
  });

  it("names settings that do not fit together", () => {
    expect(problems({ DATABASE_SSL_CA_FILE: "/ca.pem" })).toEqual([
      "DATABASE_SSL_CA_FILE: needs DATABASE_SSL_MODE=verify-ca or verify-full",
    ]);
    expect(problems({ DATABASE_URL: "postgres://hub@db/hub?sslmode=require" })).toEqual([
      "DATABASE_URL: must not carry ssl parameters; use DATABASE_SSL_MODE and DATABASE_SSL_CA_FILE",
    ]);
    expect(problems({ DATABASE_SSL_MODE: "prefer" })[0]).toMatch(/^DATABASE_SSL_MODE/);
  });
});

describe("production mode", () => {
  it("refuses a public development secret in any variable, naming each", () => {
    const secret = "insecure-development-correlator-token";
    expect(
      problems({
        HUB_MODE: "production",
        KAFKA_SASL_PASSWORD: secret,
        KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
        KAFKA_SASL_USERNAME: "hub",
      }),
    ).toEqual([
      "KAFKA_SASL_PASSWORD: holds a public development secret (insecure-development-…), refused in production mode",
    ]);
    expect(
      problems({
        HUB_MODE: "development",
        KAFKA_SASL_PASSWORD: secret,
        KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
        KAFKA_SASL_USERNAME: "hub",
      }),
    ).toEqual([]);
  });

  it("refuses a public base URL on loopback", () => {
    for (const url of [
      "http://127.0.0.1:8080",
      "https://localhost",
      "http://[::1]:8080",
      "http://0.0.0.0",
      "http://app.localhost",
    ]) {
      expect(isLoopbackUrl(url)).toBe(true);
      expect(problems({ HUB_MODE: "production", PUBLIC_BASE_URL: url })).toEqual([
        `PUBLIC_BASE_URL: is on loopback (${url}), which no one else can reach; set the public origin in production mode`,
      ]);
      expect(problems({ HUB_MODE: "test", PUBLIC_BASE_URL: url })).toEqual([]);
    }
    for (const url of ["https://alerts.gov.mo", "http://10.0.0.5", "https://127.example.mo"]) {
      expect(isLoopbackUrl(url)).toBe(false);
      expect(problems({ HUB_MODE: "production", PUBLIC_BASE_URL: url })).toEqual([]);
    }
  });
});
