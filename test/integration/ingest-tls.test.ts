import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type ServiceError, status } from "@grpc/grpc-js";
import type { Pool } from "@hub/common";
import { PublishOutcome } from "@hub/proto";
import { IngestGateway } from "@hub/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newCamera, newDetection } from "../support/factories.js";
import { createDevice, migratedPool, startTestIngest, type TestIngest } from "../support/hub.js";

const fixtures = join(import.meta.dirname, "../fixtures/tls");
const pem = (name: string) => readFileSync(join(fixtures, name));

let pool: Pool;
let ingest: TestIngest;
let device: { siteId: string; token: string };

beforeAll(async () => {
  pool = await migratedPool();
  device = await createDevice(pool);
  ingest = await startTestIngest({
    INGEST_TLS_CERT_FILE: join(fixtures, "server.pem"),
    INGEST_TLS_KEY_FILE: join(fixtures, "server.key"),
    INGEST_TLS_CLIENT_CA_FILE: join(fixtures, "ca.pem"),
  });
});

afterAll(async () => {
  await ingest?.stop();
  await pool?.end();
});

describe("ingest over mutual TLS", () => {
  it("serves a client presenting a certificate from the configured CA, plus its device token", async () => {
    const gateway = new IngestGateway({
      address: `localhost:${ingest.app.grpcPort}`,
      tlsCa: pem("ca.pem"),
      tlsClientCert: pem("client.pem"),
      tlsClientKey: pem("client.key"),
    });
    const camera = newCamera();
    await gateway.registerCamera(device.token, camera);
    expect(await gateway.publishDetection(device.token, newDetection(camera.id))).toBe(
      PublishOutcome.PUBLISH_OUTCOME_ACCEPTED,
    );
    gateway.close();
  });

  it("refuses a TLS client without a certificate, and a plaintext client", async () => {
    for (const gateway of [
      new IngestGateway({ address: `localhost:${ingest.app.grpcPort}`, tlsCa: pem("ca.pem"), timeoutMs: 5000 }),
      new IngestGateway({ address: `localhost:${ingest.app.grpcPort}`, timeoutMs: 5000 }),
    ]) {
      const error = await gateway.registerCamera(device.token, newCamera()).then(
        () => undefined,
        (failure: ServiceError) => failure,
      );
      expect(error?.code).toBe(status.UNAVAILABLE);
      gateway.close();
    }
  });
});
