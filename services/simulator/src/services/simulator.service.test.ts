import { status } from "@grpc/grpc-js";
import { createLogger, macaoLandPath, Region } from "@hub/common";
import type { PublishSummary } from "@hub/proto";
import { afterEach, describe, expect, it, vi } from "vitest";
import { type IngestCalls, type SimulatorObserver, SimulatorService } from "./simulator.service.js";
import { buildWorld } from "./world.js";

const region = Region.fromFile(macaoLandPath);
const world = buildWorld(region, 5, 853);
/** One camera: its registration's retries are consecutive, so the back-off can be seen growing. */
const oneCamera = { ...world, cameras: world.cameras.slice(0, 1) };
const tokens = new Map([...world.cameras, ...world.sensors].map((device) => [device.siteId, "token"]));
const logger = createLogger("test", "silent");

const grpcError = (code: status, details: string) => Object.assign(new Error(`${code} ${details}`), { code, details });
const unavailable = () => grpcError(status.UNAVAILABLE, "No connection established. ECONNREFUSED");

/** A fake ingest: each call consults `failures` (by method) and throws the next queued error, else succeeds. */
function fakeIngest(failures: Partial<Record<keyof IngestCalls, (() => Error)[]>> = {}) {
  const calls: Record<string, number> = {};
  const answer = <T>(method: keyof IngestCalls, value: T): Promise<T> => {
    calls[method] = (calls[method] ?? 0) + 1;
    const next = failures[method]?.shift();
    return next ? Promise.reject(next()) : Promise.resolve(value);
  };
  const summary = (accepted: number): PublishSummary => ({
    accepted,
    duplicates: 0,
    rejected: 0,
    results: [],
    omittedResults: 0,
  });
  const ingest: IngestCalls = {
    registerCamera: (_token, camera) => answer("registerCamera", { camera, created: true }),
    registerSensor: (_token, sensor) => answer("registerSensor", { sensor, created: false }),
    reportCameraStatus: () => answer("reportCameraStatus", 1),
    streamDetections: (_token, batches) => answer("streamDetections", summary(batches.flat().length)),
    streamReadings: (_token, batches) => answer("streamReadings", summary(batches.flat().length)),
  };
  return { ingest, calls };
}

function recordingObserver() {
  const seen = {
    events: new Map<string, number>(),
    retries: new Map<string, number>(),
    registrations: new Map<string, number>(),
  };
  const add = (map: Map<string, number>, key: string, count = 1) => map.set(key, (map.get(key) ?? 0) + count);
  const observer: SimulatorObserver = {
    events: (kind, outcome, count) => add(seen.events, `${kind}/${outcome}`, count),
    retried: (call) => add(seen.retries, call),
    registration: (kind, outcome) => add(seen.registrations, `${kind}/${outcome}`),
  };
  return { observer, seen };
}

function simulator(ingest: IngestCalls, observer: SimulatorObserver, simulated = world) {
  const waits: number[] = [];
  const service = new SimulatorService(
    ingest,
    simulated,
    {
      detectionRate: 20,
      heartbeatIntervalS: 1,
      readingIntervalS: 1,
      tokens,
      seed: 1,
      retry: {
        baseMs: 100,
        maxMs: 1000,
        sendAttempts: 3,
        random: () => 0.999,
        sleep: async (ms) => {
          waits.push(ms);
        },
      },
    },
    logger,
    observer,
  );
  return { service, waits };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("SimulatorService retries like a real device", () => {
  it("keeps registering through UNAVAILABLE, DEADLINE_EXCEEDED and refused connections, backing off longer each time", async () => {
    const { ingest, calls } = fakeIngest({
      registerCamera: [
        unavailable,
        unavailable,
        () => grpcError(status.DEADLINE_EXCEEDED, "Deadline exceeded"),
        unavailable,
      ],
      registerSensor: [
        () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:50051"), { code: "ECONNREFUSED" }),
      ],
    });
    const { observer, seen } = recordingObserver();
    const { service, waits } = simulator(ingest, observer, oneCamera);

    await service.register();

    expect(service.registration).toMatchObject({
      done: 1 + world.sensors.length,
      refused: 0,
      finished: true,
    });
    expect(calls.registerCamera).toBe(1 + 4);
    expect(calls.registerSensor).toBe(world.sensors.length + 1);
    expect(service.stats.retries).toBe(5);
    expect(seen.retries.get("register_camera")).toBe(4);
    expect(seen.retries.get("register_sensor")).toBe(1);
    expect(seen.registrations.get("camera/created")).toBe(1);
    expect(seen.registrations.get("sensor/existing")).toBe(world.sensors.length);
    // Jittered (random() = 0.999 here) under a ceiling that doubles with each attempt of the same call.
    expect(waits.sort((a, b) => a - b)).toEqual([100, 100, 200, 400, 799]);
  });

  it("leaves out a device ingest refuses, without retrying it, and registers the others", async () => {
    const { ingest, calls } = fakeIngest({
      registerCamera: [() => grpcError(status.UNAUTHENTICATED, "unknown device token")],
    });
    const { observer, seen } = recordingObserver();
    const { service } = simulator(ingest, observer);

    await service.register();

    expect(calls.registerCamera).toBe(world.cameras.length);
    expect(service.registration).toMatchObject({
      done: world.cameras.length - 1 + world.sensors.length,
      refused: 1,
      finished: true,
    });
    expect(seen.registrations.get("camera/failed")).toBe(1);
    expect(service.stats.retries).toBe(0);
  });

  it("repeats a batch of events while ingest is unavailable, and counts one that never got through as failed", async () => {
    vi.useFakeTimers();
    const { ingest, calls } = fakeIngest({
      streamDetections: [unavailable, unavailable],
      streamReadings: [unavailable, unavailable, unavailable, unavailable, unavailable, unavailable],
    });
    const { observer, seen } = recordingObserver();
    const { service } = simulator(ingest, observer);

    service.start();
    await vi.advanceTimersByTimeAsync(1000);
    await service.stop();

    expect(calls.streamDetections).toBeGreaterThan(2);
    expect(seen.events.get("detection/accepted")).toBeGreaterThan(0);
    expect(seen.retries.get("send_detection")).toBe(2);
    // Three attempts per batch: the first two reading batches (one per site) used up the six failures and were dropped.
    expect(seen.events.get("sensor_reading/failed")).toBeGreaterThan(0);
    expect(service.stats.failedCalls).toBeGreaterThan(0);
    expect(seen.events.get("camera_status/accepted")).toBe(world.cameras.length);
  });

  it("stops while waiting to retry, without waiting out the back-off", async () => {
    const always = Array.from({ length: 1000 }, () => unavailable);
    const { ingest } = fakeIngest({ registerCamera: always, registerSensor: [...always] });
    const { observer } = recordingObserver();
    const service = new SimulatorService(
      ingest,
      world,
      {
        detectionRate: 1,
        heartbeatIntervalS: 60,
        readingIntervalS: 10,
        tokens,
        seed: 1,
        retry: { baseMs: 3_600_000, maxMs: 3_600_000, random: () => 0.999 },
      },
      logger,
      observer,
    );

    const registering = service.register();
    await vi.waitFor(() => expect(service.stats.retries).toBeGreaterThan(0));
    await service.stop();
    await registering;

    expect(service.registration.finished).toBe(false);
  });
});
