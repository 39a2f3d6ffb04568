import { randomUUID } from "node:crypto";
import { h3Cell, isHubError, type Pool } from "@hub/common";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CaseAssistRepository } from "../../services/correlator/src/repositories/case-assist.repository.js";
import {
  type CaseAssistRecord,
  CaseAssistService,
} from "../../services/correlator/src/services/case-assist.service.js";
import type { Area, LatLon } from "../../services/correlator/src/services/coverage.js";
import { migratedPool } from "../support/hub.js";

// Case assist against the embedded TimescaleDB: cameras, status reports, detections and incidents inserted directly,
// then one record computed, stored and read back.
//
// The scene is placed at a random spot on the globe, away from every other test's (and earlier runs') cameras: the
// camera search is by position, so anything within 2 km would join the result.

let pool: Pool;
let service: CaseAssistService;
const run = randomUUID().slice(0, 8);
const siteId = `site-ca-${run}`;
const CENTRE: LatLon = { lat: -40 + Math.random() * 80, lon: -150 + Math.random() * 300 };
const M_PER_DEG = 6_371_008.8 * (Math.PI / 180);
/** The position `east`, `north` metres from the centre. */
const at = (east: number, north: number): LatLon => ({
  lat: CENTRE.lat + north / M_PER_DEG,
  lon: CENTRE.lon + east / (M_PER_DEG * Math.cos((CENTRE.lat * Math.PI) / 180)),
});

// The window: a whole hour that ended an hour ago.
const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000;
const minute = (m: number) => new Date(hour + m * 60_000);
const window = { from: minute(0), to: minute(60) };
const area: Area = { kind: "circle", center: CENTRE, radiusM: 100 };

const cam = (name: string) => `CA-${run}-${name}`;
const CAMERAS = {
  // Covering, online throughout (last report before the window).
  north: { id: cam("north"), position: at(0, -150), bearing: 0, angle: 60, range: 300 },
  // Covering, offline from minute 30 to 45.
  west: { id: cam("west"), position: at(200, 0), bearing: 270, angle: 90, range: 250 },
  // A dome 250 m away with a 200 m range: reaches the circle's edge; first report (degraded) at minute 15.
  dome: { id: cam("dome"), position: at(0, 250), bearing: 0, angle: 360, range: 200 },
  // Same place as "north" but pointing away: the area is behind it.
  away: { id: cam("away"), position: at(0, -150), bearing: 180, angle: 60, range: 300 },
  // Pointing at the area but 400 m short of it.
  short: { id: cam("short"), position: at(0, -500), bearing: 0, angle: 60, range: 300 },
  // Pointing at the area from 3 km: beyond every camera's range, outside the search box.
  far: { id: cam("far"), position: at(0, -3000), bearing: 0, angle: 10, range: 2000 },
  // Covering, but offline for the whole window.
  offline: { id: cam("offline"), position: at(-200, 0), bearing: 90, angle: 90, range: 250 },
  // Covering, but never reported any status.
  silent: { id: cam("silent"), position: at(-150, -150), bearing: 45, angle: 90, range: 300 },
};

async function insertCamera(camera: (typeof CAMERAS)[keyof typeof CAMERAS]) {
  const { lat, lon } = camera.position;
  await pool.query(
    `INSERT INTO cameras (id, site_id, name, lat, lon, h3_cell, district, phase, bearing_deg, fov_angle_deg, range_m)
     VALUES ($1, $2, $1, $3, $4, $5, 'Test', 1, $6, $7, $8)`,
    [camera.id, siteId, lat, lon, h3Cell(lat, lon), camera.bearing, camera.angle, camera.range],
  );
}

async function insertStatus(cameraId: string, at: Date, state: string) {
  await pool.query(
    `INSERT INTO camera_status (observed_at, event_id, camera_id, state, signal_loss, scene_change, site_id, lat, lon,
                                h3_cell, ingested_at)
     VALUES ($1, $2, $3, $4, false, false, $5, $6, $7, 'x', $1)`,
    [at, `st-${randomUUID()}`, cameraId, state, siteId, CENTRE.lat, CENTRE.lon],
  );
}

interface TestDetection {
  id: string;
  cameraId: string;
  at: Date;
  objectClass: string;
  confidence: number;
  plate?: string;
  rule?: string;
}

