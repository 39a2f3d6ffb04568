import type { Pool } from "@hub/common";

export interface SensorRow {
  id: string;
  name: string;
  district: string;
  siteId: string;
  lat: number;
  lon: number;
  lastHeardAt: Date | null;
  silentSince: Date | null;
}

export interface DatastreamRow {
  sensorId: string;
  id: string;
  kind: string;
  unit: string;
  sensorName: string;
}

export interface ObservationRow {
  eventId: string;
  sensorId: string;
  datastreamId: string;
  observedAt: Date;
  value: number;
}

export interface StatsRow {
  datastreamId: string;
  unit: string;
  bucket: Date;
  avg: number;
  min: number;
  max: number;
}

/** A condition on sensor_readings (alias r) with its bind values, numbered from $1. */
export interface ReadingCondition {
  sql: string;
  values: unknown[];
}

/** A page: LIMIT and OFFSET. The service asks for one more row than it shows, to know whether another page follows. */
export interface Page {
  limit: number;
  offset: number;
}

const SENSOR_COLUMNS = `s.id, s.name, s.district, s.site_id, s.lat, s.lon, s.last_heard_at, s.silent_since`;
type RawSensor = {
  id: string;
  name: string;
  district: string;
  site_id: string;
  lat: number;
  lon: number;
  last_heard_at: Date | null;
  silent_since: Date | null;
};
const sensorOf = (row: RawSensor): SensorRow => ({
  id: row.id,
  name: row.name,
  district: row.district,
  siteId: row.site_id,
  lat: row.lat,
  lon: row.lon,
  lastHeardAt: row.last_heard_at,
  silentSince: row.silent_since,
});
type RawDatastream = { sensor_id: string; id: string; kind: string; unit: string; sensor_name: string };
const datastreamOf = (row: RawDatastream): DatastreamRow => ({
  sensorId: row.sensor_id,
  id: row.id,
  // The registry keeps the proto enum's name (SENSOR_KIND_WATER_LEVEL), the readings its label (water_level).
  kind: row.kind.replace(/^SENSOR_KIND_/, "").toLowerCase(),
  unit: row.unit,
  sensorName: row.sensor_name,
});

/** Read side of the sensors: the registry (migrations 0001, 0033), the readings and their 5-minute statistics. */
export class SensorsRepository {
  constructor(private readonly pool: Pool) {}

  async sensors(page: Page): Promise<SensorRow[]> {
    const result = await this.pool.query<RawSensor>(
      `SELECT ${SENSOR_COLUMNS} FROM sensors s ORDER BY s.id LIMIT $1 OFFSET $2`,
      [page.limit, page.offset],
    );
    return result.rows.map(sensorOf);
  }

  async countSensors(): Promise<number> {
    const result = await this.pool.query<{ n: string }>("SELECT count(*) AS n FROM sensors");
    return Number(result.rows[0]?.n ?? 0);
  }

  async sensor(id: string): Promise<SensorRow | undefined> {
    const result = await this.pool.query<RawSensor>(`SELECT ${SENSOR_COLUMNS} FROM sensors s WHERE s.id = $1`, [id]);
    const row = result.rows[0];
    return row ? sensorOf(row) : undefined;
  }

  /** Datastreams of one sensor, or of all (`sensorId` undefined), by sensor and id. */
  async datastreams(sensorId: string | undefined, page: Page): Promise<DatastreamRow[]> {
    const result = await this.pool.query<RawDatastream>(
      `SELECT d.sensor_id, d.id, d.kind, d.unit, s.name AS sensor_name
         FROM sensor_datastreams d JOIN sensors s ON s.id = d.sensor_id
        WHERE ($1::text IS NULL OR d.sensor_id = $1)
        ORDER BY d.sensor_id, d.id LIMIT $2 OFFSET $3`,
      [sensorId ?? null, page.limit, page.offset],
    );
    return result.rows.map(datastreamOf);
  }

