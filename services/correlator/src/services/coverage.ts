/**
 * Camera coverage geometry for case assist: which cameras could see an area, how much of it, and for how long.
 * Pure functions, no I/O.
 *
 * A camera's field of view is a closed circular sector: apex at the camera, radius `rangeM`, centred on
 * `bearingDeg` (clockwise from true north) and `angleDeg` wide (360 = a full disc, e.g. a dome on patrol).
 *
 * **Covers** (`viewCoversArea`): the closed sector and the closed area have at least one point in common — any
 * overlap, however small, counts (a tangent touch included). It does not say the camera sees all of the area;
 * `coveredFraction` measures how much of it, for ranking.
 *
 * Everything is computed in a local equirectangular projection in metres centred on the area (x east, y north),
 * which is exact to well under a metre over the few kilometres a case-assist search spans. Line of sight
 * (buildings, trees) is not modelled.
 */

export interface LatLon {
  lat: number;
  lon: number;
}

export interface CameraView {
  id: string;
  position: LatLon;
  /** Direction of the optical axis, degrees clockwise from true north. */
  bearingDeg: number;
  /** Horizontal angle of view in degrees, 0 < angle <= 360. */
  angleDeg: number;
  /** Distance in metres up to which the camera sees. */
  rangeM: number;
}

/** A circle, or a simple polygon given as one ring of positions (closed or not: a repeated first point is dropped). */
export type Area = { kind: "circle"; center: LatLon; radiusM: number } | { kind: "polygon"; ring: LatLon[] };

/** A camera's reported operational state at a moment. */
export interface StatusChange {
  at: Date;
  state: string;
}

export interface TimeWindow {
  from: Date;
  to: Date;
}

const EARTH_RADIUS_M = 6_371_008.8;
const RAD = Math.PI / 180;
const METRES_PER_DEGREE = EARTH_RADIUS_M * RAD;

interface Vec {
  x: number;
  y: number;
}

/** A local equirectangular projection around `origin`, in metres. */
export class LocalProjection {
  private readonly cosLat: number;

  constructor(readonly origin: LatLon) {
    this.cosLat = Math.cos(origin.lat * RAD);
  }

  toLocal(point: LatLon): Vec {
    let dLon = point.lon - this.origin.lon;
    if (dLon > 180) dLon -= 360;
    if (dLon < -180) dLon += 360;
    return { x: dLon * METRES_PER_DEGREE * this.cosLat, y: (point.lat - this.origin.lat) * METRES_PER_DEGREE };
  }
}

/** The ring without a repeated closing point. */
function openRing(ring: LatLon[]): LatLon[] {
  const first = ring[0];
  const last = ring[ring.length - 1];
  if (ring.length > 1 && first && last && first.lat === last.lat && first.lon === last.lon) return ring.slice(0, -1);
  return ring;
}

/** The centre the area is projected around: a circle's centre, the middle of a polygon's bounding box. */
export function areaCenter(area: Area): LatLon {
  if (area.kind === "circle") return area.center;
  const ring = openRing(area.ring);
  let minLat = Infinity;
  let maxLat = -Infinity;
  let minLon = Infinity;
  let maxLon = -Infinity;
  for (const { lat, lon } of ring) {
    minLat = Math.min(minLat, lat);
    maxLat = Math.max(maxLat, lat);
    minLon = Math.min(minLon, lon);
    maxLon = Math.max(maxLon, lon);
  }
  return { lat: (minLat + maxLat) / 2, lon: (minLon + maxLon) / 2 };
}

/** Radius in metres of a circle around `areaCenter(area)` that holds the whole area. */
export function areaBoundingRadiusM(area: Area): number {
  if (area.kind === "circle") return area.radiusM;
  const projection = new LocalProjection(areaCenter(area));
  return Math.max(0, ...openRing(area.ring).map((point) => Math.hypot(...xy(projection.toLocal(point)))));
}

const xy = (v: Vec): [number, number] => [v.x, v.y];

/** The area in local metres around its centre. */
type LocalArea = { kind: "circle"; center: Vec; radius: number } | { kind: "polygon"; ring: Vec[] };

interface LocalSector {
  apex: Vec;
  radius: number;
  /** Unit vector of the optical axis. */
  axis: Vec;
  /** Half the angle of view, radians; >= PI means a full disc. */
  halfAngle: number;
  full: boolean;
  /** Unit vectors of the two bounding radii (left = counter-clockwise side seen from above). */
  left: Vec;
  right: Vec;
}

