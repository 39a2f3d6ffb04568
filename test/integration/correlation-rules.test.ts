import { randomUUID } from "node:crypto";
import { credentials, Metadata, type ServiceError, status } from "@grpc/grpc-js";
import type { Pool } from "@hub/common";
import { topics } from "@hub/common";
import { type CorrelatorApp, DEV_CORRELATOR_TOKEN } from "@hub/correlator";
import {
  CameraState,
  CaseAssistServiceClient,
  type GetIncidentResponse,
  IncidentRecord,
  IncidentServiceClient,
  IncidentSeverity,
  IncidentStatus,
  ObjectClass,
  RuleEventType,
  SensorKind,
} from "@hub/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newDetection, newReading, newStatus } from "../support/factories.js";
import {
  east,
  eventually,
  migratedPool,
  type Place,
  produceEvents,
  readTopic,
  startGroupAtEnd,
  startTestCorrelator,
} from "../support/hub.js";
import { watchPlate } from "../support/watch-list.js";

/**
 * Each shipped rule against its scenario on the real broker and database: it fires once with the right evidence
 * and severity, and does not fire for near-misses (too far, too late, too few).
 */
let pool: Pool;
let correlator: CorrelatorApp;

beforeAll(async () => {
  pool = await migratedPool();
  const group = `rules-${randomUUID().slice(0, 8)}`;
  await startGroupAtEnd(group);
  correlator = await startTestCorrelator({
    CORRELATOR_GROUP_ID: group,
    CORRELATOR_SILENCE_CHECK_MS: "500",
    OUTBOX_RELAY_INTERVAL_MS: "50",
  });
});

afterAll(async () => {
  await correlator?.stop();
  await pool?.end();
});

/**
 * A spot of its own for each test, ~5.5 km from the others (beyond every rule's radius), so that no test's events
 * can join another's incident. The correlator trusts ingest's region check, so spots need not be on land.
 */
let spot = 0;
const run = Math.random() * 0.5;
function place(): Place {
  spot += 1;
  return { lat: 21.0 + run + spot * 0.05, lon: 113.0 + run };
}

const ago = (seconds: number) => new Date(Date.now() - seconds * 1000);

interface IncidentSummary {
  id: string;
  rule_id: string;
  kind: string;
  severity: string;
  evidence: string[];
  version: number;
}

/** Incidents that hold any of these events as evidence. */
async function incidentsFor(eventIds: string[]): Promise<IncidentSummary[]> {
  const result = await pool.query<IncidentSummary>(
    `SELECT i.id, i.rule_id, i.kind, i.severity, i.version,
       (SELECT array_agg(e2.event_id ORDER BY e2.event_id) FROM incident_evidence e2 WHERE e2.incident_id = i.id) AS evidence
     FROM incidents i WHERE i.id IN (SELECT incident_id FROM incident_evidence WHERE event_id = ANY($1))
     ORDER BY i.opened_at`,
    [eventIds],
  );
  return result.rows;
}

async function storedAll(eventIds: string[]): Promise<boolean> {
  const result = await pool.query<{ n: number }>(
    `SELECT (SELECT count(*) FROM detections WHERE event_id = ANY($1)) + (SELECT count(*) FROM sensor_readings WHERE event_id = ANY($1))
       + (SELECT count(*) FROM camera_status WHERE event_id = ANY($1)) AS n`,
    [eventIds],
  );
  return Number(result.rows[0]?.n) === eventIds.length;
}

async function settle(eventIds: string[]): Promise<void> {
  expect(await eventually(() => storedAll(eventIds), 30_000)).toBe(true);
}

const fire = (camera: string, observedAt: Date) =>
  newDetection(camera, {
    objectClass: ObjectClass.OBJECT_CLASS_FIRE,
    confidence: 0.9,
    box: undefined,
    plate: undefined,
    rule: undefined,
    attributes: {},
    observedAt,
  });
const smoke = (sensor: string, value: number, observedAt: Date) =>
  newReading(sensor, { datastreamId: "smoke", kind: SensorKind.SENSOR_KIND_SMOKE, unit: "%/m", value, observedAt });
