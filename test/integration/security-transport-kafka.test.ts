import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { commonConfigShape, createKafka, type KafkaSecurity, kafkaSecurity, loadConfig, topicSpecs } from "@hub/common";
import { readConfig as gatewayConfig, startGateway } from "@hub/gateway";
import { type RunningKafka, startKafka } from "@hub/infra";
import { ConfigResourceTypes } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { startTestAlerts } from "../support/alerts.js";
import { infra, testLogger } from "../support/hub.js";
import { createTestPki, type TestPki } from "../support/pki.js";

// Kafka transport security (issue 12, finding 10) and topic settings from one place (finding 9), against a second,
// fresh broker started here with an SSL listener (client certificates required) and a SASL_SSL listener
// (SCRAM-SHA-512), besides its PLAINTEXT one. The services are configured only through their environment, as in
// production; the attacks are clients with a wrong password, no or a foreign client certificate, no TLS, or a
// broker they should not trust.

let pki: TestPki;
let dir: string;
let kafka: RunningKafka;
const password = randomBytes(18).toString("base64url");
const secured = () => kafka.secured as { ssl: string; saslSsl: string };

beforeAll(async () => {
  pki = createTestPki();
  dir = await mkdtemp(join(tmpdir(), "hub-kafka-tls-"));
  kafka = await startKafka({
    dataDir: join(dir, "kafka"),
    port: 0,
    heapMb: 384,
    log: () => undefined,
    security: {
      certFile: pki.serverCert,
      keyFile: pki.serverKey,
      caFile: pki.caCert,
      scramUsers: [{ name: "hub", password }],
    },
  });
}, 240_000);

afterAll(async () => {
  await kafka?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  pki?.remove();
}, 120_000);

const schema = z.object(commonConfigShape);

/** The Kafka security a service derives from these variables, exactly as at its start-up. */
function securityFrom(env: Record<string, string>): KafkaSecurity {
  return kafkaSecurity(
    loadConfig(schema, { HUB_MODE: "test", DATABASE_URL: "postgres://unused@127.0.0.1/x", ...env }) as Parameters<
      typeof kafkaSecurity
    >[0],
  );
}

