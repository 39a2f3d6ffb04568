import { EVENT_PARTITIONS, H3_PARTITION_RESOLUTION, headers, type Pool, topics } from "@hub/common";
import { Detection, DetectionRecord } from "@hub/proto";
import { cellToParent, latLngToCell } from "h3-js";
import { Partitioners } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newCamera, newDetection } from "../support/factories.js";
import { createDevice, migratedPool, readTopic, startTestIngest, type TestIngest } from "../support/hub.js";

/**
 * The ingest service with its producers on the second Kafka client (KAFKA_PRODUCER_CLIENT=platformatic): the same
 * records, keys and partitions as with kafkajs, written by idempotent producers, once each, in order per key.
 */
let pool: Pool;
let ingest: TestIngest;
let device: { siteId: string; token: string };

beforeAll(async () => {
  pool = await migratedPool();
  ingest = await startTestIngest({ KAFKA_PRODUCER_CLIENT: "platformatic", KAFKA_PRODUCER_LANES: "2" });
  device = await createDevice(pool);
});

afterAll(async () => {
  await ingest?.stop();
  await pool?.end();
});

/** The partition kafkajs (and the Java client) choose for a key of the detections topic. */
function kafkajsPartition(key: string): number {
  const partitionMetadata = Array.from({ length: EVENT_PARTITIONS }, (_, partitionId) => ({
    partitionId,
    leader: 1,
    partitionErrorCode: 0,
    replicas: [1],
    isr: [1],
  }));
  return Partitioners.DefaultPartitioner()({
    topic: topics.detections.name,
    partitionMetadata,
    message: { key, value: null },
  });
}

describe("ingest on @platformatic/kafka", () => {
  it("writes each accepted detection once, idempotently, on kafkajs' partition for its key, in order per camera", async () => {
    const places = [
      { lat: 22.1935, lon: 113.5399, district: "Sé" },
      { lat: 22.1557, lon: 113.556, district: "Taipa" },
      { lat: 22.2107, lon: 113.5489, district: "Nossa Senhora de Fátima" },
    ];
    const cameras = places.map(({ lat, lon, district }) => newCamera({ position: { lat, lon }, district }));
    for (const camera of cameras) await ingest.gateway.registerCamera(device.token, camera);
    // Interleaved across cameras and split over several stream messages, so every lane batches several keys.
    const sent = Array.from({ length: 150 }, (_, index) => newDetection(cameras[index % 3]?.id ?? ""));
    const messages = Array.from({ length: 5 }, (_, index) => sent.slice(index * 30, index * 30 + 30));
    const summary = await ingest.gateway.streamDetections(device.token, messages);
    expect(summary.accepted).toBe(sent.length);

    const ids = new Set(sent.map((detection) => detection.eventId));
    const records = await readTopic({
      topic: topics.detections.name,
      decode: DetectionRecord.decode,
      keep: (record) => ids.has(record.detection?.eventId ?? ""),
      until: (found) => found.length >= sent.length,
      settleMs: 1000,
    });
    expect(records).toHaveLength(sent.length);
    expect(new Set(records.map((record) => record.value.detection?.eventId)).size).toBe(sent.length);
    for (const record of records) expect(record.producerId).not.toBe("-1");

    for (const [index, camera] of cameras.entries()) {
      const place = places[index] as (typeof places)[number];
      const key = cellToParent(latLngToCell(place.lat, place.lon, 9), H3_PARTITION_RESOLUTION);
      const own = records.filter((record) => record.value.detection?.cameraId === camera.id);
      expect(own.map((record) => record.value.detection?.eventId)).toEqual(
        sent.filter((detection) => detection.cameraId === camera.id).map((detection) => detection.eventId),
      );
      expect(new Set(own.map((record) => record.key))).toEqual(new Set([key]));
      expect(new Set(own.map((record) => record.partition))).toEqual(new Set([kafkajsPartition(key)]));
    }
    const first = records.find((record) => record.value.detection?.eventId === sent[0]?.eventId);
    expect(first?.value.detection).toEqual(Detection.decode(Detection.encode(sent[0] as Detection).finish()));
    expect(first?.headers).toEqual({ [headers.type]: "hub.v1.DetectionRecord", [headers.eventId]: sent[0]?.eventId });
  });
});
