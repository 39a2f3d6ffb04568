import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ServiceError, status } from "@grpc/grpc-js";
import { type Pool, topics } from "@hub/common";
import { type RunningKafka, startKafka } from "@hub/infra";
import { type Detection, DetectionRecord, PublishOutcome } from "@hub/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newCamera, newDetection } from "../support/factories.js";
import { createDevice, migratedPool, readTopic, startTestIngest, type TestIngest } from "../support/hub.js";

/**
 * Kafka goes away while devices publish: nothing may be acknowledged that Kafka does not have, and once it is back
 * the devices' retries get everything in. This file runs its own broker so that stopping it harms no other test.
 */
let dir: string;
let kafka: RunningKafka;
let pool: Pool;
let ingest: TestIngest;
let device: { siteId: string; token: string };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "hub-outage-"));
  kafka = await startKafka({ dataDir: join(dir, "kafka"), port: 0, log: () => undefined });
  pool = await migratedPool();
  ingest = await startTestIngest({ KAFKA_SEND_TIMEOUT_MS: "3000" }, kafka.brokers);
  device = await createDevice(pool);
});

afterAll(async () => {
  await ingest?.stop();
  await kafka?.stop();
  await pool?.end();
  await rm(dir, { recursive: true, force: true });
});

async function publishUntilAccepted(detection: Detection, deadline: number): Promise<number> {
  let attempts = 0;
  for (;;) {
    attempts += 1;
    try {
      const outcome = await ingest.gateway.publishDetection(device.token, detection);
      if (outcome === PublishOutcome.PUBLISH_OUTCOME_ACCEPTED || outcome === PublishOutcome.PUBLISH_OUTCOME_DUPLICATE)
        return attempts;
    } catch (error) {
      if ((error as ServiceError).code !== status.UNAVAILABLE || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

describe("Kafka outage", () => {
  it("gives no ack while Kafka is down, reports not ready, and loses nothing once it is back", async () => {
    const camera = newCamera();
    await ingest.gateway.registerCamera(device.token, camera);
    const before = newDetection(camera.id);
    expect(await ingest.gateway.publishDetection(device.token, before)).toBe(PublishOutcome.PUBLISH_OUTCOME_ACCEPTED);

    const port = Number(kafka.brokers[0]?.split(":")[1]);
    await kafka.stop();

    const during = [newDetection(camera.id), newDetection(camera.id), newDetection(camera.id)];
    const [first, ...streamed] = during as [Detection, ...Detection[]];
    const unary = await ingest.gateway.publishDetection(device.token, first).then(
      () => undefined,
      (error: ServiceError) => error,
    );
    expect(unary?.code).toBe(status.UNAVAILABLE);
    const summary = await ingest.gateway.streamDetections(device.token, [streamed]);
    expect(summary.accepted).toBe(0);
    expect(summary.results.map((result) => result.error?.code)).toEqual(["UNAVAILABLE", "UNAVAILABLE"]);
    const ready = await fetch(`http://127.0.0.1:${ingest.app.opsPort}/readyz`);
    expect(ready.status).toBe(503);

    kafka = await startKafka({ dataDir: join(dir, "kafka"), port, log: () => undefined });
    const deadline = Date.now() + 90_000;
    for (const detection of during) await publishUntilAccepted(detection, deadline);

    const ids = new Set([before, ...during].map((detection) => detection.eventId));
    const records = await readTopic({
      brokers: kafka.brokers,
      topic: topics.detections.name,
      decode: DetectionRecord.decode,
      keep: (record) => ids.has(record.detection?.eventId ?? ""),
      until: (found) => new Set(found.map((r) => r.value.detection?.eventId)).size >= ids.size,
      timeoutMs: 30_000,
      settleMs: 1000,
    });
    const seen = records.map((record) => record.value.detection?.eventId);
    // Every event is there; the one acknowledged before the outage exactly once. An event whose timed-out batch
    // landed after all may appear twice: consumers drop the repeat by event id.
    expect(new Set(seen)).toEqual(ids);
    expect(seen.filter((id) => id === before.eventId)).toHaveLength(1);
  }, 240_000);
});
