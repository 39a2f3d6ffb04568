import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { type Pool, topics } from "@hub/common";
import type {
  AlertView,
  CameraStatusChange,
  Envelope,
  IncidentDetail,
  IncidentView,
  LoginResponse,
  Problem,
  Snapshot,
  SubscribeResponse,
} from "@hub/contracts";
import { AlertSeverity, AlertState, CameraState, PublicAlertRecord } from "@hub/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fireEvidence, newStatus } from "../support/factories.js";
import {
  api,
  connect,
  type HubClient,
  insertCameras,
  login,
  startTestStack,
  type TestStack,
} from "../support/gateway.js";
import { east, eventually, infra, migratedPool, produceEvents, produceRaw } from "../support/hub.js";

/**
 * The gateway against the real stack (broker, database, correlator): sign-in and roles on REST and on the
 * Socket.IO handshake, snapshot plus live events with gap-free sequences, acknowledging from one client showing
 * in another, and a reconnect after missed events giving the same picture as a fresh load.
 */
let pool: Pool;
let stack: TestStack;
let operator: LoginResponse;
const district = `Test-${randomUUID().slice(0, 6)}`;
const base = { lat: 21.4 + Math.random() * 0.3, lon: 112.6 + Math.random() * 0.3 };
const cameraIds = [0, 1, 2].map((index) => `gw-cam-${randomUUID().slice(0, 6)}-${index}`);

beforeAll(async () => {
  pool = await migratedPool();
  await insertCameras(
    pool,
    cameraIds.map((id, index) => ({ id, district, ...east(base, index * 40) })),
  );
  stack = await startTestStack();
  operator = await login(stack.url, "operator");
});

afterAll(async () => {
  await stack?.stop();
  await pool?.end();
});

function subscribe(socket: HubClient, request: Parameters<HubClient["emit"]>[1]): Promise<SubscribeResponse> {
  return new Promise((resolve) => socket.emit("view:subscribe", request as never, resolve));
}

/** Collects every enveloped event of a socket, in arrival order. */
function record(socket: HubClient): { events: { name: string; envelope: Envelope<unknown> }[] } {
  const log = { events: [] as { name: string; envelope: Envelope<unknown> }[] };
  for (const name of ["cameras:status", "incident:changed", "alert:changed", "sensors:readings", "counters:tick"])
    socket.on(name as "counters:tick", (envelope) => {
      log.events.push({ name, envelope });
    });
  return log;
}

async function fireAt(place: { lat: number; lon: number }, camera: string): Promise<string[]> {
  const { detection, reading } = fireEvidence(camera);
  await produceEvents([
    { detection, at: place },
    { reading, at: east(place, 30) },
  ]);
  return [detection.eventId, reading.eventId];
}