function toLocalArea(area: Area, projection: LocalProjection): LocalArea {
  if (area.kind === "circle") return { kind: "circle", center: projection.toLocal(area.center), radius: area.radiusM };
  return { kind: "polygon", ring: openRing(area.ring).map((point) => projection.toLocal(point)) };
}

/** Unit vector of a compass bearing (clockwise from north) in x-east/y-north coordinates. */
function bearingVector(bearingDeg: number): Vec {
  return { x: Math.sin(bearingDeg * RAD), y: Math.cos(bearingDeg * RAD) };
}

function toLocalSector(view: CameraView, projection: LocalProjection): LocalSector {
  const half = Math.min(view.angleDeg, 360) / 2;
  return {
    apex: projection.toLocal(view.position),
    radius: view.rangeM,
    axis: bearingVector(view.bearingDeg),
    halfAngle: half * RAD,
    full: view.angleDeg >= 360,
    left: bearingVector(view.bearingDeg - half),
    right: bearingVector(view.bearingDeg + half),
  };
}

const sub = (a: Vec, b: Vec): Vec => ({ x: a.x - b.x, y: a.y - b.y });
const dot = (a: Vec, b: Vec): number => a.x * b.x + a.y * b.y;
const cross = (a: Vec, b: Vec): number => a.x * b.y - a.y * b.x;
const length = (a: Vec): number => Math.hypot(a.x, a.y);

/** Smallest signed difference a - b between two bearings, in (-180, 180]. */
export function bearingDifferenceDeg(a: number, b: number): number {
  const d = (((a - b) % 360) + 360) % 360;
  return d > 180 ? d - 360 : d;
}

/** Whether the direction of `offset` (from the apex) lies within the sector's angle; the apex itself does. */
function withinAngle(sector: LocalSector, offset: Vec): boolean {
  if (sector.full) return true;
  if (offset.x === 0 && offset.y === 0) return true;
  // Angle between the axis and the offset, from atan2 of cross and dot: robust near 0 and 180 degrees.
  const angle = Math.abs(Math.atan2(cross(sector.axis, offset), dot(sector.axis, offset)));
  return angle <= sector.halfAngle + 1e-12;
}

function inSector(sector: LocalSector, point: Vec): boolean {
  const offset = sub(point, sector.apex);
  return length(offset) <= sector.radius && withinAngle(sector, offset);
}

/** Even-odd ray casting; points exactly on an edge may go either way (boundaries are handled by edge tests). */
function inRing(ring: Vec[], p: Vec): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
    const a = ring[i] as Vec;
    const b = ring[j] as Vec;
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

function inLocalArea(area: LocalArea, p: Vec): boolean {
  if (area.kind === "circle") return length(sub(p, area.center)) <= area.radius;
  return inRing(area.ring, p);
}

/** Distance from `p` to the segment a-b. */
function distanceToSegment(p: Vec, a: Vec, b: Vec): number {
  const ab = sub(b, a);
  const len2 = dot(ab, ab);
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, dot(sub(p, a), ab) / len2));
  return length(sub(p, { x: a.x + t * ab.x, y: a.y + t * ab.y }));
}

/** Distance from `p` to the closed sector (0 inside). */
function distanceToSector(sector: LocalSector, p: Vec): number {
  const offset = sub(p, sector.apex);
  const d = length(offset);
  if (withinAngle(sector, offset)) return Math.max(0, d - sector.radius);
  // Outside the angle: the nearest point lies on one of the two bounding radii (the arc's ends are their ends).
  const leftEnd = {
    x: sector.apex.x + sector.left.x * sector.radius,
    y: sector.apex.y + sector.left.y * sector.radius,
  };
  const rightEnd = {
    x: sector.apex.x + sector.right.x * sector.radius,
    y: sector.apex.y + sector.right.y * sector.radius,
  };
  return Math.min(distanceToSegment(p, sector.apex, leftEnd), distanceToSegment(p, sector.apex, rightEnd));
}

function orientation(a: Vec, b: Vec, c: Vec): number {
  return cross(sub(b, a), sub(c, a));
}

function onSegment(a: Vec, b: Vec, p: Vec): boolean {
  return (
    Math.min(a.x, b.x) <= p.x && p.x <= Math.max(a.x, b.x) && Math.min(a.y, b.y) <= p.y && p.y <= Math.max(a.y, b.y)
  );
}

