import { randomUUID } from "node:crypto";
import { createKafka, headers, type Pool, topics } from "@hub/common";
import { type CorrelatorApp, eventTopics, OUTBOX_ID_HEADER } from "@hub/correlator";
import { DetectionRecord, ObjectClass } from "@hub/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newCamera, newDetection, newReading, newSensor, newStatus } from "../support/factories.js";
import {
  createDevice,
  eventually,
  infra,
  migratedPool,
  produceDetectionRecords,
  produceRaw,
  readTopic,
  startGroupAtEnd,
  startTestCorrelator,
  startTestIngest,
  type TestIngest,
  testLogger,
} from "../support/hub.js";

let pool: Pool;
let ingest: TestIngest;
let device: { siteId: string; token: string };
let correlator: CorrelatorApp | undefined;
const groupId = `correlator-test-${randomUUID().slice(0, 8)}`;
/** Where this file's group began on each event topic's partitions: the topics' ends when the file started. */
let groupStart: { topic: string; partition: number; offset: string }[] = [];

function startGroupCorrelator() {
  return startTestCorrelator({ CORRELATOR_GROUP_ID: groupId, OUTBOX_RELAY_INTERVAL_MS: "50" });
}

beforeAll(async () => {
  pool = await migratedPool();
  ingest = await startTestIngest();
  device = await createDevice(pool);
  await startGroupAtEnd(groupId);
  groupStart = (
    await pool.query<{ topic: string; partition: number; offset: string }>(
      "SELECT topic, partition, next_offset::text AS offset FROM consumer_offsets WHERE group_id = $1",
      [groupId],
    )
  ).rows;
  correlator = await startGroupCorrelator();
});

afterAll(async () => {
  await correlator?.stop();
  await ingest?.stop();
  await pool?.end();
});

