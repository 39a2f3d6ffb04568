import { randomUUID } from "node:crypto";
import type { Pool } from "@hub/common";
import type { CameraDetail, CameraStatusChange, Envelope } from "@hub/contracts";
import { CameraState } from "@hub/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CameraHealthRepository } from "../../services/correlator/src/repositories/camera-health.repository.js";
import { newDetection, newStatus } from "../support/factories.js";
import {
  api,
  connect,
  type HubClient,
  insertCameras,
  login,
  startTestStack,
  type TestStack,
} from "../support/gateway.js";
import { eventually, migratedPool, produceEvents, quietLeftoverCameras } from "../support/hub.js";

/**
 * Camera health end to end: a camera that sends nothing turns silent on the map (through hub.camera-health.v1 and
 * Socket.IO) and in the registry, and returns to its reported state when heard again, by a status or a detection.
 */
const SILENT_AFTER_S = 10;
let pool: Pool;
let stack: TestStack;
let token: string;
const district = `Health-${randomUUID().slice(0, 6)}`;
const base = { lat: 22.1935 + Math.random() * 0.002, lon: 113.5405 + Math.random() * 0.002 };
const cameraIds = [0, 1].map((index) => `hc-cam-${randomUUID().slice(0, 6)}-${index}`);

beforeAll(async () => {
  pool = await migratedPool();
  await quietLeftoverCameras(pool);
  await insertCameras(
    pool,
    cameraIds.map((id) => ({ id, district, ...base })),
  );
  stack = await startTestStack(
    {},
    { CORRELATOR_CAMERA_SILENT_AFTER_S: String(SILENT_AFTER_S), CORRELATOR_SILENCE_CHECK_MS: "500" },
  );
  token = (await login(stack.url, "operator")).token;
});

afterAll(async () => {
  await stack?.stop();
  await pool?.end();
});

/** Every camera status change the socket receives. */
function statusLog(socket: HubClient): CameraStatusChange[] {
  const log: CameraStatusChange[] = [];
  socket.on("cameras:status", (message: Envelope<CameraStatusChange[]>) => log.push(...message.data));
  return log;
}

async function subscribed(area: string): Promise<HubClient> {
  const socket = await connect(stack.url, token);
  await new Promise((resolve) => socket.emit("view:subscribe", { area }, resolve));
  return socket;
}

async function shownState(cameraId: string): Promise<string> {
  const detail = await api<CameraDetail>(stack.url, token, `/api/v1/cameras/${cameraId}`);
  return detail.body.camera.state;
}

describe("silent cameras", { timeout: 180_000 }, () => {
  it("turns a camera that sends nothing silent, and back to its reported state when a detection is heard", async () => {
    const [cameraId] = cameraIds as [string];
    const socket = await subscribed(district);
    const log = statusLog(socket);
    try {
      await produceEvents([
        { status: newStatus(cameraId, { state: CameraState.CAMERA_STATE_ONLINE, degradationReason: 0 }), at: base },
      ]);
      const wentSilent = () => log.some((change) => change.cameraId === cameraId && change.state === "silent");
      expect(await eventually(async () => wentSilent(), 90_000)).toBe(true);
      // The report came first: online, then silent, without a status message saying so.
      const own = log.filter((change) => change.cameraId === cameraId);
      expect(own.map((change) => change.state)).toContain("online");
      expect(own.find((change) => change.state === "silent")?.byHub).toBe(true);
      expect(await shownState(cameraId)).toBe("silent");
      const row = await pool.query("SELECT state, silent_since FROM cameras WHERE id = $1", [cameraId]);
      expect(row.rows[0].state).toBe("online");
      expect(row.rows[0].silent_since).not.toBeNull();

      // Heard again by a detection alone (no status report): back to online, its reported state.
      const silentAt = log.length;
      await produceEvents([{ detection: newDetection(cameraId, { plate: undefined }), at: base }]);
      expect(
        await eventually(
          async () =>
            log
              .slice(silentAt)
              .some((change) => change.cameraId === cameraId && change.state === "online" && change.byHub === true),
          60_000,
        ),
      ).toBe(true);
    } finally {
      socket.close();
    }
  });

  it("a status report after a silence brings the camera back in the state it reports", async () => {
    const cameraId = cameraIds[1] as string;
    expect(await eventually(async () => (await shownState(cameraId)) === "silent", 90_000)).toBe(true);
    await produceEvents([
      { status: newStatus(cameraId, { state: CameraState.CAMERA_STATE_OFFLINE, degradationReason: 0 }), at: base },
    ]);
    expect(await eventually(async () => (await shownState(cameraId)) === "offline", 60_000)).toBe(true);
    const row = await pool.query("SELECT silent_since, last_heard_at FROM cameras WHERE id = $1", [cameraId]);
    expect(row.rows[0].silent_since).toBeNull();
    expect(row.rows[0].last_heard_at).not.toBeNull();
  });

  it("a sweep marks a camera silent once: a second sweep (another correlator) finds nothing left to mark", async () => {
    const id = `hc-race-${randomUUID().slice(0, 6)}`;
    await insertCameras(pool, [{ id, district, ...base }]);
    await pool.query("UPDATE cameras SET last_heard_at = now() - INTERVAL '1 hour' WHERE id = $1", [id]);
    const repository = new CameraHealthRepository();
    const sweep = async () => {
      const client = await pool.connect();
      try {
        return (await repository.markSilent(client, 60, 1_000_000)).map((change) => change.cameraId);
      } finally {
        client.release();
      }
    };
    const silentSince = async () =>
      (await pool.query<{ at: Date | null }>("SELECT silent_since AS at FROM cameras WHERE id = $1", [id])).rows[0]?.at;
    // The stack's own correlator sweeps too (every 500 ms): whichever sweep marks the camera, it is marked once.
    await sweep();
    const marked = await silentSince();
    expect(marked).toBeInstanceOf(Date);
    expect(await sweep()).not.toContain(id);
    expect(await silentSince()).toEqual(marked);
    expect(await eventually(async () => (await shownState(id)) === "silent", 60_000)).toBe(true);
  });
});
