import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Pool, PoolClient } from "@hub/common";
import { from as copyFrom } from "pg-copy-streams";
import {
  type CameraStatusRow,
  type DetectionRow,
  type EventRow,
  eventKey,
  type SensorReadingRow,
} from "../services/records.js";
import { type CopyType, encodeBinaryCopy } from "./copy-binary.js";

type Queryable = Pick<PoolClient, "query">;

/**
 * How event rows go in: `unnest`, one `INSERT … SELECT * FROM unnest($1::type[], …)` per table (parameters as
 * text arrays); `copy`, a binary `COPY` into a temporary staging table, then `INSERT … SELECT` from it (no text
 * parsing on the server, one more statement). The embedded database refuses COPY FROM STDIN: there only unnest.
 */
export const insertMethods = ["unnest", "copy"] as const;
export type InsertMethod = (typeof insertMethods)[number];

interface Column<R> {
  name: string;
  type: CopyType;
  value: (row: R) => unknown;
}

/** A table's columns in one place, for both ways in; the SQL of each is built once. */
class EventTable<R extends { siteId: string; eventId: string }> {
  readonly unnestSql: string;
  readonly stage: string;
  readonly createStageSql: string;
  readonly copySql: string;
  readonly fromStageSql: string;
  private readonly types: CopyType[];

  constructor(
    readonly table: string,
    private readonly columns: Column<R>[],
  ) {
    const names = columns.map((c) => c.name).join(", ");
    const arrays = columns.map((c, index) => `$${index + 1}::${sqlType(c.type)}[]`).join(", ");
    this.unnestSql = `INSERT INTO ${table} (${names}) SELECT * FROM unnest(${arrays})
      ON CONFLICT DO NOTHING RETURNING site_id, event_id`;
    // Per connection, no WAL, emptied by every commit: what COPY fills and the INSERT … SELECT drains.
    this.stage = `${table}_stage`;
    this.createStageSql = `CREATE TEMPORARY TABLE IF NOT EXISTS ${this.stage}
      (${columns.map((c) => `${c.name} ${sqlType(c.type)}`).join(", ")}) ON COMMIT DELETE ROWS`;
    this.copySql = `COPY pg_temp.${this.stage} (${names}) FROM STDIN (FORMAT binary)`;
    this.fromStageSql = `INSERT INTO ${table} (${names}) SELECT ${names} FROM pg_temp.${this.stage}
      ON CONFLICT DO NOTHING RETURNING site_id, event_id`;
    this.types = columns.map((c) => c.type);
  }

  unnestParameters(rows: R[]): unknown[][] {
    return this.columns.map((column) =>
      rows.map((row) => {
        const value = column.value(row);
        return column.type === "jsonb" && value !== null && value !== undefined ? JSON.stringify(value) : value;
      }),
    );
  }

  copyData(rows: R[]): Buffer {
    return encodeBinaryCopy(
      this.types,
      rows.map((row) => this.columns.map((column) => column.value(row))),
    );
  }

  async insert(client: Queryable, rows: R[], method: InsertMethod): Promise<string[]> {
    if (method === "copy") {
      await copyIn(client, this.copySql, this.copyData(rows));
      return keysOf((await client.query<KeyRow>(this.fromStageSql)).rows);
    }
    return keysOf((await client.query<KeyRow>(this.unnestSql, this.unnestParameters(rows))).rows);
  }
}

function sqlType(type: CopyType): string {
  return type === "int" ? "int" : type;
}

interface KeyRow {
  site_id: string;
  event_id: string;
}

function keysOf(rows: KeyRow[]): string[] {
  return rows.map((row) => eventKey({ siteId: row.site_id, eventId: row.event_id }));
}

async function copyIn(client: Queryable, sql: string, data: Buffer): Promise<void> {
  const stream = (client as PoolClient).query(copyFrom(sql));
  await pipeline(Readable.from([data]), stream);
}

