import { describe, expect, it } from "vitest";
import {
  type Area,
  areaBoundingRadiusM,
  areaCenter,
  bearingDifferenceDeg,
  type CameraView,
  coveredFraction,
  coveredShareOfWindow,
  type LatLon,
  pointInArea,
  pointInView,
  untilDecommissioned,
  viewCoversArea,
  viewingIntervals,
} from "./coverage.js";

// Test geometry is written in metres (x east, y north) around a point in Macao and converted to lat/lon.
const ORIGIN = { lat: 22.19, lon: 113.54 };
const M_PER_DEG = 6_371_008.8 * (Math.PI / 180);
const at = (x: number, y: number): LatLon => ({
  lat: ORIGIN.lat + y / M_PER_DEG,
  lon: ORIGIN.lon + x / (M_PER_DEG * Math.cos((ORIGIN.lat * Math.PI) / 180)),
});
const camera = (x: number, y: number, bearingDeg: number, angleDeg: number, rangeM: number): CameraView => ({
  id: "cam",
  position: at(x, y),
  bearingDeg,
  angleDeg,
  rangeM,
});
const circle = (x: number, y: number, radiusM: number): Area => ({ kind: "circle", center: at(x, y), radiusM });
const polygon = (points: [number, number][]): Area => ({ kind: "polygon", ring: points.map(([x, y]) => at(x, y)) });
/** The point `distance` metres from (x, y) on a compass bearing. */
const towards = (x: number, y: number, bearing: number, distance: number): LatLon =>
  at(x + distance * Math.sin((bearing * Math.PI) / 180), y + distance * Math.cos((bearing * Math.PI) / 180));

/** mulberry32: a small seeded PRNG, so the random cases are the same on every run. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---- An independent brute-force model in metres (does not use the code under test). ----

interface MCamera {
  x: number;
  y: number;
  bearing: number;
  angle: number;
  range: number;
}
type MArea = { kind: "circle"; x: number; y: number; r: number } | { kind: "polygon"; ring: [number, number][] };

function mInSector(c: MCamera, px: number, py: number): boolean {
  const dx = px - c.x;
  const dy = py - c.y;
  if (dx * dx + dy * dy > c.range * c.range) return false;
  if (c.angle >= 360 || (dx === 0 && dy === 0)) return true;
  const bearing = (Math.atan2(dx, dy) * 180) / Math.PI;
  const diff = Math.abs(((((bearing - c.bearing) % 360) + 540) % 360) - 180);
  return diff <= c.angle / 2;
}

function mInArea(a: MArea, px: number, py: number): boolean {
  if (a.kind === "circle") return Math.hypot(px - a.x, py - a.y) <= a.r;
  let inside = false;
  const ring = a.ring;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
    const [xi, yi] = ring[i] as [number, number];
    const [xj, yj] = ring[j] as [number, number];
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Dense sampling of the sector (polar grid and its boundary) and of the area (grid, edges, vertices). The loops run
 * bearing-major so each bearing's sine and cosine is computed once, and samples outside the area's bounding box skip
 * the polygon test: the same samples as a plain double loop, at a fraction of the CPU (this oracle runs 1,200 times).
 */
