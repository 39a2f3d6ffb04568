import type { PoolClient } from "@hub/common";

type Queryable = Pick<PoolClient, "query">;

import {
  type CameraStatusRow,
  type DetectionRow,
  type EventRow,
  eventKey,
  type SensorReadingRow,
} from "../services/records.js";

/**
 * Writes event rows with one `INSERT … SELECT * FROM unnest(…)` per table (COPY is not available on every
 * TimescaleDB we run against, and unnest is nearly as fast). `ON CONFLICT DO NOTHING` on (site_id, event_id,
 * observed_at) makes a redelivered event a no-op, and only that: another site's event with the same id is stored. Returns the rows that were new (only those are correlated).
 */
export class EventStoreRepository {
  async insert(client: PoolClient, rows: EventRow[]): Promise<EventRow[]> {
    const detections: DetectionRow[] = [];
    const readings: SensorReadingRow[] = [];
    const statuses: CameraStatusRow[] = [];
    for (const event of rows) {
      if (event.kind === "detection") detections.push(event.row);
      else if (event.kind === "sensor_reading") readings.push(event.row);
      else statuses.push(event.row);
    }
    const inserted = new Set<string>();
    if (detections.length > 0)
      for (const key of await insertDetections(client, detections)) inserted.add(`detection:${key}`);
    if (readings.length > 0)
      for (const key of await this.insertReadings(client, readings)) inserted.add(`sensor_reading:${key}`);
    if (statuses.length > 0)
      for (const key of await this.insertStatuses(client, statuses)) inserted.add(`camera_status:${key}`);
    if (statuses.length > 0) await this.updateLastStatus(client, statuses);
    return rows.filter((event) => inserted.has(`${event.kind}:${eventKey(event.row)}`));
  }

  /** The registry's last-heard time and state per camera, for the absence rule and the map (newest status wins). */
  private async updateLastStatus(client: PoolClient, rows: CameraStatusRow[]): Promise<void> {
    const latest = new Map<string, CameraStatusRow>();
    for (const row of rows) {
      const seen = latest.get(row.cameraId);
      if (!seen || row.observedAt > seen.observedAt) latest.set(row.cameraId, row);
    }
    const newest = [...latest.values()];
    await client.query(
      `UPDATE cameras c SET last_status_at = v.at, state = v.state
       FROM (SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[]) AS t(id, at, state)) v
       WHERE c.id = v.id AND (c.last_status_at IS NULL OR c.last_status_at <= v.at)`,
      [newest.map((row) => row.cameraId), newest.map((row) => row.observedAt), newest.map((row) => row.state)],
    );
  }

  private async insertReadings(client: PoolClient, rows: SensorReadingRow[]): Promise<string[]> {
    const result = await client.query<{ site_id: string; event_id: string }>(
      `INSERT INTO sensor_readings (observed_at, event_id, sensor_id, datastream_id, kind, value, unit, site_id,
         lat, lon, h3_cell, ingested_at)
       SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::float8[],
         $7::text[], $8::text[], $9::float8[], $10::float8[], $11::text[], $12::timestamptz[])
       ON CONFLICT DO NOTHING RETURNING site_id, event_id`,
      [
        rows.map((r) => r.observedAt),
        rows.map((r) => r.eventId),
        rows.map((r) => r.sensorId),
        rows.map((r) => r.datastreamId),
        rows.map((r) => r.kind),
        rows.map((r) => r.value),
        rows.map((r) => r.unit),
        rows.map((r) => r.siteId),
        rows.map((r) => r.lat),
        rows.map((r) => r.lon),
        rows.map((r) => r.h3Cell),
        rows.map((r) => r.ingestedAt),
      ],
    );
    return result.rows.map((row) => eventKey({ siteId: row.site_id, eventId: row.event_id }));
  }

  private async insertStatuses(client: PoolClient, rows: CameraStatusRow[]): Promise<string[]> {
    const result = await client.query<{ site_id: string; event_id: string }>(
      `INSERT INTO camera_status (observed_at, event_id, camera_id, state, degradation_reason, detail, signal_loss,
         scene_change, site_id, lat, lon, h3_cell, ingested_at)
       SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
         $7::boolean[], $8::boolean[], $9::text[], $10::float8[], $11::float8[], $12::text[], $13::timestamptz[])
       ON CONFLICT DO NOTHING RETURNING site_id, event_id`,
      [
        rows.map((r) => r.observedAt),
        rows.map((r) => r.eventId),
        rows.map((r) => r.cameraId),
        rows.map((r) => r.state),
        rows.map((r) => r.degradationReason),
        rows.map((r) => r.detail),
        rows.map((r) => r.signalLoss),
        rows.map((r) => r.sceneChange),
        rows.map((r) => r.siteId),
        rows.map((r) => r.lat),
        rows.map((r) => r.lon),
        rows.map((r) => r.h3Cell),
        rows.map((r) => r.ingestedAt),
      ],
    );
    return result.rows.map((row) => eventKey({ siteId: row.site_id, eventId: row.event_id }));
  }
}

/**
 * One `INSERT … SELECT * FROM unnest(…)` of detection rows into `table` (the hypertable, or a twin of it for the
 * benchmark's baseline); returns the event keys (eventKey: site and event id) that were new.
 */
export async function insertDetections(
  client: Queryable,
  rows: DetectionRow[],
  table = "detections",
): Promise<string[]> {
  const result = await client.query<{ site_id: string; event_id: string }>(
    `INSERT INTO ${table} (observed_at, event_id, camera_id, site_id, object_class, confidence,
       box_left, box_top, box_right, box_bottom, track_id, attributes, plate_text, plate_region, plate_confidence,
       rule_type, rule_name, rule_count, rule_dwell_seconds, lat, lon, h3_cell, ingested_at, snapshot_uri)
     SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::real[],
       $7::real[], $8::real[], $9::real[], $10::real[], $11::text[], $12::jsonb[], $13::text[], $14::text[],
       $15::real[], $16::text[], $17::text[], $18::int[], $19::int[], $20::float8[], $21::float8[], $22::text[],
       $23::timestamptz[], $24::text[])
     ON CONFLICT DO NOTHING RETURNING site_id, event_id`,
    [
      rows.map((r) => r.observedAt),
      rows.map((r) => r.eventId),
      rows.map((r) => r.cameraId),
      rows.map((r) => r.siteId),
      rows.map((r) => r.objectClass),
      rows.map((r) => r.confidence),
      rows.map((r) => r.box?.left ?? null),
      rows.map((r) => r.box?.top ?? null),
      rows.map((r) => r.box?.right ?? null),
      rows.map((r) => r.box?.bottom ?? null),
      rows.map((r) => r.trackId),
      rows.map((r) => (r.attributes ? JSON.stringify(r.attributes) : null)),
      rows.map((r) => r.plate?.text ?? null),
      rows.map((r) => r.plate?.region ?? null),
      rows.map((r) => r.plate?.confidence ?? null),
      rows.map((r) => r.rule?.type ?? null),
      rows.map((r) => r.rule?.name ?? null),
      rows.map((r) => r.rule?.count ?? null),
      rows.map((r) => r.rule?.dwellSeconds ?? null),
      rows.map((r) => r.lat),
      rows.map((r) => r.lon),
      rows.map((r) => r.h3Cell),
      rows.map((r) => r.ingestedAt),
      rows.map((r) => r.snapshotUri ?? null),
    ],
  );
  return result.rows.map((row) => eventKey({ siteId: row.site_id, eventId: row.event_id }));
}
