import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { h3Cell, type Pool } from "@hub/common";
import type {
  AuditEntryView,
  CaseDetection,
  CaseSearchRequest,
  CaseSearchResult,
  ExportJob,
  Problem,
} from "@hub/contracts";
import { insertDetections } from "@hub/correlator";
import { strToU8, unzipSync, zipSync } from "fflate";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, insertCameraStatus, insertCameras, login, startTestStack, type TestStack } from "../support/gateway.js";
import { infra, migratedPool } from "../support/hub.js";

/**
 * Police case lookup against the real database, correlator and gateway: results equal a brute-force computation
 * over the same seeded cameras and detections (field-of-view geometry included) for many random queries; bad
 * criteria, wrong roles, missing case references and expired tokens are refused; every action leaves exactly one
 * entry in the hash-chained audit trail, which `audit:verify` checks; exports are signed and verifiable.
 */
const JWT_SECRET = "case-lookup-test-secret-of-at-least-32-chars";
let pool: Pool;
let stack: TestStack;
let investigator: string;

// A private patch of map (the correlator trusts ingest's region check): 24 cameras on a 5 × 5 grid with 120 m steps,
// random bearings, fields of view and ranges; one is offline for the whole day.
const origin = { lat: 23.6 + Math.random() * 0.2, lon: 114.6 + Math.random() * 0.2 };
const M_LAT = 1 / 111_320;
const M_LON = 1 / (111_320 * Math.cos((origin.lat * Math.PI) / 180));
const at = (x: number, y: number) => ({ lat: origin.lat + y * M_LAT, lon: origin.lon + x * M_LON });
const dayStart = new Date(Date.now() - 6 * 3600_000);
const windowStart = new Date(dayStart.getTime() + 3600_000);
const windowEnd = new Date(windowStart.getTime() + 2 * 3600_000);
const tag = randomUUID().slice(0, 6);
interface SeedCamera {
  id: string;
  lat: number;
  lon: number;
  bearingDeg: number;
  fovAngleDeg: number;
  rangeM: number;
  online: boolean;
}
const cameras: SeedCamera[] = [];
const detections: CaseDetection[] = [];
const CLASSES = ["person", "vehicle", "motorcycle", "license_plate"] as const;
const PLATES = ["MA-12-34", "MB-12-99", "MK-77-01", "ME-12-35", "AA-00-01"];

let seed = 20261124;
function random(): number {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
}

function base(overrides: Partial<CaseSearchRequest> = {}): CaseSearchRequest {
  return {
    caseReference: `PJ-2026-${tag}`,
    purpose: "Robbery near the market, suspect fled on foot",
    window: { from: windowStart.toISOString(), to: windowEnd.toISOString() },
    area: { circle: { ...at(240, 240), radiusM: 150 } },
    ...overrides,
  };
}