describe("sign-in and roles", () => {
  it("refuses bad credentials and malformed bodies with problem documents", async () => {
    const wrong = await api<Problem>(stack.url, undefined, "/api/v1/auth/login", {
      method: "POST",
      body: JSON.stringify({ username: "operator", password: "not-the-password" }),
    });
    expect(wrong.status).toBe(401);
    expect(wrong.type).toContain("application/problem+json");
    expect(wrong.body.detail).toBe("wrong username or password");
    for (const [body, field] of [
      [{ password: "x" }, "body.username"],
      [{ username: "operator" }, "body.password"],
      [{ username: 42, password: "x" }, "body.username"],
      [{ username: "operator", password: "x".repeat(300) }, "body.password"],
    ] as const) {
      const response = await api<Problem>(stack.url, undefined, "/api/v1/auth/login", {
        method: "POST",
        body: JSON.stringify(body),
      });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.field).toBe(field);
    }
    // Refused sign-ins are audited in batches (about once a second), not one chain lock per attempt.
    const audited = await eventually(async () => {
      const failures = await pool.query(
        "SELECT count(*)::int AS n FROM audit_log WHERE action = 'sign_in_failed' AND actor = 'operator'",
      );
      return failures.rows[0].n >= 1;
    });
    expect(audited).toBe(true);
  });

  it("delays an address that keeps guessing one username (429)", async () => {
    let last = 0;
    for (let attempt = 0; attempt < 6; attempt += 1) {
      last = (
        await api<Problem>(stack.url, undefined, "/api/v1/auth/login", {
          method: "POST",
          body: JSON.stringify({ username: "admin", password: `guess-${attempt}` }),
        })
      ).status;
    }
    expect(last).toBe(429);
  });

  it("requires a valid token on REST, and the operator role to act on incidents", async () => {
    expect((await api<Problem>(stack.url, undefined, "/api/v1/snapshot")).status).toBe(401);
    expect((await api<Problem>(stack.url, "not-a-jwt", "/api/v1/snapshot")).status).toBe(401);
    const forged = `${operator.token.slice(0, -4)}AAAA`;
    expect((await api<Problem>(stack.url, forged, "/api/v1/snapshot")).status).toBe(401);
    const investigator = await login(stack.url, "investigator");
    const refused = await api<Problem>(stack.url, investigator.token, `/api/v1/incidents/${randomUUID()}/acknowledge`, {
      method: "POST",
      body: "{}",
    });
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toContain("operator");
    const me = await api<{ username: string; roles: string[] }>(stack.url, investigator.token, "/api/v1/auth/me");
    expect(me.body).toMatchObject({ username: "investigator", roles: ["investigator"] });
  });

  it("refuses Socket.IO handshakes without a valid token, and detection streams without the role", async () => {
    await expect(connect(stack.url, undefined)).rejects.toThrow(/bearer token/);
    await expect(connect(stack.url, "garbage")).rejects.toThrow(/invalid token/);
    const drafter = await login(stack.url, "drafter");
    const socket = await connect(stack.url, drafter.token);
    try {
      const refused = await subscribe(socket, { area: "city", detections: "*" });
      expect(refused).toMatchObject({ ok: false, error: { status: 403 } });
      const unknown = await subscribe(socket, { area: "Atlantis" });
      expect(unknown).toMatchObject({ ok: false, error: { status: 400, field: "area" } });
      expect(await subscribe(socket, { area: district })).toMatchObject({ ok: true, area: district });
    } finally {
      socket.close();
    }
  });

  it("lets a user created with npm run user:add sign in with their roles, and not once disabled", async () => {
    const cli = fileURLToPath(new URL("../../services/gateway/dist/src/cli/user-add.js", import.meta.url));
    const username = `lei.${randomUUID().slice(0, 6)}`;
    const run = (args: string[], password?: string) =>
      new Promise<{ code: number; stderr: string }>((resolve) => {
        const child = execFile(
          process.execPath,
          [cli, ...args],
          {
            env: {
              ...process.env,
              DATABASE_URL: infra().databaseUrl,
              ...(password ? { HUB_USER_PASSWORD: password } : {}),
            },
          },
          (error, _stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stderr }),
        );
        child.stdin?.end();
      });
    const refused = await run(["--username", username, "--roles", "operator,chief"], "long enough password");
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("unknown: chief");
    const short = await run(["--username", username, "--roles", "operator"], "short");
    expect(short.code).not.toBe(0);
    const saved = await run(
      ["--username", username, "--name", "Lei Wai", "--roles", "operator,investigator"],
      "long enough password",
    );
    expect(saved).toMatchObject({ code: 0 });
    const session = await login(stack.url, username, "long enough password");
    expect(session.user).toEqual({ username, displayName: "Lei Wai", roles: ["operator", "investigator"] });
    const stored = await pool.query("SELECT password_hash FROM users WHERE username = $1", [username]);
    expect(stored.rows[0].password_hash).not.toContain("long enough");
    expect((await run(["--disable", username])).code).toBe(0);
    await expect(login(stack.url, username, "long enough password")).rejects.toThrow(/401/);
  });

  it("answers unknown routes and bad ids with problem documents", async () => {
    expect((await api<Problem>(stack.url, operator.token, "/api/v1/nothing")).status).toBe(404);
    const bad = await api<Problem>(stack.url, operator.token, "/api/v1/incidents/not-a-uuid");
    expect(bad).toMatchObject({ status: 400, body: { field: "params.id" } });
    const missing = await api<Problem>(stack.url, operator.token, `/api/v1/incidents/${randomUUID()}`);
    expect(missing.status).toBe(404);
    const version = await api<Problem>(stack.url, operator.token, `/api/v1/incidents/${randomUUID()}/resolve`, {
      method: "POST",
      body: JSON.stringify({ expectedVersion: "one" }),
    });
    expect(version).toMatchObject({ status: 400, body: { field: "body.expectedVersion" } });
  });
});

