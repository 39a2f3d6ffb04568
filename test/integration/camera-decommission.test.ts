import { randomUUID } from "node:crypto";
import type { Pool, PoolClient } from "@hub/common";
import {
  API,
  type CameraList,
  type CameraView,
  type CaseSearchResult,
  type DecommissionView,
  type Snapshot,
} from "@hub/contracts";
import { CameraState } from "@hub/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CameraHealthRepository } from "../../services/correlator/src/repositories/camera-health.repository.js";
import { IncidentRepository } from "../../services/correlator/src/repositories/incident.repository.js";
import { newStatus } from "../support/factories.js";
import { api, insertCameraStatus, insertCameras, login, startTestStack, type TestStack } from "../support/gateway.js";
import { eventually, migratedPool, produceEvents } from "../support/hub.js";

/**
 * Decommissioning a camera against the real correlator and gateway: only supervisors and administrators, with a
 * reason, audited; the camera leaves the map, the snapshot and the camera list's default results but is found with
 * the filter; the silent sweep and the absence rule skip it and its late faults open no incident; its history stays,
 * and case lookups over times before its decommissioning still list it, not after.
 */
let pool: Pool;
let stack: TestStack;
let supervisor: string;
let operator: string;
let investigator: string;
const tag = randomUUID().slice(0, 6);
const district = `Decom-${tag}`;
// A private patch of map (the correlator trusts ingest's region check), away from the other tests' cameras.
const base = { lat: 24.1 + Math.random() * 0.2, lon: 115.1 + Math.random() * 0.2 };
const retired = `dc-${tag}-1`;
const kept = `dc-${tag}-2`;
const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);

beforeAll(async () => {
  pool = await migratedPool();
  await insertCameras(pool, [
    { id: retired, district, ...base },
    { id: kept, district, lat: base.lat + 0.01, lon: base.lon },
  ]);
  await insertCameraStatus(pool, { id: retired, ...base }, "online", twoHoursAgo);
  stack = await startTestStack();
  supervisor = (await login(stack.url, "supervisor")).token;
  operator = (await login(stack.url, "operator")).token;
  investigator = (await login(stack.url, "investigator")).token;
});

afterAll(async () => {
  await stack?.stop();
  await pool?.end();
});

const decommission = (token: string, cameraId: string, body: unknown) =>
  api<DecommissionView & { field?: string }>(stack.url, token, API.decommissionCamera(cameraId), {
    method: "POST",
    body: JSON.stringify(body),
  });

const listed = async (query = "") =>
  (await api<CameraList>(stack.url, operator, `${API.cameraHealth}?district=${district}${query}`)).body.cameras;

const onMap = async () => ({
  cameras: (await api<CameraView[]>(stack.url, operator, API.cameras)).body.map((camera) => camera.id),
  snapshot: (await api<Snapshot>(stack.url, operator, API.snapshot)).body.cameras.map((camera) => camera.id),
});

/** A fault report of the camera, stored by the correlator; whether it opened a camera-fault incident. */
async function faultOpensIncident(cameraId: string, at: { lat: number; lon: number }): Promise<boolean> {
  const status = newStatus(cameraId, {
    state: CameraState.CAMERA_STATE_OFFLINE,
    degradationReason: 0,
    signalLoss: true,
  });
  await produceEvents([{ status, at }]);
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

async function withClient<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await work(client);
  } finally {
    client.release();
  }
}

