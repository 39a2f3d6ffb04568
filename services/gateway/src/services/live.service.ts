import { randomBytes } from "node:crypto";
import { distanceMetres } from "@hub/common";
import {
  type AlertView,
  type AreaName,
  type CameraStatusChange,
  type CameraView,
  CITY,
  type ClientToServerEvents,
  type Counters,
  DETECTION_ROLES,
  type DetectionBrief,
  type Envelope,
  type IncidentView,
  isClosedIncidentStatus,
  type PersonalDetection,
  type SensorReadingView,
  type ServerToClientEvents,
  type SubscribeRequest,
  type SubscribeResponse,
  subscribeRequestSchema,
} from "@hub/contracts";
import type { Server, Socket } from "socket.io";
import type { Principal } from "./auth.service.js";
import { briefOf, type Placed } from "./decode.js";

export interface SocketData {
  user: Principal;
  /** The session of the access token the socket connected with (the session sweep checks it). */
  sessionId: string;
  /**
   * The client's address for the audit trail (the peer, or X-Forwarded-For from a trusted proxy), set at the
   * handshake (socket.controller.ts); never socket.handshake.address directly, which ignores a trusted proxy.
   */
  sourceIp?: string;
}
export type HubServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type HubSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/**
 * What the hub uses of Socket.IO: who is in which room, and a broadcast to a room (less the members of another).
 * A HubServer is one; unit tests pass an in-memory stand-in that records what each client would receive.
 */
export interface LiveRooms {
  readonly sockets: { readonly adapter: { readonly rooms: ReadonlyMap<string, ReadonlySet<string>> } };
  to(room: string): LiveBroadcast;
}

export interface LiveBroadcast {
  emit<E extends keyof ServerToClientEvents>(event: E, ...args: Parameters<ServerToClientEvents[E]>): boolean;
  except(room: string): LiveBroadcast;
}

/** What the hub uses of a client's socket when it subscribes. */
export type LiveSocket = Pick<HubSocket, "id" | "rooms" | "join" | "leave" | "data"> & {
  /** The client's address, for the audit trail. */
  readonly handshake: { readonly address: string };
};

/** One client's subscription to live detections, from subscribe to unsubscribe. */
export interface DetectionWatch {
  socketId: string;
  user: Principal;
  sourceIp: string;
  area: AreaName;
  cameras: string[] | "*";
  /** Set when the watch streams plates and attributes (`detections:personal`). */
  personalData: { caseReference: string; purpose: string } | undefined;
  since: Date;
}

/**
 * Where detection watches are recorded (the audit trail): `started` before the first detection is sent (a failure
 * refuses the subscription), `ended` with how long it lasted when the client changes it, unsubscribes or leaves.
 */
export interface DetectionWatchLog {
  started(watch: DetectionWatch): Promise<void>;
  ended(
    watch: DetectionWatch,
    until: Date,
    reason: "changed" | "unsubscribed" | "disconnected" | "shutdown",
  ): Promise<void>;
}

export interface LiveObserver {
  emitted(event: keyof ServerToClientEvents, rooms: number): void;
}

/** Cameras one client may stream detections of at once. */
const MAX_DETECTION_CAMERAS = 50;
const RATE_WINDOW_S = 5;

const areaRoom = (area: AreaName) => `area:${area}`;
const detectionRoom = (camera: string) => `det:${camera}`;
/** Subscribers of a camera's detections with their personal data (audited investigators). */
const personalRoom = (camera: string) => `detp:${camera}`;
const ALL_DETECTIONS = "det:*";

/**
 * The live picture held by one gateway process, and its fan-out to Socket.IO rooms. Clients join one area room
 * ("city" or a district). Every state event to a room carries this process's `epoch` and the room's next `seq`,
 * so a client can tell it missed something; entities carry their own versions, so replaying is harmless. Bursts
 * are coalesced: camera status and sensor readings keep the newest per id and go out every `emitIntervalMs`;
 * detections go out in batches at the same pace; incidents and alerts go out at once.
 */
