/**
 * Authoring a civil-protection alert: the CAP `<info>` a drafter writes, as received over HTTP. The schema is strict
 * (unknown keys are rejected) and names every problem precisely; the type `AlertContent` is derived from it.
 */

import { z } from "zod";
import {
  CAP_CATEGORIES,
  CAP_CERTAINTIES,
  CAP_RESPONSE_TYPES,
  CAP_SEVERITIES,
  CAP_URGENCIES,
  DISTRICT_CODES,
} from "./vocabulary.js";

/**
 * Whether `expires` lies in the future is not checked here: that depends on when the message is approved.
 */

/** The Macao region, generously: anything outside is a typo (swapped lon/lat, a missing digit), not an alert area. */
export const REGION_BOUNDS = { minLon: 113.3, maxLon: 113.8, minLat: 21.9, maxLat: 22.4 } as const;

export const TEXT_LIMITS = {
  event: 100,
  headline: 160,
  description: 4000,
  instruction: 4000,
  areaDescription: 200,
  code: 100,
} as const;

const MAX_AREAS = 10;
const MAX_SHAPES_PER_AREA = 20;
const MAX_RING_POSITIONS = 500;
const MAX_EVENT_CODES = 10;
const MAX_RADIUS_KM = 50;

type Position = readonly [number, number];

const isMissing = (issue: { input?: unknown }) => issue.input === undefined;

/** The first control character (C0 except the allowed ones, DEL, C1, U+FFFE/U+FFFF, lone surrogates), if any. */
function controlCharacter(value: string, multiline: boolean): number | null {
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    const allowedWhitespace = multiline && (code === 0x09 || code === 0x0a || code === 0x0d);
    if (
      (code < 0x20 && !allowedWhitespace) ||
      (code >= 0x7f && code <= 0x9f) ||
      (code >= 0xd800 && code <= 0xdfff) ||
      code === 0xfffe ||
      code === 0xffff
    )
      return code;
  }
  return null;
}

function text(max: number, multiline: boolean) {
  return z
    .string({ error: (issue) => (isMissing(issue) ? "is required" : "must be a string") })
    .trim()
    .min(1, "must not be empty")
    .max(max, `must be at most ${max} characters`)
    .superRefine((value, ctx) => {
      const code = controlCharacter(value, multiline);
      if (code !== null)
        ctx.addIssue({
          code: "custom",
          message: `must not contain control characters (found U+${code.toString(16).toUpperCase().padStart(4, "0")})`,
        });
    });
}

function localized(max: number, multiline: boolean) {
  const field = text(max, multiline);
  return z.strictObject(
    { "zh-Hant": field, pt: field, en: field },
    { error: (issue) => (isMissing(issue) ? "is required" : "must be an object with zh-Hant, pt and en texts") },
  );
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, {
    error: (issue) => (isMissing(issue) ? "is required" : `must be one of ${values.join(", ")}`),
  });
}

function list<T extends z.ZodType>(item: T, what: string) {
  return z.array(item, { error: (issue) => (isMissing(issue) ? "is required" : `must be an array of ${what}`) });
}

/** Flags the second and later occurrences of a value, at their own index. */
function noDuplicates(values: readonly unknown[], ctx: z.RefinementCtx): void {
  values.forEach((value, index) => {
    if (values.indexOf(value) !== index)
      ctx.addIssue({ code: "custom", path: [index], message: `duplicate value ${JSON.stringify(value)}` });
  });
}

function isoDateTime() {
  return z.iso.datetime({
    offset: true,
    error: (issue) =>
      isMissing(issue)
        ? "is required"
        : "must be an ISO-8601 date-time with a UTC offset, e.g. 2025-08-01T18:00:00+08:00",
  });
}

const longitude = z
  .number({ error: "longitude must be a number" })
  .min(REGION_BOUNDS.minLon, `longitude must be between ${REGION_BOUNDS.minLon} and ${REGION_BOUNDS.maxLon} (Macao)`)
  .max(REGION_BOUNDS.maxLon, `longitude must be between ${REGION_BOUNDS.minLon} and ${REGION_BOUNDS.maxLon} (Macao)`);