describe("snapshot and live stream", () => {
  it("shows the district's cameras, then live status changes and a new incident, in sequence", async () => {
    const snapshot = await api<Snapshot>(
      stack.url,
      operator.token,
      `/api/v1/snapshot?area=${encodeURIComponent(district)}`,
    );
    expect(snapshot.status).toBe(200);
    expect(snapshot.body.cameras.map((camera) => camera.id).sort()).toEqual([...cameraIds].sort());

    const socket = await connect(stack.url, operator.token);
    const log = record(socket);
    try {
      const subscribed = await subscribe(socket, { area: district });
      if (!subscribed.ok) throw new Error("subscribe failed");
      const observedAt = new Date();
      await produceEvents([
        {
          status: newStatus(cameraIds[0] as string, { state: CameraState.CAMERA_STATE_OFFLINE, observedAt }),
          at: base,
        },
        {
          status: newStatus(cameraIds[1] as string, { state: CameraState.CAMERA_STATE_ONLINE, observedAt }),
          at: east(base, 40),
        },
      ]);
      // 20 m in front of camera 1 (which faces east), behind camera 2.
      const eventIds = await fireAt(east(base, 60), cameraIds[1] as string);
      expect(
        await eventually(
          async () =>
            log.events.some(
              (e) => e.name === "incident:changed" && (e.envelope.data as IncidentView).kind === "fire",
            ) &&
            log.events.some(
              (e) =>
                e.name === "cameras:status" &&
                (e.envelope.data as CameraStatusChange[]).some(
                  (change) => change.cameraId === cameraIds[0] && change.state === "offline",
                ),
            ),
          30_000,
        ),
      ).toBe(true);
      // Sequences are gap-free from the subscription's, in one epoch.
      const seqs = log.events.map((e) => e.envelope.seq);
      expect(seqs).toEqual(seqs.map((_, index) => subscribed.seq + index + 1));
      expect(new Set(log.events.map((e) => e.envelope.epoch))).toEqual(new Set([subscribed.epoch]));

      // Taking the camera offline opened a camera-fault incident too; the fire is the one to look at.
      const incident = log.events
        .map((e) => e.envelope.data as IncidentView)
        .find((data) => (data as Partial<IncidentView>).kind === "fire") as IncidentView;
      expect(incident).toMatchObject({ kind: "fire", severity: "extreme", status: "open" });
      const fresh = await api<Snapshot>(
        stack.url,
        operator.token,
        `/api/v1/snapshot?area=${encodeURIComponent(district)}`,
      );
      expect(fresh.body.incidents.map((i) => i.id)).toContain(incident.id);
      expect(fresh.body.cameras.find((camera) => camera.id === cameraIds[0])?.state).toBe("offline");

      const detail = await api<IncidentDetail>(stack.url, operator.token, `/api/v1/incidents/${incident.id}`);
      expect(detail.status).toBe(200);
      expect(detail.body.evidence.map((e) => e.eventId).sort()).toEqual([...eventIds].sort());
      expect(detail.body.caseAssist?.cameras.map((camera) => camera.cameraId)).toEqual([cameraIds[1]]);
    } finally {
      socket.close();
    }
  });

  it("shows an acknowledgement made in one client to another at once, recording who did it", async () => {
    const place = east(base, 3000);
    await insertCameras(pool, [{ id: `gw-ack-${randomUUID().slice(0, 6)}`, district, ...place }]);
    const watcher = await connect(stack.url, (await login(stack.url, "investigator")).token);
    const log = record(watcher);
    try {
      await subscribe(watcher, { area: "city" });
      await fireAt(place, "gw-ack-camera");
      expect(await eventually(async () => log.events.some((e) => e.name === "incident:changed"), 30_000)).toBe(true);
      const opened = log.events.find((e) => e.name === "incident:changed")?.envelope.data as IncidentView;
      const acknowledged = await api<{ incident: IncidentView }>(
        stack.url,
        operator.token,
        `/api/v1/incidents/${opened.id}/acknowledge`,
        { method: "POST", body: JSON.stringify({ expectedVersion: opened.version }) },
      );
      expect(acknowledged.status).toBe(200);
      expect(acknowledged.body.incident.status).toBe("acknowledged");
      const seen = await eventually(
        async () =>
          log.events.some(
            (e) =>
              e.name === "incident:changed" &&
              (e.envelope.data as IncidentView).id === opened.id &&
              (e.envelope.data as IncidentView).status === "acknowledged",
          ),
        5000,
      );
      expect(seen).toBe(true);
      const stale = await api<Problem>(stack.url, operator.token, `/api/v1/incidents/${opened.id}/resolve`, {
        method: "POST",
        body: JSON.stringify({ expectedVersion: opened.version }),
      });
      expect(stale.status).toBe(409);
      const row = await pool.query("SELECT acknowledged_by FROM incidents WHERE id = $1", [opened.id]);
      expect(row.rows[0].acknowledged_by).toBe("operator");
      const audit = await pool.query(
        "SELECT actor FROM audit_log WHERE action = 'incident.acknowledge' AND subject = $1",
        [opened.id],
      );
      expect(audit.rows.map((r) => r.actor)).toEqual(["operator"]);
    } finally {
      watcher.close();
    }
  });
});

