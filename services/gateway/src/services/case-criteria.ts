import { isUuid, ValidationError } from "@hub/common";
import {
  type CaseArea,
  type CaseSearchRequest,
  OBJECT_CLASSES,
  type ObjectClass,
  RULE_TYPES,
  type RuleType,
} from "@hub/contracts";

const CASE_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9./_-]{2,63}$/;
const PLATE_PATTERN = /^[A-Za-z0-9*?-]{1,16}$/;
const MAX_POLYGON_POINTS = 201;

/** A validated lookup: the request as given (normalized), and the window as dates. */
export interface CaseCriteria {
  request: CaseSearchRequest;
  from: Date;
  to: Date;
}

function fail(field: string, message: string): never {
  throw new ValidationError(field, message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function text(value: unknown, field: string, min: number, max: number): string {
  if (typeof value !== "string") fail(field, "is required (a string)");
  const trimmed = value.trim();
  if (trimmed.length < min || trimmed.length > max) fail(field, `must be ${min}..${max} characters`);
  return trimmed;
}

function time(value: unknown, field: string): Date {
  if (typeof value !== "string" || Number.isNaN(Date.parse(value)) || !/^\d{4}-\d{2}-\d{2}T/.test(value))
    fail(field, "must be an ISO-8601 date-time");
  return new Date(value);
}

function finite(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max)
    fail(field, `must be a number in ${min}..${max}`);
  return value;
}

function list<T extends string>(value: unknown, field: string, allowed: readonly T[] | RegExp, max: number): T[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > max)
    fail(field, `must be a list of 1..${max} values`);
  return value.map((item, index) => {
    const ok =
      typeof item === "string" && (allowed instanceof RegExp ? allowed.test(item) : allowed.includes(item as T));
    if (!ok)
      fail(
        `${field}[${index}]`,
        allowed instanceof RegExp ? "is not a valid id" : `must be one of ${(allowed as readonly string[]).join(", ")}`,
      );
    return item as T;
  });
}

/** Segments (a, b) and (c, d) cross or touch, other than at a shared endpoint of neighbours. */
function segmentsIntersect(a: number[], b: number[], c: number[], d: number[]): boolean {
  const orient = (p: number[], q: number[], r: number[]) =>
    Math.sign(
      ((q[1] as number) - (p[1] as number)) * ((r[0] as number) - (q[0] as number)) -
        ((q[0] as number) - (p[0] as number)) * ((r[1] as number) - (q[1] as number)),
    );
  const onSegment = (p: number[], q: number[], r: number[]) =>
    Math.min(p[0] as number, r[0] as number) <= (q[0] as number) &&
    (q[0] as number) <= Math.max(p[0] as number, r[0] as number) &&
    Math.min(p[1] as number, r[1] as number) <= (q[1] as number) &&
    (q[1] as number) <= Math.max(p[1] as number, r[1] as number);
  const o1 = orient(a, b, c);
  const o2 = orient(a, b, d);
  const o3 = orient(c, d, a);
  const o4 = orient(c, d, b);
  if (o1 !== o2 && o3 !== o4) return true;
  return (
    (o1 === 0 && onSegment(a, c, b)) ||
    (o2 === 0 && onSegment(a, d, b)) ||
    (o3 === 0 && onSegment(c, a, d)) ||
    (o4 === 0 && onSegment(c, b, d))
  );
}

function area(value: unknown): CaseArea {
  if (!isObject(value)) fail("body.area", "must be { circle } or { polygon }");
  if ("circle" in value && "polygon" in value) fail("body.area", "must be either a circle or a polygon, not both");
  if (isObject(value.circle)) {
    const circle = value.circle;
    return {
      circle: {
        lat: finite(circle.lat, "body.area.circle.lat", -90, 90),
        lon: finite(circle.lon, "body.area.circle.lon", -180, 180),
        radiusM: finite(circle.radiusM, "body.area.circle.radiusM", 1, 5000),
      },
    };
  }
  if (!Array.isArray(value.polygon)) fail("body.area", "must be { circle } or { polygon }");
  const ring = value.polygon as unknown[];
  if (ring.length < 4 || ring.length > MAX_POLYGON_POINTS)
    fail("body.area.polygon", `must have 4..${MAX_POLYGON_POINTS} points (3 corners and the first again)`);
  const points = ring.map((point, index): [number, number] => {
    if (!Array.isArray(point) || point.length !== 2) fail(`body.area.polygon[${index}]`, "must be [lon, lat]");
    return [
      finite(point[0], `body.area.polygon[${index}][0]`, -180, 180),
      finite(point[1], `body.area.polygon[${index}][1]`, -90, 90),
    ];
  });
  const first = points[0] as [number, number];
  const last = points.at(-1) as [number, number];
  if (first[0] !== last[0] || first[1] !== last[1])
    fail("body.area.polygon", "does not close: the last point must repeat the first");
  const edges = points.length - 1;
  for (let i = 0; i < edges; i += 1) {
    for (let j = i + 1; j < edges; j += 1) {
      // Neighbouring edges share a corner; the first and last edge share the closing point.
      if (j === i + 1 || (i === 0 && j === edges - 1)) continue;
      if (
        segmentsIntersect(
          points[i] as number[],
          points[i + 1] as number[],
          points[j] as number[],
          points[j + 1] as number[],
        )
      )
        fail("body.area.polygon", `intersects itself (edges ${i} and ${j})`);
    }
  }
  // Zero area (all points on a line) is no area.
  let twiceArea = 0;
  for (let i = 0; i < edges; i += 1) {
    const [x1, y1] = points[i] as [number, number];
    const [x2, y2] = points[i + 1] as [number, number];
    twiceArea += x1 * y2 - x2 * y1;
  }
  if (Math.abs(twiceArea) < 1e-12) fail("body.area.polygon", "encloses no area");
  return { polygon: points };
}