/** Connects an admin client once, without retries; resolves with the topic names, or rejects. */
async function tryConnect(broker: string, security: KafkaSecurity): Promise<string[]> {
  const client = createKafka({ brokers: [broker], clientId: `tls-${randomUUID().slice(0, 8)}`, security }, testLogger, {
    connectionTimeout: 5000,
    requestTimeout: 5000,
    retry: { retries: 0 },
  });
  const admin = client.admin();
  try {
    await admin.connect();
    return await admin.listTopics();
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

const saslEnv = (overrides: Record<string, string> = {}) => ({
  KAFKA_BROKERS: secured().saslSsl,
  KAFKA_SECURITY_PROTOCOL: "SASL_SSL",
  KAFKA_SSL_CA_FILE: pki.caCert,
  KAFKA_SASL_MECHANISM: "scram-sha-512",
  KAFKA_SASL_USERNAME: "hub",
  KAFKA_SASL_PASSWORD: password,
  ...overrides,
});

const mtlsEnv = (overrides: Record<string, string> = {}) => ({
  KAFKA_BROKERS: secured().ssl,
  KAFKA_SECURITY_PROTOCOL: "SSL",
  KAFKA_SSL_CA_FILE: pki.caCert,
  KAFKA_SSL_CERT_FILE: pki.clientCert,
  KAFKA_SSL_KEY_FILE: pki.clientKey,
  ...overrides,
});

describe("Kafka over SASL_SSL (SCRAM-SHA-512)", () => {
  it("a service starts with the right credentials and creates every topic with the shared settings", async () => {
    const alerts = await startTestAlerts({ ...saslEnv(), KAFKA_EVENT_PARTITIONS: "3" });
    try {
      const expected = topicSpecs({ eventPartitions: 3, replicationFactor: 1 });
      // Read back over the broker's own PLAINTEXT listener, independently of the service's client.
      const admin = createKafka({ brokers: kafka.brokers, clientId: "tls-check" }, testLogger).admin();
      await admin.connect();
      try {
        const metadata = await admin.fetchTopicMetadata({ topics: expected.map((spec) => spec.name) });
        const described = await admin.describeConfigs({
          includeSynonyms: false,
          resources: expected.map((spec) => ({ type: ConfigResourceTypes.TOPIC, name: spec.name })),
        });
        for (const spec of expected) {
          const topic = metadata.topics.find((candidate) => candidate.name === spec.name);
          expect(topic?.partitions.length, spec.name).toBe(spec.partitions);
          expect(new Set(topic?.partitions.map((p) => p.replicas.length)), spec.name).toEqual(new Set([1]));
          const entries = described.resources.find((resource) => resource.resourceName === spec.name)?.configEntries;
          const actual = Object.fromEntries((entries ?? []).map((entry) => [entry.configName, entry.configValue]));
          expect(actual, spec.name).toMatchObject(spec.config);
        }
      } finally {
        await admin.disconnect();
      }
    } finally {
      await alerts.stop();
    }
  }, 180_000);

  it("refuses a wrong password, an unknown user, and a client without TLS", async () => {
    await expect(tryConnect(secured().saslSsl, securityFrom(saslEnv()))).resolves.toBeInstanceOf(Array);
    await expect(
      tryConnect(secured().saslSsl, securityFrom(saslEnv({ KAFKA_SASL_PASSWORD: `${password}x` }))),
    ).rejects.toThrow(/SASL SCRAM SHA512 authentication failed/i);
    await expect(
      tryConnect(secured().saslSsl, securityFrom(saslEnv({ KAFKA_SASL_USERNAME: "intruder" }))),
    ).rejects.toThrow(/SASL SCRAM SHA512 authentication failed/i);
    // The right credentials, but not over TLS: no answer the client can use.
    await expect(tryConnect(secured().saslSsl, { sasl: securityFrom(saslEnv()).sasl })).rejects.toThrow();
  }, 120_000);
});

describe("Kafka over mutual TLS", () => {
  it("a service starts presenting a client certificate from the broker's CA", async () => {
    const gateway = await startGateway(
      gatewayConfig({
        HUB_MODE: "test",
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
        DATABASE_URL: infra().databaseUrl,
        ...mtlsEnv(),
        GATEWAY_HOST: "127.0.0.1",
        GATEWAY_PORT: "0",
        GATEWAY_OPS_PORT: "0",
        GATEWAY_INSTANCE_ID: `tls-${randomUUID().slice(0, 8)}`,
        CORRELATOR_GRPC_ADDRESS: "127.0.0.1:1",
      }),
      testLogger,
    );
    const ready = await fetch(`http://127.0.0.1:${gateway.opsPort}/readyz`);
    expect(ready.status).toBe(200);
    await gateway.stop();
  }, 180_000);

  it("refuses a client without a certificate, with another CA's certificate, and a plaintext client", async () => {
    await expect(tryConnect(secured().ssl, securityFrom(mtlsEnv()))).resolves.toBeInstanceOf(Array);
    const noCertificate = securityFrom({
      KAFKA_SECURITY_PROTOCOL: "SSL",
      KAFKA_BROKERS: secured().ssl,
      KAFKA_SSL_CA_FILE: pki.caCert,
    });
    await expect(tryConnect(secured().ssl, noCertificate)).rejects.toThrow();
    const foreign = securityFrom(
      mtlsEnv({ KAFKA_SSL_CERT_FILE: pki.rogueClientCert, KAFKA_SSL_KEY_FILE: pki.rogueClientKey }),
    );
    await expect(tryConnect(secured().ssl, foreign)).rejects.toThrow();
    await expect(tryConnect(secured().ssl, {})).rejects.toThrow();
  }, 120_000);

  it("the client refuses a broker whose certificate its CA did not sign", async () => {
    await expect(
      tryConnect(secured().ssl, securityFrom(mtlsEnv({ KAFKA_SSL_CA_FILE: pki.rogueCaCert }))),
    ).rejects.toThrow(/certificate/i);
  }, 60_000);
});
