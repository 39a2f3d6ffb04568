import { randomUUID } from "node:crypto";
import { h3Cell, type Pool } from "@hub/common";
import { API, type CameraList } from "@hub/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, insertCameras, login, startTestStack, type TestStack } from "../support/gateway.js";
import { migratedPool } from "../support/hub.js";

/**
 * The camera list (GET /api/v1/camera-health) against the real gateway and database: filters, paging, the
 * availability figures computed from the statuses inserted here for this file's own cameras, current incidents,
 * and the refusals of bad filters and of callers without a session.
 */
let pool: Pool;
let stack: TestStack;
let token: string;
const tag = randomUUID().slice(0, 6);
const districtA = `List-A-${tag}`;
const districtB = `List-B-${tag}`;
const otherSite = `site-list-${tag}`;
const place = { lat: 22.1935 + Math.random() * 0.002, lon: 113.5405 + Math.random() * 0.002 };
const ids = { measured: `cl-${tag}-1`, silent: `cl-${tag}-2`, elsewhere: `cl-${tag}-3` };

/** Status reports in the 5-minute intervals `fromK..toK` before the current one (k = 1: the last completed). */
async function statuses(cameraId: string, state: string, fromK: number, toK: number): Promise<void> {
  await pool.query(
    `INSERT INTO camera_status (observed_at, event_id, camera_id, state, signal_loss, scene_change, site_id, lat, lon,
       h3_cell, ingested_at)
     SELECT t, $2 || '-' || k, $1, $3, false, false, 'site-test', $6, $7, $8, t
       FROM generate_series($4::int, $5::int) AS k,
            LATERAL (SELECT time_bucket(INTERVAL '5 minutes', now()) - k * INTERVAL '5 minutes' + INTERVAL '1 minute' AS t) x`,
    [cameraId, `cl-${cameraId}-${state}`, state, fromK, toK, place.lat, place.lon, h3Cell(place.lat, place.lon)],
  );
}

async function list(query: string, as = token) {
  return api<CameraList & { field?: string }>(stack.url, as, `${API.cameraHealth}?${query}`);
}

beforeAll(async () => {
  pool = await migratedPool();
  await insertCameras(pool, [
    { id: ids.measured, district: districtA, ...place },
    { id: ids.silent, district: districtA, ...place },
    { id: ids.elsewhere, district: districtB, ...place },
  ]);
  await pool.query("INSERT INTO sites (id, name) VALUES ($1, $1) ON CONFLICT DO NOTHING", [otherSite]);
  await pool.query("UPDATE cameras SET site_id = $2 WHERE id = $1", [ids.elsewhere, otherSite]);
  await pool.query("UPDATE cameras SET phase = 3, silent_since = now(), state = 'online' WHERE id = $1", [ids.silent]);
  // Registered 8 days ago: the whole 7-day window counts.
  await pool.query(
    "UPDATE cameras SET created_at = now() - INTERVAL '8 days', state = 'online', last_heard_at = now() WHERE id = ANY($1)",
    [Object.values(ids)],
  );
  // 72 available intervals in the last 24 hours, then 8 offline ones; 216 more available ones three days ago.
  await statuses(ids.measured, "online", 1, 60);
  await statuses(ids.measured, "degraded", 61, 72);
  await statuses(ids.measured, "offline", 73, 80);
  await statuses(ids.measured, "online", 865, 1080);
  // An open incident with the camera's evidence, and a resolved one that no longer counts.
  for (const status of ["open", "resolved"]) {
    const id = randomUUID();
    await pool.query(
      `INSERT INTO incidents (id, rule_id, rule_version, correlation_key, kind, severity, status, title, lat, lon, h3_cell,
         first_event_at, last_event_at) VALUES ($1::uuid, 'traffic', 1, $1::text, 'traffic', 'moderate', $2, 't', $3, $4, $5, now(), now())`,
      [id, status, place.lat, place.lon, h3Cell(place.lat, place.lon)],
    );
    await pool.query(
      `INSERT INTO incident_evidence (incident_id, event_id, event_kind, observed_at, source_id, event)
       VALUES ($1, $2, 'detection', now(), $3, '{}')`,
      [id, `ev-${id}`, ids.measured],
    );
  }
  stack = await startTestStack();
  token = (await login(stack.url, "operator")).token;
});

afterAll(async () => {
  await stack?.stop();
  await pool?.end();
});

describe("camera list", { timeout: 120_000 }, () => {
  it("lists a district's cameras with last heard, availability over 24 hours and 7 days, and current incidents", async () => {
    const response = await list(`district=${districtA}`);
    expect(response.status).toBe(200);
    expect(response.body.total).toBe(2);
    expect(response.body.cameras.map((camera) => camera.id)).toEqual([ids.measured, ids.silent]);
    const measured = response.body.cameras[0];
    expect(measured).toMatchObject({ district: districtA, phase: 1, siteId: "site-test", state: "online" });
    expect(measured?.lastHeardAt).not.toBeNull();
    // 72 of the last 288 intervals; 72 + 216 of the last 2016.
    expect(measured?.availability24h).toBe(0.25);
    expect(measured?.availability7d).toBe(Math.round((288 / 2016) * 10_000) / 10_000);
    expect(measured?.currentIncidents).toBe(1);
    const silent = response.body.cameras[1];
    expect(silent).toMatchObject({
      state: "silent",
      phase: 3,
      availability24h: 0,
      availability7d: 0,
      currentIncidents: 0,
    });
  });

  it("filters by phase, state and site, and pages in id order", async () => {
    const byPhase = await list(`district=${districtA}&phase=3`);
    expect(byPhase.body.cameras.map((camera) => camera.id)).toEqual([ids.silent]);
    const bySilence = await list(`district=${districtA}&state=silent`);
    expect(bySilence.body.cameras.map((camera) => camera.id)).toEqual([ids.silent]);
    const byOnline = await list(`district=${districtA}&state=online`);
    expect(byOnline.body.cameras.map((camera) => camera.id)).toEqual([ids.measured]);
    const bySite = await list(`district=${districtB}&site=${otherSite}`);
    expect(bySite.body.cameras.map((camera) => camera.id)).toEqual([ids.elsewhere]);
    expect((await list(`district=${districtB}&site=site-test`)).body.total).toBe(0);

    const first = await list(`district=${districtA}&limit=1`);
    expect(first.body.cameras.map((camera) => camera.id)).toEqual([ids.measured]);
    expect(first.body.nextAfter).toBe(ids.measured);
    const second = await list(`district=${districtA}&limit=1&after=${first.body.nextAfter}`);
    expect(second.body.cameras.map((camera) => camera.id)).toEqual([ids.silent]);
    expect(second.body.nextAfter).toBeNull();
  });

  it("refuses bad filters with the field named, and callers without a session", async () => {
    for (const [query, field] of [
      ["phase=9", "query.phase"],
      ["phase=two", "query.phase"],
      ["state=purple", "query.state"],
      ["limit=0", "query.limit"],
      ["limit=501", "query.limit"],
      ["colour=red", "query.colour"],
    ] as const) {
      const response = await list(query);
      expect(response.status, query).toBe(400);
      expect(response.type).toContain("application/problem+json");
      expect(response.body.field, query).toBe(field);
    }
    expect((await list("", "not-a-token")).status).toBe(401);
    expect((await list("", "")).status).toBe(401);
  });
});