const water = (sensor: string, value: number, observedAt: Date) => newReading(sensor, { value, observedAt });
const crowd = (camera: string, count: number, observedAt: Date) =>
  newDetection(camera, {
    objectClass: ObjectClass.OBJECT_CLASS_CROWD,
    box: undefined,
    plate: undefined,
    attributes: {},
    rule: {
      type: RuleEventType.RULE_EVENT_TYPE_CROWD_COUNT,
      ruleName: "occupancy",
      count,
      dwellSeconds: 0,
      direction: 0,
    },
    observedAt,
  });
const stopped = (camera: string, observedAt: Date) =>
  newDetection(camera, {
    plate: undefined,
    rule: {
      type: RuleEventType.RULE_EVENT_TYPE_STOPPED_VEHICLE,
      ruleName: "lane",
      count: 0,
      dwellSeconds: 120,
      direction: 0,
    },
    observedAt,
  });

describe("fire rule", () => {
  it("opens one extreme fire incident for a camera fire and a smoke sensor 60 m away within two minutes", async () => {
    const at = place();
    const detection = fire("CAM-F1", ago(30));
    const reading = smoke("SEN-F1", 9, ago(10));
    const again = fire("CAM-F1", ago(5));
    await produceEvents([
      { detection, at },
      { reading, at: east(at, 60) },
      { detection: again, at },
    ]);
    await settle([detection.eventId, reading.eventId, again.eventId]);
    const incidents = await incidentsFor([detection.eventId, reading.eventId, again.eventId]);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ rule_id: "fire", kind: "fire", severity: "extreme" });
    expect(incidents[0]?.evidence).toEqual([detection.eventId, reading.eventId, again.eventId].sort());
  });

  it("does not fire when the sensor is 400 m away, or the readings are five minutes apart", async () => {
    const at = place();
    const far = [fire("CAM-F2", ago(20)), smoke("SEN-F2", 9, ago(15))] as const;
    await produceEvents([
      { detection: far[0], at },
      { reading: far[1], at: east(at, 400) },
    ]);
    const later = place();
    const late = [fire("CAM-F3", ago(400)), smoke("SEN-F3", 9, ago(10))] as const;
    await produceEvents([
      { detection: late[0], at: later },
      { reading: late[1], at: later },
    ]);
    const ids = [...far, ...late].map((e) => e.eventId);
    await settle(ids);
    expect(await incidentsFor(ids)).toEqual([]);
  });
});

describe("flood rules", () => {
  it("opens a flood for two sensors over the road and escalates it as the water rises", async () => {
    const at = place();
    const a = water("SEN-W1", 0.6, ago(60));
    const b = water("SEN-W2", 0.7, ago(50));
    await produceEvents([
      { reading: a, at },
      { reading: b, at: east(at, 300) },
    ]);
    await settle([a.eventId, b.eventId]);
    const [opened, ...none] = await incidentsFor([a.eventId, b.eventId]);
    expect(none).toEqual([]);
    expect(opened).toMatchObject({ rule_id: "flood-sensors", kind: "flood", severity: "severe" });

    const rising = water("SEN-W1", 1.8, ago(20));
    await produceEvents([{ reading: rising, at }]);
    await settle([rising.eventId]);
    const [escalated] = await incidentsFor([a.eventId]);
    expect(escalated).toMatchObject({ id: opened?.id, severity: "extreme" });
    expect(escalated?.evidence).toContain(rising.eventId);
    expect(escalated?.version).toBeGreaterThan(opened?.version ?? 0);
  });

  it("does not open a flood for one sensor alone", async () => {
    const at = place();
    const readings = [water("SEN-W3", 0.8, ago(60)), water("SEN-W3", 0.9, ago(30))];
    await produceEvents(readings.map((reading) => ({ reading, at })));
    const ids = readings.map((r) => r.eventId);
    await settle(ids);
    expect(await incidentsFor(ids)).toEqual([]);
  });
});

