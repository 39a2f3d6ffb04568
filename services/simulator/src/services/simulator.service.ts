import { type Logger, retryWithBackoff } from "@hub/common";
import type { Detection, PublishSummary, SensorReading } from "@hub/proto";
import { type IngestGateway, isTransientIngestError } from "../gateways/ingest.gateway.js";
import { effectsAt, type Scenario } from "./scenario.js";
import { Traffic } from "./traffic.js";
import type { SimCamera, World } from "./world.js";

export interface SimulatorOptions {
  /** Detections per second over the whole network. */
  detectionRate: number;
  /** Seconds between two heartbeats of one camera. */
  heartbeatIntervalS: number;
  /** Seconds between two readings of one sensor. */
  readingIntervalS: number;
  /** Bearer token per site id. */
  tokens: ReadonlyMap<string, string>;
  scenario?: Scenario;
  seed: number;
  /**
   * When set, detections carry a snapshot at the site's recorder: {camera}, {event} and {at} (ISO 8601) are filled
   * in (the development stand-in recorder serves any such still).
   */
  snapshotUrlTemplate?: string;
  /** Back-off of repeated calls while ingest is unavailable; defaults suit a live service. */
  retry?: Partial<SimulatorRetry>;
}

export interface SimulatorRetry {
  baseMs: number;
  maxMs: number;
  /** Attempts of one batch of events before it is dropped (registrations are retried until they succeed). */
  sendAttempts: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const defaultRetry: SimulatorRetry = { baseMs: 500, maxMs: 30_000, sendAttempts: 4 };

/** The ingest calls the simulator makes (IngestGateway; a fake in unit tests). */
export type IngestCalls = Pick<
  IngestGateway,
  "registerCamera" | "registerSensor" | "reportCameraStatus" | "streamDetections" | "streamReadings"
>;

export type SimulatedEventKind = "detection" | "camera_status" | "sensor_reading";
export type SendOutcome = "accepted" | "duplicate" | "rejected" | "failed";

/** What the simulator did, for its metrics. */
export interface SimulatorObserver {
  events(kind: SimulatedEventKind, outcome: SendOutcome, count: number): void;
  retried(call: string): void;
  registration(kind: "camera" | "sensor", outcome: "created" | "existing" | "failed"): void;
}

const noObserver: SimulatorObserver = {
  events: () => undefined,
  retried: () => undefined,
  registration: () => undefined,
};

export interface SimulatorStats {
  detectionsSent: number;
  statusesSent: number;
  readingsSent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  failedCalls: number;
  retries: number;
}

/**
 * Drives the simulated city through the public gRPC API like a fleet of edge connectors: registers every camera and
 * sensor, then streams detections once a second per site, sends heartbeats and sensor readings, and applies the
 * scenario's effects as time passes.
 */
export class SimulatorService {
  readonly stats: SimulatorStats = {
    detectionsSent: 0,
    statusesSent: 0,
    readingsSent: 0,
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    failedCalls: 0,
    retries: 0,
  };
  /** Devices registered so far, and of how many; refused ones are counted in `refused`. */
  readonly registration = { done: 0, of: 0, refused: 0, finished: false };
  private readonly traffic: Traffic;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly retry: SimulatorRetry;
  private startedAt = 0;
  private tick = 0;
  private detectionCarry = 0;
  private stopping = false;
  /** Wakes the back-off waits at stop, so a stop is not held up by a 30-second wait. */
  private readonly wakers = new Set<() => void>();

  constructor(
    private readonly gateway: IngestCalls,
    private readonly world: World,
    private readonly options: SimulatorOptions,
    private readonly logger: Logger,
    private readonly observer: SimulatorObserver = noObserver,
  ) {
    this.traffic = new Traffic(options.seed);
    this.retry = { ...defaultRetry, ...options.retry };
  }

  private token(siteId: string): string {
    const token = this.options.tokens.get(siteId);
    if (!token) throw new Error(`no device token for site ${siteId}`);
    return token;
  }

