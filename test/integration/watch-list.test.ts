import { randomUUID } from "node:crypto";
import type { Pool } from "@hub/common";
import { API, type IncidentView, type Problem, type WatchListEntryView, type WatchListHitView } from "@hub/contracts";
import { ObjectClass } from "@hub/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newDetection, SENADO } from "../support/factories.js";
import { api, connect, type HubClient, login, startTestStack, type TestStack } from "../support/gateway.js";
import { eventually, migratedPool, produceEvents, settles } from "../support/hub.js";

/**
 * Watch lists run by staff (README "Watch lists"), against the real correlator, gateway, Kafka and database: the
 * two-person rule (the proposer can never approve; a supervisor's approval activates), expiry without a restart,
 * pattern entries, hits recorded and shown only to investigators and supervisors (audited), and bad input refused
 * with the field named. Plates, case references and users are unique to this file's run.
 */
let pool: Pool;
let stack: TestStack;
const tag = randomUUID().slice(0, 6).toUpperCase();
const digits = () => String(Math.floor(Math.random() * 90 + 10));
/** Letters only: a plate prefix no other file uses. */
const letters = () =>
  Array.from({ length: 3 }, () => String.fromCharCode(65 + Math.floor(Math.random() * 26))).join("");
const lead = `lead-${tag.toLowerCase()}`;
const caseReference = `PJ-WL-${tag}`;
let tokens: Record<"investigator" | "supervisor" | "lead" | "operator" | "drafter" | "approver" | "admin", string>;
const at = { lat: SENADO.lat + Math.random() * 0.002, lon: SENADO.lon + Math.random() * 0.002 };

beforeAll(async () => {
  pool = await migratedPool();
  stack = await startTestStack();
  // A lead investigator who is also a supervisor (the development supervisor's password): the one person who could
  // approve their own proposal by role.
  await pool.query(
    `INSERT INTO users (username, display_name, password_hash, roles)
     SELECT $1, 'Lead investigator', password_hash, ARRAY['investigator', 'supervisor'] FROM users
      WHERE username = 'supervisor'`,
    [lead],
  );
  tokens = {
    investigator: (await login(stack.url, "investigator")).token,
    supervisor: (await login(stack.url, "supervisor")).token,
    lead: (await login(stack.url, lead)).token,
    operator: (await login(stack.url, "operator")).token,
    drafter: (await login(stack.url, "drafter")).token,
    approver: (await login(stack.url, "approver")).token,
    admin: (await login(stack.url, "admin")).token,
  };
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await pool?.end();
});

