import type { AddLayerObject, ExpressionSpecification } from "maplibre-gl";
import type { GeoJSONSourceSpecification } from "./layers";
import { MAP_COLOURS } from "./palette";

/** The alert-area map's sources: added once when the style has loaded, then only given data with `setData`. */
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

const EMPTY: GeoJSON.FeatureCollection = { type: "FeatureCollection", features: [] };

export function alertSources(): Record<AlertSource, GeoJSONSourceSpecification> {
  return {
    districts: { type: "geojson", data: EMPTY },
    shapes: { type: "geojson", data: EMPTY },
    draw: { type: "geojson", data: EMPTY },
  };
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
    {
      id: ALERT_LAYERS.drawFill,
      type: "fill",
      source: ALERT_SOURCES.draw,
      filter: ["==", ["geometry-type"], "Polygon"],
      paint: { "fill-color": ALERT_COLOURS.drawing, "fill-opacity": 0.15 },
    },
    {
      id: ALERT_LAYERS.drawLine,
      type: "line",
      source: ALERT_SOURCES.draw,
      filter: ["==", ["get", "role"], "area"],
      paint: { "line-color": ALERT_COLOURS.drawing, "line-width": 3 },
    },
    {
      id: ALERT_LAYERS.drawDraft,
      type: "line",
      source: ALERT_SOURCES.draw,
      filter: ["any", ["==", ["get", "role"], "draft"], ["==", ["get", "role"], "outline"]],
      paint: { "line-color": ALERT_COLOURS.drawing, "line-width": 2.5, "line-dasharray": [2, 1.5] },
    },
    {
      id: ALERT_LAYERS.drawVertices,
      type: "circle",
      source: ALERT_SOURCES.draw,
      filter: ["==", ["geometry-type"], "Point"],
      paint: {
        "circle-radius": ["case", ["get", "closable"], 9, 5],
        "circle-color": MAP_COLOURS.sea,
        "circle-stroke-color": ALERT_COLOURS.drawing,
        "circle-stroke-width": ["case", ["get", "closable"], 3, 2],
      },
    },
  ];
}
