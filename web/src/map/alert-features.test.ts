import type { District } from "@hub/contracts";
import { describe, expect, it } from "vitest";
import { text } from "../testing/alert-factories";
import { areaPositions, areaShapeFeatures, districtFeatures } from "./alert-features";
import { distanceM } from "./geo";

const square = (lon: number, lat: number): [number, number][] => [
  [lon, lat],
  [lon + 0.01, lat],
  [lon + 0.01, lat + 0.01],
  [lon, lat],
];
const district = (code: District["code"], lon: number): District => ({
  code,
  name: text(code),
  polygon: square(lon, 22.19),
});

describe("districtFeatures", () => {
  it("marks the districts of the area being edited and of the alert's other areas", () => {
    const collection = districtFeatures(
      [district("MO-SE", 113.54), district("MO-TAI", 113.55), district("MO-COL", 113.56)],
      new Set(["MO-SE"]),
      new Set(["MO-TAI"]),
    );
    expect(collection.features.map((f) => [f.properties.id, f.properties.selected, f.properties.other])).toEqual([
      ["MO-SE", true, false],
      ["MO-TAI", false, true],
      ["MO-COL", false, false],
    ]);
  });
});

describe("areaShapeFeatures", () => {
  it("draws every area's polygons and circles, the edited area marked active", () => {
    const collection = areaShapeFeatures(
      [
        { polygons: [square(113.54, 22.19)], circles: [] },
        { polygons: [], circles: [{ center: [113.55, 22.15], radiusKm: 2 }] },
      ],
      1,
    );
    expect(collection.features.map((f) => [f.properties.area, f.properties.kind, f.properties.active])).toEqual([
      [0, "polygon", false],
      [1, "circle", true],
    ]);
    const ring = collection.features[1]?.geometry.coordinates[0] ?? [];
    expect(ring[0]).toEqual(ring.at(-1));
    // A circle of 2 km: every corner 2 km from the centre.
    for (const corner of ring) expect(distanceM([113.55, 22.15], corner as [number, number])).toBeCloseTo(2000, 0);
  });
});

describe("areaPositions", () => {
  it("includes the chosen districts' outlines, to fit the map to", () => {
    const positions = areaPositions({ polygons: [], circles: [], districts: ["MO-TAI"] }, [
      district("MO-SE", 113.54),
      district("MO-TAI", 113.55),
    ]);
    expect(positions).toEqual(square(113.55, 22.19));
  });
});
