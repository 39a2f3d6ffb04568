import type { AddLayerObject, Map as MapLibreMap, MapOptions } from "maplibre-gl";
import type { Theme } from "../theme/theme";
import { BASE_COLOURS, CAMERA_COLOURS, LEVEL_COLOURS, MAP_COLOURS, SEVERITY_COLOURS } from "./palette";

/** The style types, taken from MapLibre's own signatures rather than its style-spec package. */
export type StyleSpecification = Exclude<MapOptions["style"], string | undefined>;
export type SourceSpecification = StyleSpecification["sources"][string];
export type GeoJSONSourceSpecification = Extract<SourceSpecification, { type: "geojson" }>;

/** The hub's sources: each is added once, then only ever given new data with `setData`. */
export const SOURCES = {
  cameras: "hub-cameras",
  fov: "hub-fov",
  incidents: "hub-incidents",
  sensors: "hub-sensors",
  alerts: "hub-alerts",
} as const;
export type HubSource = keyof typeof SOURCES;

export const LAYERS = {
  alertFill: "hub-alerts-fill",
  alertLine: "hub-alerts-line",
  fovFill: "hub-fov-fill",
  fovLine: "hub-fov-line",
  sensors: "hub-sensors",
  clusters: "hub-camera-clusters",
  cameras: "hub-cameras",
  cameraSelected: "hub-camera-selected",
  incidentPulse: "hub-incidents-pulse",
  incidents: "hub-incidents",
  incidentSelected: "hub-incident-selected",
} as const;

/** Camera points merge into clusters up to this zoom; from the next one every camera is its own circle. */
export const CLUSTER_MAX_ZOOM = 15;

const EMPTY: GeoJSON.FeatureCollection = { type: "FeatureCollection", features: [] };

export function hubSources(): Record<HubSource, GeoJSONSourceSpecification> {
  return {
    cameras: {
      type: "geojson",
      data: EMPTY,
      cluster: true,
      clusterMaxZoom: CLUSTER_MAX_ZOOM,
      clusterRadius: 40,
      // Per cluster: how many of its cameras are offline (or silent) or degraded (drives its colour and ring).
      clusterProperties: {
        offline: ["+", ["case", ["in", ["get", "state"], ["literal", ["offline", "silent"]]], 1, 0]],
        degraded: ["+", ["case", ["==", ["get", "state"], "degraded"], 1, 0]],
      },
    },
    fov: { type: "geojson", data: EMPTY },
    incidents: { type: "geojson", data: EMPTY },
    sensors: { type: "geojson", data: EMPTY },
    alerts: { type: "geojson", data: EMPTY },
  };
}

type CirclePaint = NonNullable<Extract<AddLayerObject, { type: "circle" }>["paint"]>;
type ColourValue = NonNullable<CirclePaint["circle-color"]>;

const severityColour: ColourValue = [
  "match",
  ["get", "severity"],
  "minor",
  SEVERITY_COLOURS.minor,
  "moderate",
  SEVERITY_COLOURS.moderate,
  "severe",
  SEVERITY_COLOURS.severe,
  "extreme",
  SEVERITY_COLOURS.extreme,
  SEVERITY_COLOURS.minor,
];

