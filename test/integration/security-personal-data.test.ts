import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { migrationsDir, type Pool, topics, withTransaction } from "@hub/common";
import { API, type CaseSearchResult, type IncidentView, type Problem, type SubscribeResponse } from "@hub/contracts";
import { IncidentRecord, ObjectClass, PublishOutcome } from "@hub/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newCamera, newDetection, SENADO } from "../support/factories.js";
import { api, connect, type HubClient, login, startTestStack, type TestStack } from "../support/gateway.js";
import {
  createDevice,
  eventually,
  migratedPool,
  readTopic,
  settles,
  startTestIngest,
  type TestIngest,
} from "../support/hub.js";
import { watchPlate } from "../support/watch-list.js";

/**
 * Issue 12, findings 1 and 6, tried as an attacker would against the real ingest, correlator and gateway: a plate
 * on the watch list is read by a camera; every role but the investigator looks for it (and for the detection's
 * attributes and track id) in everything it is sent: REST, snapshot, incident detail, Socket.IO events, and the
 * hub.incidents.v1 records. The investigator gets it only with a case reference and a purpose, audited. Live
 * detection subscriptions are refused or stripped by role, and audited with the cameras and their duration.
 */
let pool: Pool;
let stack: TestStack;
let ingest: TestIngest;
let device: { siteId: string; token: string };
const camera = newCamera({ position: { lat: SENADO.lat + Math.random() * 0.001, lon: SENADO.lon } });
const digits = () => String(Math.floor(Math.random() * 90 + 10));
const plate = `WP-${digits()}-${digits()}`;
/** Values no payload may carry except an investigator's: the plate, an attribute (face) and the track id. */
const attributeMarker = `hazel${randomUUID().slice(0, 8)}`;
const trackMarker = `trk-${randomUUID().slice(0, 12)}`;
const secrets = [plate, attributeMarker, trackMarker];
const caseReference = `PJ-2026-${randomUUID().slice(0, 6)}`;
const purpose = "Locate the stolen vehicle of the case reported this morning";

const ROLES = ["operator", "drafter", "approver", "supervisor"] as const;

beforeAll(async () => {
  pool = await migratedPool();
  stack = await startTestStack();
  ingest = await startTestIngest();
  device = await createDevice(pool);
  await ingest.gateway.registerCamera(device.token, camera);
  await watchPlate(pool, plate, { caseReference });
});

afterAll(async () => {
  await ingest?.stop();
  await stack?.stop();
  await pool?.end();
});

function subscribe(socket: HubClient, request: object): Promise<SubscribeResponse> {
  return new Promise((resolve) => socket.emit("view:subscribe", request as never, resolve));
}

/** Every event a socket receives, by name, in arrival order. */
function recordAll(socket: HubClient): { name: string; args: unknown[] }[] {
  const log: { name: string; args: unknown[] }[] = [];
  socket.onAny((name: string, ...args: unknown[]) => log.push({ name, args }));
  return log;
}

function leaked(value: unknown): string[] {
  const text = JSON.stringify(value);
  return secrets.filter((secret) => text.includes(secret));
}

/** The camera reads the wanted plate (with a face attribute and a track id), through the real ingest service. */
async function readPlate(): Promise<string> {
  const detection = newDetection(camera.id, {
    objectClass: ObjectClass.OBJECT_CLASS_LICENSE_PLATE,
    plate: { text: plate, region: "MO", confidence: 0.96 },
    attributes: { vehicle_color: "red", eye_color: attributeMarker },
    trackId: trackMarker,
    rule: undefined,
  });
  expect(await ingest.gateway.publishDetection(device.token, detection)).toBe(PublishOutcome.PUBLISH_OUTCOME_ACCEPTED);
  return detection.eventId;
}

async function watchListIncident(eventId: string): Promise<string> {
  let id = "";
  const found = await eventually(async () => {
    const result = await pool.query(
      `SELECT i.id FROM incidents i JOIN incident_evidence e ON e.incident_id = i.id
        WHERE i.rule_id = 'watch-list' AND e.event_id = $1`,
      [eventId],
    );
    id = result.rows[0]?.id ?? "";
    return id !== "";
  }, 60_000);
  expect(found).toBe(true);
  return id;
}

