import type { Role, ServerToClientEvents } from "@hub/contracts";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  FakeRooms,
  newAlertView,
  newCameraView,
  newDetectionBrief,
  newIncidentView,
  newReading,
  newStatus,
  PLACES,
} from "../../../../test/support/live-rooms.js";
import { type DetectionWatch, type DetectionWatchLog, LiveHub } from "./live.service.js";

/** What the hub recorded of detection watches, in order; `failNext` makes the next `started` fail. */
class RecordingWatchLog implements DetectionWatchLog {
  readonly entries: { event: "started" | "ended"; watch: DetectionWatch; until?: Date; reason?: string }[] = [];
  failNext = false;

  async started(watch: DetectionWatch): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      throw new Error("audit trail unavailable");
    }
    this.entries.push({ event: "started", watch });
  }

  async ended(watch: DetectionWatch, until: Date, reason: string): Promise<void> {
    this.entries.push({ event: "ended", watch, until, reason });
  }
}

const EMIT_INTERVAL_MS = 250;
const DISTRICTS = new Set([PLACES.se.district, PLACES.taipa.district]);

/** A started hub on in-memory rooms, with a camera in each of two districts; time is faked from here on. */
function setup() {
  const rooms = new FakeRooms();
  const emitted: [keyof ServerToClientEvents, number][] = [];
  const unknown: string[] = [];
  const watchLog = new RecordingWatchLog();
  const hub = new LiveHub(rooms, {
    emitIntervalMs: EMIT_INTERVAL_MS,
    watchLog,
    observer: { emitted: (event, count) => emitted.push([event, count]) },
    onUnknownCamera: (id) => unknown.push(id),
  });
  const se = newCameraView({ ...PLACES.se });
  const taipa = newCameraView({ ...PLACES.taipa, name: "Rotunda de Taipa" });
  hub.loadCameras([se, taipa]);
  hub.start();
  hubs.push(hub);
  /** A client subscribed to `area` (and detections, when asked). */
  const client = async (area: string, detections?: string[] | "*", roles: Role[] = ["operator"]) => {
    const socket = rooms.connect(roles);
    const answer = await hub.subscribe(socket, { area, ...(detections ? { detections } : {}) }, DISTRICTS);
    if (!answer.ok) throw new Error(answer.error.detail);
    return socket;
  };
  return { rooms, hub, emitted, unknown, cameras: { se, taipa }, client, watchLog };
}

const hubs: LiveHub[] = [];
beforeEach(() => {
  vi.useFakeTimers({ now: new Date("2026-03-01T08:00:00.000Z") });
});
afterEach(() => {
  for (const hub of hubs.splice(0)) hub.stop();
  vi.useRealTimers();
});

