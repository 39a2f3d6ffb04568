import type { SensorSummary } from "@hub/contracts";
import type { AddLayerObject, GeoJSONSourceSpecification } from "maplibre-gl";
import { CAMERA_COLOURS } from "./palette";

/**
 * Silent sensors (no reading for CORRELATOR_SENSOR_SILENT_AFTER_S) as rings in the silent cameras' colour, over
 * the readings layer: a sensor whose readings stop would otherwise just fade from the map after an hour.
 */
export const SILENT_SENSOR_SOURCE = "hub-sensors-silent";
export const SILENT_SENSOR_LAYER = "hub-sensors-silent";

export function silentSensorSource(): GeoJSONSourceSpecification {
  return { type: "geojson", data: { type: "FeatureCollection", features: [] } };
}

export function silentSensorLayer(): AddLayerObject {
  return {
    id: SILENT_SENSOR_LAYER,
    type: "circle",
    source: SILENT_SENSOR_SOURCE,
    paint: {
      "circle-radius": ["interpolate", ["linear"], ["zoom"], 11, 7, 16, 12],
      "circle-color": "rgba(0, 0, 0, 0)",
      "circle-stroke-color": CAMERA_COLOURS.silent,
      "circle-stroke-width": 3,
    },
  };
}

export function silentSensorFeatures(
  sensors: readonly SensorSummary[],
): GeoJSON.FeatureCollection<GeoJSON.Point, { id: string; sensorId: string }> {
  return {
    type: "FeatureCollection",
    features: sensors
      .filter((sensor) => sensor.silentSince)
      .map((sensor) => ({
        type: "Feature",
        geometry: { type: "Point", coordinates: [sensor.lon, sensor.lat] },
        properties: { id: sensor.id, sensorId: sensor.id },
      })),
  };
}
