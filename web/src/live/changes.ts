import type { AlertView, CameraStatusChange, Counters, IncidentView, SensorReadingView } from "@hub/contracts";

/** One piece of live state, as the store applies it: what the Socket.IO events carry, one entity at a time. */
export type LiveChange =
  | { kind: "camera"; change: CameraStatusChange }
  | { kind: "incident"; incident: IncidentView }
  | { kind: "alert"; alert: AlertView }
  | { kind: "sensor"; reading: SensorReadingView }
  | { kind: "counters"; counters: Counters };

/** A sensor can report both water level and rainfall: each kind is its own reading. */
export const sensorKey = (reading: Pick<SensorReadingView, "sensorId" | "kind">): string =>
  `${reading.sensorId}/${reading.kind}`;

/** The entity a change is about: two changes with the same key replace each other. */
export function changeKey(change: LiveChange): string {
  switch (change.kind) {
    case "camera":
      return `camera:${change.change.cameraId}`;
    case "incident":
      return `incident:${change.incident.id}`;
    case "alert":
      return `alert:${change.alert.id}`;
    case "sensor":
      return `sensor:${sensorKey(change.reading)}`;
    case "counters":
      return "counters";
  }
}

/** Orders two changes of the same entity: versions only grow; counters carry a time instead. */
export function changeOrder(change: LiveChange): number {
  switch (change.kind) {
    case "camera":
      return change.change.version;
    case "incident":
      return change.incident.version;
    case "alert":
      return change.alert.version;
    case "sensor":
      return change.reading.version;
    case "counters":
      return Date.parse(change.counters.at);
  }
}

/** True when `candidate` should replace `current` (same entity): newer, or as new (a redelivery changes nothing). */
export const supersedes = (candidate: LiveChange, current: LiveChange): boolean =>
  changeOrder(candidate) >= changeOrder(current);