/** What a dashboard holds: entities by id, the newest version of each (the merge rule the contract sets). */
class Picture {
  readonly cameras = new Map<string, { state: string; version: number }>();
  readonly incidents = new Map<string, IncidentView>();
  readonly alerts = new Map<string, AlertView>();

  replace(snapshot: Snapshot): void {
    this.cameras.clear();
    this.incidents.clear();
    this.alerts.clear();
    for (const camera of snapshot.cameras) this.cameras.set(camera.id, camera);
    for (const incident of snapshot.incidents) this.incidents.set(incident.id, incident);
    for (const alert of snapshot.alerts) this.alerts.set(alert.id, alert);
  }

  apply(name: string, data: unknown): void {
    if (name === "cameras:status") {
      for (const change of data as CameraStatusChange[]) {
        const known = this.cameras.get(change.cameraId);
        if (!known || known.version < change.version) this.cameras.set(change.cameraId, change);
      }
    } else if (name === "incident:changed") {
      const incident = data as IncidentView;
      const known = this.incidents.get(incident.id);
      if (known && known.version >= incident.version) return;
      if (incident.status === "resolved") this.incidents.delete(incident.id);
      else this.incidents.set(incident.id, incident);
    } else if (name === "alert:changed") {
      const alert = data as AlertView;
      const known = this.alerts.get(alert.id);
      if (known && known.version >= alert.version) return;
      if (alert.state === "active") this.alerts.set(alert.id, alert);
      else this.alerts.delete(alert.id);
    }
  }

  summary() {
    return {
      cameras: Object.fromEntries([...this.cameras].map(([id, camera]) => [id, camera.state]).sort()),
      incidents: Object.fromEntries([...this.incidents].map(([id, i]) => [id, `${i.status}@${i.version}`]).sort()),
      alerts: [...this.alerts.keys()].sort(),
    };
  }
}

/** The dashboard's protocol: subscribe, buffer, snapshot, apply the buffer, then live. */
async function sync(token: string, area: string): Promise<{ socket: HubClient; picture: Picture; gaps: () => number }> {
  const socket = await connect(stack.url, token);
  const picture = new Picture();
  const buffered: { name: string; envelope: Envelope<unknown> }[] = [];
  let synced = false;
  let last = 0;
  let gaps = 0;
  for (const name of ["cameras:status", "incident:changed", "alert:changed", "sensors:readings", "counters:tick"]) {
    socket.on(name as "counters:tick", (envelope) => {
      if (envelope.seq !== last + 1) gaps += 1;
      last = envelope.seq;
      if (synced) picture.apply(name, envelope.data);
      else buffered.push({ name, envelope });
    });
  }
  const subscribed = await subscribe(socket, { area });
  if (!subscribed.ok) throw new Error(subscribed.error.detail);
  last = Math.max(last, subscribed.seq);
  const snapshot = await api<Snapshot>(stack.url, token, `/api/v1/snapshot?area=${encodeURIComponent(area)}`);
  picture.replace(snapshot.body);
  for (const { name, envelope } of buffered.splice(0))
    if (envelope.seq > subscribed.seq) picture.apply(name, envelope.data);
  synced = true;
  return { socket, picture, gaps: () => gaps };
}