export class LiveHub {
  readonly epoch = `${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
  private readonly seqs = new Map<string, number>();
  private readonly cameras = new Map<string, CameraView>();
  private readonly openIncidents = new Map<string, IncidentView>();
  private readonly alerts = new Map<string, AlertView>();
  private readonly pendingStatus = new Map<string, CameraStatusChange>();
  private readonly orphans = new Map<string, CameraStatusChange>();
  private readonly pendingSensors = new Map<string, Placed<SensorReadingView>>();
  private readonly pendingDetections: PersonalDetection[] = [];
  /** The open detection watches of this process's clients, by socket id. */
  private readonly watches = new Map<string, DetectionWatch>();
  /** Each socket's subscribe/unsubscribe in progress: they are applied one after the other, in order. */
  private readonly queues = new Map<string, Promise<unknown>>();
  private closing = false;
  private readonly rate = { seconds: new Map<number, { events: number; detections: number }>() };
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly io: LiveRooms,
    private readonly options: {
      emitIntervalMs: number;
      watchLog: DetectionWatchLog;
      /** Where a failed `ended` record is reported (the subscription is over either way). */
      onWatchLogError?: (error: unknown, watch: DetectionWatch) => void;
      observer?: LiveObserver;
      /** A status arrived for a camera this process does not know yet (registered since the last refresh). */
      onUnknownCamera?: (cameraId: string) => void;
    },
  ) {}

  start(): void {
    this.timers.push(setInterval(() => this.flush(), this.options.emitIntervalMs));
    this.timers.push(setInterval(() => this.tick(), 1000));
    for (const timer of this.timers) timer.unref();
  }

  stop(): void {
    for (const timer of this.timers) clearInterval(timer);
  }

  // ---- State loaded from the database ----

  /**
   * Merges the whole registry (start-up and periodic refresh): new cameras appear, newer live state is kept, and a
   * camera no longer in it (decommissioned, migration 0030) leaves the map.
   */
  loadCameras(cameras: CameraView[]): void {
    const listed = new Set(cameras.map((camera) => camera.id));
    for (const id of this.cameras.keys()) if (!listed.has(id)) this.cameras.delete(id);
    for (const camera of cameras) {
      const known = this.cameras.get(camera.id);
      let merged = known && known.version > camera.version ? { ...camera, ...stateOf(known) } : camera;
      const orphan = this.orphans.get(camera.id);
      if (orphan) {
        this.orphans.delete(camera.id);
        if (orphan.version > merged.version)
          merged = {
            ...merged,
            state: orphan.state,
            lastStatusAt: orphan.byHub ? merged.lastStatusAt : orphan.observedAt,
            version: orphan.version,
          };
      }
      this.cameras.set(camera.id, merged);
    }
  }

  loadIncidents(incidents: IncidentView[]): void {
    for (const incident of incidents) this.rememberIncident(incident);
  }

  // ---- Live input (from Kafka) ----

  cameraStatus({ district, data }: Placed<CameraStatusChange>): void {
    this.count(false);
    const camera = this.cameras.get(data.cameraId);
    if (camera) {
      if (camera.version >= data.version) return;
      this.cameras.set(camera.id, {
        ...camera,
        state: data.state,
        lastStatusAt: data.byHub ? camera.lastStatusAt : data.observedAt,
        version: data.version,
      });
    } else {
      // Not in the registry this process loaded: keep it until the camera is (a refresh is asked for).
      this.orphans.set(data.cameraId, data);
      this.options.onUnknownCamera?.(data.cameraId);
      if (!district) return;
    }
    const pending = this.pendingStatus.get(data.cameraId);
    if (!pending || pending.version < data.version) this.pendingStatus.set(data.cameraId, data);
  }

  sensorReading(reading: Placed<SensorReadingView> | undefined): void {
    this.count(false);
    if (!reading) return;
    const key = `${reading.data.sensorId}/${reading.data.kind}`;
    const pending = this.pendingSensors.get(key);
    if (!pending || pending.data.version < reading.data.version) this.pendingSensors.set(key, reading);
  }

  detection({ data }: Placed<PersonalDetection>): void {
    this.count(true);
    if (
      this.hasMembers(ALL_DETECTIONS) ||
      this.hasMembers(detectionRoom(data.cameraId)) ||
      this.hasMembers(personalRoom(data.cameraId))
    )
      this.pendingDetections.push(data);
  }

  incident(incident: IncidentView): void {
    const known = this.openIncidents.get(incident.id);
    if (known && known.version >= incident.version) return;
    this.rememberIncident(incident);
    this.emitState("incident:changed", incident, [CITY, this.districtAt(incident)]);
  }

  alert(alert: AlertView): void {
    const known = this.alerts.get(alert.id);
    if (known && known.version >= alert.version) return;
    if (alert.state === "active") this.alerts.set(alert.id, alert);
    else this.alerts.delete(alert.id);
    this.emitState("alert:changed", alert, this.areaRooms());
  }

  // ---- Snapshot parts ----

  camerasIn(area: AreaName): CameraView[] {
    const all = [...this.cameras.values()];
    return area === CITY ? all : all.filter((camera) => camera.district === area);
  }

  activeAlerts(): AlertView[] {
    const now = Date.now();
    return [...this.alerts.values()].filter((alert) => !alert.expires || Date.parse(alert.expires) > now);
  }

  inArea(area: AreaName, item: { lat: number; lon: number }): boolean {
    return area === CITY || this.districtAt(item) === area;
  }

  counters(): Counters {
    const now = Math.floor(Date.now() / 1000);
    let events = 0;
    let detections = 0;
    for (let second = now - RATE_WINDOW_S; second < now; second += 1) {
      const bucket = this.rate.seconds.get(second);
      events += bucket?.events ?? 0;
      detections += bucket?.detections ?? 0;
    }
    let online = 0;
    for (const camera of this.cameras.values())
      if (camera.state === "online" || camera.state === "degraded") online += 1;
    return {
      at: new Date().toISOString(),
      eventsPerSecond: Math.round(events / RATE_WINDOW_S),
      detectionsPerSecond: Math.round(detections / RATE_WINDOW_S),
      camerasOnline: online,
      camerasTotal: this.cameras.size,
      openIncidents: this.openIncidents.size,
    };
  }

  // ---- Subscriptions ----

  /**
   * Picks the client's area, and the cameras whose detections it streams. Streaming detections needs a detection
   * role; with their plates and attributes (`personalData`) the investigator role, named cameras, a case reference
   * and a purpose. Every detection watch is recorded before the first detection goes out, and its end with its
   * duration. A socket's subscribes are applied in the order they came.
   */
  subscribe(socket: LiveSocket, request: unknown, districts: ReadonlySet<string>): Promise<SubscribeResponse> {
    return this.queued(socket.id, () => this.subscribeNow(socket, request, districts));
  }

  /** The client left (or was disconnected): its detection watch, if any, ends. */
  unsubscribe(socket: Pick<LiveSocket, "id">, reason: "unsubscribed" | "disconnected"): Promise<void> {
    return this.queued(socket.id, async () => {
      await this.endWatch(socket.id, reason);
      if (reason === "disconnected") this.queues.delete(socket.id);
    });
  }

  /** Ends every open watch (the process stops); later subscribes to detections are refused. */
  async closeWatches(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.watches.keys()].map((id) => this.queued(id, () => this.endWatch(id, "shutdown"))));
  }

  /** The open detection watches (for tests and metrics). */
  openWatches(): DetectionWatch[] {
    return [...this.watches.values()];
  }

  private async subscribeNow(
    socket: LiveSocket,
    request: unknown,
    districts: ReadonlySet<string>,
  ): Promise<SubscribeResponse> {
    const problem = (status: number, title: string, detail: string, field?: string): SubscribeResponse => ({
      ok: false,
      error: { type: "about:blank", title, status, detail, ...(field ? { field } : {}) },
    });
    if (typeof request !== "object" || request === null) return problem(400, "Bad request", "expected an object");
    const { area, detections, personalData } = request as Partial<Record<keyof SubscribeRequest, unknown>>;
    if (typeof area !== "string" || (area !== CITY && !districts.has(area)))
      return problem(400, "Bad request", `unknown area; expected "city" or a district`, "area");
    const roles = socket.data.user.roles;
    if (detections !== undefined) {
      const valid =
        detections === "*" ||
        (Array.isArray(detections) &&
          detections.length <= MAX_DETECTION_CAMERAS &&
          detections.every((id) => typeof id === "string" && id.length > 0 && id.length <= 64));
      if (!valid)
        return problem(400, "Bad request", `expected "*" or up to ${MAX_DETECTION_CAMERAS} camera ids`, "detections");
      if (!roles.some((role) => DETECTION_ROLES.includes(role)))
        return problem(403, "Forbidden", `streaming detections requires the ${DETECTION_ROLES.join(" or ")} role`);
    }
    let personal: DetectionWatch["personalData"];
    if (personalData !== undefined) {
      if (!roles.includes("investigator"))
        return problem(403, "Forbidden", "plates and attributes of live detections require the investigator role");
      if (!Array.isArray(detections) || detections.length === 0)
        return problem(
          400,
          "Bad request",
          "plates and attributes are streamed only for named cameras, not all",
          "detections",
        );
      const parsed = subscribeRequestSchema.shape.personalData.safeParse(personalData);
      if (!parsed.success || !parsed.data) {
        const issue = parsed.error?.issues[0];
        return problem(
          400,
          "Bad request",
          issue ? issue.message : "expected { caseReference, purpose }",
          ["personalData", ...(issue?.path ?? [])].join("."),
        );
      }
      personal = parsed.data;
    }
    const cameras =
      detections === undefined ? undefined : detections === "*" ? "*" : [...new Set(detections as string[])].sort();
    const current = this.watches.get(socket.id);
    let next: DetectionWatch | undefined;
    if (cameras) {
      next = {
        socketId: socket.id,
        user: socket.data.user,
        // The trusted-proxy rule's address from the handshake (socket.controller.ts), else the peer's.
        sourceIp: socket.data.sourceIp ?? socket.handshake.address,
        area,
        cameras,
        personalData: personal,
        since: new Date(),
      };
      if (current && sameWatch(current, next)) next = current;
      else {
        if (this.closing) return problem(503, "Service unavailable", "this gateway is stopping; connect again");
        try {
          await this.options.watchLog.started(next);
        } catch {
          return problem(503, "Service unavailable", "the audit trail cannot record this subscription; try again");
        }
      }
    }
    if (current && current !== next) await this.endWatch(socket.id, next ? "changed" : "unsubscribed");
    if (next) this.watches.set(socket.id, next);
    for (const room of socket.rooms) if (room !== socket.id) void socket.leave(room);
    void socket.join(areaRoom(area));
    if (cameras === "*") void socket.join(ALL_DETECTIONS);
    else if (cameras) for (const id of cameras) void socket.join(personal ? personalRoom(id) : detectionRoom(id));
    return { ok: true, area, epoch: this.epoch, seq: this.seqs.get(areaRoom(area)) ?? 0 };
  }

  private async endWatch(socketId: string, reason: Parameters<DetectionWatchLog["ended"]>[2]): Promise<void> {
    const watch = this.watches.get(socketId);
    if (!watch) return;
    this.watches.delete(socketId);
    try {
      await this.options.watchLog.ended(watch, new Date(), reason);
    } catch (error) {
      this.options.onWatchLogError?.(error, watch);
    }
  }

  private queued<T>(socketId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(socketId) ?? Promise.resolve();
    const result = previous.then(work, work);
    this.queues.set(
      socketId,
      result.catch(() => undefined),
    );
    return result;
  }

  // ---- Internals ----

  private rememberIncident(incident: IncidentView): void {
    if (isClosedIncidentStatus(incident.status)) this.openIncidents.delete(incident.id);
    else this.openIncidents.set(incident.id, incident);
  }

  /** The district of a place: that of the nearest camera (incidents carry no district). */
  private districtAt(place: { lat: number; lon: number }): string {
    let best: CameraView | undefined;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (const camera of this.cameras.values()) {
      const distance = distanceMetres(camera, place);
      if (distance < bestDistance) {
        best = camera;
        bestDistance = distance;
      }
    }
    return best?.district ?? CITY;
  }

  private count(detection: boolean): void {
    const second = Math.floor(Date.now() / 1000);
    const bucket = this.rate.seconds.get(second);
    if (bucket) {
      bucket.events += 1;
      if (detection) bucket.detections += 1;
    } else {
      this.rate.seconds.set(second, { events: 1, detections: detection ? 1 : 0 });
      this.rate.seconds.delete(second - RATE_WINDOW_S - 2);
    }
  }

  private hasMembers(room: string): boolean {
    return (this.io.sockets.adapter.rooms.get(room)?.size ?? 0) > 0;
  }

  private areaRooms(): AreaName[] {
    const areas: AreaName[] = [];
    for (const room of this.io.sockets.adapter.rooms.keys())
      if (room.startsWith("area:")) areas.push(room.slice("area:".length));
    return areas;
  }

  private emitState<E extends keyof ServerToClientEvents>(
    event: E,
    data: Parameters<ServerToClientEvents[E]>[0] extends Envelope<infer T> ? T : never,
    areas: AreaName[],
  ): void {
    let rooms = 0;
    for (const area of new Set(areas)) {
      const room = areaRoom(area);
      if (!this.hasMembers(room)) continue;
      const seq = (this.seqs.get(room) ?? 0) + 1;
      this.seqs.set(room, seq);
      const envelope = { epoch: this.epoch, seq, data };
      (this.io.to(room).emit as (event: E, message: typeof envelope) => boolean)(event, envelope);
      rooms += 1;
    }
    this.options.observer?.emitted(event, rooms);
  }

  private flush(): void {
    if (this.pendingStatus.size > 0) {
      const byArea = new Map<AreaName, CameraStatusChange[]>([[CITY, []]]);
      for (const change of this.pendingStatus.values()) {
        byArea.get(CITY)?.push(change);
        const district = this.cameras.get(change.cameraId)?.district;
        if (district) append(byArea, district, change);
      }
      this.pendingStatus.clear();
      for (const [area, changes] of byArea) if (changes.length > 0) this.emitState("cameras:status", changes, [area]);
    }
    if (this.pendingSensors.size > 0) {
      const byArea = new Map<AreaName, SensorReadingView[]>([[CITY, []]]);
      for (const { district, data } of this.pendingSensors.values()) {
        byArea.get(CITY)?.push(data);
        if (district) append(byArea, district, data);
      }
      this.pendingSensors.clear();
      for (const [area, readings] of byArea)
        if (readings.length > 0) this.emitState("sensors:readings", readings, [area]);
    }
    if (this.pendingDetections.length > 0) {
      const batch = this.pendingDetections.splice(0);
      // Everyone but an audited investigator's watch gets the brief: no plate, attributes or track id.
      const briefs = batch.map(briefOf);
      if (this.hasMembers(ALL_DETECTIONS)) this.io.to(ALL_DETECTIONS).emit("detections:batch", briefs);
      const byCamera = new Map<string, DetectionBrief[]>();
      const personal = new Map<string, PersonalDetection[]>();
      for (const [index, detection] of batch.entries()) {
        const room = detectionRoom(detection.cameraId);
        if (this.hasMembers(room)) append(byCamera, room, briefs[index] as DetectionBrief);
        const withPlates = personalRoom(detection.cameraId);
        if (this.hasMembers(withPlates)) append(personal, withPlates, detection);
      }
      // A client streaming all detections is not also sent its cameras' batches.
      for (const [room, detections] of byCamera)
        this.io.to(room).except(ALL_DETECTIONS).emit("detections:batch", detections);
      for (const [room, detections] of personal) this.io.to(room).emit("detections:personal", detections);
      this.options.observer?.emitted("detections:batch", byCamera.size);
      if (personal.size > 0) this.options.observer?.emitted("detections:personal", personal.size);
    }
  }

  private tick(): void {
    const counters = this.counters();
    for (const area of this.areaRooms()) this.emitState("counters:tick", counters, [area]);
  }
}

function sameWatch(a: DetectionWatch, b: DetectionWatch): boolean {
  const cameras = (watch: DetectionWatch) => (watch.cameras === "*" ? "*" : watch.cameras.join("\u0000"));
  return (
    a.area === b.area &&
    cameras(a) === cameras(b) &&
    a.personalData?.caseReference === b.personalData?.caseReference &&
    a.personalData?.purpose === b.personalData?.purpose
  );
}

function stateOf(camera: CameraView): Pick<CameraView, "state" | "lastStatusAt" | "version"> {
  return { state: camera.state, lastStatusAt: camera.lastStatusAt, version: camera.version };
}

function append<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