describe("snapshot parts", () => {
  it("gives the city every camera and a district only its own; places an incident by its nearest camera", () => {
    const { hub, cameras } = setup();
    expect(hub.camerasIn("city").map((c) => c.id)).toEqual([cameras.se.id, cameras.taipa.id]);
    expect(hub.camerasIn(PLACES.taipa.district).map((c) => c.id)).toEqual([cameras.taipa.id]);
    const nearTaipa = { lat: PLACES.taipa.lat + 0.001, lon: PLACES.taipa.lon };
    expect(hub.inArea("city", nearTaipa)).toBe(true);
    expect(hub.inArea(PLACES.taipa.district, nearTaipa)).toBe(true);
    expect(hub.inArea(PLACES.se.district, nearTaipa)).toBe(false);
  });

  it("keeps live state newer than a registry refresh, and applies a status that came before its camera", () => {
    const { hub, cameras } = setup();
    hub.cameraStatus(newStatus(cameras.se, 5000));
    hub.loadCameras([{ ...cameras.se, name: "Renamed" }]);
    expect(hub.camerasIn(PLACES.se.district)[0]).toMatchObject({ name: "Renamed", state: "offline" });

    const newcomer = newCameraView({ ...PLACES.taipa });
    hub.cameraStatus(newStatus(newcomer, 1000, { state: "degraded" }));
    expect(hub.camerasIn("city").some((c) => c.id === newcomer.id)).toBe(false);
    hub.loadCameras([newcomer]);
    expect(hub.camerasIn("city").find((c) => c.id === newcomer.id)).toMatchObject({
      state: "degraded",
      version: newcomer.version + 1000,
    });
  });

  it("lists active alerts until they expire", () => {
    const { hub } = setup();
    const typhoon = newAlertView({ expires: "2026-03-01T09:00:00.000Z" });
    const rain = newAlertView({ expires: null });
    hub.alert(typhoon);
    hub.alert(rain);
    expect(hub.activeAlerts().map((a) => a.id)).toEqual([typhoon.id, rain.id]);
    vi.setSystemTime(new Date("2026-03-01T09:00:00.001Z"));
    expect(hub.activeAlerts().map((a) => a.id)).toEqual([rain.id]);
  });

  it("counts events and detections per second over the last five whole seconds, cameras online and open incidents", () => {
    const { hub, cameras } = setup();
    for (let i = 0; i < 10; i += 1) hub.detection(newDetectionBrief(cameras.se.id));
    for (let i = 0; i < 5; i += 1) hub.sensorReading(undefined);
    hub.cameraStatus(newStatus(cameras.taipa, 1000, { state: "degraded" }));
    hub.cameraStatus(newStatus(cameras.se, 1000, { state: "offline" }));
    hub.loadIncidents([newIncidentView(), newIncidentView({ status: "acknowledged" })]);
    hub.loadIncidents([newIncidentView({ status: "resolved" })]);
    // The current second is not counted yet.
    expect(hub.counters()).toMatchObject({ eventsPerSecond: 0, detectionsPerSecond: 0 });
    vi.setSystemTime(new Date("2026-03-01T08:00:01.000Z"));
    expect(hub.counters()).toEqual({
      at: "2026-03-01T08:00:01.000Z",
      eventsPerSecond: Math.round(17 / 5),
      detectionsPerSecond: 2,
      camerasOnline: 1,
      camerasTotal: 2,
      openIncidents: 2,
    });
    vi.setSystemTime(new Date("2026-03-01T08:00:06.000Z"));
    expect(hub.counters()).toMatchObject({ eventsPerSecond: 0, detectionsPerSecond: 0 });
  });
});

describe("subscriptions", () => {
  it("refuses a bad request, an unknown area, a bad camera list and detections without the role", async () => {
    const { rooms, hub } = setup();
    const socket = rooms.connect(["operator"]);
    const refused = async (request: unknown, roles: Role[] = ["operator"]) => {
      const answer = await hub.subscribe(rooms.connect(roles), request, DISTRICTS);
      return answer.ok ? undefined : [answer.error.status, answer.error.field];
    };
    expect(await refused(null)).toEqual([400, undefined]);
    expect(await refused({ area: "Atlantis" })).toEqual([400, "area"]);
    expect(await refused({ area: "city", detections: "all" })).toEqual([400, "detections"]);
    expect(await refused({ area: "city", detections: [""] })).toEqual([400, "detections"]);
    const tooMany = Array.from({ length: 51 }, (_, i) => `CAM-${i}`);
    expect(await refused({ area: "city", detections: tooMany })).toEqual([400, "detections"]);
    expect(await refused({ area: "city", detections: "*" }, ["supervisor"])).toEqual([403, undefined]);
    expect(await refused({ area: "city", detections: tooMany.slice(0, 50) })).toBeUndefined();
    expect(await hub.subscribe(socket, { area: PLACES.se.district }, DISTRICTS)).toEqual({
      ok: true,
      area: PLACES.se.district,
      epoch: hub.epoch,
      seq: 0,
    });
  });

  it("moves a client to its new area: it no longer hears the old one", async () => {
    const { rooms, hub, client } = setup();
    const socket = await client(PLACES.taipa.district, ["CAM-x"]);
    expect([...socket.rooms].sort()).toEqual(["area:Taipa", "det:CAM-x", socket.id].sort());
    await hub.subscribe(socket, { area: PLACES.se.district }, DISTRICTS);
    expect([...socket.rooms].sort()).toEqual(["area:Sé", socket.id].sort());
    hub.incident(newIncidentView({ ...PLACES.taipa }));
    expect(rooms.received(socket, "incident:changed")).toEqual([]);
  });

  it("answers with the room's last seq, so the first event after it is seq + 1", async () => {
    const { rooms, hub, client } = setup();
    await client("city");
    hub.incident(newIncidentView());
    hub.incident(newIncidentView());
    const late = rooms.connect();
    const answer = await hub.subscribe(late, { area: "city" }, DISTRICTS);
    expect(answer).toMatchObject({ ok: true, seq: 2 });
    hub.incident(newIncidentView());
    expect(rooms.received(late, "incident:changed").map((m) => m.seq)).toEqual([3]);
  });
});

