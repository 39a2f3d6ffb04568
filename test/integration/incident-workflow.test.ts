import { randomUUID } from "node:crypto";
import { credentials, status as grpcStatus, Metadata, type ServiceError } from "@grpc/grpc-js";
import { createPool, FIELD_PATH_METADATA, type Pool, type ServiceRoleKey, serviceRoles } from "@hub/common";
import type {
  Envelope,
  IncidentActionResponse,
  IncidentView,
  IncidentWorkflow,
  LoginResponse,
  Problem,
} from "@hub/contracts";
import { DEV_CORRELATOR_TOKEN } from "@hub/correlator";
import { IncidentServiceClient, IncidentStatus, type TransitionIncidentRequest } from "@hub/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fireEvidence } from "../support/factories.js";
import {
  api,
  connect,
  type HubClient,
  insertCameras,
  login,
  startTestStack,
  type TestStack,
} from "../support/gateway.js";
import { databaseUrlAs, east, eventually, migratedPool, produceEvents, testLogger } from "../support/hub.js";
import { insertIncident } from "../support/incidents.js";

/**
 * The incident workflow (issue 14) against the real correlator, gateway and database: every state change with who
 * and when, the refusals (illegal step, stale version, false alarm without a reason, wrong role), assignment, notes
 * and their audit, the timeline, the procedure checklist, merging, and changes reaching other dashboards live.
 */
let pool: Pool;
let stack: TestStack;
let operator: LoginResponse;
let investigator: LoginResponse;
let drafter: LoginResponse;

beforeAll(async () => {
  pool = await migratedPool();
  stack = await startTestStack();
  [operator, investigator, drafter] = await Promise.all([
    login(stack.url, "operator"),
    login(stack.url, "investigator"),
    login(stack.url, "drafter"),
  ]);
});

afterAll(async () => {
  await stack?.stop();
  await pool?.end();
});

const post = <T>(token: string, path: string, body: unknown, method = "POST") =>
  api<T>(stack.url, token, path, { method, body: JSON.stringify(body) });

const move = (id: string, body: Record<string, unknown>, token = operator.token) =>
  post<IncidentActionResponse & Problem>(token, `/api/v1/incidents/${id}/transitions`, body);

const workflowOf = async (id: string, token = operator.token) => {
  const response = await api<IncidentWorkflow>(stack.url, token, `/api/v1/incidents/${id}/workflow`);
  expect(response.status).toBe(200);
  return response.body;
};

function incidentChanges(socket: HubClient): IncidentView[] {
  const seen: IncidentView[] = [];
  socket.on("incident:changed", (envelope: Envelope<IncidentView>) => {
    seen.push(envelope.data);
  });
  return seen;
}

async function watcher(token: string): Promise<{ socket: HubClient; seen: IncidentView[] }> {
  const socket = await connect(stack.url, token);
  const seen = incidentChanges(socket);
  await new Promise((resolve) => socket.emit("view:subscribe", { area: "city" } as never, resolve));
  return { socket, seen };
}

/** Runs `sql` as a service's database role, rolled back whatever happens (see security-db-roles.test.ts). */
async function asRole(role: ServiceRoleKey, sql: string, params: unknown[] = []): Promise<unknown> {
  const rolePool = createPool(databaseUrlAs(serviceRoles[role]), 1, testLogger);
  const client = await rolePool.connect();
  try {
    await client.query("BEGIN");
    const me = await client.query<{ user: string }>("SELECT current_user AS user");
    if (me.rows[0]?.user !== serviceRoles[role]) await client.query(`SET LOCAL ROLE ${serviceRoles[role]}`);
    return await client.query(sql, params);
  } finally {
    await client.query("ROLLBACK").catch(() => undefined);
    client.release();
    await rolePool.end();
  }
}

