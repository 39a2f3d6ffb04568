import type { CameraState, Severity } from "@hub/contracts";

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