describe("alerts and reconnects", () => {
  it("shows a new civil-protection alert live and in the snapshot, and removes it when cancelled", async () => {
    const client = await sync(operator.token, "city");
    try {
      const id = `alert-${randomUUID()}`;
      const alert = (state: AlertState, version: number) => ({
        id,
        version,
        state,
        event: { en: "Storm surge", pt: "Storm surge", "zh-Hant": "風暴潮" },
        headline: { en: "Storm surge warning: Inner Harbour", pt: "Aviso de storm surge", "zh-Hant": "風暴潮警告" },
        description: { en: "Water above road level.", pt: "Água acima do nível da estrada.", "zh-Hant": "水浸路面。" },
        instruction: { en: "Move vehicles.", pt: "Retire os veículos.", "zh-Hant": "移走車輛。" },
        msgType: "Alert",
        identifier: `MO-CPC-${version}`,
        capUrl: "",
        category: "Met",
        severity: AlertSeverity.ALERT_SEVERITY_SEVERE,
        urgency: "Immediate",
        certainty: "Likely",
        sent: new Date(),
        expires: new Date(Date.now() + 3600_000),
        areas: [
          {
            description: { en: "Inner Harbour" },
            polygons: [
              {
                ring: [
                  { lat: 22.19, lon: 113.53 },
                  { lat: 22.2, lon: 113.53 },
                  { lat: 22.2, lon: 113.54 },
                ],
              },
            ],
          },
        ],
      });
      await produceRaw(topics.alerts.name, [
        {
          key: id,
          value: Buffer.from(PublicAlertRecord.encode({ alert: alert(AlertState.ALERT_STATE_ACTIVE, 1) }).finish()),
        },
      ]);
      expect(await eventually(async () => client.picture.alerts.has(id), 15_000)).toBe(true);
      const shown = client.picture.alerts.get(id) as AlertView;
      expect(shown).toMatchObject({ severity: "severe", state: "active", event: { "zh-Hant": "風暴潮" } });
      // Rings come back closed, in GeoJSON order.
      expect(shown.areas[0]?.polygons[0]).toEqual([
        [113.53, 22.19],
        [113.53, 22.2],
        [113.54, 22.2],
        [113.53, 22.19],
      ]);
      const snapshot = await api<Snapshot>(stack.url, operator.token, "/api/v1/snapshot");
      expect(snapshot.body.alerts.map((a) => a.id)).toContain(id);
      await produceRaw(topics.alerts.name, [
        {
          key: id,
          value: Buffer.from(PublicAlertRecord.encode({ alert: alert(AlertState.ALERT_STATE_CANCELLED, 2) }).finish()),
        },
        { key: id, value: Buffer.from("not a protobuf record") },
      ]);
      expect(await eventually(async () => !client.picture.alerts.has(id), 15_000)).toBe(true);
      const after = await api<Snapshot>(stack.url, operator.token, "/api/v1/snapshot");
      expect(after.body.alerts.map((a) => a.id)).not.toContain(id);
      expect(client.gaps()).toBe(0);
    } finally {
      client.socket.close();
    }
  });

  it("after missing events while disconnected, a reconnecting client has the same picture as a fresh load", async () => {
    const place = east(base, 6000);
    const camera = `gw-gap-${randomUUID().slice(0, 6)}`;
    await insertCameras(pool, [{ id: camera, district, ...place }]);
    const first = await sync(operator.token, district);
    await fireAt(place, camera);
    expect(
      await eventually(
        async () => [...first.picture.incidents.values()].some((i) => i.kind === "fire" && distanceOk(i, place)),
        30_000,
      ),
    ).toBe(true);
    const incident = [...first.picture.incidents.values()].find(
      (i) => i.kind === "fire" && distanceOk(i, place),
    ) as IncidentView;
    first.socket.close();

    // While it is away: the incident is resolved, and the camera goes offline.
    await api(stack.url, operator.token, `/api/v1/incidents/${incident.id}/resolve`, { method: "POST", body: "{}" });
    await produceEvents([
      { status: newStatus(camera, { state: CameraState.CAMERA_STATE_OFFLINE, observedAt: new Date() }), at: place },
    ]);
    const fresh = await api<Snapshot>(
      stack.url,
      operator.token,
      `/api/v1/snapshot?area=${encodeURIComponent(district)}`,
    );
    expect(
      await eventually(async () => {
        const now = await api<Snapshot>(
          stack.url,
          operator.token,
          `/api/v1/snapshot?area=${encodeURIComponent(district)}`,
        );
        return now.body.cameras.find((c) => c.id === camera)?.state === "offline";
      }, 15_000),
    ).toBe(true);
    expect(fresh.status).toBe(200);

    const again = await sync(operator.token, district);
    const reference = await sync(operator.token, district);
    try {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(again.picture.summary()).toEqual(reference.picture.summary());
      expect(again.picture.incidents.has(incident.id)).toBe(false);
      expect(again.picture.cameras.get(camera)?.state).toBe("offline");
    } finally {
      again.socket.close();
      reference.socket.close();
    }
  });
});

function distanceOk(incident: IncidentView, place: { lat: number; lon: number }): boolean {
  return Math.abs(incident.lat - place.lat) < 0.002 && Math.abs(incident.lon - place.lon) < 0.002;
}
