import { macaoLandPath, Region } from "@hub/common";
import { DISTRICT_CODES, type DistrictCode, LANGUAGES, REGION_BOUNDS, ringProblem } from "@hub/contracts";
import { describe, expect, it } from "vitest";
import { parseAlertContent } from "../services/content-schema.js";
import { DISTRICTS, districtByCode } from "./districts.js";

type Position = [number, number];

/** The simulator's parish centres and island bands (services/simulator/src/services/world.ts `districtOf`). */
const PARISH_CENTRES: Record<string, Position> = {
  "MO-NSF": [113.5515, 22.2095],
  "MO-STA": [113.5405, 22.2015],
  "MO-SLZ": [113.55, 22.2005],
  "MO-SE": [113.544, 22.192],
  "MO-SLR": [113.537, 22.187],
};

/** The district(s) districtOf gives a point: two when the point lies on the line between two parishes. */
function simulatorDistricts([lon, lat]: Position): string[] {
  if (lat > 22.172) {
    const distances = Object.entries(PARISH_CENTRES).map(
      ([code, [clon, clat]]) => [code, (clat - lat) ** 2 + (clon - lon) ** 2] as const,
    );
    const nearest = Math.min(...distances.map(([, distance]) => distance));
    return distances.filter(([, distance]) => distance - nearest < 1e-12).map(([code]) => code);
  }
  if (lat > 22.1475) return ["MO-TAI"];
  if (lat > 22.1335) return ["MO-COT"];
  return ["MO-COL"];
}

function inside(ring: readonly Position[], [x, y]: Position): boolean {
  let result = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
    const [xi, yi] = ring[i] as Position;
    const [xj, yj] = ring[j] as Position;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) result = !result;
  }
  return result;
}

function polygonOf(code: DistrictCode): Position[] {
  const district = districtByCode(code);
  if (!district) throw new Error(`no district ${code}`);
  return district.polygon;
}

/** Grid points over Macao, about 110 m apart. */
function grid(): Position[] {
  const points: Position[] = [];
  for (let lon = 113.525; lon <= 113.6; lon += 0.001)
    for (let lat = 22.105; lat <= 22.22; lat += 0.001) points.push([lon, lat]);
  return points;
}

describe("DISTRICTS", () => {
  it("has one district per code, in the contract's order", () => {
    expect(DISTRICTS.map((d) => d.code)).toEqual([...DISTRICT_CODES]);
  });

  it("names each district in the three languages", () => {
    for (const district of DISTRICTS) {
      for (const language of LANGUAGES) expect(district.name[language].trim(), district.code).not.toBe("");
      expect(district.name["zh-Hant"]).toMatch(/\p{Script=Han}/u);
    }
    expect(districtByCode("MO-NSF")?.name).toEqual({
      "zh-Hant": "花地瑪堂區",
      pt: "Freguesia de Nossa Senhora de Fátima",
      en: "Our Lady of Fatima Parish",
    });
  });

  it("outlines each with a simple closed ring of at most 20 positions inside the Macao region", () => {
    for (const { code, polygon } of DISTRICTS) {
      expect(polygon.length, code).toBeLessThanOrEqual(20);
      expect(ringProblem(polygon), code).toBeNull();
      for (const [lon, lat] of polygon) {
        expect(lon).toBeGreaterThanOrEqual(REGION_BOUNDS.minLon);
        expect(lon).toBeLessThanOrEqual(REGION_BOUNDS.maxLon);
        expect(lat).toBeGreaterThanOrEqual(REGION_BOUNDS.minLat);
        expect(lat).toBeLessThanOrEqual(REGION_BOUNDS.maxLat);
      }
    }
  });

  it("outlines are accepted as drawn polygons by the HTTP schema", () => {
    const result = parseAlertContent({
      templateId: null,
      incidentId: null,
      categories: ["Met"],
      responseTypes: [],
      urgency: "Expected",
      severity: "Minor",
      certainty: "Likely",
      event: { "zh-Hant": "測試", pt: "Teste", en: "Test" },
      headline: { "zh-Hant": "測試", pt: "Teste", en: "Test" },
      description: { "zh-Hant": "測試", pt: "Teste", en: "Test" },
      instruction: { "zh-Hant": "測試", pt: "Teste", en: "Test" },
      eventCodes: [],
      onset: null,
      expires: "2025-08-01T18:00:00+08:00",
      areas: [
        {
          description: { "zh-Hant": "全澳", pt: "Macau", en: "Macao" },
          polygons: DISTRICTS.map((d) => d.polygon),
          circles: [],
          districts: [],
        },
      ],
    });
    expect(result.ok).toBe(true);
  });

  it("places the parishes where the simulator's districtOf puts them, without overlapping", () => {
    const parishes = DISTRICTS.filter((d) => d.code !== "MO-INNER-HARBOUR");
    let covered = 0;
    for (const point of grid()) {
      const containing = parishes.filter((d) => inside(d.polygon, point)).map((d) => d.code);
      expect(containing.length, `${point}`).toBeLessThanOrEqual(1);
      if (containing.length === 1) {
        covered += 1;
        expect(simulatorDistricts(point), `${point}`).toContain(containing[0]);
      }
    }
    expect(covered).toBeGreaterThan(1000);
  });

  it("contains each parish's centre and known landmarks", () => {
    for (const [code, centre] of Object.entries(PARISH_CENTRES))
      expect(inside(polygonOf(code as DistrictCode), centre), code).toBe(true);
    expect(inside(polygonOf("MO-SE"), [113.5402, 22.1937]), "Largo do Senado").toBe(true);
    expect(inside(polygonOf("MO-TAI"), [113.5565, 22.1535]), "Rua do Cunha").toBe(true);
  });

  it("covers mostly land, and the inner harbour strip holds the simulator's water-level sensors", () => {
    const land = Region.fromFile(macaoLandPath);
    const points = grid();
    for (const { code, polygon } of DISTRICTS) {
      const within = points.filter((p) => inside(polygon, p));
      const onLand = within.filter(([lon, lat]) => land.containsWithin(lat, lon, 150));
      expect(within.length, code).toBeGreaterThan(5);
      expect(onLand.length / within.length, code).toBeGreaterThan(0.6);
    }
    const sensors: Position[] = [
      [113.5368, 22.2045],
      [113.5362, 22.201],
      [113.5356, 22.1975],
      [113.5362, 22.1945],
      [113.5386, 22.1915],
      [113.541, 22.1885],
    ];
    for (const sensor of sensors) expect(inside(polygonOf("MO-INNER-HARBOUR"), sensor), `${sensor}`).toBe(true);
  });

  it("districtByCode finds a district, and nothing for an unknown code", () => {
    expect(districtByCode("MO-COL")?.name.pt).toBe("Coloane");
    expect(districtByCode("MO-XYZ")).toBeUndefined();
  });
});