  async countDatastreams(sensorId: string | undefined): Promise<number> {
    const result = await this.pool.query<{ n: string }>(
      "SELECT count(*) AS n FROM sensor_datastreams WHERE ($1::text IS NULL OR sensor_id = $1)",
      [sensorId ?? null],
    );
    return Number(result.rows[0]?.n ?? 0);
  }

  async datastream(sensorId: string, id: string): Promise<DatastreamRow | undefined> {
    const result = await this.pool.query<RawDatastream>(
      `SELECT d.sensor_id, d.id, d.kind, d.unit, s.name AS sensor_name
         FROM sensor_datastreams d JOIN sensors s ON s.id = d.sensor_id
        WHERE d.sensor_id = $1 AND d.id = $2`,
      [sensorId, id],
    );
    const row = result.rows[0];
    return row ? datastreamOf(row) : undefined;
  }

  /**
   * Readings matching `where` (a compiled $filter, its parameters numbered from $1), ordered by `orderBy` (built
   * from the fixed column table of sensorthings-query.ts, never from request text).
   */
  async observations(where: ReadingCondition, orderBy: string, page: Page): Promise<ObservationRow[]> {
    const n = where.values.length;
    const result = await this.pool.query<{
      event_id: string;
      sensor_id: string;
      datastream_id: string;
      observed_at: Date;
      value: number;
    }>(
      `SELECT r.event_id, r.sensor_id, r.datastream_id, r.observed_at, r.value
         FROM sensor_readings r WHERE ${where.sql}
        ORDER BY ${orderBy} LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...where.values, page.limit, page.offset],
    );
    return result.rows.map((row) => ({
      eventId: row.event_id,
      sensorId: row.sensor_id,
      datastreamId: row.datastream_id,
      observedAt: row.observed_at,
      value: row.value,
    }));
  }

  async countObservations(where: ReadingCondition): Promise<number> {
    const result = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM sensor_readings r WHERE ${where.sql}`,
      where.values,
    );
    return Number(result.rows[0]?.n ?? 0);
  }

  async observation(eventId: string): Promise<ObservationRow | undefined> {
    const rows = await this.observations({ sql: "r.event_id = $1", values: [eventId] }, "r.observed_at DESC", {
      limit: 1,
      offset: 0,
    });
    return rows[0];
  }

  /** The newest reading of each datastream of a sensor. */
  async latest(sensorId: string): Promise<ObservationRow[]> {
    const result = await this.pool.query<{ event_id: string; datastream_id: string; observed_at: Date; value: number }>(
      `SELECT d.id AS datastream_id, l.event_id, l.observed_at, l.value
         FROM sensor_datastreams d
         CROSS JOIN LATERAL (
           SELECT r.event_id, r.observed_at, r.value FROM sensor_readings r
            WHERE r.sensor_id = d.sensor_id AND r.datastream_id = d.id
            ORDER BY r.observed_at DESC LIMIT 1) l
        WHERE d.sensor_id = $1`,
      [sensorId],
    );
    return result.rows.map((row) => ({
      eventId: row.event_id,
      sensorId,
      datastreamId: row.datastream_id,
      observedAt: row.observed_at,
      value: row.value,
    }));
  }

  /** 5-minute statistics of a sensor's datastreams from `from` on (sensor_stats_5m), oldest first. */
  async stats(sensorId: string, from: Date): Promise<StatsRow[]> {
    const result = await this.pool.query<{
      datastream_id: string;
      unit: string;
      bucket: Date;
      avg_value: number;
      min_value: number;
      max_value: number;
    }>(
      `SELECT datastream_id, unit, bucket, avg_value, min_value, max_value FROM sensor_stats_5m
        WHERE sensor_id = $1 AND bucket >= $2 ORDER BY datastream_id, bucket`,
      [sensorId, from],
    );
    return result.rows.map((row) => ({
      datastreamId: row.datastream_id,
      unit: row.unit,
      bucket: row.bucket,
      avg: row.avg_value,
      min: row.min_value,
      max: row.max_value,
    }));
  }
}
