import { type ChildProcess, fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { Server, type ServerOptions } from "socket.io";
import type { ConnectStep, ParentMessage, StampPaths, WorkerMessage } from "./fanout-client.js";
import { percentile } from "./support.js";

/**
 * Building blocks of the broadcast benchmark (`npm run bench:fanout`): a swarm of Socket.IO clients in child
 * processes that measure how long each broadcast takes to reach each client, and a bare Socket.IO server that
 * broadcasts the same payloads, the baseline the gateway is compared with (a ratio, on the same machine).
 *
 * Why child processes: thousands of clients in the process that also broadcasts (or measures) would put their own
 * event-loop stalls into the figures. Each worker (fanout-client.ts) keeps its latencies until asked for them.
 *
 * Open files: every connection is a descriptor on both ends, so the server's process needs one per client (the
 * swarm's workers split theirs). Node cannot raise its own limit: checkOpenFileLimit() says how to, and the bench
 * can be started as `bash -c 'ulimit -n "$(ulimit -Hn)"; …'` (raising the soft limit to the hard one always works;
 * above the hard limit needs CAP_SYS_RESOURCE, which a container's root may lack).
 */

export type { ConnectStep, StampPaths } from "./fanout-client.js";

/** Epoch milliseconds with sub-millisecond precision: what broadcast payloads carry as their send time. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export interface OpenFileLimit {
  soft: number;
  hard: number;
}

/** The process's RLIMIT_NOFILE, from /proc/self/limits (Linux); children inherit it. */
export function openFileLimit(): OpenFileLimit | null {
  try {
    const line = readFileSync("/proc/self/limits", "utf8")
      .split("\n")
      .find((row) => row.startsWith("Max open files"));
    const [soft, hard] = line?.match(/(\d+|unlimited)\s+(\d+|unlimited)/)?.slice(1) ?? [];
    if (!soft || !hard) return null;
    const parse = (value: string) => (value === "unlimited" ? Number.POSITIVE_INFINITY : Number(value));
    return { soft: parse(soft), hard: parse(hard) };
  } catch {
    return null;
  }
}

/** Throws, saying what to run, when one process of this tree could not hold `needed` descriptors. */
export function checkOpenFileLimit(needed: number, what: string): OpenFileLimit | null {
  const limit = openFileLimit();
  if (limit && limit.soft < needed) {
    const raise =
      limit.hard >= needed
        ? `raise the soft limit to the hard one (${limit.hard}) first: bash -c 'ulimit -n "$(ulimit -Hn)"; npm run bench:fanout'`
        : `the hard limit (${limit.hard}) is too low as well: raise it as root (ulimit -Hn, /etc/security/limits.conf, or the container's --ulimit nofile=65536)`;
    throw new Error(
      `${what} needs about ${needed} open files in one process, but the open-file limit (ulimit -n) is ${limit.soft}: ${raise}`,
    );
  }
  return limit;
}

export interface SwarmOptions {
  /** Socket.IO origin, e.g. http://127.0.0.1:3000. */
  url: string;
  count: number;
  /** The handshake's `auth`, the same for every client (e.g. `{ token }`). */
  auth?: Record<string, unknown>;
  /** Socket.IO path, when not /socket.io/. */
  path?: string;
  /** Events to time, and where their payloads keep id and send time. Default: "bench:tick" with `id` and `sentAt`. */
  events?: Record<string, StampPaths>;
  /**
   * What each client emits once connected (e.g. `{ emit: "view:subscribe", args: [{ area: "city" }], ack: true }`).
   * The clients live in other processes, so this is data; for more, `onConnectModule` names a module (a URL, e.g.
   * `new URL("./x.ts", import.meta.url).href`) whose `onConnect(socket, index)` each worker runs.
   */
  onConnect?: ConnectStep;
  onConnectModule?: string;
  /** Worker processes. Default 2 (this machine has two cores; the server shares them). */
  processes?: number;
  /** Connections each worker opens at once. Default 100. */
  concurrency?: number;
  /** For the whole connect phase. Default 120 s. */
  connectTimeoutMs?: number;
  /** Progress lines (connected counts); default none. */
  log?: (message: string) => void;
}

export interface Collection {
  /** receive − send in ms: one per client per message received, in no particular order. */
  latenciesMs: number[];
  /** Distinct messages seen. */
  messages: number;
  /** Clients × messages received. */
  deliveries: number;
  /** Clients × messages that would be received if every client had every message seen by any. */
  expectedDeliveries: number;
  /** Messages whose id or send time could not be read (wrong StampPaths?). */
  unreadable: number;
  /** Clients that lost their connection after becoming ready, and the first reason. */
  disconnects: number;
  firstDisconnect: string | null;
}

export interface ClientSwarm {
  /** Clients connected (all of them: startClientSwarm fails otherwise). */
  readonly connected: number;
  /** Everything recorded for the event since the start or the last reset. */
  collect(event: string, options?: { reset?: boolean }): Promise<Collection>;
  /** Just the latencies (ms) of the event. */
  latencies(event: string): Promise<number[]>;
  /** Forget what was recorded so far (after a warm-up). */
  reset(): Promise<void>;
  close(): Promise<void>;
}

interface Worker {
  child: ChildProcess;
  exited: Promise<void>;
  pending: Map<number, { resolve: (message: WorkerMessage) => void; reject: (error: Error) => void }>;
}

const workerModule = fileURLToPath(new URL("./fanout-client.ts", import.meta.url));

/** Opens `count` Socket.IO connections (websocket only) spread over worker processes; resolves when all are ready. */
export async function startClientSwarm(options: SwarmOptions): Promise<ClientSwarm> {
  const { url, count, processes = 2, concurrency = 100, connectTimeoutMs = 120_000, log } = options;
  const events = options.events ?? { "bench:tick": { id: "id", sentAt: "sentAt" } };
  // The server's end of all the connections is on this machine too, in one process that inherited this limit.
  checkOpenFileLimit(count + 256, `${count} Socket.IO connections (server side)`);

  const workers: Worker[] = [];
  let requestIds = 0;
  const spawnWorker = (): Worker => {
    const child = fork(workerModule, [], {
      // tsx by absolute URL, so the workers start whatever the current directory.
      execArgv: ["--conditions=source", "--import", import.meta.resolve("tsx")],
      serialization: "advanced",
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const pending: Worker["pending"] = new Map();
    const exited = new Promise<void>((resolve) =>
      child.once("exit", (code, signal) => {
        for (const request of pending.values()) request.reject(new Error(`client worker exited (${signal ?? code})`));
        pending.clear();
        resolve();
      }),
    );
    child.on("message", (message: WorkerMessage) => {
      if (message.type === "collected" || message.type === "reset") {
        pending.get(message.requestId)?.resolve(message);
        pending.delete(message.requestId);
      }
    });
    return { child, exited, pending };
  };
  const ask = (worker: Worker, message: ParentMessage & { requestId: number }) =>
    new Promise<WorkerMessage>((resolve, reject) => {
      if (!worker.child.connected) {
        reject(new Error("a client worker has exited"));
        return;
      }
      worker.pending.set(message.requestId, { resolve, reject });
      worker.child.send(message);
    });
  const close = async () => {
    for (const worker of workers) {
      if (worker.child.connected) worker.child.send({ type: "close" } satisfies ParentMessage);
    }
    const timeout = setTimeout(() => {
      for (const worker of workers) worker.child.kill("SIGKILL");
    }, 10_000);
    await Promise.all(workers.map((worker) => worker.exited));
    clearTimeout(timeout);
  };

  const started = performance.now();
  try {
    const shares = Array.from({ length: processes }, (_, index) => {
      const first = Math.floor((index * count) / processes);
      return { first, count: Math.floor(((index + 1) * count) / processes) - first };
    }).filter((share) => share.count > 0);
    const progress = shares.map(() => 0);
    const ready = shares.map((share, index) => {
      const worker = spawnWorker();
      workers.push(worker);
      return new Promise<WorkerMessage & { type: "ready" }>((resolve, reject) => {
        worker.child.on("message", (message: WorkerMessage) => {
          if (message.type === "progress") {
            progress[index] = message.connected;
            log?.(`clients connected: ${progress.reduce((a, b) => a + b, 0)}/${count}`);
          } else if (message.type === "ready") {
            resolve(message);
          }
        });
        worker.child.once("exit", (code, signal) =>
          reject(new Error(`client worker ${index} exited (${signal ?? code}) before its clients were ready`)),
        );
        worker.child.send({
          type: "start",
          url,
          path: options.path,
          auth: options.auth,
          first: share.first,
          count: share.count,
          events,
          onConnect: options.onConnect,
          onConnectModule: options.onConnectModule,
          concurrency,
          connectTimeoutMs,
        } satisfies ParentMessage);
      });
    });
    let timer: NodeJS.Timeout | undefined;
    const reports = await Promise.race([
      Promise.all(ready),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`clients not all connected within ${connectTimeoutMs} ms`)),
          connectTimeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    const failed = reports.reduce((sum, report) => sum + report.failed, 0);
    if (failed > 0) {
      const firstError = reports.find((report) => report.firstError)?.firstError;
      throw new Error(`${failed} of ${count} clients failed to connect; first error: ${firstError}`);
    }
    log?.(`${count} clients connected in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } catch (error) {
    await close();
    throw error;
  }

  const collect = async (event: string, { reset = false }: { reset?: boolean } = {}): Promise<Collection> => {
    const answers = await Promise.all(
      workers.map((worker) => ask(worker, { type: "collect", requestId: ++requestIds, event, reset })),
    );
    const latenciesMs: number[] = [];
    const perMessage = new Map<string | number, number>();
    let unreadable = 0;
    let disconnects = 0;
    let firstDisconnect: string | null = null;
    for (const answer of answers) {
      if (answer.type !== "collected") continue;
      for (const value of answer.latencies) latenciesMs.push(value);
      for (const [id, received] of answer.deliveries) perMessage.set(id, (perMessage.get(id) ?? 0) + received);
      unreadable += answer.unreadable;
      disconnects += answer.disconnects;
      firstDisconnect ??= answer.firstDisconnect;
    }
    return {
      latenciesMs,
      messages: perMessage.size,
      deliveries: latenciesMs.length,
      expectedDeliveries: perMessage.size * count,
      unreadable,
      disconnects,
      firstDisconnect,
    };
  };

  return {
    connected: count,
    collect,
    latencies: async (event) => (await collect(event)).latenciesMs,
    reset: async () => {
      await Promise.all(workers.map((worker) => ask(worker, { type: "reset", requestId: ++requestIds })));
    },
    close,
  };
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarizeLatencies(latenciesMs: readonly number[]): LatencySummary {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length > 0 ? (sorted[sorted.length - 1] as number) : Number.NaN,
    mean: sorted.length > 0 ? sum / sorted.length : Number.NaN,
  };
}

export interface BareServer {
  url: string;
  port: number;
  io: Server;
  /** io.emit: to every connected client. */
  broadcast(event: string, payload: unknown): void;
  clients(): number;
  close(): Promise<void>;
}

/**
 * The baseline: a plain http server with a Socket.IO server on 127.0.0.1 (port 0 for any free one), no auth, no
 * rooms, nothing but io.emit. `options` lets the bench match the gateway's Socket.IO settings.
 */
export async function startBareServer(port: number, options: Partial<ServerOptions> = {}): Promise<BareServer> {
  const http = createServer((_request, response) => {
    response.writeHead(404).end();
  });
  const io = new Server(http, { transports: ["websocket"], serveClient: false, ...options });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen({ port, host: "127.0.0.1", backlog: 4096 }, () => resolve());
  });
  const actual = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    io,
    broadcast: (event, payload) => {
      io.emit(event, payload);
    },
    clients: () => io.engine.clientsCount,
    // Resolves once the http server has closed too.
    close: () => io.close(),
  };
}