describe("states", () => {
  it("moves new → acknowledged → dispatched → on scene → resolved, recording who and when, live to others", async () => {
    const incident = await insertIncident(pool);
    const other = await watcher(investigator.token);
    try {
      let version = incident.version;
      for (const to of ["acknowledged", "dispatched", "on_scene", "resolved"]) {
        const response = await move(incident.id, { to, expectedVersion: version });
        expect(response.status, to).toBe(200);
        expect(response.body.incident.status).toBe(to);
        expect(response.body.incident.version).toBeGreaterThan(version);
        version = response.body.incident.version;
      }
      expect(
        await eventually(async () => other.seen.some((i) => i.id === incident.id && i.status === "resolved"), 15_000),
      ).toBe(true);
      const steps = (await workflowOf(incident.id)).timeline.filter((entry) => entry.type === "transition");
      expect(steps.map((s) => (s.type === "transition" ? [s.from, s.to, s.actor] : []))).toEqual([
        ["open", "acknowledged", "operator"],
        ["acknowledged", "dispatched", "operator"],
        ["dispatched", "on_scene", "operator"],
        ["on_scene", "resolved", "operator"],
      ]);
      for (const step of steps) expect(Date.parse(step.at)).toBeGreaterThan(Date.now() - 600_000);
      const stored = await pool.query(
        "SELECT actor, to_status FROM incident_activity WHERE incident_id = $1 AND kind = 'transition' ORDER BY id",
        [incident.id],
      );
      expect(stored.rows.map((row) => row.to_status)).toEqual(["acknowledged", "dispatched", "on_scene", "resolved"]);
      const audit = await pool.query("SELECT action FROM audit_log WHERE subject = $1 ORDER BY id", [incident.id]);
      expect(audit.rows.map((row) => row.action)).toEqual([
        "incident.acknowledged",
        "incident.dispatched",
        "incident.on_scene",
        "incident.resolved",
      ]);
      const open = await api<IncidentView[]>(stack.url, operator.token, "/api/v1/incidents");
      expect(open.body.map((i) => i.id)).not.toContain(incident.id);
    } finally {
      other.socket.close();
    }
  });

  it("keeps the acknowledge and resolve routes working, recorded as transitions", async () => {
    const incident = await insertIncident(pool);
    const acknowledged = await post<IncidentActionResponse>(
      operator.token,
      `/api/v1/incidents/${incident.id}/acknowledge`,
      { expectedVersion: 1 },
    );
    expect(acknowledged.body.incident.status).toBe("acknowledged");
    const resolved = await post<IncidentActionResponse>(operator.token, `/api/v1/incidents/${incident.id}/resolve`, {});
    expect(resolved.body.incident.status).toBe("resolved");
    const steps = (await workflowOf(incident.id)).timeline.flatMap((e) => (e.type === "transition" ? [e.to] : []));
    expect(steps).toEqual(["acknowledged", "resolved"]);
  });

  it("refuses an illegal step (409), a stale version (409), a closed incident (409) and a wrong role (403)", async () => {
    const incident = await insertIncident(pool);
    const illegal = await move(incident.id, { to: "on_scene" });
    expect(illegal.status).toBe(409);
    expect(illegal.type).toContain("application/problem+json");
    expect(illegal.body.detail).toContain("cannot become on_scene");
    const reopen = await move(incident.id, { to: "open" });
    expect(reopen.status).toBe(400);
    expect(reopen.body.field).toBe("body.to");

    expect((await move(incident.id, { to: "acknowledged", expectedVersion: 1 })).status).toBe(200);
    const stale = await move(incident.id, { to: "dispatched", expectedVersion: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.detail).toContain("version");

    for (const login of [investigator, drafter]) {
      const refused = await move(incident.id, { to: "dispatched" }, login.token);
      expect(refused.status).toBe(403);
    }
    const row = await pool.query("SELECT status FROM incidents WHERE id = $1", [incident.id]);
    expect(row.rows[0].status).toBe("acknowledged");

    expect((await move(incident.id, { to: "resolved" })).status).toBe(200);
    for (const to of ["acknowledged", "dispatched", "false_alarm"]) {
      const closed = await move(incident.id, { to, reason: "late" });
      expect(closed.status, to).toBe(409);
    }
  });

  it("needs a reason for a false alarm (400 naming the field), and records it", async () => {
    const incident = await insertIncident(pool);
    for (const body of [{ to: "false_alarm" }, { to: "false_alarm", reason: "   " }]) {
      const refused = await move(incident.id, body);
      expect(refused.status).toBe(400);
      expect(refused.body.field).toBe("body.reason");
    }
    const reason = "steam from a kitchen vent, confirmed by the camera";
    const dismissed = await move(incident.id, { to: "false_alarm", reason });
    expect(dismissed.status).toBe(200);
    expect(dismissed.body.incident.status).toBe("false_alarm");
    const step = (await workflowOf(incident.id)).timeline.find((e) => e.type === "transition");
    expect(step).toMatchObject({ from: "open", to: "false_alarm", reason, actor: "operator" });
  });

  it("never reopens a false alarm: new evidence at the same place opens a new incident", async () => {
    const district = `Wf-${randomUUID().slice(0, 6)}`;
    const place = { lat: 21.4 + Math.random() * 0.3, lon: 112.6 + Math.random() * 0.3 };
    const camera = `wf-cam-${randomUUID().slice(0, 6)}`;
    await insertCameras(pool, [{ id: camera, district, ...place }]);
    const fire = async () => {
      const { detection, reading } = fireEvidence(camera);
      await produceEvents([
        { detection, at: place },
        { reading, at: east(place, 30) },
      ]);
      return detection.eventId;
    };
    const openedBy = async (eventId: string) =>
      eventually(async () => {
        const row = await pool.query("SELECT incident_id FROM incident_evidence WHERE event_id = $1", [eventId]);
        return row.rows.length > 0;
      }, 60_000);
    const firstEvent = await fire();
    expect(await openedBy(firstEvent)).toBe(true);
    const first = (await pool.query("SELECT incident_id FROM incident_evidence WHERE event_id = $1", [firstEvent]))
      .rows[0].incident_id as string;
    expect((await move(first, { to: "false_alarm", reason: "test fire drill" })).status).toBe(200);
    const nextEvent = await fire();
    expect(await openedBy(nextEvent)).toBe(true);
    const next = await pool.query("SELECT incident_id FROM incident_evidence WHERE event_id = $1", [nextEvent]);
    expect(next.rows.map((row) => row.incident_id)).not.toContain(first);
    const closed = await pool.query("SELECT status FROM incidents WHERE id = $1", [first]);
    expect(closed.rows[0].status).toBe("false_alarm");
  });
});

describe("the correlator's own checks (gRPC, without the gateway)", () => {
  it("refuses a false alarm without a reason, an illegal step and a reopening, naming the field", async () => {
    const incident = await insertIncident(pool);
    const client = new IncidentServiceClient(`127.0.0.1:${stack.correlator.grpcPort}`, credentials.createInsecure());
    const metadata = new Metadata();
    metadata.set("authorization", `Bearer ${DEV_CORRELATOR_TOKEN}`);
    const transition = (request: Partial<TransitionIncidentRequest>) =>
      new Promise<ServiceError | null>((resolve) =>
        client.transitionIncident(
          { id: incident.id, actor: "operator", reason: "", expectedVersion: 0, to: 0, ...request },
          metadata,
          (error) => resolve(error),
        ),
      );
    try {
      const noReason = await transition({ to: IncidentStatus.INCIDENT_STATUS_FALSE_ALARM, reason: "  " });
      expect(noReason?.code).toBe(grpcStatus.INVALID_ARGUMENT);
      expect(noReason?.metadata.get(FIELD_PATH_METADATA)[0]?.toString()).toBe("reason");
      const illegal = await transition({ to: IncidentStatus.INCIDENT_STATUS_ON_SCENE });
      expect(illegal?.code).toBe(grpcStatus.FAILED_PRECONDITION);
      const reopen = await transition({ to: IncidentStatus.INCIDENT_STATUS_OPEN });
      expect(reopen?.code).toBe(grpcStatus.INVALID_ARGUMENT);
      expect(await transition({ to: IncidentStatus.INCIDENT_STATUS_FALSE_ALARM, reason: "drill" })).toBeNull();
      const closed = await transition({ to: IncidentStatus.INCIDENT_STATUS_RESOLVED });
      expect(closed?.code).toBe(grpcStatus.FAILED_PRECONDITION);
    } finally {
      client.close();
    }
  });
});

describe("assignment and notes", () => {
  it("assigns an existing operator and a unit with a CAD reference, and refuses an unknown user", async () => {
    const incident = await insertIncident(pool);
    const unknown = await post<Problem>(
      operator.token,
      `/api/v1/incidents/${incident.id}/assignment`,
      { operator: `nobody-${randomUUID().slice(0, 6)}`, unit: null, cadReference: null },
      "PUT",
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.field).toBe("body.operator");
    const assigned = await post<IncidentActionResponse>(
      operator.token,
      `/api/v1/incidents/${incident.id}/assignment`,
      { operator: "operator", unit: "PSP patrol 12", cadReference: "CAD-2026-0042", expectedVersion: 1 },
      "PUT",
    );
    expect(assigned.status).toBe(200);
    const workflow = await workflowOf(incident.id);
    expect(workflow).toMatchObject({
      assignedOperator: "operator",
      assignedUnit: "PSP patrol 12",
      cadReference: "CAD-2026-0042",
    });
    expect(workflow.timeline.find((e) => e.type === "assignment")).toMatchObject({
      actor: "operator",
      unit: "PSP patrol 12",
      cadReference: "CAD-2026-0042",
    });
    const cleared = await post<IncidentActionResponse>(
      operator.token,
      `/api/v1/incidents/${incident.id}/assignment`,
      { operator: null, unit: "", cadReference: "CAD-2026-0042" },
      "PUT",
    );
    expect(cleared.status).toBe(200);
    expect(await workflowOf(incident.id)).toMatchObject({ assignedOperator: null, assignedUnit: null });
    const refused = await post<Problem>(
      investigator.token,
      `/api/v1/incidents/${incident.id}/assignment`,
      { operator: "investigator", unit: null, cadReference: null },
      "PUT",
    );
    expect(refused.status).toBe(403);
  });

  it("appends notes with author and time, audits writing and reading them, and hides their text from other roles", async () => {
    const incident = await insertIncident(pool);
    const text = `Caller at the scene: ${randomUUID().slice(0, 8)}`;
    const empty = await post<Problem>(operator.token, `/api/v1/incidents/${incident.id}/notes`, { text: "  " });
    expect(empty.status).toBe(400);
    expect(empty.body.field).toBe("body.text");
    expect((await post(operator.token, `/api/v1/incidents/${incident.id}/notes`, { text })).status).toBe(200);
    expect((await post(operator.token, `/api/v1/incidents/${incident.id}/notes`, { text: "second" })).status).toBe(200);
    const refused = await post<Problem>(investigator.token, `/api/v1/incidents/${incident.id}/notes`, { text: "x" });
    expect(refused.status).toBe(403);

    const notes = (await workflowOf(incident.id, investigator.token)).timeline.filter((e) => e.type === "note");
    expect(notes.map((n) => (n.type === "note" ? [n.text, n.actor] : []))).toEqual([
      [text, "operator"],
      ["second", "operator"],
    ]);
    const hidden = await workflowOf(incident.id, drafter.token);
    expect(hidden.notesVisible).toBe(false);
    expect(hidden.timeline.filter((e) => e.type === "note").map((n) => (n.type === "note" ? n.text : "?"))).toEqual([
      null,
      null,
    ]);
    expect(JSON.stringify(hidden)).not.toContain(text);

    const audit = await pool.query(
      "SELECT actor, action, personal_data, detail::text AS detail FROM audit_log WHERE subject = $1 ORDER BY id",
      [incident.id],
    );
    expect(audit.rows.filter((r) => r.action === "incident.note").map((r) => [r.actor, r.personal_data])).toEqual([
      ["operator", true],
      ["operator", true],
    ]);
    expect(audit.rows.some((r) => r.detail.includes(text))).toBe(false);
    expect(audit.rows.filter((r) => r.action === "incident.notes.view").map((r) => [r.actor, r.personal_data])).toEqual(
      [["investigator", true]],
    );
    // Append-only: the correlator's role may not change or remove a note, the gateway's may not write one.
    const note = "UPDATE incident_activity SET note = 'rewritten' WHERE incident_id = $1";
    await expect(asRole("correlator", note, [incident.id])).rejects.toMatchObject({ code: "42501" });
    const remove = "DELETE FROM incident_activity WHERE incident_id = $1";
    await expect(asRole("correlator", remove, [incident.id])).rejects.toMatchObject({ code: "42501" });
    await expect(
      asRole(
        "gateway",
        "INSERT INTO incident_activity (incident_id, kind, actor, note) VALUES ($1, 'note', 'x', 'y')",
        [incident.id],
      ),
    ).rejects.toMatchObject({ code: "42501" });
    const stored = await pool.query("SELECT note FROM incident_activity WHERE incident_id = $1 ORDER BY id", [
      incident.id,
    ]);
    expect(stored.rows.map((row) => row.note)).toEqual([text, "second"]);
  });
});

describe("timeline, procedure and merge", () => {
  it("lists evidence, state changes, notes and alerts drafted from the incident in time order", async () => {
    const incident = await insertIncident(pool, { evidence: 2, at: new Date(Date.now() - 3_600_000) });
    const alertId = randomUUID();
    await pool.query("INSERT INTO alerts (id, state, created_by) VALUES ($1, 'draft', 'drafter')", [alertId]);
    await pool.query(
      `INSERT INTO alert_messages (id, alert_id, msg_type, status, identifier, content, drafted_by, drafted_at)
       VALUES ($1, $2, 'Alert', 'draft', $3, $4, 'drafter', now() - interval '30 minutes')`,
      [randomUUID(), alertId, `test-${alertId}`, JSON.stringify({ incidentId: incident.id })],
    );
    await move(incident.id, { to: "acknowledged" });
    await post(operator.token, `/api/v1/incidents/${incident.id}/notes`, { text: "crew on the way" });
    const { timeline } = await workflowOf(incident.id);
    expect(timeline.map((e) => e.type)).toEqual(["evidence", "evidence", "alert", "transition", "note"]);
    expect(timeline.find((e) => e.type === "alert")).toMatchObject({ alertId, actor: "drafter", messageType: "Alert" });
    const times = timeline.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(timeline.filter((e) => e.type === "evidence").map((e) => (e.type === "evidence" ? e.eventId : ""))).toEqual(
      incident.evidenceIds,
    );
  });

  it("ticks procedure steps from the shipped file with who and when, live to other dashboards", async () => {
    const incident = await insertIncident(pool, { kind: "fire" });
    const before = await workflowOf(incident.id);
    expect(before.procedure.map((step) => step.id)).toEqual([
      "notify_fire_services",
      "check_nearby_cameras",
      "consider_public_alert",
    ]);
    expect(before.procedure[0]?.title["zh-Hant"]).toBe("通知消防局");
    expect(before.procedure.every((step) => !step.done)).toBe(true);
    const other = await watcher(investigator.token);
    try {
      const ticked = await post<IncidentActionResponse>(
        operator.token,
        `/api/v1/incidents/${incident.id}/procedure/notify_fire_services`,
        { done: true },
        "PUT",
      );
      expect(ticked.status).toBe(200);
      const version = ticked.body.incident.version;
      expect(
        await eventually(async () => other.seen.some((i) => i.id === incident.id && i.version >= version), 15_000),
      ).toBe(true);
    } finally {
      other.socket.close();
    }
    const after = await workflowOf(incident.id);
    expect(after.procedure[0]).toMatchObject({ id: "notify_fire_services", done: true, by: "operator" });
    expect(after.procedure[0]?.at).not.toBeNull();
    expect(after.procedure[1]?.done).toBe(false);

    await post(
      operator.token,
      `/api/v1/incidents/${incident.id}/procedure/notify_fire_services`,
      { done: false },
      "PUT",
    );
    expect((await workflowOf(incident.id)).procedure[0]).toMatchObject({ done: false, by: null });

    const unknown = await post<Problem>(
      operator.token,
      `/api/v1/incidents/${incident.id}/procedure/open_the_floodgates`,
      { done: true },
      "PUT",
    );
    expect(unknown.status).toBe(400);
    expect(unknown.body.field).toBe("params.stepId");
    const refused = await post<Problem>(
      drafter.token,
      `/api/v1/incidents/${incident.id}/procedure/check_nearby_cameras`,
      { done: true },
      "PUT",
    );
    expect(refused.status).toBe(403);
  });

  it("merges one incident into another: evidence copied, the other closed and pointing at the one kept", async () => {
    const kept = await insertIncident(pool, { evidence: 1 });
    const merged = await insertIncident(pool, { evidence: 2, severity: "extreme" });
    const self = await post<Problem>(operator.token, `/api/v1/incidents/${kept.id}/merge`, { otherId: kept.id });
    expect(self.status).toBe(400);
    expect(self.body.field).toBe("body.otherId");
    const response = await post<IncidentActionResponse>(operator.token, `/api/v1/incidents/${kept.id}/merge`, {
      otherId: merged.id,
      expectedVersion: 1,
    });
    expect(response.status).toBe(200);
    expect(response.body.incident.evidenceCount).toBe(3);
    expect(response.body.incident.severity).toBe("extreme");
    const closed = await workflowOf(merged.id);
    expect(closed.mergedInto).toBe(kept.id);
    expect(closed.timeline.find((e) => e.type === "transition")).toMatchObject({ to: "resolved" });
    expect((await workflowOf(kept.id)).timeline.find((e) => e.type === "merge")).toMatchObject({
      otherIncidentId: merged.id,
      actor: "operator",
    });
    const status = await pool.query("SELECT status FROM incidents WHERE id = $1", [merged.id]);
    expect(status.rows[0].status).toBe("resolved");
    const again = await post<Problem>(operator.token, `/api/v1/incidents/${kept.id}/merge`, { otherId: merged.id });
    expect(again.status).toBe(409);
    const refused = await post<Problem>(investigator.token, `/api/v1/incidents/${merged.id}/merge`, {
      otherId: kept.id,
    });
    expect(refused.status).toBe(403);
  });
});