const latitude = z
  .number({ error: "latitude must be a number" })
  .min(REGION_BOUNDS.minLat, `latitude must be between ${REGION_BOUNDS.minLat} and ${REGION_BOUNDS.maxLat} (Macao)`)
  .max(REGION_BOUNDS.maxLat, `latitude must be between ${REGION_BOUNDS.minLat} and ${REGION_BOUNDS.maxLat} (Macao)`);
const position = z.tuple([longitude, latitude], { error: "must be a [lon, lat] pair" });

const ring = list(position, "[lon, lat] pairs")
  .min(4, "a polygon needs at least 4 [lon, lat] positions (a closed ring: the last equals the first)")
  .max(MAX_RING_POSITIONS, `a polygon may have at most ${MAX_RING_POSITIONS} positions`)
  .superRefine((positions, ctx) => {
    const problem = ringProblem(positions);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

const circle = z.strictObject(
  {
    center: position,
    radiusKm: z
      .number({ error: (issue) => (isMissing(issue) ? "is required" : "must be a number") })
      .gt(0, "the radius must be greater than 0 km")
      .max(MAX_RADIUS_KM, `the radius must be at most ${MAX_RADIUS_KM} km`),
  },
  { error: "must be an object { center, radiusKm }" },
);

const area = z
  .strictObject(
    {
      description: localized(TEXT_LIMITS.areaDescription, false),
      polygons: list(ring, "polygons").max(MAX_SHAPES_PER_AREA, `at most ${MAX_SHAPES_PER_AREA} polygons per area`),
      circles: list(circle, "circles").max(MAX_SHAPES_PER_AREA, `at most ${MAX_SHAPES_PER_AREA} circles per area`),
      districts: list(oneOf(DISTRICT_CODES), "district codes").superRefine(noDuplicates),
    },
    { error: "must be an area object" },
  )
  .superRefine((value, ctx) => {
    // Runs even when a field had a (continuable) issue: count defensively.
    const count = (items: unknown) => (Array.isArray(items) ? items.length : 1);
    if (count(value.polygons) + count(value.circles) + count(value.districts) === 0)
      ctx.addIssue({ code: "custom", message: "an area needs at least one polygon, circle or district" });
  });

const eventCode = z.strictObject(
  { valueName: text(TEXT_LIMITS.code, false), value: text(TEXT_LIMITS.code, false) },
  { error: "must be an object { valueName, value }" },
);

/** The fields of {@link alertContentSchema} without its cross-field check (for templates, which lack some). */
export const alertContentFields = z.strictObject(
  {
    templateId: z
      .string({ error: (issue) => (isMissing(issue) ? "is required (null when none)" : "must be a string or null") })
      .trim()
      .min(1, "must not be empty (null when none)")
      .max(64, "must be at most 64 characters")
      .nullable(),
    incidentId: z
      .uuid({ error: (issue) => (isMissing(issue) ? "is required (null when none)" : "must be a uuid or null") })
      .nullable(),
    categories: list(oneOf(CAP_CATEGORIES), "CAP categories")
      .min(1, "at least one category is required")
      .superRefine(noDuplicates),
    responseTypes: list(oneOf(CAP_RESPONSE_TYPES), "CAP response types").superRefine(noDuplicates),
    urgency: oneOf(CAP_URGENCIES),
    severity: oneOf(CAP_SEVERITIES),
    certainty: oneOf(CAP_CERTAINTIES),
    event: localized(TEXT_LIMITS.event, false),
    headline: localized(TEXT_LIMITS.headline, false),
    description: localized(TEXT_LIMITS.description, true),
    instruction: localized(TEXT_LIMITS.instruction, true),
    eventCodes: list(eventCode, "{ valueName, value } pairs").max(
      MAX_EVENT_CODES,
      `at most ${MAX_EVENT_CODES} event codes`,
    ),
    onset: isoDateTime().nullable(),
    expires: isoDateTime(),
    areas: list(area, "areas").min(1, "at least one area is required").max(MAX_AREAS, `at most ${MAX_AREAS} areas`),
  },
  { error: "must be an object" },
);

export const alertContentSchema = alertContentFields
  .superRefine((value, ctx) => {
    if (value.onset !== null && Date.parse(value.onset) >= Date.parse(value.expires))
      ctx.addIssue({ code: "custom", path: ["expires"], message: "must be later than onset" });
  })
  .meta({ id: "AlertContent" });

/** What a drafter writes: the CAP `<info>` of every language, and the areas. */
export type AlertContent = z.infer<typeof alertContentSchema>;
export type AlertAreaInput = AlertContent["areas"][number];
export type AlertCircle = AlertAreaInput["circles"][number];

// ---- Geometry ----------------------------------------------------------------------------------------------------

/**
 * Why a ring of [lon, lat] positions is not a usable CAP polygon (open, degenerate or self-intersecting), or null.
 * Planar test on degrees, which is exact enough at the scale of a city.
 */
export function ringProblem(positions: readonly Position[]): string | null {
  if (!positions.every((p) => Array.isArray(p) && Number.isFinite(p[0]) && Number.isFinite(p[1]))) return null;
  if (positions.length < 4) return "a polygon needs at least 4 positions";
  const first = positions[0] as Position;
  const last = positions[positions.length - 1] as Position;
  if (!samePoint(first, last)) return "the polygon is not closed: the last position must equal the first";
  const edges = positions.length - 1;
  const at = (index: number) => positions[index] as Position;
  for (let i = 0; i < edges; i += 1)
    if (samePoint(at(i), at(i + 1))) return `positions ${i} and ${i + 1} are the same point`;
  for (let i = 0; i < edges; i += 1) {
    for (let j = i + 1; j < edges; j += 1) {
      const a1 = at(i);
      const a2 = at(i + 1);
      const b1 = at(j);
      const b2 = at(j + 1);
      if (j === i + 1) {
        if (foldsBack(a2, a1, b2)) return `edges ${i} and ${j} fold back onto each other`;
      } else if (i === 0 && j === edges - 1) {
        if (foldsBack(a1, a2, b1)) return `edges ${i} and ${j} fold back onto each other`;
      } else if (segmentsIntersect(a1, a2, b1, b2)) {
        return `the polygon crosses itself (edges ${i} and ${j})`;
      }
    }
  }
  if (signedArea(positions) === 0) return "the polygon has no area";
  return null;
}

function samePoint(a: Position, b: Position): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

function cross(o: Position, a: Position, b: Position): number {
  return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
}

/** Two edges meeting at `shared` overlap along a line (a spike). */
function foldsBack(shared: Position, a: Position, b: Position): boolean {
  if (cross(shared, a, b) !== 0) return false;
  return (a[0] - shared[0]) * (b[0] - shared[0]) + (a[1] - shared[1]) * (b[1] - shared[1]) > 0;
}

function onSegment(p: Position, a: Position, b: Position): boolean {
  return (
    Math.min(a[0], b[0]) <= p[0] &&
    p[0] <= Math.max(a[0], b[0]) &&
    Math.min(a[1], b[1]) <= p[1] &&
    p[1] <= Math.max(a[1], b[1])
  );
}

/** Closed segments intersect or touch. */
function segmentsIntersect(a1: Position, a2: Position, b1: Position, b2: Position): boolean {
  const d1 = Math.sign(cross(b1, b2, a1));
  const d2 = Math.sign(cross(b1, b2, a2));
  const d3 = Math.sign(cross(a1, a2, b1));
  const d4 = Math.sign(cross(a1, a2, b2));
  if (d1 * d2 < 0 && d3 * d4 < 0) return true;
  return (
    (d1 === 0 && onSegment(a1, b1, b2)) ||
    (d2 === 0 && onSegment(a2, b1, b2)) ||
    (d3 === 0 && onSegment(b1, a1, a2)) ||
    (d4 === 0 && onSegment(b2, a1, a2))
  );
}

function signedArea(positions: readonly Position[]): number {
  let sum = 0;
  for (let i = 0; i + 1 < positions.length; i += 1) {
    const a = positions[i] as Position;
    const b = positions[i + 1] as Position;
    sum += a[0] * b[1] - b[0] * a[1];
  }
  return sum / 2;
}