const eventId = (name: string) => `det-${run}-${name}`;
const DETECTIONS: TestDetection[] = [
  { id: eventId("n1"), cameraId: CAMERAS.north.id, at: minute(5), objectClass: "person", confidence: 0.9 },
  {
    id: eventId("n2"),
    cameraId: CAMERAS.north.id,
    at: minute(10),
    objectClass: "vehicle",
    confidence: 0.8,
    plate: "MA1234",
    rule: "line_crossed",
  },
  // Before and after the window.
  {
    id: eventId("n0"),
    cameraId: CAMERAS.north.id,
    at: minute(-5),
    objectClass: "vehicle",
    confidence: 0.7,
    plate: "MZ9999",
  },
  {
    id: eventId("n9"),
    cameraId: CAMERAS.north.id,
    at: minute(61),
    objectClass: "vehicle",
    confidence: 0.7,
    plate: "MA1234",
  },
  {
    id: eventId("w1"),
    cameraId: CAMERAS.west.id,
    at: minute(20),
    objectClass: "vehicle",
    confidence: 0.75,
    plate: "MA1234",
  },
  {
    id: eventId("w2"),
    cameraId: CAMERAS.west.id,
    at: minute(50),
    objectClass: "license_plate",
    confidence: 0.95,
    plate: "MB5678",
  },
  // At the window's end: included (bounds are inclusive).
  { id: eventId("d1"), cameraId: CAMERAS.dome.id, at: minute(60), objectClass: "person", confidence: 0.6 },
  // Cameras that do not cover the area, or were not working.
  {
    id: eventId("a1"),
    cameraId: CAMERAS.away.id,
    at: minute(10),
    objectClass: "vehicle",
    confidence: 0.9,
    plate: "MX0000",
  },
  { id: eventId("s1"), cameraId: CAMERAS.short.id, at: minute(10), objectClass: "person", confidence: 0.9 },
  {
    id: eventId("o1"),
    cameraId: CAMERAS.offline.id,
    at: minute(10),
    objectClass: "vehicle",
    confidence: 0.9,
    plate: "MY1111",
  },
  { id: eventId("q1"), cameraId: CAMERAS.silent.id, at: minute(10), objectClass: "person", confidence: 0.9 },
];

async function insertDetection(d: TestDetection) {
  await pool.query(
    `INSERT INTO detections (observed_at, event_id, camera_id, site_id, object_class, confidence, plate_text,
                             plate_region, plate_confidence, rule_type, rule_name, lat, lon, h3_cell, ingested_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'x', $1)`,
    [
      d.at,
      d.id,
      d.cameraId,
      siteId,
      d.objectClass,
      d.confidence,
      d.plate ?? null,
      d.plate ? "MO" : null,
      d.plate ? 0.88 : null,
      d.rule ?? null,
      d.rule ? "gate" : null,
      CENTRE.lat,
      CENTRE.lon,
    ],
  );
}

const incidentIds = { inside: randomUUID(), earlier: randomUUID(), outside: randomUUID(), corner: randomUUID() };

async function insertIncident(id: string, position: LatLon, first: Date, last: Date) {
  await pool.query(
    `INSERT INTO incidents (id, rule_id, rule_version, correlation_key, kind, severity, title, lat, lon, h3_cell,
                            first_event_at, last_event_at)
     VALUES ($1::uuid, 'test-rule', 1, $1::text, 'test', 'minor', 'test incident', $2, $3, 'x', $4, $5)`,
    [id, position.lat, position.lon, first, last],
  );
}

beforeAll(async () => {
  pool = await migratedPool();
  service = new CaseAssistService(new CaseAssistRepository(pool));
  await pool.query("INSERT INTO sites (id, name) VALUES ($1, $1)", [siteId]);
  for (const camera of Object.values(CAMERAS)) await insertCamera(camera);
  await insertStatus(CAMERAS.north.id, minute(-90), "offline");
  await insertStatus(CAMERAS.north.id, minute(-10), "online");
  await insertStatus(CAMERAS.west.id, minute(-30), "online");
  await insertStatus(CAMERAS.west.id, minute(30), "offline");
  await insertStatus(CAMERAS.west.id, minute(45), "online");
  await insertStatus(CAMERAS.west.id, minute(75), "offline");
  await insertStatus(CAMERAS.dome.id, minute(15), "degraded");
  await insertStatus(CAMERAS.away.id, minute(-10), "online");
  await insertStatus(CAMERAS.short.id, minute(-10), "online");
  await insertStatus(CAMERAS.far.id, minute(-10), "online");
  await insertStatus(CAMERAS.offline.id, minute(-120), "offline");
  await insertStatus(CAMERAS.offline.id, minute(20), "offline");
  for (const detection of DETECTIONS) await insertDetection(detection);
  // In the area, spanning the window's start: linked.
  await insertIncident(incidentIds.inside, at(10, 10), minute(-30), minute(5));
  // In the area, but over before the window.
  await insertIncident(incidentIds.earlier, at(-10, 0), minute(-180), minute(-1));
  // In the window, but 300 m east.
  await insertIncident(incidentIds.outside, at(300, 0), minute(10), minute(20));
  // In the window and in the circle's bounding box, but outside the circle (113 m from the centre).
  await insertIncident(incidentIds.corner, at(80, 80), minute(10), minute(20));
});

