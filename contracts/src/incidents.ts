import { z } from "zod";
import { localizedTextSchema, timeSchema } from "./common.js";
import { INCIDENT_STATUSES, SEVERITIES } from "./vocabulary.js";

export const incidentViewSchema = z
  .object({
    id: z.string(),
    ruleId: z.string(),
    /** fire, flood, crowd, traffic, camera_fault, watch_list */
    kind: z.string(),
    severity: z.enum(SEVERITIES),
    status: z.enum(INCIDENT_STATUSES),
    /** The English title (the default); `titles` has it in each language. */
    title: z.string(),
    /** The title in zh-Hant, pt and en: show the one of the user's language. */
    titles: localizedTextSchema,
    lat: z.number(),
    lon: z.number(),
    firstEventAt: timeSchema,
    lastEventAt: timeSchema,
    openedAt: timeSchema,
    updatedAt: timeSchema,
    evidenceCount: z.number().int(),
    version: z.number().int(),
  })
  .meta({ id: "IncidentView" });
export type IncidentView = z.infer<typeof incidentViewSchema>;

export const evidenceViewSchema = z.object({
  eventId: z.string(),
  eventKind: z.enum(["detection", "sensor_reading", "camera_status"]),
  observedAt: timeSchema,
  /** The camera or sensor. */
  sourceId: z.string(),
  /** One line for the timeline, e.g. "fire 0.91" or "water_level 0.62 m". No plate text. */
  summary: z.string(),
  late: z.boolean(),
  /** A detection whose recorder keeps a still (API.detectionSnapshot serves it). */
  snapshot: z.boolean(),
});
export type EvidenceView = z.infer<typeof evidenceViewSchema>;

export const coverageCameraSchema = z.object({
  cameraId: z.string(),
  name: z.string(),
  lat: z.number(),
  lon: z.number(),
  /** Share of the window the camera was online, 0..1. */
  onlineShare: z.number(),
});
export type CoverageCamera = z.infer<typeof coverageCameraSchema>;

export const incidentDetailSchema = z
  .object({
    incident: incidentViewSchema,
    evidence: z.array(evidenceViewSchema),
    acknowledgedBy: z.string().nullable(),
    acknowledgedAt: timeSchema.nullable(),
    resolvedBy: z.string().nullable(),
    resolvedAt: timeSchema.nullable(),
    /** The cameras that covered the incident's place and time (its case-assist record), when one exists. */
    caseAssist: z.object({ recordId: z.string(), cameras: z.array(coverageCameraSchema) }).nullable(),
  })
  .meta({ id: "IncidentDetail" });
export type IncidentDetail = z.infer<typeof incidentDetailSchema>;

export const incidentActionRequestSchema = z
  .object({
    /** The version the operator saw; a stale one is refused with 409. */
    expectedVersion: z
      .number({ error: "must be a positive integer" })
      .int("must be a positive integer")
      .min(1, "must be a positive integer")
      .optional(),
  })
  .meta({ id: "IncidentActionRequest" });
export type IncidentActionRequest = z.infer<typeof incidentActionRequestSchema>;

export const incidentActionResponseSchema = z
  .object({ incident: incidentViewSchema })
  .meta({ id: "IncidentActionResponse" });
export type IncidentActionResponse = z.infer<typeof incidentActionResponseSchema>;