function bruteForceOverlap(c: MCamera, a: MArea, n = 120): boolean {
  const [minX, maxX, minY, maxY] =
    a.kind === "circle"
      ? [a.x - a.r, a.x + a.r, a.y - a.r, a.y + a.r]
      : [
          Math.min(...a.ring.map((p) => p[0])),
          Math.max(...a.ring.map((p) => p[0])),
          Math.min(...a.ring.map((p) => p[1])),
          Math.max(...a.ring.map((p) => p[1])),
        ];
  // Exact shortcut: when the area's bounding box is out of the camera's range, no sample can be in both.
  const nearestX = Math.min(Math.max(c.x, minX), maxX);
  const nearestY = Math.min(Math.max(c.y, minY), maxY);
  if (Math.hypot(nearestX - c.x, nearestY - c.y) > c.range) return false;
  const angle = Math.min(c.angle, 360);
  for (let j = 0; j <= n; j += 1) {
    const b = ((c.bearing - angle / 2 + (angle * j) / n) * Math.PI) / 180;
    const sin = Math.sin(b);
    const cos = Math.cos(b);
    for (let i = 0; i <= n; i += 1) {
      const r = (c.range * i) / n;
      const px = c.x + r * sin;
      const py = c.y + r * cos;
      if (px < minX || px > maxX || py < minY || py > maxY) continue;
      if (mInArea(a, px, py)) return true;
    }
  }
  if (a.kind === "circle") {
    for (let j = 0; j < n; j += 1) {
      const t = (2 * Math.PI * j) / n;
      const cos = Math.cos(t);
      const sin = Math.sin(t);
      for (let i = 0; i <= n; i += 1) {
        const r = (a.r * i) / n;
        if (mInSector(c, a.x + r * cos, a.y + r * sin)) return true;
      }
    }
    return false;
  }
  const ring = a.ring;
  for (let i = 0; i <= n; i += 1) {
    for (let j = 0; j <= n; j += 1) {
      const px = minX + ((maxX - minX) * i) / n;
      const py = minY + ((maxY - minY) * j) / n;
      if (mInSector(c, px, py) && mInArea(a, px, py)) return true;
    }
  }
  for (let i = 0, k = ring.length - 1; i < ring.length; k = i, i += 1) {
    const [x1, y1] = ring[k] as [number, number];
    const [x2, y2] = ring[i] as [number, number];
    const steps = Math.max(2, Math.ceil(Math.hypot(x2 - x1, y2 - y1) / 0.5));
    for (let s = 0; s <= steps; s += 1) {
      if (mInSector(c, x1 + ((x2 - x1) * s) / steps, y1 + ((y2 - y1) * s) / steps)) return true;
    }
  }
  return false;
}

function randomCase(random: () => number, index: number): { c: MCamera; a: MArea } {
  const pick = random();
  const angle = pick < 0.1 ? 360 : pick < 0.25 ? 180 + random() * 179 : 5 + random() * 175;
  const c: MCamera = {
    x: (random() - 0.5) * 800,
    y: (random() - 0.5) * 800,
    bearing: random() * 360,
    angle,
    range: 20 + random() * 380,
  };
  if (index % 2 === 0)
    return { c, a: { kind: "circle", x: (random() - 0.5) * 800, y: (random() - 0.5) * 800, r: 5 + random() * 200 } };
  // Star-shaped polygons (convex and concave), fat enough that grid sampling sees their inside.
  const cx = (random() - 0.5) * 800;
  const cy = (random() - 0.5) * 800;
  const size = 10 + random() * 240;
  const count = 3 + Math.floor(random() * 10);
  const angles = Array.from({ length: count }, () => random() * 2 * Math.PI).sort((p, q) => p - q);
  const ring = angles.map((t): [number, number] => {
    const r = size * (0.4 + 0.6 * random());
    return [cx + r * Math.cos(t), cy + r * Math.sin(t)];
  });
  return { c, a: { kind: "polygon", ring } };
}

const toView = (c: MCamera): CameraView => camera(c.x, c.y, c.bearing, c.angle, c.range);
const toArea = (a: MArea): Area => (a.kind === "circle" ? circle(a.x, a.y, a.r) : polygon(a.ring));

describe("viewCoversArea against brute-force sampling", () => {
  // CPU-bound: 1,200 brute-force samplings. About 0.4 s of CPU, but several seconds of wall time when the machine
  // is busy, so it states its own budget instead of relying on the default 5 s.
  it("agrees on hundreds of random cameras and areas away from the threshold", { timeout: 30_000 }, () => {
    const random = prng(20240611);
    let compared = 0;
    let ambiguous = 0;
    let overlapping = 0;
    const disagreements: string[] = [];
    for (let index = 0; index < 400; index += 1) {
      const { c, a } = randomCase(random, index);
      // A case is decided when a slightly smaller and a slightly larger sector give the same answer: then the
      // exact answer cannot hinge on the projection or the sampling resolution.
      const smaller = { ...c, range: c.range * 0.98, angle: Math.max(1, c.angle - 2) };
      const larger = { ...c, range: c.range * 1.02, angle: Math.min(360, c.angle + 2) };
      const expected = bruteForceOverlap(c, a);
      if (bruteForceOverlap(smaller, a) !== expected || bruteForceOverlap(larger, a) !== expected) {
        ambiguous += 1;
        continue;
      }
      compared += 1;
      if (expected) overlapping += 1;
      if (viewCoversArea(toView(c), toArea(a)) !== expected) disagreements.push(JSON.stringify({ c, a, expected }));
    }
    expect(disagreements).toEqual([]);
    expect(compared).toBeGreaterThanOrEqual(360);
    expect(ambiguous).toBeLessThan(40);
    // Both answers are well represented.
    expect(overlapping).toBeGreaterThan(60);
    expect(compared - overlapping).toBeGreaterThan(60);
  });
});

