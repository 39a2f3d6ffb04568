import { randomUUID } from "node:crypto";
import type { Pool } from "@hub/common";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import {
  RetentionRepository,
  retryConcurrentRefresh,
} from "../../services/correlator/src/repositories/retention.repository.js";
import { aggregateRefreshReach } from "../../services/correlator/src/services/aggregate-history.js";
import { eventually, migratedPool } from "../support/hub.js";

/**
 * Migrations 0004 and 0015 and RetentionRepository against the real database. The embedded TimescaleDB runs no
 * background jobs, so every test runs them explicitly (RetentionRepository.runJobsNow, refresh_continuous_aggregate,
 * compress_chunk). On a server whose scheduler runs the same jobs at any moment, the tests must come out the same:
 * a refresh colliding with the scheduler's is retried (retryConcurrentRefresh), and rows planted in the past are
 * planted under a retention that keeps them (a re-created retention job runs at once), as they were kept in
 * production while they were recent. Every test uses its own cameras and event ids; other files' rows are recent and
 * untouched.
 */

const defaults = {
  detectionsDays: 30,
  sensorReadingsDays: 365,
  cameraStatusDays: 90,
  compressDetectionsAfterHours: 24,
};
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const REFRESH_JOBS = ["policy_refresh_continuous_aggregate"] as const;

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

/** refresh_continuous_aggregate over [from, to), retried while an overlapping refresh (a scheduler's) runs. */
async function refresh(view: "detections_per_minute" | "detections_per_hour", from: Date, to: Date): Promise<void> {
  await retryConcurrentRefresh(() =>
    pool.query("CALL refresh_continuous_aggregate($1::regclass, $2::timestamptz, $3::timestamptz)", [view, from, to]),
  );
}

