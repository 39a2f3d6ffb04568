import { parseInput, ValidationError } from "@hub/common";
import { type CaseArea, type CaseSearchRequest, caseSearchRequestSchema } from "@hub/contracts";

/** A validated lookup: the request as given (normalized), and the window as dates. */
export interface CaseCriteria {
  request: CaseSearchRequest;
  from: Date;
  to: Date;
}

function fail(field: string, message: string): never {
  throw new ValidationError(field, message);
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

/** What the contract's shape cannot say of a polygon: it closes, does not cross itself, and encloses an area. */
export function checkRing(points: [number, number][], field = "body.area.polygon"): void {
  const first = points[0] as [number, number];
  const last = points.at(-1) as [number, number];
  if (first[0] !== last[0] || first[1] !== last[1]) fail(field, "does not close: the last point must repeat the first");
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
        fail(field, `intersects itself (edges ${i} and ${j})`);
    }
  }
  // Zero area (all points on a line) is no area.
  let twiceArea = 0;
  for (let i = 0; i < edges; i += 1) {
    const [x1, y1] = points[i] as [number, number];
    const [x2, y2] = points[i + 1] as [number, number];
    twiceArea += x1 * y2 - x2 * y1;
  }
  if (Math.abs(twiceArea) < 1e-12) fail(field, "encloses no area");
}

/**
 * Validates a lookup request: its shape by the contract's schema, then what needs the gateway's configuration or
 * geometry. A ValidationError names the first bad field (body.…).
 */
export function validateCaseSearch(body: unknown, maxWindowHours: number): CaseCriteria {
  const request = parseInput(caseSearchRequestSchema, body, "body");
  const from = new Date(request.window.from);
  const to = new Date(request.window.to);
  if (to.getTime() <= from.getTime()) fail("body.window.to", "must be after window.from");
  if (to.getTime() - from.getTime() > maxWindowHours * 3600_000)
    fail("body.window", `must be at most ${maxWindowHours} hours long`);
  request.window = { from: from.toISOString(), to: to.toISOString() };
  const area: CaseArea | undefined = request.area;
  if (area && "polygon" in area) checkRing(area.polygon);
  if (!request.area && !request.incidentId) fail("body.area", "is required (or an incidentId)");
  return { request, from, to };
}

/** A plate pattern as SQL LIKE: wildcards become % and _, LIKE's own characters are escaped. */
export function plateLike(pattern: string): string {
  return pattern
    .replace(/[\\%_]/g, "\\$&")
    .replaceAll("*", "%")
    .replaceAll("?", "_");
}