describe("crowd and traffic rules", () => {
  it("opens a crowd incident only when the count stays over the threshold for two minutes", async () => {
    const at = place();
    const brief = [crowd("CAM-C1", 2500, ago(200)), crowd("CAM-C1", 2600, ago(190)), crowd("CAM-C1", 2700, ago(180))];
    await produceEvents(brief.map((detection) => ({ detection, at })));
    await settle(brief.map((d) => d.eventId));
    expect(await incidentsFor(brief.map((d) => d.eventId))).toEqual([]);

    const sustained = [crowd("CAM-C1", 2800, ago(100)), crowd("CAM-C1", 3000, ago(40))];
    await produceEvents(sustained.map((detection) => ({ detection, at })));
    await settle(sustained.map((d) => d.eventId));
    const incidents = await incidentsFor(sustained.map((d) => d.eventId));
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ rule_id: "crowd", severity: "severe" });
  });

  it("opens a traffic incident for a stopped vehicle seen by two cameras, not by one camera twice", async () => {
    const at = place();
    const one = [stopped("CAM-T1", ago(60)), stopped("CAM-T1", ago(50))];
    await produceEvents(one.map((detection) => ({ detection, at })));
    await settle(one.map((d) => d.eventId));
    expect(await incidentsFor(one.map((d) => d.eventId))).toEqual([]);

    const other = stopped("CAM-T2", ago(40));
    await produceEvents([{ detection: other, at: east(at, 50) }]);
    await settle([other.eventId]);
    const incidents = await incidentsFor([other.eventId]);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]?.rule_id).toBe("traffic");
  });
});

describe("camera fault and watch-list rules", () => {
  it("opens one fault incident per camera for signal loss, and adds later faults to it", async () => {
    const at = place();
    const camera = `CAM-FAULT-${randomUUID().slice(0, 6)}`;
    const first = newStatus(camera, {
      state: CameraState.CAMERA_STATE_OFFLINE,
      degradationReason: 0,
      signalLoss: true,
      sceneChange: false,
      observedAt: ago(30),
    });
    const second = newStatus(camera, { observedAt: ago(20) });
    const healthy = newStatus(`CAM-OK-${randomUUID().slice(0, 6)}`, {
      state: CameraState.CAMERA_STATE_ONLINE,
      degradationReason: 0,
      sceneChange: false,
      observedAt: ago(20),
    });
    await produceEvents([
      { status: first, at },
      { status: second, at },
      { status: healthy, at },
    ]);
    await settle([first.eventId, second.eventId, healthy.eventId]);
    const incidents = await incidentsFor([first.eventId, second.eventId, healthy.eventId]);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({
      rule_id: "camera-fault",
      severity: "minor",
      evidence: [first.eventId, second.eventId].sort(),
    });
  });

  it("opens a camera-silent incident for a camera whose last heartbeat is older than five minutes", async () => {
    const camera = `CAM-SILENT-${randomUUID().slice(0, 6)}`;
    await pool.query("INSERT INTO sites (id, name) VALUES ('site-test', 'test') ON CONFLICT DO NOTHING");
    const at = place();
    await pool.query(
      `INSERT INTO cameras (id, site_id, name, lat, lon, h3_cell, district, phase, bearing_deg, fov_angle_deg, range_m)
       VALUES ($1, 'site-test', 'silent', $2, $3, '89411c0a2a3ffff', 'test', 1, 0, 90, 50)`,
      [camera, at.lat, at.lon],
    );
    const heartbeat = newStatus(camera, {
      state: CameraState.CAMERA_STATE_ONLINE,
      degradationReason: 0,
      sceneChange: false,
      observedAt: ago(400),
    });
    await produceEvents([{ status: heartbeat, at }]);
    await settle([heartbeat.eventId]);
    const opened = await eventually(async () => {
      const result = await pool.query(
        "SELECT 1 FROM incidents WHERE rule_id = 'camera-silent' AND correlation_key LIKE $1",
        [`${camera}@%`],
      );
      return result.rowCount === 1;
    }, 10_000);
    expect(opened).toBe(true);
  });

  it("opens a watch-list incident for a listed plate only", async () => {
    const plate = `MW-${Math.floor(Math.random() * 90 + 10)}-${Math.floor(Math.random() * 90 + 10)}`;
    await watchPlate(pool, plate);
    const at = place();
    const seen = newDetection("CAM-WL1", {
      objectClass: ObjectClass.OBJECT_CLASS_LICENSE_PLATE,
      plate: { text: plate, region: "MO", confidence: 0.95 },
      rule: undefined,
    });
    const other = newDetection("CAM-WL1", {
      objectClass: ObjectClass.OBJECT_CLASS_LICENSE_PLATE,
      plate: { text: "ZZ-00-00", region: "MO", confidence: 0.95 },
      rule: undefined,
    });
    await produceEvents([
      { detection: seen, at },
      { detection: other, at },
    ]);
    await settle([seen.eventId, other.eventId]);
    const incidents = await incidentsFor([seen.eventId, other.eventId]);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ rule_id: "watch-list", kind: "watch_list", evidence: [seen.eventId] });
  });
});

