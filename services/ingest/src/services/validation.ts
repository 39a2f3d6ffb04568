import { LimitExceededError, type Region, ValidationError } from "@hub/common";
import {
  type BoundingBox,
  type Camera,
  CameraState,
  type CameraStatus,
  type CameraVideo,
  CrossingDirection,
  DegradationReason,
  type Detection,
  type GeoPoint,
  type LicensePlate,
  ObjectClass,
  type RuleEvent,
  RuleEventType,
  type Sensor,
  SensorKind,
  type SensorReading,
} from "@hub/proto";

/**
 * Pure checks of what devices send. Every error names the field path inside the checked message (e.g. "box.left");
 * callers prefix it with where the message sits in the request. Size and count limits raise RESOURCE_EXHAUSTED,
 * everything else INVALID_ARGUMENT.
 */
export interface ValidationLimits {
  region: Region;
  regionMarginM: number;
  maxFutureSkewMs: number;
  maxEventAgeMs: number;
}

const DEVICE_ID = /^[A-Za-z0-9._:-]{3,64}$/;
const EVENT_ID = /^[A-Za-z0-9._:-]{8,128}$/;
const DATASTREAM_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const ATTRIBUTE_KEY = /^[a-z0-9_]{1,32}$/;
// Macao, Hong Kong and mainland cross-boundary plates: capitals, digits, Han characters, '-' and '·'.
const PLATE_TEXT = /^[\p{Lu}\p{Nd}\p{Script=Han}·-]{1,16}$/u;
const PLATE_REGION = /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/;

const MAX_ATTRIBUTES = 16;
const MAX_DATASTREAMS = 16;

/** The one accepted unit (UCUM code) of each sensor kind, and the range a working sensor can report. */
export const sensorKinds: ReadonlyMap<SensorKind, { unit: string; min: number; max: number }> = new Map([
  [SensorKind.SENSOR_KIND_WATER_LEVEL, { unit: "m", min: -10, max: 20 }],
  [SensorKind.SENSOR_KIND_RAINFALL, { unit: "mm/h", min: 0, max: 500 }],
  [SensorKind.SENSOR_KIND_WIND_SPEED, { unit: "m/s", min: 0, max: 120 }],
  [SensorKind.SENSOR_KIND_SMOKE, { unit: "%/m", min: 0, max: 100 }],
  [SensorKind.SENSOR_KIND_TEMPERATURE, { unit: "Cel", min: -50, max: 1200 }],
  [SensorKind.SENSOR_KIND_STRUCTURAL_TILT, { unit: "deg", min: -90, max: 90 }],
  [SensorKind.SENSOR_KIND_AIR_QUALITY, { unit: "ug/m3", min: 0, max: 5000 }],
  [SensorKind.SENSOR_KIND_HUMIDITY, { unit: "%", min: 0, max: 100 }],
]);

/** Classes whose detection may cover the whole scene, so a box is optional. */
const SCENE_CLASSES = new Set([
  ObjectClass.OBJECT_CLASS_CROWD,
  ObjectClass.OBJECT_CLASS_FIRE,
  ObjectClass.OBJECT_CLASS_SMOKE,
  ObjectClass.OBJECT_CLASS_WATER,
]);

export function checkDeviceId(value: string, field: string): void {
  if (!value) throw new ValidationError(field, "is required");
  if (value.length > 64) throw new LimitExceededError(field, "must be at most 64 characters");
  if (!DEVICE_ID.test(value)) throw new ValidationError(field, "must be 3..64 characters of [A-Za-z0-9._:-]");
}

export function checkEventId(value: string, field = "event_id"): void {
  if (!value) throw new ValidationError(field, "is required (the producer's idempotency key)");
  if (value.length > 128) throw new LimitExceededError(field, "must be at most 128 characters");
  if (!EVENT_ID.test(value)) throw new ValidationError(field, "must be 8..128 characters of [A-Za-z0-9._:-]");
}

function checkText(value: string, field: string, max: number, required: boolean): void {
  if (required && value.trim().length === 0) throw new ValidationError(field, "is required");
  if (value.length > max) throw new LimitExceededError(field, `must be at most ${max} characters`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(value)) {
    throw new ValidationError(field, "must not contain control characters");
  }
}

