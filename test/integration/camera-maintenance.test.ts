import { randomUUID } from "node:crypto";
import type { Pool } from "@hub/common";
import { API, type CameraDetail, type CameraList, type MaintenanceWindowView } from "@hub/contracts";
import { CameraState } from "@hub/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newStatus } from "../support/factories.js";
import { api, insertCameras, login, startTestStack, type TestStack } from "../support/gateway.js";
import { eventually, migratedPool, produceEvents } from "../support/hub.js";

/**
 * Maintenance windows against the real correlator and gateway: a camera fault inside a window opens no camera-fault
 * incident, the same fault after the window is ended does; the camera shows "maintenance" meanwhile; only
 * supervisors and administrators create or end windows, every change is audited, and bad requests are refused
 * with the field named.
 */
let pool: Pool;
let stack: TestStack;
let supervisor: string;
let operator: string;
const district = `Maint-${randomUUID().slice(0, 6)}`;
const base = { lat: 22.1935 + Math.random() * 0.002, lon: 113.5405 + Math.random() * 0.002 };
const cameraId = `mw-${randomUUID().slice(0, 6)}`;

beforeAll(async () => {
  pool = await migratedPool();
  await insertCameras(pool, [{ id: cameraId, district, ...base }]);
  stack = await startTestStack();
  supervisor = (await login(stack.url, "supervisor")).token;
  operator = (await login(stack.url, "operator")).token;
});

afterAll(async () => {
  await stack?.stop();
  await pool?.end();
});

const post = <T>(token: string, path: string, body?: unknown) =>
  api<T & { field?: string }>(stack.url, token, path, {
    method: "POST",
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

/** A fault report (scene change) of the camera, stored by the correlator; whether it opened a camera-fault incident. */
async function faultOpensIncident(): Promise<boolean> {
  const status = newStatus(cameraId, {
    state: CameraState.CAMERA_STATE_OFFLINE,
    degradationReason: 0,
    signalLoss: true,
  });
  await produceEvents([{ status, at: base }]);
  const stored = await eventually(async () => {
    const row = await pool.query("SELECT 1 FROM camera_status WHERE event_id = $1", [status.eventId]);
    return row.rowCount === 1;
  }, 60_000);
  expect(stored).toBe(true);
  // Correlation runs in the transaction that stored the row: by now an incident would exist.
  const incident = await pool.query(
    `SELECT 1 FROM incident_evidence e JOIN incidents i ON i.id = e.incident_id
      WHERE e.event_id = $1 AND i.kind = 'camera_fault'`,
    [status.eventId],
  );
  return incident.rowCount === 1;
}

async function listedState(): Promise<string | undefined> {
  const list = await api<CameraList>(stack.url, operator, `${API.cameraHealth}?district=${district}`);
  return list.body.cameras[0]?.state;
}

describe("maintenance windows", { timeout: 180_000 }, () => {
  it("suppresses camera-fault incidents while in force, and not after it ends", async () => {
    const created = await post<MaintenanceWindowView>(supervisor, API.maintenanceWindows, {
      cameraId,
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      reason: "Replacing the lens housing",
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ cameraId, district: null, createdBy: "supervisor", endedAt: null });
    expect(await listedState()).toBe("maintenance");
    const detail = await api<CameraDetail>(stack.url, operator, API.camera(cameraId));
    expect(detail.body.camera.state).toBe("maintenance");
    const listed = await api<MaintenanceWindowView[]>(
      stack.url,
      operator,
      `${API.maintenanceWindows}?cameraId=${cameraId}`,
    );
    expect(listed.body.map((window) => window.id)).toEqual([created.body.id]);

    expect(await faultOpensIncident()).toBe(false);

    const ended = await post<MaintenanceWindowView>(supervisor, API.endMaintenanceWindow(created.body.id));
    expect(ended.status).toBe(200);
    expect(ended.body.endedBy).toBe("supervisor");
    expect(await listedState()).not.toBe("maintenance");
    expect(await faultOpensIncident()).toBe(true);

    const audit = await pool.query(
      "SELECT action FROM audit_log WHERE subject = $1 AND action LIKE 'camera.maintenance.%' ORDER BY id",
      [cameraId],
    );
    expect(audit.rows.map((row) => row.action)).toEqual(["camera.maintenance.create", "camera.maintenance.end"]);
    // Ending it twice is refused.
    expect((await post(supervisor, API.endMaintenanceWindow(created.body.id))).status).toBe(409);
  });

  it("a district-wide window covers the district's cameras", async () => {
    const created = await post<MaintenanceWindowView>(supervisor, API.maintenanceWindows, {
      district,
      endsAt: new Date(Date.now() + 600_000).toISOString(),
      reason: "Fibre works on the district's ring",
    });
    expect(created.status).toBe(201);
    expect(await listedState()).toBe("maintenance");
    expect((await post(supervisor, API.endMaintenanceWindow(created.body.id))).status).toBe(200);
  });

  it("refuses other roles, bad windows with the field named, and unknown cameras", async () => {
    const endsAt = new Date(Date.now() + 600_000).toISOString();
    const byOperator = await post(operator, API.maintenanceWindows, { cameraId, endsAt, reason: "x" });
    expect(byOperator.status).toBe(403);
    for (const [body, field] of [
      [{ cameraId, district, endsAt, reason: "x" }, "body.cameraId"],
      [{ endsAt, reason: "x" }, "body.cameraId"],
      [{ cameraId, endsAt: new Date(Date.now() - 60_000).toISOString(), reason: "x" }, "body.endsAt"],
      [{ cameraId, endsAt: "tomorrow", reason: "x" }, "body.endsAt"],
      [{ cameraId, endsAt, reason: "" }, "body.reason"],
      [{ cameraId, endsAt, reason: "x", colour: "red" }, "body.colour"],
    ] as const) {
      const response = await post(supervisor, API.maintenanceWindows, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.field, JSON.stringify(body)).toBe(field);
    }
    const unknown = await post(supervisor, API.maintenanceWindows, { cameraId: "no-such-camera", endsAt, reason: "x" });
    expect(unknown.status).toBe(404);
    expect((await post(operator, API.endMaintenanceWindow(randomUUID()))).status).toBe(403);
    expect((await post(supervisor, API.endMaintenanceWindow(randomUUID()))).status).toBe(404);
    const none = await pool.query(
      "SELECT count(*)::int AS n FROM camera_maintenance WHERE camera_id = 'no-such-camera'",
    );
    expect(none.rows[0].n).toBe(0);
  });
});