describe("envelopes", () => {
  it("numbers each room's events one by one, with this process's epoch; an empty room uses no numbers", async () => {
    const { rooms, hub, client } = setup();
    const city = await client("city");
    const se = await client(PLACES.se.district);
    const taipa = await client(PLACES.taipa.district);
    hub.incident(newIncidentView({ ...PLACES.se }));
    hub.incident(newIncidentView({ ...PLACES.se }));
    hub.alert(newAlertView());
    hub.incident(newIncidentView({ ...PLACES.taipa }));
    const seqs = (socket: typeof city) =>
      [...rooms.received(socket, "incident:changed"), ...rooms.received(socket, "alert:changed")]
        .map((m) => m.seq)
        .sort((a, b) => a - b);
    expect(seqs(city)).toEqual([1, 2, 3, 4]);
    expect(seqs(se)).toEqual([1, 2, 3]);
    expect(seqs(taipa)).toEqual([1, 2]);
    const epochs = new Set(rooms.received(city, "incident:changed").map((m) => m.epoch));
    expect(epochs).toEqual(new Set([hub.epoch]));
    // Another process (a restart) has another epoch.
    expect(setup().hub.epoch).not.toBe(hub.epoch);
  });
});

describe("camera status and sensor readings", () => {
  it("sends the newest status per camera once per interval, to the city and the camera's district", async () => {
    const { rooms, hub, cameras, client } = setup();
    const [city, se, taipa] = await Promise.all([
      client("city"),
      client(PLACES.se.district),
      client(PLACES.taipa.district),
    ]);
    hub.cameraStatus(newStatus(cameras.se, 1000, { state: "degraded" }));
    hub.cameraStatus(newStatus(cameras.se, 3000, { state: "offline" }));
    // Older than what the hub already has: dropped.
    hub.cameraStatus(newStatus(cameras.se, 2000, { state: "online" }));
    vi.advanceTimersByTime(EMIT_INTERVAL_MS - 1);
    expect(rooms.received(city, "cameras:status")).toEqual([]);
    vi.advanceTimersByTime(1);
    const [batch] = rooms.received(city, "cameras:status");
    expect(batch?.data.map((s) => [s.cameraId, s.state, s.version])).toEqual([
      [cameras.se.id, "offline", cameras.se.version + 3000],
    ]);
    expect(rooms.received(se, "cameras:status")).toEqual([batch]);
    expect(rooms.received(taipa, "cameras:status")).toEqual([]);
    expect(hub.camerasIn(PLACES.se.district)[0]?.state).toBe("offline");
    // Nothing new: nothing sent at the next interval.
    vi.advanceTimersByTime(EMIT_INTERVAL_MS);
    expect(rooms.received(city, "cameras:status")).toHaveLength(1);
  });

  it("asks for a registry refresh for an unknown camera, and shows it city-wide only if it has a district", async () => {
    const { rooms, hub, unknown, client } = setup();
    const city = await client("city");
    const stranger = newCameraView({ ...PLACES.taipa });
    hub.cameraStatus({ ...newStatus(stranger, 1000), district: "" });
    vi.advanceTimersByTime(EMIT_INTERVAL_MS);
    expect(unknown).toEqual([stranger.id]);
    expect(rooms.received(city, "cameras:status")).toEqual([]);
    // Not in the registry, so only the pending batch keeps the newest: an older status arriving late is dropped.
    hub.cameraStatus(newStatus(stranger, 3000, { state: "online" }));
    hub.cameraStatus(newStatus(stranger, 2000, { state: "offline" }));
    vi.advanceTimersByTime(EMIT_INTERVAL_MS);
    expect(rooms.received(city, "cameras:status").map((m) => m.data.map((s) => [s.cameraId, s.state]))).toEqual([
      [[stranger.id, "online"]],
    ]);
  });

  it("sends the newest reading per sensor and kind once per interval, to the city and the reading's district", async () => {
    const { rooms, hub, client } = setup();
    const [city, taipa, se] = await Promise.all([
      client("city"),
      client(PLACES.taipa.district),
      client(PLACES.se.district),
    ]);
    const first = newReading({ value: 0.5, observedAt: "2026-03-01T08:00:00.000Z" }, PLACES.taipa.district);
    const newer = { ...first, data: { ...first.data, value: 0.9, version: first.data.version + 60_000 } };
    const rain = { ...first, data: { ...first.data, kind: "rainfall" as const, value: 12 } };
    hub.sensorReading(first);
    hub.sensorReading(newer);
    hub.sensorReading(first);
    hub.sensorReading(rain);
    vi.advanceTimersByTime(EMIT_INTERVAL_MS);
    const [batch] = rooms.received(city, "sensors:readings");
    expect(batch?.data.map((r) => [r.kind, r.value])).toEqual([
      ["water_level", 0.9],
      ["rainfall", 12],
    ]);
    expect(rooms.received(taipa, "sensors:readings")).toEqual([batch]);
    expect(rooms.received(se, "sensors:readings")).toEqual([]);
  });
});