describe("decommissioning a camera", { timeout: 240_000 }, () => {
  it("refuses other roles, a missing reason with the field named, unknown cameras; changes nothing then", async () => {
    expect((await decommission(operator, retired, { reason: "Pole removed" })).status).toBe(403);
    for (const body of [{}, { reason: "" }, { reason: "   " }]) {
      const response = await decommission(supervisor, retired, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.field, JSON.stringify(body)).toBe("body.reason");
    }
    const extra = await decommission(supervisor, retired, { reason: "x", colour: "red" });
    expect(extra.status).toBe(400);
    expect(extra.body.field).toBe("body.colour");
    expect((await decommission(supervisor, `no-such-${tag}`, { reason: "Pole removed" })).status).toBe(404);
    const row = await pool.query("SELECT decommissioned_at FROM cameras WHERE id = $1", [retired]);
    expect(row.rows[0].decommissioned_at).toBeNull();
    const audit = await pool.query("SELECT 1 FROM audit_log WHERE subject = $1 AND action = 'camera.decommission'", [
      retired,
    ]);
    expect(audit.rowCount).toBe(0);
    expect((await listed()).map((camera) => camera.id)).toEqual([retired, kept]);
    const before = await onMap();
    expect(before.cameras).toContain(retired);
    expect(before.snapshot).toContain(retired);
  });

  it("takes it off the map and the default list, audited, once; the filter still finds it", async () => {
    const done = await decommission(supervisor, retired, { reason: "Pole removed for road works" });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({
      cameraId: retired,
      decommissionedBy: "supervisor",
      reason: "Pole removed for road works",
    });
    const audit = await pool.query(
      "SELECT actor, criteria FROM audit_log WHERE subject = $1 AND action = 'camera.decommission'",
      [retired],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0].actor).toBe("supervisor");
    expect(JSON.stringify(audit.rows[0].criteria)).toContain("Pole removed for road works");

    const again = await decommission(supervisor, retired, { reason: "Twice" });
    expect(again.status).toBe(409);
    expect(
      (await pool.query("SELECT 1 FROM audit_log WHERE subject = $1 AND action = 'camera.decommission'", [retired]))
        .rowCount,
    ).toBe(1);

    expect((await listed()).map((camera) => camera.id)).toEqual([kept]);
    const all = await listed("&decommissioned=true");
    expect(all.map((camera) => camera.id)).toEqual([retired, kept]);
    expect(all[0]?.decommissionedAt).toBe(done.body.decommissionedAt);
    expect(all[1]?.decommissionedAt).toBeNull();
    expect((await listed("&decommissioned=only")).map((camera) => camera.id)).toEqual([retired]);
    const bad = await api<{ field?: string }>(stack.url, operator, `${API.cameraHealth}?decommissioned=maybe`);
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe("query.decommissioned");

    const after = await onMap();
    expect(after.cameras).not.toContain(retired);
    expect(after.snapshot).not.toContain(retired);
    expect(after.cameras).toContain(kept);
    // The detail (its history) stays reachable.
    expect((await api(stack.url, operator, API.camera(retired))).status).toBe(200);
  });

  it("is skipped by the silent sweep and the absence rule, and its late faults open no incident", async () => {
    await pool.query(
      "UPDATE cameras SET last_heard_at = now() - INTERVAL '1 hour', last_status_at = now() - INTERVAL '1 hour' WHERE id = ANY($1)",
      [[retired, kept]],
    );
    await withClient((client) => new CameraHealthRepository().markSilent(client, 60, 1_000_000));
    const silent = await pool.query("SELECT id, silent_since FROM cameras WHERE id = ANY($1) ORDER BY id", [
      [retired, kept],
    ]);
    expect(silent.rows.map((row) => [row.id, row.silent_since !== null])).toEqual([
      [retired, false],
      [kept, true],
    ]);
    // A rule id of this test's own: the stack's correlator may report the silence under its camera-silent rule.
    const ruleId = `absence-${tag}`;
    const incidents = new IncidentRepository();
    const absent = await withClient((client) => incidents.silentCameras(client, 60, ruleId));
    const absentIds = absent.map((camera) => camera.id);
    expect(absentIds).toContain(kept);
    expect(absentIds).not.toContain(retired);
    // Once the silence is reported, the camera is no longer fetched on every round (it was, thousands at a time).
    const camera = absent.find((row) => row.id === kept) as (typeof absent)[number];
    await withClient((client) =>
      incidents.create(
        client,
        {
          ruleId,
          ruleVersion: 1,
          correlationKey: `${camera.id}@${camera.last_status_at.toISOString()}`,
          kind: "camera_fault",
          severity: "minor",
          titles: { "zh-Hant": "靜默", pt: "Silêncio", en: "Silent" },
          lat: camera.lat,
          lon: camera.lon,
          h3Cell: camera.h3_cell,
        },
        camera.last_status_at,
        camera.last_status_at,
      ),
    );
    const stillAbsent = await withClient((client) => incidents.silentCameras(client, 60, ruleId));
    expect(stillAbsent.map((row) => row.id)).not.toContain(kept);

    expect(await faultOpensIncident(kept, { lat: base.lat + 0.01, lon: base.lon })).toBe(true);
    expect(await faultOpensIncident(retired, base)).toBe(false);
  });

  it("keeps its history, and case lookups find it for times before its decommissioning, not after", async () => {
    const history = await pool.query("SELECT count(*)::int AS n FROM camera_status WHERE camera_id = $1", [retired]);
    expect(history.rows[0].n).toBeGreaterThanOrEqual(2);
    // As if decommissioned half an hour ago (the lookups' windows lie in the past).
    await pool.query("UPDATE cameras SET decommissioned_at = now() - INTERVAL '30 minutes' WHERE id = $1", [retired]);
    const search = async (fromMin: number, toMin: number) => {
      const response = await api<CaseSearchResult>(stack.url, investigator, API.caseSearch, {
        method: "POST",
        body: JSON.stringify({
          caseReference: `PJ-2026-${tag}`,
          purpose: "Bag snatching near the bus stop",
          window: {
            from: new Date(Date.now() - fromMin * 60_000).toISOString(),
            to: new Date(Date.now() - toMin * 60_000).toISOString(),
          },
          // 60 m east of the camera, which looks east with a 120 m range.
          area: {
            circle: {
              lat: base.lat,
              lon: base.lon + 60 / (111_320 * Math.cos((base.lat * Math.PI) / 180)),
              radiusM: 10,
            },
          },
        }),
      });
      expect(response.status).toBe(200);
      return response.body.cameras.map((camera) => camera.id);
    };
    expect(await search(100, 40)).toContain(retired);
    expect(await search(25, 5)).not.toContain(retired);
  });
});