describe("viewCoversArea edge cases", () => {
  it("a camera inside the area covers it even when pointing away from the centre", () => {
    expect(viewCoversArea(camera(50, 0, 90, 20, 30), circle(0, 0, 100))).toBe(true);
    expect(viewCoversArea(camera(90, 0, 90, 10, 5), circle(0, 0, 100))).toBe(true);
    expect(
      viewCoversArea(
        camera(0, 0, 180, 30, 10),
        polygon([
          [-50, -50],
          [50, -50],
          [50, 50],
          [-50, 50],
        ]),
      ),
    ).toBe(true);
  });

  it("an area behind the camera is not covered", () => {
    expect(viewCoversArea(camera(0, 0, 0, 90, 500), circle(0, -100, 50))).toBe(false);
    expect(viewCoversArea(camera(0, 0, 0, 170, 500), circle(0, -100, 50))).toBe(false);
    expect(
      viewCoversArea(
        camera(0, 0, 0, 90, 500),
        polygon([
          [-100, -10],
          [100, -10],
          [0, -200],
        ]),
      ),
    ).toBe(false);
    // The same area in front is.
    expect(viewCoversArea(camera(0, 0, 180, 90, 500), circle(0, -100, 50))).toBe(true);
  });

  it("handles a bearing that wraps around north", () => {
    const view = camera(0, 0, 350, 40, 200);
    expect(pointInView(view, towards(0, 0, 5, 100))).toBe(true);
    expect(pointInView(view, towards(0, 0, 9, 100))).toBe(true);
    expect(pointInView(view, towards(0, 0, 335, 100))).toBe(true);
    expect(pointInView(view, towards(0, 0, 15, 100))).toBe(false);
    expect(pointInView(view, towards(0, 0, 325, 100))).toBe(false);
    expect(pointInView(view, towards(0, 0, 5, 210))).toBe(false);
    const spot = towards(0, 0, 5, 100);
    expect(viewCoversArea(view, { kind: "circle", center: spot, radiusM: 3 })).toBe(true);
    // A small circle at bearing 20 lies wholly outside 330..10.
    expect(viewCoversArea(view, { kind: "circle", center: towards(0, 0, 20, 100), radiusM: 5 })).toBe(false);
    expect(bearingDifferenceDeg(5, 350)).toBeCloseTo(15);
    expect(bearingDifferenceDeg(350, 5)).toBeCloseTo(-15);
  });

  it("a 360° dome covers any direction within its range and nothing beyond", () => {
    const dome = camera(0, 0, 123, 360, 150);
    for (const bearing of [0, 45, 123, 180, 303, 359]) {
      expect(pointInView(dome, towards(0, 0, bearing, 140))).toBe(true);
      expect(pointInView(dome, towards(0, 0, bearing, 160))).toBe(false);
    }
    expect(viewCoversArea(dome, circle(0, -190, 45))).toBe(true);
    expect(viewCoversArea(dome, circle(0, -190, 35))).toBe(false);
    expect(viewCoversArea(dome, circle(190, 0, 45))).toBe(true);
    expect(viewCoversArea(dome, circle(190, 0, 35))).toBe(false);
    expect(
      viewCoversArea(
        dome,
        polygon([
          [-200, 140],
          [200, 140],
          [200, 160],
          [-200, 160],
        ]),
      ),
    ).toBe(true);
  });

  it("a polygon larger than the sector and containing it is covered, and so is one inside the sector", () => {
    const square = polygon([
      [-1000, -1000],
      [1000, -1000],
      [1000, 1000],
      [-1000, 1000],
    ]);
    expect(viewCoversArea(camera(0, 0, 45, 60, 100), square)).toBe(true);
    const small = polygon([
      [-5, 50],
      [5, 50],
      [0, 60],
    ]);
    expect(viewCoversArea(camera(0, 0, 0, 60, 100), small)).toBe(true);
    // A closed ring (first point repeated) is the same polygon.
    const closed = polygon([
      [-5, 50],
      [5, 50],
      [0, 60],
      [-5, 50],
    ]);
    expect(viewCoversArea(camera(0, 0, 0, 60, 100), closed)).toBe(true);
    expect(viewCoversArea(camera(0, 0, 180, 60, 100), closed)).toBe(false);
  });

  it("finds overlaps through the sector's arc or radii alone", () => {
    const view = camera(0, 0, 0, 60, 100);
    // Only the arc reaches y in [95, 100]; the radii end at y = 86.6 and every vertex is far outside.
    const band = (y1: number, y2: number) =>
      polygon([
        [-200, y1],
        [200, y1],
        [200, y2],
        [-200, y2],
      ]);
    expect(viewCoversArea(view, band(95, 120))).toBe(true);
    expect(viewCoversArea(view, band(101, 120))).toBe(false);
    // A band crossing both radii.
    expect(viewCoversArea(view, band(40, 50))).toBe(true);
    // A thin slanted strip entering through the left radius and leaving through the arc, every vertex outside.
    const strip = (dx: number) =>
      polygon([
        [-80 + dx, 40],
        [-20 + dx, 120],
        [-22 + dx, 121],
        [-82 + dx, 41],
      ]);
    expect(viewCoversArea(view, strip(0))).toBe(true);
    // Moved 40 m west it passes 120 m from the camera.
    expect(viewCoversArea(view, strip(-40))).toBe(false);
  });

  it("decides near-tangent circles correctly when they are a few metres from touching", () => {
    const view = camera(0, 0, 0, 90, 100);
    // Along the axis: the arc is at y = 100.
    expect(viewCoversArea(view, circle(0, 155, 50))).toBe(false);
    expect(viewCoversArea(view, circle(0, 145, 50))).toBe(true);
    // Beside the right radius (bearing 45): the centre at (100, 0) is 70.7 m from it.
    expect(viewCoversArea(view, circle(100, 0, 65))).toBe(false);
    expect(viewCoversArea(view, circle(100, 0, 76))).toBe(true);
    // Beyond the end of a radius: the nearest point is its end at (70.7, 70.7), 75.2 m from (140, 100).
    expect(viewCoversArea(view, circle(140, 100, 70))).toBe(false);
    expect(viewCoversArea(view, circle(140, 100, 80))).toBe(true);
    // Behind the apex, near it.
    expect(viewCoversArea(view, circle(0, -10, 8))).toBe(false);
    expect(viewCoversArea(view, circle(0, -10, 12))).toBe(true);
  });

  it("handles reflex sectors (more than 180°)", () => {
    const view = camera(0, 0, 0, 300, 100);
    // Excluded wedge: bearings 150..210 (south).
    expect(pointInView(view, towards(0, 0, 180, 50))).toBe(false);
    expect(pointInView(view, towards(0, 0, 140, 50))).toBe(true);
    expect(viewCoversArea(view, circle(0, -60, 20))).toBe(false);
    expect(viewCoversArea(view, circle(0, -60, 35))).toBe(true);
  });
});

