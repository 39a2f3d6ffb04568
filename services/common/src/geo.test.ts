import { describe, expect, it } from "vitest";
import { distanceMetres, h3Cell, macaoLandPath, Region } from "./geo.js";

describe("Region", () => {
  const macao = Region.fromFile(macaoLandPath);

  it("contains Largo do Senado, Taipa and Coloane but not Zhuhai, Hong Kong or the sea", () => {
    expect(macao.contains(22.1935, 113.5405)).toBe(true);
    expect(macao.contains(22.1557, 113.556)).toBe(true);
    expect(macao.contains(22.12, 113.565)).toBe(true);
    expect(macao.contains(22.27, 113.56)).toBe(false);
    expect(macao.contains(22.2855, 114.1577)).toBe(false);
    expect(macao.contains(22.175, 113.56)).toBe(false);
  });

  it("treats a point in a hole as outside", () => {
    const square = (x: number, size: number) => [
      [x, x],
      [x + size, x],
      [x + size, x + size],
      [x, x + size],
      [x, x],
    ];
    const donut = Region.fromGeoJson({ type: "Polygon", coordinates: [square(0, 10), square(4, 2)] });
    expect(donut.contains(1, 1)).toBe(true);
    expect(donut.contains(5, 5)).toBe(false);
  });

  it("accepts points within the margin of the coast only when a margin is given", () => {
    const offshore = { lat: 22.1958, lon: 113.5325 };
    expect(macao.contains(offshore.lat, offshore.lon)).toBe(false);
    expect(macao.containsWithin(offshore.lat, offshore.lon, 300)).toBe(true);
    expect(macao.containsWithin(offshore.lat, offshore.lon, 0)).toBe(false);
  });

  it("refuses GeoJSON without polygons", () => {
    expect(() => Region.fromGeoJson({ type: "Point", coordinates: [0, 0] })).toThrow(/no Polygon/);
  });
});

describe("distanceMetres and h3Cell", () => {
  it("measures about 1.11 km for 0.01 degrees of latitude", () => {
    expect(distanceMetres({ lat: 22.19, lon: 113.54 }, { lat: 22.2, lon: 113.54 })).toBeCloseTo(1112, -1);
  });

  it("puts nearby points in the same resolution-9 cell and far ones in different cells", () => {
    expect(h3Cell(22.1935, 113.5405)).toBe(h3Cell(22.19351, 113.54051));
    expect(h3Cell(22.1935, 113.5405)).not.toBe(h3Cell(22.1557, 113.556));
  });
});
