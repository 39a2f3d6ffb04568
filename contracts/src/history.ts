/**
 * Incident history (issue 14): closed incidents (resolved, false alarm) searched by time, area, kind, severity, state
 * and text, newest first, a page at a time (keyset cursor). And the rules with how many false alarms each raised.
 */

import { z } from "zod";
import { localizedTextSchema, queryInteger, timeSchema } from "./common.js";
import { incidentViewSchema } from "./incidents.js";
import { CLOSED_INCIDENT_STATUSES, SEVERITIES } from "./vocabulary.js";

export const HISTORY_TEXT_MAX = 100;
export const HISTORY_POLYGON_MAX_POINTS = 201;

const dateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T/, "must be an ISO-8601 date-time")
  .refine((value) => !Number.isNaN(Date.parse(value)), "must be an ISO-8601 date-time")
  .meta({ format: "date-time" });

/** A comma-separated list of values of `values` (repeats allowed and dropped). */
const csvOf = <T extends readonly [string, ...string[]]>(values: T) => {
  const message = `must be a comma-separated list of ${values.join(", ")}`;
  return z
    .string()
    .transform((text, ctx) => {
      const list = text.split(",").map((part) => part.trim());
      const unknown = list.find((part) => !(values as readonly string[]).includes(part));
      if (unknown !== undefined) {
        ctx.addIssue({ code: "custom", message: `${message} (not ${JSON.stringify(unknown)})` });
        return z.NEVER;
      }
      return [...new Set(list)] as T[number][];
    })
    .meta({ description: message });
};

const coordinates = (text: string) => text.split(",").map((part) => (part.trim() === "" ? Number.NaN : Number(part)));

/** "minLon,minLat,maxLon,maxLat". */
const bboxSchema = z
  .string()
  .transform((text, ctx) => {
    const numbers = coordinates(text);
    const [minLon, minLat, maxLon, maxLat] = numbers as [number, number, number, number];
    const bad = (message: string) => {
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    };
    if (numbers.length !== 4 || numbers.some((n) => !Number.isFinite(n)))
      return bad("must be minLon,minLat,maxLon,maxLat");
    if ([minLon, maxLon].some((lon) => lon < -180 || lon > 180)) return bad("longitudes must be in -180..180");
    if ([minLat, maxLat].some((lat) => lat < -90 || lat > 90)) return bad("latitudes must be in -90..90");
    if (minLon >= maxLon || minLat >= maxLat) return bad("min must be below max (minLon,minLat,maxLon,maxLat)");
    return { minLon, minLat, maxLon, maxLat };
  })
  .meta({ description: "minLon,minLat,maxLon,maxLat (WGS 84)" });

/** "lon,lat;lon,lat;…": a closed ring (the gateway checks it closes and does not cross itself, as case lookup does). */
const polygonSchema = z
  .string()
  .transform((text, ctx) => {
    const points = text.split(";").map(coordinates);
    const bad = (message: string) => {
      ctx.addIssue({ code: "custom", message });
      return z.NEVER;
    };
    if (points.length < 4 || points.length > HISTORY_POLYGON_MAX_POINTS)
      return bad(
        `must have 4..${HISTORY_POLYGON_MAX_POINTS} points lon,lat separated by ';' (the last repeats the first)`,
      );
    for (const point of points) {
      const [lon, lat] = point as [number, number];
      if (point.length !== 2 || !Number.isFinite(lon) || !Number.isFinite(lat))
        return bad("each point must be lon,lat (numbers)");
      if (lon < -180 || lon > 180 || lat < -90 || lat > 90)
        return bad("each point must be in lon -180..180, lat -90..90");
    }
    return points as [number, number][];
  })
  .meta({ description: "Closed ring lon,lat;lon,lat;… (last point = first, 4..201 points, no crossings)" });

export const incidentHistoryQuerySchema = z.strictObject({
  /** Incidents whose evidence spans any time in [from, to]. */
  from: dateTime.optional(),
  to: dateTime.optional(),
  bbox: bboxSchema.optional(),
  polygon: polygonSchema.optional(),
  /** e.g. "fire,flood". */
  kind: z
    .string()
    .regex(/^[a-z_]{1,64}(,[a-z_]{1,64})*$/, "must be a comma-separated list of kinds (a-z and _)")
    .transform((text) => [...new Set(text.split(","))])
    .optional(),
  severity: csvOf(SEVERITIES).optional(),
  /** Closed states only (default: both). */
  state: csvOf(CLOSED_INCIDENT_STATUSES).optional(),
  /** In the title, in any language, or in the CAD / case reference; case-insensitive. */
  text: z
    .string()
    .trim()
    .min(2, `must be 2..${HISTORY_TEXT_MAX} characters`)
    .max(HISTORY_TEXT_MAX, `must be 2..${HISTORY_TEXT_MAX} characters`)
    .optional(),
  /** 1..200, default 50. */
  limit: queryInteger(1, 200, "must be an integer in 1..200").default(50),
  /** The previous page's `nextCursor`. */
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,200}$/, "must be a cursor from a previous page")
    .optional(),
});
export type IncidentHistoryQuery = z.input<typeof incidentHistoryQuerySchema>;
export type IncidentHistoryCriteria = z.output<typeof incidentHistoryQuerySchema>;

export const incidentHistoryPageSchema = z
  .object({
    /** Newest first (by the first event, then id). */
    items: z.array(incidentViewSchema),
    /** For the next page (`cursor=`); null on the last page. */
    nextCursor: z.string().nullable(),
  })
  .meta({ id: "IncidentHistoryPage" });
export type IncidentHistoryPage = z.infer<typeof incidentHistoryPageSchema>;

/** A correlation rule as the Rules view lists it (read-only), with the false alarms it raised. */
export const ruleViewSchema = z
  .object({
    id: z.string(),
    kind: z.string(),
    form: z.string(),
    titles: localizedTextSchema,
    severity: z.enum(SEVERITIES),
    /** Absent for absence rules (they have silenceS). */
    radiusM: z.number().nullable(),
    windowS: z.number().nullable(),
    /** Threshold rules: events needed; absence rules: seconds of silence. Null when the rule has none. */
    minCount: z.number().nullable(),
    silenceS: z.number().nullable(),
    /** Incidents of the rule marked false alarm whose first event is within the last 7 / 30 days. */
    falseAlarms7d: z.number().int(),
    falseAlarms30d: z.number().int(),
    /** Issue 15: whether the rule opens incidents, the approved version the correlators run, versions awaiting a
     * second person, and the whole approved definition (the editor starts from it). */
    enabled: z.boolean(),
    ruleVersion: z.number().int(),
    pendingVersions: z.number().int(),
    definition: z.record(z.string(), z.unknown()),
  })
  .meta({ id: "RuleView" });
export type RuleView = z.infer<typeof ruleViewSchema>;

export const rulesViewSchema = z
  .object({ version: z.number().int(), computedAt: timeSchema, rules: z.array(ruleViewSchema) })
  .meta({ id: "RulesView" });
export type RulesView = z.infer<typeof rulesViewSchema>;
