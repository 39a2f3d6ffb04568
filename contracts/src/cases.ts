/**
 * Police case lookup. Only investigators search; every search, view and export names a case reference and a purpose,
 * and is written to the tamper-evident audit trail (supervisors read it; nobody can change it).
 *
 * The request schemas check the shape; the gateway adds the checks that need its configuration or geometry (the
 * window's maximum length, a polygon that closes and does not cross itself, an area or an incident).
 */

import { z } from "zod";
import { queryInteger, timeSchema, UUID_PATTERN } from "./common.js";
import { OBJECT_CLASSES, RULE_TYPES } from "./vocabulary.js";

export const MAX_POLYGON_POINTS = 201;

const inRange = (min: number, max: number) =>
  z
    .number({ error: `must be a number in ${min}..${max}` })
    .min(min, `must be a number in ${min}..${max}`)
    .max(max, `must be a number in ${min}..${max}`);

const circleSchema = z.object({ lat: inRange(-90, 90), lon: inRange(-180, 180), radiusM: inRange(1, 5000) });
const polygonSchema = z
  .array(z.tuple([inRange(-180, 180), inRange(-90, 90)], { error: "must be [lon, lat]" }), {
    error: "must be { circle } or { polygon }",
  })
  .min(4, `must have 4..${MAX_POLYGON_POINTS} points (3 corners and the first again)`)
  .max(MAX_POLYGON_POINTS, `must have 4..${MAX_POLYGON_POINTS} points (3 corners and the first again)`)
  .meta({ description: "Closed ring of [lon, lat]: the last point repeats the first; 4..201 points; no crossings" });

/** A circle (1..5000 m), or a closed polygon ring of [lon, lat] pairs (first = last, 4..201 points, no crossings). */
export type CaseArea = { circle: { lat: number; lon: number; radiusM: number } } | { polygon: [number, number][] };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export const caseAreaSchema = z
  .preprocess(
    (value, ctx) => {
      // Decided before the parts are checked, so "both" or "neither" is reported at the area itself.
      if (!isRecord(value) || "circle" in value === "polygon" in value)
        ctx.addIssue({
          code: "custom",
          message:
            isRecord(value) && "circle" in value
              ? "must be either a circle or a polygon, not both"
              : "must be { circle } or { polygon }",
        });
      return value;
    },
    z.strictObject({ circle: circleSchema.optional(), polygon: polygonSchema.optional() }),
  )
  .transform((area): CaseArea => (area.circle ? { circle: area.circle } : { polygon: area.polygon ?? [] }))
  .meta({ id: "CaseArea", description: "Exactly one of circle and polygon" });

const list = <T extends z.ZodType>(item: T, max: number) =>
  z
    .array(item, { error: `must be a list of 1..${max} values` })
    .min(1, `must be a list of 1..${max} values`)
    .max(max, `must be a list of 1..${max} values`);

/** A purpose of 10..500 characters: required for every look at case data. */
export const purposeSchema = z
  .string({ error: "a purpose of 10..500 characters is required for every look at case data" })
  .trim()
  .min(10, "a purpose of 10..500 characters is required for every look at case data")
  .max(500, "a purpose of 10..500 characters is required for every look at case data");

