import { io, type Socket } from "socket.io-client";

/**
 * One process of the broadcast benchmark's client swarm (see startClientSwarm in fanout-support.ts, which forks it
 * with `--conditions=source --import tsx`). It opens its share of the Socket.IO connections, and for every watched
 * event it records, per client and message, receive time minus the send time the payload carries. The numbers stay
 * here until the parent asks for them, so the measurement itself sends nothing over IPC.
 *
 * Times are epoch milliseconds with sub-millisecond precision, performance.timeOrigin + performance.now(), on the
 * sender and here alike: both come from the same machine's clock.
 */

/** Where a payload (the event's first argument) keeps its message id and send time: dot paths, "0.x" for arrays. */
export interface StampPaths {
  id: string;
  /** Epoch milliseconds (number) or an ISO-8601 string (millisecond precision only). */
  sentAt: string;
}

/** What each client emits once connected, before it counts as ready (e.g. the gateway's "view:subscribe"). */
export interface ConnectStep {
  emit: string;
  args?: unknown[];
  /** Wait for the acknowledgement; an ack `{ ok: false, … }` fails the client. */
  ack?: boolean;
  timeoutMs?: number;
}

export interface WorkerStart {
  type: "start";
  url: string;
  path?: string;
  auth?: Record<string, unknown>;
  /** Index of this worker's first client among all of the swarm's clients. */
  first: number;
  count: number;
  events: Record<string, StampPaths>;
  onConnect?: ConnectStep;
  /** URL of a module exporting `onConnect(socket, index)`, run after `onConnect` for what data cannot describe. */
  onConnectModule?: string;
  /** Connections opened at once. */
  concurrency: number;
  connectTimeoutMs: number;
}

export type ParentMessage =
  | WorkerStart
  | { type: "collect"; requestId: number; event: string; reset: boolean }
  | { type: "reset"; requestId: number }
  | { type: "close" };

export interface Collected {
  /** receive − send, ms, one per client per message. */
  latencies: Float64Array;
  /** [message id, clients that received it]. */
  deliveries: [string | number, number][];
  /** Messages of the event whose id or send time could not be read. */
  unreadable: number;
}

export type WorkerMessage =
  | { type: "progress"; connected: number }
  | { type: "ready"; connected: number; failed: number; firstError: string | null }
  | ({ type: "collected"; requestId: number; disconnects: number; firstDisconnect: string | null } & Collected)
  | { type: "reset"; requestId: number };

class Series {
  values = new Float64Array(4096);
  length = 0;
  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }
}

interface Watched {
  paths: StampPaths;
  latencies: Series;
  deliveries: Map<string | number, number>;
  unreadable: number;
}

function at(value: unknown, path: string): unknown {
  let current = value;
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function epochMs(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string") return Date.parse(value);
  return Number.NaN;
}

const send = (message: WorkerMessage) => process.send?.(message);
const sockets: Socket[] = [];
const watched = new Map<string, Watched>();
let disconnects = 0;
let firstDisconnect: string | null = null;

function watch(socket: Socket): void {
  socket.onAny((event: string, payload: unknown) => {
    const now = performance.timeOrigin + performance.now();
    const entry = watched.get(event);
    if (!entry) return;
    const id = at(payload, entry.paths.id);
    const sentAt = epochMs(at(payload, entry.paths.sentAt));
    if ((typeof id !== "string" && typeof id !== "number") || !Number.isFinite(sentAt)) {
      entry.unreadable++;
      return;
    }
    entry.latencies.push(now - sentAt);
    entry.deliveries.set(id, (entry.deliveries.get(id) ?? 0) + 1);
  });
}

async function connectOne(start: WorkerStart, index: number, hook: HookModule | undefined): Promise<void> {
  const socket = io(start.url, {
    path: start.path,
    auth: start.auth,
    transports: ["websocket"],
    // Without forceNew every io() to the same URL would share one Manager, i.e. one connection.
    forceNew: true,
    // A silent reconnect would hide a lost client; the bench must see it.
    reconnection: false,
    timeout: start.connectTimeoutMs,
  });
  sockets.push(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (error: Error) => reject(error));
  });
  watch(socket);
  const step = start.onConnect;
  if (step) {
    if (step.ack) {
      const response: unknown = await socket
        .timeout(step.timeoutMs ?? start.connectTimeoutMs)
        .emitWithAck(step.emit, ...(step.args ?? []));
      if (at(response, "ok") === false) throw new Error(`${step.emit} refused: ${JSON.stringify(response)}`);
    } else {
      socket.emit(step.emit, ...(step.args ?? []));
    }
  }
  await hook?.onConnect(socket, index);
  socket.on("disconnect", (reason) => {
    disconnects++;
    firstDisconnect ??= reason;
  });
}

interface HookModule {
  onConnect(socket: Socket, index: number): unknown;
}

async function start(message: WorkerStart): Promise<void> {
  for (const [event, paths] of Object.entries(message.events)) {
    watched.set(event, { paths, latencies: new Series(), deliveries: new Map(), unreadable: 0 });
  }
  const hook = message.onConnectModule ? ((await import(message.onConnectModule)) as HookModule) : undefined;
  let next = 0;
  let connected = 0;
  let failed = 0;
  let firstError: string | null = null;
  let lastReport = performance.now();
  const lane = async () => {
    while (next < message.count) {
      const index = message.first + next++;
      try {
        await connectOne(message, index, hook);
        connected++;
      } catch (error) {
        failed++;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
      if (performance.now() - lastReport > 500) {
        lastReport = performance.now();
        send({ type: "progress", connected });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(message.concurrency, message.count) }, lane));
  send({ type: "ready", connected, failed, firstError });
}

function collect(requestId: number, event: string, reset: boolean): void {
  const entry = watched.get(event);
  const latencies = entry ? entry.latencies.values.slice(0, entry.latencies.length) : new Float64Array(0);
  const deliveries = entry ? [...entry.deliveries] : [];
  const unreadable = entry?.unreadable ?? 0;
  if (entry && reset) resetOne(entry);
  send({ type: "collected", requestId, latencies, deliveries, unreadable, disconnects, firstDisconnect });
}

function resetOne(entry: Watched): void {
  entry.latencies = new Series();
  entry.deliveries.clear();
  entry.unreadable = 0;
}

function close(): void {
  for (const socket of sockets) socket.disconnect();
  // Let the close frames go out before leaving.
  setTimeout(() => process.exit(0), 200).unref();
}

process.on("message", (message: ParentMessage) => {
  switch (message.type) {
    case "start":
      start(message).catch((error: unknown) => {
        console.error("fanout-client:", error);
        process.exit(1);
      });
      break;
    case "collect":
      collect(message.requestId, message.event, message.reset);
      break;
    case "reset":
      for (const entry of watched.values()) resetOne(entry);
      send({ type: "reset", requestId: message.requestId });
      break;
    case "close":
      // Closes the sockets through the "disconnect" handler below.
      process.disconnect?.();
      break;
  }
});
// The parent went away (finished or crashed): don't linger with thousands of open sockets.
process.on("disconnect", close);