describe("areas", () => {
  it("computes centre, bounding radius and containment", () => {
    const square = polygon([
      [0, 0],
      [100, 0],
      [100, 100],
      [0, 100],
    ]);
    const centre = areaCenter(square);
    const local = at(50, 50);
    expect(centre.lat).toBeCloseTo(local.lat, 9);
    expect(centre.lon).toBeCloseTo(local.lon, 9);
    expect(areaBoundingRadiusM(square)).toBeCloseTo(Math.SQRT2 * 50, 0);
    expect(areaBoundingRadiusM(circle(0, 0, 42))).toBe(42);
    expect(pointInArea(square, at(10, 10))).toBe(true);
    expect(pointInArea(square, at(-10, 10))).toBe(false);
    expect(pointInArea(circle(0, 0, 20), at(0, 19))).toBe(true);
    expect(pointInArea(circle(0, 0, 20), at(0, 21))).toBe(false);
  });
});

describe("coveredFraction", () => {
  it("is 1 for a dome covering the whole area, 0 for a camera that cannot see it", () => {
    expect(coveredFraction(camera(0, 0, 0, 360, 500), circle(0, 0, 100))).toBe(1);
    expect(coveredFraction(camera(0, 1000, 0, 90, 500), circle(0, 0, 100))).toBe(0);
  });

  it("is about half for a 180° camera in the middle of the area", () => {
    expect(coveredFraction(camera(0, 0, 90, 180, 500), circle(0, 0, 100))).toBeCloseTo(0.5, 1);
    expect(coveredFraction(camera(0, 0, 0, 90, 500), circle(0, 0, 100))).toBeCloseTo(0.25, 1);
    const square = polygon([
      [-100, -100],
      [100, -100],
      [100, 100],
      [-100, 100],
    ]);
    expect(coveredFraction(camera(0, 0, 0, 180, 1000), square, 50)).toBeCloseTo(0.5, 2);
  });

  it("is deterministic and ranks a better placed camera higher", () => {
    const area = circle(0, 0, 100);
    const near = camera(0, -120, 0, 60, 300);
    const far = camera(0, -250, 0, 20, 300);
    expect(coveredFraction(near, area)).toBe(coveredFraction(near, area));
    expect(coveredFraction(near, area)).toBeGreaterThan(coveredFraction(far, area));
  });
});

