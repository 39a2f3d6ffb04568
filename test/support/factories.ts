import { randomUUID } from "node:crypto";
import {
  type Camera,
  CameraState,
  type CameraStatus,
  CrossingDirection,
  DegradationReason,
  type Detection,
  ObjectClass,
  RuleEventType,
  type Sensor,
  SensorKind,
  type SensorReading,
} from "@hub/proto";

/** Builders for valid test data; each test overrides only what it is about. Ids are unique per call. */
let sequence = 0;
function unique(prefix: string): string {
  sequence += 1;
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${sequence}`;
}

/** Largo do Senado, on land in the Sé parish. */
export const SENADO = { lat: 22.1935, lon: 113.5405 };

export function newCamera(overrides: Partial<Camera> = {}): Camera {
  return {
    id: unique("CAM"),
    name: "Largo do Senado (north)",
    position: { ...SENADO },
    district: "Sé",
    phase: 1,
    fieldOfView: { bearingDeg: 90, angleDeg: 70, rangeM: 80 },
    state: CameraState.CAMERA_STATE_UNSPECIFIED,
    siteId: "",
    updatedAt: undefined,
    video: undefined,
    ...overrides,
  };
}

export function newDetection(cameraId: string, overrides: Partial<Detection> = {}): Detection {
  return {
    eventId: `evt-${randomUUID()}`,
    cameraId,
    observedAt: new Date(),
    objectClass: ObjectClass.OBJECT_CLASS_VEHICLE,
    confidence: 0.87,
    box: { left: 0.1, top: 0.2, right: 0.3, bottom: 0.5 },
    trackId: "t42",
    attributes: { vehicle_color: "red", vehicle_type: "van" },
    plate: { text: "MX-12-34", region: "MO", confidence: 0.93 },
    rule: {
      type: RuleEventType.RULE_EVENT_TYPE_LINE_CROSSED,
      ruleName: "Avenida de Almeida Ribeiro eastbound",
      count: 0,
      dwellSeconds: 0,
      direction: CrossingDirection.CROSSING_DIRECTION_LEFT_TO_RIGHT,
    },
    snapshotUri: "",
    ...overrides,
  };
}

export function newStatus(cameraId: string, overrides: Partial<CameraStatus> = {}): CameraStatus {
  return {
    eventId: `st-${randomUUID()}`,
    cameraId,
    observedAt: new Date(),
    state: CameraState.CAMERA_STATE_DEGRADED,
    degradationReason: DegradationReason.DEGRADATION_REASON_OBSTRUCTED,
    detail: "lens sprayed",
    signalLoss: false,
    sceneChange: true,
    ...overrides,
  };
}

export function newSensor(overrides: Partial<Sensor> = {}): Sensor {
  return {
    id: unique("SENSOR"),
    name: "Inner Harbour water level",
    position: { lat: 22.1975, lon: 113.5356 },
    district: "Santo António",
    datastreams: [
      { id: "level", kind: SensorKind.SENSOR_KIND_WATER_LEVEL, unit: "m" },
      { id: "rain", kind: SensorKind.SENSOR_KIND_RAINFALL, unit: "mm/h" },
    ],
    siteId: "",
    updatedAt: undefined,
    ...overrides,
  };
}

export function newReading(sensorId: string, overrides: Partial<SensorReading> = {}): SensorReading {
  return {
    eventId: `rd-${randomUUID()}`,
    sensorId,
    datastreamId: "level",
    kind: SensorKind.SENSOR_KIND_WATER_LEVEL,
    value: 0.42,
    unit: "m",
    observedAt: new Date(),
    position: undefined,
    ...overrides,
  };
}

export { unique };

/** What the shipped fire rule needs: a camera's fire detection and a smoke reading over the threshold, at once. */
export function fireEvidence(
  cameraId: string,
  observedAt = new Date(),
): { detection: Detection; reading: SensorReading } {
  return {
    detection: newDetection(cameraId, {
      objectClass: ObjectClass.OBJECT_CLASS_FIRE,
      confidence: 0.92,
      box: undefined,
      plate: undefined,
      rule: undefined,
      attributes: {},
      observedAt,
    }),
    reading: newReading(`sensor-${randomUUID().slice(0, 8)}`, {
      datastreamId: "smoke",
      kind: SensorKind.SENSOR_KIND_SMOKE,
      unit: "%/m",
      value: 12,
      observedAt,
    }),
  };
}