describe("wanted plates reach no role but the investigator's audited case lookup", () => {
  let incidentId = "";
  let seenEventId = "";

  it("keeps the plate, attributes and track id out of every payload of operator, drafter, approver and supervisor", async () => {
    const clients: { role: string; token: string; socket: HubClient; log: { name: string; args: unknown[] }[] }[] = [];
    for (const role of ROLES) {
      const { token } = await login(stack.url, role);
      const socket = await connect(stack.url, token);
      const log = recordAll(socket);
      // The operator also watches the camera's live detections (the camera panel of the dashboard).
      const answer = await subscribe(socket, {
        area: "city",
        ...(role === "operator" ? { detections: [camera.id] } : {}),
      });
      expect(answer.ok).toBe(true);
      clients.push({ role, token, socket, log });
    }
    try {
      seenEventId = await readPlate();
      incidentId = await watchListIncident(seenEventId);

      // The stored incident itself carries a reference, not the plate.
      const row = (await pool.query("SELECT title, titles, correlation_key FROM incidents WHERE id = $1", [incidentId]))
        .rows[0];
      const reference = (await pool.query("SELECT reference FROM plate_watch_list WHERE plate_text = $1", [plate]))
        .rows[0].reference as string;
      expect(reference).toMatch(/^WL-[0-9A-F]{12}$/);
      expect(row.title).toBe(`Watch-list vehicle seen by camera ${camera.id} (${reference})`);
      // In every language too: each title names the reference and the camera, and no title the plate.
      expect(row.titles).toEqual({
        "zh-Hant": `發現監察名單車輛（攝影機 ${camera.id}，${reference}）`,
        pt: `Veículo da lista de vigilância avistado pela câmara ${camera.id} (${reference})`,
        en: row.title,
      });
      expect(row.correlation_key.startsWith(`${reference}@`)).toBe(true);
      expect(leaked(row)).toEqual([]);

      for (const { role, token, socket, log } of clients) {
        // REST: the incident list, the snapshot, the incident's detail and the camera's detail.
        const incidents = await api<IncidentView[]>(stack.url, token, API.incidents);
        expect(incidents.status, role).toBe(200);
        expect(incidents.body.some((incident) => incident.id === incidentId)).toBe(true);
        const snapshot = await api(stack.url, token, API.snapshot);
        expect(snapshot.status, role).toBe(200);
        const detail = await api<{ evidence: { eventId: string; summary: string }[] }>(
          stack.url,
          token,
          `${API.incidents}/${incidentId}`,
        );
        expect(detail.status, role).toBe(200);
        expect(detail.body.evidence.map((e) => e.eventId)).toContain(seenEventId);
        const cameraDetail = await api(stack.url, token, `${API.cameras}/${encodeURIComponent(camera.id)}`);
        for (const body of [incidents.body, snapshot.body, detail.body, cameraDetail.body])
          expect(leaked(body), `${role} REST`).toEqual([]);

        // Socket.IO: the incident arrived, with nothing personal in it or in any other event.
        await settles(async () => {
          expect(
            log.some(
              (event) =>
                event.name === "incident:changed" && (event.args[0] as { data: IncidentView }).data.id === incidentId,
            ),
            role,
          ).toBe(true);
        }, 30_000);
        if (role === "operator")
          await settles(async () => {
            const batches = log.filter((event) => event.name === "detections:batch").flatMap((event) => event.args);
            expect(JSON.stringify(batches)).toContain(seenEventId);
          }, 30_000);
        expect(leaked(log), `${role} Socket.IO`).toEqual([]);
        expect(log.some((event) => event.name === "detections:personal")).toBe(false);
        socket.close();
      }
    } finally {
      for (const { socket } of clients) socket.close();
    }

    // Kafka: every record of the incident on hub.incidents.v1 (30 days) is free of it too.
    const records = await readTopic({
      topic: topics.incidents.name,
      decode: IncidentRecord.decode,
      keep: (record) => record.incident?.id === incidentId,
      until: (found) => found.length >= 1,
      timeoutMs: 60_000,
    });
    expect(records.length).toBeGreaterThanOrEqual(1);
    // The record's titles were checked for the plate, not skipped: they are there, in the three languages.
    expect(Object.keys(records[0]?.value.incident?.titles ?? {}).sort()).toEqual(["en", "pt", "zh-Hant"]);
    expect(leaked(records.map((record) => IncidentRecord.toJSON(record.value)))).toEqual([]);
    expect(
      leaked(records.map((record) => Buffer.from(IncidentRecord.encode(record.value).finish()).toString())),
    ).toEqual([]);
  });

  it("shows the plate only to an investigator's case lookup with a case reference and purpose, and audits it", async () => {
    expect(incidentId).not.toBe("");
    const search = (token: string, body: object) =>
      api<CaseSearchResult & Problem>(stack.url, token, API.caseSearch, { method: "POST", body: JSON.stringify(body) });
    const now = Date.now();
    const request = {
      caseReference,
      purpose,
      window: { from: new Date(now - 30 * 60_000).toISOString(), to: new Date(now + 60_000).toISOString() },
      incidentId,
    };
    for (const role of ROLES) {
      const { token } = await login(stack.url, role);
      const refused = await search(token, request);
      expect(refused.status, role).toBe(403);
      expect(leaked(refused.body)).toEqual([]);
    }
    const investigator = (await login(stack.url, "investigator")).token;
    const { purpose: _purpose, ...withoutPurpose } = request;
    const { caseReference: _reference, ...withoutCase } = request;
    expect((await search(investigator, withoutPurpose)).status).toBe(400);
    expect((await search(investigator, withoutCase)).status).toBe(400);
    const auditBefore = Number((await pool.query("SELECT max(id) AS id FROM audit_log")).rows[0].id ?? 0);

    const found = await search(investigator, request);
    expect(found.status).toBe(200);
    const incident = found.body.incidents.find((candidate) => candidate.id === incidentId);
    expect(incident?.plates).toEqual([plate]);

    const audit = await pool.query(
      `SELECT actor, action, personal_data, case_reference, purpose, detail FROM audit_log
        WHERE id > $1 AND action = 'case.search' AND case_reference = $2`,
      [auditBefore, caseReference],
    );
    expect(audit.rows).toHaveLength(1);
    expect(audit.rows[0]).toMatchObject({
      actor: "investigator",
      personal_data: true,
      case_reference: caseReference,
      purpose,
      detail: { incidentPlates: { [incidentId]: 1 } },
    });
    // Reopening the lookup needs a purpose again, and is audited again.
    const reopened = await api<CaseSearchResult & Problem>(
      stack.url,
      investigator,
      `${API.caseRecord(found.body.recordId)}?purpose=${encodeURIComponent(purpose)}`,
    );
    expect(reopened.body.incidents.find((candidate) => candidate.id === incidentId)?.plates).toEqual([plate]);
    const noPurpose = await api<Problem>(stack.url, investigator, API.caseRecord(found.body.recordId));
    expect(noPurpose.status).toBe(400);
    expect(leaked(noPurpose.body)).toEqual([]);
    const views = await pool.query(
      "SELECT 1 FROM audit_log WHERE id > $1 AND action = 'case.view' AND subject = $2 AND purpose = $3",
      [auditBefore, found.body.recordId, purpose],
    );
    expect(views.rowCount).toBe(1);
  });
});