const detectionColumns: Column<DetectionRow>[] = [
  { name: "observed_at", type: "timestamptz", value: (r) => r.observedAt },
  { name: "event_id", type: "text", value: (r) => r.eventId },
  { name: "camera_id", type: "text", value: (r) => r.cameraId },
  { name: "site_id", type: "text", value: (r) => r.siteId },
  { name: "object_class", type: "text", value: (r) => r.objectClass },
  { name: "confidence", type: "real", value: (r) => r.confidence },
  { name: "box_left", type: "real", value: (r) => r.box?.left ?? null },
  { name: "box_top", type: "real", value: (r) => r.box?.top ?? null },
  { name: "box_right", type: "real", value: (r) => r.box?.right ?? null },
  { name: "box_bottom", type: "real", value: (r) => r.box?.bottom ?? null },
  { name: "track_id", type: "text", value: (r) => r.trackId },
  { name: "attributes", type: "jsonb", value: (r) => r.attributes },
  { name: "plate_text", type: "text", value: (r) => r.plate?.text ?? null },
  { name: "plate_region", type: "text", value: (r) => r.plate?.region ?? null },
  { name: "plate_confidence", type: "real", value: (r) => r.plate?.confidence ?? null },
  { name: "rule_type", type: "text", value: (r) => r.rule?.type ?? null },
  { name: "rule_name", type: "text", value: (r) => r.rule?.name ?? null },
  { name: "rule_count", type: "int", value: (r) => r.rule?.count ?? null },
  { name: "rule_dwell_seconds", type: "int", value: (r) => r.rule?.dwellSeconds ?? null },
  { name: "lat", type: "float8", value: (r) => r.lat },
  { name: "lon", type: "float8", value: (r) => r.lon },
  { name: "h3_cell", type: "text", value: (r) => r.h3Cell },
  { name: "ingested_at", type: "timestamptz", value: (r) => r.ingestedAt },
  { name: "snapshot_uri", type: "text", value: (r) => r.snapshotUri ?? null },
];

const readingColumns: Column<SensorReadingRow>[] = [
  { name: "observed_at", type: "timestamptz", value: (r) => r.observedAt },
  { name: "event_id", type: "text", value: (r) => r.eventId },
  { name: "sensor_id", type: "text", value: (r) => r.sensorId },
  { name: "datastream_id", type: "text", value: (r) => r.datastreamId },
  { name: "kind", type: "text", value: (r) => r.kind },
  { name: "value", type: "float8", value: (r) => r.value },
  { name: "unit", type: "text", value: (r) => r.unit },
  { name: "site_id", type: "text", value: (r) => r.siteId },
  { name: "lat", type: "float8", value: (r) => r.lat },
  { name: "lon", type: "float8", value: (r) => r.lon },
  { name: "h3_cell", type: "text", value: (r) => r.h3Cell },
  { name: "ingested_at", type: "timestamptz", value: (r) => r.ingestedAt },
];

const statusColumns: Column<CameraStatusRow>[] = [
  { name: "observed_at", type: "timestamptz", value: (r) => r.observedAt },
  { name: "event_id", type: "text", value: (r) => r.eventId },
  { name: "camera_id", type: "text", value: (r) => r.cameraId },
  { name: "state", type: "text", value: (r) => r.state },
  { name: "degradation_reason", type: "text", value: (r) => r.degradationReason },
  { name: "detail", type: "text", value: (r) => r.detail },
  { name: "signal_loss", type: "boolean", value: (r) => r.signalLoss },
  { name: "scene_change", type: "boolean", value: (r) => r.sceneChange },
  { name: "site_id", type: "text", value: (r) => r.siteId },
  { name: "lat", type: "float8", value: (r) => r.lat },
  { name: "lon", type: "float8", value: (r) => r.lon },
  { name: "h3_cell", type: "text", value: (r) => r.h3Cell },
  { name: "ingested_at", type: "timestamptz", value: (r) => r.ingestedAt },
];