beforeAll(async () => {
  pool = await migratedPool();
  for (let gx = 0; gx < 5; gx += 1) {
    for (let gy = 0; gy < 5; gy += 1) {
      if (gx === 2 && gy === 2) continue;
      cameras.push({
        id: `case-${tag}-${gx}${gy}`,
        ...at(gx * 120, gy * 120),
        bearingDeg: Math.floor(random() * 360),
        fovAngleDeg: [60, 90, 120, 360][Math.floor(random() * 4)] as number,
        rangeM: 60 + Math.floor(random() * 140),
        online: !(gx === 1 && gy === 3),
      });
    }
  }
  await insertCameras(
    pool,
    cameras.map((camera) => ({ ...camera, district: `Case-${tag}` })),
  );
  for (const camera of cameras) {
    await insertCameraStatus(pool, camera, camera.online ? "online" : "offline", dayStart);
  }
  const rows = [];
  for (let index = 0; index < 4000; index += 1) {
    const camera = cameras[Math.floor(random() * cameras.length)] as SeedCamera;
    // Some before and after the window, to check its edges.
    const observedAt = new Date(windowStart.getTime() - 1800_000 + Math.floor(random() * 3 * 3600_000));
    const objectClass = CLASSES[Math.floor(random() * CLASSES.length)] as string;
    const plate = objectClass === "license_plate" ? (PLATES[Math.floor(random() * PLATES.length)] as string) : null;
    const ruleType = objectClass === "vehicle" && random() < 0.1 ? "stopped_vehicle" : null;
    const eventId = `det-${tag}-${index}`;
    detections.push({
      eventId,
      cameraId: camera.id,
      observedAt: observedAt.toISOString(),
      objectClass,
      confidence: 0.5,
      plateText: plate,
      ruleType,
      trackId: null,
      snapshot: false,
    });
    const row = {
      observedAt,
      eventId,
      cameraId: camera.id,
      siteId: "site-test",
      objectClass,
      confidence: 0.5,
      box: undefined,
      trackId: null,
      attributes: null,
      plate: plate ? { text: plate, region: "MO", confidence: 0.9 } : undefined,
      rule: ruleType ? { type: ruleType, name: "lane", count: 0, dwellSeconds: 60 } : undefined,
      lat: camera.lat,
      lon: camera.lon,
      h3Cell: h3Cell(camera.lat, camera.lon),
      ingestedAt: observedAt,
    };
    rows.push(row);
    // Event ids are unique per site only: every tenth detection has a twin from another site with the same id and
    // time, on another camera. Paging must neither skip nor repeat one of the two.
    if (index % 10 === 0) {
      const other = cameras[
        (cameras.indexOf(camera) + 1 + Math.floor(random() * (cameras.length - 1))) % cameras.length
      ] as SeedCamera;
      detections.push({ ...(detections.at(-1) as CaseDetection), cameraId: other.id });
      rows.push({
        ...row,
        cameraId: other.id,
        siteId: "site-test-twin",
        lat: other.lat,
        lon: other.lon,
        h3Cell: h3Cell(other.lat, other.lon),
      });
    }
  }
  await insertDetections(pool, rows);
  stack = await startTestStack({ GATEWAY_JWT_SECRET: JWT_SECRET });
  investigator = (await login(stack.url, "investigator")).token;
});

afterAll(async () => {
  await stack?.stop();
  await pool?.end();
});

// ---- Brute force: an independent sector test, and a dense sampling of the area ----

function inSector(camera: SeedCamera, point: { lat: number; lon: number }): boolean {
  const dx = (point.lon - camera.lon) / M_LON;
  const dy = (point.lat - camera.lat) / M_LAT;
  const distance = Math.hypot(dx, dy);
  if (distance > camera.rangeM) return false;
  if (camera.fovAngleDeg >= 360 || distance === 0) return true;
  const bearing = ((Math.atan2(dx, dy) * 180) / Math.PI + 360) % 360;
  const difference = Math.abs(((bearing - camera.bearingDeg + 540) % 360) - 180);
  return difference <= camera.fovAngleDeg / 2;
}

/** Cameras that see some sample point of the circle (samples every `step` metres, edge included). */
function bruteCovering(center: { lat: number; lon: number }, radiusM: number, step: number): Set<string> {
  const found = new Set<string>();
  const points: { lat: number; lon: number }[] = [];
  for (let x = -radiusM; x <= radiusM; x += step)
    for (let y = -radiusM; y <= radiusM; y += step)
      if (Math.hypot(x, y) <= radiusM) points.push({ lat: center.lat + y * M_LAT, lon: center.lon + x * M_LON });
  for (let k = 0; k < 360; k += 2)
    points.push({
      lat: center.lat + radiusM * Math.cos((k * Math.PI) / 180) * M_LAT,
      lon: center.lon + radiusM * Math.sin((k * Math.PI) / 180) * M_LON,
    });
  for (const camera of cameras)
    if (camera.online && points.some((point) => inSector(camera, point))) found.add(camera.id);
  return found;
}

