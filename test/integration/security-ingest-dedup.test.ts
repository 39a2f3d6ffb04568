import { randomUUID } from "node:crypto";
import type { Pool } from "@hub/common";
import type { CorrelatorApp } from "@hub/correlator";
import { PublishOutcome } from "@hub/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newCamera, newDetection, newReading, newSensor, newStatus } from "../support/factories.js";
import {
  createDevice,
  eventually,
  migratedPool,
  produceDetectionRecords,
  startGroupAtEnd,
  startTestCorrelator,
  startTestIngest,
  type TestIngest,
} from "../support/hub.js";

/**
 * Issue 12, finding 12a: event ids are chosen by devices, so deduplication keyed by the id alone let one site
 * suppress another site's events by sending their ids first (at the ingest service's duplicate cache, and in the
 * database's unique index on (event_id, observed_at)). Deduplication is now keyed by (site, event id) everywhere.
 */

let pool: Pool;
let ingest: TestIngest;
let correlator: CorrelatorApp | undefined;
let siteA: { siteId: string; token: string };
let siteB: { siteId: string; token: string };

beforeAll(async () => {
  pool = await migratedPool();
  ingest = await startTestIngest();
  siteA = await createDevice(pool);
  siteB = await createDevice(pool);
  const group = `correlator-dedup-${randomUUID().slice(0, 8)}`;
  await startGroupAtEnd(group);
  correlator = await startTestCorrelator({ CORRELATOR_GROUP_ID: group });
});

afterAll(async () => {
  await correlator?.stop();
  await ingest?.stop();
  await pool?.end();
});

async function stored(table: string, eventId: string): Promise<{ site_id: string; source: string }[]> {
  const source = table === "sensor_readings" ? "sensor_id" : "camera_id";
  const result = await pool.query<{ site_id: string; source: string }>(
    `SELECT site_id, ${source} AS source FROM ${table} WHERE event_id = $1 ORDER BY site_id`,
    [eventId],
  );
  return result.rows;
}

describe("event ids are deduplicated per site (finding 12a)", () => {
  it("stores another site's event that reuses an id exactly once each; a repeat from the first site stays a duplicate", async () => {
    const cameraA = newCamera();
    const cameraB = newCamera();
    await ingest.gateway.registerCamera(siteA.token, cameraA);
    await ingest.gateway.registerCamera(siteB.token, cameraB);
    const sensorA = newSensor();
    const sensorB = newSensor();
    await ingest.gateway.registerSensor(siteA.token, sensorA);
    await ingest.gateway.registerSensor(siteB.token, sensorB);

    // Site A's events, then site B's different events with the very same ids and times (the attack: B guessed or
    // copied A's ids; with the old keys B's events were swallowed as duplicates).
    const observedAt = new Date(Date.now() - 1000);
    const detectionA = newDetection(cameraA.id, { observedAt });
    const detectionB = newDetection(cameraB.id, { observedAt, eventId: detectionA.eventId, confidence: 0.5 });
    const readingA = newReading(sensorA.id, { observedAt });
    const readingB = newReading(sensorB.id, { observedAt, eventId: readingA.eventId, value: 3.5 });
    const statusA = newStatus(cameraA.id, { observedAt });
    const statusB = newStatus(cameraB.id, { observedAt, eventId: statusA.eventId });

    // B first: had B been the victim and A the attacker, the order would be the other way round; both must pass.
    expect(await ingest.gateway.publishDetection(siteB.token, detectionB)).toBe(
      PublishOutcome.PUBLISH_OUTCOME_ACCEPTED,
    );
    expect(await ingest.gateway.publishDetection(siteA.token, detectionA)).toBe(
      PublishOutcome.PUBLISH_OUTCOME_ACCEPTED,
    );
    expect(await ingest.gateway.publishReading(siteA.token, readingA)).toBe(PublishOutcome.PUBLISH_OUTCOME_ACCEPTED);
    expect(await ingest.gateway.publishReading(siteB.token, readingB)).toBe(PublishOutcome.PUBLISH_OUTCOME_ACCEPTED);
    expect(await ingest.gateway.reportCameraStatus(siteA.token, statusA)).toBe(PublishOutcome.PUBLISH_OUTCOME_ACCEPTED);
    expect(await ingest.gateway.reportCameraStatus(siteB.token, statusB)).toBe(PublishOutcome.PUBLISH_OUTCOME_ACCEPTED);

    // A repeat from the same site is still a duplicate at the ingest service…
    expect(await ingest.gateway.publishDetection(siteA.token, detectionA)).toBe(
      PublishOutcome.PUBLISH_OUTCOME_DUPLICATE,
    );
    expect(await ingest.gateway.publishReading(siteA.token, readingA)).toBe(PublishOutcome.PUBLISH_OUTCOME_DUPLICATE);
    // …and a redelivery that got past it (another ingest instance, a restart) is a no-op in the database.
    await produceDetectionRecords([detectionA], { siteId: siteA.siteId });
    const marker = newDetection(cameraA.id);
    await produceDetectionRecords([marker], { siteId: siteA.siteId });

    expect(await eventually(async () => (await stored("detections", marker.eventId)).length === 1, 60_000)).toBe(true);
    expect(await eventually(async () => (await stored("detections", detectionA.eventId)).length >= 2, 60_000)).toBe(
      true,
    );
    expect(await eventually(async () => (await stored("camera_status", statusA.eventId)).length === 2, 60_000)).toBe(
      true,
    );
    expect(await eventually(async () => (await stored("sensor_readings", readingA.eventId)).length === 2, 60_000)).toBe(
      true,
    );

    const bySite = (siteId: string, source: string) => ({ site_id: siteId, source });
    const expected = (a: string, b: string) =>
      [bySite(siteA.siteId, a), bySite(siteB.siteId, b)].sort((x, y) => x.site_id.localeCompare(y.site_id));
    expect(await stored("detections", detectionA.eventId)).toEqual(expected(cameraA.id, cameraB.id));
    expect(await stored("sensor_readings", readingA.eventId)).toEqual(expected(sensorA.id, sensorB.id));
    expect(await stored("camera_status", statusA.eventId)).toEqual(expected(cameraA.id, cameraB.id));
    const confidences = await pool.query<{ site_id: string; confidence: number }>(
      "SELECT site_id, confidence FROM detections WHERE event_id = $1",
      [detectionA.eventId],
    );
    expect(Object.fromEntries(confidences.rows.map((row) => [row.site_id, row.confidence]))).toEqual({
      [siteA.siteId]: expect.closeTo(0.87, 5),
      [siteB.siteId]: expect.closeTo(0.5, 5),
    });
  });
});
