import {
  AuthenticationError,
  type HubError,
  h3Cell,
  isHubError,
  NotFoundError,
  PermissionError,
  PreconditionError,
} from "@hub/common";
import {
  type Camera,
  type CameraStatus,
  type Detection,
  type IngestContext,
  PublishOutcome,
  type Sensor,
  type SensorReading,
} from "@hub/proto";
import type { EventBusRepository } from "../repositories/event-bus.repository.js";
import type {
  CameraEntry,
  DevicePlacement,
  DevicePrincipal,
  RegistryRepository,
} from "../repositories/registry.repository.js";
import type { RecentEvents } from "./recent-events.js";
import {
  type ValidationLimits,
  validateCamera,
  validateCameraStatus,
  validateDetection,
  validateReading,
  validateSensor,
} from "./validation.js";

export type EventKind = "detection" | "camera_status" | "sensor_reading";

export interface IngestObserver {
  accepted(kind: EventKind, outcome: "accepted" | "duplicate"): void;
  rejected(kind: EventKind, error: HubError): void;
}

export interface IngestServiceDeps {
  registry: Pick<RegistryRepository, "findCamera" | "findSensor" | "upsertCamera" | "upsertSensor" | "findPrincipal">;
  eventBus: Pick<
    EventBusRepository,
    "publishDetection" | "publishCameraStatus" | "publishSensorReading" | "publishCamera" | "publishSensor"
  >;
  recent: RecentEvents;
  limits: ValidationLimits;
  observer: IngestObserver;
  now?: () => number;
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{16,512})$/;

/**
 * What the ingest service does, free of gRPC: authenticate a device, check what it sends, add the hub's context and
 * hand it to Kafka. Throws HubErrors with field paths relative to the message (e.g. "box.left").
 */
export class IngestService {
  private readonly now: () => number;