afterAll(async () => {
  await pool?.end();
});

describe("case assist", () => {
  let record: CaseAssistRecord;

  beforeAll(async () => {
    record = await service.create({
      window,
      area,
      requestedBy: "investigator-7",
      caseReference: `CASE-${run}`,
      incidentId: incidentIds.inside,
    });
  });

  it("lists exactly the cameras that covered the area while working, with their online share", () => {
    const shares = Object.fromEntries(record.result.cameras.map((c) => [c.id, c.onlineShare]));
    expect(shares).toEqual({ [CAMERAS.north.id]: 1, [CAMERAS.west.id]: 0.75, [CAMERAS.dome.id]: 0.75 });
    const north = record.result.cameras.find((c) => c.id === CAMERAS.north.id);
    expect(north).toMatchObject({ siteId, bearingDeg: 0, angleDeg: 60, rangeM: 300 });
    expect(north?.distanceM).toBeCloseTo(150, 0);
    // Each sees part of the circle (north only the part inside its 60° wedge, the dome a 50 m deep lens).
    for (const camera of record.result.cameras) {
      expect(camera.coveredFraction).toBeGreaterThan(0);
      expect(camera.coveredFraction).toBeLessThanOrEqual(1);
    }
    // Ranked by covered fraction x online share.
    const scores = record.result.cameras.map((c) => c.coveredFraction * c.onlineShare);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it("lists the covering cameras' detections in the window, in time order", () => {
    expect(record.result.detectionsTruncated).toBe(false);
    expect(record.result.detections.map((d) => d.eventId)).toEqual([
      eventId("n1"),
      eventId("n2"),
      eventId("w1"),
      eventId("w2"),
      eventId("d1"),
    ]);
    const n2 = record.result.detections[1];
    expect(n2).toMatchObject({
      cameraId: CAMERAS.north.id,
      observedAt: minute(10).toISOString(),
      objectClass: "vehicle",
      plateText: "MA1234",
      plateRegion: "MO",
      ruleType: "line_crossed",
      ruleName: "gate",
    });
    expect(n2?.confidence).toBeCloseTo(0.8, 5);
    expect(record.result.detections[0]).toMatchObject({ plateText: null, ruleType: null });
  });

  it("lists the plates seen, with first and last sighting, count and cameras", () => {
    expect(record.result.plates).toEqual([
      {
        plateText: "MA1234",
        firstSeen: minute(10).toISOString(),
        lastSeen: minute(20).toISOString(),
        count: 2,
        cameraIds: [CAMERAS.north.id, CAMERAS.west.id].sort(),
      },
      {
        plateText: "MB5678",
        firstSeen: minute(50).toISOString(),
        lastSeen: minute(50).toISOString(),
        count: 1,
        cameraIds: [CAMERAS.west.id],
      },
    ]);
  });

  it("gives clip references for when each camera was working", () => {
    const clip = (cameraId: string, from: number, to: number) => ({
      cameraId,
      from: minute(from).toISOString(),
      to: minute(to).toISOString(),
    });
    const expected = [
      clip(CAMERAS.north.id, 0, 60),
      clip(CAMERAS.west.id, 0, 30),
      clip(CAMERAS.west.id, 45, 60),
      clip(CAMERAS.dome.id, 15, 60),
    ];
    const order = (a: { cameraId: string; from: string }, b: { cameraId: string; from: string }) =>
      a.cameraId.localeCompare(b.cameraId) || a.from.localeCompare(b.from);
    expect([...record.result.clips].sort(order)).toEqual(expected.sort(order));
  });

  it("links the incidents in the area whose events overlap the window", () => {
    expect(record.result.incidents.map((incident) => incident.id)).toEqual([incidentIds.inside]);
    expect(record.result.incidents[0]).toMatchObject({
      kind: "test",
      severity: "minor",
      firstEventAt: minute(-30).toISOString(),
      lastEventAt: minute(5).toISOString(),
    });
  });

  it("stores the record with its inputs, and get returns it unchanged", async () => {
    expect(record.incidentId).toBe(incidentIds.inside);
    expect(record.caseReference).toBe(`CASE-${run}`);
    expect(record.requestedBy).toBe("investigator-7");
    expect(record.window).toEqual(window);
    expect(record.inputs).toEqual({
      window: { from: window.from.toISOString(), to: window.to.toISOString() },
      area,
      requestedBy: "investigator-7",
      caseReference: `CASE-${run}`,
      incidentId: incidentIds.inside,
    });
    const stored = await service.get(record.id);
    expect(stored).toEqual(record);
    const row = await pool.query("SELECT count(*)::int AS n FROM case_assist_records WHERE case_reference = $1", [
      `CASE-${run}`,
    ]);
    expect(row.rows[0]?.n).toBe(1);
    expect(await service.get(randomUUID())).toBeUndefined();
    expect(await service.get("not-a-uuid")).toBeUndefined();
  });

  it("gives the same cameras for a polygon inside the circle", async () => {
    const square: Area = { kind: "polygon", ring: [at(-70, -70), at(70, -70), at(70, 70), at(-70, 70), at(-70, -70)] };
    const result = await service.compute({ window, area: square, requestedBy: "investigator-7" });
    expect(result.cameras.map((c) => c.id).sort()).toEqual([CAMERAS.north.id, CAMERAS.west.id, CAMERAS.dome.id].sort());
    // The corner incident at (80, 80) is outside this square as well; the one at (10, 10) inside.
    expect(result.incidents.map((incident) => incident.id)).toEqual([incidentIds.inside]);
  });

  it("limits the detections listed and says so", async () => {
    const limited = new CaseAssistService(new CaseAssistRepository(pool), { maxDetections: 2 });
    const result = await limited.compute({ window, area, requestedBy: "investigator-7" });
    expect(result.detections.map((d) => d.eventId)).toEqual([eventId("n1"), eventId("n2")]);
    expect(result.detectionsTruncated).toBe(true);
    // Plates still count every detection.
    expect(result.plates.map((p) => [p.plateText, p.count])).toEqual([
      ["MA1234", 2],
      ["MB5678", 1],
    ]);
  });

  it("rejects invalid requests with the field path", async () => {
    const failure = async (request: unknown) => {
      try {
        await service.create(request as Parameters<CaseAssistService["create"]>[0]);
      } catch (error) {
        if (isHubError(error)) return `${error.code} ${error.describe()}`;
        throw error;
      }
      return "accepted";
    };
    const base = { window, area, requestedBy: "investigator-7" };
    expect(await failure({ ...base, window: { from: window.to, to: window.from } })).toMatch(
      /^INVALID_ARGUMENT window\.to: /,
    );
    expect(await failure({ ...base, window: { from: minute(0), to: minute(24 * 60 + 1) } })).toMatch(
      /^INVALID_ARGUMENT window\.to: /,
    );
    expect(await failure({ ...base, window: { from: "yesterday", to: window.to } })).toMatch(
      /^INVALID_ARGUMENT window\.from: /,
    );
    expect(await failure({ ...base, area: { ...area, radiusM: 0 } })).toMatch(/^INVALID_ARGUMENT area\.radiusM: /);
    expect(await failure({ ...base, area: { ...area, radiusM: 5001 } })).toMatch(/^INVALID_ARGUMENT area\.radiusM: /);
    expect(await failure({ ...base, area: { kind: "polygon", ring: [at(0, 0), at(10, 0), at(0, 0)] } })).toMatch(
      /^INVALID_ARGUMENT area\.ring: /,
    );
    expect(
      await failure({ ...base, area: { kind: "polygon", ring: [at(0, 0), at(10, 0), { lat: 95, lon: 0 }] } }),
    ).toMatch(/^INVALID_ARGUMENT area\.ring\.2\.lat: /);
    expect(await failure({ ...base, area: { kind: "square" } })).toMatch(/^INVALID_ARGUMENT area\.kind: /);
    expect(await failure({ ...base, requestedBy: "" })).toMatch(/^INVALID_ARGUMENT requestedBy: /);
    expect(await failure({ ...base, incidentId: "42" })).toMatch(/^INVALID_ARGUMENT incidentId: /);
    expect(await failure({ ...base, incidentId: randomUUID() })).toMatch(/^NOT_FOUND incidentId: /);
    // A 24 h window is allowed.
    expect(await failure({ ...base, window: { from: minute(0), to: minute(24 * 60) } })).toBe("accepted");
  });
});