const count = async (table: string, ids: string[]) =>
  (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE event_id = ANY($1)`, [ids])).rows[0]
    ?.n ?? 0;

describe("correlator storage", () => {
  it("stores detections, readings and camera status from Kafka in their hypertables", async () => {
    const camera = newCamera();
    await ingest.gateway.registerCamera(device.token, camera);
    const sensor = newSensor();
    await ingest.gateway.registerSensor(device.token, sensor);
    const plate = newDetection(camera.id, { objectClass: ObjectClass.OBJECT_CLASS_LICENSE_PLATE });
    const fire = newDetection(camera.id, {
      objectClass: ObjectClass.OBJECT_CLASS_FIRE,
      box: undefined,
      plate: undefined,
      rule: undefined,
      attributes: {},
    });
    await ingest.gateway.streamDetections(device.token, [[plate, fire]]);
    const reading = newReading(sensor.id, { value: 1.25 });
    await ingest.gateway.publishReading(device.token, reading);
    const status = newStatus(camera.id);
    await ingest.gateway.reportCameraStatus(device.token, status);

    expect(await eventually(async () => (await count("detections", [plate.eventId, fire.eventId])) === 2)).toBe(true);
    expect(await eventually(async () => (await count("sensor_readings", [reading.eventId])) === 1)).toBe(true);
    expect(await eventually(async () => (await count("camera_status", [status.eventId])) === 1)).toBe(true);

    const stored = await pool.query(
      "SELECT camera_id, site_id, object_class, plate_text, plate_region, rule_type, rule_name, attributes, h3_cell FROM detections WHERE event_id = $1",
      [plate.eventId],
    );
    expect(stored.rows[0]).toMatchObject({
      camera_id: camera.id,
      site_id: device.siteId,
      object_class: "license_plate",
      plate_text: "MX-12-34",
      plate_region: "MO",
      rule_type: "line_crossed",
      attributes: { vehicle_color: "red", vehicle_type: "van" },
    });
    const fireRow = await pool.query("SELECT object_class, box_left, plate_text FROM detections WHERE event_id = $1", [
      fire.eventId,
    ]);
    expect(fireRow.rows[0]).toEqual({ object_class: "fire", box_left: null, plate_text: null });
    const readingRow = await pool.query("SELECT kind, value, unit FROM sensor_readings WHERE event_id = $1", [
      reading.eventId,
    ]);
    expect(readingRow.rows[0]).toEqual({ kind: "water_level", value: 1.25, unit: "m" });
    const statusRow = await pool.query(
      "SELECT state, degradation_reason, scene_change FROM camera_status WHERE event_id = $1",
      [status.eventId],
    );
    expect(statusRow.rows[0]).toEqual({ state: "degraded", degradation_reason: "obstructed", scene_change: true });
  });

  it("sends undecodable and incomplete messages to the dead-letter topic with the reason, and keeps the partition moving", async () => {
    const key = `dlq-${randomUUID()}`;
    const after = newDetection("CAM-DLQ-AFTER");
    await produceRaw(topics.detections.name, [
      { key, value: Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]) },
      { key, value: Buffer.from([0x0a, 0x00]) }, // a DetectionRecord with an empty detection
      {
        key,
        value: Buffer.from(
          DetectionRecord.encode({
            detection: newDetection("CAM-DLQ"),
            context: {
              ingestedAt: new Date(),
              siteId: "s",
              position: { lat: 22.19, lon: 113.54 },
              district: "Sé",
              h3Cell: "not-a-cell",
            },
          }).finish(),
        ),
      },
    ]);
    await produceDetectionRecords([after]);
    expect(await eventually(async () => (await count("detections", [after.eventId])) === 1)).toBe(true);

    const dead = await readTopic({
      topic: topics.deadLetter.name,
      decode: (bytes) => bytes,
      keep: () => true,
      until: (records) => records.filter((r) => r.key === key).length >= 3,
      timeoutMs: 20_000,
    });
    const ours = dead.filter((record) => record.key === key);
    expect(ours).toHaveLength(3);
    expect(ours[0]?.headers[headers.dlqReason]).toMatch(/^undecodable protobuf/);
    expect(ours[1]?.headers[headers.dlqReason]).toBe("detection.event_id is missing");
    expect(ours[2]?.headers[headers.dlqReason]).toMatch(
      /^context\.h3_cell "not-a-cell" is not an H3 resolution-9 cell/,
    );
    for (const record of ours) {
      expect(record.headers[headers.dlqSourceTopic]).toBe(topics.detections.name);
      expect(record.headers[headers.dlqSourceOffset]).toMatch(/^\d+$/);
      expect(record.headers[OUTBOX_ID_HEADER]).toMatch(/^\d+$/);
    }
  });

  // "Full replay" is everything since this group began: the events of earlier test files lie before that, and
  // reading all of them made the test's cost grow with the suite (over 50 s).
  it("resumes from the database's offsets, not Kafka's, and stores nothing twice on a full replay", async () => {
    // More than one fetch holds (2 MB per partition), all on one partition: skipping must move across batches.
    const detections = Array.from({ length: 12_000 }, () => newDetection("CAM-REPLAY"));
    const ids = detections.map((d) => d.eventId);
    await produceDetectionRecords(detections);
    expect(await eventually(async () => (await count("detections", ids)) === 12_000, 60_000)).toBe(true);
    const total = async () => (await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM detections")).rows[0]?.n;
    const before = await total();

    // 1. Kafka's committed offsets rewound to where the group began: the stored ones win, nothing is written again.
    await correlator?.stop();
    await rewindKafkaOffsets();
    correlator = await startGroupCorrelator();
    const sentinel = newDetection("CAM-REPLAY");
    await produceDetectionRecords([sentinel]); // same key, same partition: stored means everything before was read
    expect(await eventually(async () => (await count("detections", [sentinel.eventId])) === 1, 40_000)).toBe(true);
    expect(await total()).toBe((before ?? 0) + 1);

    // 2. The stored positions gone too: everything since the group began is read again, every row already there.
    await correlator?.stop();
    await rewindKafkaOffsets();
    await pool.query("DELETE FROM consumer_offsets WHERE group_id = $1", [groupId]);
    correlator = await startGroupCorrelator();
    const second = newDetection("CAM-REPLAY");
    await produceDetectionRecords([second]);
    expect(await eventually(async () => (await count("detections", [second.eventId])) === 1, 40_000)).toBe(true);
    expect(await total()).toBe((before ?? 0) + 2);
    expect(await count("detections", ids)).toBe(12_000);
  }, 120_000);
});

async function rewindKafkaOffsets(): Promise<void> {
  const admin = createKafka({ brokers: infra().brokers, clientId: "test-admin" }, testLogger).admin();
  await admin.connect();
  try {
    for (const topic of eventTopics) {
      const partitions = groupStart
        .filter((start) => start.topic === topic)
        .map(({ partition, offset }) => ({ partition, offset }));
      expect(partitions.length).toBeGreaterThan(0);
      await admin.setOffsets({ groupId, topic, partitions });
    }
  } finally {
    await admin.disconnect();
  }
}