async function search(token: string, request: unknown) {
  return api<CaseSearchResult & Problem>(stack.url, token, "/api/v1/cases/search", {
    method: "POST",
    body: JSON.stringify(request),
  });
}

async function allPages(first: CaseSearchResult, purpose: string): Promise<CaseDetection[]> {
  const items = [...first.detections.items];
  let cursor = first.detections.nextCursor;
  while (cursor) {
    const page = await api<CaseSearchResult>(
      stack.url,
      investigator,
      `/api/v1/cases/records/${first.recordId}?purpose=${encodeURIComponent(purpose)}&cursor=${cursor}&limit=37`,
    );
    expect(page.status).toBe(200);
    items.push(...page.body.detections.items);
    cursor = page.body.detections.nextCursor;
  }
  return items;
}

function likePlate(pattern: string) {
  const regex = new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\-]/g, "\\$&")
      .replaceAll("*", ".*")
      .replaceAll("?", ".")}$`,
    "i",
  );
  return (plate: string | null) => plate !== null && regex.test(plate);
}

describe("case lookup results", () => {
  it("match a brute-force computation for many random queries", async () => {
    for (let query = 0; query < 24; query += 1) {
      const center = at(-50 + random() * 580, -50 + random() * 580);
      const radiusM = 20 + Math.floor(random() * 200);
      const from = new Date(windowStart.getTime() - 900_000 + Math.floor(random() * 3600_000));
      const to = new Date(from.getTime() + 600_000 + Math.floor(random() * 2 * 3600_000));
      const objectClasses = random() < 0.4 ? [CLASSES[Math.floor(random() * CLASSES.length)] as string] : undefined;
      const plate =
        random() < 0.25 ? ["M?-12-*", "MA-12-34", "*-12-3?", "ZZ-99-99"][Math.floor(random() * 4)] : undefined;
      const ruleTypes = random() < 0.15 ? ["stopped_vehicle"] : undefined;
      const request = base({
        area: { circle: { ...center, radiusM } },
        window: { from: from.toISOString(), to: to.toISOString() },
        ...(objectClasses ? { objectClasses: objectClasses as CaseSearchRequest["objectClasses"] } : {}),
        ...(plate ? { plate } : {}),
        ...(ruleTypes ? { ruleTypes: ruleTypes as CaseSearchRequest["ruleTypes"] } : {}),
        limit: 37,
      });
      const response = await search(investigator, request);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      const result = response.body;
      const label = `query ${query}: ${JSON.stringify(request)}`;

      // Cameras: everything a 2 m sampling finds is returned; anything returned beyond it touches the area within
      // the sampling's blind spots (found by sampling 4 m further out). The offline camera never is.
      const returned = new Set(result.cameras.map((camera) => camera.id));
      const strict = bruteCovering(center, radiusM, 2);
      const loose = bruteCovering(center, radiusM + 4, 2);
      for (const id of strict) expect(returned.has(id), `${label}: ${id} missing`).toBe(true);
      for (const id of returned) expect(loose.has(id), `${label}: ${id} should not cover`).toBe(true);

      // Detections: exactly the seeded ones of those cameras that pass the filters, in (time, id, camera) order.
      const matchesPlate = plate ? likePlate(plate) : () => true;
      const expected = detections
        .filter(
          (d) =>
            returned.has(d.cameraId) &&
            Date.parse(d.observedAt) >= from.getTime() &&
            Date.parse(d.observedAt) <= to.getTime() &&
            (!objectClasses || objectClasses.includes(d.objectClass)) &&
            (!ruleTypes || (d.ruleType !== null && ruleTypes.includes(d.ruleType))) &&
            (!plate || matchesPlate(d.plateText)),
        )
        .sort(
          (a, b) =>
            a.observedAt.localeCompare(b.observedAt) ||
            (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : a.cameraId < b.cameraId ? -1 : 1),
        );
      expect(result.detections.total, label).toBe(expected.length);
      const all = await allPages(result, request.purpose);
      expect(
        all.map((d) => `${d.eventId}@${d.cameraId}`),
        label,
      ).toEqual(expected.map((d) => `${d.eventId}@${d.cameraId}`));
      // Plates: every plate among the matches, with its count.
      const counts = new Map<string, number>();
      for (const d of expected) if (d.plateText) counts.set(d.plateText, (counts.get(d.plateText) ?? 0) + 1);
      expect(Object.fromEntries(result.plates.map((p) => [p.plateText, p.count])), label).toEqual(
        Object.fromEntries(counts),
      );
    }
  });

  it("takes a polygon area and camera ids, and gives clip references only for the cameras it returns", async () => {
    const ring: [number, number][] = [
      [at(100, 100).lon, at(100, 100).lat],
      [at(380, 100).lon, at(380, 100).lat],
      [at(380, 380).lon, at(380, 380).lat],
      [at(100, 380).lon, at(100, 380).lat],
      [at(100, 100).lon, at(100, 100).lat],
    ];
    const all = await search(investigator, base({ area: { polygon: ring } }));
    expect(all.status, JSON.stringify(all.body)).toBe(200);
    expect(all.body.cameras.length).toBeGreaterThan(2);
    const chosen = all.body.cameras.slice(0, 2).map((camera) => camera.id);
    const narrowed = await search(
      investigator,
      base({ area: { polygon: ring }, cameraIds: [...chosen, "not-a-camera"] }),
    );
    expect(narrowed.body.cameras.map((camera) => camera.id).sort()).toEqual([...chosen].sort());
    expect(new Set(narrowed.body.clips.map((clip) => clip.cameraId))).toEqual(new Set(chosen));
    expect(narrowed.body.detections.total).toBe(
      detections.filter(
        (d) =>
          chosen.includes(d.cameraId) &&
          Date.parse(d.observedAt) >= windowStart.getTime() &&
          Date.parse(d.observedAt) <= windowEnd.getTime(),
      ).length,
    );
  });
});

describe("bad criteria and access", () => {
  it("answers bad criteria with 400 and the field", async () => {
    const square = base().area;
    const cases: [unknown, string][] = [
      [{ ...base(), caseReference: undefined }, "body.caseReference"],
      [{ ...base(), caseReference: "x" }, "body.caseReference"],
      [{ ...base(), caseReference: "PJ 2026 ; DROP" }, "body.caseReference"],
      [{ ...base(), purpose: "because" }, "body.purpose"],
      [{ ...base(), window: { from: windowEnd.toISOString(), to: windowStart.toISOString() } }, "body.window.to"],
      [{ ...base(), window: { from: "2026-11-01T00:00:00Z", to: "2026-11-02T00:00:01Z" } }, "body.window"],
      [{ ...base(), window: { from: "yesterday", to: windowEnd.toISOString() } }, "body.window.from"],
      [{ ...base(), area: undefined }, "body.area"],
      [{ ...base(), area: { circle: { lat: 22.19, lon: 113.54, radiusM: 0 } } }, "body.area.circle.radiusM"],
      [{ ...base(), area: { circle: { lat: 22.19, lon: 113.54, radiusM: 5001 } } }, "body.area.circle.radiusM"],
      [{ ...base(), area: { circle: { lat: 91, lon: 113.54, radiusM: 50 } } }, "body.area.circle.lat"],
      [
        {
          ...base(),
          area: {
            polygon: [
              [113.5, 22.1],
              [113.6, 22.1],
              [113.6, 22.2],
              [113.5, 22.2],
            ],
          },
        },
        "body.area.polygon",
      ],
      [
        {
          ...base(),
          area: {
            polygon: [
              [113.5, 22.1],
              [113.6, 22.2],
              [113.6, 22.1],
              [113.5, 22.2],
              [113.5, 22.1],
            ],
          },
        },
        "body.area.polygon",
      ],
      [
        {
          ...base(),
          area: {
            polygon: [
              [113.5, 22.1],
              [113.6, 22.1],
              [113.5, 22.1],
            ],
          },
        },
        "body.area.polygon",
      ],
      [
        {
          ...base(),
          area: {
            polygon: [
              [113.5, "22.1"],
              [113.6, 22.1],
              [113.6, 22.2],
              [113.5, 22.1],
            ],
          },
        },
        "body.area.polygon[0][1]",
      ],
      [{ ...base(), area: { ...square, polygon: [] } }, "body.area"],
      [{ ...base(), plate: "MA-12-34%" }, "body.plate"],
      [{ ...base(), plate: "**" }, "body.plate"],
      [{ ...base(), plate: "M*".repeat(10) }, "body.plate"],
      [{ ...base(), objectClasses: ["unicorn"] }, "body.objectClasses[0]"],
      [{ ...base(), objectClasses: [] }, "body.objectClasses"],
      [{ ...base(), ruleTypes: ["speeding"] }, "body.ruleTypes[0]"],
      [{ ...base(), incidentId: "42" }, "body.incidentId"],
      [{ ...base(), limit: 501 }, "body.limit"],
      [{ ...base(), limit: 2.5 }, "body.limit"],
      [{ ...base(), sortBy: "plate" }, "body.sortBy"],
      ["not an object", "body"],
    ];
    for (const [body, field] of cases) {
      const response = await search(investigator, body);
      expect(response.status, `${field}: ${JSON.stringify(body)}`).toBe(400);
      expect(response.type).toContain("application/problem+json");
      expect(response.body.field, JSON.stringify(body)).toBe(field);
    }
    const unknownIncident = await search(investigator, base({ area: undefined, incidentId: randomUUID() }));
    expect(unknownIncident).toMatchObject({ status: 404, body: { field: "body.incidentId" } });
    const first = await search(investigator, base());
    const badCursor = await api<Problem>(
      stack.url,
      investigator,
      `/api/v1/cases/records/${first.body.recordId}?purpose=${encodeURIComponent("checking the cursor handling")}&cursor=garbage`,
    );
    expect(badCursor).toMatchObject({ status: 400, body: { field: "query.cursor" } });
  });

  it("refuses the wrong role, a missing purpose and expired or missing tokens on every endpoint", async () => {
    const first = await search(investigator, base());
    expect(first.status).toBe(200);
    const record = first.body.recordId;
    const purpose = encodeURIComponent("Follow-up on the robbery timeline");
    const expired = await new SignJWT({ name: "x", roles: ["investigator"] })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("investigator")
      .setIssuer("macao-event-hub")
      .setAudience("hub-gateway")
      .setIssuedAt(Math.floor(Date.now() / 1000) - 7200)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 3600)
      .sign(new TextEncoder().encode(JWT_SECRET));
    const operator = (await login(stack.url, "operator")).token;
    const supervisor = (await login(stack.url, "supervisor")).token;
    const endpoints: [string, RequestInit][] = [
      ["/api/v1/cases/search", { method: "POST", body: JSON.stringify(base()) }],
      [`/api/v1/cases/records/${record}?purpose=${purpose}`, {}],
      [
        `/api/v1/cases/records/${record}/exports`,
        { method: "POST", body: JSON.stringify({ purpose: "Evidence for the prosecutor" }) },
      ],
      [`/api/v1/exports/${randomUUID()}`, {}],
      [`/api/v1/exports/${randomUUID()}/download`, {}],
    ];
    for (const [path, init] of endpoints) {
      expect((await api(stack.url, undefined, path, init)).status, path).toBe(401);
      const old = await api<Problem>(stack.url, expired, path, init);
      expect(old.status, path).toBe(401);
      expect(old.body.detail).toContain("expired");
      for (const token of [operator, supervisor])
        expect((await api(stack.url, token, path, init)).status, path).toBe(403);
    }
    const noPurpose = await api<Problem>(stack.url, investigator, `/api/v1/cases/records/${record}`);
    expect(noPurpose).toMatchObject({ status: 400, body: { field: "query.purpose" } });
    const exportNoPurpose = await api<Problem>(stack.url, investigator, `/api/v1/cases/records/${record}/exports`, {
      method: "POST",
      body: "{}",
    });
    expect(exportNoPurpose).toMatchObject({ status: 400, body: { field: "body.purpose" } });
    // Reading the audit trail: supervisors yes, investigators no.
    expect((await api(stack.url, investigator, "/api/v1/audit")).status).toBe(403);
    const trail = await api<AuditEntryView[]>(
      stack.url,
      supervisor,
      `/api/v1/audit?caseReference=PJ-2026-${tag}&limit=5`,
    );
    expect(trail.status).toBe(200);
    expect(trail.body.length).toBe(5);
    expect(trail.body.every((entry) => entry.caseReference === `PJ-2026-${tag}`)).toBe(true);
  });
});

describe("audit trail and exports", () => {
  const verifyCli = fileURLToPath(new URL("../../services/gateway/dist/src/cli/audit-verify.js", import.meta.url));
  const exportCli = fileURLToPath(new URL("../../services/gateway/dist/src/cli/export-verify.js", import.meta.url));
  const run = (args: string[]) =>
    new Promise<{ code: number; stdout: string }>((resolve) => {
      execFile(
        process.execPath,
        args,
        { env: { ...process.env, DATABASE_URL: infra().databaseUrl } },
        (error, stdout) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout }),
      );
    });
  const entries = async (caseReference: string) =>
    (
      await pool.query(
        "SELECT action, result_count, purpose, actor FROM audit_log WHERE case_reference = $1 ORDER BY id",
        [caseReference],
      )
    ).rows;

  it("records every search, view and export exactly once, plate searches that find nothing included", async () => {
    const caseReference = `PJ-AUDIT-${tag}`;
    const search1 = await search(investigator, base({ caseReference, plate: "ZZ-99-9?" }));
    expect(search1.body.detections.total).toBe(0);
    const search2 = await search(investigator, base({ caseReference, limit: 10 }));
    await api(
      stack.url,
      investigator,
      `/api/v1/cases/records/${search2.body.recordId}?purpose=${encodeURIComponent("Second look at the timeline")}&cursor=${search2.body.detections.nextCursor}&limit=10`,
    );
    await api(stack.url, investigator, `/api/v1/cases/records/${search2.body.recordId}/exports`, {
      method: "POST",
      body: JSON.stringify({ purpose: "Evidence for the prosecutor" }),
    });
    const logged = await entries(caseReference);
    expect(logged.map((row) => row.action)).toEqual(["case.search", "case.search", "case.view", "case.export"]);
    expect(logged[0]).toMatchObject({ result_count: 0, actor: "investigator", purpose: base().purpose });
    expect(logged[2]).toMatchObject({ result_count: 10, purpose: "Second look at the timeline" });
    // The database refuses to change or remove audit rows.
    await expect(
      pool.query("UPDATE audit_log SET actor = 'someone' WHERE case_reference = $1", [caseReference]),
    ).rejects.toThrow(/append-only/);
    await expect(pool.query("DELETE FROM audit_log WHERE case_reference = $1", [caseReference])).rejects.toThrow(
      /append-only/,
    );
    await expect(pool.query("TRUNCATE audit_log")).rejects.toThrow(/append-only/);
  });

  it("audit:verify passes on the chain, and names the entry that was altered or deleted behind the trigger's back", async () => {
    const intact = await run([verifyCli]);
    expect(intact.code, intact.stdout).toBe(0);
    expect(intact.stdout).toContain("audit trail intact");
    const victim = (await pool.query("SELECT * FROM audit_log WHERE action = 'case.search' ORDER BY id DESC LIMIT 1"))
      .rows[0];
    const client = await pool.connect();
    try {
      // Someone with the owner's rights drops the guard, changes history, and puts everything back afterwards.
      await client.query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete");
      await client.query("UPDATE audit_log SET result_count = result_count + 1 WHERE id = $1", [victim.id]);
      const altered = await run([verifyCli]);
      expect(altered.code).toBe(1);
      expect(altered.stdout).toContain(`BROKEN at entry ${victim.id}`);
      expect(altered.stdout).toContain("altered");
      await client.query("UPDATE audit_log SET result_count = $2 WHERE id = $1", [victim.id, victim.result_count]);
      await client.query("DELETE FROM audit_log WHERE id = $1", [victim.id]);
      const deleted = await run([verifyCli]);
      expect(deleted.code).toBe(1);
      expect(deleted.stdout).toContain(`entry ${victim.id} is missing`);
      const columns = Object.keys(victim);
      await client.query(
        `INSERT INTO audit_log (${columns.join(", ")}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(", ")})`,
        columns.map((column) =>
          column === "criteria" || column === "detail" ? JSON.stringify(victim[column]) : victim[column],
        ),
      );
    } finally {
      await client.query("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update_delete");
      client.release();
    }
    expect((await run([verifyCli])).code).toBe(0);
  });

  it("exports a signed zip that export:verify accepts, and rejects once a file is changed", async () => {
    const result = await search(investigator, base({ caseReference: `PJ-EXPORT-${tag}` }));
    const started = await api<ExportJob>(
      stack.url,
      investigator,
      `/api/v1/cases/records/${result.body.recordId}/exports`,
      {
        method: "POST",
        body: JSON.stringify({ purpose: "Evidence for the prosecutor" }),
      },
    );
    expect(started.status).toBe(202);
    let job = started.body;
    for (let attempt = 0; attempt < 100 && job.state === "running"; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      job = (await api<ExportJob>(stack.url, investigator, `/api/v1/exports/${job.id}`)).body;
    }
    expect(job).toMatchObject({ state: "ready", progress: 1 });
    // Only the investigator who asked may fetch it.
    const other = await fetch(`${stack.url}/api/v1/exports/${job.id}/download`, {
      headers: { authorization: `Bearer ${(await login(stack.url, "operator")).token}` },
    });
    expect(other.status).toBe(403);
    const download = await fetch(`${stack.url}/api/v1/exports/${job.id}/download`, {
      headers: { authorization: `Bearer ${investigator}` },
    });
    expect(download.headers.get("content-type")).toBe("application/zip");
    const zip = new Uint8Array(await download.arrayBuffer());
    expect(zip.length).toBe(job.bytes);
    const files = unzipSync(zip);
    const csv = Buffer.from(files["detections.csv"] as Uint8Array)
      .toString("utf8")
      .trim()
      .split("\r\n");
    expect(csv.length - 1).toBe(result.body.detections.total);
    const dir = await mkdtemp(join(tmpdir(), "export-"));
    const key = join(dir, "hub.pem");
    await writeFile(key, await (await fetch(`${stack.url}/api/v1/exports/public-key`)).text());
    await writeFile(join(dir, "case.zip"), zip);
    const good = await run([exportCli, join(dir, "case.zip"), "--key", key]);
    expect(good.code, good.stdout).toBe(0);
    expect(good.stdout).toContain(`case PJ-EXPORT-${tag}`);
    // One detection quietly removed from the CSV.
    const tampered = { ...files, "detections.csv": strToU8(csv.slice(0, -1).join("\r\n")) };
    await writeFile(join(dir, "tampered.zip"), zipSync(tampered));
    const bad = await run([exportCli, join(dir, "tampered.zip"), "--key", key]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("detections.csv: does not match the manifest");
    expect((await readFile(join(dir, "case.zip"))).length).toBe(zip.length);
  });
});
