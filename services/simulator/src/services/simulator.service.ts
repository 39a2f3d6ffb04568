import type { Logger } from "@hub/common";
import type { Detection, PublishSummary, SensorReading } from "@hub/proto";
import type { IngestGateway } from "../gateways/ingest.gateway.js";
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
}

export interface SimulatorStats {
  detectionsSent: number;
  statusesSent: number;
  readingsSent: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  failedCalls: number;
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
  };
  private readonly traffic: Traffic;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();
  private startedAt = 0;
  private tick = 0;
  private detectionCarry = 0;

  constructor(
    private readonly gateway: IngestGateway,
    private readonly world: World,
    private readonly options: SimulatorOptions,
    private readonly logger: Logger,
  ) {
    this.traffic = new Traffic(options.seed);
  }

  private token(siteId: string): string {
    const token = this.options.tokens.get(siteId);
    if (!token) throw new Error(`no device token for site ${siteId}`);
    return token;
  }

  /** Registers every device (idempotent), with bounded concurrency. */
  async register(): Promise<void> {
    const jobs = [
      ...this.world.cameras.map((camera) => () => this.gateway.registerCamera(this.token(camera.siteId), camera)),
      ...this.world.sensors.map((sensor) => () => this.gateway.registerSensor(this.token(sensor.siteId), sensor)),
    ];
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < jobs.length) {
        const job = jobs[next] as () => Promise<unknown>;
        next += 1;
        await job();
        done += 1;
        if (done % 500 === 0) this.logger.info({ registered: done, of: jobs.length }, "registering devices");
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
    this.logger.info({ cameras: this.world.cameras.length, sensors: this.world.sensors.length }, "devices registered");
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

  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await Promise.allSettled([...this.inFlight]);
  }

  private track(promise: Promise<unknown>): void {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
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
      list.push(this.traffic.detection(camera, now, effects));
      bySite.set(camera.siteId, list);
    }
    // Scenario hot spots emit on every tick, whatever the background rate.
    for (const camera of cameras) {
      if (effects.fireNear(camera) || effects.crowdNear(camera) !== undefined || effects.accidentNear(camera)) {
        const list = bySite.get(camera.siteId) ?? [];
        list.push(this.traffic.detection(camera, now, effects));
        bySite.set(camera.siteId, list);
      }
    }
    for (const [siteId, detections] of bySite) {
      this.stats.detectionsSent += detections.length;
      this.track(
        this.gateway.streamDetections(this.token(siteId), chunk(detections, 500)).then(
          (summary) => this.count(summary),
          (err: unknown) => this.failed(err),
        ),
      );
    }

    const slot = this.tick % this.options.heartbeatIntervalS;
    cameras.forEach((camera, index) => {
      if (index % this.options.heartbeatIntervalS !== slot) return;
      this.stats.statusesSent += 1;
      this.track(
        this.gateway.reportCameraStatus(this.token(camera.siteId), this.traffic.heartbeat(camera, now, effects)).then(
          () => {
            this.stats.accepted += 1;
          },
          (err: unknown) => this.failed(err),
        ),
      );
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
      this.track(
        this.gateway.streamReadings(this.token(siteId), [list]).then(
          (summary) => this.count(summary),
          (err: unknown) => this.failed(err),
        ),
      );
    }
  }

  private count(summary: PublishSummary): void {
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
