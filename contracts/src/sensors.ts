import { z } from "zod";
import { queryInteger, timeSchema } from "./common.js";
import type { Role } from "./vocabulary.js";

/**
 * Who may read sensor data (the sensor panel and the SensorThings API): the command centre's roles. Readings are
 * public-space measurements (water level, rainfall, wind), not personal data, so reads are not audited; the alert
 * authoring roles do not need them and do not get them.
 */
export const SENSOR_ROLES: readonly Role[] = ["operator", "supervisor", "investigator", "administrator"];

/** Root of the read-only OGC SensorThings API v1.1 (Things, Locations, Datastreams, Observations). */
export const SENSORTHINGS_ROOT = "/api/sensorthings/v1.1";
/** Largest `$top` (and the page size when it is not given). */
export const SENSORTHINGS_MAX_TOP = 1000;
export const SENSORTHINGS_DEFAULT_TOP = 100;

/** The query options the SensorThings API understands; any other `$option` is refused with a 400 naming it. */
export const sensorThingsQuerySchema = z
  .object({
    $top: queryInteger(0, SENSORTHINGS_MAX_TOP, `must be an integer from 0 to ${SENSORTHINGS_MAX_TOP}`).optional(),
    $skip: queryInteger(0, 1_000_000, "must be an integer from 0 to 1000000").optional(),
    $count: z.enum(["true", "false"], { error: "must be true or false" }).optional(),
    /** `phenomenonTime` or `result`, optionally followed by `asc` or `desc` (Observations only). */
    $orderby: z.string().max(200).optional(),
    /** Comparisons (eq ne gt ge lt le) of `phenomenonTime` or `result` with an ISO 8601 time or a number, joined by and/or, with parentheses (Observations only). */
    $filter: z.string().max(1000).optional(),
  })
  .strict();
export type SensorThingsQuery = z.output<typeof sensorThingsQuerySchema>;

/** A SensorThings collection: `value`, `@iot.count` when `$count=true`, `@iot.nextLink` when there is more. */
export const sensorThingsCollectionSchema = z
  .object({
    "@iot.count": z.number().int().optional(),
    "@iot.nextLink": z.string().optional(),
    value: z.array(z.record(z.string(), z.unknown())),
  })
  .meta({ id: "SensorThingsCollection" });
export const sensorThingsEntitySchema = z
  .object({ "@iot.id": z.string(), "@iot.selfLink": z.string() })
  .catchall(z.unknown())
  .meta({ id: "SensorThingsEntity" });

/** A sensor in the registry with its health (migration 0033). */
export const sensorSummarySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    district: z.string(),
    lat: z.number(),
    lon: z.number(),
    /** Time of the newest reading the hub heard (null: never heard). */
    lastHeardAt: timeSchema.nullable(),
    /** Set while the sensor is silent (no reading for CORRELATOR_SENSOR_SILENT_AFTER_S). */
    silentSince: timeSchema.nullable(),
  })
  .meta({ id: "SensorSummary" });
export type SensorSummary = z.infer<typeof sensorSummarySchema>;

export const sensorSeriesPointSchema = z.object({
  /** Start of the 5-minute bucket. */
  bucket: timeSchema,
  avg: z.number(),
  min: z.number(),
  max: z.number(),
});
export type SensorSeriesPoint = z.infer<typeof sensorSeriesPointSchema>;

export const sensorDatastreamViewSchema = z.object({
  id: z.string(),
  kind: z.string(),
  unit: z.string(),
  latest: z.object({ value: z.number(), observedAt: timeSchema }).nullable(),
  /** The last 24 hours from sensor_stats_5m, oldest first. */
  series: z.array(sensorSeriesPointSchema),
});
export type SensorDatastreamView = z.infer<typeof sensorDatastreamViewSchema>;

export const sensorDetailSchema = z
  .object({
    sensor: sensorSummarySchema,
    datastreams: z.array(sensorDatastreamViewSchema),
    /** The window of the series. */
    from: timeSchema,
    to: timeSchema,
  })
  .meta({ id: "SensorDetail" });
export type SensorDetail = z.infer<typeof sensorDetailSchema>;