  constructor(private readonly deps: IngestServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** Resolves the bearer token from the "authorization" call metadata to the site it belongs to. */
  async authenticate(authorization: string | undefined): Promise<DevicePrincipal> {
    if (!authorization) throw new AuthenticationError('missing "authorization: Bearer <device token>" metadata');
    const token = BEARER.exec(authorization)?.[1];
    if (!token) throw new AuthenticationError('malformed "authorization" metadata: expected "Bearer <device token>"');
    const principal = await this.deps.registry.findPrincipal(token);
    if (!principal) throw new AuthenticationError("unknown or revoked device token");
    return principal;
  }

  async registerCamera(
    principal: DevicePrincipal,
    input: Camera | undefined,
  ): Promise<{ camera: Camera; created: boolean }> {
    const camera = validateCamera(input, this.deps.limits);
    const { entry, created } = await this.deps.registry.upsertCamera(principal.siteId, camera);
    // The registry row is durable; the changelog record lets consumers follow the registry. If Kafka fails here
    // the caller gets UNAVAILABLE and registers again, which is an idempotent upsert.
    await this.deps.eventBus.publishCamera({ camera: entry.camera });
    return { camera: entry.camera, created };
  }

  async registerSensor(
    principal: DevicePrincipal,
    input: Sensor | undefined,
  ): Promise<{ sensor: Sensor; created: boolean }> {
    const sensor = validateSensor(input, this.deps.limits);
    const { entry, created } = await this.deps.registry.upsertSensor(principal.siteId, sensor);
    await this.deps.eventBus.publishSensor({ sensor: entry.sensor });
    return { sensor: entry.sensor, created };
  }

  publishDetection(principal: DevicePrincipal, detection: Detection): Promise<PublishOutcome> {
    const now = this.now();
    try {
      validateDetection(detection, now, this.deps.limits);
    } catch (error) {
      return this.rejected("detection", error);
    }
    return this.track(
      "detection",
      this.ownedCamera(principal, detection.cameraId).then((camera) =>
        this.deps.recent.publishOnce(recentKey("d", principal, detection.eventId), () =>
          this.deps.eventBus.publishDetection({ detection, context: ingestContext(camera, now) }, camera.partitionKey),
        ),
      ),
    );
  }

  reportCameraStatus(principal: DevicePrincipal, status: CameraStatus): Promise<PublishOutcome> {
    const now = this.now();
    try {
      validateCameraStatus(status, now, this.deps.limits);
    } catch (error) {
      return this.rejected("camera_status", error);
    }
    return this.track(
      "camera_status",
      this.ownedCamera(principal, status.cameraId).then((camera) =>
        this.deps.recent.publishOnce(recentKey("s", principal, status.eventId), () =>
          this.deps.eventBus.publishCameraStatus({ status, context: ingestContext(camera, now) }, camera.partitionKey),
        ),
      ),
    );
  }

  publishReading(principal: DevicePrincipal, reading: SensorReading): Promise<PublishOutcome> {
    return this.track(
      "sensor_reading",
      (async () => {
        const now = this.now();
        validateReading(reading, undefined, now, this.deps.limits);
        const sensor = await this.deps.registry.findSensor(reading.sensorId);
        if (!sensor) throw new NotFoundError("sensor_id", `sensor ${reading.sensorId} is not registered`);
        if (sensor.siteId !== principal.siteId) {
          throw new PermissionError(`sensor ${reading.sensorId} belongs to another site`, "sensor_id");
        }
        const datastream = sensor.datastreams.get(reading.datastreamId);
        if (!datastream) {
          throw new NotFoundError(
            "datastream_id",
            `sensor ${reading.sensorId} has no datastream "${reading.datastreamId}"`,
          );
        }
        validateReading(reading, datastream, now, this.deps.limits);
        const context = ingestContext(sensor, now, reading.position);
        return this.deps.recent.publishOnce(recentKey("r", principal, reading.eventId), () =>
          this.deps.eventBus.publishSensorReading({ reading, context }, sensor.partitionKey),
        );
      })(),
    );
  }

  private ownedCamera(principal: DevicePrincipal, cameraId: string): Promise<CameraEntry> {
    return this.deps.registry.findCamera(cameraId).then((camera) => {
      if (!camera) throw new NotFoundError("camera_id", `camera ${cameraId} is not registered`);
      if (camera.siteId !== principal.siteId) {
        throw new PermissionError(`camera ${cameraId} belongs to another site`, "camera_id");
      }
      // Decommissioned (migration 0030): final for the id; the registry's refresh brings the change within
      // REGISTRY_REFRESH_MS.
      if (camera.decommissionedAt)
        throw new PreconditionError("camera_id", `camera ${cameraId} is decommissioned; its events are refused`);
      return camera;
    });
  }

  private track(kind: EventKind, work: Promise<"accepted" | "duplicate">): Promise<PublishOutcome> {
    return work.then(
      (outcome) => {
        this.deps.observer.accepted(kind, outcome);
        return outcome === "accepted"
          ? PublishOutcome.PUBLISH_OUTCOME_ACCEPTED
          : PublishOutcome.PUBLISH_OUTCOME_DUPLICATE;
      },
      (error: unknown) => this.rejected(kind, error),
    );
  }

  private rejected(kind: EventKind, error: unknown): Promise<never> {
    if (isHubError(error)) this.deps.observer.rejected(kind, error);
    return Promise.reject(error);
  }
}

/**
 * The duplicate-suppression key of an event: its kind, the site that sent it and its id. Devices choose event ids,
 * so one site must not be able to suppress another site's events by sending their ids first. Length-prefixed so
 * that no two (site, id) pairs collide.
 */
export function recentKey(kind: "d" | "s" | "r", principal: DevicePrincipal, eventId: string): string {
  return `${kind}:${principal.siteId.length}:${principal.siteId}:${eventId}`;
}

function ingestContext(device: DevicePlacement, now: number, position?: { lat: number; lon: number }): IngestContext {
  return {
    ingestedAt: new Date(now),
    siteId: device.siteId,
    position: position ?? { lat: device.lat, lon: device.lon },
    district: device.district,
    // A mobile sensor's reading is placed where it was taken.
    h3Cell: position ? h3Cell(position.lat, position.lon) : device.h3Cell,
  };
}
