/**
 * The live map: the snapshot a client starts from, and the Socket.IO events that keep it current.
 *
 * Every piece of state that changes carries a `version` that only grows, so a client that sees the same thing twice
 * (snapshot and live event, or a redelivery) keeps the newer one.
 */

import { z } from "zod";
import { type CameraStatusChange, cameraViewSchema, type DetectionBrief, type PersonalDetection } from "./cameras.js";
import { caseReferenceSchema, purposeSchema } from "./cases.js";
import { localizedTextSchema, positionSchema, timeSchema } from "./common.js";
import { type IncidentView, incidentViewSchema } from "./incidents.js";
import type { Problem } from "./problem.js";
import { type AreaName, CITY, MAP_SENSOR_KINDS, SEVERITIES } from "./vocabulary.js";

export const sensorReadingViewSchema = z
  .object({
    sensorId: z.string(),
    name: z.string(),
    lat: z.number(),
    lon: z.number(),
    kind: z.enum(MAP_SENSOR_KINDS),
    value: z.number(),
    unit: z.string(),
    observedAt: timeSchema,
    /** Milliseconds of `observedAt`. */
    version: z.number(),
  })
  .meta({ id: "SensorReadingView" });
export type SensorReadingView = z.infer<typeof sensorReadingViewSchema>;

// ---- Civil-protection alerts as the live map shows them ---------------------------------------------------------

export const alertAreaSchema = z.object({
  description: localizedTextSchema,
  /** Rings of [lon, lat] pairs (GeoJSON order), closed. */
  polygons: z.array(z.array(positionSchema)),
});
export type AlertArea = z.infer<typeof alertAreaSchema>;

export const alertViewSchema = z
  .object({
    id: z.string(),
    /** CAP event, e.g. "Typhoon Signal No. 8". */
    event: localizedTextSchema,
    headline: localizedTextSchema,
    category: z.string(),
    severity: z.enum(SEVERITIES),
    urgency: z.string(),
    certainty: z.string(),
    sent: timeSchema,
    expires: timeSchema.nullable(),
    /** "active" alerts are on the map; "cancelled" and "expired" ones are removed from it. */
    state: z.enum(["active", "cancelled", "expired"]),
    areas: z.array(alertAreaSchema),
    version: z.number().int(),
  })
  .meta({ id: "AlertView" });
export type AlertView = z.infer<typeof alertViewSchema>;

// ---- Live counters -----------------------------------------------------------------------------------------------

export const countersSchema = z
  .object({
    at: timeSchema,
    /** All events (detections, status, readings) per second over the last few seconds, city-wide. */
    eventsPerSecond: z.number(),
    detectionsPerSecond: z.number(),
    /** Online or degraded (still sending video). */
    camerasOnline: z.number().int(),
    camerasTotal: z.number().int(),
    openIncidents: z.number().int(),
  })
  .meta({ id: "Counters" });
export type Counters = z.infer<typeof countersSchema>;

// ---- Snapshot and live stream ------------------------------------------------------------------------------------

export const snapshotQuerySchema = z.object({ area: z.string().default(CITY) });

export const snapshotSchema = z
  .object({
    area: z.string(),
    takenAt: timeSchema,
    cameras: z.array(cameraViewSchema),
    /** Open and acknowledged. */
    incidents: z.array(incidentViewSchema),
    alerts: z.array(alertViewSchema),
    sensors: z.array(sensorReadingViewSchema),
    counters: countersSchema,
  })
  .meta({ id: "Snapshot" });
export type Snapshot = z.infer<typeof snapshotSchema>;

/**
 * Every state event is wrapped: `epoch` names the gateway process, `seq` counts the events of the area's room in it.
 * A client that sees a different epoch, or a seq that is not the last one plus one, has missed something and must
 * take a fresh snapshot.
 */
export interface Envelope<T> {
  epoch: string;
  seq: number;
  data: T;
}
/** The schema of an {@link Envelope} of `data`. */
export const envelopeSchema = <T extends z.ZodType>(data: T) => z.object({ epoch: z.string(), seq: z.number(), data });

/**
 * Live detections are personal data (Law 2/2012): every subscription to them is audited with who, which cameras,
 * when and, once it ends, for how long. `detections:batch` carries no plate, attribute or track id.
 */
export const subscribeRequestSchema = z.object({
  area: z.string(),
  /** Also stream detections: of these cameras, or of all ("*", for the live counters wall and benchmarks). */
  detections: z.union([z.array(z.string()), z.literal("*")]).optional(),
  /**
   * Stream those detections with their plates and attributes instead (`detections:personal`): investigators only,
   * for named cameras (not "*"), for a police case and a stated purpose.
   */
  personalData: z.object({ caseReference: caseReferenceSchema, purpose: purposeSchema }).optional(),
});
export type SubscribeRequest = z.infer<typeof subscribeRequestSchema>;

export type SubscribeResponse =
  /** `seq` is the last one the room has sent: the first event after the subscription carries seq + 1. */
  { ok: true; area: AreaName; epoch: string; seq: number } | { ok: false; error: Problem };

export interface ServerToClientEvents {
  /** Camera status changes, coalesced: the newest per camera since the last emit. */
  "cameras:status": (message: Envelope<CameraStatusChange[]>) => void;
  "incident:changed": (message: Envelope<IncidentView>) => void;
  "alert:changed": (message: Envelope<AlertView>) => void;
  /** Newest water level and rainfall readings, coalesced per sensor. */
  "sensors:readings": (message: Envelope<SensorReadingView[]>) => void;
  "counters:tick": (message: Envelope<Counters>) => void;
  /** Detections of the cameras subscribed to, in small batches (not state: no envelope, a gap is harmless). */
  "detections:batch": (detections: DetectionBrief[]) => void;
  /** The same with plates and attributes, to a subscription with `personalData` only. */
  "detections:personal": (detections: PersonalDetection[]) => void;
}

export interface ClientToServerEvents {
  "view:subscribe": (request: SubscribeRequest, ack: (response: SubscribeResponse) => void) => void;
}
