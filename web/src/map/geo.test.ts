import { describe, expect, it } from "vitest";
import { bearingDeg, destination, distanceM, fovSector } from "./geo";

const SENADO = { lat: 22.1937, lon: 113.5399 };

describe("destination", () => {
  it("goes the right distance in the right direction", () => {
    const north = destination(SENADO.lat, SENADO.lon, 0, 1000);
    expect(north[0]).toBeCloseTo(SENADO.lon, 9);
    expect(north[1]).toBeGreaterThan(SENADO.lat);
    expect(distanceM([SENADO.lon, SENADO.lat], north)).toBeCloseTo(1000, 3);
    const east = destination(SENADO.lat, SENADO.lon, 90, 500);
    expect(east[0]).toBeGreaterThan(SENADO.lon);
    expect(bearingDeg([SENADO.lon, SENADO.lat], east)).toBeCloseTo(90, 3);
  });
});

describe("fovSector", () => {
  it("is a closed ring from the camera along an arc of the range and back", () => {
    const ring = fovSector(SENADO.lat, SENADO.lon, 45, 60, 120);
    const centre: [number, number] = [SENADO.lon, SENADO.lat];
    expect(ring[0]).toEqual(centre);
    expect(ring.at(-1)).toEqual(centre);
    const arc = ring.slice(1, -1);
    expect(arc.length).toBeGreaterThanOrEqual(7);
    for (const point of arc) expect(distanceM(centre, point)).toBeCloseTo(120, 6);
  });

  it("spans bearing ± fov/2, clockwise", () => {
    const ring = fovSector(SENADO.lat, SENADO.lon, 350, 40, 100);
    const centre: [number, number] = [SENADO.lon, SENADO.lat];
    const first = ring[1] as [number, number];
    const last = ring.at(-2) as [number, number];
    expect(bearingDeg(centre, first)).toBeCloseTo(330, 4);
    expect(bearingDeg(centre, last)).toBeCloseTo(10, 4);
    const middle = ring[Math.floor(ring.length / 2)] as [number, number];
    const b = bearingDeg(centre, middle);
    expect(Math.min(Math.abs(b - 350), 360 - Math.abs(b - 350))).toBeLessThan(6);
  });

  it("honours the segment count", () => {
    expect(fovSector(SENADO.lat, SENADO.lon, 0, 60, 50, 12)).toHaveLength(12 + 1 + 2);
  });

  it("draws a 360° camera as a circle without the centre", () => {
    const ring = fovSector(SENADO.lat, SENADO.lon, 0, 360, 30);
    expect(ring[0]).toEqual(ring.at(-1));
    const centre: [number, number] = [SENADO.lon, SENADO.lat];
    for (const point of ring) expect(distanceM(centre, point)).toBeCloseTo(30, 6);
  });
});
