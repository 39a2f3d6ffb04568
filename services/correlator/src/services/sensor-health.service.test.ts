import { describe, expect, it } from "vitest";
import type { EventRow } from "./records.js";
import {
  newestPerSensor,
  SENSOR_SWEEP_BATCH,
  SensorHealthService,
  type SensorHealthStore,
} from "./sensor-health.service.js";

const reading = (sensorId: string, at: string): EventRow =>
  ({ kind: "sensor_reading", row: { sensorId, observedAt: new Date(at) } }) as unknown as EventRow;
const detection = (cameraId: string, at: string): EventRow =>
  ({ kind: "detection", row: { cameraId, observedAt: new Date(at) } }) as unknown as EventRow;

describe("sensor health", () => {
  it("hears each sensor once per batch, at its newest reading; camera events do not count", () => {
    expect(
      newestPerSensor([
        reading("s1", "2026-01-01T00:00:10Z"),
        reading("s1", "2026-01-01T00:00:30Z"),
        reading("s1", "2026-01-01T00:00:20Z"),
        detection("s2", "2026-01-01T00:01:00Z"),
        reading("s3", "2026-01-01T00:00:05Z"),
      ]),
    ).toEqual([
      { sensorId: "s1", at: new Date("2026-01-01T00:00:30Z") },
      { sensorId: "s3", at: new Date("2026-01-01T00:00:05Z") },
    ]);
  });

  it("asks the store only when a batch has readings, with the silence limit; sweeps in bounded rounds", async () => {
    const calls: unknown[][] = [];
    const store: SensorHealthStore<string> = {
      heard: async (...args) => {
        calls.push(["heard", ...args]);
        return ["s1"];
      },
      markSilent: async (...args) => {
        calls.push(["markSilent", ...args]);
        return ["a", "b"];
      },
    };
    const service = new SensorHealthService(600, store);
    expect(await service.heard("tx", [detection("c1", "2026-01-01T00:00:00Z")])).toBe(0);
    expect(calls).toEqual([]);
    expect(await service.heard("tx", [reading("s1", "2026-01-01T00:00:00Z")])).toBe(1);
    expect(await service.sweep("tx")).toBe(2);
    expect(calls).toEqual([
      ["heard", "tx", [{ sensorId: "s1", at: new Date("2026-01-01T00:00:00Z") }], 600],
      ["markSilent", "tx", 600, SENSOR_SWEEP_BATCH],
    ]);
  });
});