describe("online share of a window", () => {
  const t = (minute: number) => new Date(Date.UTC(2024, 5, 1, 10, minute));
  const window = { from: t(0), to: t(60) };

  it("counts a camera with no status information as unknown", () => {
    expect(coveredShareOfWindow([], undefined, window)).toBe(0);
    expect(coveredShareOfWindow([], "offline", window)).toBe(0);
    expect(coveredShareOfWindow([], "unspecified", window)).toBe(0);
    expect(coveredShareOfWindow([], "online", window)).toBe(1);
    expect(coveredShareOfWindow([], "degraded", window)).toBe(1);
  });

  it("a decommissioned camera covers the times before its decommissioning, not after", () => {
    const statuses = [
      { at: t(10), state: "online" },
      { at: t(40), state: "online" },
    ];
    expect(viewingIntervals(untilDecommissioned(statuses, t(30)), "offline", window)).toEqual([
      { from: t(10), to: t(30) },
    ]);
    expect(coveredShareOfWindow(untilDecommissioned([], t(0)), "online", window)).toBe(0);
    expect(coveredShareOfWindow(untilDecommissioned([], new Date(Date.UTC(2024, 4, 1))), "online", window)).toBe(0);
    expect(coveredShareOfWindow(untilDecommissioned([], t(90)), "online", window)).toBe(1);
    expect(untilDecommissioned(statuses, null)).toEqual(statuses);
  });

  it("follows the status changes within the window", () => {
    const statuses = [
      { at: t(30), state: "offline" },
      { at: t(15), state: "online" },
      { at: t(45), state: "degraded" },
    ];
    expect(coveredShareOfWindow(statuses, undefined, window)).toBeCloseTo(30 / 60);
    expect(coveredShareOfWindow(statuses, "online", window)).toBeCloseTo(45 / 60);
    expect(viewingIntervals(statuses, "online", window)).toEqual([
      { from: t(0), to: t(30) },
      { from: t(45), to: t(60) },
    ]);
  });

  it("uses changes before the window as the starting state and ignores those after it", () => {
    const statuses = [
      { at: t(-20), state: "offline" },
      { at: t(-10), state: "online" },
      { at: t(50), state: "offline" },
      { at: t(70), state: "online" },
    ];
    expect(coveredShareOfWindow(statuses, "offline", window)).toBeCloseTo(50 / 60);
    expect(coveredShareOfWindow([{ at: t(0), state: "offline" }], "online", window)).toBe(0);
  });

  it("merges online and degraded into one interval and repeats of a state change nothing", () => {
    const statuses = [
      { at: t(10), state: "online" },
      { at: t(20), state: "degraded" },
      { at: t(25), state: "degraded" },
      { at: t(40), state: "online" },
    ];
    expect(viewingIntervals(statuses, "offline", window)).toEqual([{ from: t(10), to: t(60) }]);
    expect(coveredShareOfWindow(statuses, "offline", window)).toBeCloseTo(50 / 60);
  });

  it("is 0 for an empty or inverted window", () => {
    expect(coveredShareOfWindow([], "online", { from: t(10), to: t(10) })).toBe(0);
    expect(coveredShareOfWindow([], "online", { from: t(10), to: t(0) })).toBe(0);
  });
});