/** Closed segments p1-p2 and q1-q2 share a point. */
function segmentsIntersect(p1: Vec, p2: Vec, q1: Vec, q2: Vec): boolean {
  const d1 = orientation(q1, q2, p1);
  const d2 = orientation(q1, q2, p2);
  const d3 = orientation(p1, p2, q1);
  const d4 = orientation(p1, p2, q2);
  if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0))) return true;
  if (d1 === 0 && onSegment(q1, q2, p1)) return true;
  if (d2 === 0 && onSegment(q1, q2, p2)) return true;
  if (d3 === 0 && onSegment(p1, p2, q1)) return true;
  if (d4 === 0 && onSegment(p1, p2, q2)) return true;
  return false;
}

/** The segment a-b meets the sector's arc (the part of its circle within the angle). */
function segmentMeetsArc(sector: LocalSector, a: Vec, b: Vec): boolean {
  const d = sub(b, a);
  const f = sub(a, sector.apex);
  const qa = dot(d, d);
  const qb = 2 * dot(f, d);
  const qc = dot(f, f) - sector.radius * sector.radius;
  if (qa === 0) return Math.abs(length(f) - sector.radius) <= 1e-9 && withinAngle(sector, f);
  const discriminant = qb * qb - 4 * qa * qc;
  if (discriminant < 0) return false;
  const root = Math.sqrt(discriminant);
  for (const t of [(-qb - root) / (2 * qa), (-qb + root) / (2 * qa)]) {
    if (t < 0 || t > 1) continue;
    if (withinAngle(sector, { x: f.x + t * d.x, y: f.y + t * d.y })) return true;
  }
  return false;
}

function sectorMeetsPolygon(sector: LocalSector, ring: Vec[]): boolean {
  if (ring.length === 0) return false;
  // One contains the other: a polygon vertex in the sector, or the apex (a point of the sector) in the polygon.
  if (ring.some((vertex) => inSector(sector, vertex))) return true;
  if (inRing(ring, sector.apex)) return true;
  // Otherwise they overlap only if their boundaries cross: a polygon edge meets a bounding radius or the arc.
  const leftEnd = {
    x: sector.apex.x + sector.left.x * sector.radius,
    y: sector.apex.y + sector.left.y * sector.radius,
  };
  const rightEnd = {
    x: sector.apex.x + sector.right.x * sector.radius,
    y: sector.apex.y + sector.right.y * sector.radius,
  };
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
    const a = ring[j] as Vec;
    const b = ring[i] as Vec;
    if (!sector.full) {
      if (segmentsIntersect(a, b, sector.apex, leftEnd)) return true;
      if (segmentsIntersect(a, b, sector.apex, rightEnd)) return true;
    }
    if (segmentMeetsArc(sector, a, b)) return true;
  }
  return false;
}

/** The point lies within the camera's range and angle of view (closed sector; the camera's own position does). */
export function pointInView(view: CameraView, point: LatLon): boolean {
  const projection = new LocalProjection(view.position);
  return inSector(toLocalSector(view, projection), projection.toLocal(point));
}

/** The point lies in the area (closed circle; polygon by even-odd rule). */
export function pointInArea(area: Area, point: LatLon): boolean {
  const projection = new LocalProjection(areaCenter(area));
  return inLocalArea(toLocalArea(area, projection), projection.toLocal(point));
}

/**
 * The camera's field-of-view sector and the area overlap (see the module comment): exact sector-versus-circle (the
 * distance from the circle's centre to the sector is at most its radius) and sector-versus-polygon (containment
 * either way, or an edge of the polygon crossing one of the sector's two radii or its arc).
 */
export function viewCoversArea(view: CameraView, area: Area): boolean {
  const projection = new LocalProjection(areaCenter(area));
  const sector = toLocalSector(view, projection);
  const local = toLocalArea(area, projection);
  if (local.kind === "circle") {
    if (length(sub(local.center, sector.apex)) > sector.radius + local.radius) return false;
    return distanceToSector(sector, local.center) <= local.radius;
  }
  return sectorMeetsPolygon(sector, local.ring);
}