describe("live detections are personal data", () => {
  it("refuses the stream to roles without it, and plates to all but an investigator with a case and purpose", async () => {
    const tried: [string, object, number][] = [
      ["drafter", { detections: [camera.id] }, 403],
      ["approver", { detections: "*" }, 403],
      ["supervisor", { detections: [camera.id] }, 403],
      ["operator", { detections: [camera.id], personalData: { caseReference, purpose } }, 403],
      ["admin", { detections: [camera.id], personalData: { caseReference, purpose } }, 403],
      ["investigator", { detections: "*", personalData: { caseReference, purpose } }, 400],
      ["investigator", { detections: [camera.id], personalData: { caseReference } }, 400],
      ["investigator", { detections: [camera.id], personalData: { caseReference, purpose: "look" } }, 400],
    ];
    const auditBefore = Number((await pool.query("SELECT max(id) AS id FROM audit_log")).rows[0].id ?? 0);
    for (const [role, request, status] of tried) {
      const socket = await connect(stack.url, (await login(stack.url, role)).token);
      try {
        const answer = await subscribe(socket, { area: "city", ...request });
        expect(answer.ok ? 200 : answer.error.status, `${role} ${JSON.stringify(request)}`).toBe(status);
      } finally {
        socket.close();
      }
    }
    const recorded = await pool.query(
      `SELECT 1 FROM audit_log WHERE id > $1 AND action LIKE 'live.detections.%'
          AND (subject = $2 OR (subject = '*' AND actor = 'approver'))`,
      [auditBefore, camera.id],
    );
    expect(recorded.rowCount).toBe(0);
  });

  it("streams plates to an investigator's watch and audits who, which cameras, when and for how long", async () => {
    const auditBefore = Number((await pool.query("SELECT max(id) AS id FROM audit_log")).rows[0].id ?? 0);
    const operator = await connect(stack.url, (await login(stack.url, "operator")).token);
    const investigator = await connect(stack.url, (await login(stack.url, "investigator")).token);
    const operatorLog = recordAll(operator);
    const investigatorLog = recordAll(investigator);
    try {
      expect((await subscribe(operator, { area: "city", detections: [camera.id] })).ok).toBe(true);
      const answer = await subscribe(investigator, {
        area: "city",
        detections: [camera.id],
        personalData: { caseReference, purpose },
      });
      expect(answer.ok).toBe(true);
      const eventId = await readPlate();
      await settles(async () => {
        const personal = investigatorLog.filter((event) => event.name === "detections:personal");
        expect(JSON.stringify(personal)).toContain(eventId);
        expect(leaked(personal).sort()).toEqual([...secrets].sort());
      }, 30_000);
      await settles(async () => {
        expect(JSON.stringify(operatorLog.filter((event) => event.name === "detections:batch"))).toContain(eventId);
      }, 30_000);
      expect(leaked(operatorLog)).toEqual([]);
      expect(investigatorLog.some((event) => event.name === "detections:batch")).toBe(false);
    } finally {
      investigator.close();
      operator.close();
    }

    await settles(async () => {
      const rows = (
        await pool.query(
          `SELECT actor, action, subject, personal_data, case_reference, purpose, criteria, detail, source_ip
             FROM audit_log WHERE id > $1 AND action LIKE 'live.detections.%' AND subject = $2 ORDER BY id`,
          [auditBefore, camera.id],
        )
      ).rows;
      const of = (actor: string, action: string) => rows.filter((r) => r.actor === actor && r.action === action);
      expect(of("investigator", "live.detections.subscribe")).toEqual([
        expect.objectContaining({
          subject: camera.id,
          personal_data: true,
          case_reference: caseReference,
          purpose,
          criteria: { area: "city", cameras: [camera.id] },
        }),
      ]);
      const ended = of("investigator", "live.detections.unsubscribe");
      expect(ended).toHaveLength(1);
      expect(ended[0]).toMatchObject({
        subject: camera.id,
        personal_data: true,
        case_reference: caseReference,
        detail: { reason: "disconnected" },
      });
      expect(ended[0].detail.durationS).toBeGreaterThan(0);
      expect(Date.parse(ended[0].detail.until) - Date.parse(ended[0].detail.since)).toBeGreaterThan(0);
      expect(ended[0].source_ip).toBeTruthy();
      // The operator's stripped stream is recorded too (who watched which camera, when, how long).
      expect(of("operator", "live.detections.subscribe")).toEqual([
        expect.objectContaining({ subject: camera.id, personal_data: false, case_reference: null }),
      ]);
      expect(of("operator", "live.detections.unsubscribe")).toHaveLength(1);
    }, 30_000);
  });
});