/** A police case, e.g. "PJ-2026-004512". */
export const caseReferenceSchema = z
  .string({ error: "is required (a string)" })
  .trim()
  .min(3, "must be 3..64 characters")
  .max(64, "must be 3..64 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9./_-]{2,63}$/, "must be 3..64 characters of A-Z, a-z, 0-9, '.', '/', '-', '_'");

const dateTime = z
  .string({ error: "must be an ISO-8601 date-time" })
  .regex(/^\d{4}-\d{2}-\d{2}T/, "must be an ISO-8601 date-time")
  .refine((value) => !Number.isNaN(Date.parse(value)), "must be an ISO-8601 date-time")
  .meta({ format: "date-time" });

export const caseSearchRequestSchema = z
  .strictObject(
    {
      /** The police case, e.g. "PJ-2026-004512". */
      caseReference: caseReferenceSchema,
      /** Why this look is needed: 10..500 characters. */
      purpose: z
        .string({ error: "is required (a string)" })
        .trim()
        .min(10, "must be 10..500 characters")
        .max(500, "must be 10..500 characters"),
      /** At most the gateway's maximum (GATEWAY_CASE_MAX_WINDOW_H, default 24 h); from < to. */
      window: z.object({ from: dateTime, to: dateTime }, { error: "is required: { from, to }" }),
      /** Required unless `incidentId` is given (then the incident's place, 150 m). */
      area: caseAreaSchema.optional(),
      /** Only these cameras (still subject to covering the area). */
      cameraIds: list(z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, "is not a valid id"), 500).optional(),
      objectClasses: list(
        z.enum(OBJECT_CLASSES, { error: `must be one of ${OBJECT_CLASSES.join(", ")}` }),
        OBJECT_CLASSES.length,
      ).optional(),
      ruleTypes: list(
        z.enum(RULE_TYPES, { error: `must be one of ${RULE_TYPES.join(", ")}` }),
        RULE_TYPES.length,
      ).optional(),
      /** Exact ("MK-12-34") or with wildcards: "*" any run of characters, "?" one character. Case-insensitive. */
      plate: z
        .string({ error: "must be 1..16 characters of A-Z, 0-9, '-', and the wildcards '*' and '?'" })
        .regex(/^[A-Za-z0-9*?-]{1,16}$/, "must be 1..16 characters of A-Z, 0-9, '-', and the wildcards '*' and '?'")
        .refine((plate) => plate.replace(/[*?]/g, "").length >= 2, "must have at least 2 characters besides wildcards")
        .toUpperCase()
        .optional(),
      incidentId: z
        .string({ error: "must be an incident id (UUID)" })
        .regex(UUID_PATTERN, "must be an incident id (UUID)")
        .toLowerCase()
        .meta({ format: "uuid" })
        .optional(),
      /** Detections per page, 1..500 (default 100). */
      limit: z
        .number({ error: "must be a number in 1..500" })
        .min(1, "must be a number in 1..500")
        .max(500, "must be a number in 1..500")
        .int("must be an integer")
        .optional(),
    },
    { error: "must be a JSON object" },
  )
  .meta({ id: "CaseSearchRequest" });
/** What the web sends (and the record stores, normalized: trimmed, plate upper-case, window in UTC). */
export type CaseSearchRequest = z.infer<typeof caseSearchRequestSchema>;

/** GET a page of a stored lookup. */
export const caseRecordQuerySchema = z.object({
  purpose: purposeSchema,
  /**
   * The case this look serves. Optional for the investigator who made the lookup (then the lookup's own); required
   * of any other investigator, whose access is recorded under their case, not the lookup's.
   */
  caseReference: caseReferenceSchema.optional(),
  cursor: z.string().optional(),
  limit: queryInteger(1, 500, "must be an integer in 1..500").optional(),
});
export type CaseRecordQuery = z.input<typeof caseRecordQuerySchema>;

export const caseCameraSchema = z.object({
  id: z.string(),
  name: z.string(),
  district: z.string(),
  lat: z.number(),
  lon: z.number(),
  bearingDeg: z.number(),
  fovAngleDeg: z.number(),
  rangeM: z.number(),
  /** Share of the area inside the field of view, 0..1. */
  coveredFraction: z.number(),
  /** Share of the window the camera was online, 0..1. */
  onlineShare: z.number(),
});
export type CaseCamera = z.infer<typeof caseCameraSchema>;

export const caseDetectionSchema = z.object({
  eventId: z.string(),
  cameraId: z.string(),
  observedAt: timeSchema,
  objectClass: z.string(),
  confidence: z.number(),
  plateText: z.string().nullable(),
  ruleType: z.string().nullable(),
  trackId: z.string().nullable(),
  /** The recorder keeps a still of it (API.detectionSnapshot serves it). */
  snapshot: z.boolean(),
});
export type CaseDetection = z.infer<typeof caseDetectionSchema>;

