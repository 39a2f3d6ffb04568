import type { AlertAreaInput, District, DistrictCode } from "@hub/contracts";
import { circleRing } from "./case-features";
import type { Position } from "./geo";

/** GeoJSON for the alert-area map: the districts (chosen ones stand out), and the areas' polygons and circles. */

export interface DistrictProperties {
  id: DistrictCode;
  /** Chosen for the area being edited. */
  selected: boolean;
  /** Chosen for another area of the alert. */
  other: boolean;
}

export function districtFeatures(
  districts: readonly District[],
  selected: ReadonlySet<DistrictCode>,
  other: ReadonlySet<DistrictCode> = new Set(),
): GeoJSON.FeatureCollection<GeoJSON.Polygon, DistrictProperties> {
  return {
    type: "FeatureCollection",
    features: districts
      .filter((district) => district.polygon.length >= 4)
      .map((district) => ({
        type: "Feature",
        geometry: { type: "Polygon", coordinates: [district.polygon] },
        properties: { id: district.code, selected: selected.has(district.code), other: other.has(district.code) },
      })),
  };
}

export interface ShapeProperties {
  /** The area's index in the alert. */
  area: number;
  /** The area being edited. */
  active: boolean;
  kind: "polygon" | "circle";
}

type AreaShapes = Pick<AlertAreaInput, "polygons" | "circles">;

/** Every area's drawn polygons and circles (a circle as a 72-sided ring). */
export function areaShapeFeatures(
  areas: readonly AreaShapes[],
  activeIndex: number,
): GeoJSON.FeatureCollection<GeoJSON.Polygon, ShapeProperties> {
  const features: GeoJSON.Feature<GeoJSON.Polygon, ShapeProperties>[] = [];
  areas.forEach((area, index) => {
    const active = index === activeIndex;
    for (const ring of area.polygons)
      if (ring.length >= 4)
        features.push({
          type: "Feature",
          geometry: { type: "Polygon", coordinates: [ring] },
          properties: { area: index, active, kind: "polygon" },
        });
    for (const circle of area.circles)
      if (circle.radiusKm > 0)
        features.push({
          type: "Feature",
          geometry: {
            type: "Polygon",
            coordinates: [circleRing(circle.center[1], circle.center[0], circle.radiusKm * 1000)],
          },
          properties: { area: index, active, kind: "circle" },
        });
  });
  return { type: "FeatureCollection", features };
}

/** The positions of an area (its shapes and its districts' outlines), to fit the map to. */
export function areaPositions(
  area: AreaShapes & { districts: readonly DistrictCode[] },
  districts: readonly District[],
) {
  const positions: Position[] = [];
  for (const ring of area.polygons) positions.push(...ring);
  for (const circle of area.circles)
    positions.push(...circleRing(circle.center[1], circle.center[0], circle.radiusKm * 1000, 8));
  for (const district of districts) if (area.districts.includes(district.code)) positions.push(...district.polygon);
  return positions;
}
