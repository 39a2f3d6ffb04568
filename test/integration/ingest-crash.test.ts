import { type ChildProcess, spawn } from "node:child_process";
import { type ServiceError, status } from "@grpc/grpc-js";
import { type Pool, topics } from "@hub/common";
import { type Detection, DetectionRecord } from "@hub/proto";
import { IngestGateway } from "@hub/simulator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newCamera, newDetection } from "../support/factories.js";
import { createDevice, freePort, infra, migratedPool, readTopic, serviceDatabase, whenReady } from "../support/hub.js";

/**
 * The ingest process is killed (SIGKILL) while devices publish. Every event it acknowledged must be in Kafka; the
 * devices' retries against the restarted service bring in the rest.
 */
let pool: Pool;
let device: { siteId: string; token: string };
let child: ChildProcess | undefined;

async function startIngestProcess(port: number, opsPort: number): Promise<ChildProcess> {
  const process_ = spawn(process.execPath, ["--conditions=source", "--import", "tsx", "services/ingest/src/main.ts"], {
    env: {
      ...process.env,
      HUB_MODE: "test",
      LOG_LEVEL: "warn",
      KAFKA_BROKERS: infra().brokers.join(","),
      ...serviceDatabase("ingest"),
      INGEST_HOST: "127.0.0.1",
      INGEST_PORT: String(port),
      INGEST_OPS_PORT: String(opsPort),
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  await whenReady(process_, opsPort, 60_000);
  return process_;
}

beforeAll(async () => {
  pool = await migratedPool();
  device = await createDevice(pool);
});

afterAll(async () => {
  child?.kill("SIGKILL");
  await pool?.end();
});

describe("ingest crash", () => {
  it("has in Kafka every event it acknowledged before SIGKILL, and the retries bring in the rest", async () => {
    const [port, opsPort] = [await freePort(), await freePort()];
    child = await startIngestProcess(port, opsPort);
    const gateway = new IngestGateway({ address: `127.0.0.1:${port}`, timeoutMs: 10_000 });
    const camera = newCamera();
    await gateway.registerCamera(device.token, camera);

    const events = Array.from({ length: 1500 }, () => newDetection(camera.id));
    const acknowledged = new Set<string>();
    const unacknowledged: Detection[] = [];
    let next = 0;
    const killAfter = 300;
    const worker = async () => {
      while (next < events.length) {
        const detection = events[next] as Detection;
        next += 1;
        try {
          await gateway.publishDetection(device.token, detection);
          acknowledged.add(detection.eventId);
          if (acknowledged.size === killAfter) child?.kill("SIGKILL");
        } catch (error) {
          expect([status.UNAVAILABLE, status.CANCELLED, status.INTERNAL, status.DEADLINE_EXCEEDED]).toContain(
            (error as ServiceError).code,
          );
          unacknowledged.push(detection);
        }
      }
    };
    await Promise.all(Array.from({ length: 20 }, worker));
    gateway.close();
    expect(acknowledged.size).toBeGreaterThanOrEqual(killAfter);
    expect(unacknowledged.length).toBeGreaterThan(0);

    // Every acknowledged event is in Kafka.
    const ids = new Set(events.map((detection) => detection.eventId));
    const afterCrash = await readTopic({
      topic: topics.detections.name,
      decode: DetectionRecord.decode,
      keep: (record) => ids.has(record.detection?.eventId ?? ""),
      until: (found) => [...acknowledged].every((id) => found.some((r) => r.value.detection?.eventId === id)),
      timeoutMs: 30_000,
    });
    const landed = new Set(afterCrash.map((record) => record.value.detection?.eventId));
    expect([...acknowledged].filter((id) => !landed.has(id))).toEqual([]);

    // The devices retry what was not acknowledged against the restarted service.
    child = await startIngestProcess(port, opsPort);
    const retry = new IngestGateway({ address: `127.0.0.1:${port}`, timeoutMs: 10_000 });
    for (const detection of unacknowledged) await retry.publishDetection(device.token, detection);
    retry.close();
    const final = await readTopic({
      topic: topics.detections.name,
      decode: DetectionRecord.decode,
      keep: (record) => ids.has(record.detection?.eventId ?? ""),
      until: (found) => new Set(found.map((r) => r.value.detection?.eventId)).size >= ids.size,
      timeoutMs: 30_000,
    });
    expect(new Set(final.map((record) => record.value.detection?.eventId))).toEqual(ids);
    child.kill("SIGTERM");
  }, 180_000);
});