function checkEnum(value: number, values: Record<number | string, string | number>, field: string): void {
  if (value === 0) throw new ValidationError(field, "is required (UNSPECIFIED is not allowed)");
  if (typeof values[value] !== "string" || value < 0) throw new ValidationError(field, `unknown value ${value}`);
}

function checkFinite(value: number, field: string, min: number, max: number, inclusiveMax = true): void {
  if (!Number.isFinite(value)) throw new ValidationError(field, "must be a finite number");
  if (value < min || (inclusiveMax ? value > max : value >= max)) {
    throw new ValidationError(
      field,
      `must be within ${min}..${max}${inclusiveMax ? "" : " (exclusive)"}, got ${value}`,
    );
  }
}

export function checkPosition(position: GeoPoint | undefined, field: string, limits: ValidationLimits): GeoPoint {
  if (!position) throw new ValidationError(field, "is required");
  checkFinite(position.lat, `${field}.lat`, -90, 90);
  checkFinite(position.lon, `${field}.lon`, -180, 180);
  if (!limits.region.containsWithin(position.lat, position.lon, limits.regionMarginM)) {
    throw new ValidationError(field, `(${position.lat}, ${position.lon}) is outside the hub's region`);
  }
  return position;
}

export function checkObservedAt(
  value: Date | undefined,
  now: number,
  limits: ValidationLimits,
  field = "observed_at",
): Date {
  if (!value) throw new ValidationError(field, "is required");
  const time = value.getTime();
  if (!Number.isFinite(time)) throw new ValidationError(field, "is not a valid timestamp");
  if (time > now + limits.maxFutureSkewMs) {
    throw new ValidationError(field, `is ${Math.round((time - now) / 1000)} s in the future (device clock wrong?)`);
  }
  if (time < now - limits.maxEventAgeMs) {
    throw new ValidationError(field, `is older than the ${Math.round(limits.maxEventAgeMs / 3_600_000)} h accepted`);
  }
  return value;
}

export function validateCamera(camera: Camera | undefined, limits: ValidationLimits): Camera {
  if (!camera) throw new ValidationError("camera", "is required");
  checkDeviceId(camera.id, "camera.id");
  checkText(camera.name, "camera.name", 200, true);
  checkPosition(camera.position, "camera.position", limits);
  checkText(camera.district, "camera.district", 64, true);
  if (!Number.isInteger(camera.phase) || camera.phase < 1 || camera.phase > 5) {
    throw new ValidationError("camera.phase", `must be an installation phase 1..5, got ${camera.phase}`);
  }
  const fov = camera.fieldOfView;
  if (!fov) throw new ValidationError("camera.field_of_view", "is required");
  checkFinite(fov.bearingDeg, "camera.field_of_view.bearing_deg", 0, 360, false);
  checkFinite(fov.angleDeg, "camera.field_of_view.angle_deg", 0, 360);
  if (fov.angleDeg === 0) throw new ValidationError("camera.field_of_view.angle_deg", "must be greater than 0");
  checkFinite(fov.rangeM, "camera.field_of_view.range_m", 0, 2000);
  if (fov.rangeM === 0) throw new ValidationError("camera.field_of_view.range_m", "must be greater than 0");
  if (camera.video) checkVideo(camera.video, "camera.video");
  return camera;
}

