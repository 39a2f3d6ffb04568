import type {
  AlertView,
  CameraState,
  CameraView,
  IncidentView,
  MapSensorKind,
  SensorReadingView,
  Severity,
} from "@hub/contracts";
import { sensorKey } from "../live/changes";
import { severityRank } from "../live/store";
import { fovSector } from "./geo";

/** GeoJSON builders, one per map source: plain data in, a FeatureCollection for `setData` out. */

export type Collection<G extends GeoJSON.Geometry, P> = GeoJSON.FeatureCollection<G, P>;

export interface CameraProperties {
  id: string;
  name: string;
  state: CameraState;
}

export function cameraFeatures(cameras: readonly CameraView[]): Collection<GeoJSON.Point, CameraProperties> {
  return {
    type: "FeatureCollection",
    features: cameras.map((camera) => ({
      type: "Feature",
      geometry: { type: "Point", coordinates: [camera.lon, camera.lat] },
      properties: { id: camera.id, name: camera.name, state: camera.state },
    })),
  };
}

export interface FovProperties {
  id: string;
  /** "selected" is drawn stronger than "hovered". */
  role: "selected" | "hovered";
}

/** The field of view of the selected camera and, if another, the hovered one. */
export function fovFeatures(
  selected: CameraView | undefined,
  hovered: CameraView | undefined,
): Collection<GeoJSON.Polygon, FovProperties> {
  const features: GeoJSON.Feature<GeoJSON.Polygon, FovProperties>[] = [];
  const add = (camera: CameraView, role: FovProperties["role"]) =>
    features.push({
      type: "Feature",
      geometry: {
        type: "Polygon",
        coordinates: [fovSector(camera.lat, camera.lon, camera.bearingDeg, camera.fovAngleDeg, camera.rangeM)],
      },
      properties: { id: camera.id, role },
    });
  if (hovered && hovered.id !== selected?.id) add(hovered, "hovered");
  if (selected) add(selected, "selected");
  return { type: "FeatureCollection", features };
}

export interface IncidentProperties {
  id: string;
  severity: Severity;
  /** 0 (minor) … 3 (extreme): drives size and draw order. */
  rank: number;
  status: IncidentView["status"];
  kind: string;
  /** Opened in the last few seconds: drawn with a pulsing ring. */
  isNew: boolean;
}

export function incidentFeatures(
  incidents: readonly IncidentView[],
  isNew: (id: string) => boolean,
): Collection<GeoJSON.Point, IncidentProperties> {
  return {
    type: "FeatureCollection",
    // Least severe first, so the most severe is drawn on top.
    features: [...incidents]
      .sort((a, b) => severityRank(a.severity) - severityRank(b.severity))
      .map((incident) => ({
        type: "Feature",
        geometry: { type: "Point", coordinates: [incident.lon, incident.lat] },
        properties: {
          id: incident.id,
          severity: incident.severity,
          rank: severityRank(incident.severity),
          status: incident.status,
          kind: incident.kind,
          isNew: isNew(incident.id),
        },
      })),
  };
}

/**
 * Level thresholds: water level is metres above road level at the inner harbour (0 = water on the street);
 * rainfall in mm/h, after the amber (30) and red (50) rainstorm signals.
 */
export const SENSOR_THRESHOLDS: Record<MapSensorKind, readonly [watch: number, danger: number]> = {
  water_level: [0, 0.5],
  rainfall: [30, 50],
};

/** 0 normal, 1 watch, 2 danger. */
export function sensorLevel(kind: MapSensorKind, value: number): 0 | 1 | 2 {
  const [watch, danger] = SENSOR_THRESHOLDS[kind];
  if (value >= danger) return 2;
  if (value >= watch) return 1;
  return 0;
}

export interface SensorProperties {
  id: string;
  sensorId: string;
  kind: MapSensorKind;
  value: number;
  unit: string;
  level: 0 | 1 | 2;
}

export function sensorFeatures(readings: readonly SensorReadingView[]): Collection<GeoJSON.Point, SensorProperties> {
  return {
    type: "FeatureCollection",
    features: readings.map((reading) => ({
      type: "Feature",
      geometry: { type: "Point", coordinates: [reading.lon, reading.lat] },
      properties: {
        id: sensorKey(reading),
        sensorId: reading.sensorId,
        kind: reading.kind,
        value: reading.value,
        unit: reading.unit,
        level: sensorLevel(reading.kind, reading.value),
      },
    })),
  };
}

export interface AlertProperties {
  id: string;
  severity: Severity;
  rank: number;
}

/** One feature per active alert: all the rings of all its areas as one MultiPolygon. */
export function alertFeatures(alerts: readonly AlertView[]): Collection<GeoJSON.MultiPolygon, AlertProperties> {
  return {
    type: "FeatureCollection",
    features: alerts
      .filter((alert) => alert.state === "active")
      .map((alert) => ({
        type: "Feature",
        geometry: {
          type: "MultiPolygon",
          coordinates: alert.areas.flatMap((area) =>
            area.polygons.filter((ring) => ring.length >= 4).map((ring) => [ring]),
          ),
        },
        properties: { id: alert.id, severity: alert.severity, rank: severityRank(alert.severity) },
      })),
  };
}

/** How many cameras are in each state: the map's cluster colours, said in words for screen readers. */
export function countCameraStates(cameras: readonly CameraView[]): Record<CameraState, number> {
  const counts: Record<CameraState, number> = {
    online: 0,
    degraded: 0,
    offline: 0,
    silent: 0,
    maintenance: 0,
    unknown: 0,
  };
  for (const camera of cameras) counts[camera.state] += 1;
  return counts;
}