describe("late events and the incidents topic", () => {
  it("records a late event instead of opening an incident with it", async () => {
    const at = place();
    const detection = fire("CAM-L1", ago(700));
    const reading = smoke("SEN-L1", 9, ago(690));
    await produceEvents([
      { detection, at, ingestedAt: new Date() },
      { reading, at, ingestedAt: new Date() },
    ]);
    await settle([detection.eventId, reading.eventId]);
    expect(await incidentsFor([detection.eventId, reading.eventId])).toEqual([]);
    const late = await pool.query("SELECT rule_id FROM late_events WHERE event_id = ANY($1)", [
      [detection.eventId, reading.eventId],
    ]);
    expect(late.rows.map((row) => row.rule_id)).toContain("fire");
  });

  it("publishes each incident change to hub.incidents.v1 after commit, with its evidence and version", async () => {
    const at = place();
    const detection = fire("CAM-O1", ago(20));
    const reading = smoke("SEN-O1", 12, ago(15));
    await produceEvents([
      { detection, at },
      { reading, at },
    ]);
    await settle([detection.eventId, reading.eventId]);
    const [incident] = await incidentsFor([detection.eventId]);
    const records = await readTopic({
      topic: topics.incidents.name,
      decode: IncidentRecord.decode,
      keep: (record) => record.incident?.id === incident?.id,
      until: (found) => found.length >= 1,
    });
    expect(records[0]?.key).toBe(incident?.id);
    expect(records[0]?.value.incident).toMatchObject({
      ruleId: "fire",
      severity: IncidentSeverity.INCIDENT_SEVERITY_EXTREME,
      evidenceEventIds: expect.arrayContaining([detection.eventId, reading.eventId]),
    });
  });
});