/** Circles, fills and lines only: the offline style has no glyphs or sprites, so no symbol layers. */
export function hubLayers(theme: Theme = "dark"): AddLayerObject[] {
  const base = BASE_COLOURS[theme];
  return [
    {
      id: LAYERS.alertFill,
      type: "fill",
      source: SOURCES.alerts,
      paint: { "fill-color": severityColour, "fill-opacity": 0.18 },
    },
    {
      id: LAYERS.alertLine,
      type: "line",
      source: SOURCES.alerts,
      paint: { "line-color": severityColour, "line-width": 2.5, "line-dasharray": [3, 2] },
    },
    {
      id: LAYERS.fovFill,
      type: "fill",
      source: SOURCES.fov,
      paint: {
        "fill-color": MAP_COLOURS.fov,
        "fill-opacity": ["case", ["==", ["get", "role"], "selected"], 0.35, 0.2],
      },
    },
    {
      id: LAYERS.fovLine,
      type: "line",
      source: SOURCES.fov,
      paint: { "line-color": MAP_COLOURS.fov, "line-width": ["case", ["==", ["get", "role"], "selected"], 2, 1] },
    },
    {
      id: LAYERS.sensors,
      type: "circle",
      source: SOURCES.sensors,
      paint: {
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 11, 5, 16, 9],
        // Water level: filled; rainfall: a ring. Colour: normal, watch, danger.
        "circle-color": [
          "case",
          ["==", ["get", "kind"], "rainfall"],
          base.sea,
          ["match", ["get", "level"], 2, LEVEL_COLOURS[2], 1, LEVEL_COLOURS[1], LEVEL_COLOURS[0]],
        ],
        "circle-stroke-color": ["match", ["get", "level"], 2, LEVEL_COLOURS[2], 1, LEVEL_COLOURS[1], LEVEL_COLOURS[0]],
        "circle-stroke-width": ["case", ["==", ["get", "kind"], "rainfall"], 3, 1],
      },
    },
    {
      id: LAYERS.clusters,
      type: "circle",
      source: SOURCES.cameras,
      filter: ["has", "point_count"],
      paint: {
        "circle-color": ["case", [">", ["get", "offline"], 0], MAP_COLOURS.clusterWithOffline, MAP_COLOURS.cluster],
        "circle-opacity": 0.85,
        // The count is in the size (no text without glyphs); the panel lists the numbers.
        "circle-radius": ["step", ["get", "point_count"], 9, 10, 13, 50, 17, 200, 22, 500, 28],
        "circle-stroke-color": base.clusterStroke,
        "circle-stroke-width": ["case", [">", ["get", "degraded"], 0], 3, 1.5],
      },
    },
    {
      id: LAYERS.cameras,
      type: "circle",
      source: SOURCES.cameras,
      filter: ["!", ["has", "point_count"]],
      paint: {
        "circle-color": [
          "match",
          ["get", "state"],
          "online",
          CAMERA_COLOURS.online,
          "degraded",
          CAMERA_COLOURS.degraded,
          "offline",
          CAMERA_COLOURS.offline,
          "silent",
          CAMERA_COLOURS.silent,
          "maintenance",
          CAMERA_COLOURS.maintenance,
          CAMERA_COLOURS.unknown,
        ],
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 14, 4, 18, 8],
        "circle-stroke-color": base.markerEdge,
        "circle-stroke-width": 1,
      },
    },
    {
      id: LAYERS.cameraSelected,
      type: "circle",
      source: SOURCES.cameras,
      filter: ["==", ["get", "id"], ""],
      paint: {
        "circle-color": "rgba(0,0,0,0)",
        "circle-radius": ["interpolate", ["linear"], ["zoom"], 14, 9, 18, 14],
        "circle-stroke-color": base.selection,
        "circle-stroke-width": 3,
      },
    },
    {
      id: LAYERS.incidentPulse,
      type: "circle",
      source: SOURCES.incidents,
      filter: ["==", ["get", "isNew"], true],
      paint: {
        "circle-color": "rgba(0,0,0,0)",
        "circle-radius": ["+", 16, ["*", 3, ["get", "rank"]]],
        "circle-stroke-color": severityColour,
        "circle-stroke-width": 4,
        "circle-stroke-opacity": 0.9,
      },
    },
    {
      id: LAYERS.incidents,
      type: "circle",
      source: SOURCES.incidents,
      paint: {
        "circle-color": severityColour,
        "circle-radius": ["+", 7, ["*", 3, ["get", "rank"]]],
        // Incidents past "new" (acknowledged, dispatched, on scene) are dimmer: someone is on them.
        "circle-opacity": ["case", ["!=", ["get", "status"], "open"], 0.6, 1],
        "circle-stroke-color": "#ffffff",
        "circle-stroke-width": ["case", ["!=", ["get", "status"], "open"], 1, 2],
      },
    },
    {
      id: LAYERS.incidentSelected,
      type: "circle",
      source: SOURCES.incidents,
      filter: ["==", ["get", "id"], ""],
      paint: {
        "circle-color": "rgba(0,0,0,0)",
        "circle-radius": ["+", 12, ["*", 3, ["get", "rank"]]],
        "circle-stroke-color": base.selection,
        "circle-stroke-width": 3,
      },
    },
  ];
}

/**
 * The base map without a network: sea, Macao's land outline as fill and line, in the theme's colours. `landUrl`
 * must be absolute (the worker fetches it).
 */
export function offlineStyle(landUrl: string, theme: Theme = "dark"): StyleSpecification {
  const base = BASE_COLOURS[theme];
  return {
    version: 8,
    name: "Macao offline",
    sources: { land: { type: "geojson", data: landUrl } },
    layers: [
      { id: BASE_LAYERS.background, type: "background", paint: { "background-color": base.sea } },
      { id: BASE_LAYERS.landFill, type: "fill", source: "land", paint: { "fill-color": base.land } },
      {
        id: BASE_LAYERS.landLine,
        type: "line",
        source: "land",
        paint: { "line-color": base.landOutline, "line-width": 1 },
      },
    ],
  };
}

/** The offline base map's layers (a configured style has its own, which the theme leaves alone). */
export const BASE_LAYERS = { background: "background", landFill: "land-fill", landLine: "land-line" } as const;

export interface ThemePaint {
  layer: string;
  property: Parameters<MapLibreMap["setPaintProperty"]>[1];
  value: Parameters<MapLibreMap["setPaintProperty"]>[2];
}

/**
 * Every paint property that hubLayers and offlineStyle take from the theme, so that a theme change is a few
 * setPaintProperty calls: the sources and their data stay (a new style would drop them).
 */
export function themePaint(theme: Theme): ThemePaint[] {
  const base = BASE_COLOURS[theme];
  return [
    { layer: BASE_LAYERS.background, property: "background-color", value: base.sea },
    { layer: BASE_LAYERS.landFill, property: "fill-color", value: base.land },
    { layer: BASE_LAYERS.landLine, property: "line-color", value: base.landOutline },
    {
      layer: LAYERS.sensors,
      property: "circle-color",
      value: [
        "case",
        ["==", ["get", "kind"], "rainfall"],
        base.sea,
        ["match", ["get", "level"], 2, LEVEL_COLOURS[2], 1, LEVEL_COLOURS[1], LEVEL_COLOURS[0]],
      ],
    },
    { layer: LAYERS.clusters, property: "circle-stroke-color", value: base.clusterStroke },
    { layer: LAYERS.cameras, property: "circle-stroke-color", value: base.markerEdge },
    { layer: LAYERS.cameraSelected, property: "circle-stroke-color", value: base.selection },
    { layer: LAYERS.incidentSelected, property: "circle-stroke-color", value: base.selection },
  ];
}