  /**
   * Registers every device (idempotent), with bounded concurrency. Like a real device, a registration is repeated
   * with back-off while ingest is unavailable or slow, until it succeeds or the simulator stops; a device ingest
   * refuses (bad token, outside the region) is logged and left out, and the others go on.
   */
  async register(): Promise<void> {
    const jobs: { kind: "camera" | "sensor"; id: string; call: () => Promise<{ created: boolean }> }[] = [
      ...this.world.cameras.map((camera) => ({
        kind: "camera" as const,
        id: camera.id,
        call: () => this.gateway.registerCamera(this.token(camera.siteId), camera),
      })),
      ...this.world.sensors.map((sensor) => ({
        kind: "sensor" as const,
        id: sensor.id,
        call: () => this.gateway.registerSensor(this.token(sensor.siteId), sensor),
      })),
    ];
    this.registration.of = jobs.length;
    let next = 0;
    const worker = async () => {
      while (next < jobs.length && !this.stopping) {
        const job = jobs[next] as (typeof jobs)[number];
        next += 1;
        try {
          const { created } = await this.withRetry(`register_${job.kind}`, job.call);
          this.observer.registration(job.kind, created ? "created" : "existing");
          this.registration.done += 1;
        } catch (err) {
          if (this.stopping) return;
          this.observer.registration(job.kind, "failed");
          this.registration.refused += 1;
          this.logger.error({ err, [job.kind]: job.id }, "ingest refused a simulated device; it is left out");
        }
        const handled = this.registration.done + this.registration.refused;
        if (handled % 500 === 0) this.logger.info({ registered: handled, of: jobs.length }, "registering devices");
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    if (this.stopping) return;
    this.registration.finished = true;
    this.logger.info(
      { cameras: this.world.cameras.length, sensors: this.world.sensors.length, refused: this.registration.refused },
      "devices registered",
    );
  }

  /** Calls ingest, repeating transient failures with exponential back-off and jitter; logs every 50th retry. */
  private withRetry<T>(call: string, work: () => Promise<T>, maxAttempts?: number): Promise<T> {
    return retryWithBackoff(work, {
      baseMs: this.retry.baseMs,
      maxMs: this.retry.maxMs,
      ...(maxAttempts === undefined ? {} : { maxAttempts }),
      sleep: this.retry.sleep ?? ((ms) => this.pause(ms)),
      ...(this.retry.random ? { random: this.retry.random } : {}),
      retriable: isTransientIngestError,
      stopped: () => this.stopping,
      onRetry: (err, attempt, delayMs) => {
        this.stats.retries += 1;
        this.observer.retried(call);
        if (this.stats.retries % 50 === 1) {
          this.logger.warn({ err, call, attempt, retryInMs: delayMs }, "ingest unavailable; retrying with back-off");
        }
      },
    });
  }

  start(): void {
    this.startedAt = Date.now();
    this.timers.push(setInterval(() => this.second(), 1000));
    this.timers.push(
      setInterval(() => {
        this.logger.info(
          { ...this.stats, elapsedS: Math.round((Date.now() - this.startedAt) / 1000) },
          "simulator progress",
        );
      }, 10_000),
    );
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.wakers.add(wake);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const wake of [...this.wakers]) wake();
    for (const timer of this.timers) clearInterval(timer);
    await Promise.allSettled([...this.inFlight]);
  }

  private track(promise: Promise<unknown>): void {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
  }

  private withSnapshot(detection: Detection): Detection {
    const template = this.options.snapshotUrlTemplate;
    if (!template) return detection;
    const at = detection.observedAt?.toISOString() ?? "";
    detection.snapshotUri = template
      .replaceAll("{camera}", encodeURIComponent(detection.cameraId))
      .replaceAll("{event}", encodeURIComponent(detection.eventId))
      .replaceAll("{at}", encodeURIComponent(at));
    return detection;
  }

  /** Everything that happens in one simulated second. */
  private second(): void {
    const now = new Date();
    const effects = effectsAt(this.options.scenario, (now.getTime() - this.startedAt) / 1000);
    this.tick += 1;

    const wanted = this.options.detectionRate + this.detectionCarry;
    const count = Math.floor(wanted);
    this.detectionCarry = wanted - count;
    const bySite = new Map<string, Detection[]>();
    const cameras = this.world.cameras;
    for (let index = 0; index < count; index += 1) {
      const camera = cameras[Math.floor(Math.random() * cameras.length)] as SimCamera;
      if (effects.cameraOffline(camera.id)) continue;
      const list = bySite.get(camera.siteId) ?? [];
      list.push(this.withSnapshot(this.traffic.detection(camera, now, effects)));
      bySite.set(camera.siteId, list);
    }
    // Scenario hot spots emit on every tick, whatever the background rate.
    for (const camera of cameras) {
      if (effects.fireNear(camera) || effects.crowdNear(camera) !== undefined || effects.accidentNear(camera)) {
        const list = bySite.get(camera.siteId) ?? [];
        list.push(this.withSnapshot(this.traffic.detection(camera, now, effects)));
        bySite.set(camera.siteId, list);
      }
    }
    for (const [siteId, detections] of bySite) {
      this.stats.detectionsSent += detections.length;
      this.send("detection", detections.length, () =>
        this.gateway.streamDetections(this.token(siteId), chunk(detections, 500)),
      );
    }

    const slot = this.tick % this.options.heartbeatIntervalS;
    cameras.forEach((camera, index) => {
      if (index % this.options.heartbeatIntervalS !== slot) return;
      this.stats.statusesSent += 1;
      const heartbeat = this.traffic.heartbeat(camera, now, effects);
      this.send("camera_status", 1, async () => {
        await this.gateway.reportCameraStatus(this.token(camera.siteId), heartbeat);
        return { accepted: 1, duplicates: 0, rejected: 0, results: [], omittedResults: 0 };
      });
    });

    const readingSlot = this.tick % this.options.readingIntervalS;
    const readings = new Map<string, SensorReading[]>();
    this.world.sensors.forEach((sensor, index) => {
      if (index % this.options.readingIntervalS !== readingSlot) return;
      const list = readings.get(sensor.siteId) ?? [];
      list.push(...this.traffic.readings(sensor, now, effects));
      readings.set(sensor.siteId, list);
    });
    for (const [siteId, list] of readings) {
      this.stats.readingsSent += list.length;
      this.send("sensor_reading", list.length, () => this.gateway.streamReadings(this.token(siteId), [list]));
    }
  }

  /**
   * Sends one batch, repeated with back-off while ingest is unavailable (its events carry their ids, so a repeat
   * is recognised as a duplicate), and dropped after a few attempts so that batches do not pile up.
   */
  private send(kind: SimulatedEventKind, count: number, call: () => Promise<PublishSummary>): void {
    this.track(
      this.withRetry(`send_${kind}`, call, this.retry.sendAttempts).then(
        (summary) => this.count(kind, summary),
        (err: unknown) => {
          this.observer.events(kind, "failed", count);
          this.failed(err);
        },
      ),
    );
  }

  private count(kind: SimulatedEventKind, summary: PublishSummary): void {
    this.observer.events(kind, "accepted", summary.accepted);
    this.observer.events(kind, "duplicate", summary.duplicates);
    this.observer.events(kind, "rejected", summary.rejected);
    this.stats.accepted += summary.accepted;
    this.stats.duplicates += summary.duplicates;
    this.stats.rejected += summary.rejected;
    const firstRejection = summary.results.find((result) => result.error);
    if (firstRejection) this.logger.warn({ rejection: firstRejection }, "ingest rejected simulated events");
  }

  private failed(err: unknown): void {
    this.stats.failedCalls += 1;
    if (this.stats.failedCalls % 50 === 1) this.logger.warn({ err }, "ingest call failed");
  }
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let index = 0; index < items.length; index += size) chunks.push(items.slice(index, index + size));
  return chunks;
}