export const MAX_URI_LENGTH = 1024;
const RECORDER_CAMERA = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * A URI a device gives the hub: absolute, one of `schemes`, at most 1024 characters, no user:password (recorder
 * credentials are the site's, never in a registry row or an event). Length and scheme problems are INVALID_ARGUMENT
 * with the field path, like every other malformed field.
 */
export function checkUri(value: string, field: string, schemes: readonly string[]): URL {
  if (value.length > MAX_URI_LENGTH) throw new ValidationError(field, `must be at most ${MAX_URI_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ValidationError(field, "must be an absolute URI");
  }
  if (!schemes.includes(url.protocol.slice(0, -1))) {
    throw new ValidationError(field, `must use ${schemes.join(", ")} (got ${url.protocol.slice(0, 16)})`);
  }
  if (url.username || url.password) throw new ValidationError(field, "must not carry a user name or password");
  if (!url.hostname) throw new ValidationError(field, "must name a host");
  return url;
}

export const LIVE_SCHEMES = ["rtsp", "rtsps", "https"] as const;
export const HTTP_SCHEMES = ["http", "https"] as const;

function checkVideo(video: CameraVideo, field: string): void {
  if (video.liveUri) checkUri(video.liveUri, `${field}.live_uri`, LIVE_SCHEMES);
  const recording = video.recording;
  if (recording?.$case === "onvifDeviceUri") {
    checkUri(recording.value, `${field}.onvif_device_uri`, HTTP_SCHEMES);
  } else if (recording?.$case === "recorderCamera" && !RECORDER_CAMERA.test(recording.value)) {
    throw new ValidationError(`${field}.recorder_camera`, "must be 1..128 characters of [A-Za-z0-9._:-]");
  }
}

export function validateCameraStatus(
  status: CameraStatus | undefined,
  now: number,
  limits: ValidationLimits,
): CameraStatus {
  if (!status) throw new ValidationError("status", "is required");
  checkEventId(status.eventId);
  checkDeviceId(status.cameraId, "camera_id");
  checkObservedAt(status.observedAt, now, limits);
  checkEnum(status.state, CameraState, "state");
  if (status.state === CameraState.CAMERA_STATE_SILENT)
    throw new ValidationError("state", "SILENT is the hub's verdict on a camera it does not hear, not a report");
  if (status.state === CameraState.CAMERA_STATE_DEGRADED) {
    checkEnum(status.degradationReason, DegradationReason, "degradation_reason");
  } else if (status.degradationReason !== DegradationReason.DEGRADATION_REASON_UNSPECIFIED) {
    throw new ValidationError("degradation_reason", "is only allowed when state is DEGRADED");
  }
  checkText(status.detail, "detail", 500, false);
  return status;
}

function checkBox(box: BoundingBox, field: string): void {
  checkFinite(box.left, `${field}.left`, 0, 1);
  checkFinite(box.top, `${field}.top`, 0, 1);
  checkFinite(box.right, `${field}.right`, 0, 1);
  checkFinite(box.bottom, `${field}.bottom`, 0, 1);
  if (box.left >= box.right) throw new ValidationError(`${field}.right`, "must be greater than left");
  if (box.top >= box.bottom) throw new ValidationError(`${field}.bottom`, "must be greater than top");
}

function checkPlate(plate: LicensePlate, field: string): void {
  if (!plate.text) throw new ValidationError(`${field}.text`, "is required");
  if (plate.text.length > 16) throw new LimitExceededError(`${field}.text`, "must be at most 16 characters");
  if (!PLATE_TEXT.test(plate.text)) {
    throw new ValidationError(`${field}.text`, "must be normalised: capitals, digits, Han characters, '-' or '·'");
  }
  if (!PLATE_REGION.test(plate.region)) {
    throw new ValidationError(`${field}.region`, 'must be a region code such as "MO", "HK" or "CN-GD"');
  }
  checkFinite(plate.confidence, `${field}.confidence`, 0, 1);
}

function checkRule(rule: RuleEvent, field: string): void {
  checkEnum(rule.type, RuleEventType, `${field}.type`);
  checkText(rule.ruleName, `${field}.rule_name`, 128, true);
  if (rule.count > 100_000) throw new ValidationError(`${field}.count`, "must be at most 100000");
  if (rule.dwellSeconds > 86_400) throw new ValidationError(`${field}.dwell_seconds`, "must be at most 86400");
  if (rule.type === RuleEventType.RULE_EVENT_TYPE_LINE_CROSSED) {
    checkEnum(rule.direction, CrossingDirection, `${field}.direction`);
  } else if (rule.direction !== CrossingDirection.CROSSING_DIRECTION_UNSPECIFIED) {
    throw new ValidationError(`${field}.direction`, "is only allowed for LINE_CROSSED");
  }
}

export function validateDetection(detection: Detection, now: number, limits: ValidationLimits): Detection {
  checkEventId(detection.eventId);
  checkDeviceId(detection.cameraId, "camera_id");
  checkObservedAt(detection.observedAt, now, limits);
  checkEnum(detection.objectClass, ObjectClass, "object_class");
  checkFinite(detection.confidence, "confidence", 0, 1);
  if (detection.box) checkBox(detection.box, "box");
  else if (!SCENE_CLASSES.has(detection.objectClass))
    throw new ValidationError("box", "is required for this object class");
  checkText(detection.trackId, "track_id", 64, false);
  const attributes = Object.entries(detection.attributes);
  if (attributes.length > MAX_ATTRIBUTES) {
    throw new LimitExceededError("attributes", `at most ${MAX_ATTRIBUTES} entries, got ${attributes.length}`);
  }
  for (const [key, value] of attributes) {
    if (!ATTRIBUTE_KEY.test(key))
      throw new ValidationError(`attributes[${key.slice(0, 40)}]`, "key must be 1..32 characters of [a-z0-9_]");
    checkText(value, `attributes[${key}]`, 64, false);
  }
  if (detection.plate) checkPlate(detection.plate, "plate");
  else if (detection.objectClass === ObjectClass.OBJECT_CLASS_LICENSE_PLATE) {
    throw new ValidationError("plate", "is required when object_class is LICENSE_PLATE");
  }
  if (detection.rule) checkRule(detection.rule, "rule");
  if (detection.snapshotUri) checkUri(detection.snapshotUri, "snapshot_uri", HTTP_SCHEMES);
  return detection;
}

export function validateSensor(sensor: Sensor | undefined, limits: ValidationLimits): Sensor {
  if (!sensor) throw new ValidationError("sensor", "is required");
  checkDeviceId(sensor.id, "sensor.id");
  checkText(sensor.name, "sensor.name", 200, true);
  checkPosition(sensor.position, "sensor.position", limits);
  checkText(sensor.district, "sensor.district", 64, true);
  if (sensor.datastreams.length === 0)
    throw new ValidationError("sensor.datastreams", "at least one datastream is required");
  if (sensor.datastreams.length > MAX_DATASTREAMS) {
    throw new LimitExceededError("sensor.datastreams", `at most ${MAX_DATASTREAMS} datastreams`);
  }
  const seen = new Set<string>();
  sensor.datastreams.forEach((datastream, index) => {
    const field = `sensor.datastreams[${index}]`;
    if (!DATASTREAM_ID.test(datastream.id))
      throw new ValidationError(`${field}.id`, "must be 1..64 characters of [A-Za-z0-9._:-]");
    if (seen.has(datastream.id)) throw new ValidationError(`${field}.id`, `duplicate datastream id "${datastream.id}"`);
    seen.add(datastream.id);
    checkEnum(datastream.kind, SensorKind, `${field}.kind`);
    const expected = sensorKinds.get(datastream.kind)?.unit;
    if (datastream.unit !== expected) {
      throw new ValidationError(
        `${field}.unit`,
        `must be "${expected}" for ${SensorKind[datastream.kind]}, got "${datastream.unit}"`,
      );
    }
  });
  return sensor;
}

/** Checks a reading against the datastream it claims; `datastream` is undefined when the sensor has no such stream. */
export function validateReading(
  reading: SensorReading,
  datastream: { kind: SensorKind; unit: string } | undefined,
  now: number,
  limits: ValidationLimits,
): SensorReading {
  checkEventId(reading.eventId);
  checkDeviceId(reading.sensorId, "sensor_id");
  if (!reading.datastreamId) throw new ValidationError("datastream_id", "is required");
  checkEnum(reading.kind, SensorKind, "kind");
  checkObservedAt(reading.observedAt, now, limits);
  if (reading.position) checkPosition(reading.position, "position", limits);
  if (!datastream) return reading; // the caller reports the unknown datastream with its own code
  if (reading.kind !== datastream.kind) {
    throw new ValidationError(
      "kind",
      `datastream "${reading.datastreamId}" measures ${SensorKind[datastream.kind]}, not ${SensorKind[reading.kind]}`,
    );
  }
  if (reading.unit !== datastream.unit) {
    throw new ValidationError(
      "unit",
      `datastream "${reading.datastreamId}" reports in "${datastream.unit}", got "${reading.unit}"`,
    );
  }
  const range = sensorKinds.get(reading.kind);
  if (range) checkFinite(reading.value, "value", range.min, range.max);
  return reading;
}
