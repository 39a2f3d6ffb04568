import { distanceMetres } from "@hub/common";
import {
  CameraState,
  type CameraStatus,
  CrossingDirection,
  DegradationReason,
  type Detection,
  ObjectClass,
  RuleEventType,
  SensorKind,
  type SensorReading,
} from "@hub/proto";
import { Random } from "./random.js";
import type { ActiveEffects } from "./scenario.js";
import type { SimCamera, SimSensor } from "./world.js";

const VEHICLE_COLOURS = ["white", "black", "silver", "grey", "red", "blue"] as const;
const VEHICLE_TYPES = ["car", "van", "taxi", "bus", "truck"] as const;
const PLATE_LETTERS = [
  "MA",
  "MB",
  "MC",
  "MD",
  "ME",
  "MF",
  "MG",
  "MH",
  "MJ",
  "MK",
  "ML",
  "MM",
  "MN",
  "MP",
  "MQ",
  "MR",
  "MS",
  "MT",
  "MU",
  "MV",
  "MW",
  "MX",
  "AA",
  "AB",
] as const;

/** Generates what cameras and sensors would send, shaped like ONVIF/Frigate metadata and SensorThings observations. */
export class Traffic {
  private readonly random: Random;
  private counter = 0;
  private readonly runId: string;

  constructor(seed: number) {
    this.random = new Random(seed ^ 0xdecaf);
    this.runId = `sim-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
  }

  eventId(): string {
    this.counter += 1;
    return `${this.runId}-${this.counter}`;
  }

  private box() {
    const width = this.random.between(0.04, 0.3);
    const height = this.random.between(0.06, 0.4);
    const left = this.random.between(0, 1 - width);
    const top = this.random.between(0, 1 - height);
    return { left, top, right: left + width, bottom: top + height };
  }

  plate(): string {
    return `${this.random.pick(PLATE_LETTERS)}-${String(this.random.int(10, 99))}-${String(this.random.int(10, 99))}`;
  }

  /** An everyday detection: people and traffic, sometimes a plate or a rule. */
  detection(camera: SimCamera, at: Date, effects: ActiveEffects): Detection {
    const crowd = effects.crowdNear(camera);
    if (crowd !== undefined && this.random.next() < 0.3) return this.crowd(camera, at, crowd);
    if (effects.fireNear(camera) && this.random.next() < 0.5) return this.fire(camera, at);
    if (effects.accidentNear(camera) && this.random.next() < 0.5) return this.accident(camera, at);
    const objectClass = this.random.weighted<ObjectClass>([
      [ObjectClass.OBJECT_CLASS_PERSON, 45],
      [ObjectClass.OBJECT_CLASS_VEHICLE, 28],
      [ObjectClass.OBJECT_CLASS_MOTORCYCLE, 12],
      [ObjectClass.OBJECT_CLASS_LICENSE_PLATE, 8],
      [ObjectClass.OBJECT_CLASS_BICYCLE, 3],
      [ObjectClass.OBJECT_CLASS_BAG, 2],
      [ObjectClass.OBJECT_CLASS_ANIMAL, 2],
    ]);
    const detection: Detection = {
      eventId: this.eventId(),
      cameraId: camera.id,
      observedAt: at,
      objectClass,
      confidence: Math.round(this.random.between(0.55, 0.99) * 100) / 100,
      box: this.box(),
      trackId: `t${this.random.int(1, 99999)}`,
      attributes: {},
      plate: undefined,
      rule: undefined,
      snapshotUri: "",
    };
    if (objectClass === ObjectClass.OBJECT_CLASS_VEHICLE || objectClass === ObjectClass.OBJECT_CLASS_LICENSE_PLATE) {
      detection.attributes = {
        vehicle_color: this.random.pick(VEHICLE_COLOURS),
        vehicle_type: this.random.pick(VEHICLE_TYPES),
      };
    }
    if (objectClass === ObjectClass.OBJECT_CLASS_LICENSE_PLATE) {
      detection.plate = {
        text: this.plate(),
        region: "MO",
        confidence: Math.round(this.random.between(0.7, 0.99) * 100) / 100,
      };
    }
    const roll = this.random.next();
    if (objectClass === ObjectClass.OBJECT_CLASS_PERSON && roll < 0.05) {
      detection.rule = {
        type: RuleEventType.RULE_EVENT_TYPE_LINE_CROSSED,
        ruleName: "Entrance line",
        count: 0,
        dwellSeconds: 0,
        direction: this.random.pick([
          CrossingDirection.CROSSING_DIRECTION_LEFT_TO_RIGHT,
          CrossingDirection.CROSSING_DIRECTION_RIGHT_TO_LEFT,
        ]),
      };
    } else if (objectClass === ObjectClass.OBJECT_CLASS_VEHICLE && roll < 0.01) {
      detection.rule = {
        type: RuleEventType.RULE_EVENT_TYPE_STOPPED_VEHICLE,
        ruleName: "No stopping lane",
        count: 0,
        dwellSeconds: this.random.int(60, 600),
        direction: CrossingDirection.CROSSING_DIRECTION_UNSPECIFIED,
      };
    }
    return detection;
  }

  fire(camera: SimCamera, at: Date): Detection {
    return {
      eventId: this.eventId(),
      cameraId: camera.id,
      observedAt: at,
      objectClass: this.random.next() < 0.5 ? ObjectClass.OBJECT_CLASS_FIRE : ObjectClass.OBJECT_CLASS_SMOKE,
      confidence: Math.round(this.random.between(0.7, 0.97) * 100) / 100,
      box: this.box(),
      trackId: "",
      attributes: {},
      plate: undefined,
      rule: undefined,
      snapshotUri: "",
    };
  }

  accident(camera: SimCamera, at: Date): Detection {
    const collision = this.random.next() < 0.3;
    return {
      eventId: this.eventId(),
      cameraId: camera.id,
      observedAt: at,
      objectClass: ObjectClass.OBJECT_CLASS_VEHICLE,
      confidence: Math.round(this.random.between(0.75, 0.97) * 100) / 100,
      box: this.box(),
      trackId: `t${this.random.int(1, 99999)}`,
      attributes: { vehicle_type: this.random.pick(VEHICLE_TYPES) },
      plate: undefined,
      rule: {
        type: collision ? RuleEventType.RULE_EVENT_TYPE_COLLISION : RuleEventType.RULE_EVENT_TYPE_STOPPED_VEHICLE,
        ruleName: "Junction",
        count: 0,
        dwellSeconds: collision ? 0 : this.random.int(60, 300),
        direction: CrossingDirection.CROSSING_DIRECTION_UNSPECIFIED,
      },
      snapshotUri: "",
    };
  }

  crowd(camera: SimCamera, at: Date, count: number): Detection {
    return {
      eventId: this.eventId(),
      cameraId: camera.id,
      observedAt: at,
      objectClass: ObjectClass.OBJECT_CLASS_CROWD,
      confidence: 0.9,
      box: undefined,
      trackId: "",
      attributes: {},
      plate: undefined,
      rule: {
        type: RuleEventType.RULE_EVENT_TYPE_CROWD_COUNT,
        ruleName: "Area occupancy",
        count: Math.max(0, Math.round(count * this.random.between(0.85, 1.15))),
        dwellSeconds: 0,
        direction: CrossingDirection.CROSSING_DIRECTION_UNSPECIFIED,
      },
      snapshotUri: "",
    };
  }

  heartbeat(camera: SimCamera, at: Date, effects: ActiveEffects): CameraStatus {
    const offline = effects.cameraOffline(camera.id);
    const degraded = !offline && this.random.next() < 0.01;
    return {
      eventId: this.eventId(),
      cameraId: camera.id,
      observedAt: at,
      state: offline
        ? CameraState.CAMERA_STATE_OFFLINE
        : degraded
          ? CameraState.CAMERA_STATE_DEGRADED
          : CameraState.CAMERA_STATE_ONLINE,
      degradationReason: degraded
        ? DegradationReason.DEGRADATION_REASON_LOW_BITRATE
        : DegradationReason.DEGRADATION_REASON_UNSPECIFIED,
      detail: degraded ? "stream bitrate below floor" : "",
      signalLoss: offline,
      sceneChange: false,
    };
  }

  readings(sensor: SimSensor, at: Date, effects: ActiveEffects): SensorReading[] {
    return sensor.datastreams.map((datastream) => ({
      eventId: this.eventId(),
      sensorId: sensor.id,
      datastreamId: datastream.id,
      kind: datastream.kind,
      value: Math.round(this.value(datastream.kind, sensor, effects) * 100) / 100,
      unit: datastream.unit,
      observedAt: at,
      position: undefined,
    }));
  }

  private value(kind: SensorKind, sensor: SimSensor, effects: ActiveEffects): number {
    const r = this.random;
    const fire = effects.fireNear(sensor);
    switch (kind) {
      case SensorKind.SENSOR_KIND_WATER_LEVEL:
        return sensor.innerHarbour
          ? Math.max(-1.2 + r.between(-0.05, 0.05), effects.surgeLevel())
          : -1.5 + r.between(-0.05, 0.05);
      case SensorKind.SENSOR_KIND_RAINFALL:
        return Math.max(effects.rainfall(), r.next() < 0.9 ? 0 : r.between(0, 8));
      case SensorKind.SENSOR_KIND_WIND_SPEED:
        return Math.max(effects.wind(), r.between(1.5, 8));
      case SensorKind.SENSOR_KIND_SMOKE:
        return fire ? r.between(8, 25) : r.between(0, 0.4);
      case SensorKind.SENSOR_KIND_TEMPERATURE:
        return fire ? r.between(60, 180) : r.between(19, 31);
      case SensorKind.SENSOR_KIND_HUMIDITY:
        return r.between(60, 95);
      case SensorKind.SENSOR_KIND_STRUCTURAL_TILT:
        return r.between(-0.05, 0.05);
      case SensorKind.SENSOR_KIND_AIR_QUALITY:
        return fire ? r.between(150, 400) : r.between(8, 45);
      default:
        return 0;
    }
  }

  static within(
    a: { position?: { lat: number; lon: number } | undefined },
    near: { lat: number; lon: number },
    radiusM: number,
  ): boolean {
    return a.position !== undefined && distanceMetres(a.position, near) <= radiusM;
  }
}
