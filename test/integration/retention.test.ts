import { randomUUID } from "node:crypto";
import type { Pool } from "@hub/common";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RetentionRepository } from "../../services/correlator/src/repositories/retention.repository.js";
import { migratedPool } from "../support/hub.js";

/**
 * Migration 0004 and RetentionRepository against the real database. The embedded TimescaleDB runs no background
 * jobs, so every test runs them explicitly (RetentionRepository.runJobsNow, refresh_continuous_aggregate,
 * compress_chunk). Every test uses its own cameras and event ids; other files' rows are recent and untouched.
 */

const defaults = {
  detectionsDays: 30,
  sensorReadingsDays: 365,
  cameraStatusDays: 90,
  compressDetectionsAfterHours: 24,
};
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let pool: Pool;
let retention: RetentionRepository;

beforeAll(async () => {
  pool = await migratedPool();
  retention = new RetentionRepository(pool);
});

afterAll(async () => {
  // Leave the documented defaults for whoever runs next on this database.
  await retention?.apply(defaults);
  await pool?.end();
});

interface TestDetection {
  eventId: string;
  cameraId: string;
  observedAt: Date;
  objectClass?: string;
  plate?: string;
}

const run = randomUUID().slice(0, 8);
let sequence = 0;
const next = () => String(++sequence).padStart(4, "0"); // padded: ids sort as they were made
const nextId = (label: string) => `ret-${run}-${label}-${next()}`;
const newCameraId = () => `RET-CAM-${run}-${next()}`;

function detection(cameraId: string, observedAt: Date, extra: Partial<TestDetection> = {}): TestDetection {
  return { eventId: nextId("det"), cameraId, observedAt, ...extra };
}

/** Inserts as the correlator does (unnest, ON CONFLICT DO NOTHING); returns the event ids that were new. */
async function insertDetections(rows: TestDetection[]): Promise<string[]> {
  const result = await pool.query<{ event_id: string }>(
    `INSERT INTO detections (observed_at, event_id, camera_id, site_id, object_class, confidence, plate_text,
       attributes, lat, lon, h3_cell, ingested_at)
     SELECT observed_at, event_id, camera_id, 'site-retention-test', object_class, 0.9, plate_text,
       jsonb_build_object('colour', 'red'), 22.1935, 113.5405, '89411c0a2a3ffff', now()
     FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[])
       AS t(observed_at, event_id, camera_id, object_class, plate_text)
     ON CONFLICT DO NOTHING RETURNING event_id`,
    [
      rows.map((row) => row.observedAt),
      rows.map((row) => row.eventId),
      rows.map((row) => row.cameraId),
      rows.map((row) => row.objectClass ?? "OBJECT_CLASS_PERSON"),
      rows.map((row) => row.plate ?? null),
    ],
  );
  return result.rows.map((row) => row.event_id);
}

async function countDetections(eventIds: string[]): Promise<number> {
  const result = await pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM detections WHERE event_id = ANY($1::text[])",
    [eventIds],
  );
  return result.rows[0]?.n ?? -1;
}

async function jobConfig(proc: string, table: string): Promise<Record<string, string>[]> {
  const result = await pool.query<{ config: Record<string, string> }>(
    "SELECT config FROM timescaledb_information.jobs WHERE proc_name = $1 AND hypertable_name = $2",
    [proc, table],
  );
  return result.rows.map((row) => row.config);
}

/** Per (camera, class) counts of one aggregate, read from the view or from its materialised rows only. */
async function aggregateCounts(
  view: "detections_per_minute" | "detections_per_hour",
  cameraIds: string[],
  from: Date,
  to: Date,
  source: "view" | "materialised" = "view",
): Promise<string[]> {
  let relation: string = view;
  if (source === "materialised") {
    const found = await pool.query<{ schema: string; name: string }>(
      `SELECT materialization_hypertable_schema AS schema, materialization_hypertable_name AS name
       FROM timescaledb_information.continuous_aggregates WHERE view_name = $1`,
      [view],
    );
    const row = found.rows[0];
    if (!row) throw new Error(`no continuous aggregate ${view}`);
    relation = `"${row.schema}"."${row.name}"`;
  }
  const result = await pool.query<{ line: string }>(
    `SELECT to_char(bucket AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI') || ' ' || camera_id || ' ' || object_class
       || ' ' || detection_count AS line
     FROM ${relation} WHERE camera_id = ANY($1::text[]) AND bucket >= $2 AND bucket < $3
     ORDER BY bucket, camera_id, object_class`,
    [cameraIds, from, to],
  );
  return result.rows.map((row) => row.line);
}

