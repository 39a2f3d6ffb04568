import type {
  AlertView,
  CameraStatusChange,
  CameraView,
  IncidentView,
  PersonalDetection,
  Role,
  SensorReadingView,
  ServerToClientEvents,
} from "@hub/contracts";
import type { Placed } from "../../services/gateway/src/services/decode.js";
import type { LiveBroadcast, LiveRooms, LiveSocket } from "../../services/gateway/src/services/live.service.js";

type Event = keyof ServerToClientEvents;
type Payload<E extends Event> = Parameters<ServerToClientEvents[E]>[0];

/**
 * An in-memory stand-in for the Socket.IO server the live hub fans out to (no ports, no clients): rooms with
 * members, and what each connected client would have received, in order. As in Socket.IO, every socket is also in a
 * room named by its own id.
 */
export class FakeRooms implements LiveRooms {
  private readonly members = new Map<string, Set<string>>();
  private readonly inboxes = new Map<string, { event: Event; payload: unknown }[]>();
  readonly sockets = { adapter: { rooms: this.members } };
  private connected = 0;

  to(room: string): LiveBroadcast {
    return this.broadcast(room, []);
  }

  /** A client connected as a user with `roles`. */
  connect(roles: Role[] = ["operator"]): LiveSocket {
    this.connected += 1;
    const id = `socket-${this.connected}`;
    const rooms = new Set<string>();
    this.inboxes.set(id, []);
    const socket: LiveSocket = {
      id,
      rooms,
      handshake: { address: "192.0.2.10" },
      data: { user: { username: `user-${this.connected}`, displayName: "Test user", roles }, sessionId: "" },
      join: (room) => {
        for (const name of typeof room === "string" ? [room] : room) {
          rooms.add(name);
          this.membersOf(name).add(id);
        }
      },
      leave: (room) => {
        rooms.delete(room);
        this.members.get(room)?.delete(id);
        if (this.members.get(room)?.size === 0) this.members.delete(room);
      },
    };
    void socket.join(id);
    return socket;
  }

  /** Everything `socket` received of `event`, oldest first. */
  received<E extends Event>(socket: LiveSocket, event: E): Payload<E>[] {
    return (this.inboxes.get(socket.id) ?? []).filter((m) => m.event === event).map((m) => m.payload as Payload<E>);
  }

  /** The events `socket` received, by name, oldest first. */
  events(socket: LiveSocket): Event[] {
    return (this.inboxes.get(socket.id) ?? []).map((m) => m.event);
  }

  private membersOf(room: string): Set<string> {
    let found = this.members.get(room);
    if (!found) {
      found = new Set();
      this.members.set(room, found);
    }
    return found;
  }

  private broadcast(room: string, except: string[]): LiveBroadcast {
    return {
      emit: (event, ...args) => {
        const excluded = new Set(except.flatMap((name) => [...(this.members.get(name) ?? [])]));
        for (const id of this.members.get(room) ?? [])
          if (!excluded.has(id)) this.inboxes.get(id)?.push({ event, payload: args[0] });
        return true;
      },
      except: (other) => this.broadcast(room, [...except, other]),
    };
  }
}

// ---- Factories ----------------------------------------------------------------------------------------------------

let sequence = 0;
const unique = (prefix: string) => `${prefix}-${++sequence}`;

/** Two districts far enough apart that "the nearest camera" is never in doubt. */
export const PLACES = {
  se: { district: "Sé", lat: 22.1935, lon: 113.5405 },
  taipa: { district: "Taipa", lat: 22.156, lon: 113.556 },
} as const;

export function newCameraView(overrides: Partial<CameraView> = {}): CameraView {
  return {
    id: unique("CAM"),
    name: "Largo do Senado (north)",
    ...PLACES.se,
    phase: 1,
    bearingDeg: 90,
    fovAngleDeg: 70,
    rangeM: 80,
    state: "online",
    lastStatusAt: "2026-03-01T07:59:00.000Z",
    version: Date.parse("2026-03-01T07:59:00.000Z"),
    ...overrides,
  };
}

/** A status change of `camera`, `laterMs` after its current one. */
export function newStatus(
  camera: Pick<CameraView, "id" | "district" | "version">,
  laterMs: number,
  overrides: Partial<CameraStatusChange> = {},
): Placed<CameraStatusChange> {
  const version = camera.version + laterMs;
  return {
    district: camera.district,
    data: {
      cameraId: camera.id,
      state: "offline",
      reason: "signal_loss",
      observedAt: new Date(version).toISOString(),
      version,
      ...overrides,
    },
  };
}

export function newReading(
  overrides: Partial<SensorReadingView> = {},
  district: string = PLACES.se.district,
): Placed<SensorReadingView> {
  const observedAt = overrides.observedAt ?? "2026-03-01T08:00:00.000Z";
  return {
    district,
    data: {
      sensorId: unique("SEN"),
      name: "Inner Harbour tide gauge",
      lat: PLACES.se.lat,
      lon: PLACES.se.lon,
      kind: "water_level",
      value: 0.6,
      unit: "m",
      observedAt,
      version: Date.parse(observedAt),
      ...overrides,
    },
  };
}

/** A detection as the gateway decodes it, with personal data (a plate and attributes) unless overridden. */
export function newDetectionBrief(
  cameraId: string,
  overrides: Partial<PersonalDetection> = {},
): Placed<PersonalDetection> {
  return {
    district: PLACES.se.district,
    data: {
      eventId: unique("evt"),
      cameraId,
      objectClass: "vehicle",
      ruleType: null,
      confidence: 0.9,
      observedAt: "2026-03-01T08:00:00.000Z",
      ingestedAt: "2026-03-01T08:00:00.100Z",
      trackId: unique("track"),
      attributes: { vehicle_color: "red" },
      plate: { text: "MX-12-34", region: "MO", confidence: 0.93 },
      ...overrides,
    },
  };
}

export function newIncidentView(overrides: Partial<IncidentView> = {}): IncidentView {
  return {
    id: unique("INC"),
    ruleId: "fire-smoke-and-camera",
    kind: "fire",
    severity: "severe",
    status: "open",
    title: "Smoke and flames, Rua do Campo",
    titles: { "zh-Hant": "營地大街煙火", pt: "Fumo e chamas, Rua do Campo", en: "Smoke and flames, Rua do Campo" },
    lat: PLACES.se.lat,
    lon: PLACES.se.lon,
    firstEventAt: "2026-03-01T07:55:00.000Z",
    lastEventAt: "2026-03-01T08:00:00.000Z",
    openedAt: "2026-03-01T07:55:00.000Z",
    updatedAt: "2026-03-01T08:00:00.000Z",
    evidenceCount: 2,
    version: 1,
    ...overrides,
  };
}

export function newAlertView(overrides: Partial<AlertView> = {}): AlertView {
  return {
    id: unique("ALERT"),
    event: { "zh-Hant": "八號風球", pt: "Sinal n.º 8", en: "Signal No. 8" },
    headline: { "zh-Hant": "颱風", pt: "Tufão", en: "Typhoon" },
    category: "Met",
    severity: "severe",
    urgency: "Expected",
    certainty: "Likely",
    sent: "2026-03-01T07:00:00.000Z",
    expires: "2026-03-01T20:00:00.000Z",
    state: "active",
    areas: [],
    version: 1,
    ...overrides,
  };
}