export const casePlateSchema = z.object({
  plateText: z.string(),
  count: z.number().int(),
  firstSeen: timeSchema,
  lastSeen: timeSchema,
  cameraIds: z.array(z.string()),
});
export type CasePlate = z.infer<typeof casePlateSchema>;

export const clipReferenceSchema = z.object({ cameraId: z.string(), from: timeSchema, to: timeSchema });
export type ClipReference = z.infer<typeof clipReferenceSchema>;

export const caseIncidentSchema = z.object({
  id: z.string(),
  kind: z.string(),
  severity: z.string(),
  status: z.string(),
  title: z.string(),
  lat: z.number(),
  lon: z.number(),
  firstEventAt: timeSchema,
  lastEventAt: timeSchema,
  /**
   * Plates read in the incident's evidence (for a watch-list incident: the wanted plate). Incidents elsewhere name a
   * watch-listed plate only by its reference; its text is shown here, to an investigator, with the lookup's case
   * reference and purpose, and the look is audited.
   */
  plates: z.array(z.string()),
});
export type CaseIncident = z.infer<typeof caseIncidentSchema>;

/** One page of a case lookup. The record (its criteria and the covering cameras) is stored and can be reopened. */
export const caseSearchResultSchema = z
  .object({
    recordId: z.string(),
    caseReference: z.string(),
    criteria: caseSearchRequestSchema,
    createdAt: timeSchema,
    createdBy: z.string(),
    /** Covering the area and online during the window, best first. */
    cameras: z.array(caseCameraSchema),
    /** Matching detections of those cameras, oldest first (then by event id); `total` counts all pages. */
    detections: z.object({
      items: z.array(caseDetectionSchema),
      total: z.number().int(),
      nextCursor: z.string().nullable(),
    }),
    /** Plates among all matching detections (not only this page), by first sighting. */
    plates: z.array(casePlateSchema),
    clips: z.array(clipReferenceSchema),
    incidents: z.array(caseIncidentSchema),
  })
  .meta({ id: "CaseSearchResult" });
export type CaseSearchResult = z.infer<typeof caseSearchResultSchema>;

export const exportRequestSchema = z
  .object({
    purpose: purposeSchema,
    /** As for a page: optional for the lookup's own investigator, required of any other. */
    caseReference: caseReferenceSchema.optional(),
  })
  .meta({ id: "ExportRequest" });
export type ExportRequest = z.input<typeof exportRequestSchema>;

export const exportJobSchema = z
  .object({
    id: z.string(),
    recordId: z.string(),
    state: z.enum(["running", "ready", "failed"]),
    /** 0..1 */
    progress: z.number(),
    /** When ready: the zip's size and SHA-256 (hex). */
    bytes: z.number().int().nullable(),
    sha256: z.string().nullable(),
    error: z.string().nullable(),
    createdAt: timeSchema,
  })
  .meta({ id: "ExportJob" });
export type ExportJob = z.infer<typeof exportJobSchema>;

/** GET the audit trail, newest first: `before` an entry id, only one case's entries. */
export const auditQuerySchema = z.object({
  limit: queryInteger(1, 1000, "must be an integer in 1..1000").default(100),
  before: queryInteger(1, Number.MAX_SAFE_INTEGER, "must be an entry id").optional(),
  caseReference: z.string().optional(),
});
export type AuditQuery = z.input<typeof auditQuerySchema>;

export const auditEntryViewSchema = z
  .object({
    id: z.number().int(),
    at: timeSchema,
    actor: z.string(),
    action: z.string(),
    subject: z.string().nullable(),
    caseReference: z.string().nullable(),
    purpose: z.string().nullable(),
    criteria: z.unknown(),
    resultCount: z.number().int().nullable(),
    sourceIp: z.string().nullable(),
    hash: z.string(),
  })
  .meta({ id: "AuditEntryView" });
export type AuditEntryView = z.infer<typeof auditEntryViewSchema>;
