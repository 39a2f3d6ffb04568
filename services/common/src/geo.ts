import { readFileSync } from "node:fs";
import { latLngToCell } from "h3-js";

type Ring = [number, number][];
type Polygon = Ring[];

/** A geographic region (the area the hub serves): one or more polygons, each with optional holes. */
export class Region {
  private constructor(
    private readonly polygons: Polygon[],
    readonly bbox: { minLon: number; minLat: number; maxLon: number; maxLat: number },
  ) {}

  /** Reads a GeoJSON Feature, FeatureCollection, Polygon or MultiPolygon. */
  static fromGeoJson(geojson: unknown): Region {
    const polygons = collectPolygons(geojson);
    if (polygons.length === 0) throw new Error("region GeoJSON holds no Polygon or MultiPolygon");
    let minLon = Infinity;
    let minLat = Infinity;
    let maxLon = -Infinity;
    let maxLat = -Infinity;
    for (const polygon of polygons) {
      for (const [lon, lat] of polygon[0] ?? []) {
        minLon = Math.min(minLon, lon);
        maxLon = Math.max(maxLon, lon);
        minLat = Math.min(minLat, lat);
        maxLat = Math.max(maxLat, lat);
      }
    }
    return new Region(polygons, { minLon, minLat, maxLon, maxLat });
  }

  static fromFile(path: string): Region {
    return Region.fromGeoJson(JSON.parse(readFileSync(path, "utf8")));
  }

  /** Even-odd ray casting; a point in a hole is outside. */
  contains(lat: number, lon: number): boolean {
    const { minLon, minLat, maxLon, maxLat } = this.bbox;
    if (lon < minLon || lon > maxLon || lat < minLat || lat > maxLat) return false;
    return this.polygons.some(
      (polygon) =>
        insideRing(polygon[0] ?? [], lon, lat) && !polygon.slice(1).some((hole) => insideRing(hole, lon, lat)),
    );
  }

  /** Grows the region by a margin: a camera on a pier or a sea wall is still "in Macao". */
  containsWithin(lat: number, lon: number, marginMetres: number): boolean {
    if (this.contains(lat, lon)) return true;
    if (marginMetres <= 0) return false;
    const dLat = marginMetres / 111_320;
    const dLon = marginMetres / (111_320 * Math.cos((lat * Math.PI) / 180));
    for (let step = 0; step < 8; step += 1) {
      const angle = (step * Math.PI) / 4;
      if (this.contains(lat + dLat * Math.sin(angle), lon + dLon * Math.cos(angle))) return true;
    }
    return false;
  }
}

function insideRing(ring: Ring, x: number, y: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
    const [xi, yi] = ring[i] as [number, number];
    const [xj, yj] = ring[j] as [number, number];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function collectPolygons(node: unknown): Polygon[] {
  if (typeof node !== "object" || node === null) return [];
  const value = node as { type?: string; features?: unknown[]; geometry?: unknown; coordinates?: unknown };
  switch (value.type) {
    case "FeatureCollection":
      return (value.features ?? []).flatMap(collectPolygons);
    case "Feature":
      return collectPolygons(value.geometry);
    case "Polygon":
      return [value.coordinates as Polygon];
    case "MultiPolygon":
      return value.coordinates as Polygon[];
    default:
      return [];
  }
}

/** Great-circle distance in metres (haversine; exact enough below a few kilometres). */
export function distanceMetres(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const toRad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * toRad;
  const dLon = (b.lon - a.lon) * toRad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * toRad) * Math.cos(b.lat * toRad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_008.8 * Math.asin(Math.sqrt(h));
}

/**
 * H3 resolutions the hub uses. Events are keyed in Kafka by the resolution-8 cell of their place (~0.74 km², about
 * 70 cells over Macao's land), which keeps a place's events in one partition, in order, while spreading the city
 * evenly over the partitions (see README "Partitioning"). Rows are stored with the resolution-9 cell (~0.1 km²) for
 * spatial look-ups.
 */
export const H3_PARTITION_RESOLUTION = 8;
export const H3_INDEX_RESOLUTION = 9;

export function h3Cell(lat: number, lon: number, resolution: number = H3_INDEX_RESOLUTION): string {
  return latLngToCell(lat, lon, resolution);
}

/** Path of the bundled Macao land outline (© OpenStreetMap contributors, ODbL). */
export const macaoLandPath: string = new URL("../data/macau-land.geojson", import.meta.url).pathname.replace(
  /\/dist\/data\//,
  "/data/",
);
