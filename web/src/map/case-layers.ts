import type { AddLayerObject } from "maplibre-gl";
import type { GeoJSONSourceSpecification } from "./layers";
import { MAP_COLOURS } from "./palette";

/** The case-lookup map's sources: added once when the style has loaded, then only given data with `setData`. */
export const CASE_SOURCES = {
  area: "case-area",
  cameras: "case-cameras",
  fov: "case-fov",
} as const;
export type CaseSource = keyof typeof CASE_SOURCES;

export const CASE_LAYERS = {
  fovFill: "case-fov-fill",
  fovLine: "case-fov-line",
  areaFill: "case-area-fill",
  areaLine: "case-area-line",
  draftLine: "case-area-draft-line",
  vertices: "case-area-vertices",
  cameras: "case-cameras",
  cameraSelected: "case-camera-selected",
} as const;

const EMPTY: GeoJSON.FeatureCollection = { type: "FeatureCollection", features: [] };

export function caseSources(): Record<CaseSource, GeoJSONSourceSpecification> {
  return {
    area: { type: "geojson", data: EMPTY },
    cameras: { type: "geojson", data: EMPTY },
    fov: { type: "geojson", data: EMPTY },
  };
}

/** Fields of view under the area, the area's fill and outline, its corners, the cameras on top. */
export function caseLayers(): AddLayerObject[] {
  return [
    {
      id: CASE_LAYERS.fovFill,
      type: "fill",
      source: CASE_SOURCES.fov,
      paint: {
        "fill-color": MAP_COLOURS.fov,
        "fill-opacity": ["case", ["==", ["get", "role"], "selected"], 0.4, 0.15],
      },
    },
    {
      id: CASE_LAYERS.fovLine,
      type: "line",
      source: CASE_SOURCES.fov,
      paint: { "line-color": MAP_COLOURS.fov, "line-width": ["case", ["==", ["get", "role"], "selected"], 2.5, 1] },
    },
    {
      id: CASE_LAYERS.areaFill,
      type: "fill",
      source: CASE_SOURCES.area,
      filter: ["==", ["geometry-type"], "Polygon"],
      paint: {
        "fill-color": MAP_COLOURS.caseArea,
        "fill-opacity": ["case", ["==", ["get", "role"], "draft"], 0.1, 0.18],
      },
    },
    {
      id: CASE_LAYERS.areaLine,
      type: "line",
      source: CASE_SOURCES.area,
      filter: ["==", ["get", "role"], "area"],
      paint: { "line-color": MAP_COLOURS.caseArea, "line-width": 3 },
    },
    {
      // The shape being drawn: dashed, so it reads as not yet done.
      id: CASE_LAYERS.draftLine,
      type: "line",
      source: CASE_SOURCES.area,
      filter: ["any", ["==", ["get", "role"], "draft"], ["==", ["get", "role"], "outline"]],
      paint: { "line-color": MAP_COLOURS.caseArea, "line-width": 2.5, "line-dasharray": [2, 1.5] },
    },
    {
      id: CASE_LAYERS.vertices,
      type: "circle",
      source: CASE_SOURCES.area,
      filter: ["==", ["geometry-type"], "Point"],
      paint: {
        // The first corner is bigger while the outline is open: click it to close.
        "circle-radius": ["case", ["get", "closable"], 9, 5],
        "circle-color": MAP_COLOURS.sea,
        "circle-stroke-color": MAP_COLOURS.caseArea,
        "circle-stroke-width": ["case", ["get", "closable"], 3, 2],
      },
    },
    {
      id: CASE_LAYERS.cameras,
      type: "circle",
      source: CASE_SOURCES.cameras,
      paint: {
        "circle-color": MAP_COLOURS.caseCamera,
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 13, 5, 18, 9],
        "circle-stroke-color": MAP_COLOURS.sea,
        "circle-stroke-width": 1.5,
      },
    },
    {
      id: CASE_LAYERS.cameraSelected,
      type: "circle",
      source: CASE_SOURCES.cameras,
      filter: ["==", ["get", "selected"], true],
      paint: {
        "circle-color": "rgba(0,0,0,0)",
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 13, 10, 18, 15],
        "circle-stroke-color": MAP_COLOURS.selection,
        "circle-stroke-width": 3,
      },
    },
  ];
}