const detections = new EventTable("detections", detectionColumns);
const readings = new EventTable("sensor_readings", readingColumns);
const statuses = new EventTable("camera_status", statusColumns);
const eventTables = [detections, readings, statuses];

/**
 * Writes event rows, one statement per table (two with `copy`). `ON CONFLICT DO NOTHING` on (site_id, event_id,
 * observed_at) makes a redelivered event a no-op, and only that: another site's event with the same id is stored.
 * Returns the rows that were new (only those are correlated).
 */
export class EventStoreRepository {
  constructor(private readonly method: InsertMethod = "unnest") {}

  /**
   * What a transaction that inserts with this method must run first (TransactionRepository's `setup`, sent with
   * BEGIN): the copy method's staging tables, created when the connection lacks them (temporary, emptied at every
   * commit). Per transaction rather than per connection, so that a connection pooler may change the connection.
   */
  transactionSetup(): string | undefined {
    return this.method === "copy" ? eventTables.map((table) => table.createStageSql).join("; ") : undefined;
  }

  async insert(client: PoolClient, rows: EventRow[]): Promise<EventRow[]> {
    const detectionRows: DetectionRow[] = [];
    const readingRows: SensorReadingRow[] = [];
    const statusRows: CameraStatusRow[] = [];
    for (const event of rows) {
      if (event.kind === "detection") detectionRows.push(event.row);
      else if (event.kind === "sensor_reading") readingRows.push(event.row);
      else statusRows.push(event.row);
    }
    const inserted = new Set<string>();
    if (detectionRows.length > 0)
      for (const key of await detections.insert(client, detectionRows, this.method)) inserted.add(`detection:${key}`);
    if (readingRows.length > 0)
      for (const key of await readings.insert(client, readingRows, this.method)) inserted.add(`sensor_reading:${key}`);
    if (statusRows.length > 0)
      for (const key of await statuses.insert(client, statusRows, this.method)) inserted.add(`camera_status:${key}`);
    if (statusRows.length > 0) await this.updateLastStatus(client, statusRows);
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
}

/**
 * Detection rows into `table` (the hypertable, or a twin of it for the benchmark's baselines) the way the correlator
 * writes them with `method`; returns the event keys (eventKey: site and event id) that were new. With `copy`, in a
 * transaction (the staging table empties at every commit), on a connection that ran `prepareDetectionCopy`.
 */
export async function insertDetections(
  client: Queryable,
  rows: DetectionRow[],
  table = "detections",
  method: InsertMethod = "unnest",
): Promise<string[]> {
  return (table === "detections" ? detections : twin(table)).insert(client, rows, method);
}

/** Creates the staging table of the copy method for `table` (detections or a twin of it) on this connection. */
export async function prepareDetectionCopy(client: Queryable, table = "detections"): Promise<void> {
  await client.query((table === "detections" ? detections : twin(table)).createStageSql);
}

const twins = new Map<string, EventTable<DetectionRow>>();
function twin(table: string): EventTable<DetectionRow> {
  let found = twins.get(table);
  if (!found) {
    found = new EventTable(table, detectionColumns);
    twins.set(table, found);
  }
  return found;
}

/**
 * Whether the server takes COPY FROM STDIN: a COPY of no rows into a temporary table, rolled back. The embedded
 * database refuses it with SQLSTATE 0A000 (feature not supported); any other failure is thrown.
 */
export async function copySupported(pool: Pool): Promise<{ supported: boolean; reason?: string }> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("CREATE TEMPORARY TABLE hub_copy_probe (id int) ON COMMIT DROP");
    await copyIn(client, "COPY pg_temp.hub_copy_probe (id) FROM STDIN (FORMAT binary)", encodeBinaryCopy(["int"], []));
    return { supported: true };
  } catch (error) {
    if ((error as { code?: unknown }).code !== "0A000") throw error;
    return { supported: false, reason: error instanceof Error ? error.message : String(error) };
  } finally {
    await client.query("ROLLBACK").catch(() => undefined);
    client.release();
  }
}
