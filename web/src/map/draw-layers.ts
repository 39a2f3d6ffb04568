import type { AddLayerObject, ExpressionSpecification } from "maplibre-gl";
import type { GeoJSONSourceSpecification } from "./layers";
import { MAP_COLOURS } from "./palette";

/**
 * The layers of the two maps that are drawn on (the case lookup's area, an alert's areas). Both show the shape being
 * drawn the same way, so one function makes those layers for either map. Every source is added once when the style
 * has loaded, then only given data with `setData`.
 */

type FillPaint = NonNullable<Extract<AddLayerObject, { type: "fill" }>["paint"]>;
type Opacity = NonNullable<FillPaint["fill-opacity"]>;

const EMPTY: GeoJSON.FeatureCollection = { type: "FeatureCollection", features: [] };

/** One empty GeoJSON source per name. */
function emptySources<S extends string>(ids: Readonly<Record<S, string>>): Record<S, GeoJSONSourceSpecification> {
  const sources = {} as Record<S, GeoJSONSourceSpecification>;
  for (const name of Object.keys(ids) as S[]) sources[name] = { type: "geojson", data: EMPTY };
  return sources;
}

/** What differs between the maps' drawing layers: their ids, their source, their colour and the fill's opacity. */
export interface DrawingLayerOptions {
  ids: { fill: string; line: string; draft: string; vertices: string };
  source: string;
  colour: string;
  fillOpacity: Opacity;
}

/** The shape being drawn: its fill, the finished outline, the dashed outline while drawing, the corners on top. */
export function drawingLayers({ ids, source, colour, fillOpacity }: DrawingLayerOptions): AddLayerObject[] {
  return [
    {
      id: ids.fill,
      type: "fill",
      source,
      filter: ["==", ["geometry-type"], "Polygon"],
      paint: { "fill-color": colour, "fill-opacity": fillOpacity },
    },
    {
      id: ids.line,
      type: "line",
      source,
      filter: ["==", ["get", "role"], "area"],
      paint: { "line-color": colour, "line-width": 3 },
    },
    {
      // The shape being drawn: dashed, so it reads as not yet done.
      id: ids.draft,
      type: "line",
      source,
      filter: ["any", ["==", ["get", "role"], "draft"], ["==", ["get", "role"], "outline"]],
      paint: { "line-color": colour, "line-width": 2.5, "line-dasharray": [2, 1.5] },
    },
    {
      id: ids.vertices,
      type: "circle",
      source,
      filter: ["==", ["geometry-type"], "Point"],
      paint: {
        // The first corner is bigger while the outline is open: click it to close.
        "circle-radius": ["case", ["get", "closable"], 9, 5],
        "circle-color": MAP_COLOURS.sea,
        "circle-stroke-color": colour,
        "circle-stroke-width": ["case", ["get", "closable"], 3, 2],
      },
    },
  ];
}

// The case lookup's map.

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

export function caseSources(): Record<CaseSource, GeoJSONSourceSpecification> {
  return emptySources(CASE_SOURCES);
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
    ...drawingLayers({
      ids: {
        fill: CASE_LAYERS.areaFill,
        line: CASE_LAYERS.areaLine,
        draft: CASE_LAYERS.draftLine,
        vertices: CASE_LAYERS.vertices,
      },
      source: CASE_SOURCES.area,
      colour: MAP_COLOURS.caseArea,
      fillOpacity: ["case", ["==", ["get", "role"], "draft"], 0.1, 0.18],
    }),
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

// The alert editor's map.

export const ALERT_SOURCES = {
  districts: "alert-districts",
  shapes: "alert-shapes",
  draw: "alert-draw",
} as const;
export type AlertSource = keyof typeof ALERT_SOURCES;

export const ALERT_LAYERS = {
  districtFill: "alert-district-fill",
  districtLine: "alert-district-line",
  shapeFill: "alert-shape-fill",
  shapeLine: "alert-shape-line",
  drawFill: "alert-draw-fill",
  drawLine: "alert-draw-line",
  drawDraft: "alert-draw-draft",
  drawVertices: "alert-draw-vertices",
} as const;

/** Districts in violet, the alert's drawn areas in red, the shape being drawn in amber (as the case lookup's). */
export const ALERT_COLOURS = {
  district: "#c297ff",
  area: "#ff6b6b",
  drawing: MAP_COLOURS.caseArea,
} as const;

export function alertSources(): Record<AlertSource, GeoJSONSourceSpecification> {
  return emptySources(ALERT_SOURCES);
}

const selected: ExpressionSpecification = ["==", ["get", "selected"], true];
const other: ExpressionSpecification = ["==", ["get", "other"], true];
const active: ExpressionSpecification = ["==", ["get", "active"], true];

/** District fills (chosen: stronger) and outlines (chosen: thick, others: dashed), the areas, the drawing on top. */
export function alertLayers(): AddLayerObject[] {
  return [
    {
      id: ALERT_LAYERS.districtFill,
      type: "fill",
      source: ALERT_SOURCES.districts,
      paint: {
        "fill-color": ALERT_COLOURS.district,
        "fill-opacity": ["case", selected, 0.4, other, 0.18, 0.04],
      },
    },
    {
      id: ALERT_LAYERS.districtLine,
      type: "line",
      source: ALERT_SOURCES.districts,
      paint: {
        "line-color": ALERT_COLOURS.district,
        "line-width": ["case", selected, 3.5, 1.5],
        "line-dasharray": [3, 2],
      },
    },
    {
      id: ALERT_LAYERS.shapeFill,
      type: "fill",
      source: ALERT_SOURCES.shapes,
      paint: { "fill-color": ALERT_COLOURS.area, "fill-opacity": ["case", active, 0.3, 0.12] },
    },
    {
      id: ALERT_LAYERS.shapeLine,
      type: "line",
      source: ALERT_SOURCES.shapes,
      paint: { "line-color": ALERT_COLOURS.area, "line-width": ["case", active, 3, 1.5] },
    },
    ...drawingLayers({
      ids: {
        fill: ALERT_LAYERS.drawFill,
        line: ALERT_LAYERS.drawLine,
        draft: ALERT_LAYERS.drawDraft,
        vertices: ALERT_LAYERS.drawVertices,
      },
      source: ALERT_SOURCES.draw,
      colour: ALERT_COLOURS.drawing,
      fillOpacity: 0.15,
    }),
  ];
}
