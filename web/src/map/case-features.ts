import type { CaseCamera } from "@hub/contracts";
import { circleToShow, closedRing, type DrawState } from "../cases/draw";
import { destination, fovSector, type Position } from "./geo";

/** GeoJSON for the case-lookup map: the area being drawn or drawn, and the cameras that cover it. */

export interface AreaProperties {
  /** "area": a finished shape; "draft": a circle being drawn; "outline": an open polygon; "vertex"/"centre": points. */
  role: "area" | "draft" | "outline" | "vertex" | "centre";
  /** The first corner of an open outline that can be closed by clicking it. */
  closable: boolean;
}

type AreaFeature = GeoJSON.Feature<GeoJSON.Polygon | GeoJSON.LineString | GeoJSON.Point, AreaProperties>;

/** A circle as a closed ring of `segments` + 1 points, `radiusM` from the centre. */
export function circleRing(lat: number, lon: number, radiusM: number, segments = 72): Position[] {
  const ring: Position[] = [];
  for (let i = 0; i < segments; i += 1) ring.push(destination(lat, lon, (360 * i) / segments, radiusM));
  ring.push(ring[0] as Position);
  return ring;
}

const feature = (geometry: AreaFeature["geometry"], role: AreaProperties["role"], closable = false): AreaFeature => ({
  type: "Feature",
  geometry,
  properties: { role, closable },
});

/** What the area source shows for the drawing state. */
export function areaFeatures(state: DrawState): GeoJSON.FeatureCollection<AreaFeature["geometry"], AreaProperties> {
  const features: AreaFeature[] = [];
  if (state.mode === "circle") {
    const circle = circleToShow(state);
    if (circle) {
      const [lon, lat] = circle.centre;
      if (circle.radiusM >= 1)
        features.push(
          feature(
            { type: "Polygon", coordinates: [circleRing(lat, lon, circle.radiusM)] },
            circle.draft ? "draft" : "area",
          ),
        );
      features.push(feature({ type: "Point", coordinates: circle.centre }, "centre"));
    }
  } else {
    const { corners, closed, cursor } = state;
    if (closed && corners.length >= 3) {
      features.push(feature({ type: "Polygon", coordinates: [closedRing(corners)] }, "area"));
    } else if (corners.length > 0) {
      const line = cursor ? [...corners, cursor] : corners;
      if (line.length >= 2) features.push(feature({ type: "LineString", coordinates: line }, "outline"));
    }
    corners.forEach((corner, index) => {
      const closable = index === 0 && !closed && corners.length >= 3;
      features.push(feature({ type: "Point", coordinates: corner }, "vertex", closable));
    });
  }
  return { type: "FeatureCollection", features };
}

export interface CaseCameraProperties {
  id: string;
  name: string;
  selected: boolean;
}

export function caseCameraFeatures(
  cameras: readonly CaseCamera[],
  selectedId: string | null,
): GeoJSON.FeatureCollection<GeoJSON.Point, CaseCameraProperties> {
  return {
    type: "FeatureCollection",
    features: cameras.map((camera) => ({
      type: "Feature",
      geometry: { type: "Point", coordinates: [camera.lon, camera.lat] },
      properties: { id: camera.id, name: camera.name, selected: camera.id === selectedId },
    })),
  };
}

/** Every covering camera's field of view; the selected one drawn last (on top). */
export function caseFovFeatures(
  cameras: readonly CaseCamera[],
  selectedId: string | null,
): GeoJSON.FeatureCollection<GeoJSON.Polygon, { id: string; role: "selected" | "covering" }> {
  const ordered = [...cameras].sort((a, b) => Number(a.id === selectedId) - Number(b.id === selectedId));
  return {
    type: "FeatureCollection",
    features: ordered.map((camera) => ({
      type: "Feature",
      geometry: {
        type: "Polygon",
        coordinates: [fovSector(camera.lat, camera.lon, camera.bearingDeg, camera.fovAngleDeg, camera.rangeM)],
      },
      properties: { id: camera.id, role: camera.id === selectedId ? "selected" : "covering" },
    })),
  };
}

export type Bounds = [[west: number, south: number], [east: number, north: number]];

/** The box around all the positions (null when there are none). */
export function boundsOf(positions: Iterable<Position>): Bounds | null {
  let west = Number.POSITIVE_INFINITY;
  let south = Number.POSITIVE_INFINITY;
  let east = Number.NEGATIVE_INFINITY;
  let north = Number.NEGATIVE_INFINITY;
  for (const [lon, lat] of positions) {
    west = Math.min(west, lon);
    east = Math.max(east, lon);
    south = Math.min(south, lat);
    north = Math.max(north, lat);
  }
  return Number.isFinite(west)
    ? [
        [west, south],
        [east, north],
      ]
    : null;
}

/** The area and the covering cameras' fields of view, to fit the map to after a search. */
export function resultPositions(area: GeoJSON.FeatureCollection, cameras: readonly CaseCamera[]): Position[] {
  const positions: Position[] = [];
  const add = (geometry: GeoJSON.Geometry) => {
    if (geometry.type === "Point") positions.push(geometry.coordinates as Position);
    else if (geometry.type === "LineString") positions.push(...(geometry.coordinates as Position[]));
    else if (geometry.type === "Polygon")
      for (const ring of geometry.coordinates) positions.push(...(ring as Position[]));
  };
  for (const item of area.features) add(item.geometry);
  for (const item of caseFovFeatures(cameras, null).features) add(item.geometry);
  return positions;
}