/** The whole minute and the whole hour around `at`, as [start, end) pairs. */
function bucketsOf(at: Date): { minute: Date; minuteEnd: Date; hour: Date; hourEnd: Date } {
  const minute = new Date(at);
  minute.setUTCSeconds(0, 0);
  const hour = new Date(at);
  hour.setUTCMinutes(0, 0, 0);
  return { minute, minuteEnd: new Date(minute.getTime() + 60_000), hour, hourEnd: new Date(hour.getTime() + HOUR) };
}

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
    // Windows from migration 0015: past ingest's 7-day limit by 6 hours (8 for the hourly one, built on the
    // per-minute one), and, as the correlator's configuration assumes (aggregate-history.ts), short of the shortest
    // retention it accepts by the 12-hour margin.
    const windows = await pool.query<{ hypertable_name: string; start_hours: number; end_offset: string }>(
      `SELECT hypertable_name, extract(epoch FROM (config->>'start_offset')::interval)::int / 3600 AS start_hours,
         config->>'end_offset' AS end_offset
       FROM timescaledb_information.jobs WHERE proc_name = 'policy_refresh_continuous_aggregate'
       ORDER BY hypertable_name`,
    );
    expect(windows.rows).toEqual([
      {
        hypertable_name: "camera_status_5m",
        start_hours: aggregateRefreshReach.camera_status.hours,
        end_offset: "00:05:00",
      },
      { hypertable_name: "detections_per_hour", start_hours: 7 * 24 + 8, end_offset: "01:00:00" },
      {
        hypertable_name: "detections_per_minute",
        start_hours: aggregateRefreshReach.detections.hours,
        end_offset: "00:01:00",
      },
      {
        hypertable_name: "sensor_stats_5m",
        start_hours: aggregateRefreshReach.sensor_readings.hours,
        end_offset: "00:05:00",
      },
    ]);
    expect((await pool.query("SELECT * FROM aggregate_history_violations()")).rows).toEqual([]);
  });

  it("applies the configured retention and compression, idempotently, and the jobs obey it", async () => {
    const longer = { ...defaults, detectionsDays: 45, compressDetectionsAfterHours: 36 };
    expect(await retention.apply(longer)).toEqual([
      "detections retention after 45 days",
      "detections compression after 36 hours",
    ]);
    expect(await retention.apply(longer)).toEqual([]); // unchanged: nothing replaced
    // Inserted under the 45-day retention only: a scheduler may run the retention job at any moment.
    const cameraId = newCameraId();
    const old = [detection(cameraId, new Date(Date.now() - 40 * DAY))];
    expect(await insertDetections(old)).toHaveLength(1);
    const oldIds = old.map((row) => row.eventId);
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

  it("drops expired raw detections but keeps incident evidence (legal hold) and the aggregates, whenever the refresh policies run", async () => {
    // The rows below are recorded while a 45-day retention keeps them, as in production they were recorded while
    // recent: the evidence is copied and the aggregates materialise them before they expire.
    expect(await retention.apply({ ...defaults, detectionsDays: 45 })).toContain("detections retention after 45 days");
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

    // The old minute is materialised before its raw rows go (the policies did so while it was in their window).
    const { minute, minuteEnd, hour, hourEnd } = bucketsOf(oldAt);
    await refresh("detections_per_minute", hour, hourEnd);
    await refresh("detections_per_hour", hour, hourEnd);
    const perMinute = [
      `${minuteLabel(minute)} ${cameraId} OBJECT_CLASS_PERSON 2`,
      `${minuteLabel(minute)} ${cameraId} OBJECT_CLASS_VEHICLE 1`,
    ];
    const perHour = [
      `${minuteLabel(hour)} ${cameraId} OBJECT_CLASS_PERSON 2`,
      `${minuteLabel(hour)} ${cameraId} OBJECT_CLASS_VEHICLE 1`,
    ];
    expect(await aggregateCounts("detections_per_minute", [cameraId], minute, minuteEnd, "materialised")).toEqual(
      perMinute,
    );

    // Back to 30 days: the rows are now expired. A scheduler runs the re-created retention job at once; so do we.
    expect(await retention.apply(defaults)).toContain("detections retention after 30 days");
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

    // Four refresh policies: detections per minute and per hour, sensor statistics, camera status (migration 0022).
    // Dashboards keep the history the raw rows no longer have: after the drop, and after the refresh policies ran
    // again over their windows, twice, as a scheduler runs them every minute (drop_chunks recorded the dropped range
    // as changed, so a refresh reaching it would recount it from nothing; none reaches it).
    for (let round = 0; round < 2; round += 1) {
      if (round > 0) expect(await retention.runJobsNow({ procs: REFRESH_JOBS })).toHaveLength(4);
      for (const source of ["materialised", "view"] as const) {
        expect(await aggregateCounts("detections_per_minute", [cameraId], minute, minuteEnd, source)).toEqual(
          perMinute,
        );
        expect(await aggregateCounts("detections_per_hour", [cameraId], hour, hourEnd, source)).toEqual(perHour);
      }
    }
  }, 180_000);

  it("erases the buckets of a range whose raw rows were dropped once a refresh reaches it: why no policy may", async () => {
    // TimescaleDB's own behaviour (drop_chunks invalidates the dropped range), shown on a range of this test's
    // own: the reason for migration 0015's invariant. Recorded and materialised while a 60-day retention keeps it.
    await retention.apply({ ...defaults, detectionsDays: 60 });
    const cameraId = newCameraId();
    const at = new Date(Date.now() - 50 * DAY);
    at.setUTCSeconds(20, 0);
    expect(await insertDetections([detection(cameraId, at)])).toHaveLength(1);
    const { minute, minuteEnd, hour, hourEnd } = bucketsOf(at);
    await refresh("detections_per_minute", hour, hourEnd);
    const counted = [`${minuteLabel(minute)} ${cameraId} OBJECT_CLASS_PERSON 1`];
    expect(await aggregateCounts("detections_per_minute", [cameraId], minute, minuteEnd, "materialised")).toEqual(
      counted,
    );

    await retention.apply(defaults);
    await retention.runJobsNow({ procs: ["policy_retention"] });
    const raw = await pool.query("SELECT 1 FROM detections WHERE camera_id = $1", [cameraId]);
    expect(raw.rowCount).toBe(0);
    // The policies' windows stop short of the drop: the minute is still there after they run.
    await retention.runJobsNow({ procs: REFRESH_JOBS });
    expect(await aggregateCounts("detections_per_minute", [cameraId], minute, minuteEnd, "materialised")).toEqual(
      counted,
    );
    // A refresh whose window reaches the dropped range (a policy reaching back 60 days would run exactly this one)
    // recounts the minute from the rows left, none.
    await refresh("detections_per_minute", hour, hourEnd);
    expect(await aggregateCounts("detections_per_minute", [cameraId], minute, minuteEnd, "materialised")).toEqual([]);
  }, 120_000);

  it("refuses a retention under which a refresh policy would reach dropped raw rows; the policy in force stays", async () => {
    await retention.apply(defaults);
    // Below the correlator's configuration (which refuses these first): the database's own guard, migration 0015.
    await expect(retention.apply({ ...defaults, detectionsDays: 7 })).rejects.toMatchObject({
      code: "22023",
      message: expect.stringContaining(
        "public.detections_per_minute refreshes back 7 days 06:00:00 but public.detections keeps raw rows only 7 days",
      ),
    });
    await expect(retention.apply({ ...defaults, sensorReadingsDays: 7 })).rejects.toMatchObject({
      code: "22023",
      message: expect.stringContaining("public.sensor_stats_5m refreshes back 7 days 06:00:00"),
    });
    expect(await jobConfig("policy_retention", "detections")).toEqual([
      expect.objectContaining({ drop_after: "30 days" }),
    ]);
    expect(await jobConfig("policy_retention", "sensor_readings")).toEqual([
      expect.objectContaining({ drop_after: "365 days" }),
    ]);
    expect((await pool.query("SELECT * FROM aggregate_history_violations()")).rows).toEqual([]);
  });

  it("counts a late event that ingest accepted at its 7-day limit and the correlator stored after a lag", async () => {
    // Accepted 35 minutes ago when it was 6 days 23 h 55 min old (INGEST_MAX_EVENT_AGE_MS: 7 days), stored now: a
    // refresh window of exactly 7 days has left it behind, and the hourly one, rounded to whole hours, even more.
    const cameraId = newCameraId();
    const at = new Date(Date.now() - 7 * DAY - 30 * 60_000);
    expect(await insertDetections([detection(cameraId, at)])).toHaveLength(1);
    await retention.runJobsNow({ procs: REFRESH_JOBS });
    const { minute, minuteEnd, hour, hourEnd } = bucketsOf(at);
    expect(await aggregateCounts("detections_per_minute", [cameraId], minute, minuteEnd, "materialised")).toEqual([
      `${minuteLabel(minute)} ${cameraId} OBJECT_CLASS_PERSON 1`,
    ]);
    expect(await aggregateCounts("detections_per_hour", [cameraId], hour, hourEnd, "materialised")).toEqual([
      `${minuteLabel(hour)} ${cameraId} OBJECT_CLASS_PERSON 1`,
    ]);
  });

  it("finds no scheduler in the embedded database and the server's own where it runs the policies", async () => {
    const running = await retention.schedulerRunning();
    if (inject("databaseRoles")) {
      expect(running).toBe(false); // PGlite has no background workers: the correlator runs the jobs (auto)
      return;
    }
    // A native server for this suite runs its background workers: the scheduler is there and has run the
    // per-minute refresh (scheduled every minute) on its own.
    expect(running).toBe(true);
    expect(
      await eventually(async () => {
        const stats = await pool.query(
          `SELECT 1 FROM timescaledb_information.job_stats s JOIN timescaledb_information.jobs j USING (job_id)
           WHERE j.proc_name = 'policy_refresh_continuous_aggregate' AND j.hypertable_name = 'detections_per_minute'
             AND s.last_run_started_at IS NOT NULL`,
        );
        return (stats.rowCount ?? 0) > 0;
      }, 150_000),
    ).toBe(true);
  }, 180_000);

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

    // The policies' own jobs, in their order: per-minute first, then the hourly one built on it; the refreshes
    // twice, as a scheduler runs them every minute. Needed where a retention run dropped chunks just before (a
    // scheduler's, at any time): the refresh then works through its window in batches, and a bucket whose only change
    // lies exactly at its start (m11 below) was seen to wait for the next run (embedded TimescaleDB 2.23).
    await retention.runJobsNow();
    await retention.runJobsNow({ procs: REFRESH_JOBS });
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
    await retention.runJobsNow({ procs: REFRESH_JOBS });
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
