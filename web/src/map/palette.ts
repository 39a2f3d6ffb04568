import type { CameraState, Severity } from "@hub/contracts";
import type { Theme } from "../theme/theme";

/** Map colours, chosen to read on the dark sea and land of the offline base map (and on a video wall). */
export const MAP_COLOURS = {
  sea: "#08131f",
  land: "#1b2733",
  landOutline: "#4a6075",
  cluster: "#3b82c4",
  clusterWithOffline: "#d9480f",
  clusterStroke: "#e6edf3",
  fov: "#79c0ff",
  selection: "#ffffff",
  /** The case lookup's search area: amber, apart from everything else on the map. */
  caseArea: "#ffb454",
  caseCamera: "#3fb950",
} as const;

export const CAMERA_COLOURS: Record<CameraState, string> = {
  online: "#3fb950",
  degraded: "#e3b341",
  offline: "#ff6b6b",
  /** Not heard for CORRELATOR_CAMERA_SILENT_AFTER_S: violet, apart from the states a camera reports. */
  silent: "#c297ff",
  /** Under a maintenance window: faults expected, no camera-fault incidents. */
  maintenance: "#6cb6ff",
  unknown: "#8b949e",
};

export const SEVERITY_COLOURS: Record<Severity, string> = {
  minor: "#79c0ff",
  moderate: "#e3b341",
  severe: "#ff9a3c",
  extreme: "#ff4d4f",
};

/** Sensor reading levels: normal, watch, danger. */
export const LEVEL_COLOURS = ["#56d4dd", "#e3b341", "#ff4d4f"] as const;

/**
 * The colours that depend on the background, per theme: the offline base map, the rings drawn around clusters and
 * selections, and the edge of a camera dot. The light base is a pale sea and land with a darker outline; the rings
 * turn dark so that they still stand out. Dark is MAP_COLOURS' own.
 */
export const BASE_COLOURS: Record<
  Theme,
  { sea: string; land: string; landOutline: string; clusterStroke: string; selection: string; markerEdge: string }
> = {
  dark: {
    sea: MAP_COLOURS.sea,
    land: MAP_COLOURS.land,
    landOutline: MAP_COLOURS.landOutline,
    clusterStroke: MAP_COLOURS.clusterStroke,
    selection: MAP_COLOURS.selection,
    markerEdge: MAP_COLOURS.sea,
  },
  light: {
    sea: "#c9dcec",
    land: "#f4f1ea",
    landOutline: "#6b7f93",
    clusterStroke: "#1f2a36",
    selection: "#0b0f14",
    markerEdge: "#1f2a36",
  },
};