describe("detections", () => {
  it("batches detections per interval, only to those who asked for those cameras (or all)", async () => {
    const { rooms, hub, cameras, client, emitted } = setup();
    const watchSe = await client("city", [cameras.se.id]);
    const watchTaipa = await client("city", [cameras.taipa.id]);
    const watchAll = await client("city", "*");
    const none = await client("city");
    const seen = [newDetectionBrief(cameras.se.id), newDetectionBrief(cameras.se.id)];
    for (const detection of seen) hub.detection(detection);
    expect(rooms.received(watchSe, "detections:batch")).toEqual([]);
    vi.advanceTimersByTime(EMIT_INTERVAL_MS);
    const ids = (socket: typeof none) => rooms.received(socket, "detections:batch").map((b) => b.map((d) => d.eventId));
    expect(ids(watchSe)).toEqual([seen.map((d) => d.data.eventId)]);
    expect(ids(watchAll)).toEqual([seen.map((d) => d.data.eventId)]);
    expect(ids(watchTaipa)).toEqual([]);
    expect(ids(none)).toEqual([]);
    expect(emitted).toContainEqual(["detections:batch", 1]);
  });

  it("does not send a client streaming all detections its own cameras' batch a second time", async () => {
    const { rooms, hub, cameras } = setup();
    const socket = rooms.connect(["operator"]);
    await hub.subscribe(socket, { area: "city", detections: "*" }, DISTRICTS);
    void socket.join(`det:${cameras.se.id}`);
    hub.detection(newDetectionBrief(cameras.se.id));
    vi.advanceTimersByTime(EMIT_INTERVAL_MS);
    expect(rooms.received(socket, "detections:batch")).toHaveLength(1);
  });

  it("keeps no detections nobody watches", async () => {
    const { rooms, hub, cameras, client } = setup();
    hub.detection(newDetectionBrief(cameras.se.id));
    const late = await client("city", [cameras.se.id]);
    vi.advanceTimersByTime(EMIT_INTERVAL_MS);
    expect(rooms.received(late, "detections:batch")).toEqual([]);
  });
});