describe("incidents stored with a plate before the fix", () => {
  /** Migration 0014's redaction, run again over rows written the old way (it leaves reference-keyed rows alone). */
  async function redact(): Promise<void> {
    const sql = await readFile(join(migrationsDir, "0014_watch_list_references.sql"), "utf8");
    const redaction = sql.slice(sql.indexOf("CREATE TEMPORARY TABLE redacted_incidents"));
    await withTransaction(pool, (client) => client.query(redaction));
  }

  async function oldIncident(oldPlate: string): Promise<string> {
    const id = randomUUID();
    await pool.query(
      `INSERT INTO incidents (id, rule_id, rule_version, correlation_key, kind, severity, title, lat, lon, h3_cell,
         first_event_at, last_event_at)
       VALUES ($1, 'watch-list', 1, $2, 'watch_list', 'severe', $3, 22.19, 113.54, '89411c0a2a3ffff', now(), now())`,
      [id, `${oldPlate}@${Math.floor(Date.now() / 600_000)}`, `Watch-list plate seen: ${oldPlate}`],
    );
    await pool.query(
      `INSERT INTO incident_evidence (incident_id, event_id, event_kind, observed_at, source_id, event)
       VALUES ($1, $2, 'detection', now(), $3, $4)`,
      [id, `evt-${randomUUID()}`, camera.id, JSON.stringify({ cameraId: camera.id, plate: { text: oldPlate } })],
    );
    await pool.query(
      `INSERT INTO case_assist_records (id, incident_id, requested_by, window_start, window_end, area, inputs, result)
       VALUES ($1, $2, 'operator', now() - interval '5 minutes', now(), '{}', '{}', $3)`,
      [
        randomUUID(),
        id,
        JSON.stringify({ cameras: [], clips: [], incidents: [{ id, title: `Watch-list plate seen: ${oldPlate}` }] }),
      ],
    );
    return id;
  }

  it("redacts their titles, keys and case-assist copies, with the entry's reference or a new one", async () => {
    const listed = `WO-${digits()}-${digits()}`;
    const delisted = `WD-${digits()}-${digits()}`;
    await watchPlate(pool, listed);
    const reference = (await pool.query("SELECT reference FROM plate_watch_list WHERE plate_text = $1", [listed]))
      .rows[0].reference as string;
    const ids = [await oldIncident(listed), await oldIncident(delisted)];
    await redact();

    const rows = (
      await pool.query("SELECT id, title, correlation_key FROM incidents WHERE id = ANY($1::uuid[])", [ids])
    ).rows;
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(byId.get(ids[0])).toMatchObject({
      title: `Watch-list vehicle seen by camera ${camera.id} (${reference})`,
      correlation_key: `${reference}@redacted:${ids[0]}`,
    });
    expect(byId.get(ids[1])?.title).toMatch(
      new RegExp(`^Watch-list vehicle seen by camera ${camera.id} \\(WL-[0-9A-F]{12}\\)$`),
    );
    const copies = await pool.query("SELECT result FROM case_assist_records WHERE incident_id = ANY($1::uuid[])", [
      ids,
    ]);
    expect(copies.rowCount).toBe(2);
    const stored = JSON.stringify([...rows, ...copies.rows]);
    expect(stored).not.toContain(listed);
    expect(stored).not.toContain(delisted);

    const { token } = await login(stack.url, "operator");
    const incidents = await api<IncidentView[]>(stack.url, token, API.incidents);
    expect(incidents.body.filter((incident) => ids.includes(incident.id))).toHaveLength(2);
    expect(JSON.stringify(incidents.body)).not.toMatch(new RegExp(`${listed}|${delisted}`));
    // Run again: nothing changes (the first incident keeps its reference and key).
    await redact();
    const again = await pool.query("SELECT title, correlation_key FROM incidents WHERE id = $1", [ids[0]]);
    expect(again.rows[0]).toEqual({
      title: byId.get(ids[0])?.title,
      correlation_key: byId.get(ids[0])?.correlation_key,
    });
  });
});