describe("incident lifecycle over gRPC", () => {
  function client() {
    return new IncidentServiceClient(`127.0.0.1:${correlator.grpcPort}`, credentials.createInsecure());
  }
  function call<Req, Res>(
    method: (
      request: Req,
      metadata: Metadata,
      callback: (error: ServiceError | null, response: Res) => void,
    ) => unknown,
    request: Req,
    token = DEV_CORRELATOR_TOKEN,
  ): Promise<Res> {
    const metadata = new Metadata();
    if (token) metadata.set("authorization", `Bearer ${token}`);
    return new Promise((resolve, reject) =>
      method(request, metadata, (error, response) => (error ? reject(error) : resolve(response))),
    );
  }
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: ServiceError) => error,
    );

  it("acknowledges and resolves with who and when, refuses wrong transitions, stale versions and missing tokens", async () => {
    const at = place();
    const detection = fire("CAM-LC1", ago(20));
    const reading = smoke("SEN-LC1", 9, ago(15));
    await produceEvents([
      { detection, at },
      { reading, at },
    ]);
    await settle([detection.eventId, reading.eventId]);
    const [summary] = await incidentsFor([detection.eventId]);
    const id = summary?.id ?? "";
    const api = client();
    const bound = <Req, Res>(name: string) =>
      (
        api as unknown as Record<string, (r: Req, m: Metadata, cb: (e: ServiceError | null, r: Res) => void) => unknown>
      )[name]?.bind(api) as never;

    expect((await failure(call(bound("getIncident"), { id }, "")))?.code).toBe(status.UNAUTHENTICATED);
    const before = await call<{ id: string }, GetIncidentResponse>(bound("getIncident"), { id });
    expect(before.incident?.status).toBe(IncidentStatus.INCIDENT_STATUS_OPEN);
    expect(before.evidence.map((e) => e.eventId).sort()).toEqual([detection.eventId, reading.eventId].sort());
    expect(JSON.parse(before.evidence.find((e) => e.eventId === detection.eventId)?.eventJson ?? "{}")).toMatchObject({
      objectClass: "fire",
    });

    const version = before.incident?.version ?? 0;
    expect(
      (await failure(call(bound("resolveIncident"), { id, actor: "op-2", expectedVersion: version + 5 })))?.code,
    ).toBe(status.ABORTED);
    expect((await failure(call(bound("acknowledgeIncident"), { id, actor: "", expectedVersion: 0 })))?.code).toBe(
      status.INVALID_ARGUMENT,
    );
    const acknowledged = await call<unknown, { incident: { status: number; version: number } }>(
      bound("acknowledgeIncident"),
      { id, actor: "op-1", expectedVersion: version },
    );
    expect(acknowledged.incident.status).toBe(IncidentStatus.INCIDENT_STATUS_ACKNOWLEDGED);
    expect(acknowledged.incident.version).toBe(version + 1);
    expect((await failure(call(bound("acknowledgeIncident"), { id, actor: "op-1", expectedVersion: 0 })))?.code).toBe(
      status.FAILED_PRECONDITION,
    );
    await call(bound("resolveIncident"), { id, actor: "op-2", expectedVersion: 0 });
    const after = await call<{ id: string }, GetIncidentResponse>(bound("getIncident"), { id });
    expect(after.incident?.status).toBe(IncidentStatus.INCIDENT_STATUS_RESOLVED);
    expect(after).toMatchObject({ acknowledgedBy: "op-1", resolvedBy: "op-2" });
    expect(after.acknowledgedAt).toBeInstanceOf(Date);
    expect((await failure(call(bound("getIncident"), { id: "not-a-uuid" })))?.code).toBe(status.INVALID_ARGUMENT);

    // New evidence after resolution opens a new incident rather than reopening the resolved one.
    const again = fire("CAM-LC1", ago(5));
    await produceEvents([{ detection: again, at }]);
    await settle([again.eventId]);
    const incidents = await incidentsFor([again.eventId]);
    expect(incidents).toHaveLength(1);
    expect(incidents[0]?.id).not.toBe(id);
    api.close();
  });

  it("creates and returns case-assist records, naming the bad field of a bad request", async () => {
    const api = new CaseAssistServiceClient(`127.0.0.1:${correlator.grpcPort}`, credentials.createInsecure());
    const bound = (name: string) =>
      (api as unknown as Record<string, (...args: unknown[]) => unknown>)[name]?.bind(api) as never;
    const at = place();
    const area = { shape: { $case: "circle", value: { center: at, radiusM: 300 } } };
    const inverted = await failure(
      call(bound("createCaseAssistRecord"), {
        windowStart: ago(60),
        windowEnd: ago(120),
        area,
        requestedBy: "inv-7",
        caseReference: "",
        incidentId: "",
      }),
    );
    expect(inverted?.code).toBe(status.INVALID_ARGUMENT);
    expect(inverted?.details).toMatch(/^window\.to/);
    const created = await call<unknown, { record: { id: string; requestedBy: string; resultJson: string } }>(
      bound("createCaseAssistRecord"),
      {
        windowStart: ago(600),
        windowEnd: ago(0),
        area,
        requestedBy: "inv-7",
        caseReference: "CASE-2026-0042",
        incidentId: "",
      },
    );
    expect(created.record).toMatchObject({ requestedBy: "inv-7" });
    expect(JSON.parse(created.record.resultJson)).toHaveProperty("cameras");
    const fetched = await call<unknown, { record: { id: string; caseReference: string } }>(
      bound("getCaseAssistRecord"),
      { id: created.record.id },
    );
    expect(fetched.record).toMatchObject({ id: created.record.id, caseReference: "CASE-2026-0042" });
    expect(
      (await failure(call(bound("getCaseAssistRecord"), { id: "6f1c2a52-0000-4000-8000-000000000000" })))?.code,
    ).toBe(status.NOT_FOUND);
    api.close();
  });
});
