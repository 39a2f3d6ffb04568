import { CAMERA_STATES, type CameraState } from "@hub/contracts";

/** A stored or decoded camera state as the dashboard knows it; a state it does not know shows as "unknown". */
export function cameraState(value: string): CameraState {
  return (CAMERA_STATES as readonly string[]).includes(value) ? (value as CameraState) : "unknown";
}