/** Validates a lookup request; a ValidationError names the first bad field (body.…). */
export function validateCaseSearch(body: unknown, maxWindowHours: number): CaseCriteria {
  if (!isObject(body)) fail("body", "must be a JSON object");
  const caseReference = text(body.caseReference, "body.caseReference", 3, 64);
  if (!CASE_REFERENCE.test(caseReference))
    fail("body.caseReference", "must be 3..64 characters of A-Z, a-z, 0-9, '.', '/', '-', '_'");
  const purpose = text(body.purpose, "body.purpose", 10, 500);
  if (!isObject(body.window)) fail("body.window", "is required: { from, to }");
  const from = time(body.window.from, "body.window.from");
  const to = time(body.window.to, "body.window.to");
  if (to.getTime() <= from.getTime()) fail("body.window.to", "must be after window.from");
  if (to.getTime() - from.getTime() > maxWindowHours * 3600_000)
    fail("body.window", `must be at most ${maxWindowHours} hours long`);
  const request: CaseSearchRequest = {
    caseReference,
    purpose,
    window: { from: from.toISOString(), to: to.toISOString() },
  };
  if (body.area !== undefined) request.area = area(body.area);
  if (body.incidentId !== undefined) {
    if (typeof body.incidentId !== "string" || !isUuid(body.incidentId))
      fail("body.incidentId", "must be an incident id (UUID)");
    request.incidentId = body.incidentId.toLowerCase();
  }
  if (!request.area && !request.incidentId) fail("body.area", "is required (or an incidentId)");
  if (body.cameraIds !== undefined)
    request.cameraIds = list(body.cameraIds, "body.cameraIds", /^[A-Za-z0-9._:-]{1,64}$/, 500);
  if (body.objectClasses !== undefined)
    request.objectClasses = list<ObjectClass>(
      body.objectClasses,
      "body.objectClasses",
      OBJECT_CLASSES,
      OBJECT_CLASSES.length,
    );
  if (body.ruleTypes !== undefined)
    request.ruleTypes = list<RuleType>(body.ruleTypes, "body.ruleTypes", RULE_TYPES, RULE_TYPES.length);
  if (body.plate !== undefined) {
    if (typeof body.plate !== "string" || !PLATE_PATTERN.test(body.plate))
      fail("body.plate", "must be 1..16 characters of A-Z, 0-9, '-', and the wildcards '*' and '?'");
    if (body.plate.replace(/[*?]/g, "").length < 2)
      fail("body.plate", "must have at least 2 characters besides wildcards");
    request.plate = body.plate.toUpperCase();
  }
  if (body.limit !== undefined) request.limit = finite(body.limit, "body.limit", 1, 500);
  if (request.limit !== undefined && !Number.isInteger(request.limit)) fail("body.limit", "must be an integer");
  const known = new Set([
    "caseReference",
    "purpose",
    "window",
    "area",
    "incidentId",
    "cameraIds",
    "objectClasses",
    "ruleTypes",
    "plate",
    "limit",
  ]);
  for (const key of Object.keys(body)) if (!known.has(key)) fail(`body.${key}`, "is not a search criterion");
  return { request, from, to };
}

/** A plate pattern as SQL LIKE: wildcards become % and _, LIKE's own characters are escaped. */
export function plateLike(pattern: string): string {
  return pattern
    .replace(/[\\%_]/g, "\\$&")
    .replaceAll("*", "%")
    .replaceAll("?", "_");
}
