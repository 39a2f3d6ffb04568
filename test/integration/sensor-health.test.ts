import { randomUUID } from "node:crypto";
import type { Pool } from "@hub/common";
import type { SensorDetail, SensorSummary } from "@hub/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SensorHealthRepository } from "../../services/correlator/src/repositories/sensor-health.repository.js";
import { newReading } from "../support/factories.js";
import { api, login, startTestStack, type TestStack } from "../support/gateway.js";
import { eventually, migratedPool, produceEvents } from "../support/hub.js";
import { insertSensor, LEVEL_AND_RAIN } from "../support/sensors.js";

/**
 * Sensor health end to end: a sensor that sends no reading for CORRELATOR_SENSOR_SILENT_AFTER_S turns silent in the
 * registry, the sensor list and the SensorThings Thing, and is back when a reading is heard.
 */
const SILENT_AFTER_S = 10;
const place = { lat: 22.19 + Math.random() * 0.01, lon: 113.54 + Math.random() * 0.01 };
let pool: Pool;
let stack: TestStack;
let token: string;

beforeAll(async () => {
  pool = await migratedPool();
  stack = await startTestStack(
    {},
    { CORRELATOR_SENSOR_SILENT_AFTER_S: String(SILENT_AFTER_S), CORRELATOR_SILENCE_CHECK_MS: "500" },
  );
  token = (await login(stack.url, "operator")).token;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await pool?.end();
});

async function listed(sensorId: string): Promise<SensorSummary | undefined> {
  const answer = await api<SensorSummary[]>(stack.url, token, "/api/v1/sensors");
  expect(answer.status).toBe(200);
  return answer.body.find((sensor) => sensor.id === sensorId);
}

describe("silent sensors", { timeout: 180_000 }, () => {
  it("turns a sensor that sends nothing silent, and back when a reading is heard", async () => {
    const sensorId = `sh-${randomUUID().slice(0, 8)}`;
    await insertSensor(pool, { id: sensorId, district: "Sé", ...place, datastreams: LEVEL_AND_RAIN });
    const first = new Date();
    await produceEvents([{ reading: newReading(sensorId, { observedAt: first }), at: place }]);
    expect(await eventually(async () => (await listed(sensorId))?.lastHeardAt === first.toISOString(), 60_000)).toBe(
      true,
    );
    expect(await eventually(async () => (await listed(sensorId))?.silentSince != null, 90_000)).toBe(true);
    const silent = await listed(sensorId);
    expect(Date.parse(silent?.silentSince ?? "")).toBeGreaterThanOrEqual(first.getTime() + SILENT_AFTER_S * 1000);
    // The panel and the SensorThings Thing say so too.
    const detail = await api<SensorDetail>(stack.url, token, `/api/v1/sensors/${sensorId}`);
    expect(detail.body.sensor.silentSince).toBe(silent?.silentSince);
    const thing = await api<{ properties: { silentSince: string | null } }>(
      stack.url,
      token,
      `/api/sensorthings/v1.1/Things('${sensorId}')`,
    );
    expect(thing.body.properties.silentSince).toBe(silent?.silentSince);

    const again = new Date();
    await produceEvents([
      { reading: newReading(sensorId, { datastreamId: "level", value: 0.7, observedAt: again }), at: place },
    ]);
    expect(await eventually(async () => (await listed(sensorId))?.silentSince === null, 60_000)).toBe(true);
    expect((await listed(sensorId))?.lastHeardAt).toBe(again.toISOString());
    const changed = await pool.query<{ health_changed_at: Date }>(
      "SELECT health_changed_at FROM sensors WHERE id = $1",
      [sensorId],
    );
    expect(changed.rows[0]?.health_changed_at.getTime()).toBeGreaterThan(Date.parse(silent?.silentSince ?? ""));
  });

  it("a sweep marks a sensor silent once: a second sweep (another correlator) finds nothing left to mark", async () => {
    const sensorId = `sh-race-${randomUUID().slice(0, 6)}`;
    await insertSensor(pool, { id: sensorId, district: "Sé", ...place, datastreams: LEVEL_AND_RAIN });
    await pool.query("UPDATE sensors SET last_heard_at = now() - INTERVAL '1 hour' WHERE id = $1", [sensorId]);
    const repository = new SensorHealthRepository();
    const sweep = async () => {
      const client = await pool.connect();
      try {
        return await repository.markSilent(client, 60, 1_000_000);
      } finally {
        client.release();
      }
    };
    const silentSince = async () =>
      (await pool.query<{ at: Date | null }>("SELECT silent_since AS at FROM sensors WHERE id = $1", [sensorId]))
        .rows[0]?.at;
    // The stack's own correlator sweeps too (every 500 ms): whichever sweep marks the sensor, it is marked once.
    await sweep();
    const marked = await silentSince();
    expect(marked).toBeInstanceOf(Date);
    expect(await sweep()).not.toContain(sensorId);
    expect(await silentSince()).toEqual(marked);
  });

  it("a reading older than the silence does not bring a silent sensor back; a fresh one does", async () => {
    const sensorId = `sh-late-${randomUUID().slice(0, 6)}`;
    await insertSensor(pool, { id: sensorId, district: "Sé", ...place, datastreams: LEVEL_AND_RAIN });
    await pool.query(
      "UPDATE sensors SET last_heard_at = now() - INTERVAL '1 hour', silent_since = now() WHERE id = $1",
      [sensorId],
    );
    const repository = new SensorHealthRepository();
    const client = await pool.connect();
    try {
      const late = new Date(Date.now() - 5 * 60_000);
      expect(await repository.heard(client, [{ sensorId, at: late }], SILENT_AFTER_S)).toEqual([]);
      expect((await listed(sensorId))?.silentSince).not.toBeNull();
      expect(await repository.heard(client, [{ sensorId, at: new Date() }], SILENT_AFTER_S)).toEqual([sensorId]);
      expect((await listed(sensorId))?.silentSince).toBeNull();
    } finally {
      client.release();
    }
  });
});