describe("personal data in live detections", () => {
  const personalData = { caseReference: "PJ-2026-000123", purpose: "Follow the suspect vehicle of the case live" };

  it("sends plates, attributes and track ids only to an investigator's watch with a case and purpose", async () => {
    const { rooms, hub, cameras, client } = setup();
    const operator = await client("city", [cameras.se.id]);
    const all = await client("city", "*", ["administrator"]);
    const investigator = rooms.connect(["investigator"]);
    const answer = await hub.subscribe(
      investigator,
      { area: "city", detections: [cameras.se.id], personalData },
      DISTRICTS,
    );
    expect(answer.ok).toBe(true);
    const seen = newDetectionBrief(cameras.se.id);
    hub.detection(seen);
    vi.advanceTimersByTime(EMIT_INTERVAL_MS);
    for (const socket of [operator, all]) {
      const [batch] = rooms.received(socket, "detections:batch");
      expect(batch?.[0]?.eventId).toBe(seen.data.eventId);
      expect(Object.keys(batch?.[0] ?? {}).sort()).toEqual(
        ["cameraId", "confidence", "eventId", "ingestedAt", "objectClass", "observedAt", "ruleType"].sort(),
      );
      expect(JSON.stringify(batch)).not.toContain("MX-12-34");
      expect(rooms.received(socket, "detections:personal")).toEqual([]);
    }
    expect(rooms.received(investigator, "detections:personal")).toEqual([[seen.data]]);
    expect(rooms.received(investigator, "detections:batch")).toEqual([]);
  });

  it("refuses plates without the investigator role, for all cameras, or without a case reference and purpose", async () => {
    const { rooms, hub, cameras, watchLog } = setup();
    const refused = async (request: object, roles: Role[] = ["investigator"]) => {
      const answer = await hub.subscribe(rooms.connect(roles), { area: "city", ...request }, DISTRICTS);
      return answer.ok ? undefined : [answer.error.status, answer.error.field];
    };
    const cams = [cameras.se.id];
    expect(await refused({ detections: cams, personalData }, ["operator", "supervisor"])).toEqual([403, undefined]);
    expect(await refused({ detections: "*", personalData })).toEqual([400, "detections"]);
    expect(await refused({ personalData })).toEqual([400, "detections"]);
    expect(await refused({ detections: cams, personalData: { purpose: personalData.purpose } })).toEqual([
      400,
      "personalData.caseReference",
    ]);
    expect(
      await refused({ detections: cams, personalData: { caseReference: "PJ-1", purpose: "curious" } }),
    ).toMatchObject([400, expect.stringMatching(/^personalData\./)]);
    expect(watchLog.entries).toEqual([]);
    expect(hub.openWatches()).toEqual([]);
  });

  it("records each watch before streaming, and its end with the cameras and duration", async () => {
    const { rooms, hub, cameras, watchLog } = setup();
    const socket = rooms.connect(["investigator"]);
    const request = { area: "city", detections: [cameras.taipa.id, cameras.se.id], personalData };
    await hub.subscribe(socket, request, DISTRICTS);
    // The same request again (a resync) is the same watch.
    await hub.subscribe(socket, request, DISTRICTS);
    expect(watchLog.entries.map((e) => e.event)).toEqual(["started"]);
    expect(watchLog.entries[0]?.watch).toMatchObject({
      user: { username: socket.data.user.username },
      cameras: [cameras.se.id, cameras.taipa.id].sort(),
      personalData,
      sourceIp: "192.0.2.10",
    });
    vi.advanceTimersByTime(90_000);
    await hub.subscribe(socket, { area: "city", detections: [cameras.se.id] }, DISTRICTS);
    vi.advanceTimersByTime(30_000);
    await hub.unsubscribe(socket, "disconnected");
    // A changed watch is recorded before the old one ends: if it cannot be, the old one goes on (and is recorded).
    expect(watchLog.entries.map((e) => [e.event, e.reason, e.watch.personalData !== undefined])).toEqual([
      ["started", undefined, true],
      ["started", undefined, false],
      ["ended", "changed", true],
      ["ended", "disconnected", false],
    ]);
    const durations = watchLog.entries
      .filter((e) => e.event === "ended")
      .map((e) => ((e.until?.getTime() ?? 0) - e.watch.since.getTime()) / 1000);
    expect(durations).toEqual([90, 30]);
    expect(hub.openWatches()).toEqual([]);
  });

  it("streams nothing when the watch cannot be recorded, and ends every watch when it stops", async () => {
    const { rooms, hub, cameras, watchLog, client } = setup();
    watchLog.failNext = true;
    const socket = rooms.connect(["investigator"]);
    const answer = await hub.subscribe(socket, { area: "city", detections: [cameras.se.id], personalData }, DISTRICTS);
    expect(answer).toMatchObject({ ok: false, error: { status: 503 } });
    expect([...socket.rooms]).toEqual([socket.id]);
    await client("city", [cameras.taipa.id]);
    await hub.closeWatches();
    expect(watchLog.entries.map((e) => [e.event, e.reason])).toEqual([
      ["started", undefined],
      ["ended", "shutdown"],
    ]);
    const late = await hub.subscribe(rooms.connect(), { area: "city", detections: [cameras.se.id] }, DISTRICTS);
    expect(late).toMatchObject({ ok: false, error: { status: 503 } });
  });
});