const post = <T>(token: string, path: string, body?: unknown) =>
  api<T & { field?: string; detail?: string }>(stack.url, token, path, {
    method: "POST",
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

const inHours = (hours: number) => new Date(Date.now() + hours * 3_600_000).toISOString();

function proposal(plate: string, overrides: Record<string, unknown> = {}) {
  return {
    plate,
    matchKind: "exact",
    reason: "Vehicle used in a robbery at Rua do Campo",
    caseReference,
    expiresAt: inHours(24),
    ...overrides,
  };
}

/** Proposed by the investigator, approved by the supervisor. */
async function activeEntry(plate: string, overrides: Record<string, unknown> = {}): Promise<WatchListEntryView> {
  const proposed = await post<WatchListEntryView>(tokens.investigator, API.watchList, proposal(plate, overrides));
  expect(proposed.status, JSON.stringify(proposed.body)).toBe(201);
  const approved = await post<WatchListEntryView>(tokens.supervisor, API.watchListApprove(proposed.body.id));
  expect(approved.status, JSON.stringify(approved.body)).toBe(200);
  return approved.body;
}

/** A camera reads `plate` (observed at `observedAt`); resolves once the correlator has stored the detection. */
async function sighting(plate: string, observedAt = new Date()): Promise<string> {
  const detection = newDetection(`CAM-WL-${tag}`, {
    objectClass: ObjectClass.OBJECT_CLASS_LICENSE_PLATE,
    plate: { text: plate, region: "MO", confidence: 0.95 },
    observedAt,
    rule: undefined,
  });
  await produceEvents([{ detection, at }]);
  const stored = await eventually(async () => {
    const row = await pool.query("SELECT 1 FROM detections WHERE event_id = $1", [detection.eventId]);
    return row.rowCount === 1;
  }, 60_000);
  expect(stored).toBe(true);
  return detection.eventId;
}

/** The hits recorded for an event (correlation and hits commit with the stored detection). */
async function hitsOf(
  eventId: string,
): Promise<{ entry_id: string; plate_text: string; incident_id: string | null }[]> {
  return (
    await pool.query("SELECT entry_id, plate_text, incident_id FROM watch_list_hits WHERE event_id = $1", [eventId])
  ).rows;
}

async function audited(reference: string): Promise<{ actor: string; action: string; personal_data: boolean }[]> {
  return (
    await pool.query("SELECT actor, action, personal_data FROM audit_log WHERE subject = $1 ORDER BY id", [reference])
  ).rows;
}

describe("watch lists run by staff", { timeout: 240_000 }, () => {
  it("takes two people: the proposer can never approve, a supervisor's approval activates the entry", async () => {
    const plate = `${letters()}-${digits()}-${digits()}`;
    const proposed = await post<WatchListEntryView>(tokens.lead, API.watchList, proposal(plate));
    expect(proposed.status).toBe(201);
    expect(proposed.body).toMatchObject({ plate, status: "pending", matching: false, addedBy: lead, caseReference });
    expect(proposed.body.reference).toMatch(/^WL-[0-9A-F]{12}$/);

    // Pending: a sighting matches nothing.
    expect(await hitsOf(await sighting(plate))).toEqual([]);

    // The proposer, although a supervisor too, cannot approve or reject it; an investigator cannot at all.
    const self = await post(tokens.lead, API.watchListApprove(proposed.body.id));
    expect(self.status).toBe(403);
    expect(self.body.detail).toMatch(/proposer/);
    expect(
      (await post(tokens.lead, API.watchListReject(proposed.body.id), { reason: "changed my mind, sorry" })).status,
    ).toBe(403);
    expect((await post(tokens.investigator, API.watchListApprove(proposed.body.id))).status).toBe(403);
    // Nor can the database be talked into it: the two-person check holds whoever writes.
    await expect(
      pool.query(
        "UPDATE plate_watch_list SET status = 'active', decided_by = added_by, decided_at = now() WHERE id = $1",
        [proposed.body.id],
      ),
    ).rejects.toThrow(/two_people/);

    const approved = await post<WatchListEntryView>(tokens.supervisor, API.watchListApprove(proposed.body.id));
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: "active", matching: true, decidedBy: "supervisor" });
    // Approving twice is refused (the entry is no longer pending).
    expect((await post(tokens.supervisor, API.watchListApprove(proposed.body.id))).status).toBe(409);

    const eventId = await sighting(plate);
    const hits = await hitsOf(eventId);
    expect(hits).toMatchObject([{ entry_id: proposed.body.id, plate_text: plate }]);
    // The incident everyone sees names the entry by its reference only.
    const incident = await pool.query("SELECT title FROM incidents WHERE id = $1", [hits[0]?.incident_id]);
    expect(incident.rows[0]?.title).toContain(proposed.body.reference);
    expect(incident.rows[0]?.title).not.toContain(plate);

    // A second person for an extension too; removal by one, with a reason.
    const extension = await post<WatchListEntryView>(tokens.supervisor, API.watchListExtension(proposed.body.id), {
      expiresAt: inHours(48),
      reason: "Suspect still at large, case open",
    });
    expect(extension.status).toBe(201);
    expect(extension.body.pendingExtension).toMatchObject({ requestedBy: "supervisor" });
    expect(extension.body.expiresAt).toBe(approved.body.expiresAt);
    const selfExtension = await post(tokens.supervisor, API.watchListExtensionApprove(proposed.body.id));
    expect(selfExtension.status).toBe(403);
    const extended = await post<WatchListEntryView>(tokens.lead, API.watchListExtensionApprove(proposed.body.id));
    expect(extended.status).toBe(200);
    expect(extended.body.pendingExtension).toBeNull();
    expect(Date.parse(extended.body.expiresAt)).toBeGreaterThan(Date.parse(approved.body.expiresAt));
    // Nor the database: an expiry moves only with a second person's approved extension; what the entry watches and
    // for which case never changes, whoever writes.
    await expect(
      pool.query("UPDATE plate_watch_list SET expires_at = expires_at + interval '30 days' WHERE id = $1", [
        proposed.body.id,
      ]),
    ).rejects.toThrow(/approved by a second person/);
    await expect(
      pool.query("UPDATE plate_watch_list SET plate_text = 'ZZ-99-99' WHERE id = $1", [proposed.body.id]),
    ).rejects.toThrow(/never changes/);
    await expect(pool.query("DELETE FROM plate_watch_list WHERE id = $1", [proposed.body.id])).rejects.toThrow(
      /never deleted/,
    );

    const removed = await post<WatchListEntryView>(tokens.investigator, API.watchListRemove(proposed.body.id), {
      reason: "Vehicle recovered by PSP",
    });
    expect(removed.body).toMatchObject({ status: "removed", removedBy: "investigator", matching: false });
    expect(await hitsOf(await sighting(plate))).toEqual([]);
    await expect(
      pool.query("UPDATE plate_watch_list SET status = 'active' WHERE id = $1", [proposed.body.id]),
    ).rejects.toThrow(/cannot go from removed to active/);

    // Every change is in the audit trail, named by the reference (never the plate).
    expect((await audited(proposed.body.reference)).map((row) => [row.actor, row.action, row.personal_data])).toEqual([
      [lead, "watch-list.propose", true],
      ["supervisor", "watch-list.approve", true],
      ["supervisor", "watch-list.extension.request", true],
      [lead, "watch-list.extension.approve", true],
      ["investigator", "watch-list.remove", true],
    ]);
    const trail = await pool.query("SELECT detail, criteria FROM audit_log WHERE subject = $1", [
      proposed.body.reference,
    ]);
    expect(JSON.stringify(trail.rows)).not.toContain(plate);
  });

  it("rejects a proposal by a second person; a rejected entry never matches", async () => {
    const plate = `${letters()}-${digits()}-${digits()}`;
    const proposed = await post<WatchListEntryView>(tokens.investigator, API.watchList, proposal(plate));
    const rejected = await post<WatchListEntryView>(tokens.supervisor, API.watchListReject(proposed.body.id), {
      reason: "Not enough grounds for a watch",
    });
    expect(rejected.body).toMatchObject({ status: "rejected", decidedBy: "supervisor" });
    expect(await hitsOf(await sighting(plate))).toEqual([]);
    // The plate may be proposed again once its entry is no longer live.
    expect((await post(tokens.investigator, API.watchList, proposal(plate))).status).toBe(201);
    expect((await post(tokens.investigator, API.watchList, proposal(plate))).status).toBe(409);
  });

  it("stops matching an entry when it expires, without a restart, on the event's time and on now", async () => {
    const plate = `${letters()}-${digits()}-${digits()}`;
    const entry = await activeEntry(plate, { expiresAt: new Date(Date.now() + 20_000).toISOString() });
    const expiresAt = Date.parse(entry.expiresAt);
    expect(await hitsOf(await sighting(plate))).toHaveLength(1);
    // Read in lower case by a camera, the plate still matches its (upper-case) entry.
    expect(await hitsOf(await sighting(plate.toLowerCase()))).toHaveLength(1);
    // An extension asked in time but not approved before the expiry does not bring the entry back.
    const asked = await post(tokens.investigator, API.watchListExtension(entry.id), {
      expiresAt: inHours(2),
      reason: "Suspect seen again near the border",
    });
    expect(asked.status).toBe(201);

    await eventually(async () => Date.now() > expiresAt + 1000, 60_000);
    const tooLate = await post(tokens.supervisor, API.watchListExtensionApprove(entry.id));
    expect([tooLate.status, tooLate.body.field]).toEqual([409, "id"]);
    // Seen now, after the expiry: no hit.
    expect(await hitsOf(await sighting(plate))).toEqual([]);
    // Seen before the expiry but arriving after it: no hit either (the entry no longer matches at all).
    expect(await hitsOf(await sighting(plate, new Date(expiresAt - 5000)))).toEqual([]);
    const listed = await api<WatchListEntryView[]>(stack.url, tokens.investigator, `${API.watchList}?status=active`);
    expect(listed.body.find((candidate) => candidate.id === entry.id)).toMatchObject({ matching: false });
    // Nor can a new extension be asked for.
    const late = await post(tokens.supervisor, API.watchListExtension(entry.id), {
      expiresAt: inHours(1),
      reason: "Forgot to extend in time",
    });
    expect(late.status).toBe(409);
  });

  it("matches pattern entries (* and ?) and records each hit with the plate that matched", async () => {
    const prefix = `${letters()}${digits()}`;
    const entry = await activeEntry(`${prefix}-?7*`, { matchKind: "pattern" });
    expect(entry).toMatchObject({ matchKind: "pattern", plate: `${prefix}-?7*` });
    const matching = `${prefix}-379`;
    const [seen, missed, tooShort] = [
      await sighting(matching),
      await sighting(`${prefix}-389`),
      await sighting(`${prefix}-7`),
    ];
    expect(await hitsOf(seen)).toMatchObject([{ entry_id: entry.id, plate_text: matching }]);
    expect(await hitsOf(missed)).toEqual([]);
    expect(await hitsOf(tooShort)).toEqual([]);
  });

  it("shows hits with plate, reason and case reference to investigators and supervisors only, audited", async () => {
    const plate = `${letters()}-${digits()}-${digits()}`;
    const reason = `Wanted in case ${tag}: armed robbery`;
    const entry = await activeEntry(plate, { reason });
    // Everyone else watches the live map meanwhile.
    const sockets: { role: string; socket: HubClient; log: unknown[] }[] = [];
    for (const role of ["operator", "drafter", "approver"] as const) {
      const socket = await connect(stack.url, tokens[role]);
      const log: unknown[] = [];
      socket.onAny((name: string, ...args: unknown[]) => log.push({ name, args }));
      const answer = await new Promise<{ ok: boolean }>((resolve) =>
        socket.emit("view:subscribe", { area: "city" } as never, resolve as never),
      );
      expect(answer.ok).toBe(true);
      sockets.push({ role, socket, log });
    }
    try {
      const eventId = await sighting(plate);
      const [hit] = await hitsOf(eventId);
      expect(hit?.incident_id).toBeTruthy();
      const secrets = [plate, reason, caseReference];

      for (const role of ["investigator", "supervisor"] as const) {
        const hits = await api<WatchListHitView[]>(stack.url, tokens[role], `${API.watchListHits}?entryId=${entry.id}`);
        expect(hits.status).toBe(200);
        expect(hits.body).toEqual([
          expect.objectContaining({
            plate,
            reason,
            caseReference,
            reference: entry.reference,
            incidentId: hit?.incident_id,
          }),
        ]);
      }
      const looks = await pool.query(
        `SELECT actor, personal_data, result_count FROM audit_log
          WHERE action = 'watch-list.hits.view' AND criteria ->> 'entryId' = $1 ORDER BY id`,
        [entry.id],
      );
      expect(looks.rows).toEqual([
        { actor: "investigator", personal_data: true, result_count: 1 },
        { actor: "supervisor", personal_data: true, result_count: 1 },
      ]);

      for (const { role, log } of sockets) {
        const token = tokens[role as "operator"];
        // The watch-list API is closed to them.
        for (const path of [API.watchList, API.watchListHits, `${API.watchListHits}?entryId=${entry.id}`])
          expect((await api(stack.url, token, path)).status, `${role} ${path}`).toBe(403);
        expect((await post(token, API.watchList, proposal(`${letters()}-11-22`))).status).toBe(403);
        expect((await post(token, API.watchListRemove(entry.id), { reason: "trying to remove it" })).status).toBe(403);
        // What they may read carries the reference, never the plate, the reason or the case.
        const incidents = await api<IncidentView[]>(stack.url, token, API.incidents);
        expect(incidents.body.some((incident) => incident.id === hit?.incident_id)).toBe(true);
        const detail = await api(stack.url, token, API.incident(hit?.incident_id ?? ""));
        const snapshot = await api(stack.url, token, API.snapshot);
        const rest = JSON.stringify([incidents.body, detail.body, snapshot.body]);
        expect(rest).toContain(entry.reference);
        for (const secret of secrets) expect(rest, `${role} REST`).not.toContain(secret);
        await settles(async () => {
          expect(JSON.stringify(log), role).toContain(hit?.incident_id ?? "-");
        }, 30_000);
        for (const secret of secrets) expect(JSON.stringify(log), `${role} Socket.IO`).not.toContain(secret);
      }
      // Nor may an administrator read plates here (the audit trail it reads names only references).
      expect((await api(stack.url, tokens.admin, API.watchList)).status).toBe(403);
    } finally {
      for (const { socket } of sockets) socket.close();
    }

    // The listing is audited as a look at personal data.
    const listed = await api<WatchListEntryView[]>(stack.url, tokens.supervisor, API.watchList);
    expect(listed.body.some((candidate) => candidate.id === entry.id)).toBe(true);
    const look = await pool.query(
      `SELECT personal_data, result_count FROM audit_log
        WHERE action = 'watch-list.list' AND actor = 'supervisor' ORDER BY id DESC LIMIT 1`,
    );
    expect(look.rows[0]).toEqual({ personal_data: true, result_count: listed.body.length });
  });

  it("refuses bad input with a problem naming the field", async () => {
    const plate = `${letters()}-${digits()}-${digits()}`;
    const cases: [Record<string, unknown>, string][] = [
      [{ plate: "" }, "body.plate"],
      [{ plate: "AB_12$" }, "body.plate"],
      [{ plate: "*1*", matchKind: "pattern" }, "body.plate"],
      [{ plate: "M*", matchKind: "pattern" }, "body.plate"],
      [{ plate: "MA-12-34", matchKind: "pattern" }, "body.plate"],
      [{ matchKind: "regex" }, "body.matchKind"],
      [{ caseReference: undefined }, "body.caseReference"],
      [{ reason: "short" }, "body.reason"],
      [{ expiresAt: undefined }, "body.expiresAt"],
      [{ expiresAt: "tomorrow" }, "body.expiresAt"],
      [{ expiresAt: new Date(Date.now() - 60_000).toISOString() }, "body.expiresAt"],
      [{ expiresAt: new Date(Date.now() + 400 * 86_400_000).toISOString() }, "body.expiresAt"],
      [{ colour: "red" }, "body.colour"],
    ];
    for (const [overrides, field] of cases) {
      const refused = await post(tokens.investigator, API.watchList, proposal(plate, overrides));
      expect(refused.status, JSON.stringify(overrides)).toBe(400);
      expect(refused.type).toMatch(/application\/problem\+json/);
      expect(refused.body.field, JSON.stringify(overrides)).toBe(field);
    }
    expect((await api<Problem>(stack.url, tokens.investigator, `${API.watchListHits}?limit=0`)).body.field).toBe(
      "query.limit",
    );
    expect((await api<Problem>(stack.url, tokens.investigator, `${API.watchList}?status=gone`)).body.field).toBe(
      "query.status",
    );
    const entry = await activeEntry(plate);
    const noReason = await post(tokens.investigator, API.watchListRemove(entry.id), {});
    expect([noReason.status, noReason.body.field]).toEqual([400, "body.reason"]);
    const earlier = await post(tokens.investigator, API.watchListExtension(entry.id), {
      expiresAt: inHours(1),
      reason: "Shorter, which is not an extension",
    });
    expect([earlier.status, earlier.body.field]).toEqual([400, "body.expiresAt"]);
    const unknown = await post(tokens.supervisor, API.watchListApprove(randomUUID()));
    expect([unknown.status, unknown.body.field]).toEqual([404, "id"]);
    const nothingPending = await post(tokens.supervisor, API.watchListExtensionApprove(entry.id));
    expect(nothingPending.status).toBe(409);
  });
});