const minuteLabel = (at: Date) => at.toISOString().slice(0, 16);

describe("aggregates, compression and retention (migration 0004)", () => {
  it("creates the three continuous aggregates, the hourly one on top of the per-minute one", async () => {
    const caggs = await pool.query<{ view_name: string; materialized_only: boolean; view_definition: string }>(
      `SELECT view_name, materialized_only, view_definition FROM timescaledb_information.continuous_aggregates
       WHERE view_name IN ('detections_per_minute', 'detections_per_hour', 'sensor_stats_5m') ORDER BY view_name`,
    );
    expect(caggs.rows.map((row) => [row.view_name, row.materialized_only])).toEqual([
      ["detections_per_hour", false],
      ["detections_per_minute", false],
      ["sensor_stats_5m", false],
    ]);
    expect(caggs.rows[0]?.view_definition).toContain("detections_per_minute");
    const refresh = await pool.query<{ hypertable_name: string; start_offset: string; end_offset: string }>(
      `SELECT hypertable_name, config->>'start_offset' AS start_offset, config->>'end_offset' AS end_offset
       FROM timescaledb_information.jobs WHERE proc_name = 'policy_refresh_continuous_aggregate'
       ORDER BY hypertable_name`,
    );
    expect(refresh.rows).toEqual([
      { hypertable_name: "detections_per_hour", start_offset: "7 days", end_offset: "01:00:00" },
      { hypertable_name: "detections_per_minute", start_offset: "7 days", end_offset: "00:01:00" },
      { hypertable_name: "sensor_stats_5m", start_offset: "7 days", end_offset: "00:05:00" },
    ]);
  });

  it("applies the configured retention and compression, idempotently, and the jobs obey it", async () => {
    const cameraId = newCameraId();
    const old = [detection(cameraId, new Date(Date.now() - 40 * DAY))];
    expect(await insertDetections(old)).toHaveLength(1);
    const oldIds = old.map((row) => row.eventId);

    const longer = { ...defaults, detectionsDays: 45, compressDetectionsAfterHours: 36 };
    expect(await retention.apply(longer)).toEqual([
      "detections retention after 45 days",
      "detections compression after 36 hours",
    ]);
    expect(await retention.apply(longer)).toEqual([]); // unchanged: nothing replaced
    expect(await jobConfig("policy_retention", "detections")).toEqual([
      expect.objectContaining({ drop_after: "45 days" }),
    ]);
    expect(await jobConfig("policy_compression", "detections")).toEqual([
      expect.objectContaining({ compress_after: "36:00:00" }),
    ]);
    await retention.runJobsNow();
    expect(await countDetections(oldIds)).toBe(1); // 40 days < 45: kept

    // Back to the defaults: "24 hours" equals the migration's "1 day" only as an interval, and is replaced once.
    const changed = await retention.apply(defaults);
    expect(changed).toContain("detections retention after 30 days");
    expect(await retention.apply(defaults)).toEqual([]);
    expect(await jobConfig("policy_retention", "detections")).toHaveLength(1);
    expect(await jobConfig("policy_retention", "sensor_readings")).toEqual([
      expect.objectContaining({ drop_after: "365 days" }),
    ]);
    expect(await jobConfig("policy_retention", "camera_status")).toEqual([
      expect.objectContaining({ drop_after: "90 days" }),
    ]);
    expect(await jobConfig("policy_compression", "sensor_readings")).toEqual([
      expect.objectContaining({ compress_after: "7 days" }),
    ]);
    await retention.runJobsNow();
    expect(await countDetections(oldIds)).toBe(0); // 40 days > 30: dropped
  });

  it("drops expired raw detections but keeps incident evidence (legal hold) and the aggregates", async () => {
    await retention.apply(defaults);
    const cameraId = newCameraId();
    const oldAt = new Date(Date.now() - 40 * DAY);
    oldAt.setUTCSeconds(10, 0);
    const old = [
      detection(cameraId, oldAt, { objectClass: "OBJECT_CLASS_VEHICLE", plate: "MK-12-34" }),
      detection(cameraId, new Date(oldAt.getTime() + 1000)),
      detection(cameraId, new Date(oldAt.getTime() + 2000)),
    ];
    const recent = [
      detection(cameraId, new Date(Date.now() - DAY)),
      detection(cameraId, new Date(Date.now() - DAY + 1000)),
    ];
    expect(await insertDetections([...old, ...recent])).toHaveLength(5);
    const evidenceSource = old[0] as TestDetection;

    const incidentId = randomUUID();
    await pool.query(
      `INSERT INTO incidents (id, rule_id, rule_version, correlation_key, kind, severity, title, lat, lon, h3_cell,
         first_event_at, last_event_at)
       VALUES ($1, $2, 1, $3, 'watch_list_plate', 'moderate', 'Watched plate seen', 22.1935, 113.5405,
         '89411c0a2a3ffff', $4, $4)`,
      [incidentId, `retention-test-${run}`, `key-${incidentId}`, oldAt],
    );
    // The correlator copies the stored row as it is; the same here.
    const copied = await pool.query(
      `INSERT INTO incident_evidence (incident_id, event_id, event_kind, observed_at, source_id, event)
       SELECT $1, d.event_id, 'detection', d.observed_at, d.camera_id, to_jsonb(d)
       FROM detections d WHERE d.event_id = $2 AND d.observed_at = $3`,
      [incidentId, evidenceSource.eventId, evidenceSource.observedAt],
    );
    expect(copied.rowCount).toBe(1);

    // The old minute is materialised before its raw rows go (the policies' 7-day windows never reach back 40 days).
    const minute = new Date(oldAt);
    minute.setUTCSeconds(0, 0);
    const minuteEnd = new Date(minute.getTime() + 60_000);
    const hour = new Date(oldAt);
    hour.setUTCMinutes(0, 0, 0);
    const hourEnd = new Date(hour.getTime() + HOUR);
    await pool.query("CALL refresh_continuous_aggregate('detections_per_minute', $1::timestamptz, $2::timestamptz)", [
      hour,
      hourEnd,
    ]);
    await pool.query("CALL refresh_continuous_aggregate('detections_per_hour', $1::timestamptz, $2::timestamptz)", [
      hour,
      hourEnd,
    ]);

    const ran = await retention.runJobsNow();
    expect(ran.length).toBeGreaterThanOrEqual(9); // 3 retention, 3 compression, 3 refresh

    expect(await countDetections(old.map((row) => row.eventId))).toBe(0);
    expect(await countDetections(recent.map((row) => row.eventId))).toBe(2);
    const expired = await pool.query(
      "SELECT show_chunks('detections', older_than => now() - INTERVAL '30 days') AS chunk",
    );
    expect(expired.rowCount).toBe(0);

    const evidence = await pool.query<{ event: Record<string, unknown>; event_id: string; camera_id: string }>(
      `SELECT e.event, r.event_id, r.camera_id, r.plate_text, r.object_class, r.observed_at, r.attributes
       FROM incident_evidence e, jsonb_populate_record(NULL::detections, e.event) r
       WHERE e.incident_id = $1`,
      [incidentId],
    );
    expect(evidence.rows).toEqual([
      expect.objectContaining({
        event_id: evidenceSource.eventId,
        camera_id: cameraId,
        plate_text: "MK-12-34",
        object_class: "OBJECT_CLASS_VEHICLE",
        observed_at: evidenceSource.observedAt,
        attributes: { colour: "red" },
      }),
    ]);
    expect(Object.keys(evidence.rows[0]?.event ?? {})).toEqual(
      expect.arrayContaining(["confidence", "lat", "lon", "h3_cell", "ingested_at", "stored_at", "site_id"]),
    );

    // Dashboards keep the history the raw rows no longer have.
    expect(await aggregateCounts("detections_per_minute", [cameraId], minute, minuteEnd)).toEqual([
      `${minuteLabel(minute)} ${cameraId} OBJECT_CLASS_PERSON 2`,
      `${minuteLabel(minute)} ${cameraId} OBJECT_CLASS_VEHICLE 1`,
    ]);
    expect(await aggregateCounts("detections_per_hour", [cameraId], hour, hourEnd)).toEqual([
      `${minuteLabel(hour)} ${cameraId} OBJECT_CLASS_PERSON 2`,
      `${minuteLabel(hour)} ${cameraId} OBJECT_CLASS_VEHICLE 1`,
    ]);
  });

  it("materialises per-minute and per-hour counts per camera and class, and picks up late events", async () => {
    const cameraA = newCameraId();
    const cameraB = newCameraId();
    // A closed hour inside both refresh windows (hourly end_offset 1 hour).
    const hour = new Date(Date.now() - 3 * HOUR);
    hour.setUTCMinutes(0, 0, 0);
    const hourEnd = new Date(hour.getTime() + HOUR);
    const m10 = new Date(hour.getTime() + 10 * 60_000);
    const m11 = new Date(hour.getTime() + 11 * 60_000);
    const at = (minute: Date, second: number) => new Date(minute.getTime() + second * 1000);
    await insertDetections([
      detection(cameraA, at(m10, 1)),
      detection(cameraA, at(m10, 2)),
      detection(cameraA, at(m10, 59)),
      detection(cameraA, at(m10, 30), { objectClass: "OBJECT_CLASS_VEHICLE" }),
      detection(cameraB, at(m10, 5)),
      detection(cameraB, at(m10, 6)),
      detection(cameraA, at(m11, 0)),
    ]);

    // The policies' own jobs, in their order: per-minute first, then the hourly one built on it.
    await retention.runJobsNow();
    const perMinute = [
      `${minuteLabel(m10)} ${cameraA} OBJECT_CLASS_PERSON 3`,
      `${minuteLabel(m10)} ${cameraA} OBJECT_CLASS_VEHICLE 1`,
      `${minuteLabel(m10)} ${cameraB} OBJECT_CLASS_PERSON 2`,
      `${minuteLabel(m11)} ${cameraA} OBJECT_CLASS_PERSON 1`,
    ];
    const perHour = [
      `${minuteLabel(hour)} ${cameraA} OBJECT_CLASS_PERSON 4`,
      `${minuteLabel(hour)} ${cameraA} OBJECT_CLASS_VEHICLE 1`,
      `${minuteLabel(hour)} ${cameraB} OBJECT_CLASS_PERSON 2`,
    ];
    // Materialised, not only computed on the fly from the raw rows.
    expect(await aggregateCounts("detections_per_minute", [cameraA, cameraB], hour, hourEnd, "materialised")).toEqual(
      perMinute,
    );
    expect(await aggregateCounts("detections_per_hour", [cameraA, cameraB], hour, hourEnd, "materialised")).toEqual(
      perHour,
    );
    expect(await aggregateCounts("detections_per_minute", [cameraA, cameraB], hour, hourEnd)).toEqual(perMinute);
    expect(await aggregateCounts("detections_per_hour", [cameraA, cameraB], hour, hourEnd)).toEqual(perHour);

    // A late event for that hour (accepted up to 7 days late) invalidates its buckets; the next runs recount them.
    await insertDetections([detection(cameraB, at(m10, 7))]);
    await retention.runJobsNow();
    expect(await aggregateCounts("detections_per_minute", [cameraB], hour, hourEnd, "materialised")).toEqual([
      `${minuteLabel(m10)} ${cameraB} OBJECT_CLASS_PERSON 3`,
    ]);
    expect(await aggregateCounts("detections_per_hour", [cameraB], hour, hourEnd, "materialised")).toEqual([
      `${minuteLabel(hour)} ${cameraB} OBJECT_CLASS_PERSON 3`,
    ]);

    // Real-time part: a bucket newer than the watermark is visible before any refresh.
    const now = new Date();
    const fresh = detection(cameraA, now);
    await insertDetections([fresh]);
    const currentMinute = new Date(now);
    currentMinute.setUTCSeconds(0, 0);
    expect(
      await aggregateCounts("detections_per_minute", [cameraA], currentMinute, new Date(now.getTime() + 60_000)),
    ).toEqual([`${minuteLabel(currentMinute)} ${cameraA} OBJECT_CLASS_PERSON 1`]);
  });

  it("aggregates sensor readings per 5 minutes with the last value", async () => {
    const sensorId = `RET-SENSOR-${run}`;
    const bucket = new Date(Date.now() - 2 * HOUR);
    bucket.setUTCMinutes(Math.floor(bucket.getUTCMinutes() / 5) * 5, 0, 0);
    const values = [1.5, 3.25, 0.5, 2]; // the last one (by time) is 2, not the maximum
    await pool.query(
      `INSERT INTO sensor_readings (observed_at, event_id, sensor_id, datastream_id, kind, value, unit, site_id, lat,
         lon, h3_cell, ingested_at)
       SELECT $1::timestamptz + (i * INTERVAL '1 minute'), $2 || i, $3, 'water-level', 'water_level', v, 'm',
         'site-retention-test', 22.19, 113.54, '89411c0a2a3ffff', now()
       FROM unnest($4::float8[]) WITH ORDINALITY AS t(v, i)`,
      [bucket, `${nextId("reading")}-`, sensorId, values],
    );
    await retention.runJobsNow();
    const stats = await pool.query(
      `SELECT avg_value, min_value, max_value, reading_count::int AS reading_count, last_value, kind, unit
       FROM sensor_stats_5m WHERE sensor_id = $1`,
      [sensorId],
    );
    expect(stats.rows).toEqual([
      {
        avg_value: 1.8125,
        min_value: 0.5,
        max_value: 3.25,
        reading_count: 4,
        last_value: 2,
        kind: "water_level",
        unit: "m",
      },
    ]);
  });

  it("compresses a chunk and still takes redelivered events into it as no-ops (ON CONFLICT DO NOTHING)", async () => {
    const cameraId = newCameraId();
    const base = Date.now() - 2 * DAY;
    const rows = [0, 1, 2].map((second) => detection(cameraId, new Date(base + second * 1000)));
    expect(await insertDetections(rows)).toHaveLength(3);
    const first = rows[0] as TestDetection;

    const chunks = await pool.query<{ chunk: string }>(
      "SELECT DISTINCT tableoid::regclass::text AS chunk FROM detections WHERE event_id = ANY($1::text[])",
      [rows.map((row) => row.eventId)],
    );
    const chunkNames = chunks.rows.map((row) => row.chunk);
    expect(chunkNames.length).toBeGreaterThan(0);
    for (const chunk of chunkNames)
      await pool.query("SELECT compress_chunk($1::regclass, if_not_compressed => true)", [chunk]);
    const state = await pool.query<{ is_compressed: boolean }>(
      `SELECT is_compressed FROM timescaledb_information.chunks
       WHERE hypertable_name = 'detections' AND format('%I.%I', chunk_schema, chunk_name) = ANY($1::text[])`,
      [chunkNames],
    );
    expect(state.rows.map((row) => row.is_compressed)).toEqual(chunkNames.map(() => true));

    // Redelivery of a stored event: no error, nothing new.
    expect(await insertDetections([first])).toEqual([]);
    expect(await countDetections(rows.map((row) => row.eventId))).toBe(3);
    // The unique index is still enforced on compressed data: without ON CONFLICT the same row is refused.
    await expect(
      pool.query(
        `INSERT INTO detections (observed_at, event_id, camera_id, site_id, object_class, confidence, lat, lon,
           h3_cell, ingested_at) VALUES ($1, $2, $3, 'site-retention-test', 'OBJECT_CLASS_PERSON', 0.9, 22.19, 113.54,
           '89411c0a2a3ffff', now())`,
        [first.observedAt, first.eventId, cameraId],
      ),
    ).rejects.toMatchObject({ code: "23505" });
    // A late new event into the same compressed chunk is stored, once.
    const late = detection(cameraId, new Date(base + 1500));
    expect(await insertDetections([late])).toEqual([late.eventId]);
    expect(await insertDetections([late])).toEqual([]);
    expect(await countDetections([...rows, late].map((row) => row.eventId))).toBe(4);
    const readBack = await pool.query<{ event_id: string }>(
      "SELECT event_id FROM detections WHERE camera_id = $1 ORDER BY observed_at",
      [cameraId],
    );
    expect(readBack.rows.map((row) => row.event_id)).toEqual([
      rows[0]?.eventId,
      rows[1]?.eventId,
      late.eventId,
      rows[2]?.eventId,
    ]);
  });
});