describe("incidents and alerts", () => {
  it("drops an incident closed as a false alarm from the open count, and keeps dispatched ones", async () => {
    const { hub, client } = setup();
    await client("city");
    const incident = newIncidentView({ version: 2 });
    hub.incident(incident);
    hub.incident({ ...incident, version: 3, status: "dispatched" });
    expect(hub.counters().openIncidents).toBe(1);
    hub.incident({ ...incident, version: 4, status: "false_alarm" });
    expect(hub.counters().openIncidents).toBe(0);
  });

  it("sends an incident change at once, and never lets an older version replace a newer one", async () => {
    const { rooms, hub, client, emitted } = setup();
    const city = await client("city");
    const incident = newIncidentView({ version: 2 });
    hub.incident(incident);
    hub.incident({ ...incident, version: 1, title: "stale" });
    hub.incident({ ...incident, version: 2, title: "repeat" });
    hub.incident({ ...incident, version: 3, status: "resolved" });
    expect(rooms.received(city, "incident:changed").map((m) => [m.data.version, m.data.status])).toEqual([
      [2, "open"],
      [3, "resolved"],
    ]);
    expect(hub.counters().openIncidents).toBe(0);
    // Two rooms (city and Sé) were to be told, one had members.
    expect(emitted.filter(([event]) => event === "incident:changed")).toEqual([
      ["incident:changed", 1],
      ["incident:changed", 1],
    ]);
  });

  it("sends alert changes to every area with clients, and forgets an alert once it is no longer active", async () => {
    const { rooms, hub, client } = setup();
    const [city, taipa] = await Promise.all([client("city"), client(PLACES.taipa.district)]);
    const alert = newAlertView({ version: 1 });
    hub.alert(alert);
    hub.alert({ ...alert, version: 1, state: "cancelled" });
    expect(hub.activeAlerts().map((a) => a.id)).toEqual([alert.id]);
    hub.alert({ ...alert, version: 2, state: "cancelled" });
    expect(hub.activeAlerts()).toEqual([]);
    for (const socket of [city, taipa])
      expect(rooms.received(socket, "alert:changed").map((m) => m.data.state)).toEqual(["active", "cancelled"]);
  });
});

describe("counters and lifecycle", () => {
  it("ticks the counters every second to each area room with clients, in its sequence", async () => {
    const { rooms, hub, client } = setup();
    const city = await client("city");
    const se = await client(PLACES.se.district);
    hub.incident(newIncidentView({ ...PLACES.se }));
    vi.advanceTimersByTime(2000);
    expect(rooms.received(city, "counters:tick").map((m) => [m.seq, m.data.camerasTotal])).toEqual([
      [2, 2],
      [3, 2],
    ]);
    expect(rooms.received(se, "counters:tick").map((m) => m.seq)).toEqual([2, 3]);
  });

  it("sends nothing after stop", async () => {
    const { rooms, hub, cameras, client } = setup();
    const city = await client("city", "*");
    hub.cameraStatus(newStatus(cameras.se, 1000));
    hub.detection(newDetectionBrief(cameras.se.id));
    hub.stop();
    vi.advanceTimersByTime(5000);
    expect(rooms.events(city)).toEqual([]);
  });
});