/** Deterministic sample points of the area: centres of a `samples` x `samples` grid over its bounding box. */
function samplePoints(local: LocalArea, samples: number): Vec[] {
  let minX: number;
  let maxX: number;
  let minY: number;
  let maxY: number;
  if (local.kind === "circle") {
    minX = local.center.x - local.radius;
    maxX = local.center.x + local.radius;
    minY = local.center.y - local.radius;
    maxY = local.center.y + local.radius;
  } else {
    minX = Math.min(...local.ring.map((p) => p.x));
    maxX = Math.max(...local.ring.map((p) => p.x));
    minY = Math.min(...local.ring.map((p) => p.y));
    maxY = Math.max(...local.ring.map((p) => p.y));
  }
  const points: Vec[] = [];
  for (let i = 0; i < samples; i += 1) {
    for (let j = 0; j < samples; j += 1) {
      const p = { x: minX + ((i + 0.5) * (maxX - minX)) / samples, y: minY + ((j + 0.5) * (maxY - minY)) / samples };
      if (inLocalArea(local, p)) points.push(p);
    }
  }
  if (points.length === 0) {
    // A sliver no grid centre falls in: its vertices (or centre) stand in for it.
    if (local.kind === "circle") points.push(local.center);
    else points.push(...local.ring);
  }
  return points;
}

/**
 * Share (0..1) of the area inside the camera's sector, estimated from a deterministic `samples` x `samples` grid over
 * the area's bounding box (the grid points that fall in the area). For ranking, not for deciding coverage: a small
 * overlap can sample as 0 while `viewCoversArea` is true.
 */
export function coveredFraction(view: CameraView, area: Area, samples = 40): number {
  const projection = new LocalProjection(areaCenter(area));
  const sector = toLocalSector(view, projection);
  const points = samplePoints(toLocalArea(area, projection), Math.max(1, Math.floor(samples)));
  let inside = 0;
  for (const p of points) if (inSector(sector, p)) inside += 1;
  return inside / points.length;
}

/** States during which a camera records and runs analytics. */
export const VIEWING_STATES: ReadonlySet<string> = new Set(["online", "degraded"]);

/**
 * The parts of the window during which the camera was online or degraded, as merged, ordered intervals. The state
 * at any moment is that of the latest status change at or before it; before the first change in `statuses` it is
 * `before` (the last state reported before the window); with neither, the state is unknown and does not count.
 * Changes outside the window only matter as the state they leave behind.
 */
export function viewingIntervals(
  statuses: readonly StatusChange[],
  before: string | undefined,
  window: TimeWindow,
): TimeWindow[] {
  const from = window.from.getTime();
  const to = window.to.getTime();
  if (!(to > from)) return [];
  const changes = [...statuses].sort((a, b) => a.at.getTime() - b.at.getTime());
  let state = before;
  const inWindow: { at: number; state: string }[] = [];
  for (const change of changes) {
    const at = change.at.getTime();
    if (at <= from) state = change.state;
    else if (at < to) inWindow.push({ at, state: change.state });
  }
  const intervals: TimeWindow[] = [];
  let cursor = from;
  const close = (end: number) => {
    if (state === undefined || !VIEWING_STATES.has(state) || end <= cursor) return;
    const last = intervals[intervals.length - 1];
    if (last && last.to.getTime() === cursor) last.to = new Date(end);
    else intervals.push({ from: new Date(cursor), to: new Date(end) });
  };
  for (const change of inWindow) {
    close(change.at);
    cursor = Math.max(cursor, change.at);
    state = change.state;
  }
  close(to);
  return intervals;
}

/**
 * A camera's status changes as case assist must read them when it was decommissioned (migration 0030): reports from
 * then on are ignored and it counts as not viewing from that moment, so it covers times before, and not after.
 */
export function untilDecommissioned(
  statuses: readonly StatusChange[],
  decommissionedAt: Date | null | undefined,
): StatusChange[] {
  if (!decommissionedAt) return [...statuses];
  const end = decommissionedAt.getTime();
  return [...statuses.filter((change) => change.at.getTime() < end), { at: decommissionedAt, state: "decommissioned" }];
}

/** Fraction (0..1) of the window during which the camera was online or degraded; see `viewingIntervals`. */
export function coveredShareOfWindow(
  statuses: readonly StatusChange[],
  before: string | undefined,
  window: TimeWindow,
): number {
  const total = window.to.getTime() - window.from.getTime();
  if (!(total > 0)) return 0;
  const viewing = viewingIntervals(statuses, before, window).reduce(
    (sum, interval) => sum + interval.to.getTime() - interval.from.getTime(),
    0,
  );
  return viewing / total;
}
